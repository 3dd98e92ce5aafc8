r"""The neurons of a fitted model, all read the same way.

Every estimator lists its hidden units in ``neurons_``, and every one of them is a
:class:`Neuron`:

* ``formula``: the geometric-algebra object that defines it, e.g. ``⋆(x3 ∧ x7)`` (a wedge of
  training samples), ``Aff(x2, x5)`` (the affine hull its breakplane is) or a deep chain
  ``|0.78·x1 + 0.22·x2 − 1.5|``;
* ``special_samples``: the training rows (0-based) its definition passes through;
* ``breakplanes``: the hyperplanes xᵀw = v where its output changes form — one kink for a ReLU
  neuron, the gate for a gated one, several parallel kinks for a deep chain;
* ``weights``: its slice of the model's ``network()``, same keys (``W1``, ``b1``, ``W2`` for two
  layers), in the units the model was fitted in (standardized ones when ``standardize=True``;
  ``network()`` converts to the user's);
* ``output``: the network output it feeds, or None when it feeds all of them (W2 a vector);
* ``reflections``: named points on its breakplanes that are not training samples (deep chains).

Plots, tables and the command line read neurons only through these, so a new model needs no
edit there.
"""

from dataclasses import dataclass
from typing import Protocol, runtime_checkable

import numpy as np

from ..numeric.oracles.two_layer import special_samples

__all__ = ["Neuron", "WedgeNeuron", "DeepNeuron", "ArrangementNeuron"]


@runtime_checkable
class Neuron(Protocol):
    """What every fitted neuron tells (see the module docstring). The classes below declare it
    explicitly; ``isinstance(nu, Neuron)`` also holds for any object with these attributes."""

    formula: str  # the neuron as a geometric-algebra formula
    special_samples: tuple  # training indices (0-based) its definition passes through
    breakplanes: tuple  # the hyperplanes where its output changes form, as (w, v): xᵀw = v
    weights: dict  # its slice of network(), in the model's (fitted) units
    output: object  # the output it feeds, or None for all of them
    reflections: tuple  # named points on its breakplanes that are not training samples


@dataclass(frozen=True)
class WedgeNeuron(Neuron):
    """A two-layer neuron x ↦ alpha · (weightᵀx + bias)₊ from a wedge dictionary column.

    Attributes
    ----------
    anchor : int or None
        Training index its breakplane is anchored at (None: through the origin).
    generators : tuple
        ``("x", i)``, ``("x-x", i, k)`` (xᵢ − x_k, k the anchor) or ``("e", q)``; i, k are 0-based
        rows of the training X, q a 1-based axis.
    weight : ndarray, shape (d,)
        u = √|z| · (±w/‖w‖_p), a multiple of the generalized cross product ⋆(v₁ ∧ ⋯ ∧ v_{d−1}).
    bias : float
        b = −aᵀu.
    alpha : float or ndarray
        Output weight(s) α (an array of c values for vector outputs: it feeds every output).
    formula : str
        The neuron's direction as a wedge formula, e.g. ``⋆(x3 ∧ x7)``.
    column : int
        Dictionary column index.
    """

    anchor: object
    generators: tuple
    weight: np.ndarray
    bias: float
    alpha: object
    formula: str
    column: int
    output = None  # (class attributes, not fields)
    reflections = ()

    @property
    def special_samples(self):
        return special_samples(self.anchor, self.generators)

    @property
    def breakplanes(self):
        return ((np.asarray(self.weight, dtype=float), -float(self.bias)),)

    @property
    def weights(self):
        return {"W1": self.weight, "b1": self.bias, "W2": self.alpha}


@dataclass(frozen=True)
class DeepNeuron(Neuron):
    """One chain of a deep network: its feature, its Lasso coefficient and its layers' weights.

    Attributes
    ----------
    feature : LiftedNeuron
        Direction w (‖w‖₁ = 1), parameters π, generators, kink planes and formula.
    z : float
        Lasso coefficient: the chain computes z·φ(xᵀw; π).
    weights : dict
        The balanced weights of the chain (the keys of its estimator's ``network()``).
    reflections : tuple of (str, ndarray)
        Named points on its kink planes that are not training points, e.g.
        ``("R(x2, x1) = 2·x1 − x2", coordinates)``.
    column : int
    """

    feature: object
    z: float
    weights: dict
    reflections: tuple
    column: int
    output = None

    @property
    def formula(self):
        return self.feature.formula

    @property
    def special_samples(self):
        return self.feature.special_samples

    @property
    def breakplanes(self):
        return tuple((self.feature.direction, float(v)) for v, _ in self.feature.kink_planes)


class ArrangementNeuron(Neuron):
    """One neuron of a fitted arrangement model: f gets α·(xᵀu + b)₊ (ReLU) or
    α·1[xᵀh + c ≥ 0]·(xᵀu + b) (gated, with gate (h, c)).

    ``weight``, ``bias`` and ``gate`` are in the units the model was fitted in. The model evaluates
    the neuron in its normalized coordinates instead (the raw bias cancels against xᵀu far from
    the origin). ``special_samples`` are the training points on the neuron's breakplane
    (xᵢᵀu + b = 0 up to rounding): the active cone constraints, the samples whose wedge is the
    neuron's normal. ``output`` is the network output the neuron feeds (the class of a
    one-vs-rest classifier; 0 for a single output).
    """

    reflections = ()

    def __init__(self, weight, bias, alpha, pattern, special_samples, gate=None, output=0):
        self.weight, self.bias, self.alpha = weight, bias, alpha
        self.pattern, self._special_samples, self.gate = pattern, tuple(special_samples), gate
        self.output = output

    @property
    def special_samples(self):
        return self._special_samples

    @property
    def formula(self):
        """The breakplane through its special samples, e.g. ``Aff(x3, x7)``."""
        if not self.special_samples:
            return "general position (no sample on the breakplane)"
        names = ", ".join(f"x{i}" for i in self.special_samples)
        return f"Aff({names})" if self.bias is not None else f"Span({names})"

    @property
    def breakplanes(self):
        """The ReLU's kink xᵀu + b = 0, or a gated neuron's gate xᵀh + c = 0 (where it jumps)."""
        if self.gate is None:
            return ((np.asarray(self.weight, dtype=float), -float(self.bias or 0.0)),)
        d = len(self.weight)
        return ((np.asarray(self.gate[:d], dtype=float), -float(self.gate[d]) if len(self.gate) > d else 0.0),)

    @property
    def breakplane(self):
        """(w, v) of its one breakplane xᵀw = v (see :attr:`breakplanes`)."""
        return self.breakplanes[0]

    @property
    def weights(self):
        out = {"W1": self.weight, "b1": self.bias or 0.0, "W2": self.alpha}
        return out if self.gate is None else {**out, "gates": self.gate}

    def __repr__(self):
        kind = "gated" if self.gate is not None else "relu"
        return f"ArrangementNeuron({kind}, α={self.alpha:.4g}, pattern #{self.pattern}, {self.formula})"
