"""ganet: neural networks trained to global optimality, explained in geometric algebra.

Layers: :mod:`ganet.numeric` (numpy/numba kernels, dictionaries, solvers) and
:mod:`ganet.symbolic` (exact sympy algebra). Estimators: :class:`ConvexReLU` and
:class:`ConvexReLUClassifier` (two layers; :class:`ConvexReLUCV` and :class:`ConvexReLUClassifierCV` choose λ by
cross-validation),
:class:`DeepNarrowAbs` (deep narrow |·| networks)
and :class:`ThreeLayerReLU` (three-layer ReLU chains; :class:`DeepNarrowAbsCV` and :class:`ThreeLayerReLUCV`
choose λ); :class:`ArrangementReLU` and
:class:`ArrangementReLUClassifier` (activation-pattern programs, exact or sampled, for wide data;
:class:`ArrangementReLUCV` and :class:`ArrangementReLUClassifierCV` choose λ).
"""

from ._version import __version__  # noqa: E402

from .estimators.arrangement import ArrangementReLU, ArrangementReLUClassifier, certified_ratio  # noqa: E402
from .estimators.deep import DeepNarrowAbs, ThreeLayerReLU  # noqa: E402
from .estimators.neurons import Neuron  # noqa: E402
from .estimators.two_layer import ConvexReLU, ConvexReLUClassifier  # noqa: E402
from .estimators.cv import (ArrangementReLUClassifierCV, ArrangementReLUCV, ConvexReLUClassifierCV, ConvexReLUCV,  # noqa: E402
                            DeepNarrowAbsCV, ThreeLayerReLUCV)
from .persistence import load  # noqa: E402
from .polish import polish  # noqa: E402
from .estimators.whitened import whiten, whitened_closed_form  # noqa: E402
from .numeric.arrangement.chambers import chamber_diameter  # noqa: E402

__all__ = ["ArrangementReLU", "ArrangementReLUClassifier", "ArrangementReLUCV", "ArrangementReLUClassifierCV",
           "certified_ratio", "chamber_diameter",
           "whiten", "whitened_closed_form", "ConvexReLU", "ConvexReLUCV", "ConvexReLUClassifier", "ConvexReLUClassifierCV", "DeepNarrowAbs", "DeepNarrowAbsCV", "Neuron", "ThreeLayerReLU", "ThreeLayerReLUCV", "__version__", "load", "polish"]
