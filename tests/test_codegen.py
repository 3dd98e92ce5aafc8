"""Closed forms and compiled kernels: compiled == exact (sympy on Rationals) == generic (LU)."""

import doctest
import random
from pathlib import Path

import numpy as np
import pytest
import sympy as sp

import ganet.symbolic.codegen as codegen
import ganet.symbolic.features as features
from ganet.numeric.geometry.ga import cross
from ganet.numeric.oracles.two_layer import Dictionary
from ganet.symbolic import Algebra
from ganet.symbolic.codegen import kernel, numeric_module_source
from ganet.symbolic.features import FAMILIES, FeatureFamily, coordinate_symbols, family, register_family

DIMS = range(1, 7)


def _rationals(rng, shape):
    return [[sp.Rational(rng.randint(-9, 9), rng.randint(1, 7)) for _ in range(shape[1])]
            for _ in range(shape[0])]


def _floats(rows, d):
    return np.array([[float(v) for v in r] for r in rows], dtype=float).reshape(len(rows), d)


def test_shipped_numeric_module_is_the_generator_output():
    shipped = Path(__file__).parents[1] / "ganet" / "numeric" / "geometry" / "_generated.py"
    assert shipped.read_text() == numeric_module_source(), \
        "regenerate with: python -c 'from ganet.symbolic.codegen import numeric_module_source as s; " \
        "open(\"ganet/numeric/geometry/_generated.py\", \"w\").write(s())'"


@pytest.mark.parametrize("d", DIMS)
def test_cofactor_closed_form_equals_the_dual_of_the_wedge(d):
    """Laplace-expanded cofactors against ⋆(v₁ ∧ ⋯ ∧ v_{d−1}) from clifford's product tables."""
    _, _, V, _ = coordinate_symbols(d)
    closed = features.cross_cofactors(V)
    G = Algebra(d)
    dual = G.cross(*[G.vector(list(V.row(r))) for r in range(d - 1)]).vector_coefficients()
    assert all(sp.expand(a - b) == 0 for a, b in zip(closed, dual))


@pytest.mark.parametrize("d", DIMS)
def test_compiled_cross_equals_exact_and_generic(d):
    rng = random.Random(d)
    k = kernel("cross", d)
    assert k is kernel("cross", d)  # cached per (op, d)
    assert f"def cross_d{d}(V, out):" in k.source
    _, _, Vs, _ = coordinate_symbols(d)
    for _ in range(5):
        V = _rationals(rng, (d - 1, d))
        subs = {Vs[r, q]: V[r][q] for r in range(d - 1) for q in range(d)}
        exact = np.array([float(sp.sympify(c).xreplace(subs)) for c in features.cross_cofactors(Vs)])
        Vf = _floats(V, d)
        scale = max(1.0, np.prod(np.linalg.norm(Vf, axis=1)))  # Hadamard bound of the minors
        np.testing.assert_allclose(k(Vf), exact, rtol=1e-12, atol=1e-13 * scale)
        np.testing.assert_allclose(cross(Vf, kernel="generic"), exact, rtol=1e-12, atol=1e-13 * scale)
        np.testing.assert_allclose(cross(Vf), k(Vf), rtol=1e-12, atol=1e-13 * scale)


@pytest.mark.parametrize("d", range(2, 8))
def test_compiled_and_generic_agree_on_dependent_generators(d):
    rng = np.random.default_rng(d)
    for rank in range(d - 1):
        V = rng.integers(-5, 6, size=(rank, d)).astype(float)
        combos = rng.integers(-3, 4, size=(d - 1 - rank, max(rank, 1)))
        deps = combos @ V if rank else np.zeros((d - 1, d))
        V = np.vstack([V, deps])[: d - 1]
        compiled, generic = cross(V), cross(V, kernel="generic")
        scale = max(1.0, np.prod(np.linalg.norm(V, axis=1) + 1))
        np.testing.assert_allclose(compiled, 0.0, atol=1e-12 * scale)
        np.testing.assert_allclose(generic, 0.0, atol=1e-12 * scale)
        if d <= 6:  # integer data: the closed-form polynomial cancels exactly
            assert np.all(compiled == 0.0)


@pytest.mark.parametrize("name", sorted(FAMILIES))
@pytest.mark.parametrize("d", DIMS)
def test_compiled_feature_equals_exact_evaluation_and_generic(name, d):
    rng = random.Random(100 * d + len(name))
    fam = FAMILIES[name]
    k = kernel(name, d)
    x, a, Vs, s = coordinate_symbols(d)
    expr = fam.feature(d)
    for sign in (1, -1):
        X, A, V = _rationals(rng, (6, d)), _rationals(rng, (1, d))[0], _rationals(rng, (d - 1, d))
        subs = {Vs[r, q]: V[r][q] for r in range(d - 1) for q in range(d)}
        subs.update({a[q]: A[q] for q in range(d)})
        subs[s] = sign
        partial = expr.xreplace(subs)
        exact = np.array([float(partial.xreplace(dict(zip(x, row)))) for row in X])
        Xf, Af, Vf = _floats(X, d), _floats([A], d)[0], _floats(V, d)
        got = k(Xf, Af, Vf, sign)
        np.testing.assert_allclose(got, exact, rtol=1e-12, atol=1e-13 * max(1.0, np.abs(exact).max()))
        # the generic path: LU cofactors, then the same formula written in numpy
        w = cross(Vf, kernel="generic")
        point = Xf - Af if fam.bias else Xf
        generic = np.maximum(sign * point @ w, 0) / np.linalg.norm(w, ord=fam.p)
        np.testing.assert_allclose(got, generic, rtol=1e-12, atol=1e-13 * max(1.0, np.abs(exact).max()))


def test_feature_kernel_hoists_the_cross_product_out_of_the_row_loop():
    src = kernel("relu_l2_bias", 3).source
    loop = src.index("for i in range(X.shape[0]):")
    assert "m0 = v1_1*v2_2 - v1_2*v2_1" in src[:loop]
    assert "v1_1" not in src[loop:]


@pytest.mark.parametrize("reg", ["l1", "l2"])
@pytest.mark.parametrize("bias", [False, True])
def test_dictionary_columns_do_not_depend_on_the_kernel(reg, bias):
    X = np.random.default_rng(0).normal(size=(12, 3))
    A = Dictionary(X, reg=reg, bias=bias)
    B = Dictionary(X, reg=reg, bias=bias, kernel="generic")
    np.testing.assert_array_equal(A.H, B.H)
    np.testing.assert_allclose(A.W, B.W, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(A.c, B.c, rtol=1e-12, atol=1e-14)


def test_feature_family_matches_a_concrete_column_and_its_breakplane():
    X = [[sp.Integer(v) for v in r] for r in [[0, 0], [2, 1], [1, 3]]]
    fam = family("l1", True)
    col = fam.column(X, 0, (("x-x", 2, 0),), -1)
    assert col.formula == "−⋆(x2 − x0)"
    x, a, V, s = coordinate_symbols(2)
    subs = {V[0, 0]: 1, V[0, 1]: 3, a[0]: 0, a[1]: 0, s: -1}
    pt = (sp.Rational(5, 2), sp.Integer(-1))
    assert fam.feature(2).xreplace(subs).xreplace(dict(zip(x, pt))) == col(pt)
    # the breakplane passes through the anchor and the generator's sample, not through x1
    plane = col.breakplane()
    assert plane.lhs.xreplace(dict(zip(x, X[0]))) == 0
    assert plane.lhs.xreplace(dict(zip(x, X[2]))) == 0
    assert plane.lhs.xreplace(dict(zip(x, X[1]))) != 0
    assert r"\star" in fam.latex(2) and "v_{1,1}" in fam.latex(2)
    assert col.neuron == -Algebra(2).vector([1, 3]).dual()


def test_registry_is_open_and_guarded():
    with pytest.raises(ValueError, match="already registered"):
        register_family(FAMILIES["relu_l1"])
    fam = FeatureFamily("test_relu_l1_copy", 1, False, "rows of X", "test")
    try:
        register_family(fam)
        assert kernel("test_relu_l1_copy", 2).name == "test_relu_l1_copy_d2"
    finally:
        FAMILIES.pop("test_relu_l1_copy")
    with pytest.raises(ValueError, match="no two-layer family"):
        family(3, True)


@pytest.mark.parametrize("op, d", [("nope", 2), ("cross", 0), ("cross", 2.5), ("relu_l1", True)])
def test_kernel_rejects_bad_requests(op, d):
    with pytest.raises(ValueError):
        kernel(op, d)


def test_kernel_call_checks_shapes():
    with pytest.raises(ValueError, match="shape"):
        kernel("cross", 3)(np.ones((3, 3)))
    with pytest.raises(ValueError, match="expected X"):
        kernel("relu_l1", 2)(np.ones((4, 3)), np.zeros(2), np.ones((1, 2)), 1)


@pytest.mark.parametrize("module", [features, codegen])
def test_docstring_examples(module):
    assert doctest.testmod(module, optionflags=doctest.ELLIPSIS).failed == 0
