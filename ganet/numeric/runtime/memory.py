"""Memory: the limit an oracle may allocate at once, and the peak resident memory of a block of
work (a fit), not of the whole process so far."""

import numbers
import resource

import numpy as np

__all__ = ["DEFAULT_MEMORY_LIMIT", "MemoryLimitError", "PeakMemory", "available_bytes", "check_memory_limit"]

DEFAULT_MEMORY_LIMIT = 4 * 2 ** 30  # bytes an oracle may allocate at once unless told otherwise


class MemoryLimitError(ValueError):
    """Raised before an allocation that would exceed the memory limit (a ``ValueError``)."""


def check_memory_limit(memory_limit):
    """Bytes as a positive int (default 4 GiB), or a ValueError naming what was given."""
    if memory_limit is None:
        return DEFAULT_MEMORY_LIMIT
    if (not isinstance(memory_limit, numbers.Real) or isinstance(memory_limit, bool)
            or not np.isfinite(memory_limit) or memory_limit <= 0):
        raise ValueError(f"memory_limit must be a positive number of bytes; got {memory_limit!r}")
    return int(memory_limit)


def _status_kb(field):
    """A ``kB`` field of /proc/self/status (Linux), or None."""
    try:
        with open("/proc/self/status") as fh:
            for line in fh:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return None


class PeakMemory:
    """Context manager measuring the peak resident set size during the block, in MB.

    On Linux the kernel's high-water mark VmHWM is reset on entry (writing 5 to
    /proc/self/clear_refs) and read on exit, so ``peak_mb`` is the block's own peak; ``start_mb``
    is the resident size on entry (what the process held already). Elsewhere, or where the reset
    is not permitted, ``peak_mb`` falls back to the process's lifetime peak (``own`` is False).
    """

    def __enter__(self):
        self.start_mb = (_status_kb("VmRSS") or 0) / 1024.0
        try:
            with open("/proc/self/clear_refs", "w") as fh:
                fh.write("5")
            self.own = _status_kb("VmHWM") is not None
        except OSError:
            self.own = False
        self.peak_mb = None
        return self

    def __exit__(self, *exc):
        hwm = _status_kb("VmHWM") if self.own else None
        self.peak_mb = hwm / 1024.0 if hwm is not None else \
            resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
        return False


def available_bytes():
    """Memory the machine can still give (MemAvailable of /proc/meminfo; 8 GiB where unknown)."""
    try:
        with open("/proc/meminfo") as fh:
            for line in fh:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 8 * 2**30
