r"""Primal-dual interior point for the Lasso on a materialized (working-set) block, n ≪ m.

With z = u − v, u, v ≥ 0, the Lasso min ½‖Az − y‖² + λ‖z‖₁ is the bound-constrained QP

.. math:: \min_{x \ge 0}\ \tfrac12\|Bx - y\|^2 + \lambda 1^\top x,\qquad B = [A, -A].

Each Newton step solves (BᵀB + D)Δx = g with D = X⁻¹S diagonal. By Woodbury only the n × n
system I + A W Aᵀ, W = diag(1/d_u + 1/d_v), is factorized (Cholesky), so an iteration costs
O(n²m + n³) however coherent the columns are. Mehrotra predictor–corrector steps.
"""

import numpy as np
import scipy.linalg

__all__ = ["lasso_ipm", "basic_solution"]


def _newton_solver(A, du, dv):
    """Factor (BᵀB + diag(du, dv)) with B = [A, −A] once, by Woodbury on the n × n matrix
    I + A W Aᵀ, W = diag(1/du + 1/dv); returns a function solving for right-hand sides (g_u, g_v)."""
    iu, iv = 1.0 / du, 1.0 / dv
    M = (A * (iu + iv)) @ A.T
    M[np.diag_indices_from(M)] += 1.0
    try:
        factor = scipy.linalg.cho_factor(M, check_finite=False)
        solve_m = lambda h: scipy.linalg.cho_solve(factor, h, check_finite=False)  # noqa: E731
    except np.linalg.LinAlgError:  # W spans many orders of magnitude near the end: pivot instead
        solve_m = lambda h: np.linalg.lstsq(M, h, rcond=None)[0]  # noqa: E731

    def solve(g_u, g_v):
        Atq = A.T @ solve_m(A @ (iu * g_u - iv * g_v))
        return iu * (g_u - Atq), iv * (g_v + Atq)

    return solve


def lasso_ipm(A, y, lam, tol=1e-7, max_iter=100):
    """Minimize ½‖Az − y‖² + λ‖z‖₁ by a primal-dual interior point method.

    Stops when the Lasso duality gap (dual point r/max(1, ‖Aᵀr‖∞/λ)) is ≤ tol·(primal value), or
    when the gap stalls (the last iterations of an interior point lose accuracy); returns the
    iterate with the smallest gap. Meant to be followed by a crossover to the exact active set.

    Returns
    -------
    z : ndarray, shape (m,)
    gap : float
    """
    n, m = A.shape
    u = np.ones(m)
    v = np.ones(m)
    scale = max(1.0, float(np.abs(A.T @ y).max(initial=0.0)))
    su = np.full(m, scale)
    sv = np.full(m, scale)
    best = (np.inf, np.zeros(m))
    for _ in range(max_iter):
        z = u - v
        r = y - A @ z
        g = A.T @ r  # −∇ of the smooth part w.r.t. z
        P = 0.5 * r @ r + lam * np.abs(z).sum()
        s_dual = max(1.0, float(np.abs(g).max(initial=0.0)) / lam)
        theta = r / s_dual
        D = 0.5 * y @ y - 0.5 * (y - theta) @ (y - theta)
        gap = P - D
        if gap < best[0]:
            best = (gap, z)
        # late iterations lose accuracy (W spans ~1e±18): stop at the requested gap or on a stall
        if gap <= tol * max(P, 1e-300) or gap > 10 * best[0]:
            break
        # residuals of  −g + λ − s_u = 0,  g + λ − s_v = 0
        rd_u = -g + lam - su
        rd_v = g + lam - sv
        mu = (u @ su + v @ sv) / (2 * m)
        newton = _newton_solver(A, su / u, sv / v)

        def direction(rc_u, rc_v):
            dx_u, dx_v = newton(-rd_u - rc_u / u, -rd_v - rc_v / v)
            return dx_u, dx_v, -(rc_u + su * dx_u) / u, -(rc_v + sv * dx_v) / v

        # predictor (affine scaling)
        a = direction(u * su, v * sv)
        alpha_p = _max_step((u, v), a[:2])
        alpha_d = _max_step((su, sv), a[2:])
        mu_aff = ((u + alpha_p * a[0]) @ (su + alpha_d * a[2]) +
                  (v + alpha_p * a[1]) @ (sv + alpha_d * a[3])) / (2 * m)
        sigma = (mu_aff / mu) ** 3
        # corrector
        c = direction(u * su + a[0] * a[2] - sigma * mu, v * sv + a[1] * a[3] - sigma * mu)
        alpha = min(1.0, 0.99 * _max_step((u, v, su, sv), c))
        if alpha < 1e-12:  # no progress is possible in floating point
            break
        u, v, su, sv = u + alpha * c[0], v + alpha * c[1], su + alpha * c[2], sv + alpha * c[3]
    return best[1], best[0]


def _max_step(xs, dxs):
    step = np.inf
    for x, dx in zip(xs, dxs):
        neg = dx < 0
        if neg.any():
            step = min(step, float(np.min(-x[neg] / dx[neg])))
    return min(step, 1e300)


def basic_solution(A, z, tol=1e-12):
    """Move z along null-space directions of its active columns until they are independent.

    For η with A_S η = 0 the fit A z is unchanged and ‖z‖₁ changes by (σᵀη)τ while no sign
    flips (σ = sign z_S); walking in the direction with σᵀη ≤ 0 until a coordinate reaches zero
    never increases the Lasso objective and removes one active column. One SVD gives the whole
    null space; after each move the remaining null vectors are combined to vanish at the zeroed
    coordinate (they stay null vectors), so the loop ends with independent active columns. Such a
    basic optimal solution always exists.
    """
    z = z.copy()
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
