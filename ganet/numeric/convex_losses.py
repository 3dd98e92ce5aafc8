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

_WHOLE = 20_000  # columns up to which one program over the whole dictionary is solved


def _logistic_intercept(Kz, y, t0):
    """The exact minimizer in t of Σ log(1 + e^{−yᵢ(Kz + t)ᵢ}): Σ yᵢσ(−yᵢqᵢ) = 0, monotone in t."""
    f = lambda s: float(np.sum(y * expit(-y * (Kz + s))))  # noqa: E731
    lo, hi = t0 - 1.0, t0 + 1.0
    while f(lo) < 0:
        lo -= 2 * (hi - lo)
    while f(hi) > 0:
        hi += 2 * (hi - lo)
    return brentq(f, lo, hi, xtol=1e-15)


def _certify(K, y, z, t, lam, loss, fit_intercept, multipliers, max_correlation=None):
    """(P, D, gap, t, θ) of the point z over the columns K (the logistic intercept re-optimized
    exactly); ``max_correlation`` prices θ over the whole dictionary (default: the columns K)."""
    datafit = DATAFITS[loss]
    Kz = K @ z
    if loss == "logistic" and fit_intercept:
        t = _logistic_intercept(Kz, y, t)
    q = Kz + t
    theta = datafit.dual_point(q, y) if loss == "logistic" else datafit.dual_point(q, y, multipliers)
    top = max_correlation or (lambda th: np.abs(K.T @ th).max(initial=0.0))
    P, D, gap = fenchel_gap(datafit, q, y, np.abs(z).sum(), lam, theta, top, fit_intercept)
    return P, D, gap, t, theta


def _logistic_lbfgs(K, y, lam, fit_intercept, z0=None):
    """min Σ log(1 + e^{−yᵢqᵢ}) + λ‖z‖₁, q = Kz + t, as a smooth bound-constrained problem in
    z = z⁺ − z⁻ (z± ≥ 0) solved by L-BFGS-B — the fallback when the conic solver fails. It always
    returns a point; its quality is judged by the certificate."""
    from scipy.optimize import minimize

    n, p = K.shape

    def f(v):
        zp, zm, t = v[:p], v[p:2 * p], (v[-1] if fit_intercept else 0.0)
        q = K @ (zp - zm) + t
        g = -y * expit(-y * q)
        Kg = K.T @ g
        grad = np.concatenate([Kg + lam, -Kg + lam, [g.sum()] if fit_intercept else []])
        return float(np.sum(np.logaddexp(0.0, -y * q)) + lam * (zp.sum() + zm.sum())), grad

    v0 = np.zeros(2 * p + fit_intercept)
    if z0 is not None:
        v0[:p], v0[p:2 * p] = np.maximum(z0, 0.0), np.maximum(-z0, 0.0)
    bounds = [(0.0, None)] * (2 * p) + ([(None, None)] if fit_intercept else [])
    res = minimize(f, v0, jac=True, method="L-BFGS-B", bounds=bounds,
                   options=dict(maxiter=50_000, maxfun=100_000, ftol=1e-16, gtol=1e-13, maxcor=30))
    v = res.x
    return v[:p] - v[p:2 * p], (float(v[-1]) if fit_intercept else 0.0)


def _working_set_logistic(K, y, lam, fit_intercept, z, t, tol, rounds=20, add=50):
    """Refine (z, t) by Clarabel on working sets: the support plus the columns that violate the
    dual constraint most, until the certificate over all columns meets tol (the small problems
    are solved where the whole one failed)."""
    import cvxpy as cp

    best = (z, t, _certify(K, y, z, t, lam, "logistic", fit_intercept, None)[2])
    for _ in range(rounds):
        z, t, gap = best
        P, _, _, t_exact, theta = _certify(K, y, z, t, lam, "logistic", fit_intercept, None)
        if gap <= tol * P:
            break
        scores = np.abs(K.T @ theta)
        ws = np.union1d(np.flatnonzero(z), np.argsort(-scores)[:add])
        Kw = K[:, ws]
        norms = np.linalg.norm(Kw, axis=0)
        u = cp.Variable(len(ws))
        tv = cp.Variable() if fit_intercept else 0.0
        obj = cp.sum(cp.logistic(-cp.multiply(y, (Kw / norms) @ u + tv))) + lam * cp.norm1(cp.multiply(1 / norms, u))
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", UserWarning)
                cp.Problem(cp.Minimize(obj)).solve(solver="CLARABEL", tol_gap_abs=1e-11, tol_gap_rel=1e-11,
                                                   tol_feas=1e-11)
        except cp.error.SolverError:
            break
        if u.value is None:
            break
        trial = np.zeros_like(z)
        trial[ws] = np.asarray(u.value) / norms
        t_trial = float(tv.value) if fit_intercept else 0.0
        g = _certify(K, y, trial, t_trial, lam, "logistic", fit_intercept, None)[2]
        if g >= gap:
            break
        best = (trial, t_trial, g)
    return best[0], best[1]


def _restricted(K, y, lam, loss, fit_intercept, tol):
    """Solve min ℓ(Kz + t1, y) + λ‖z‖₁ on the columns K: Clarabel at tight tolerances, then the
    fallbacks (it has raised SolverError on small separable sets, not reproducibly): hinge is an
    LP (HiGHS), logistic goes to L-BFGS-B refined by Clarabel on working sets. Returns (z, t, μ)
    with μ the hinge margin multipliers (None for logistic or when they are not available)."""
    import cvxpy as cp

    u = cp.Variable(K.shape[1])
    t = cp.Variable() if fit_intercept else 0.0
    q = K @ u + t
    penalty = lam * cp.norm1(u)
    margins = None
    if loss == "logistic":
        problem = cp.Problem(cp.Minimize(cp.sum(cp.logistic(-cp.multiply(y, q))) + penalty))
    else:
        xi = cp.Variable(len(y))
        margins = xi >= 1 - cp.multiply(y, q)
        problem = cp.Problem(cp.Minimize(cp.sum(xi) + penalty), [xi >= 0, margins])
    attempts = [("CLARABEL", dict(tol_gap_abs=1e-11, tol_gap_rel=1e-11, tol_feas=1e-11))]
    attempts += [("HIGHS", {})] if loss == "hinge" else []
    attempts += [("CLARABEL", {})]
    for solver, options in attempts:
        with warnings.catch_warnings():  # accuracy is judged by the certificate, not by cvxpy
            warnings.simplefilter("ignore", UserWarning)
            try:
                problem.solve(solver=solver, **options)
            except (cp.error.SolverError, ValueError):  # ValueError: cvxpy on a status "unknown"
                continue
        if u.value is not None and (margins is None or margins.dual_value is not None):
            mu = np.asarray(margins.dual_value, dtype=float) if margins is not None else None
            return np.asarray(u.value, dtype=float), (float(t.value) if fit_intercept else 0.0), mu
    if loss == "hinge":
        raise FloatingPointError("Clarabel and HiGHS both failed on the hinge-loss program")
    z, t0 = _logistic_lbfgs(K, y, lam, fit_intercept)
    z, t0 = _working_set_logistic(K, y, lam, fit_intercept, z, t0, tol)
    return z, t0, None


def solve_convex_loss(dictionary, y, lam, loss, fit_intercept=True, tol=1e-8, initial_size=64, add=64,
                      max_rounds=100):
    """Minimize ℓ(Kz + t1, y) + λ‖z‖₁ (ℓ logistic or hinge, y ∈ {−1, +1}) over a dictionary.

    Up to ``_WHOLE`` columns the conic program is solved over all of them at once
    (:func:`_restricted`). Larger (streaming) dictionaries use a working set: the program on a few
    columns, its dual point priced over **every** column, the worst violators joining, until the
    certified Fenchel gap meets ``tol`` — the structure of the squared loss.

    Returns
    -------
    LassoResult
        ``coef`` has one column; ``gap`` is the certified duality gap over the whole dictionary.
    """
    if loss not in ("logistic", "hinge"):
        raise ValueError(f"loss must be 'logistic' or 'hinge'; got {loss!r}")
    y = np.asarray(y, dtype=float)
    found = {}

    def price(theta):  # the whole dictionary: its largest correlation, and the worst columns
        top, cols = dictionary.violators(theta, 0.0, add, exclude=found.get("ws"))
        found["new"] = cols
        return top

    if dictionary.n_columns <= _WHOLE:  # small: one conic program over every column
        ws = np.arange(dictionary.n_columns, dtype=np.int64)
    else:
        _, first = dictionary.violators(y - y.mean() if fit_intercept else y, 0.0, initial_size)
        ws = np.unique(np.asarray(first, dtype=np.int64))
    best = None
    for n_iter in range(1, max_rounds + 1):
        K = dictionary.materialize(ws) if len(ws) else np.zeros((len(y), 0))
        z, t, mu = _restricted(K, y, lam, loss, fit_intercept, tol) if len(ws) else \
            (np.zeros(0), 0.0, np.ones(len(y)) if loss == "hinge" else None)
        found["ws"] = ws
        P, D, gap, t, theta = _certify(K, y, z, t, lam, loss, fit_intercept, mu, price)
        if best is None or gap < best[4]:
            best = (ws, z, t, P, gap, D, theta, mu, K)
        new = np.setdiff1d(np.asarray(found["new"], dtype=np.int64), ws)
        if gap <= tol * P or not len(new):
            break
        ws = np.union1d(ws, new)
    ws, zval, tval, P, gap, D, theta, mu, K = best
    found["ws"] = None
    # drop the smallest coefficients while the certificate allows (binary search on how many)
    order = np.argsort(np.abs(zval))
    order = order[zval[order] != 0]
    allowed = max(tol * P, gap)
    lo, hi = 0, len(order)
    while lo < hi:
        k = (lo + hi + 1) // 2
        trial = zval.copy()
        trial[order[:k]] = 0.0
        Pk, Dk, gk, tk, thk = _certify(K, y, trial, tval, lam, loss, fit_intercept, mu, price)
        if gk <= allowed:
            lo, best = k, (trial, tk, Pk, Dk, gk, thk)
        else:
            hi = k - 1
    if lo:
        zval, tval, P, D, gap, theta = best
    if gap > tol * P:
        warnings.warn(f"the {loss} fit reached a certified duality gap of {gap:.3e} > tol·objective = "
                      f"{tol * P:.3e} (objective {P:.10g}); the result is near-optimal within that gap, "
                      "not certified to tol", ConvergenceWarning, stacklevel=3)
    keep = np.flatnonzero(zval)
    return LassoResult(columns=ws[keep], coef=zval[keep, None], intercept=np.array([tval]),
                       objective=P, dual_objective=D, gap=gap, converged=gap <= tol * P, n_iter=n_iter,
                       lam=lam, dual_point=theta)
