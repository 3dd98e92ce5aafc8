"""Thread policy: BLAS stays single-threaded inside ganet's solvers.

The solvers call LAPACK and BLAS on small matrices (Newton systems of size n, QR updates, SVDs of
a working set) thousands of times. With OpenBLAS's default of one thread per core, two copies of
it loaded (numpy's and scipy's) and numba's own pool beside them, those calls spend most of their
time waking and synchronizing threads: measured on this repository's 2-core machine, SSNAL on a
3-output working set (n = 60) took 2.8 s with the default threads and 0.17 s with one BLAS
thread, the same iterations. The parallelism that pays is the pricing pass (numba, large work
per call); BLAS is limited to one thread for the duration of a solve with threadpoolctl.
"""

from threadpoolctl import threadpool_limits

__all__ = ["single_threaded_blas"]


def single_threaded_blas():
    """Context manager limiting every loaded BLAS to one thread (restored on exit)."""
    return threadpool_limits(limits=1, user_api="blas")
