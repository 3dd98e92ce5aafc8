"""ganet: neural networks trained to global optimality, explained in geometric algebra.

Layers: :mod:`ganet.numeric` (numpy/numba kernels, dictionaries, solvers) and
:mod:`ganet.symbolic` (exact sympy algebra, closed forms, code generation).
"""

__version__ = "0.1.0"

__all__ = ["__version__"]
