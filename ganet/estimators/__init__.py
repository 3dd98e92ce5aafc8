"""scikit-learn estimators: two-layer (:mod:`.two_layer`), deep (:mod:`.deep`), arrangement
programs (:mod:`.arrangement`), λ by cross-validation (:mod:`.cv`), the whitened closed form
(:mod:`.whitened`), and what they share: standardized inputs (:mod:`.standardize`) and fitted
state kept on failure (:mod:`.fitted_state`)."""

from .arrangement import ArrangementReLU, ArrangementReLUClassifier, certified_ratio
from .cv import ArrangementReLUClassifierCV, ArrangementReLUCV, ConvexReLUClassifierCV, ConvexReLUCV
from .deep import DeepNarrowAbs, ThreeLayerReLU
from .two_layer import ConvexReLU, ConvexReLUClassifier, Neuron
from .whitened import whiten, whitened_closed_form

__all__ = ["ArrangementReLU", "ArrangementReLUClassifier", "ArrangementReLUCV", "ArrangementReLUClassifierCV",
           "ConvexReLU", "ConvexReLUClassifier", "ConvexReLUCV", "ConvexReLUClassifierCV", "DeepNarrowAbs",
           "Neuron", "ThreeLayerReLU", "certified_ratio", "whiten", "whitened_closed_form"]
