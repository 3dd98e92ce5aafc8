r"""Any datafit over a dictionary oracle: a working set with a certificate.

Solves min_{z,t} ℓ(Kz + t1, y) + λ‖z‖₁ (ℓ one of :mod:`~ganet.numeric.solvers.datafits`, in
practice logistic, hinge or Huber) with the structure of the squared loss's solver (:mod:`~ganet.numeric.solvers.lasso_working_set`): only a working set of columns is materialized; the
problem on it is solved to high accuracy — the logistic loss by the proximal Newton method of
:mod:`~ganet.numeric.solvers.prox_newton`, the hinge loss as a linear program by HiGHS's simplex
method — and its dual point θ is priced over **every** column of the dictionary (a streaming pass
for a matrix-free one), whose worst violators join the working set, until the certificate meets
``tol``.

The certificate is the Fenchel dual of :mod:`~ganet.numeric.solvers.datafits`: θ = yᵢσ(−yᵢqᵢ)
(logistic, with the intercept re-optimized exactly so that 1ᵀθ = 0) or yᵢμᵢ with the LP's margin
multipliers μ (hinge), made exactly feasible (1ᵀθ = 0 by rebalancing the classes, then scaled by
s = max(1, maxⱼ|K_jᵀθ|/λ) over the whole dictionary), so gap = P − D ≥ P − P* whatever accuracy
the working-set solve reached.

The loop names no loss: the datafit's ``smooth`` picks the program on the working set
(:class:`NewtonProgram` or :class:`HingeProgram`), and that program declares how the loop treats
it (``default_min_add``, ``keeps_every_column``, ``refines``).
"""

import sys
import time
import warnings

import numpy as np
from sklearn.exceptions import ConvergenceWarning

from .datafits import fenchel_gap, make_datafit, sample_weights
from .lasso_working_set import LassoResult, _check_args
from .prox_newton import newton_lasso

__all__ = ["solve_convex_loss", "working_set_program", "NewtonProgram", "HingeProgram"]


def _certify(K, y, z, t, lam, datafit, fit_intercept, multipliers, max_correlation=None):
    """(P, D, gap, t, θ) of the point z over the columns K (a smooth datafit's intercept
    re-optimized exactly); ``max_correlation`` prices θ over the whole dictionary (default: the
    columns K). θ is −∇ℓ(q) for a smooth datafit, yᵢμᵢ from the LP's multipliers for the hinge."""
    Kz = K @ z
    if datafit.smooth and fit_intercept:  # (the hinge LP's intercept is its own)
        t = datafit.intercept(Kz, y, t)
    q = Kz + t
    theta = datafit.dual_point(q, y, multipliers)
    top = max_correlation or (lambda th: np.abs(K.T @ th).max(initial=0.0))
    P, D, gap = fenchel_gap(datafit, q, y, np.abs(z).sum(), lam, theta, top, fit_intercept)
    return P, D, gap, t, theta


def _quiet_highs():
    """A ``highspy.Highs`` instance with its output off. HiGHS prints a banner on the first
    construction in a process, before any option can be set: it goes to /dev/null (file
    descriptor 1 redirected for that call only)."""
    import os

    import highspy

    sys.stdout.flush()
    saved, null = os.dup(1), os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(null, 1)
        highs = highspy.Highs()
        highs.setOptionValue("output_flag", False)
    finally:
        os.dup2(saved, 1)
        os.close(saved)
        os.close(null)
    return highs


class NewtonProgram:
    """The working-set program of a smooth datafit, solved by proximal Newton
    (:func:`~ganet.numeric.solvers.prox_newton.newton_lasso`), warm-started from the last point.

    Its working set may shrink to the support between passes (``keeps_every_column`` False), and
    its early solves may be loose (``refines``: the loop asks for 0.01·tol once no column is left
    to add). The working set keeps only the support and the new columns, so the Newton
    solves stay small however many passes there are (circle, n = 1000: 6.5 s; keeping every
    column with |K_jᵀθ| ≥ λ/2 too, 20 s).
    """

    default_min_add = 2048
    keeps_every_column = False
    refines = True

    def __init__(self, y, lam, datafit, fit_intercept=True):
        self.y, self.lam, self.datafit, self.intercept = y, lam, datafit, fit_intercept

    def solve_block(self, K, z, t, tol, deadline=None):
        """(z, t, None): the program on the columns K to relative accuracy ``tol``."""
        z, t, _ = newton_lasso(K, self.y, self.lam, self.datafit, self.intercept, z, t, tol=tol, deadline=deadline)
        return z, t, None


class HingeProgram:
    r"""min Σcᵢξᵢ + λ‖z‖₁ s.t. ξ ≥ 0, ξᵢ + yᵢ(K_iz + t) ≥ 1: the (weighted) hinge loss as a linear program
    grown by column generation.

    Columns (z⁺_j, z⁻_j ≥ 0 with costs λ, interleaved) are added with :meth:`add`; HiGHS keeps its
    simplex basis between :meth:`solve` calls, so every pricing round re-optimizes from the last
    vertex (added columns leave it primal feasible) instead of solving from scratch. A vertex
    has exact zeros outside the support, and the row duals are the margin multipliers
    μ ∈ [0, 1]ⁿ of the Fenchel certificate (θ = yμ).

    Every column stays in its working set (``keeps_every_column``): the LP's dual point is a
    vertex of a degenerate face, and pruned columns came back in cycles (n = 400, d = 3: relative
    gap 0.39 after 100 passes). Its programs grow with the working set, so fewer violators join
    per pass than for the Newton program.
    """

    default_min_add = 512
    keeps_every_column = True
    refines = False

    def __init__(self, y, lam, fit_intercept=True, weights=None):
        import highspy

        self.y, self.lam, self.intercept = np.asarray(y, dtype=float), float(lam), bool(fit_intercept)
        n = len(self.y)
        # ξᵢ costs its sample weight cᵢ: the row duals (margin multipliers) lie in [0, cᵢ]
        self.weights = np.ones(n) if weights is None else np.asarray(weights, dtype=float)
        self.highs = _quiet_highs()
        # added columns leave the last vertex primal feasible: the primal simplex method goes on
        # from it (circle, n = 1000: 7.5 s in HiGHS where its default, dual simplex after presolve,
        # took 13 s)
        self.highs.setOptionValue("presolve", "off")
        self.highs.setOptionValue("simplex_strategy", 4)  # primal
        inf, rows = highspy.kHighsInf, np.arange(n, dtype=np.int32)
        self.highs.addRows(n, np.ones(n), np.full(n, inf), 0, np.zeros(n, dtype=np.int32),
                           np.zeros(0, dtype=np.int32), np.zeros(0))
        self.highs.addCols(n, self.weights, np.zeros(n), np.full(n, inf), n, rows, rows, np.ones(n))  # ξ
        if self.intercept:
            self.highs.addCol(0.0, -inf, inf, n, rows, self.y)
        self.n_columns = 0

    def add(self, K):
        """Append the dictionary columns K (n × k) as z⁺ and z⁻ (only their non-zero entries)."""
        import highspy

        k = K.shape[1]
        if not k:
            return
        V = np.empty((2 * k, len(self.y)))
        V[0::2] = (self.y[:, None] * K).T
        V[1::2] = -V[0::2]
        nonzero = V != 0
        starts = np.concatenate([[0], np.cumsum(nonzero.sum(axis=1))[:-1]]).astype(np.int32)
        self.highs.addCols(2 * k, np.full(2 * k, self.lam), np.zeros(2 * k), np.full(2 * k, highspy.kHighsInf),
                           int(nonzero.sum()), starts, np.nonzero(nonzero)[1].astype(np.int32), V[nonzero])
        self.n_columns += k

    def solve(self, seconds=None):
        """Re-optimize; returns (z, t, μ) over the columns added so far.

        Raises
        ------
        TimeoutError
            When ``seconds`` ran out first.
        FloatingPointError
            If HiGHS reports no optimal solution for another reason.
        """
        import highspy

        self.highs.setOptionValue("time_limit", float(seconds) if seconds is not None else highspy.kHighsInf)
        self.highs.run()
        status = self.highs.getModelStatus()
        if status == highspy.HighsModelStatus.kTimeLimit:
            raise TimeoutError("the hinge-loss program ran out of time")
        if status != highspy.HighsModelStatus.kOptimal:
            raise FloatingPointError(f"HiGHS did not solve the hinge-loss program: "
                                     f"{self.highs.modelStatusToString(status)}")
        solution = self.highs.getSolution()
        x, n = np.asarray(solution.col_value), len(self.y)
        t = float(x[n]) if self.intercept else 0.0
        signed = x[n + self.intercept:]
        return signed[0::2] - signed[1::2], t, np.clip(np.asarray(solution.row_dual), 0.0, self.weights)

    def solve_block(self, K, z, t, tol, deadline=None):
        """(z, t, μ) on the working set whose columns are K: its new columns (the working set only
        grows) are added and the LP re-optimized from the last vertex, exactly (z, t and tol are
        not needed by a simplex method)."""
        self.add(K[:, self.n_columns:])
        return self.solve(None if deadline is None else max(deadline - time.perf_counter(), 1e-3))


def working_set_program(datafit, y, lam, fit_intercept=True):
    """The program a datafit's working sets are solved by: a linear program for the hinge (the
    only datafit that is not smooth), proximal Newton for the others."""
    if datafit.smooth:
        return NewtonProgram(y, lam, datafit, fit_intercept)
    return HingeProgram(y, lam, fit_intercept, sample_weights(datafit))


def solve_convex_loss(dictionary, y, lam, loss, fit_intercept=True, tol=1e-8, initial_size=64, min_add=None,
                      max_iter=100, local_rounds=10, max_seconds=None, verbose=0, sample_weight=None,
                      huber_delta=1.0):
    """Minimize ℓ(Kz + t1, y) + λ‖z‖₁ (ℓ logistic or hinge with y ∈ {−1, +1}, Huber, or the squared
    loss, optionally with sample weights: Σ cᵢℓᵢ) over a dictionary oracle.

    Parameters
    ----------
    dictionary : ~ganet.numeric.oracles.protocol.ColumnOracle
        Stored or streaming (``materialize(cols)`` and ``violators(θ, λ, k, exclude=…)`` are used).
    y : array_like, shape (n,)
        Targets; labels in {−1, +1} (both present) for the logistic and hinge losses.
    lam : float
        λ > 0.
    loss : {"logistic", "hinge", "huber", "squared"}
        The squared loss has its own, faster solver
        (:func:`~ganet.numeric.solvers.lasso_working_set.solve_lasso`); it is accepted here too.
    fit_intercept : bool
        Unpenalized intercept t.
    tol : float
        Stop when the certified gap ≤ tol · P.
    initial_size : int
        Columns of the first working set (the most correlated with the dual point of z = 0).
    min_add : int, optional
        Fewest violators offered to the working set per pricing pass (at least three times the
        support); by default the working-set program's ``default_min_add``: 2048 for the smooth
        losses, 512 for the hinge loss, whose linear programs grow with the working set. Large
        offers save pricing passes.
    max_iter : int
        Full pricing passes at most.
    local_rounds : int
        At most this many rounds between two full passes that price only the neighbours of the
        support's hyperplanes (streaming dictionaries with ``local_violators``).
    max_seconds : float, optional
        Wall-time budget; when it runs out the best certified point so far is returned.
    verbose : int
        1: one line per pricing pass on stderr.
    sample_weight : ndarray, shape (n,), optional
        Weights cᵢ ≥ 0 of the loss terms (certified with the weighted Fenchel dual of
        :mod:`~ganet.numeric.solvers.datafits`).
    huber_delta : float
        δ of the Huber loss.

    Returns
    -------
    LassoResult
        ``coef`` has one column; ``gap`` is the certified duality gap over the whole dictionary and
        ``dual_point`` the θ behind it.
    """
    datafit = make_datafit(loss, huber_delta, sample_weight)  # (refuses an unknown loss)
    _check_args(lam, tol, max_iter, max_seconds)
    y = np.asarray(y, dtype=float)
    c = np.ones(len(y)) if sample_weight is None else np.asarray(sample_weight, dtype=float)
    if datafit.labels and not (np.isin(y, (-1.0, 1.0)).all() and (c[y > 0] > 0).any() and (c[y < 0] > 0).any()):
        raise ValueError(f"the {loss} loss needs labels in {{-1, +1}}, both present (with positive weight)")
    start = time.perf_counter()
    deadline = None if max_seconds is None else start + float(max_seconds)
    found = {"gap": np.inf, "tight": False}

    def price(theta):  # the whole dictionary: its largest correlation, and the worst violators
        top, cols = dictionary.violators(theta, lam, found["add"], exclude=found["ws"], deadline=deadline)
        found["new"] = np.asarray(cols, dtype=np.int64)
        found["cut"] = top is None  # stopped at the budget: violators, but no certificate
        return 0.0 if top is None else top

    program = working_set_program(datafit, y, lam, fit_intercept)
    if min_add is None:
        min_add = program.default_min_add

    def solve_block(ws, z, t):
        """The program on the columns ws (warm-started); returns (K, z, t, μ)."""
        K = dictionary.materialize(ws) if len(ws) else np.zeros((len(y), 0))
        # early passes only decide which columns enter: a thousandth of the last full gap
        # is accuracy enough for them (as the squared loss's solver does)
        inner = 0.01 * tol if found["tight"] else min(max(0.01 * tol, 1e-3 * found["gap"]), 1e-3)
        return (K, *program.solve_block(K, z, t, inner, deadline))

    def grow(ws, z, new):
        """The next working set: the support and the new columns, or every column so far and the
        new ones for a program that ``keeps_every_column``."""
        new = np.setdiff1d(new, ws)
        kept = np.ones(len(ws), dtype=bool) if program.keeps_every_column else z != 0
        return np.concatenate([ws[kept], new]), np.concatenate([z[kept], np.zeros(len(new))])

    local = hasattr(dictionary, "local_violators")
    # the first pass prices the dual point of z = 0: it gives the first working set, and the
    # certificate of z = 0, which stands if the budget cuts every later pass short
    found["ws"], found["add"] = np.zeros(0, dtype=np.int64), initial_size
    P, D, gap, t, theta = _certify(np.zeros((len(y), 0)), y, np.zeros(0), 0.0, lam, datafit, fit_intercept,
                                   None, price)
    best = None if found["cut"] else (found["ws"], np.zeros(0), t, P, gap, D, theta)
    ws = np.unique(found["new"])
    z, t, history = np.zeros(len(ws)), 0.0, []
    stopped = "max_iter"
    for n_iter in range(1, max_iter + 1):
        try:
            K, z, t, mu = solve_block(ws, z, t)
        except TimeoutError:  # (the LP) max_seconds: the last certified point is the answer
            stopped = "max_seconds"
            break
        found["ws"], found["add"] = ws, max(min_add, 3 * int(np.count_nonzero(z)))
        # local rounds (as for the squared loss): the neighbours of the support's hyperplanes,
        # priced at a fraction of a full pass, until they hold no violator
        for _ in range(local_rounds if local else 0):
            if deadline is not None and time.perf_counter() > deadline:
                break
            theta = datafit.dual_point(K @ z + t, y, mu)  # (t is optimal for the block already)
            if fit_intercept:
                theta = datafit.center(theta, y)
            near = dictionary.local_violators(theta, lam, found["add"], around=ws[z != 0])
            if near is None or not len(np.setdiff1d(near, ws)):
                break
            grown, z_grown = grow(ws, z, near)
            try:
                K, z, t, mu = solve_block(grown, z_grown, t)
            except TimeoutError:
                break  # the full pass certifies the last solved working set
            ws = found["ws"] = grown
        P, D, gap, t, theta = _certify(K, y, z, t, lam, datafit, fit_intercept, mu, price)
        if found["cut"]:
            D, gap = -np.inf, np.inf
        found["gap"] = gap / P
        history.append(dict(iteration=n_iter, working_set=len(ws), objective=P, gap=gap,
                            seconds=time.perf_counter() - start))
        if verbose:
            print(f"  {loss} pass {n_iter:3d}: working set {len(ws):6d}  support {np.count_nonzero(z):5d}  "
                  f"objective {P:.10g}  gap {gap:.3e}", file=sys.stderr)
        if best is None or gap < best[4]:
            best = (ws, z, t, P, gap, D, theta)
        if gap <= tol * P:
            stopped = "converged"
            break
        if deadline is not None and time.perf_counter() > deadline:
            stopped = "max_seconds"
            break
        if not len(np.setdiff1d(found["new"], ws)):  # no violator: the block solve limits the gap
            if program.refines and not found["tight"]:
                found["tight"] = True  # solve the same working set again, to 0.01·tol
                continue
            stopped = "rounding"
            break
        ws, z = grow(ws, z, found["new"])
    if best is None:  # out of time before the first solve: the certificate of z = 0
        found["ws"], found["add"], ws, z = ws[:0], 0, ws[:0], np.zeros(0)
        P, D, gap, t, theta = _certify(np.zeros((len(y), 0)), y, z, 0.0, lam, datafit, fit_intercept, None, price)
        if found["cut"]:
            D, gap = -np.inf, np.inf
        best = (ws, z, t, P, gap, D, theta)
    ws, z, t, P, gap, D, theta = best
    converged = gap <= tol * P
    if not converged:
        warnings.warn(f"the {loss} fit stopped ({stopped}) at a certified duality gap of {gap:.3e} > "
                      f"tol·objective = {tol * P:.3e} (objective {P:.10g}); the result is near-optimal "
                      "within that gap, not certified to tol", ConvergenceWarning, stacklevel=3)
    keep = np.flatnonzero(z)
    return LassoResult(columns=ws[keep], coef=z[keep, None], intercept=np.array([t]), objective=P,
                       dual_objective=D, gap=gap, converged=converged, n_iter=n_iter, lam=lam,
                       history=history, stopped=stopped if not converged else "converged",
                       dual_point=theta)
