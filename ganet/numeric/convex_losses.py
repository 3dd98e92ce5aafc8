r"""Logistic and hinge losses over a materialized dictionary with cvxpy + Clarabel (small data).

Solves min_{z,t} ℓ(Kz + t1, y) + λ‖z‖₁ for labels y ∈ {−1, +1} and certifies the result with the
Fenchel dual max −Σᵢ ℓᵢ*(−θᵢ) s.t. ‖Kᵀθ‖∞ ≤ λ, 1ᵀθ = 0 (with an intercept):

* logistic, ℓ(q) = Σ log(1 + e^{−yᵢqᵢ}): θᵢ = yᵢuᵢ with uᵢ = σ(−yᵢqᵢ) ∈ (0, 1) and
  −ℓᵢ*(−θᵢ) = H(uᵢ) = −uᵢ log uᵢ − (1 − uᵢ) log(1 − uᵢ);
* hinge, ℓ(q) = Σ max(0, 1 − yᵢqᵢ): θᵢ = yᵢμᵢ with μᵢ ∈ [0, 1] (the duals of the margin
  constraints) and −ℓᵢ*(−θᵢ) = μᵢ.

θ is made exactly feasible (1ᵀθ = 0 by re-centering, then scaled by s = max(1, ‖Kᵀθ‖∞/λ)),
so gap = P − D ≥ P − P* holds whatever accuracy the conic solver reached.
"""

import warnings

import numpy as np
from scipy.optimize import brentq
from sklearn.exceptions import ConvergenceWarning
from scipy.special import expit, xlogy

from .solver import LassoResult

__all__ = ["solve_convex_loss"]


def _entropy(u):
    return -(xlogy(u, u) + xlogy(1 - u, 1 - u))


def solve_convex_loss(dictionary, y, lam, loss, fit_intercept=True, tol=1e-8):
    """Minimize ℓ(Kz + t1, y) + λ‖z‖₁ (ℓ logistic or hinge, y ∈ {−1, +1}) on the full dictionary.

    Returns
    -------
    LassoResult
        ``coef`` has one column; ``gap`` is the certified duality gap.
    """
    import cvxpy as cp

    K = dictionary.materialize()
    y = np.asarray(y, dtype=float)
    z = cp.Variable(K.shape[1])
    t = cp.Variable() if fit_intercept else 0.0
    q = K @ z + t
    penalty = lam * cp.norm1(z)
    if loss == "logistic":
        problem = cp.Problem(cp.Minimize(cp.sum(cp.logistic(-cp.multiply(y, q))) + penalty))
    elif loss == "hinge":
        xi = cp.Variable(len(y))
        margins = xi >= 1 - cp.multiply(y, q)
        problem = cp.Problem(cp.Minimize(cp.sum(xi) + penalty), [xi >= 0, margins])
    else:
        raise ValueError(f"loss must be 'logistic' or 'hinge'; got {loss!r}")
    problem.solve(solver="CLARABEL", tol_gap_abs=1e-11, tol_gap_rel=1e-11, tol_feas=1e-11)
    zval = np.asarray(z.value, dtype=float)
    zval[np.abs(zval) <= 1e-9 * max(np.abs(zval).max(initial=0.0), 1e-300)] = 0.0
    tval = float(t.value) if fit_intercept else 0.0
    Kz = K @ zval
    if loss == "logistic":
        if fit_intercept:  # exact stationarity in t: Σ yᵢ σ(−yᵢ(qᵢ)) = 0, a monotone equation
            f = lambda s: float(np.sum(y * expit(-y * (Kz + s))))  # noqa: E731
            lo, hi = tval - 1.0, tval + 1.0
            while f(lo) < 0:
                lo -= 2 * (hi - lo)
            while f(hi) > 0:
                hi += 2 * (hi - lo)
            tval = brentq(f, lo, hi, xtol=1e-15)
        qv = Kz + tval
        P = float(np.sum(np.logaddexp(0.0, -y * qv))) + lam * float(np.abs(zval).sum())
        u = expit(-y * qv)
        theta = y * u
        s = max(1.0, float(np.abs(K.T @ theta).max(initial=0.0)) / lam)
        D = float(np.sum(_entropy(u / s)))
    else:
        qv = Kz + tval
        P = float(np.sum(np.maximum(0.0, 1 - y * qv))) + lam * float(np.abs(zval).sum())
        mu = np.clip(np.asarray(margins.dual_value, dtype=float), 0.0, 1.0)
        if fit_intercept:  # rescale the larger class's multipliers so that yᵀμ = 0 exactly
            pos, neg = mu[y > 0].sum(), mu[y < 0].sum()
            if pos > neg:
                mu[y > 0] *= neg / pos
            elif neg > pos:
                mu[y < 0] *= pos / neg
        s = max(1.0, float(np.abs(K.T @ (y * mu)).max(initial=0.0)) / lam)
        D = float(np.sum(mu)) / s
    gap = P - D
    if gap > tol * P:
        warnings.warn(f"cvxpy + Clarabel reached a certified duality gap of {gap:.3e} > tol·objective "
                      f"= {tol * P:.3e} (objective {P:.10g}) for the {loss} loss; the result is "
                      "near-optimal within that gap, not certified to tol", ConvergenceWarning,
                      stacklevel=3)
    columns = np.flatnonzero(zval)
    return LassoResult(columns=columns, coef=zval[columns, None], intercept=np.array([tval]),
                       objective=P, dual_objective=D, gap=gap, converged=gap <= tol * P, n_iter=1,
                       lam=lam)
