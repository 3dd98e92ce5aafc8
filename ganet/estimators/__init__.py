"""scikit-learn estimators: two-layer (:mod:`.two_layer`), deep (:mod:`.deep`), arrangement
programs (:mod:`.arrangement`), λ by cross-validation (:mod:`.cv`), the whitened closed form
(:mod:`.whitened`), and what they share: the neuron protocol every model's ``neurons_`` follow
(:mod:`.neurons`), the architectures that turn a dictionary model's Lasso solution into its
network (:mod:`.networks`; deep chains name their reflections, :mod:`.reflections`), standardized inputs (:mod:`.standardize`) and fitted state kept on failure
(:mod:`.fitted_state`)."""

from .arrangement import ArrangementReLU, ArrangementReLUClassifier, certified_ratio
from .cv import (ArrangementReLUClassifierCV, ArrangementReLUCV, ConvexReLUClassifierCV, ConvexReLUCV, DeepNarrowAbsCV,
                 ThreeLayerReLUCV)
from .deep import DeepNarrowAbs, ThreeLayerReLU
from .neurons import ArrangementNeuron, DeepNeuron, Neuron, WedgeNeuron
from .two_layer import ConvexReLU, ConvexReLUClassifier
from .whitened import whiten, whitened_closed_form

__all__ = ["ArrangementNeuron", "ArrangementReLU", "ArrangementReLUClassifier", "ArrangementReLUCV",
           "ArrangementReLUClassifierCV", "ConvexReLU", "ConvexReLUClassifier", "ConvexReLUCV", "ConvexReLUClassifierCV", "DeepNarrowAbs",
           "DeepNarrowAbsCV", "DeepNeuron", "Neuron", "ThreeLayerReLU", "ThreeLayerReLUCV", "WedgeNeuron", "certified_ratio", "whiten",
           "whitened_closed_form"]
