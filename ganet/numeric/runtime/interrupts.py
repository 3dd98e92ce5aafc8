"""Ctrl-C around long numba kernels: deferred to the end of the kernel call, then raised.

A SIGINT that arrives while a parallel numba kernel runs makes Python's default handler set a
KeyboardInterrupt *inside* the call; numba then returns a result with an exception set
(``SystemError``) or, when threads are torn down mid-region, crashes. Long passes are therefore
run as a sequence of short kernel calls (a fraction of a second each), each under
:func:`deferred_interrupt`: the handler only records the signal, and the KeyboardInterrupt is
raised after the call has returned cleanly, so the user gets control back within one call.
"""

import signal
import threading
from contextlib import contextmanager

__all__ = ["deferred_interrupt"]


@contextmanager
def deferred_interrupt():
    """Record SIGINT during the block and deliver it when the block ends: KeyboardInterrupt under
    Python's default handler, the user's own handler otherwise (main thread only; elsewhere
    signals are not delivered to Python and nothing changes)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    received = []
    try:
        previous = signal.signal(signal.SIGINT, lambda signum, frame: received.append(signum))
    except ValueError:  # e.g. an embedded interpreter that forbids it
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
    if received:  # deliver it as the previous handler would have
        if callable(previous):
            previous(signal.SIGINT, None)  # the default handler raises KeyboardInterrupt
        elif previous != signal.SIG_IGN:
            raise KeyboardInterrupt
