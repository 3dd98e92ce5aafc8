r"""Logistic and hinge losses over a materialized dictionary with cvxpy + Clarabel (small data).

Solves min_{z,t} ℓ(Kz + t1, y) + λ‖z‖₁ for labels y ∈ {−1, +1} and certifies the result with the
Fenchel dual of :mod:`ganet.numeric.datafits`: the dual point is σ(−yᵢqᵢ)yᵢ (logistic) or the
multipliers of the margin constraints (hinge), made exactly feasible (1ᵀθ = 0 by rebalancing the
classes, then scaled by s = max(1, ‖Kᵀθ‖∞/λ)), so gap = P − D ≥ P − P* holds whatever accuracy
the conic solver reached.

The conic solution has many coefficients at the solver's noise level (1e-13 where the optimum
has zeros). They are removed by the certificate, not by a relative cut-off: the smallest ones
are dropped as long as the certified gap of what remains stays within max(tol·P, the gap before).
"""

import warnings

import numpy as np
from scipy.optimize import brentq
from scipy.special import expit
from sklearn.exceptions import ConvergenceWarning

from .datafits import DATAFITS, fenchel_gap
from .solver import LassoResult

__all__ = ["solve_convex_loss"]


def _logistic_intercept(Kz, y, t0):
    """The exact minimizer in t of Σ log(1 + e^{−yᵢ(Kz + t)ᵢ}): Σ yᵢσ(−yᵢqᵢ) = 0, monotone in t."""
    f = lambda s: float(np.sum(y * expit(-y * (Kz + s))))  # noqa: E731
    lo, hi = t0 - 1.0, t0 + 1.0
    while f(lo) < 0:
        lo -= 2 * (hi - lo)
    while f(hi) > 0:
        hi += 2 * (hi - lo)
    return brentq(f, lo, hi, xtol=1e-15)


def _certify(K, y, z, t, lam, loss, fit_intercept, multipliers):
    """(P, D, gap, t, θ) of the point z (the logistic intercept re-optimized exactly)."""
    datafit = DATAFITS[loss]
    Kz = K @ z
    if loss == "logistic" and fit_intercept:
        t = _logistic_intercept(Kz, y, t)
    q = Kz + t
    theta = datafit.dual_point(q, y) if loss == "logistic" else datafit.dual_point(q, y, multipliers)
    P, D, gap = fenchel_gap(datafit, q, y, np.abs(z).sum(), lam, theta,
                            lambda th: np.abs(K.T @ th).max(initial=0.0), fit_intercept)
    return P, D, gap, t, theta


def solve_convex_loss(dictionary, y, lam, loss, fit_intercept=True, tol=1e-8):
    """Minimize ℓ(Kz + t1, y) + λ‖z‖₁ (ℓ logistic or hinge, y ∈ {−1, +1}) on the full dictionary.

    Returns
    -------
    LassoResult
        ``coef`` has one column; ``gap`` is the certified duality gap.
    """
    import cvxpy as cp

    if loss not in ("logistic", "hinge"):
        raise ValueError(f"loss must be 'logistic' or 'hinge'; got {loss!r}")
    K = dictionary.materialize()
    y = np.asarray(y, dtype=float)
    z = cp.Variable(K.shape[1])
    t = cp.Variable() if fit_intercept else 0.0
    q = K @ z + t
    penalty = lam * cp.norm1(z)
    margins = None
    if loss == "logistic":
        problem = cp.Problem(cp.Minimize(cp.sum(cp.logistic(-cp.multiply(y, q))) + penalty))
    else:
        xi = cp.Variable(len(y))
        margins = xi >= 1 - cp.multiply(y, q)
        problem = cp.Problem(cp.Minimize(cp.sum(xi) + penalty), [xi >= 0, margins])
    with warnings.catch_warnings():  # accuracy is judged by the certificate below, not by cvxpy
        warnings.simplefilter("ignore", UserWarning)
        problem.solve(solver="CLARABEL", tol_gap_abs=1e-11, tol_gap_rel=1e-11, tol_feas=1e-11)
    zval = np.asarray(z.value, dtype=float)
    tval = float(t.value) if fit_intercept else 0.0
    mu = np.asarray(margins.dual_value, dtype=float) if margins is not None else None
    P, D, gap, tval, theta = _certify(K, y, zval, tval, lam, loss, fit_intercept, mu)
    # drop the smallest coefficients while the certificate allows (binary search on how many)
    order = np.argsort(np.abs(zval))
    order = order[zval[order] != 0]
    allowed = max(tol * P, gap)
    lo, hi, best = 0, len(order), (zval, tval, P, D, gap, theta)
    while lo < hi:
        k = (lo + hi + 1) // 2
        trial = zval.copy()
        trial[order[:k]] = 0.0
        Pk, Dk, gk, tk, thk = _certify(K, y, trial, tval, lam, loss, fit_intercept, mu)
        if gk <= allowed:
            lo, best = k, (trial, tk, Pk, Dk, gk, thk)
        else:
            hi = k - 1
    zval, tval, P, D, gap, theta = best
    if gap > tol * P:
        warnings.warn(f"cvxpy + Clarabel reached a certified duality gap of {gap:.3e} > tol·objective "
                      f"= {tol * P:.3e} (objective {P:.10g}) for the {loss} loss; the result is "
                      "near-optimal within that gap, not certified to tol", ConvergenceWarning,
                      stacklevel=3)
    columns = np.flatnonzero(zval)
    return LassoResult(columns=columns, coef=zval[columns, None], intercept=np.array([tval]),
                       objective=P, dual_objective=D, gap=gap, converged=gap <= tol * P, n_iter=1,
                       lam=lam, dual_point=theta)
