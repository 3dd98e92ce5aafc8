r"""Closed-form dictionary features: a registry of feature families as exact sympy expressions.

A two-layer ReLU column is a hyperplane feature. With an anchor a (the origin for bias-free
networks), generators v₁,…,v_{d−1} and w = ×(v₁,…,v_{d−1}) = ⋆(v₁ ∧ ⋯ ∧ v_{d−1}),

.. math::  \phi(x) = \frac{\big(s\,\star((x - a)\wedge v_1\wedge\dots\wedge v_{d-1})\big)_+}
                          {\|v_1\wedge\dots\wedge v_{d-1}\|_p}
                   = \frac{\max\big(0,\ s\sum_q (x_q - a_q)\,w_q\big)}{\|w\|_p},

and its breakplane is ⋆((x − a) ∧ v₁ ∧ ⋯ ∧ v_{d−1}) = 0, the hyperplane through a spanned by the
vᵢ. The cross product is written out as cofactor polynomials (Laplace expansion along the rows,
so the minors it shares appear once and common-subexpression elimination finds them):

.. math::  w_q = (-1)^q \det V_{:,\,\{0..d-1\}\setminus q}  \quad(0\text{-based } q).

:data:`FAMILIES` is the registry the code generator (:mod:`ganet.symbolic.codegen`) and the exact
derivations read; deeper families (three-layer, reflection features) register with
:func:`register_family`.

>>> from ganet.symbolic.features import FAMILIES
>>> print(FAMILIES["relu_l1"].feature(2, sign=1))
Max(0, -v_{1,1}*x_2 + v_{1,2}*x_1)/(Abs(v_{1,1}) + Abs(v_{1,2}))
"""

from dataclasses import dataclass
from functools import lru_cache

import sympy as sp

from ..numeric.oracles.two_layer import neuron_formula
from .algebra import Algebra

__all__ = ["FeatureFamily", "Feature", "FAMILIES", "register_family", "family", "cross_cofactors",
           "coordinate_symbols"]


@lru_cache(maxsize=None)
def coordinate_symbols(d):
    """The symbols of a feature expression in 𝔾ᵈ: input x, anchor a, generators V (rows), sign s."""
    x = sp.symbols(f"x_1:{d + 1}", real=True)
    a = sp.symbols(f"a_1:{d + 1}", real=True)
    V = sp.Matrix(d - 1, d, lambda r, q: sp.Symbol(f"v_{{{r + 1},{q + 1}}}", real=True))
    return x, a, V, sp.Symbol("s", real=True)


def cross_cofactors(V):
    """×(v₁,…,v_{d−1}) of the rows of a (d − 1) × d sympy matrix as unexpanded cofactor forms.

    Minors are built by Laplace expansion along the rows and memoized, so a minor shared by
    several coordinates is one sympy object (and one common subexpression after ``sympy.cse``).
    For d = 1 the empty wedge is 1 and ×() = ⋆1 = e₁.
    """
    k, d = V.shape
    if k != d - 1:
        raise ValueError(f"the cross product in d = {d} takes d − 1 = {d - 1} vectors; got {k}")

    @lru_cache(maxsize=None)
    def minor(cols):
        row = k - len(cols)
        if not cols:
            return sp.S.One
        return sp.Add(*[(-1) ** i * V[row, c] * minor(cols[:i] + cols[i + 1:])
                        for i, c in enumerate(cols)])

    return [(-1) ** q * minor(tuple(c for c in range(d) if c != q)) for q in range(d)]


def _norm(w, p):
    if p == 1:
        return sp.Add(*[sp.Abs(c) for c in w])
    return sp.sqrt(sp.Add(*[c ** 2 for c in w]))


@dataclass(frozen=True)
class FeatureFamily:
    """A family of dictionary features sharing one closed form (e.g. ReLU, p = 1, with bias).

    Attributes
    ----------
    name : str
        Registry key, e.g. ``"relu_l1_bias"``.
    p : int
        The norm ‖w‖_p the feature is divided by (the neurons' ℓ_p regularization).
    bias : bool
        Anchored at a training point (x − a) or at the origin.
    generators : str
        What the generators are, for the reader: rows of X̃, differences xᵢ − a, …
    theorem : str
        Where the family comes from.
    """

    name: str
    p: int
    bias: bool
    generators: str
    theorem: str

    def feature(self, d, sign=None):
        r"""φ(x) = max(0, s ⋆((x − a) ∧ v₁ ∧ ⋯ ∧ v_{d−1})) / ‖v₁ ∧ ⋯ ∧ v_{d−1}‖_p in coordinates.

        Parameters
        ----------
        d : int
        sign : {+1, −1} or None
            The column's sign; None keeps the symbol ``s``.

        Returns
        -------
        sympy expression in x₁…x_d (a₁…a_d with bias), v_{r,q} and s.
        """
        x, a, V, s = coordinate_symbols(d)
        w = cross_cofactors(V)
        s = s if sign is None else sp.Integer(sign)
        return sp.Max(0, s * self._volume(x, a, w)) / _norm(w, self.p)

    def neuron(self, d):
        """The neuron ⋆(v₁ ∧ ⋯ ∧ v_{d−1}) as an exact multivector in the generator symbols."""
        _, _, V, _ = coordinate_symbols(d)
        G = Algebra(d)
        return G.cross(*[G.vector(list(V.row(r))) for r in range(d - 1)])

    def breakplane(self, d):
        """The breakplane ⋆((x − a) ∧ v₁ ∧ ⋯ ∧ v_{d−1}) = 0 as a sympy equation."""
        x, a, V, _ = coordinate_symbols(d)
        return sp.Eq(self._volume(x, a, cross_cofactors(V)), 0)

    def latex(self, d):
        """LaTeX of the feature, the GA form first: (s ⋆((x − a) ∧ v₁ ∧ ⋯))₊ / ‖v₁ ∧ ⋯‖_p = …"""
        point = r"(x - a)" if self.bias else "x"
        blade = r" \wedge ".join([point] + [f"v_{{{r + 1}}}" for r in range(d - 1)])
        gens = r" \wedge ".join(f"v_{{{r + 1}}}" for r in range(d - 1)) or "1"
        ga = rf"\frac{{\left(s \star\left({blade}\right)\right)_+}}{{\left\|{gens}\right\|_{self.p}}}"
        return rf"\phi(x) = {ga} = {sp.latex(self.feature(d))}"

    def _volume(self, x, a, w):
        point = [xi - ai for xi, ai in zip(x, a)] if self.bias else list(x)
        return sp.Add(*[c * wq for c, wq in zip(point, w)])

    def column(self, X, anchor, generators, sign):
        """The exact :class:`Feature` of one column on exact data ``X`` (rows of sympy numbers).

        ``generators`` are labels as in ``Dictionary.describe``: ``("x", i)``, ``("x-x", i, k)``
        (xᵢ − x_k) or ``("e", q)`` (1-based axis).
        """
        if self.bias != (anchor is not None):
            raise ValueError(f"family {self.name} {'needs' if self.bias else 'takes no'} anchor")
        d = len(X[0])
        G = Algebra(d)
        vectors = []
        for g in generators:
            if g[0] == "e":
                vectors.append(G.basis[g[1] - 1])
            elif g[0] == "x":
                vectors.append(G.vector(X[g[1]]))
            else:
                vectors.append(G.vector([u - v for u, v in zip(X[g[1]], X[g[2]])]))
        w = G.cross(*vectors)
        point = list(X[anchor]) if anchor is not None else [sp.S.Zero] * d
        return Feature(self, anchor, tuple(generators), int(sign), w,
                       sp.simplify(_norm(w.vector_coefficients(), self.p)), point)


@dataclass(frozen=True)
class Feature:
    """One exact column φ(x) = (s (x − a)·w)₊ / ‖w‖_p with w = ⋆(v₁ ∧ ⋯ ∧ v_{d−1}).

    Attributes
    ----------
    family : FeatureFamily
    anchor : int or None
    generators : tuple of labels
    sign : int
    w : Multivector
        The unnormalized neuron ⋆(v₁ ∧ ⋯ ∧ v_{d−1}) (exact).
    norm : sympy expression
        ‖w‖_p, exact (a square root for p = 2).
    anchor_point : list
        a, exact (zeros without bias).
    """

    family: FeatureFamily
    anchor: object
    generators: tuple
    sign: int
    w: object
    norm: object
    anchor_point: list

    @property
    def neuron(self):
        """The signed neuron s·⋆(v₁ ∧ ⋯ ∧ v_{d−1})."""
        return self.sign * self.w

    def __call__(self, x):
        """Exact value at a point (numbers or symbols)."""
        dot = sp.Add(*[(xi - ai) * wi for xi, ai, wi in
                       zip(x, self.anchor_point, self.w.vector_coefficients())])
        return sp.Max(0, self.sign * dot) / self.norm

    def breakplane(self, x=None):
        """The breakplane (x − a)·w = 0 as a sympy equation in x₁…x_d."""
        x = coordinate_symbols(len(self.anchor_point))[0] if x is None else x
        return sp.Eq(sp.expand(sp.Add(*[(xi - ai) * wi for xi, ai, wi in
                                        zip(x, self.anchor_point, self.w.vector_coefficients())])), 0)

    @property
    def formula(self):
        """``⋆(x3 ∧ x7)``, ``−⋆((x7 − x3) ∧ e1)``: the neuron in terms of the special samples."""
        return neuron_formula(self.generators, self.sign)

    def latex(self):
        """LaTeX of the feature in coordinates."""
        x = coordinate_symbols(len(self.anchor_point))[0]
        return sp.latex(self(x))


FAMILIES = {}


def register_family(fam):
    """Add a :class:`FeatureFamily` (or a subclass with its own closed form) to :data:`FAMILIES`."""
    if fam.name in FAMILIES:
        raise ValueError(f"a feature family named {fam.name!r} is already registered")
    FAMILIES[fam.name] = fam
    return fam


def family(p, bias):
    """The two-layer ReLU family for ``p`` ∈ {1, 2} (or "l1"/"l2") with or without bias."""
    p = {"l1": 1, "l2": 2}.get(p, p)
    name = f"relu_l{p}" + ("_bias" if bias else "")
    try:
        return FAMILIES[name]
    except KeyError:
        raise ValueError(f"no two-layer family for p = {p!r}, bias = {bias!r}") from None


for _fam in (
    FeatureFamily("relu_l1", 1, False, "rows of X and e₁…e_d (X̃)", "P23 Thm 2 and 4"),
    FeatureFamily("relu_l2", 2, False, "rows of X", "P23 Thm 5"),
    FeatureFamily("relu_l1_bias", 1, True, "xᵢ − a and e₁…e_d", "P23 Thm 1 and 14"),
    FeatureFamily("relu_l2_bias", 2, True, "xᵢ − a", "P23 Thm 3 and 5"),
):
    register_family(_fam)
