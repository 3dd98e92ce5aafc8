"""Exact derivations: the exact optimum equals the numeric one, and every KKT condition holds
exactly, checked here against a dictionary enumerated independently of ganet (sympy cofactors)."""

from itertools import combinations

import numpy as np
import pytest
import sympy as sp

from ganet import ConvexReLU
from ganet.symbolic import ExactVerificationError, derive

CASES = [
    ([[0], [1], [3], [4], [6]], [0, 1, 0, 2, 1], True, "1/10"),
    ([[0], [1], [3], [4]], [1, 0, 2, -1], False, "1/20"),
    ([[0, 0], [2, 0], [0, 2], [2, 2], [1, 3]], [1, -1, -1, 1, "0.5"], True, "1/10"),
    ([[1, 0], [0, 1], [-1, 0], [0, -1], [1, 1]], [1, -1, 1, -1, 0], False, "1/10"),
    ([[0, 0, 0], [1, 0, 0], [0, 1, 0], [0, 0, 1], [1, 1, 1]], [0, 1, 1, -1, 2], True, "1/5"),
]


def _cross(vectors, d):
    """Cofactor vector of the (d − 1) × d matrix of the vectors (sympy determinants)."""
    if d == 1:
        return [sp.Integer(1)]
    M = sp.Matrix(vectors)
    return [(-1) ** i * M[:, [c for c in range(d) if c != i]].det() for i in range(d)]


def _all_l1_columns(X, bias):
    """Every column (anchor, w) of the p = 1 dictionary, by brute force over generator subsets."""
    n, d = len(X), len(X[0])
    basis = [[int(i == j) for j in range(d)] for i in range(d)]
    anchors = range(n) if bias else [None]
    for a in anchors:
        gens = [[xi - xa for xi, xa in zip(X[i], X[a])] for i in range(n) if i != a] if bias else list(X)
        for S in combinations(gens + basis, d - 1):
            w = _cross([list(v) for v in S], d)
            if any(c != 0 for c in w):
                yield (X[a] if bias else [0] * d), w


def _exact(values):
    return [sp.Rational(v) if isinstance(v, str) else sp.Integer(v) for v in values]


@pytest.mark.parametrize("X, y, bias, lam", CASES)
def test_exact_optimum_matches_numeric_and_satisfies_kkt_exactly(X, y, bias, lam):
    res = derive(X, y, reg="l1", bias=bias, lam=lam)
    lam_e = sp.Rational(lam)
    ye = _exact(y)
    Xe = [[sp.Integer(v) for v in row] for row in X]
    numeric = ConvexReLU(reg="l1", bias=bias, lam=float(lam_e), tol=1e-12).fit(np.array(X, float), np.array([float(v) for v in ye]))
    assert float(res.objective) == pytest.approx(numeric.objective_, rel=1e-9)
    # residual from the exact network expression, then KKT over an independent enumeration
    f = sp.Lambda(res.symbols, res.expression)
    r = [yi - f(*xi) for xi, yi in zip(Xe, ye)]
    if bias:
        assert sp.simplify(sum(r)) == 0
    for a, w in _all_l1_columns(Xe, bias):
        norm = sum(abs(c) for c in w)
        for s in (1, -1):
            corr = sum(sp.Max(0, s * sum((xi - ai) * wi for xi, ai, wi in zip(x, a, w))) * ri
                       for x, ri in zip(Xe, r)) / norm
            assert abs(corr) <= lam_e, (a, w, s, corr)
    # the exact network reproduces the exact objective
    net = res.network
    F = [sum(net["W2"][j, 0] * sp.Max(0, sum(net["W1"][q, j] * x[q] for q in range(len(x))) + net["b1"][j])
             for j in range(net["W1"].shape[1])) + net["b2"][0] for x in Xe]
    penalty = sum(sum(abs(net["W1"][q, j]) for q in range(net["W1"].shape[0])) ** 2 + net["W2"][j, 0] ** 2
                  for j in range(net["W1"].shape[1]))
    value = sp.Rational(1, 2) * sum((Fi - yi) ** 2 for Fi, yi in zip(F, ye)) + lam_e / 2 * penalty
    assert sp.simplify(value - res.objective) == 0
    assert res.latex().startswith("f(x) = ")


def test_neurons_are_exact_duals_of_their_generators():
    res = derive([[1, 0], [0, 1], [-1, 0], [0, -1], [1, 1]], [1, -1, 1, -1, 0], bias=False, lam="1/10")
    for nu in res.neurons:
        w = nu["neuron"].vector_coefficients()
        for g in nu["generators"]:
            v = [[1, 0], [0, 1], [-1, 0], [0, -1], [1, 1]][g[1]] if g[0] == "x" else [int(g[1] == 1), int(g[1] == 2)]
            assert sum(a * b for a, b in zip(v, w)) == 0


def test_a_wrong_support_raises_naming_the_condition():
    X, y = [[0], [1], [3], [4], [6]], [0, 1, 0, 2, 1]
    good = derive(X, y, lam="1/10")
    wrong = [(j, 1 if z < 0 else -1) for j, z in good.z.items()]  # flip every sign
    with pytest.raises(ExactVerificationError, match="sign condition|dual feasibility|stationarity|singular"):
        derive(X, y, lam="1/10", support=wrong)
    first = sorted(good.z)[:1]
    with pytest.raises(ExactVerificationError, match="dual feasibility|sign condition"):
        derive(X, y, lam="1/10", support=[(j, int(sp.sign(good.z[j]))) for j in first])
