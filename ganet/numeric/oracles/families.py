r"""Deep dictionary families as wedge products in a lifted space.

A deep neuron with a first-layer direction w ∈ ℝᵈ (‖w‖₁ = 1) and scalar parameters
π = (π₁, …, π_q) (the biases of the later layers) computes f(x) = φ(xᵀw; π) for a
piecewise-linear φ. Its kinks are where an inner argument of φ vanishes, and each such
condition is *linear* in (w, π) jointly at a data point xᵢ:

.. math::  (x_i, \kappa)\cdot(w, \pi) = x_i^\top w + \kappa^\top\pi = 0 ,

with a coefficient vector κ ∈ ℝ^q fixed by the kind of kink. So the vertices of the dual
constraint's arrangement in the lifted space ℝ^{d+q} (where the maximum of |rᵀf(X)| over all
neurons is attained) are generalized cross products of D − 1 = d + q − 1 lifted generators,

.. math::  (w, \pi) \propto \star\big(g_1\wedge\dots\wedge g_{D-1}\big),\qquad
           g_k \in \{(x_i, \kappa_\tau)\}\cup\{e_1,\dots,e_d\}\cup\{e_{d+l}\},

the axes e_k being the faces of the ℓ₁ ball (w_k = 0) and e_{d+l} the conditions π_l = 0
(a layer that degenerates, giving the shallower features). Both signs ± of the normal are
neurons. The two-layer ReLU dictionary of P23 is the case q = 1, φ(t; c) = (t − c)₊,
κ = −1 (the breakplane passes through d points); the families here are:

===========  ====  ==========================================================  ================
family       q     φ(t; π) (kinds)                                               kink types κ
===========  ====  ==========================================================  ================
abs{L}       L−1   |…||t − c| − δ₂| … − δ_{L−1}|  (deep narrow |·|, ZP eq.     2^{L−1} − 1
                   3/11, biases b₁ = −c, b_l = −δ_l)
relu3        1     (h − τ)₊ and (τ − h)₊, h = (t)₊  (P23 Thm 12)                  2
relu3_bias   2     (h − τ)₊ and (τ − h)₊, h = (t + b)₊  (P23 Thm 13)              2
===========  ====  ==========================================================  ================

Kinks of the abs chain: h₁ = |t − c| has its kink at t = c; h_l = |h_{l−1} − δ_l| adds the
zeros of h_{l−1} − δ_l, t = c ± (δ₂ ± δ₃ ± ⋯ ± δ_l), so the kink types are
t − c − σ(δ₂ + ε₃δ₃ + ⋯ + ε_jδ_j) = 0 for 2 ≤ j ≤ L − 1, σ, ε ∈ {±1}, and t − c = 0. The three-
layer ReLU's kinks are t + b = 0 (the first layer) and t + b − τ = 0 (the second, where h = τ).

The data-feature sub-library of ZP (Theorem 4.4) and the reflections R(a, b) = 2b − a
of their Theorem 4.1 are special vertices of this enumeration; the enumeration covers every
vertex, hence certifies globally at any depth (where its size allows).
"""

from dataclasses import dataclass
from itertools import product

import numpy as np

from ..geometry import PHI_FAMILIES, phi

__all__ = ["LiftedFamily", "FamilyShape", "abs_chain", "abs_chain_shape", "relu3", "FAMILY_NAMES",
           "lifted_family"]


def _code(name):
    """The index of φ's closed form (printed from sympy) in the generated dispatcher, or −1."""
    return PHI_FAMILIES.index(name) if name in PHI_FAMILIES else -1


@dataclass(frozen=True)
class FamilyShape:
    """The sizes that fix a family's dictionary: kink types T, parameters q, parameter axes and
    kinds per signed normal (known before the kink table is built: abs{24} has 2²³ − 1 types)."""

    kink_types: int
    q: int
    n_param_axes: int
    kinds: int


@dataclass(frozen=True)
class LiftedFamily:
    """A deep feature family f(x) = φ(xᵀw; π) and its lifted generators.

    Attributes
    ----------
    name : str
    depth : int
        Layers L of the network (the output layer included).
    q : int
        Number of scalar parameters π.
    kappa : ndarray, shape (T, q)
        The kink types: condition τ at point i is (xᵢ, κ_τ)·(w, π) = 0.
    param_axes : tuple of int
        Parameters l with a condition π_l = 0 (generator e_{d+l}).
    kinds : int
        Features per signed normal (e.g. (h − τ)₊ and (τ − h)₊).
    code : int
        The family's index in the generated ``phi(code, t, params, kind)`` (−1: the |·| chain of
        any depth, for depths without a printed closed form).
    param_names : tuple of str
    """

    name: str
    depth: int
    q: int
    kappa: np.ndarray
    param_axes: tuple
    kinds: int
    code: int
    param_names: tuple

    @property
    def shape(self):
        """The family's :class:`FamilyShape`."""
        return FamilyShape(len(self.kappa), self.q, len(self.param_axes), self.kinds)

    def evaluate(self, X, w, params, kind=0):
        """φ(Xw; π) at the rows of X (numpy, for descriptions and new inputs)."""
        t = np.asarray(X, dtype=float) @ np.asarray(w, dtype=float)
        params = np.asarray(params, dtype=float)
        return np.array([phi(self.code, ti, params, kind) for ti in t])

    def feature(self, t, params, kind=0):
        """φ(t; π) at one scalar t (the compiled closed form)."""
        return phi(self.code, float(t), np.asarray(params, dtype=float), kind)


def abs_chain_shape(depth):
    """The :class:`FamilyShape` of ``abs_chain(depth)`` without building it: 2^{L−1} − 1 kink
    types, L − 1 parameters, L − 2 parameter axes, one kind."""
    return FamilyShape(2 ** (depth - 1) - 1, depth - 1, depth - 2, 1)


def abs_chain(depth):
    """The deep narrow |·| family of depth L ≥ 2 (see the module docstring)."""
    if not isinstance(depth, (int, np.integer)) or isinstance(depth, bool) or depth < 2:
        raise ValueError(f"depth must be an integer ≥ 2; got {depth!r}")
    depth = int(depth)
    q = depth - 1
    rows = [[-1.0] + [0.0] * (q - 1)]  # t − c = 0
    for j in range(2, depth):  # t − c − σ(δ₂ + ε₃δ₃ + ⋯ + ε_jδ_j) = 0
        for sigma in (1.0, -1.0):
            for eps in product((1.0, -1.0), repeat=j - 2):
                coef = [-1.0, -sigma] + [-sigma * e for e in eps]
                rows.append(coef + [0.0] * (q - len(coef)))
    names = ("c",) + tuple(f"δ{l}" for l in range(2, depth))
    return LiftedFamily(f"abs{depth}", depth, q, np.array(rows), tuple(range(1, q)), 1,
                        _code(f"abs{depth}"), names)


def relu3(bias):
    """The three-layer ReLU family of P23 Theorem 12 (bias-free first layer) or 13."""
    if bias:
        kappa = np.array([[1.0, 0.0], [1.0, -1.0]])  # t + b = 0, t + b − τ = 0
        return LiftedFamily("relu3_bias", 3, 2, kappa, (1,), 2, _code("relu3_bias"), ("b", "τ"))
    kappa = np.array([[0.0], [-1.0]])  # t = 0, t − τ = 0
    return LiftedFamily("relu3", 3, 1, kappa, (0,), 2, _code("relu3"), ("τ",))


FAMILY_NAMES = ("abs{L}", "relu3", "relu3_bias")


def lifted_family(name):
    """The family called ``name``: ``"abs3"``, ``"abs4"``, …, ``"relu3"``, ``"relu3_bias"``."""
    if name == "relu3":
        return relu3(False)
    if name == "relu3_bias":
        return relu3(True)
    if isinstance(name, str) and name.startswith("abs") and name[3:].isdigit():
        return abs_chain(int(name[3:]))
    raise ValueError(f"unknown family {name!r}; expected one of {FAMILY_NAMES}")
