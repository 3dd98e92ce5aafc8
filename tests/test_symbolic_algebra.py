"""The exact algebra against independent computations: sympy determinants, clifford's products,
galgebra's dual (with the sign conversion derived), and the numeric layer."""

import subprocess
import sys
from fractions import Fraction

import clifford
import numpy as np
import pytest
import sympy as sp
from hypothesis import given
from hypothesis import strategies as st

from ganet.numeric import cross, hodge, wedge
from ganet.numeric.geometry.blades import blades
from ganet.symbolic import Algebra, exact

small_rationals = st.fractions(min_value=-5, max_value=5, max_denominator=7)


def rational_vectors(d, k):
    return st.lists(st.lists(small_rationals, min_size=d, max_size=d), min_size=k, max_size=k)


# ---- conventions of docs/conventions.md ---------------------------------------------------------------

def test_paper_section_3_4_worked_example():
    G2 = Algebra(2)
    e1, e2 = G2.basis
    assert (e1 + e2).dual() == e1 - e2          # w1 = ⋆x1 = e1 − e2
    assert (2 * e2).dual() == 2 * e1            # w2 = ⋆x2 = 2 e1
    # The paper states w3 = ⋆e1 = e2 and w4 = ⋆e2 = −e1: sign slips. With ⋆M := M I⁻¹ and
    # I⁻¹ = e2 e1, ⋆e1 = e1 e2 e1 = −e2 and ⋆e2 = e2 e2 e1 = e1.
    assert e1.dual() == -e2
    assert e2.dual() == e1


def test_two_dimensional_dual_of_a_general_vector():
    a, b = sp.symbols("a b", real=True)
    e1, e2 = Algebra(2).basis
    assert (a * e1 + b * e2).dual() == b * e1 - a * e2


def test_three_dimensional_dual_of_a_wedge_is_the_cross_product():
    G3 = Algebra(3)
    a, b = G3.symbols("a"), G3.symbols("b")
    expected = sp.Matrix(a.vector_coefficients()).cross(sp.Matrix(b.vector_coefficients()))
    assert (a ^ b).dual() == G3.vector(list(expected))
    assert G3.cross(a, b) == G3.vector(list(expected))


@pytest.mark.parametrize("d", range(1, 5))
def test_cross_product_is_the_determinant_symbolically(d):
    G = Algebra(d)
    x = G.symbols("x")
    vs = [G.symbols(f"v{i}") for i in range(d - 1)]
    w = G.cross(*vs)
    rows = [x.vector_coefficients()] + [v.vector_coefficients() for v in vs]
    dot = sum(p * q for p, q in zip(x.vector_coefficients(), w.vector_coefficients()))
    assert sp.expand(dot - sp.Matrix(rows).det()) == 0
    for v in vs:  # ×(v1, …) ⟂ vi
        assert sp.expand(sum(p * q for p, q in zip(v.vector_coefficients(), w.vector_coefficients()))) == 0
    # and x · ×(V) = ⋆(x ∧ v1 ∧ … ∧ v_{d−1})
    assert sp.expand(G.wedge(x, *vs).dual().coefficients[0] - dot) == 0


@pytest.mark.parametrize("d", range(1, 7))
def test_double_dual_sign_derived_from_the_pseudoscalar_square(d):
    """⋆⋆M = M I⁻¹ I⁻¹ = M (I²)⁻¹ = I² M since I² = ±1; I² is read off clifford's own product."""
    layout, _ = clifford.Cl(d)
    I = layout.pseudoScalar
    i_squared = (I * I).value[0]
    assert i_squared in (1.0, -1.0)
    G = Algebra(d)
    rng = np.random.default_rng(d)
    M = G.multivector([int(c) for c in rng.integers(-4, 5, size=2 ** d)])
    assert M.dual().dual() == int(i_squared) * M


@pytest.mark.parametrize("d", range(1, 5))
def test_blade_order_matches_clifford(d):
    layout, _ = clifford.Cl(d)
    assert Algebra(d).blades == blades(d)
    assert [tuple(i - 1 for i in t) for t in layout.bladeTupList] == list(blades(d))


# ---- algebraic properties (hypothesis, derandomized) ------------------------------------------

@given(rational_vectors(3, 3), small_rationals)
def test_wedge_is_antisymmetric_and_multilinear(vs, c):
    G = Algebra(3)
    a, b, x = (G.vector(v) for v in vs)
    assert (a ^ b) == -(b ^ a)
    assert (a ^ a) == G.scalar(0)
    assert ((c * a + x) ^ b) == c * (a ^ b) + (x ^ b)


@given(rational_vectors(4, 2), small_rationals, small_rationals)
def test_wedge_of_dependent_vectors_is_zero(vs, s, t):
    G = Algebra(4)
    a, b = (G.vector(v) for v in vs)
    assert (a ^ b ^ (s * a + t * b)) == G.scalar(0)


@given(rational_vectors(4, 3))
def test_blade_norm_squared_is_the_gram_determinant(vs):
    G = Algebra(4)
    blade = G.wedge(*vs)
    V = sp.Matrix([[exact(c) for c in v] for v in vs])
    assert sp.simplify(blade.norm(2) ** 2 - (V * V.T).det()) == 0
    assert blade.norm(2) ** 2 == (blade.reverse() * blade).coefficients[0]  # ‖M‖² = ⟨M†M⟩₀


@pytest.mark.parametrize("d", [2, 3, 4])
@given(data=st.data())
def test_products_agree_with_clifford(d, data):
    G = Algebra(d)
    n = 2 ** d
    coeffs = st.lists(st.integers(-5, 5), min_size=n, max_size=n)
    a, b = data.draw(coeffs), data.draw(coeffs)
    A, B = G.multivector(a), G.multivector(b)
    ca, cb = A.to_clifford(), B.to_clifford()
    np.testing.assert_allclose([float(c) for c in (A * B).coefficients], (ca * cb).value)
    np.testing.assert_allclose([float(c) for c in (A ^ B).coefficients], (ca ^ cb).value)
    np.testing.assert_allclose([float(c) for c in A.reverse().coefficients], (~ca).value)
    I_inv = ~ca.layout.pseudoScalar  # reverse of I is e_d ⋯ e_1 = I⁻¹
    np.testing.assert_allclose([float(c) for c in A.dual().coefficients], (ca * I_inv).value)
    assert Algebra.from_clifford(ca * cb) == A * B


@pytest.mark.parametrize("d", [2, 3, 4])
def test_dual_agrees_with_galgebra_after_the_sign_conversion(d):
    """galgebra's ``dual()`` in its default mode "I+" is M I (galgebra/mv.py: ``sign * self * I``);
    ours is M I⁻¹. Reversing e₁⋯e_d takes d(d−1)/2 transpositions, so I⁻¹ = I† = (−1)^{d(d−1)/2} I
    and ours = (−1)^{d(d−1)/2} · galgebra's, for every grade (in 𝔾³: galgebra gives −a × b)."""
    from galgebra.ga import Ga

    names = " ".join(f"e{i + 1}" for i in range(d))
    ga, *gbasis = Ga.build(names, g=[1] * d)
    assert Ga.dual_mode_value == "I+"
    G = Algebra(d)
    rng = np.random.default_rng(7)
    for k in range(1, d):
        vs = rng.integers(-3, 4, size=(k, d))
        ours = G.wedge(*vs.tolist()).dual()
        theirs = sum(int(c) * e for c, e in zip(vs[0], gbasis))
        for v in vs[1:]:
            theirs = theirs ^ sum(int(c) * e for c, e in zip(v, gbasis))
        theirs = theirs.dual()
        sign = (-1) ** (d * (d - 1) // 2)
        g_blades = ga.mv_blades[d - k]  # galgebra orders blades lexicographically too
        expected = theirs.blade_coefs(list(g_blades))
        assert [sp.simplify(c) for c in ours.grade_coefficients(d - k)] == [sp.simplify(sign * c) for c in expected]


# ---- numeric == exact -------------------------------------------------------------------------

@pytest.mark.parametrize("d", range(1, 7))
@given(data=st.data())
def test_numeric_kernels_equal_exact_evaluation(d, data):
    G = Algebra(d)
    k = data.draw(st.integers(0, d))
    vs = data.draw(rational_vectors(d, k))
    V = np.array([[float(c) for c in v] for v in vs], dtype=float).reshape(k, d)
    exact_blade = G.wedge(*vs)
    # Minors that cancel to (near) zero carry a rounding error relative to the size of their
    # terms, bounded by Hadamard's ∏‖vᵢ‖₂, not relative to the result: scale atol by it.
    atol = 1e-12 * max(1.0, float(np.prod(np.linalg.norm(V, axis=1))))
    np.testing.assert_allclose(wedge(V), [float(c) for c in exact_blade.grade_coefficients(k)],
                               rtol=1e-12, atol=atol)
    np.testing.assert_allclose(hodge(wedge(V), d, k), [float(c) for c in exact_blade.dual().grade_coefficients(d - k)],
                               rtol=1e-12, atol=atol)
    if k == d - 1:
        np.testing.assert_allclose(cross(V), [float(c) for c in G.cross(*vs).vector_coefficients()],
                                   rtol=1e-12, atol=atol)


# ---- construction, printing, errors ---------------------------------------------------------

def test_vector_accepts_exact_inputs_and_prints_latex():
    G = Algebra(2)
    v = G.vector([3, Fraction(-4, 2)])
    assert v._repr_latex_() == "$3 e_{1} - 2 e_{2}$"
    assert sp.latex(v) == "3 e_{1} - 2 e_{2}"
    assert G.vector(["0.25", sp.Rational(1, 3)]).vector_coefficients() == [sp.Rational(1, 4), sp.Rational(1, 3)]
    a = sp.Symbol("a")
    assert sp.latex(G.vector([a + 1, 0]) ^ G.basis[1]) == r"\left(a + 1\right) e_{12}"
    assert str(G.vector([1, -1])) == "e1 - e2"


@pytest.mark.parametrize("bad, match", [
    ([1, float("nan")], "finite"), ([1, None], "number"), ([1, [2]], "number"),
    ([1, 2, 3], "needs 2 coordinates"), ([True, 1], "number"), (["1/0", 1], "finite"),
])
def test_bad_vectors_raise_value_error(bad, match):
    with pytest.raises(ValueError, match=match):
        Algebra(2).vector(bad)


def test_other_errors_are_clear():
    with pytest.raises(ValueError, match="d must be"):
        Algebra(0)
    with pytest.raises(ValueError, match="takes d − 1 = 2 vectors"):
        Algebra(3).cross([1, 0, 0])
    with pytest.raises(ValueError, match="cannot combine"):
        Algebra(2).basis[0] + Algebra(3).basis[0]
    with pytest.raises(ValueError, match="substitute numbers"):
        Algebra(2).symbols("x").to_clifford()
    with pytest.raises(ValueError, match="grade"):
        Algebra(2).basis[0].grade(3)


def test_grade_projection_and_norms():
    G = Algebra(3)
    M = G.multivector([1, 2, -3, 0, 4, 0, 0, -5])
    assert M.grade(1) == 2 * G.basis[0] - 3 * G.basis[1]
    assert M.grades() == {0, 1, 2, 3}
    assert M.norm(1) == 15
    assert M.norm(2) == sp.sqrt(1 + 4 + 9 + 16 + 25)


def test_importing_numeric_does_not_import_sympy():
    code = "import sys, ganet.numeric; import ganet.numeric.geometry.ga; print('sympy' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
