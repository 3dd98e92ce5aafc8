r"""Closed forms of the deep feature families, their kink conditions, and reflection features.

A deep neuron computes f(x) = φ(xᵀw; π) (see :mod:`ganet.numeric.oracles.families`):

* deep narrow |·| network of depth L (ZP eq. 3 and 11), with b₁ = −c, b_l = −δ_l:
  φ(t; c, δ₂, …, δ_{L−1}) = |…||t − c| − δ₂| … − δ_{L−1}|;
* three-layer ReLU chain (P23 Theorems 12 and 13): φ = (h − τ)₊ or (τ − h)₊ with
  h = (t)₊ or h = (t + b)₊.

:func:`kink_conditions` derives, from the sympy expression alone, the linear conditions
xᵀw + κᵀπ = 0 where an inner argument of φ vanishes: expanding every ``Abs`` and ``Max(0, ·)`` by
cases gives the linear forms each argument can take. These are the lifted generators
(xᵢ, κ) of :mod:`ganet.numeric.oracles.families` (a test checks the numeric tables against them), and
the optimal first-layer neuron is the lifted wedge product (w, π) ∝ ⋆(g₁ ∧ ⋯ ∧ g_{D−1}).

Reflection features (Theorem 4.1 and 4.3 of ZP, three layers): with a base point
x′ (a training point x_{j₋₁}, or the average (x_{j₋₁} + x_{j₀})/2), generators Δx₂, …, Δx_d,
w = ×(Δx₂, …, Δx_d) and R(a, b) = 2b − a the reflection of a about b,

.. math::  f(x) = \frac{\big|\,|\star((x - x')\wedge\Delta x_2\wedge\cdots)| -
                    |\star((x_{j_0} - x')\wedge\Delta x_2\wedge\cdots)|\,\big|}
                   {\|\Delta x_2\wedge\cdots\wedge\Delta x_d\|_1}
                 = r(w)\,\min\{\mathrm{dist}(x, \mathcal H), \mathrm{dist}(x, \mathcal H_R)\},

the distance to the nearer of two parallel reflection planes 𝓗 ∋ x_{j₀} and 𝓗_R ∋ R(x_{j₀}, x′),
scaled by r(w) = ‖w‖₂/‖w‖₁. :func:`reflection_feature` builds both forms exactly.
"""

from dataclasses import dataclass
from functools import lru_cache
from itertools import product

import sympy as sp

from .algebra import Algebra, exact
from .features import cross_cofactors

__all__ = ["DeepFeatureFamily", "DEEP_FAMILIES", "deep_family", "kink_conditions", "lifted_generators", "reflection",
           "reflection_feature", "ReflectionFeature"]


@lru_cache(maxsize=None)
def _t():
    return sp.Symbol("t", real=True)


def _params(q):
    return sp.symbols(f"p0:{q}", real=True) if q else ()


@dataclass(frozen=True)
class DeepFeatureFamily:
    """A deep feature family: its closed form φ(t; π) per kind, and the lifted wedge form.

    Attributes
    ----------
    name : str
        ``"abs3"``, ``"relu3_bias"``, …; the numeric family of the same name prices it.
    depth : int
    q : int
        Parameters π (named ``param_names``; sympy symbols p0, p1, …).
    kinds : int
    param_names : tuple of str
    theorem : str
    """

    name: str
    depth: int
    q: int
    kinds: int
    param_names: tuple
    theorem: str

    def phi(self, kind=0):
        """φ(t; π) as a sympy expression in t and p0 … p_{q−1}."""
        t, p = _t(), _params(self.q)
        if self.name.startswith("abs"):
            h = sp.Abs(t - p[0])
            for pl in p[1:]:
                h = sp.Abs(h - pl)
            return h
        h = sp.Max(0, t + p[0]) if self.name == "relu3_bias" else sp.Max(0, t)
        tau = p[-1]
        return sp.Max(0, h - tau) if kind == 0 else sp.Max(0, tau - h)

    def kink_types(self):
        """The coefficient vectors κ of the kink conditions t + κᵀπ = 0 (from :func:`kink_conditions`),
        and the parameters l with a kink condition π_l = 0 of their own."""
        t, p = _t(), _params(self.q)
        kappas, axes = set(), set()
        for kind in range(self.kinds):
            for form in kink_conditions(self.phi(kind), t, p):
                coeffs = tuple(form.coeff(pl) for pl in p)
                if form.coeff(t) != 0:
                    kappas.add(coeffs)
                elif sum(c != 0 for c in coeffs) == 1:
                    axes.add(next(i for i, c in enumerate(coeffs) if c != 0))
        return sorted(kappas), sorted(axes)

    def feature(self, d, kind=0):
        r"""The lifted closed form f(x) = φ(xᵀw; π) with (w, π) = ⋆(g₁ ∧ ⋯ ∧ g_{D−1})/‖w‖₁.

        Returns a sympy expression in x₁…x_d and the generator symbols g_{r,k} (rows of a
        (D − 1) × D matrix, D = d + q): the cross product is written as cofactor polynomials.
        """
        D = d + self.q
        x = sp.symbols(f"x_1:{d + 1}", real=True)
        G = sp.Matrix(D - 1, D, lambda r, k: sp.Symbol(f"g_{{{r + 1},{k + 1}}}", real=True))
        u = cross_cofactors(G) if D > 1 else [sp.S.One]
        norm = sp.Add(*[sp.Abs(c) for c in u[:d]])
        t = sp.Add(*[xi * ui for xi, ui in zip(x, u[:d])]) / norm
        params = [c / norm for c in u[d:]]
        return self.phi(kind).xreplace(dict(zip((_t(),) + _params(self.q), [t] + params)))

    def latex(self, kind=0):
        """LaTeX of φ(t; π)."""
        return rf"\varphi(t) = {sp.latex(self.phi(kind))}"


def lifted_generators(X, kappa, param_names, generators):
    """The exact rows of a lifted subset: (xᵢ, κ_τ) for ``("x", i, τ)``, the axis e_k for
    ``("e", k)`` (1-based) and the parameter axis for ``("π", name)`` — the generators of a
    :class:`~ganet.numeric.oracles.lifted.LiftedNeuron`, as sympy Rationals (X exact or float)."""
    d, q = len(X[0]), len(param_names)
    rows = []
    for g in generators:
        row = [sp.S.Zero] * (d + q)
        if g[0] == "x":
            row[:d] = [exact(v) for v in X[g[1]]]
            row[d:] = [sp.Rational(int(v)) for v in kappa[g[2]]]
        elif g[0] == "e":
            row[g[1] - 1] = sp.S.One
        else:
            row[d + list(param_names).index(g[1])] = sp.S.One
        rows.append(row)
    return rows


def kink_conditions(expr, t, params):
    """Linear forms in (t, π) that vanish at the kinks of a piecewise-linear expression.

    Every ``Abs(a)`` and ``Max(0, a)`` node kinks where its argument a = 0; a is expanded into
    the linear forms it takes on each piece (``Abs`` → ±, ``Max(0, ·)`` → 0 or the argument).
    Each form is normalized (first nonzero coefficient among t, π positive) and returned once.
    """
    def forms(e):
        if isinstance(e, sp.Abs):
            return [s * f for f in forms(e.args[0]) for s in (1, -1)]
        if isinstance(e, sp.Max):
            args = [a for a in e.args if a != 0]
            if len(args) != 1 or len(e.args) != 2:
                raise ValueError(f"only Max(0, ·) is supported; got {e}")
            return [sp.S.Zero] + forms(args[0])
        if isinstance(e, sp.Add):
            return [sp.Add(*c) for c in product(*[forms(a) for a in e.args])]
        if isinstance(e, sp.Mul):
            return [sp.Mul(*c) for c in product(*[forms(a) for a in e.args])]
        return [e]

    out = []
    variables = (t,) + tuple(params)
    for node in sp.preorder_traversal(expr):
        if isinstance(node, (sp.Abs, sp.Max)):
            arg = node.args[0] if isinstance(node, sp.Abs) else [a for a in node.args if a != 0][0]
            for f in forms(arg):
                f = sp.expand(f)
                lead = next((f.coeff(v) for v in variables if f.coeff(v) != 0), None)
                if lead is None:
                    continue
                f = sp.expand(f / lead)
                if f not in out:
                    out.append(f)
    return out


DEEP_FAMILIES = {}


def deep_family(name):
    """The registered :class:`DeepFeatureFamily` ``name`` (``abs2`` … ``abs6`` are registered;
    other depths are built on demand)."""
    if name in DEEP_FAMILIES:
        return DEEP_FAMILIES[name]
    if isinstance(name, str) and name.startswith("abs") and name[3:].isdigit() and int(name[3:]) >= 2:
        L = int(name[3:])
        return DeepFeatureFamily(name, L, L - 1, 1, ("c",) + tuple(f"δ{l}" for l in range(2, L)),
                                 "ZP, Thm 3.1 (L = 2), 4.1/4.3 (L = 3), 4.4/4.5")
    raise ValueError(f"unknown deep family {name!r}")


for _L in range(2, 7):
    DEEP_FAMILIES[f"abs{_L}"] = deep_family(f"abs{_L}")
DEEP_FAMILIES["relu3"] = DeepFeatureFamily("relu3", 3, 1, 2, ("τ",), "P23 Thm 12")
DEEP_FAMILIES["relu3_bias"] = DeepFeatureFamily("relu3_bias", 3, 2, 2, ("b", "τ"), "P23 Thm 13")


def reflection(a, b):
    """R(a, b) = 2b − a: the reflection of point a about point b (exact)."""
    return [2 * exact(bi) - exact(ai) for ai, bi in zip(a, b)]


@dataclass(frozen=True)
class ReflectionFeature:
    """A three-layer |·| feature in its two exact forms (Theorem 4.3).

    Attributes
    ----------
    wedge_form, distance_form : sympy expressions in x₁…x_d
    w : list
        ×(Δx₂, …, Δx_d), exact.
    base : list
        x′ (a training point, or the average of two).
    reflected : list
        R(x_{j₀}, x′) = 2x′ − x_{j₀}, a point of the second reflection plane 𝓗_R.
    name : str
        E.g. ``R(x2, x1) = 2·x1 − x2``.
    """

    wedge_form: object
    distance_form: object
    w: list
    base: list
    reflected: list
    name: str


def reflection_feature(X, j_minus1, j0, generators, average=False):
    """The feature of Theorem 4.1 for exact data X in both forms of Theorem 4.3.

    Parameters
    ----------
    X : table of exact numbers, n × d
    j_minus1, j0 : int
        The training indices x_{j₋₁} and x_{j₀} (0-based).
    generators : list of vectors
        Δx₂, …, Δx_d (d − 1 vectors, e.g. differences of training points).
    average : bool
        Base point x′ = (x_{j₋₁} + x_{j₀})/2 instead of x_{j₋₁} (then R(x_{j₀}, x′) = x_{j₋₁}).
    """
    rows = [[exact(v) for v in r] for r in X]
    d = len(rows[0])
    G = Algebra(d) if d > 1 else None
    xm1, x0 = rows[j_minus1], rows[j0]
    base = [(a + b) / 2 for a, b in zip(xm1, x0)] if average else list(xm1)
    gens = [[exact(v) for v in g] for g in generators]
    if len(gens) != d - 1:
        raise ValueError(f"need d − 1 = {d - 1} generators; got {len(gens)}")
    w = G.cross(*[G.vector(g) for g in gens]).vector_coefficients() if G else [sp.S.One]
    if all(c == 0 for c in w):
        raise ValueError("the generators are linearly dependent: ×(Δx₂, …, Δx_d) = 0, no feature")
    x = sp.symbols(f"x_1:{d + 1}", real=True)
    l1 = sp.Add(*[sp.Abs(c) for c in w])
    vol = lambda p: sp.Add(*[(pi - bi) * wi for pi, bi, wi in zip(p, base, w)])  # noqa: E731
    wedge_form = sp.Abs(sp.Abs(vol(x)) - sp.Abs(vol(x0))) / l1
    refl = [2 * bi - xi for bi, xi in zip(base, x0)]
    l2 = sp.sqrt(sp.Add(*[c ** 2 for c in w]))
    dist = lambda p: sp.Abs(sp.Add(*[(xi - pi) * wi for xi, pi, wi in zip(x, p, w)])) / l2  # noqa: E731
    distance_form = (l2 / l1) * sp.Min(dist(x0), dist(refl))
    if average:
        name = f"R(x{j0}, x′) = x{j_minus1}, x′ = (x{j_minus1} + x{j0})/2"
    else:
        name = f"R(x{j0}, x{j_minus1}) = 2·x{j_minus1} − x{j0}"
    return ReflectionFeature(wedge_form, distance_form, w, base, refl, name)
