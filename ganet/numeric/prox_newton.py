r"""Proximal Newton method for the ℓ₁-regularized logistic loss on a working set of columns.

Solves, for K ∈ ℝ^{n×m} and labels y ∈ {−1, +1}ⁿ,

.. math::  \min_{z, t}\; F(z, t) = \sum_i c_i \log\big(1 + e^{-y_i q_i}\big) + \lambda\|z\|_1,
           \qquad q = Kz + t\,1 ,

as skglm's ``ProxNewton`` does for the logistic loss: at (z, t) the loss is replaced by its
second-order model, with gradient gᵢ = −cᵢyᵢσ(−yᵢqᵢ) and Hessian weights wᵢ = cᵢσ(qᵢ)σ(−qᵢ)
(c: the sample weights, 1 by default),

.. math::  \min_{u, t'}\; \tfrac12 \sum_i w_i \big(K_i u + t' - r_i\big)^2 + \lambda\|u\|_1,
           \qquad r = q - g / w = q + y / \sigma(y q),

a weighted Lasso (iteratively reweighted least squares with an ℓ₁ penalty). The intercept t' is
eliminated exactly by weighted centering (t' = r̄_w − K̄_wᵀu), and the Lasso on the √w-scaled,
centred columns is solved **exactly** by the dual active-set method of
:mod:`~ganet.numeric.active_set` — coordinate descent stalls on the coherent ReLU dictionaries,
whose columns differ by one training point. The step (u − z, t' − t) is damped by an Armijo
backtracking on F with the model decrease

.. math::  \Delta = g^\top(K(u - z) + (t' - t)1) + \lambda(\|u\|_1 - \|z\|_1) \le 0 ,

and after every step the intercept is re-optimized exactly (a monotone 1-D root), so F never
increases. Near the optimum the full step is taken and the convergence is quadratic. The method
stops on the Fenchel duality gap of :mod:`~ganet.numeric.datafits` on the block, never on an
iteration count alone.
"""

import time

import numpy as np
from scipy.optimize import brentq
from scipy.special import expit

from .active_set import ActiveSetError, DualActiveSet
from .datafits import Logistic, fenchel_gap, weighted
from .ssnal import group_lasso_ssnal

__all__ = ["logistic_lasso", "logistic_intercept"]

_ROUNDING = 64 * np.finfo(float).eps  # relative size of F's rounding error (sums of n terms)


def logistic_intercept(Kz, y, t0=0.0, weights=None):
    """The exact minimizer in t of Σ cᵢ log(1 + e^{−yᵢ(Kz + t)ᵢ}): the root of
    Σ cᵢyᵢσ(−yᵢqᵢ) = 0, decreasing in t (it exists when both labels occur with positive weight)."""
    c = 1.0 if weights is None else weights
    f = lambda s: float(np.sum(c * y * expit(-y * (Kz + s))))  # noqa: E731
    lo, hi = t0 - 1.0, t0 + 1.0
    while f(lo) < 0:
        lo -= 2 * (hi - lo)
    while f(hi) > 0:
        hi += 2 * (hi - lo)
    return brentq(f, lo, hi, xtol=1e-15, rtol=4 * np.finfo(float).eps)


def _objective(q, y, z, lam, weights=None):
    return weighted(Logistic, weights).value(q, y) + lam * float(np.abs(z).sum())


def block_gap(K, y, z, t, lam, fit_intercept, weights=None):
    """(P, D, gap, θ) of the (weighted) logistic Lasso on the columns K at (z, t)."""
    q = K @ z + t
    datafit = weighted(Logistic, weights)
    theta = datafit.dual_point(q, y)
    P, D, gap = fenchel_gap(datafit, q, y, np.abs(z).sum(), lam, theta,
                            lambda th: np.abs(K.T @ th).max(initial=0.0), fit_intercept)
    return P, D, gap, theta


def _weighted_lasso(K, target, w, lam, fit_intercept, start):
    """argmin over (u, t') of ½Σwᵢ(Kᵢu + t' − targetᵢ)² + λ‖u‖₁, exactly.

    ``start`` (the current iterate) orders the work: its support is offered to the active set
    first, and it warm-starts the SSNAL fallback, used when the active set reports cycling."""
    sw = np.sqrt(w)
    if fit_intercept:
        total = w.sum()
        Kbar, rbar = (w @ K) / total, float(w @ target) / total
        A = sw[:, None] * (K - Kbar)
        b = sw * (target - rbar)
    else:
        A, b = sw[:, None] * K, sw * target
    u = np.zeros(K.shape[1])
    try:
        state = DualActiveSet(b, lam)
        support = np.flatnonzero(start)
        if len(support):  # the last support first: fewer additions and deletions on the way
            state.solve(A[:, support], support, tol=1e-12)
        state.solve(A, np.arange(K.shape[1]), tol=1e-12)
        u[state.columns] = state.coef
    except ActiveSetError:
        u = group_lasso_ssnal(A, b[:, None], lam, start[:, None], tol=1e-14 * max(1.0, b @ b))[0][:, 0]
    t = rbar - float(Kbar @ u) if fit_intercept else 0.0
    return u, t


def logistic_lasso(K, y, lam, fit_intercept=True, z0=None, t0=0.0, tol=1e-12, max_iter=200,
                   deadline=None, weights=None):
    """Minimize Σ cᵢ log(1 + e^{−yᵢ(Kz + t)ᵢ}) + λ‖z‖₁ over (z, t) by proximal Newton.

    Parameters
    ----------
    K : ndarray, shape (n, m)
        The working-set columns.
    y : ndarray, shape (n,)
        Labels in {−1, +1} (both present when ``fit_intercept``).
    lam : float
        λ > 0.
    fit_intercept : bool
        Whether t is a free (unpenalized) variable; otherwise t = 0.
    z0, t0 : warm start.
    tol : float
        Stop when the block's certified duality gap is ≤ tol · F.
    max_iter : int
        Newton steps at most.
    deadline : float, optional
        ``time.perf_counter()`` value after which the current iterate is returned.
    weights : ndarray, shape (n,), optional
        Sample weights cᵢ ≥ 0 (default 1).

    Returns
    -------
    z : ndarray, shape (m,)
    t : float
    gap : float
        The certified gap on the block at (z, t).
    """
    y = np.asarray(y, dtype=float)
    z = np.zeros(K.shape[1]) if z0 is None else np.array(z0, dtype=float)
    Kz = K @ z
    t = logistic_intercept(Kz, y, t0, weights) if fit_intercept else 0.0
    F = _objective(Kz + t, y, z, lam, weights)
    gap = block_gap(K, y, z, t, lam, fit_intercept, weights)[2]
    for _ in range(max_iter):
        if gap <= tol * F or (deadline is not None and time.perf_counter() > deadline):
            break
        q = Kz + t
        s = expit(y * q)  # σ(yᵢqᵢ); the weights σ(q)σ(−q) = s(1 − s) are symmetric in y
        c = 1.0 if weights is None else weights
        w = np.maximum(c * s * (1.0 - s), 1e-300)  # (a zero weight: no curvature, no pull)
        grad = -c * y * (1.0 - s)
        u, t_new = _weighted_lasso(K, q + y / np.maximum(s, 1e-300), w, lam, fit_intercept, z)
        dz, dt = u - z, t_new - t
        dq = K @ dz + dt
        decrease = float(grad @ dq) + lam * (np.abs(u).sum() - np.abs(z).sum())
        if not decrease < -_ROUNDING * F:
            # F cannot tell the points apart: near the optimum F(u) − F(z) is second order in
            # u − z (1e-8 moves change F by 1e-16), the gap is first order. Take the model's
            # point while it certifies better (seen: relative gap 2e-9 → 4e-14 in two such steps)
            trial_t = logistic_intercept(K @ u, y, t_new, weights) if fit_intercept else 0.0
            trial_gap = block_gap(K, y, u, trial_t, lam, fit_intercept, weights)[2]
            if not trial_gap < gap:
                break
            z, t, gap, Kz = u, trial_t, trial_gap, K @ u
            F = _objective(Kz + t, y, z, lam, weights)
            continue
        alpha = 1.0
        for _ in range(60):
            trial = _objective(q + alpha * dq, y, z + alpha * dz, lam, weights)
            if trial <= F + 1e-4 * alpha * decrease:
                break
            alpha *= 0.5
        else:
            break  # no decrease representable in floating point
        z = z + alpha * dz if alpha < 1.0 else u
        Kz = K @ z
        t = logistic_intercept(Kz, y, t + alpha * dt, weights) if fit_intercept else 0.0
        F = _objective(Kz + t, y, z, lam, weights)
        gap = block_gap(K, y, z, t, lam, fit_intercept, weights)[2]
    return z, t, gap
