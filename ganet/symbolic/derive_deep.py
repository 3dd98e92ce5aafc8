r"""Exact optimal deep networks for small datasets (deep narrow |·| and three-layer ReLU).

The same three steps as :func:`ganet.symbolic.derive`: the numeric solver proposes a support,
the KKT system is solved in exact arithmetic on it, and every KKT condition is verified exactly
over **every** column of the lifted dictionary. A column is a neuron φ(xᵀw; π) with
(w, π) = ±⋆(g₁ ∧ ⋯ ∧ g_{D−1})/‖w‖₁ built from its exact lifted generators (training points with a
kink type κ, axes); φ is the sympy closed form of :mod:`ganet.symbolic.deep`, so the columns are
rational on rational data.

The network follows Definition E.2 (ZP): with γ = |zⱼ|^{1/L}, W1 = γw, b₁ = −γc,
b_l = −γ^l δ_l, inner weights γ, α = sign(zⱼ)γ (|·| chains); W1 = γw, b1 = γb, w2 = ±γ,
b2 = ∓γ²τ, α = sign(zⱼ)γ with γ = |zⱼ|^{1/3} (three-layer ReLU chains).
"""

import warnings

import numpy as np
import sympy as sp
from sklearn.exceptions import ConvergenceWarning

from .deep import deep_family, lifted_generators
from .derive import Derivation, _certified_kkt, _check_work, _exact_inputs, _numeric_basic_support
from .features import cross_cofactors

__all__ = ["derive_deep"]


def derive_deep(X, y, depth=3, network="abs", bias=False, lam=sp.Rational(1, 100), support=None):
    """Exact globally optimal deep network for a small dataset.

    Parameters
    ----------
    X : table of numbers, n × d
        Exact entries (ints, Fractions, Rationals, decimal strings; floats at their binary value).
    y : sequence of n numbers
    depth : int
        L ≥ 2 for ``network="abs"``; ignored (3) for ``"relu3"``.
    network : {"abs", "relu3"}
        Deep narrow |·| network (:class:`ganet.DeepNarrowAbs`, ZP eq. 2) or
        three-layer ReLU chains (:class:`ganet.ThreeLayerReLU`, P23 Theorems 12/13).
    bias : bool
        First-layer bias of the three-layer ReLU network (the |·| network always has biases).
    lam : number
        β > 0, exact.
    support : sequence of (column, sign), optional
        Force the active set (a wrong one raises :class:`ExactVerificationError`).

    Returns
    -------
    Derivation
        ``objective`` is ½‖f(X) − y‖² + β‖z‖₁, equal to eq. (2) of the reconstructed network;
        each neuron carries its exact ``w`` and ``params``, its ``formula``, its generators and
        the reflection points on its kink planes (named, e.g. ``R(x2, x1) = 2·x1 − x2``).
    """
    from ..estimators.deep import DeepNarrowAbs, ThreeLayerReLU

    Xe, ye, lam_e, Xf, yf = _exact_inputs(X, y, lam)
    n, d = len(Xe), len(Xe[0])
    if network == "abs":
        estimator = DeepNarrowAbs(depth=depth, lam=float(lam_e), tol=1e-11)
    elif network == "relu3":
        estimator = ThreeLayerReLU(lam=float(lam_e), bias=bias, tol=1e-11)
    else:
        raise ValueError(f"network must be 'abs' or 'relu3'; got {network!r}")
    estimator._check_params()
    fam = estimator.feature_family()
    from ..numeric.oracles.lifted import count_lifted

    _check_work(2 * fam.kinds * count_lifted(n, d, fam) * n, n, d, type(estimator).__name__)
    with warnings.catch_warnings():  # the exact solve and verification decide, not the float gap
        warnings.simplefilter("ignore", ConvergenceWarning)
        model = estimator.fit(Xf, yf)
    D = model.dictionary_
    if support is None:
        support = _numeric_basic_support(D, model, yf, True)
    sym = deep_family(fam.name)
    phis = [sym.phi(kind) for kind in range(fam.kinds)]
    t_sym, p_sym = sp.Symbol("t", real=True), sp.symbols(f"p0:{fam.q}", real=True)
    columns = [_exact_column(D, j, Xe, fam) for j in range(D.n_columns)]

    def value(col, point):
        if col is None:
            return sp.S.Zero
        w, params, kind = col
        subs = {t_sym: sum(a * b for a, b in zip(point, w))} | dict(zip(p_sym, params))
        return phis[kind].xreplace(subs)

    K = [[value(col, Xe[i]) for col in columns] for i in range(n)]
    S, sigma, z, xi, r, conditions = _certified_kkt(K, ye, support, lam_e, True,
                                                    lambda j: D.describe(j).formula)
    objective = sp.simplify(sp.Rational(1, 2) * sum(v ** 2 for v in r) + lam_e * sum(sp.Abs(v) for v in z))
    xs = sp.symbols(f"x_1:{d + 1}", real=True)
    expression = sum(zj * value(columns[j], xs) for j, zj in zip(S, z)) + xi
    family = model.network_family()
    described = {j: family.neuron(D, j, np.ones(1)) for j in S}
    neurons, chains = [], []
    for j, zj in zip(S, z):
        w, params, kind = columns[j]
        chains.append(_chain_weights(fam, w, params, kind, zj))
        f = described[j]
        neurons.append(dict(w=w, params=params, kind=kind, z=zj, column=j, formula=f.formula,
                            generators=f.feature.generators, reflections=f.reflections))
    return Derivation(z=dict(zip(S, z)), intercept=xi, objective=objective, neurons=neurons,
                      network=_network(fam, chains, d, xi), conditions=conditions, symbols=xs,
                      expression=expression)


def _exact_column(D, j, Xe, fam):
    """(w, π, kind) of column j in exact arithmetic, oriented as the numeric column; None if the
    generators are dependent (a zero column)."""
    f = D.describe(j)
    d = len(Xe[0])
    rows = lifted_generators(Xe, fam.kappa, fam.param_names, f.generators)
    u = cross_cofactors(sp.Matrix(rows)) if rows else [sp.S.One]
    u = [sp.expand(c) for c in u]
    norm = sum(abs(c) for c in u[:d])
    if norm == 0:
        return None
    sign = 1 if sum(float(c) * wi for c, wi in zip(u[:d], f.direction)) > 0 else -1
    return [sign * c / norm for c in u[:d]], [sign * c / norm for c in u[d:]], f.kind


def _chain_weights(fam, w, params, kind, z):
    """Definition E.2 in exact arithmetic (see the module docstring)."""
    if fam.name.startswith("abs"):
        g = sp.root(sp.Abs(z), fam.depth)
        return {"W1": [g * wi for wi in w], "biases": [-g * params[0]] + [-(g ** (l + 1)) * params[l]
                                                                          for l in range(1, fam.q)],
                "inner": [g] * (fam.depth - 2), "alpha": sp.sign(z) * g}
    g = sp.root(sp.Abs(z), 3)
    b = params[0] if fam.name == "relu3_bias" else sp.S.Zero
    up = kind == 0
    return {"W1": [g * wi for wi in w], "b1": g * b, "w2": g if up else -g,
            "b2": -(g ** 2) * params[-1] if up else (g ** 2) * params[-1], "alpha": sp.sign(z) * g}


def _network(fam, chains, d, xi):
    """The exact weights in the layout of the estimators' ``network()``."""
    m = len(chains)
    W1 = sp.Matrix([c["W1"] for c in chains]).T if m else sp.zeros(d, 0)
    if fam.name.startswith("abs"):
        L = fam.depth
        return {"W1": W1, "biases": sp.Matrix([c["biases"] for c in chains]) if m else sp.zeros(0, L - 1),
                "inner": sp.Matrix([c["inner"] for c in chains]) if m and L > 2 else sp.zeros(m, L - 2),
                "alpha": sp.Matrix([c["alpha"] for c in chains]) if m else sp.zeros(0, 1), "xi": xi}
    out = {k: sp.Matrix([c[k] for c in chains]) if m else sp.zeros(0, 1) for k in ("b1", "w2", "b2", "alpha")}
    out.update(W1=W1, b=xi)
    return out
