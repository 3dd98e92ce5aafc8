r"""Basic optimal solutions of the Lasso: independent active columns, the same objective.

The working-set solvers can return an optimum whose active columns are linearly dependent (the
ReLU dictionaries are coherent and, at small λ, nearly interpolating). A *basic* optimum, with
independent active columns, always exists; it is the one exact derivations and neuron counts
want (:func:`basic_solution`).
"""

import numpy as np
import scipy.linalg

__all__ = ["basic_solution"]


def basic_solution(A, z, tol=1e-12):
    """Move z along null-space directions of its active columns until they are independent.

    For η with A_S η = 0 the fit A z is unchanged and ‖z‖₁ changes by (σᵀη)τ while no sign
    flips (σ = sign z_S); walking in the direction with σᵀη ≤ 0 until a coordinate reaches zero
    never increases the Lasso objective and removes one active column. One SVD gives the whole
    null space; after each move the remaining null vectors are combined to vanish at the zeroed
    coordinate (they stay null vectors), so the loop ends with independent active columns. Such a
    basic optimal solution always exists.

    In floating point the rank-one updates of the null basis lose accuracy over long walks (a
    support of 1,335 columns in ℝ⁸⁰⁰ moved A z visibly): the result is returned only if A z moved
    by at most 1e-9·‖A z‖ and ‖z‖₁ did not grow; otherwise z is returned unchanged.
    """
    z0 = np.asarray(z, dtype=float)
    z = _walk(A, z0.copy(), tol)
    fit0 = A @ z0
    moved = float(np.linalg.norm(A @ z - fit0))
    if moved > 1e-9 * max(float(np.linalg.norm(fit0)), 1e-300) or np.abs(z).sum() > np.abs(z0).sum():
        return z0.copy()
    return z


def _walk(A, z, tol):
    """The null-space walk of :func:`basic_solution`, without its final check."""
    S = np.flatnonzero(z)
    if S.size == 0:
        return z
    try:
        _, s, Vt = np.linalg.svd(A[:, S], full_matrices=True)
    except np.linalg.LinAlgError:  # gesdd can fail on ill-conditioned input; gesvd is robust
        _, s, Vt = scipy.linalg.svd(A[:, S], full_matrices=True, lapack_driver="gesvd")
    rank = int(np.sum(s > tol * max(s[0], 1e-300))) if s.size else 0
    N = Vt[rank:].T  # |S| × k null-space basis
    zs = z[S]
    for _ in range(N.shape[1]):
        eta, N = N[:, 0], N[:, 1:]
        if not np.any(np.abs(eta) > 1e-14 * max(np.abs(eta).max(), 1e-300)):
            continue
        sigma = np.sign(zs)
        if sigma @ eta > 0 or (sigma @ eta == 0 and not np.any(zs * eta < 0)):
            eta = -eta
        hits = np.flatnonzero(zs * eta < 0)
        if hits.size == 0:
            continue
        ratios = -zs[hits] / eta[hits]
        i = hits[int(np.argmin(ratios))]
        zs = zs + ratios.min() * eta
        zs[i] = 0.0
        N = N - np.outer(eta, N[i] / eta[i])
    z[S] = zs
    return z
