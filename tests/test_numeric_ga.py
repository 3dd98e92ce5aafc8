"""Numeric GA kernels against independent linear algebra (determinants, projections, Gram).

This file runs twice in `make test`: once compiled and once with NUMBA_DISABLE_JIT=1.
"""

from itertools import combinations

import numpy as np
import pytest

from ganet.numeric import (blade_norm, cross, cross_many, dist_to_affine, dist_to_span, hodge,
                           signed_volume, wedge)

DIMS = range(1, 7)


def test_hodge_of_a_vector_in_two_dimensions():
    # docs/conventions.md: ⋆(a e1 + b e2) = b e1 − a e2
    a, b = 3.0, -5.0
    np.testing.assert_array_equal(hodge([a, b], 2, 1), [b, -a])


def test_hodge_of_a_bivector_in_three_dimensions_is_the_cross_product(rng):
    for _ in range(20):
        a, b = rng.normal(size=(2, 3))
        np.testing.assert_allclose(hodge(wedge([a, b]), 3, 2), np.cross(a, b), rtol=1e-12, atol=1e-12)
        np.testing.assert_allclose(cross([a, b]), np.cross(a, b), rtol=1e-12, atol=1e-12)


def test_wedge_coefficients_are_minors(rng):
    V = rng.normal(size=(2, 4))
    expected = [np.linalg.det(V[:, list(c)]) for c in combinations(range(4), 2)]
    np.testing.assert_allclose(wedge(V), expected, rtol=1e-12)


@pytest.mark.parametrize("d", DIMS)
def test_cross_product_gives_the_determinant_and_is_orthogonal(d, rng):
    for _ in range(10):
        V = rng.normal(size=(d - 1, d))
        x = rng.normal(size=d)
        w = cross(V)
        assert np.isclose(x @ w, np.linalg.det(np.vstack([x, V])), rtol=1e-10, atol=1e-12)
        np.testing.assert_allclose(V @ w, 0.0, atol=1e-10)
        np.testing.assert_allclose(w, hodge(wedge(V), d, d - 1), rtol=1e-12, atol=1e-12)


def test_cross_in_one_dimension_is_e1():
    np.testing.assert_array_equal(cross(np.empty((0, 1))), [1.0])


@pytest.mark.parametrize("d", DIMS)
def test_blade_norm_squared_is_the_gram_determinant(d, rng):
    for k in range(d + 1):
        V = rng.normal(size=(k, d))
        gram = np.linalg.det(V @ V.T) if k else 1.0
        assert np.isclose(blade_norm(V, 2) ** 2, gram, rtol=1e-10)
        assert np.isclose(blade_norm(V, 1), np.abs(wedge(V)).sum(), rtol=1e-12)


@pytest.mark.parametrize("d", DIMS)
def test_cross_many_matches_cross_row_by_row(d, rng):
    G = rng.normal(size=(7, d))
    S = np.array(list(combinations(range(7), d - 1))[:30], dtype=np.int64)  # (1, 0) for d = 1
    out = cross_many(G, S)
    expected = np.array([cross(G[s]) for s in S])
    np.testing.assert_allclose(out, expected, rtol=1e-12, atol=1e-12)


def test_cross_many_gives_zero_rows_for_dependent_subsets():
    G = np.array([[1.0, 2.0, 3.0], [2.0, 4.0, 6.0], [0.0, 1.0, 0.0]])
    out = cross_many(G, np.array([[0, 1], [0, 2]]))
    np.testing.assert_array_equal(out[0], 0.0)
    assert np.linalg.norm(out[1]) > 0


@pytest.mark.parametrize("d", DIMS)
def test_signed_volume_is_the_determinant(d, rng):
    V = rng.normal(size=(d, d))
    assert np.isclose(signed_volume(V), np.linalg.det(V), rtol=1e-12)


def _projection_residual(x, B):
    """Distance from x to the column span of B by least squares (independent of wedges)."""
    coef, *_ = np.linalg.lstsq(B, x, rcond=None)
    return np.linalg.norm(x - B @ coef)


@pytest.mark.parametrize("d", range(2, 7))
def test_distances_match_least_squares_projections(d, rng):
    V = rng.normal(size=(d - 1, d))
    X = rng.normal(size=(5, d))
    signed = dist_to_span(X, V)
    for x, s in zip(X, signed):
        assert np.isclose(abs(s), _projection_residual(x, V.T), rtol=1e-10)
        assert np.sign(s) == np.sign(np.linalg.det(np.vstack([x, V])))
    for k in range(1, d - 1):
        Vk = V[:k]
        for x in X:
            assert np.isclose(dist_to_span(x, Vk, signed=False), _projection_residual(x, Vk.T), rtol=1e-10)
    U = rng.normal(size=(d, d))
    for x in X:
        resid = _projection_residual(x - U[-1], (U[:-1] - U[-1]).T)
        assert np.isclose(abs(dist_to_affine(x, U)), resid, rtol=1e-10)
        assert np.isclose(dist_to_affine(x, U[:2], signed=False),
                          _projection_residual(x - U[1], (U[:1] - U[1]).T), rtol=1e-10)


def test_one_dimensional_affine_distance_is_the_signed_difference():
    # Theorem 1's ramp: dist(x, Aff(x_j)) = x − x_j in 1-D
    assert dist_to_affine([2.5], [[1.0]]) == 1.5
    np.testing.assert_array_equal(dist_to_affine([[0.0], [3.0]], [[1.0]]), [-1.0, 2.0])


@pytest.mark.parametrize("call, match", [
    (lambda: wedge([[1, 2], [3, 4], [5, 6]]), "k ≤ d"),
    (lambda: wedge([1, 2, 3]), "dimension"),
    (lambda: wedge([[1, np.nan]]), "NaN or infinite"),
    (lambda: wedge([[1, np.inf]]), "NaN or infinite"),
    (lambda: wedge([["a", "b"]]), "real numbers"),
    (lambda: wedge([[None, 1.0]]), "real numbers"),
    (lambda: wedge([[1, 2], [3]]), "rectangular|real numbers"),
    (lambda: cross([[1, 2, 3]]), "2 rows"),
    (lambda: hodge([1, 2], 3, 1), "shape"),
    (lambda: hodge([1, 2, 3], 3, 4), "grade"),
    (lambda: hodge([1], 0, 0), "positive integer"),
    (lambda: signed_volume([[1, 2], [3, 4], [5, 6]]), "k ≤ d|rows"),
    (lambda: cross_many(np.eye(3), np.array([[0, 1, 2]])), "shape"),
    (lambda: cross_many(np.eye(3), np.array([[0, 5]])), "outside"),
    (lambda: cross_many(np.eye(3), np.array([[0.0, 1.0]])), "integer"),
    (lambda: dist_to_span([1, 2, 3], [[1, 0, 0]]), "hyperplane"),
    (lambda: dist_to_span([1, 2], [[1, 0, 0]]), "coordinates"),
    (lambda: dist_to_span([1, 2, 3], [[1, 0, 0], [2, 0, 0]]), "dependent"),
    (lambda: dist_to_affine([1, 2], [[1, 0], [2, 0], [3, 3]]), "1..d points"),
    (lambda: blade_norm([[1, 2]], p=3), "p must be 1 or 2"),
])
def test_bad_input_raises_a_clear_value_error(call, match):
    with pytest.raises(ValueError, match=match):
        call()
