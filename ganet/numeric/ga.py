r"""Numeric geometric-algebra core of 𝔾ᵈ (numpy + numba; never imports sympy).

Conventions (DESIGN.md): Euclidean metric, blades in ``clifford.Cl(d)`` order (see
:mod:`ganet.numeric.blades`), unit pseudoscalar I = e₁⋯e_d and the Hodge dual ⋆M := M I⁻¹. The
generalized cross product ×(v₁,…,v_{d−1}) := ⋆(v₁∧⋯∧v_{d−1}) satisfies

.. math::  x \cdot \times(v_1,\dots,v_{d-1}) = \star(x\wedge v_1\wedge\dots\wedge v_{d-1})
           = \det[x; v_1; \dots; v_{d-1}],

so its i-th coordinate (0-based) is the cofactor (−1)^i det(V with column i removed).
"""

import numba
import numpy as np

from .blades import blades_of_grade, hodge_sign
from .validation import as_finite_array

__all__ = ["wedge", "hodge", "cross", "cross_many", "signed_volume", "dist_to_span",
           "dist_to_affine", "blade_norm"]


def _rows(V, name="V", k=None, d=None):
    """Validate a k×d matrix of row vectors (k ≤ d)."""
    V = as_finite_array(V, name, ndim=2)
    kk, dd = V.shape
    if dd < 1:
        raise ValueError(f"{name} must have at least one column (the dimension d); got {V.shape}")
    if d is not None and dd != d:
        raise ValueError(f"{name} must have d = {d} columns; got {V.shape}")
    if k is not None and kk != k:
        raise ValueError(f"{name} must have {k} rows for d = {dd}; got {V.shape}")
    if kk > dd:
        raise ValueError(f"{name} has k = {kk} vectors in d = {dd} dimensions; a wedge needs k ≤ d")
    return V


def wedge(V):
    """Wedge product v₁ ∧ ⋯ ∧ v_k of the rows of ``V`` as grade-k blade coefficients.

    .. math::  v_1\\wedge\\dots\\wedge v_k = \\sum_{i_1<\\dots<i_k}
               \\det V_{:, (i_1,\\dots,i_k)}\\; e_{i_1}\\cdots e_{i_k}

    Parameters
    ----------
    V : array_like, shape (k, d)
        Row vectors, k ≤ d (k = 0 gives the scalar 1).

    Returns
    -------
    ndarray, shape (C(d, k),)
        Coefficients on the grade-k blades in clifford's order.
    """
    V = _rows(V)
    k, d = V.shape
    if k == 0:
        return np.ones(1)
    idx = np.array(blades_of_grade(d, k), dtype=np.intp)
    return np.linalg.det(np.moveaxis(V[:, idx], 1, 0))


def hodge(coeffs, d, grade):
    """Hodge dual ⋆M = M I⁻¹ of a grade-``grade`` k-vector of 𝔾ᵈ.

    Each blade maps to its complement, e_A I⁻¹ = s_A e_{Aᶜ}, with the sign s_A from the Euclidean
    blade product and I⁻¹ = (−1)^{d(d−1)/2} I. For example in 𝔾², ⋆(a e₁ + b e₂) = b e₁ − a e₂,
    and in 𝔾³, ⋆(a ∧ b) = a × b.

    Parameters
    ----------
    coeffs : array_like, shape (C(d, grade),)
        Blade coefficients in clifford's order.
    d, grade : int

    Returns
    -------
    ndarray, shape (C(d, d − grade),)
    """
    d, grade = _check_dims(d, grade)
    src = blades_of_grade(d, grade)
    coeffs = as_finite_array(coeffs, "coeffs", ndim=1, shape=(len(src),))
    dst = {b: i for i, b in enumerate(blades_of_grade(d, d - grade))}
    out = np.zeros(len(dst))
    for c, blade in zip(coeffs, src):
        sign, comp = hodge_sign(d, blade)
        out[dst[comp]] += sign * c
    return out


def _check_dims(d, grade):
    if not (isinstance(d, (int, np.integer)) and d >= 1):
        raise ValueError(f"d must be a positive integer; got {d!r}")
    if not (isinstance(grade, (int, np.integer)) and 0 <= grade <= d):
        raise ValueError(f"grade must be an integer in 0..d = {d}; got {grade!r}")
    return int(d), int(grade)


def cross(V):
    """Generalized cross product ×(v₁,…,v_{d−1}) = ⋆(v₁ ∧ ⋯ ∧ v_{d−1}) ∈ ℝᵈ.

    Orthogonal to every vᵢ, with x · ×(V) = det[x; V]; for d = 1 it is ⋆1 = e₁.

    Parameters
    ----------
    V : array_like, shape (d − 1, d)

    Returns
    -------
    ndarray, shape (d,)
    """
    V = as_finite_array(V, "V", ndim=2)
    V = _rows(V, k=V.shape[1] - 1)
    return _cofactors(V)


@numba.njit(cache=True)
def _det(A):
    """Determinant by Gaussian elimination with partial pivoting (A is overwritten)."""
    n = A.shape[0]
    det = 1.0
    for c in range(n):
        p = c
        best = abs(A[c, c])
        for r in range(c + 1, n):
            if abs(A[r, c]) > best:
                best = abs(A[r, c])
                p = r
        if best == 0.0:
            return 0.0
        if p != c:
            for j in range(c, n):
                A[c, j], A[p, j] = A[p, j], A[c, j]
            det = -det
        det *= A[c, c]
        for r in range(c + 1, n):
            f = A[r, c] / A[c, c]
            for j in range(c + 1, n):
                A[r, j] -= f * A[c, j]
    return det


@numba.njit(cache=True)
def _cofactors(V):
    """Cofactor vector of a (d−1)×d matrix: w_i = (−1)^i det(V without column i)."""
    k, d = V.shape
    w = np.empty(d)
    M = np.empty((k, k))
    for i in range(d):
        for r in range(k):
            c2 = 0
            for c in range(d):
                if c != i:
                    M[r, c2] = V[r, c]
                    c2 += 1
        w[i] = _det(M) if i % 2 == 0 else -_det(M)
    return w


@numba.njit(cache=True, parallel=True)
def _cross_many(G, S):
    m = S.shape[0]
    k = S.shape[1]
    d = G.shape[1]
    out = np.empty((m, d))
    for t in numba.prange(m):
        V = np.empty((k, d))
        for r in range(k):
            for c in range(d):
                V[r, c] = G[S[t, r], c]
        out[t, :] = _cofactors(V)
    return out


def cross_many(G, S):
    """Cross products of many generator subsets: row t is ×(G[S[t, 0]], …, G[S[t, d−2]]).

    Parameters
    ----------
    G : array_like, shape (N, d)
        Generator vectors.
    S : array_like of int, shape (m, d − 1)
        Row indices into ``G``.

    Returns
    -------
    ndarray, shape (m, d)
        Zero rows for linearly dependent subsets.
    """
    G = as_finite_array(G, "G", ndim=2)
    d = G.shape[1]
    S = np.asarray(S)
    if S.ndim != 2 or S.shape[1] != d - 1:
        raise ValueError(f"S must have shape (m, d − 1) = (m, {d - 1}); got {S.shape}")
    if S.size and S.dtype.kind not in "iu":
        raise ValueError(f"S must hold integer row indices; got dtype {S.dtype}")
    S = S.astype(np.int64)
    if S.size and (S.min() < 0 or S.max() >= G.shape[0]):
        raise ValueError(f"S holds indices outside 0..{G.shape[0] - 1}")
    return _cross_many(np.ascontiguousarray(G), np.ascontiguousarray(S))


def signed_volume(V):
    """Signed volume ⋆(v₁ ∧ ⋯ ∧ v_d) = det V of the parallelotope spanned by the d rows of V."""
    V = as_finite_array(V, "V", ndim=2)
    V = _rows(V, k=V.shape[1])
    return float(np.linalg.det(V))


def _points(x, d):
    x = as_finite_array(x, "x", ndim=(1, 2))
    if x.shape[-1] != d:
        raise ValueError(f"x must have d = {d} coordinates; got shape {x.shape}")
    return x


def dist_to_span(x, V, signed=True):
    """Distance from x to Span(v₁,…,v_k).

    Signed (the papers' oriented distance, requires k = d − 1):

    .. math:: \\operatorname{dist}(x, \\operatorname{Span} V)
              = \\frac{\\star(x\\wedge v_1\\wedge\\dots\\wedge v_{d-1})}{\\|v_1\\wedge\\dots\\wedge v_{d-1}\\|_2}
              = \\frac{x\\cdot\\times(V)}{\\|\\times(V)\\|_2}.

    Unsigned (any k < d): ‖x ∧ v₁ ∧ ⋯ ∧ v_k‖₂ / ‖v₁ ∧ ⋯ ∧ v_k‖₂, height over the base.

    Parameters
    ----------
    x : array_like, shape (d,) or (n, d)
    V : array_like, shape (k, d)
    signed : bool, default True

    Returns
    -------
    float or ndarray of shape (n,)
    """
    V = _rows(V)
    k, d = V.shape
    x = _points(x, d)
    if k == d:
        raise ValueError(f"V spans all of R^{d} when it has k = d rows; use k < d")
    base = np.linalg.norm(wedge(V))
    if base == 0.0:
        raise ValueError("the rows of V are linearly dependent: their span has lower dimension")
    if signed:
        if k != d - 1:
            raise ValueError(f"a signed distance needs a hyperplane: k = d − 1 = {d - 1} rows, got {k}")
        return x @ cross(V) / base
    X = np.atleast_2d(x)
    out = np.array([np.linalg.norm(wedge(np.vstack([xi, V]))) for xi in X]) / base
    return out if x.ndim == 2 else float(out[0])


def dist_to_affine(x, U, signed=True):
    """Distance from x to the affine hull Aff(u₁,…,u_k), based at the last point u_k:

    .. math:: \\operatorname{dist}(x, \\operatorname{Aff} U) = \\frac{\\star((x-u_k)\\wedge(u_1-u_k)
              \\wedge\\dots\\wedge(u_{k-1}-u_k))}{\\|(u_1-u_k)\\wedge\\dots\\wedge(u_{k-1}-u_k)\\|_2}

    (Theorem 5's κ_b). Signed requires k = d points (a hyperplane); unsigned works for 1 ≤ k ≤ d.
    """
    U = as_finite_array(U, "U", ndim=2)
    if U.shape[0] < 1 or U.shape[0] > U.shape[1]:
        raise ValueError(f"U must hold 1..d points of dimension d; got shape {U.shape}")
    x = _points(x, U.shape[1])
    base = U[-1]
    if U.shape[0] == 1:
        if signed and U.shape[1] != 1:
            raise ValueError("a signed distance needs a hyperplane: k = d points")
        diff = x - base
        return diff[..., 0] if signed else np.linalg.norm(diff, axis=-1)
    return dist_to_span(x - base, U[:-1] - base, signed=signed)


def blade_norm(V, p=2):
    """Norm of the blade v₁ ∧ ⋯ ∧ v_k: ‖·‖₁ (sum of |coefficients|) or ‖·‖₂ (root sum of squares).

    ‖v₁∧⋯∧v_k‖₂² equals the Gram determinant det(V Vᵀ).
    """
    if p not in (1, 2):
        raise ValueError(f"p must be 1 or 2; got {p!r}")
    return float(np.linalg.norm(wedge(V), ord=p))
