"""Thread policy: parallel pricing on the CPUs this process may use, single-threaded BLAS in solves.

* **Pricing passes** (numba ``prange``) are the one place where a parallel region pays for its
  barrier. They use ``numba.get_num_threads()`` threads: by default the CPUs this process may run
  on (its affinity mask) capped by a cgroup CPU quota when there is one (a container limited to
  2 CPUs on a 64-core host gets 2 threads, not 64). Set ``NUMBA_NUM_THREADS`` (before importing
  ganet) or call ``numba.set_num_threads(k)`` to choose yourself; ganet never overrides either.
* **Small kernels** (normals of a batch of hyperplanes, the stored dictionary's passes below 5·10⁷
  products) run on one thread: on a busy machine a descheduled thread makes every barrier wait
  (measured: a parallel kernel called a few hundred times per fit took 4.4 s instead of 0.17 s
  beside two busy processes).
* **BLAS** is limited to one thread for the duration of a solve (threadpoolctl). The solvers call
  LAPACK and BLAS on small matrices thousands of times; with OpenBLAS's default of one thread per
  core, two copies of it loaded (numpy's and scipy's) and numba's pool beside them, those calls
  spent most of their time waking and synchronizing threads: SSNAL on a 3-output working set
  (n = 60) took 2.8 s with the default threads and 0.17 s with one BLAS thread. The limit is
  set by the working-set loop itself (``solve_working_set``), so every loss has it: the logistic
  and hinge fits once ran without it, and the logistic disc fit (n = 2000) took 14.0 s idle and
  45.8 s beside two busy processes against 5.7 s and 9.7 s with it.
* **The dual active set's large block products with its factors** (n × q, q up to n: the
  Gram–Schmidt projections QᵀA and Q(QᵀA) of a batch, from 2·10⁷ multiply-adds) run as two
  fixed halves, the second on one helper thread (:func:`matmul_t`, :func:`matmul`). The halves
  depend on the shape alone, so the result is the same bit for bit on any machine, where
  letting BLAS thread a call changes its sums with the thread count (and a fit's path with
  them: a Dask-client fit must equal the local one).
* **Large, repeated GEMMs** (the ADMM iterations of the ReLU arrangement program) are the
  exception: there threads pay when the cores are free and cost most when they are not
  (digits, 500 gates: 36 ms per iteration with 2 BLAS threads and 46 ms with one, idle; 240 ms
  and 70 ms beside two busy processes). :class:`FastestBlasThreads` times both settings while it
  iterates and keeps the faster.
"""

import math
import os
import time

import numpy as np
from threadpoolctl import ThreadpoolController, threadpool_limits

__all__ = ["single_threaded_blas", "FastestBlasThreads", "available_cpus", "configure_threads", "matmul", "matmul_t"]


def single_threaded_blas():
    """Context manager limiting every loaded BLAS to one thread (restored on exit)."""
    return threadpool_limits(limits=1, user_api="blas")


class FastestBlasThreads:
    """Repeats a step under whichever BLAS thread count (one, or BLAS's own) runs it faster now.

    Every ``probe_seconds`` of running, the next ``probe_steps`` steps run with each setting
    (the steps are real work: nothing is repeated or thrown away) and the setting with the
    shorter time is kept until the next probe, since the load on a shared machine changes.

    Parameters
    ----------
    probe_steps : int
        Steps timed per setting in a probe.
    probe_seconds : float
        Running time between probes.
    """

    def __init__(self, probe_steps=3, probe_seconds=10.0):
        self._controller = ThreadpoolController().select(user_api="blas")
        self._own = max([lib.num_threads for lib in self._controller.lib_controllers], default=1)
        self.probe_steps, self.probe_seconds = probe_steps, probe_seconds
        self.threads = self._own
        self._next_probe = 0.0

    def _calls(self, step, threads, count, stop, done):
        """Call ``step()`` under ``threads`` BLAS threads up to ``count`` times, while
        ``time.perf_counter() <= stop`` (but at least once when ``done``, the calls made so far,
        is 0); returns (calls, seconds)."""
        start, calls = time.perf_counter(), 0
        with self._controller.limit(limits=threads):
            while calls < count and (done + calls == 0 or time.perf_counter() <= stop):
                step()
                calls += 1
        return calls, time.perf_counter() - start

    def run(self, step, seconds, max_steps):
        """Call ``step()`` for about ``seconds`` (at least once) or ``max_steps`` times; returns
        the number of calls. A probe, too, stops at ``seconds``: a setting it could not time
        leaves the choice as it was, and the next call probes again."""
        stop, done = time.perf_counter() + seconds, 0
        if self._own > 1 and time.perf_counter() >= self._next_probe and max_steps >= 2 * self.probe_steps:
            per_step = {}
            for threads in (1, self._own):
                calls, elapsed = self._calls(step, threads, self.probe_steps, stop, done)
                done += calls
                if calls:
                    per_step[threads] = elapsed / calls
            if len(per_step) == 2:
                self.threads = min(per_step, key=per_step.get)
                self._next_probe = time.perf_counter() + self.probe_seconds
        done += self._calls(step, self.threads, max_steps - done, stop, done)[0]
        return done


def _cgroup_quota():
    """CPUs allowed by a cgroup CPU quota (v2 ``cpu.max`` or v1 ``cfs_quota_us``), or None."""
    candidates = [("/sys/fs/cgroup/cpu.max", None),
                  ("/sys/fs/cgroup/cpu/cpu.cfs_quota_us", "/sys/fs/cgroup/cpu/cpu.cfs_period_us")]
    for quota_file, period_file in candidates:
        try:
            with open(quota_file) as fh:
                fields = fh.read().split()
            if period_file is None:
                quota, period = fields[0], fields[1]
            else:
                with open(period_file) as fh:
                    quota, period = fields[0], fh.read().split()[0]
        except (OSError, IndexError):
            continue
        if quota in ("max", "-1"):
            return None
        return max(1, math.ceil(int(quota) / int(period)))
    return None


def available_cpus():
    """CPUs this process may use: its affinity mask, capped by a cgroup CPU quota."""
    try:
        count = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        count = os.cpu_count() or 1
    quota = _cgroup_quota()
    return max(1, min(count, quota) if quota else count)


def configure_threads():
    """Cap numba's pricing threads at :func:`available_cpus` unless the user chose a number
    (``NUMBA_NUM_THREADS``); returns the number of threads in use."""
    import numba

    if "NUMBA_NUM_THREADS" not in os.environ:
        cpus = available_cpus()
        if cpus < numba.get_num_threads():
            numba.set_num_threads(cpus)
    return numba.get_num_threads()


# Products of the dual active set's factors in two fixed halves, the second on a helper thread.
# Below this many multiply-adds a product stays whole: the logistic loss's Newton solves (about
# 40 active columns; the disc of benchmarks/losses.py, n = 2000) took 14.5 / 13.5 and 15.5 / 20.1 s
# with the blocks from 2·10⁶ halved, against 13.8 / 16.5 and 14.1 / 13.0 s whole, and 12.8 / 12.9 s
# from 2·10⁷ (13.3 / 11.7 s whole), while the smooth d = 3 fit keeps its gain (a hand-off costs
# 0.1–0.2 ms here). Those logistic fits still ran BLAS on two threads; measured again with one
# (every loss since c74919d), 2·10⁶ with vectors halved too still lost under load: logistic
# 10.98 / 11.86 s against 9.76 / 10.09 s, for 3–5% on the smooth fit (docs/performance.md)
_HALVES_FROM = 20_000_000
_helper = None  # (the executor, or False on one CPU; the process id it belongs to)


def _second_half(work):
    """Run ``work()`` (the second half of a product) on the helper thread when this process may
    use two CPUs; returns a callable that waits for it (or runs it here, on one CPU)."""
    global _helper
    # a forked child inherits the executor but not its thread: work submitted there would wait
    # forever, so a child makes its own
    if _helper is None or _helper[1] != os.getpid():
        from concurrent.futures import ThreadPoolExecutor

        pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="ganet-half") if available_cpus() > 1 else False
        _helper = (pool, os.getpid())
    return _helper[0].submit(work).result if _helper[0] else work


def matmul_t(Q, A):
    """QᵀA for a tall Fortran-ordered Q (n × q) and a block A (n × k), as two row blocks of the
    result (Q's two column halves) computed side by side.

    The halves are fixed by the shape alone, so the result does not depend on how many CPUs there
    are or which thread ran which half (the dual active set is reproducible bit for bit). With
    one BLAS thread per call, two halves on two threads ran 2.2× faster than one call
    (n = 2000, q = 1500, 12 columns: 11.0 → 5.1 ms for QᵀA and Q(QᵀA)); a BLAS threaded
    within the call would split the sums differently at each thread count. (Products with a
    vector are left whole: with them halved too, from 2·10⁶ multiply-adds, the logistic loss's
    Newton solves on the disc of ``benchmarks/losses.py``, n = 2000, took 17.1 s against 14.8 s,
    means of four runs, and, once BLAS ran one thread for every loss, 10.98 / 11.86 s against
    9.76 / 10.09 s beside two busy processes.)
    """
    n, q = Q.shape
    if n * q * A.shape[1] < _HALVES_FROM:
        return Q.T @ A
    out, half = np.empty((q, A.shape[1]), order="F"), q // 2
    wait = _second_half(lambda: np.matmul(Q[:, half:].T, A, out=out[half:]))
    np.matmul(Q[:, :half].T, A, out=out[:half])
    wait()
    return out


def matmul(Q, W):
    """QW for a tall Q (n × q) and a block W (q × k), as Q's two row halves computed side by side
    (as :func:`matmul_t`), into a Fortran-ordered result (numpy's own QW returned a C-ordered
    one 1.6× slower)."""
    n, q = Q.shape
    out = np.empty((n, W.shape[1]), order="F")
    if n * q * W.shape[1] < _HALVES_FROM:
        return np.matmul(Q, W, out=out)
    half = n // 2
    wait = _second_half(lambda: np.matmul(Q[half:], W, out=out[half:]))
    np.matmul(Q[:half], W, out=out[:half])
    wait()
    return out
