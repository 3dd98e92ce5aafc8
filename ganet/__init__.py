"""ganet: neural networks trained to global optimality, explained in geometric algebra.

Layers: :mod:`ganet.numeric` (numpy/numba kernels, dictionaries, solvers) and
:mod:`ganet.symbolic` (exact sympy algebra). Estimators: :class:`ConvexReLU` and
:class:`ConvexReLUClassifier`.
"""

__version__ = "0.1.0"

from .estimators import ConvexReLU, ConvexReLUClassifier, Neuron  # noqa: E402

__all__ = ["ConvexReLU", "ConvexReLUClassifier", "Neuron", "__version__"]
