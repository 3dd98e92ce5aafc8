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
  (n = 60) took 2.8 s with the default threads and 0.17 s with one BLAS thread.
"""

import math
import os

from threadpoolctl import threadpool_limits

__all__ = ["single_threaded_blas", "available_cpus", "configure_threads"]


def single_threaded_blas():
    """Context manager limiting every loaded BLAS to one thread (restored on exit)."""
    return threadpool_limits(limits=1, user_api="blas")


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
