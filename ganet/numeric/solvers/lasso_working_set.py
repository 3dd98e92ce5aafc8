r"""Certified working-set solver for the (group) Lasso over a dictionary oracle.

Solves, for Y ∈ ℝ^{n×c} (c = 1: the Lasso; c > 1: Theorem 14's group penalty),

.. math::  \min_{Z, t}\; P(Z, t) = \tfrac12\|K Z + 1 t^\top - Y\|_F^2 + \lambda \sum_j \|Z_{j,:}\|_2 ,

with the intercept t unpenalized (``fit_intercept``). Only a working set of columns is ever
materialized:

1. solve the problem restricted to the working set. For c = 1 exactly, by the dual active-set
   method of :mod:`~ganet.numeric.solvers.active_set`, whose factorization is kept between rounds so each
   round only adds the new columns to the previous optimum (it is what makes the coherent, nearly
   interpolating ReLU dictionaries tractable where coordinate descent and interior points stall).
   For c > 1 (and as a fallback) by the semismooth Newton augmented Lagrangian method of
   :mod:`~ganet.numeric.solvers.ssnal`, warm-started from the previous round;
2. price the residual R over the **whole** dictionary (``violators``: the largest ‖K_jᵀR‖ and the
   worst violators, streamed for a matrix-free dictionary). Before each full pass, up to
   ``local_rounds`` cheaper rounds price only the hyperplanes one generator away from the support
   (``local_violators``, where the oracle offers it) and add their violators;
3. certify: with s = max(1, maxⱼ‖K_jᵀR‖₂/λ), Θ = R/s is dual feasible (1ᵀΘ = 0 by centering) and

   .. math:: \mathrm{gap} = P - \big(\langle \Theta, Y\rangle - \tfrac12\|\Theta\|^2\big)
             \ge P - P^\star \ge 0 ;

4. stop when gap ≤ tol·P, else add the most violated columns and repeat.

The returned solution is certified by the last full pass without pricing it again: its residual
R' differs from the priced R by rounding (and by the move to a basic solution), and
maxⱼ‖K_jᵀR'‖ ≤ maxⱼ‖K_jᵀR‖ + maxⱼ‖K_j‖₂·‖R' − R‖_F with the oracle's bound on the column norms.
Y is scaled internally by a power of two (exact), so no target is too large or too small.
"""

import numbers
import sys
import time
import warnings
from dataclasses import dataclass, field

import numpy as np
from sklearn.exceptions import ConvergenceWarning

from ..runtime.memory import DEFAULT_MEMORY_LIMIT
from ..runtime.threads import single_threaded_blas
from ..runtime.validation import as_finite_array
from .active_set import ActiveSetError, DualActiveSet
from .basic_solution import basic_solution
from .ssnal import group_lasso_ssnal

__all__ = ["LassoResult", "solve_lasso", "dual_gap", "power_of_two"]


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
    dual_point : ndarray or None
        The loss's dual point θ behind the certificate (logistic and hinge solves).
    stopped : str
        Why the iterations ended: "converged", "max_iter", "max_seconds", or "rounding" (the
        violations left were below the working-set solver's rounding floor: more rounds would
        not change the solution).
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
    stopped: str = "converged"
    dual_point: object = None


def power_of_two(value):
    """The power of two nearest to |value| in log scale (1 for 0): an exact scaling factor."""
    value = abs(float(value))
    return 2.0 ** int(np.round(np.log2(value))) if value > 0 and np.isfinite(value) else 1.0


def _primal(R, Z, lam):
    return 0.5 * float(np.sum(R * R)) + lam * float(np.linalg.norm(Z, axis=1).sum())


def dual_gap(Y, R, Z, lam, max_correlation):
    """Primal value, dual value and gap of the certificate of docs/conventions.md.

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

    Raises
    ------
    FloatingPointError
        If max_correlation is NaN or infinite (it would otherwise pass as max(1, nan) = 1).
    """
    if not np.isfinite(max_correlation):
        raise FloatingPointError(f"the largest correlation is {max_correlation}: no certificate")
    P = _primal(R, Z, lam)
    s = max(1.0, max_correlation / lam)
    # ½‖Y‖² − ½‖Y − Θ‖² written without the cancellation of two large squares
    D = float(np.sum(R * Y)) / s - 0.5 * float(np.sum(R * R)) / s ** 2
    return P, D, P - D


def progress_line(history, tol):
    """One log line per full pricing pass: objective, gap, time, and an ETA from the passes
    measured so far — the mean decrease of log(relative gap) per pass and the mean seconds per
    pass give the passes left to reach tol (none before two passes, or while the gap does not
    fall). Not from max_iter: that is a cap, not a forecast."""
    h = history[-1]
    rel = h["gap"] / max(h["objective"], 1e-300)
    line = (f"  pass {h['iteration']:3d}: working set {h['working_set']:6d}  objective "
            f"{h['objective']:.10g}  relative gap {rel:.2e}  {h['seconds']:.1f} s")
    if len(history) >= 2 and rel > tol:
        first = history[0]
        rel0 = first["gap"] / max(first["objective"], 1e-300)
        steps = len(history) - 1
        rate = (np.log(max(rel0, 1e-300)) - np.log(max(rel, 1e-300))) / steps
        if rate > 0:
            per_pass = (h["seconds"] - first["seconds"]) / steps
            left = np.log(rel / tol) / rate
            line += f"  ETA ~{left * per_pass:.0f} s ({left:.0f} passes at the rate so far)"
    return line


def _materialize(dictionary, columns, center):
    """K[:, columns], centered column-wise when the model has an intercept (in place)."""
    K = dictionary.materialize(columns)
    if center:
        K -= K.mean(axis=0)
    return K


def _check_args(lam, tol, max_iter, max_seconds):
    if not isinstance(lam, numbers.Real) or isinstance(lam, bool) or not (np.isfinite(lam) and lam > 0):
        raise ValueError(f"lam must be a positive finite number; got {lam!r}")
    if not isinstance(tol, numbers.Real) or not 0 < tol < 1:
        raise ValueError(f"tol must lie in (0, 1): a relative duality gap; got {tol!r}")
    if not isinstance(max_iter, numbers.Integral) or isinstance(max_iter, bool) or max_iter < 1:
        raise ValueError(f"max_iter must be a positive integer; got {max_iter!r}")
    if max_seconds is not None and (not isinstance(max_seconds, numbers.Real)
                                    or not max_seconds > 0):
        raise ValueError(f"max_seconds must be a positive number or None; got {max_seconds!r}")


def solve_lasso(dictionary, Y, lam, fit_intercept=True, tol=1e-8, max_iter=100, initial_size=32,
                verbose=0, warm_start=None, max_seconds=None, min_add=None, local_rounds=10):
    """Minimize ½‖KZ + 1tᵀ − Y‖² + λ Σⱼ‖Z_j‖₂ over a dictionary oracle, to a certified gap.

    Parameters
    ----------
    dictionary : ~ganet.numeric.oracles.protocol.ColumnOracle
        A :class:`~ganet.numeric.oracles.two_layer.Dictionary` or a matrix-free
        :class:`~ganet.numeric.oracles.streaming.StreamingDictionary` (``materialize(cols)``,
        ``violators(R, λ, k, scale, exclude)`` and ``column_norm_bound()`` are used).
    Y : array_like, shape (n,) or (n, c)
    lam : float
        λ > 0.
    fit_intercept : bool
        Unpenalized intercept t.
    tol : float
        Stop when gap ≤ tol · P (0 < tol < 1).
    max_iter : int
        Maximum outer (pricing) iterations.
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
        ≥ 1: one line per full pricing pass on stderr (:func:`progress_line`: objective, gap,
        seconds, an ETA from the passes measured).
    warm_start : (columns, coef), optional
        Start from this solution (e.g. the previous λ of a regularization path).
    max_seconds : float, optional
        Wall-time budget. The working-set solves and the outer loop check it; when it runs out
        the solution of the last full pricing pass is returned with its certified gap (and a
        ConvergenceWarning if that gap is above tol).

    Returns
    -------
    LassoResult
    """
    _check_args(lam, tol, max_iter, max_seconds)
    with single_threaded_blas():  # small dense algebra: threads cost more than they give
        return _solve_lasso(dictionary, Y, lam, fit_intercept, tol, max_iter, initial_size, verbose,
                            warm_start, max_seconds, min_add, local_rounds)


def _solve_lasso(dictionary, Y, lam, fit_intercept, tol, max_iter, initial_size, verbose,
                 warm_start, max_seconds, min_add, local_rounds):
    Y2 = as_finite_array(Y, "Y", ndim=(1, 2))
    Y2 = Y2.reshape(len(Y2), -1)
    n, c = Y2.shape
    if n != dictionary.X.shape[0]:
        raise ValueError(f"Y has {n} rows but the dictionary has n = {dictionary.X.shape[0]} samples")
    start = time.perf_counter()
    deadline = None if max_seconds is None else start + float(max_seconds)
    ymean = Y2.mean(axis=0) if fit_intercept else np.zeros(c)
    # an exact power-of-two scaling: the iterations see targets of order one
    tau = power_of_two(np.abs(Y2 - ymean).max(initial=0.0))
    Yt, lt = (Y2 - ymean) / tau, lam / tau
    if 2 * np.log2(tau) + np.log2(max(0.5 * float(np.sum(Yt * Yt)), 1e-300)) > 1000:
        raise OverflowError(f"the objective ½‖y − ȳ‖² of targets this large (max |y| = "
                            f"{np.abs(Y2).max():.3g}) exceeds the float64 range; rescale y")
    history = []
    solve_seconds = 0.0
    memory_limit = getattr(dictionary, "memory_limit", DEFAULT_MEMORY_LIMIT)
    # c = 1: the dual active set keeps its factorization between rounds and receives only the
    # new columns; c > 1 (and a c = 1 fallback): SSNAL re-solves the working set, warm-started
    state = DualActiveSet(Yt[:, 0], lt, memory_limit=memory_limit) if c == 1 else None
    ws = np.zeros(0, dtype=np.int64)
    Z = np.zeros((0, c))
    if warm_start is not None and len(warm_start[0]):
        new = np.asarray(warm_start[0], dtype=np.int64)
        Z_new = np.asarray(warm_start[1], dtype=np.float64).reshape(len(new), c) / tau
    else:
        first_score, new = dictionary.violators(Yt, lt, initial_size, deadline=deadline)
        Z_new = np.zeros((len(new), c))
    if min_add is None:
        min_add = min(10_000, memory_limit // (64 * n))
    min_add = max(initial_size, int(min_add))
    tol_abs = np.inf
    P = None
    scale = 1.0
    n_add = min_add
    snapshot = None  # (working set, Z, priced residual, its max score) of the last full pass
    if warm_start is None or not len(warm_start[0]):
        if first_score is not None:  # the first pass priced z = 0: its certificate, to begin with
            snapshot = (np.zeros(0, dtype=np.int64), np.zeros((0, c)), Yt.copy(), first_score)
    # the best dual value of any full pass: a lower bound of P* for every point (used when the
    # budget leaves a better working-set point than the last priced one)
    best_dual = -np.inf if snapshot is None else dual_gap(Yt, Yt, snapshot[1], lt, first_score)[1]
    stopped = "max_iter"
    it = 0
    for it in range(1, max_iter + 1):
        tic = time.perf_counter()
        steps = state.n_steps if state is not None else None
        if state is not None and len(new):
            try:
                state.solve(_materialize(dictionary, new, fit_intercept), new, deadline=deadline)
            except ActiveSetError as err:  # cycling under rounding: re-solve from here on
                if verbose:
                    warnings.warn(f"{err}; continuing with the SSNAL working-set solver",
                                  RuntimeWarning, stacklevel=2)
                ws, Z, state = state.columns, state.coef[:, None], None
        if state is None and len(ws) + len(new):  # (re-solved more tightly when nothing was added)
            ws, Z = np.concatenate([ws, new]), np.vstack([Z, Z_new])
            K = _materialize(dictionary, ws, fit_intercept)
            P_est = P if P is not None else 0.5 * float(np.sum(Yt * Yt))
            # as accurate as the certificate needs, or a thousandth of the last full gap: early
            # rounds only decide which columns enter, and SSNAL's cost grows with the accuracy
            sub_tol = max(0.1 * tol * P_est, 1e-3 * min(tol_abs, 0.5 * float(np.sum(Yt * Yt))))
            Z, _ = group_lasso_ssnal(K, Yt, lt, Z, tol=max(sub_tol, 1e-16), deadline=deadline)
            R = Yt - K @ Z
            keep = np.linalg.norm(Z, axis=1) > 0  # solved accurately: the others left the support
            ws, Z = ws[keep], Z[keep]
        if state is None and not len(ws):
            R = Yt.copy()
        solve_seconds += time.perf_counter() - tic
        # local rounds: the neighbourhoods of the support, priced at a fraction of a full pass
        for _ in range(local_rounds if state is not None else 0):
            if deadline is not None and time.perf_counter() > deadline:
                break
            near = dictionary.local_violators(state.theta[:, None], lt, n_add, scale,
                                              around=state.columns)
            if near is None or not len(near):
                break
            tic = time.perf_counter()
            try:
                state.solve(_materialize(dictionary, near, fit_intercept), near, deadline=deadline)
            except ActiveSetError:
                break  # the full pass goes on from the last consistent state
            finally:
                solve_seconds += time.perf_counter() - tic
        if state is not None:
            ws, Z, R = state.columns, state.coef[:, None], state.theta[:, None]
        # each round offers the active set at least three times the support, and at least
        # min_add columns: the exact subproblem only activates the useful ones, and large offers
        # save pricing passes (Gaussian n = 1000, d = 3: 65 passes with 3·support, 29 with
        # 10,000). Violators are ranked by the distance from the scaled dual point θ = R/s
        # to their constraint, (‖K_jᵀR‖/s − λ)/‖K_j‖ (celer's priority; s from the previous
        # pass), not by the raw correlation, which favours long columns (hyperplanes far from the
        # data, nearly linear on it) over the ones the optimum uses
        n_add = max(initial_size, 3 * len(ws), min_add) if c == 1 else max(initial_size, len(ws), n)
        max_score, new = dictionary.violators(R, lt, n_add, scale=scale, exclude=ws, deadline=deadline)
        if max_score is None:  # the pass stopped at the budget: it certifies nothing
            stopped = "max_seconds"
            break
        snapshot = (ws.copy(), Z.copy(), R.copy(), max_score)
        Z_new = np.zeros((len(new), c))
        scale = max(1.0, max_score / lt)
        P, D_pass, gap = dual_gap(Yt, R, Z, lt, max_score)
        best_dual = max(best_dual, D_pass)
        history.append(dict(iteration=it, working_set=len(ws), objective=P * tau ** 2,
                            gap=gap * tau ** 2, seconds=time.perf_counter() - start,
                            solve_seconds=solve_seconds))
        if verbose:
            print(progress_line(history, tol), file=sys.stderr, flush=True)
        # half of tol in the loop: the returned (basic) solution's certificate is recomputed with
        # a bound that may add rounding, and must still meet tol
        if gap <= 0.5 * tol * P or P == 0.0:
            stopped = "converged"
            break
        if deadline is not None and time.perf_counter() > deadline:
            stopped = "max_seconds"
            break
        if it > 1 and state is not None and state.n_steps == steps:
            # the violators offered were all at the rounding floor of the working-set solve:
            # another round would price the same residual again
            stopped = "rounding"
            break
        if new.size == 0:  # the working-set solve was not accurate enough: tighten it
            tol_abs = 0.1 * min(tol_abs, gap)
            continue
        tol_abs = min(tol_abs, gap)
    if snapshot is None:  # the budget ran out before any full pass: a solution, no certificate
        snapshot = (ws, Z, None, np.inf)
    columns, coef, intercept, P, D, gap = _certified_solution(dictionary, Yt, lt, snapshot,
                                                              fit_intercept, tol, deadline)
    if stopped == "max_seconds" and len(ws) and not (len(ws) == len(snapshot[0]) and np.array_equal(ws, snapshot[0])
                                                     and np.array_equal(Z, snapshot[1])):
        # the working set moved on after the last full pass: its point, if better, is returned
        # with the best dual value seen (the gap of a point no pass has priced)
        latest = _certified_solution(dictionary, Yt, lt, (ws, Z, None, np.inf), fit_intercept, tol)
        if latest[3] < P:
            columns, coef, intercept, P = latest[:4]
        D = max(D, best_dual)
        gap = P - D
    converged = gap <= tol * P or P == 0.0
    P, D, gap, coef = P * tau ** 2, D * tau ** 2, gap * tau ** 2, coef * tau
    intercept = ymean + tau * intercept
    if not converged:
        why = {"max_seconds": "the time budget max_seconds ran out", "max_iter": f"{it} iterations",
               "rounding": f"{it} iterations, at the rounding floor of float64 for this λ",
               "converged": f"{it} iterations, when the certificate of the returned (basic) solution"
                            " was recomputed"}[stopped]
        warnings.warn(f"solver stopped after {why} ({time.perf_counter() - start:.0f} s) with duality "
                      f"gap {gap:.3e} > tol·objective = {tol * P:.3e} (objective {P:.10g}); the "
                      "result is not certified optimal: raise max_iter, max_seconds or tol",
                      ConvergenceWarning, stacklevel=2)
    return LassoResult(columns=columns, coef=coef, intercept=np.atleast_1d(intercept), objective=P,
                       dual_objective=D, gap=gap, converged=converged, n_iter=it, lam=lam,
                       history=history, stopped=stopped)


def _certified_solution(dictionary, Y, lam, snapshot, fit_intercept, tol, deadline=None):
    """The solution of the last full pass, made basic (c = 1), with a certificate for exactly it.

    The pass priced the residual R; the returned solution has residual R' (recomputed, so drift of
    the active set's dual point is accounted for). Its certificate uses
    maxⱼ‖K_jᵀR'‖ ≤ max_score + maxⱼ‖K_j‖₂·‖R' − R‖_F, and one more full pass only if that bound
    would miss tol and lose much of what the pass had (and time is left before ``deadline``;
    otherwise the priced dual point's value D(R/s) still bounds P* from below). With no full pass
    at all (max_score = inf: the budget ran out first) the gap is infinite. Returns (columns,
    coef, intercept, P, D, gap) in the internal (scaled) units; the intercept is the part beyond
    the mean of Y.
    """
    ws, Z, R_priced, max_score = snapshot
    n, c = Y.shape
    keep = np.linalg.norm(Z, axis=1) > 0
    columns, coef = ws[keep], Z[keep]
    K = dictionary.materialize(columns) if len(columns) else np.zeros((n, 0))
    Kc = K - K.mean(axis=0) if fit_intercept and len(columns) else K
    if c == 1 and len(columns):  # a basic solution: independent active columns, same objective
        z = basic_solution(Kc, coef[:, 0])
        columns, coef, Kc, K = columns[z != 0], z[z != 0, None], Kc[:, z != 0], K[:, z != 0]
    intercept = -(K.mean(axis=0) @ coef) if fit_intercept and len(columns) else np.zeros(c)
    R = Y - Kc @ coef
    if not np.isfinite(max_score):
        return columns, coef, intercept, _primal(R, coef, lam), -np.inf, np.inf
    moved = float(np.linalg.norm(R - R_priced))
    bound = max_score + (dictionary.column_norm_bound() * moved if moved > 0 else 0.0)
    if np.isfinite(bound):
        P, D, gap = dual_gap(Y, R, coef, lam, bound)
        priced_gap = dual_gap(Y, R_priced, Z, lam, max_score)[2]
    if not np.isfinite(bound) or (gap > tol * P and (gap > 1.5 * priced_gap or priced_gap <= tol * P)):
        # no finite bound, or it lost what the pass had: price the returned residual itself
        if deadline is None or time.perf_counter() < deadline:
            P, D, gap = dual_gap(Y, R, coef, lam, dictionary.violators(R, lam, 0)[0])
        else:  # no time for it: this point's value against the priced dual point's
            P, D = _primal(R, coef, lam), dual_gap(Y, R_priced, Z, lam, max_score)[1]
            gap = P - D
    return columns, coef, intercept, P, D, gap
