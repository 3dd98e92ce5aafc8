"""Numeric layer of ganet (numpy, numba, scipy): GA kernels, dictionaries and solvers.

This package never imports sympy, so numeric work pays no symbolic start-up cost.
"""

from .geometry.ga import blade_norm, cross, cross_many, dist_to_affine, dist_to_span, hodge, signed_volume, wedge
from .runtime.threads import configure_threads

configure_threads()  # pricing threads: the CPUs this process may use (affinity, cgroup quota)

__all__ = ["wedge", "hodge", "cross", "cross_many", "signed_volume", "dist_to_span",
           "dist_to_affine", "blade_norm"]
