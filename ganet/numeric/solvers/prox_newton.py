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
:mod:`~ganet.numeric.solvers.active_set` — coordinate descent stalls on the coherent ReLU dictionaries,
whose columns differ by one training point. The step (u − z, t' − t) is damped by an Armijo
backtracking on F with the model decrease

.. math::  \Delta = g^\top(K(u - z) + (t' - t)1) + \lambda(\|u\|_1 - \|z\|_1) \le 0 ,

and after every step the intercept is re-optimized exactly (a monotone 1-D root), so F never
increases. Near the optimum the full step is taken and the convergence is quadratic. The method
stops on the Fenchel duality gap of :mod:`~ganet.numeric.solvers.datafits` on the block, never on an
iteration count alone.
"""

import time

import numpy as np

from .active_set import ActiveSetError, DualActiveSet
from .datafits import Logistic, fenchel_gap, weighted
from .ssnal import group_lasso_ssnal

__all__ = ["newton_lasso", "logistic_lasso"]

_ROUNDING = 64 * np.finfo(float).eps  # relative size of F's rounding error (sums of n terms)


def _objective(q, y, z, lam, datafit):
    return datafit.value(q, y) + lam * float(np.abs(z).sum())


def lasso_gap_on_columns(K, y, z, t, lam, fit_intercept, datafit=Logistic):
    """(P, D, gap, θ) of ℓ(Kz + t1, y) + λ‖z‖₁ on the columns K at (z, t)."""
    q = K @ z + t
    theta = datafit.dual_point(q, y)
    P, D, gap = fenchel_gap(datafit, q, y, np.abs(z).sum(), lam, theta,
                            lambda th: np.abs(K.T @ th).max(initial=0.0), fit_intercept)
    return P, D, gap, theta


def _weighted_lasso(K, target, w, lam, fit_intercept, start, deadline=None):
    """argmin over (u, t') of ½Σwᵢ(Kᵢu + t' − targetᵢ)² + λ‖u‖₁, exactly (or, at ``deadline``,
    the optimum over the columns the active set holds by then: the Newton step that uses it
    is still checked for descent).

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
            state.solve(A[:, support], support, tol=1e-12, deadline=deadline)
        state.solve(A, np.arange(K.shape[1]), tol=1e-12, deadline=deadline)
        u[state.columns] = state.coef
    except ActiveSetError:
        u = group_lasso_ssnal(A, b[:, None], lam, start[:, None], tol=1e-14 * max(1.0, b @ b))[0][:, 0]
    t = rbar - float(Kbar @ u) if fit_intercept else 0.0
    return u, t


def logistic_lasso(K, y, lam, fit_intercept=True, z0=None, t0=0.0, tol=1e-12, max_iter=200,
                   deadline=None, weights=None):
    """Minimize Σ cᵢ log(1 + e^{−yᵢ(Kz + t)ᵢ}) + λ‖z‖₁ over (z, t) by proximal Newton (see
    :func:`newton_lasso`)."""
    return newton_lasso(K, y, lam, weighted(Logistic, weights), fit_intercept, z0, t0, tol, max_iter, deadline)


def newton_lasso(K, y, lam, datafit, fit_intercept=True, z0=None, t0=0.0, tol=1e-12, max_iter=200,
                 deadline=None):
    """Minimize ℓ(Kz + t1, y) + λ‖z‖₁ over (z, t) by proximal Newton, for a smooth datafit ℓ of
    :mod:`~ganet.numeric.solvers.datafits` (its value, dual point θ = −∇ℓ, Hessian weights and best
    intercept are used; logistic, Huber, squared, with or without sample weights).

    Parameters
    ----------
    K : ndarray, shape (n, m)
        The working-set columns.
    y : ndarray, shape (n,)
        Targets (labels in {−1, +1}, both present, for the logistic loss).
    lam : float
        λ > 0.
    datafit : a smooth datafit
    fit_intercept : bool
        Whether t is a free (unpenalized) variable; otherwise t = 0.
    z0, t0 : warm start.
    tol : float
        Stop when the block's certified duality gap is ≤ tol · F.
    max_iter : int
        Newton steps at most.
    deadline : float, optional
        ``time.perf_counter()`` value after which the current iterate is returned.

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
    t = datafit.intercept(Kz, y, t0) if fit_intercept else 0.0
    F = _objective(Kz + t, y, z, lam, datafit)
    gap = lasso_gap_on_columns(K, y, z, t, lam, fit_intercept, datafit)[2]
    for _ in range(max_iter):
        if gap <= tol * F or (deadline is not None and time.perf_counter() > deadline):
            break
        q = Kz + t
        theta = datafit.dual_point(q, y)  # −∇ℓ(q)
        w = np.maximum(datafit.hessian(q, y), 1e-300)  # (a zero weight: no curvature, no pull)
        grad = -theta
        # the model's target q − ∇ℓ/w (logistic: q + y/σ(yq); Huber: y itself)
        # (the subproblem stops at the deadline too: on breast cancer's two raw features one
        # took up to 5 s, and an 8 s budget ran 10.2 s)
        u, t_new = _weighted_lasso(K, q + theta / w, w, lam, fit_intercept, z, deadline)
        dz, dt = u - z, t_new - t
        dq = K @ dz + dt
        decrease = float(grad @ dq) + lam * (np.abs(u).sum() - np.abs(z).sum())
        if not decrease < -_ROUNDING * F:
            # F cannot tell the points apart: near the optimum F(u) − F(z) is second order in
            # u − z (1e-8 moves change F by 1e-16), the gap is first order. Take the model's
            # point while it certifies better (seen: relative gap 2e-9 → 4e-14 in two such steps)
            trial_t = datafit.intercept(K @ u, y, t_new) if fit_intercept else 0.0
            trial_gap = lasso_gap_on_columns(K, y, u, trial_t, lam, fit_intercept, datafit)[2]
            if not trial_gap < gap:
                break
            z, t, gap, Kz = u, trial_t, trial_gap, K @ u
            F = _objective(Kz + t, y, z, lam, datafit)
            continue
        alpha = 1.0
        for _ in range(60):
            trial = _objective(q + alpha * dq, y, z + alpha * dz, lam, datafit)
            if trial <= F + 1e-4 * alpha * decrease:
                break
            alpha *= 0.5
        else:
            break  # no decrease representable in floating point
        z = z + alpha * dz if alpha < 1.0 else u
        Kz = K @ z
        t = datafit.intercept(Kz, y, t + alpha * dt) if fit_intercept else 0.0
        F = _objective(Kz + t, y, z, lam, datafit)
        gap = lasso_gap_on_columns(K, y, z, t, lam, fit_intercept, datafit)[2]
    return z, t, gap
