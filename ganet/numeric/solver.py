r"""Certified working-set solver for the (group) Lasso over a dictionary oracle.

Solves, for Y ∈ ℝ^{n×c} (c = 1: the Lasso; c > 1: Theorem 14's group penalty),

.. math::  \min_{Z, t}\; P(Z, t) = \tfrac12\|K Z + 1 t^\top - Y\|_F^2 + \lambda \sum_j \|Z_{j,:}\|_2 ,

with the intercept t unpenalized (``fit_intercept``). Only a working set of columns is ever
materialized:

1. solve the problem restricted to the working set. For c = 1 exactly, by the dual active-set
   method of :mod:`~ganet.numeric.active_set`, whose factorization is kept between rounds so each
   round only adds the new columns to the previous optimum (it is what makes the coherent, nearly
   interpolating ReLU dictionaries tractable where coordinate descent and interior points stall).
   For c > 1 (and as a fallback) Clarabel or an interior point to moderate accuracy, then block
   coordinate descent with Anderson extrapolation and gap-safe screening;
2. price the residual R over the **whole** dictionary (``violators``: the largest ‖K_jᵀR‖ and the
   worst violators, streamed for a matrix-free dictionary). Before each full pass, up to
   ``local_rounds`` cheaper rounds price only the hyperplanes one generator away from the support
   (``local_violators``, where the oracle offers it) and add their violators;
3. certify: with s = max(1, maxⱼ‖K_jᵀR‖₂/λ), Θ = R/s is dual feasible (1ᵀΘ = 0 by centering) and

   .. math:: \mathrm{gap} = P - \big(\tfrac12\|Y\|^2 - \tfrac12\|Y - \Theta\|^2\big) \ge P - P^\star \ge 0 ;

4. stop when gap ≤ tol·P, else add the most violated columns and repeat.
"""

import time
import warnings
from dataclasses import dataclass, field

import numba
import numpy as np
from sklearn.exceptions import ConvergenceWarning

from .active_set import ActiveSetError, DualActiveSet
from .dictionary import DEFAULT_MEMORY_LIMIT
from .ipm import basic_solution, lasso_ipm

__all__ = ["LassoResult", "solve_lasso", "dual_gap"]


@dataclass
class LassoResult:
    """Solution of :func:`solve_lasso`.

    Attributes
    ----------
    columns : ndarray of int
        Dictionary columns with a non-zero coefficient row.
    coef : ndarray, shape (len(columns), c)
        Their coefficients Z_{j,:}.
    intercept : ndarray, shape (c,)
    objective, dual_objective, gap : float
        P(Z, t), the certified dual value, and their difference (≥ P − P*).
    converged : bool
        Whether gap ≤ tol · objective.
    n_iter : int
        Outer (pricing) iterations.
    history : list of dict
        Per iteration: working-set size, objective, gap, seconds.
    """

    columns: np.ndarray
    coef: np.ndarray
    intercept: np.ndarray
    objective: float
    dual_objective: float
    gap: float
    converged: bool
    n_iter: int
    lam: float
    history: list = field(default_factory=list)


@numba.njit(cache=True)
def _bcd_epoch(K, Z, R, norms2, lam, active):
    """One pass of block coordinate descent; R = Y − K Z is kept up to date.

    Z_j ← BST(Z_j + K_jᵀR/‖K_j‖², λ/‖K_j‖²) with the block soft-threshold
    BST(g, τ) = max(0, 1 − τ/‖g‖₂) g (the ordinary soft-threshold when c = 1).
    """
    n, m = K.shape
    c = R.shape[1]
    g = np.empty(c)
    for j in range(m):
        if not active[j] or norms2[j] == 0.0:
            continue
        nrm = 0.0
        for k in range(c):
            s = 0.0
            for i in range(n):
                s += K[i, j] * R[i, k]
            g[k] = Z[j, k] + s / norms2[j]
            nrm += g[k] * g[k]
        nrm = np.sqrt(nrm)
        shrink = 1.0 - lam / (norms2[j] * nrm) if nrm > 0.0 else 0.0
        if shrink < 0.0:
            shrink = 0.0
        for k in range(c):
            delta = shrink * g[k] - Z[j, k]
            if delta != 0.0:
                for i in range(n):
                    R[i, k] -= K[i, j] * delta
                Z[j, k] += delta


def _primal(R, Z, lam):
    return 0.5 * float(np.sum(R * R)) + lam * float(np.linalg.norm(Z, axis=1).sum())


def dual_gap(Y, R, Z, lam, max_correlation):
    """Primal value, dual value and gap of DESIGN.md's certificate.

    Parameters
    ----------
    Y : ndarray, shape (n, c)
        Targets (centered when there is an intercept).
    R : ndarray, shape (n, c)
        Residual Y − K Z (− 1tᵀ).
    Z : ndarray
        Coefficient rows.
    max_correlation : float
        maxⱼ ‖K_jᵀ R‖₂ over every column of the dictionary the certificate is for.
    """
    P = _primal(R, Z, lam)
    s = max(1.0, max_correlation / lam)
    theta = R / s
    D = 0.5 * float(np.sum(Y * Y)) - 0.5 * float(np.sum((Y - theta) ** 2))
    return P, D, P - D


def _newton_on_support(K, Y, Z, R, lam):
    """Sign-fixed Newton step for c = 1, walking toward argmin of the quadratic with fixed signs.

    The support is first reduced to linearly independent columns (:func:`basic_solution`, which
    keeps the objective). On the support S with signs σ the objective is ½‖K_S z − y‖² + λσᵀz, minimized by
    (K_SᵀK_S) z = K_Sᵀy − λσ. Move from z_S toward that point, stopping at the first coordinate
    that would change sign (set exactly to zero). The objective never increases along this path.
    """
    Z[:, 0] = basic_solution(K, Z[:, 0])
    R[:, 0] = Y[:, 0] - K @ Z[:, 0]  # the null-space moves keep K z only up to rounding
    S = np.flatnonzero(Z[:, 0])
    if S.size == 0:
        return False
    zS = Z[S, 0]
    sigma = np.sign(zS)
    A = K[:, S]
    # A has independent columns: K_Sᵀ(K_S z − y) + λσ = 0 ⇔ z = A⁺(y − λ (A⁺)ᵀσ)
    target = np.linalg.lstsq(A, Y[:, 0] - lam * np.linalg.lstsq(A.T, sigma, rcond=None)[0], rcond=None)[0]
    step = target - zS
    crossing = (zS * step < 0) & (np.abs(step) > np.abs(zS))
    tau = 1.0
    if crossing.any():
        ratios = -zS[crossing] / step[crossing]
        tau = float(ratios.min())
    new = zS + tau * step
    if crossing.any():
        new[np.flatnonzero(crossing)[np.argmin(-zS[crossing] / step[crossing])]] = 0.0
    Rn = Y[:, 0] - A @ new
    old_obj = _primal(R, Z, lam)
    new_obj = 0.5 * float(Rn @ Rn) + lam * float(np.abs(new).sum())
    if new_obj > old_obj:
        return False
    Z[S, 0] = new
    R[:, 0] = Rn
    return True


def _anderson(iterates):
    """Anderson extrapolation of the last iterates (skglm's scheme); None if ill-posed."""
    U = np.diff(np.array(iterates), axis=0)
    C = U @ U.T
    try:
        w = np.linalg.solve(C + 1e-12 * np.trace(C) * np.eye(len(C)), np.ones(len(C)))
    except np.linalg.LinAlgError:
        return None
    if not np.all(np.isfinite(w)) or w.sum() == 0:
        return None
    w /= w.sum()
    return w @ np.array(iterates[1:])


def _group_socp(K, Y, lam):
    """min ½‖KZ − Y‖² + λ Σⱼ‖Z_j‖₂ on a small working set, by cvxpy + Clarabel."""
    import cvxpy as cp

    Z = cp.Variable((K.shape[1], Y.shape[1]))
    objective = 0.5 * cp.sum_squares(K @ Z - Y) + lam * cp.sum(cp.norm(Z, 2, axis=1))
    problem = cp.Problem(cp.Minimize(objective))
    try:
        problem.solve(solver="CLARABEL", tol_gap_abs=1e-10, tol_gap_rel=1e-10, tol_feas=1e-10)
    except cp.error.SolverError:
        return np.zeros(Z.shape)
    return np.zeros(Z.shape) if Z.value is None else np.asarray(Z.value)


def _materialize(dictionary, columns, center):
    """K[:, columns], centered column-wise when the model has an intercept (in place)."""
    K = dictionary.materialize(columns)
    if center:
        K -= K.mean(axis=0)
    return K


def _solve_working_set(K, Y, lam, Z, tol_abs, max_epochs):
    """Solve the Lasso restricted to the columns of K (centered) to a subproblem gap ≤ tol_abs."""
    K = np.asfortranarray(K)
    R = Y - K @ Z
    norms2 = np.einsum("ij,ij->j", K, K)
    norms = np.sqrt(norms2)
    active = np.ones(K.shape[1], dtype=np.bool_)
    if K.shape[1]:
        # c = 1: interior point to moderate accuracy, then crossover to the exact active set;
        # c > 1: the group-Lasso SOCP with Clarabel (block coordinate descent alone stalls on these
        # coherent dictionaries). Either way, rows with ‖K_jᵀR‖ clearly below λ are zeroed.
        Zs = lasso_ipm(K, Y[:, 0], lam)[0][:, None] if Y.shape[1] == 1 else _group_socp(K, Y, lam)
        Zs[np.linalg.norm(K.T @ (Y - K @ Zs), axis=1) < lam * (1 - 1e-3)] = 0.0
        Rs = Y - K @ Zs
        if _primal(Rs, Zs, lam) < _primal(R, Z, lam):
            Z[:], R[:] = Zs, Rs
    iterates = []
    gap = np.inf
    for epoch in range(1, max_epochs + 1):
        _bcd_epoch(K, Z, R, norms2, lam, active)
        if Y.shape[1] == 1:
            iterates.append(Z[:, 0].copy())
            if len(iterates) == 6:
                extrapolated = _anderson(iterates)
                iterates = []
                if extrapolated is not None:
                    R_ex = Y[:, 0] - K @ extrapolated
                    if 0.5 * R_ex @ R_ex + lam * np.abs(extrapolated).sum() < _primal(R, Z, lam):
                        Z[:, 0], R[:, 0] = extrapolated, R_ex
        if epoch % 5 == 0 or epoch == max_epochs:
            if Y.shape[1] == 1:
                _newton_on_support(K, Y, Z, R, lam)
            G = K.T @ R
            corr = np.linalg.norm(G, axis=1)
            P, D, gap = dual_gap(Y, R, Z, lam, corr.max(initial=0.0))
            if gap <= tol_abs:
                break
            # gap-safe screening: ‖K_jᵀθ‖ + ‖K_j‖√(2 gap) < λ  ⇒  Z_j = 0 at the optimum
            s = max(1.0, corr.max(initial=0.0) / lam)
            safe = corr / s + norms * np.sqrt(2.0 * max(gap, 0.0)) < lam
            for j in np.flatnonzero(safe & active):
                if np.any(Z[j]):
                    R += np.outer(K[:, j], Z[j])
                    Z[j] = 0.0
            active &= ~safe
    return Z, R, gap


def solve_lasso(dictionary, Y, lam, fit_intercept=True, tol=1e-8, max_iter=100, max_epochs=2000,
                initial_size=32, verbose=0, warm_start=None, max_seconds=None, min_add=None,
                local_rounds=10):
    """Minimize ½‖KZ + 1tᵀ − Y‖² + λ Σⱼ‖Z_j‖₂ over a dictionary oracle, to a certified gap.

    Parameters
    ----------
    dictionary : ColumnOracle
        A :class:`~ganet.numeric.dictionary.Dictionary` or a matrix-free
        :class:`~ganet.numeric.streaming.StreamingDictionary` (only ``materialize(cols)`` and
        ``violators(R, λ, k, scale, exclude)`` are used).
    Y : array_like, shape (n,) or (n, c)
    lam : float
        λ > 0.
    fit_intercept : bool
        Unpenalized intercept t.
    tol : float
        Stop when gap ≤ tol · P.
    max_iter : int
        Maximum outer (pricing) iterations.
    max_epochs : int
        Maximum coordinate-descent epochs per working-set solve (group Lasso and fallbacks).
    initial_size : int
        Columns of the first working set.
    min_add : int, optional
        Fewest violators offered to the working set per pricing round (when there are that
        many); by default 10,000, or the number of columns that fit in an eighth of the
        dictionary's ``memory_limit``.
    local_rounds : int
        At most this many rounds between two full passes that price only the neighbourhood of
        the support (for oracles with ``local_violators``, when it is much smaller than the
        dictionary; c = 1). The certificate always comes from a full pass.
    verbose : int
        1: a tqdm bar over the outer iterations; 2: also one line per iteration.
    warm_start : (columns, coef), optional
        Start from this solution (e.g. the previous λ of a regularization path).
    max_seconds : float, optional
        Stop after the first pricing round past this wall time (with a ConvergenceWarning, and
        the certified gap of the solution reached).

    Returns
    -------
    LassoResult
    """
    Y2 = np.asarray(Y, dtype=np.float64).reshape(len(Y), -1)
    n, c = Y2.shape
    ymean = Y2.mean(axis=0) if fit_intercept else np.zeros(c)
    Yc = Y2 - ymean
    history = []
    start = time.perf_counter()
    solve_seconds = 0.0
    bar = None
    if verbose:
        from tqdm.auto import tqdm
        bar = tqdm(total=max_iter, desc="working-set iterations", unit="it", leave=False)
    # c = 1: the dual active set keeps its factorization between rounds and receives only the
    # new columns; c > 1 (and a c = 1 fallback): the whole working set is re-solved each round
    state = None
    if c == 1:
        state = DualActiveSet(Yc[:, 0], lam, memory_limit=getattr(dictionary, "memory_limit", None))
    ws = np.zeros(0, dtype=np.int64)
    Z = np.zeros((0, c))
    if warm_start is not None and len(warm_start[0]):
        new = np.asarray(warm_start[0], dtype=np.int64)
        Z_new = np.asarray(warm_start[1], dtype=np.float64).reshape(len(new), c)
    else:
        new = dictionary.violators(Yc, lam, initial_size)[1]
        Z_new = np.zeros((len(new), c))
    if min_add is None:
        min_add = min(10_000, getattr(dictionary, "memory_limit", DEFAULT_MEMORY_LIMIT) // (64 * n))
    min_add = max(initial_size, int(min_add))
    tol_abs = np.inf
    P = D = gap = None
    scale = 1.0
    n_add = min_add
    it = 0
    for it in range(1, max_iter + 1):
        tic = time.perf_counter()
        if state is not None and len(new):
            try:
                state.solve(_materialize(dictionary, new, fit_intercept), new)
            except ActiveSetError as err:  # cycling under rounding: re-solve from here on
                warnings.warn(f"{err}; falling back to the interior-point working set",
                              RuntimeWarning, stacklevel=2)
                ws, Z, state = state.columns, state.coef[:, None], None
        if state is None and len(ws) + len(new):  # (re-solved more tightly when nothing was added)
            ws, Z = np.concatenate([ws, new]), np.vstack([Z, Z_new])
            K = _materialize(dictionary, ws, fit_intercept)
            P_est = P if P is not None else 0.5 * float(np.sum(Yc * Yc))
            sub_tol = min(tol_abs, 0.1 * tol * P_est)
            Z, R, _ = _solve_working_set(K, Yc, lam, Z, max(sub_tol, 1e-16), max_epochs)
        if state is None and not len(ws):
            R = Yc.copy()
        solve_seconds += time.perf_counter() - tic
        # local rounds: the neighbourhoods of the support, priced at a fraction of a full pass
        for _ in range(local_rounds if state is not None else 0):
            near = dictionary.local_violators(state.theta[:, None], lam, n_add, scale,
                                              around=state.columns)
            if near is None or not len(near):
                break
            tic = time.perf_counter()
            try:
                state.solve(_materialize(dictionary, near, fit_intercept), near)
            except ActiveSetError:
                break  # the full pass goes on from the last consistent state
            finally:
                solve_seconds += time.perf_counter() - tic
        if state is not None:
            ws, Z, R = state.columns, state.coef[:, None], state.theta[:, None]
        if c == 1 and state is None:
            # the fallback's subproblem is solved to high accuracy, so dropping the columns that
            # left the support keeps the objective
            keep = Z[:, 0] != 0
            ws, Z = ws[keep], Z[keep]
        # each round offers the active set at least three times the support, and at least
        # min_add columns: the exact subproblem only activates the useful ones, and large offers
        # save pricing passes (Gaussian n = 1000, d = 3: 65 passes with 3·support, 29 with
        # 10,000). Violators are ranked by the distance from the scaled dual point θ = R/s
        # to their constraint, (‖K_jᵀR‖/s − λ)/‖K_j‖ (celer's priority; s from the previous
        # pass), not by the raw correlation, which favours long columns (hyperplanes far from the
        # data, nearly linear on it) over the ones the optimum uses
        n_add = max(initial_size, 3 * len(ws), min_add) if c == 1 else max(initial_size, len(ws))
        max_score, new = dictionary.violators(R, lam, n_add, scale=scale, exclude=ws)
        Z_new = np.zeros((len(new), c))
        scale = max(1.0, max_score / lam)
        P, D, gap = dual_gap(Yc, R, Z, lam, max_score)
        history.append(dict(iteration=it, working_set=len(ws), objective=P, gap=gap,
                            seconds=time.perf_counter() - start, solve_seconds=solve_seconds))
        if bar is not None:
            bar.update(1)
            bar.set_postfix(support=len(ws), objective=f"{P:.8g}", gap=f"{gap:.2e}")
            if verbose > 1:
                bar.write(f"  iteration {it:3d}: working set {len(ws):6d}  objective {P:.10g}  gap {gap:.3e}")
        if gap <= tol * P or P == 0.0:
            break
        if max_seconds is not None and time.perf_counter() - start > max_seconds:
            break
        if new.size == 0:  # the working-set solve was not accurate enough: tighten it
            tol_abs = 0.1 * min(tol_abs, gap)
            continue
        tol_abs = min(tol_abs, 0.3 * gap)
    if bar is not None:
        bar.close()
    keep = np.linalg.norm(Z, axis=1) > 0
    columns, coef = ws[keep], Z[keep]
    K = dictionary.materialize(columns) if len(columns) else np.zeros((n, 0))
    if c == 1 and len(columns):  # return a basic solution: independent active columns, same objective
        z = basic_solution(K - K.mean(axis=0) if fit_intercept else K, coef[:, 0])
        columns, coef, K = columns[z != 0], z[z != 0, None], K[:, z != 0]
    intercept = ymean - (K.mean(axis=0) @ coef if fit_intercept and len(columns) else 0.0)
    # the certificate is recomputed from scratch for exactly the solution returned
    R = Y2 - K @ coef - intercept
    max_score, _ = dictionary.violators(R, lam, 0)
    P, D, gap = dual_gap(Yc, R, coef, lam, max_score)
    converged = gap <= tol * P or P == 0.0
    if not converged:
        warnings.warn(f"solver stopped after {it} iterations ({time.perf_counter() - start:.0f} s) with duality gap {gap:.3e} > "
                      f"tol·objective = {tol * P:.3e} (objective {P:.10g}); the result is not "
                      "certified optimal: raise max_iter or tol", ConvergenceWarning, stacklevel=2)
    return LassoResult(columns=columns, coef=coef, intercept=np.atleast_1d(intercept), objective=P,
                       dual_objective=D, gap=gap, converged=converged, n_iter=it, lam=lam,
                       history=history)
