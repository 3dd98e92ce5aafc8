r"""Every datafit's program on the working-set loop of :mod:`~ganet.numeric.solvers.working_set`.

Solves min_{z,t} ℓ(Kz + t1, y) + λ‖z‖₁ (ℓ one of :mod:`~ganet.numeric.solvers.datafits`: logistic,
hinge, Huber, squared; optionally weighted). Only a working set of columns is materialized; the
problem on it is solved to high accuracy — the smooth losses by the proximal Newton method of
:mod:`~ganet.numeric.solvers.prox_newton`, the hinge loss as a linear program by HiGHS's simplex
method, the unweighted squared loss by the dual active set of
:mod:`~ganet.numeric.solvers.lasso_working_set` — and its dual point θ is priced over **every**
column of the dictionary (a streaming pass for a matrix-free one), whose worst violators join the
working set, until the certificate meets ``tol``.

The certificate is the Fenchel dual of :mod:`~ganet.numeric.solvers.datafits`: θ = yᵢσ(−yᵢqᵢ)
(logistic, with the intercept re-optimized exactly so that 1ᵀθ = 0) or yᵢμᵢ with the LP's margin
multipliers μ (hinge), made exactly feasible (1ᵀθ = 0 by rebalancing the classes, then scaled by
s = max(1, maxⱼ|K_jᵀθ|/λ) over the whole dictionary), so gap = P − D ≥ P − P* whatever accuracy
the working-set solve reached.

Nothing here names a loss: :func:`working_set_program` chooses by what the datafit is (the
quadratic itself, ``smooth`` or not), and the block program declares how :class:`LossProgram`
treats it (``default_min_add``, ``kept``, ``refines``).
"""

import sys
import time

import numpy as np

from .datafits import Quadratic, fenchel_gap, make_datafit, sample_weights
from .lasso_working_set import LassoResult, SquaredProgram, _check_args
from .prox_newton import newton_lasso
from .working_set import FullPass, solve_working_set

__all__ = ["solve_convex_loss", "working_set_program", "LossProgram", "NewtonProgram", "HingeProgram"]


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


_ROW_TOL = 1e-9  # a point outside the LP with margin below 1 − this joins it
_PRIMAL, _DUAL = 4, 1  # HiGHS's simplex_strategy values


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

    Its working set shrinks to the support between passes (:meth:`kept`), and its early solves
    may be loose (``refines``: the loop asks for 0.01·tol once no column is left to add). The
    working set keeps only the support and the new columns, so the Newton
    solves stay small however many passes there are (circle, n = 1000: 6.5 s; keeping every
    column with |K_jᵀθ| ≥ λ/2 too, 20 s).
    """

    default_min_add = 2048
    refines = True

    def __init__(self, y, lam, datafit, fit_intercept=True):
        self.y, self.lam, self.datafit, self.intercept = y, lam, datafit, fit_intercept

    def solve_block(self, K, ids, z, t, tol, deadline=None):
        """(z, t, None): the program on the columns K (dictionary ids ``ids``, not needed here) to
        relative accuracy ``tol``."""
        z, t, _ = newton_lasso(K, self.y, self.lam, self.datafit, self.intercept, z, t, tol=tol, deadline=deadline)
        return z, t, None

    @staticmethod
    def kept(z):
        """The columns of the last solved working set that stay in the next one: the support."""
        return z != 0


class HingeProgram:
    r"""min Σcᵢξᵢ + λ‖z‖₁ s.t. ξ ≥ 0, ξᵢ + yᵢ(K_iz + t) ≥ 1: the (weighted) hinge loss as a linear program
    grown by column generation, its rows (points) by row generation.

    Signed columns (z⁺_j or z⁻_j ≥ 0 with cost λ: only the sign that can enter, see
    :meth:`solve_block`) are added with :meth:`add`; HiGHS keeps its
    simplex basis between :meth:`solve` calls, so every pricing round re-optimizes from the last
    vertex (added columns leave it primal feasible) instead of solving from scratch. A vertex
    has exact zeros outside the support, and the row duals are the margin multipliers
    μ ∈ [0, 1]ⁿ of the Fenchel certificate (θ = yμ).

    **Pruning without cycling.** A simplex run costs time in proportion to the LP's columns
    even when it pivots little (disc, n = 1000: 41 pivots took 0.33 s at 11,000 columns), so
    columns far from entering leave the LP: those with z_j = 0 and |K_jᵀθ| < ``prune_below``·λ
    (both reduced costs λ ∓ K_jᵀθ positive, so they are nonbasic and the vertex stays optimal
    without them). The LP's dual point is degenerate and pruned columns can come back; an earlier
    pruning to the support was recorded to cycle (n = 400, d = 3: relative gap 0.39 after 100
    passes; not reproduced on a 3-D ball with 5% flipped labels, with or without the rule below,
    at n = 200 and 400). Here a pruning happens only at an LP objective strictly below that of
    the previous pruning. The objective never increases (deleting nonbasic columns keeps the
    vertex; adding columns can only lower the optimum), and it takes finitely many values (one
    per subset of the finite dictionary), so there are finitely many prunings; after the last
    one the working set only grows, and column generation ends.

    **Rows that leave and return.** Most points end beyond the margin (disc, n = 2000: 1,671 of
    2,000 with yᵢqᵢ > 1), and a simplex pivot costs in proportion to the LP's rows. A point whose
    margin exceeds ``drop_above`` (its row basic, its ξᵢ nonbasic: multiplier 0) leaves the LP
    before the next block solve; the LP over the remaining rows is a relaxation, and a point
    outside it whose margin falls below 1 at the relaxation's optimum joins again (re-solved by
    the dual simplex method: its vertex stays dual feasible), until none does. Then the
    relaxation's optimum is feasible for every row, so it is the optimum of the whole LP on
    these columns, with μᵢ = 0 for the points outside; each block solve ends there, so the
    argument above is unchanged, and within a solve rows only join, so it ends. (Disc, n = 2000,
    idle: the fit 21.8 → 15.4 s, HiGHS 11.4 → 6.8 s; ``drop_above`` from 1.05 to 2.0 made no
    difference beyond the noise.)

    ``prune_below`` = 0.95 and ``default_min_add`` = max(512, n) were chosen on the disc of
    ``benchmarks/losses.py``, idle, one run each (n = 1000 with 512 violators per pass: no pruning
    10.9 s; prune_below 0.5, 0.9, 0.95, 0.99, 0.999: 10.7, 6.6, 6.2, 6.6, 8.4 s; then with 0.95,
    n = 1000: 512, 1024, 2048 violators per pass: 6.3, 6.0, 7.7 s; n = 2000: 512, 2048, 4096:
    39.6, 30.5, 38.6 s), capped at 2048 at n = 4000 (with row generation: 4000, 2048, 2000 and
    1024 violators per pass: 104.0 / 105.0 / 114.8, 91.9, 90.8 and 108.8 s).
    """

    refines = False
    prune_below = 0.95
    drop_above = 1.1

    def __init__(self, y, lam, fit_intercept=True, weights=None):
        import highspy

        self.y, self.lam, self.intercept = np.asarray(y, dtype=float), float(lam), bool(fit_intercept)
        n = len(self.y)
        # ξᵢ costs its sample weight cᵢ: the row duals (margin multipliers) lie in [0, cᵢ]
        self.weights = np.ones(n) if weights is None else np.asarray(weights, dtype=float)
        self.default_min_add = min(max(512, n), 2048)
        self.highs = _quiet_highs()
        self.highs.setOptionValue("presolve", "off")  # (each run goes on from the last vertex: solve)
        inf, rows = highspy.kHighsInf, np.arange(n, dtype=np.int32)
        self.highs.addRows(n, np.ones(n), np.full(n, inf), 0, np.zeros(n, dtype=np.int32),
                           np.zeros(0, dtype=np.int32), np.zeros(0))
        self.highs.addCols(n, self.weights, np.zeros(n), np.full(n, inf), n, rows, rows, np.ones(n))  # ξ
        if self.intercept:
            self.highs.addCol(0.0, -inf, inf, n, rows, self.y)
        self.first = n + self.intercept  # the LP position of the first signed column
        self.rows = np.arange(n)  # the point of each LP row (rows leave and return: class docstring)
        self._leaving = np.zeros(0, dtype=np.int64)  # LP rows to drop before the next solve
        self.ids = np.zeros(0, dtype=np.int64)  # the dictionary column of each signed LP column
        self.signs = np.zeros(0)  # its sign: +1 for z⁺_j, −1 for z⁻_j
        self.theta = None  # the last solve's dual point yμ: the sign with which a new column enters
        self.pruned_at = np.inf  # the LP objective at the last pruning
        self._kept = None

    @property
    def n_columns(self):
        """Signed columns in the LP."""
        return len(self.ids)

    def add(self, K, ids=None, signs=None):
        """Append the dictionary columns K (n × k; ids ``ids``, by default the next integers) as
        signed LP columns s_jK_j of cost λ (only their non-zero entries): s_j = ``signs``, by
        default both signs of each column."""
        import highspy

        k = K.shape[1]
        if not k:
            return
        ids = len(np.unique(self.ids)) + np.arange(k) if ids is None else np.asarray(ids, dtype=np.int64)
        if signs is None:
            K, ids, signs = np.hstack([K, K]), np.concatenate([ids, ids]), np.repeat([1.0, -1.0], k)
        # the signed columns as rows of one C-ordered array: their non-zeros, read in row order,
        # are the CSC arrays HiGHS takes (scipy.sparse's conversion of the dense block took 1.6–1.7×
        # as long: disc, n = 2000, 2000 columns)
        A = np.multiply(K[self.rows].T, signs[:, None], order="C")  # (a new array: K is the caller's)
        A *= self.y[self.rows]
        nonzero = A != 0.0
        starts = np.zeros(len(ids), dtype=np.int32)
        np.cumsum(np.count_nonzero(nonzero[:-1], axis=1), out=starts[1:])
        rows = np.nonzero(nonzero)[1].astype(np.int32)
        self.highs.addCols(len(ids), np.full(len(ids), self.lam), np.zeros(len(ids)),
                           np.full(len(ids), highspy.kHighsInf), len(rows), starts, rows, A[nonzero])
        self.ids, self.signs = np.concatenate([self.ids, ids]), np.concatenate([self.signs, signs])

    def delete(self, positions):
        """Remove the signed columns at LP positions ``positions`` (nonbasic ones: the basis stays)."""
        if not len(positions):
            return
        cols = (self.first + np.asarray(positions)).astype(np.int32)
        self.highs.deleteCols(len(cols), cols)
        self.ids, self.signs = np.delete(self.ids, positions), np.delete(self.signs, positions)

    def solve(self, seconds=None, strategy=_PRIMAL):
        """Re-optimize from the last vertex by HiGHS's simplex method ``strategy``; returns
        (z, t, μ), z over the dictionary columns added so far in the order of their ids
        (``self.columns``). Added columns leave the vertex primal feasible, so the primal method
        goes on from it (circle, n = 1000: 7.5 s in HiGHS where its default, dual simplex after
        presolve, took 13 s); added rows leave it dual feasible, and ``_DUAL`` goes on from it.

        Raises
        ------
        TimeoutError
            When ``seconds`` ran out first.
        FloatingPointError
            If HiGHS reports no optimal solution for another reason.
        """
        import highspy

        # HiGHS (1.x) compares time_limit with its run time summed over every run() of this object,
        # so the limit is that sum plus ``seconds``: a plain ``seconds`` stopped a later run at once
        # (breast cancer through the CLI: "max_seconds ran out" after 18 s of a 30 s budget)
        limit = self.highs.getRunTime() + float(seconds) if seconds is not None else highspy.kHighsInf
        self.highs.setOptionValue("time_limit", limit)
        self.highs.setOptionValue("simplex_strategy", strategy)
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
        self.columns, self._position = np.unique(self.ids, return_inverse=True)
        at = self._position  # each signed LP column's position among ``columns``
        z = np.bincount(at, weights=self.signs * x[self.first:], minlength=len(self.columns))
        # a signed column's reduced cost λ − s_jK_jᵀθ gives K_jᵀθ/λ without a product
        self.correlations = self.signs * (1.0 - np.asarray(solution.col_dual)[self.first:] / self.lam)  # K_jᵀθ/λ
        self.scores = np.zeros(len(self.columns))
        np.maximum.at(self.scores, at, np.abs(self.correlations))
        mu = np.zeros(n)  # (a point without a row has margin ≥ 1 and multiplier 0)
        mu[self.rows] = np.clip(np.asarray(solution.row_dual), 0.0, self.weights[self.rows])
        self.theta = self.y * mu
        return z, t, mu

    def _add_rows(self, points, K, positions):
        """Append the margin rows ξᵢ + yᵢ(K_iz + t) ≥ 1 of ``points``: their entries in ξᵢ, the
        intercept and every signed LP column (``positions``: each one's column of K)."""
        import highspy
        from scipy import sparse

        r, n = len(points), len(self.y)
        yK = self.y[points, None] * K[np.ix_(points, positions)] * self.signs
        parts = [sparse.csr_matrix((np.ones(r), (np.arange(r), points)), shape=(r, n))]
        if self.intercept:
            parts.append(sparse.csr_matrix(self.y[points, None]))
        A = sparse.hstack(parts + [sparse.csr_matrix(yK)], format="csr")
        self.highs.addRows(r, np.ones(r), np.full(r, highspy.kHighsInf), A.nnz, A.indptr[:-1].astype(np.int32),
                           A.indices.astype(np.int32), A.data)
        self.rows = np.concatenate([self.rows, points])

    def _drop_rows(self):
        """Delete the LP rows chosen to leave at the end of the last block solve."""
        if len(self._leaving):
            self.highs.deleteRows(len(self._leaving), self._leaving.astype(np.int32))
            self.rows = np.delete(self.rows, self._leaving)
            self._leaving = np.zeros(0, dtype=np.int64)

    def _choose_leaving(self, margins):
        """The LP rows to drop before the next solve: margin above ``drop_above`` (the constraint
        far from binding), its row basic and its ξᵢ nonbasic, so that the vertex and its basis
        stay those of the smaller LP."""
        import highspy

        basis, basic = self.highs.getBasis(), int(highspy.HighsBasisStatus.kBasic)
        # (each read of basis.col_status converts the whole list: read each list once)
        row_basic = np.array([int(status) for status in basis.row_status]) == basic
        xi_nonbasic = np.array([int(status) for status in basis.col_status[:len(self.y)]])[self.rows] != basic
        self._leaving = np.flatnonzero((margins[self.rows] > self.drop_above) & row_basic & xi_nonbasic)

    def _missing_signs(self, tol):
        """LP positions of the signed columns whose opposite sign, absent, now has a negative
        reduced cost λ + s_jK_jᵀθ (below −tol·λ): −s_j·K_jᵀθ > λ."""
        at = self._position
        alone = (np.bincount(at) == 1)[at]
        return np.flatnonzero(alone & (-self.signs * self.correlations > 1.0 + tol))

    def solve_block(self, K, ids, z, t, tol, deadline=None):
        """(z, t, μ) on the working set whose columns are K (dictionary ids ``ids``), in its order.

        The LP is brought to the working set by ids: columns the caller dropped are deleted, new
        ones added with the sign whose reduced cost λ − s_jK_jᵀθ is the smaller at the last dual
        point (both signs before the first solve: the other one could only enter after K_jᵀθ
        moved by 2λ, and is added then, below), and the LP re-optimized from the last vertex
        (z and t are not needed by a simplex method), with HiGHS's dual feasibility tolerance at
        tol·λ (within [1e-10, 1e-7]). One sign instead of both halves the LP: a simplex run costs
        time in proportion to its columns.
        """
        ids = np.asarray(ids, dtype=np.int64)
        # a working-set column with reduced cost −δ has |K_jᵀθ| = λ + δ, which scales the dual point
        # by 1 + δ/λ and leaves a gap near (δ/λ)·D: HiGHS's default δ ≤ 1e-7 stalled the disc
        # (n = 2000, λ = 0.1) at a relative gap of 4.4e-7 with no violator outside the working set
        dual_tol = float(np.clip(tol * self.lam, 1e-10, 1e-7))
        self.highs.setOptionValue("dual_feasibility_tolerance", dual_tol)
        self.delete(np.flatnonzero(~np.isin(self.ids, ids)))
        self._drop_rows()
        new = ~np.isin(ids, self.ids)
        K_new = K[:, new]  # (a copy: taken once for the signs and the LP)
        signs = None if self.theta is None else np.where(K_new.T @ self.theta >= 0.0, 1.0, -1.0)
        self.add(K_new, ids[new], signs)
        seconds = lambda: None if deadline is None else max(deadline - time.perf_counter(), 1e-3)  # noqa: E731
        order, strategy = np.argsort(ids), _PRIMAL
        while True:
            z_lp, t, mu = self.solve(seconds(), strategy)
            at = np.searchsorted(self.columns, ids)  # each id's position among the LP's columns
            if len(missing := self._missing_signs(dual_tol / self.lam)):
                block_at = order[np.searchsorted(ids, self.ids[missing], sorter=order)]
                self.add(K[:, block_at], self.ids[missing], -self.signs[missing])
                strategy = _PRIMAL
                continue
            margins = self.y * (K @ z_lp[at] + t)
            outside = np.ones(len(self.y), dtype=bool)
            outside[self.rows] = False
            if len(violated := np.flatnonzero(outside & (margins < 1.0 - _ROW_TOL))):
                self._add_rows(violated, K, order[np.searchsorted(ids, self.ids, sorter=order)])
                # added rows leave the vertex dual feasible (it stays optimal for the columns), not
                # primal: the dual simplex method goes on from it (disc, n = 2000: 25,858 pivots in
                # 7.1 s of HiGHS where the primal method took 35,454 in 9.2 s)
                strategy = _DUAL
                continue
            break
        self._choose_leaving(margins)
        self._kept = self._prune_mask(z_lp[at], self.scores[at])
        return z_lp[at], t, mu

    def _prune_mask(self, z, scores):
        """Which columns stay (class docstring): every one, unless the objective fell strictly
        below that of the last pruning."""
        objective = self.highs.getInfo().objective_function_value
        keep = (z != 0) | (scores >= self.prune_below)
        if keep.all() or not objective < self.pruned_at - 1e-10 * abs(objective):
            return np.ones(len(z), dtype=bool)
        self.pruned_at = objective
        return keep

    def kept(self, z):
        """The columns of the last solved working set that stay in the next one."""
        return self._kept if self._kept is not None else np.ones(len(z), dtype=bool)


class LossProgram:
    """A datafit's working-set program for :func:`~ganet.numeric.solvers.working_set.solve_working_set`:
    the block solver (:class:`NewtonProgram` or :class:`HingeProgram`), the working set and its
    certificate, the datafit's Fenchel gap over the whole dictionary (module docstring).

    The best certified point of any pass is the answer (the budget may cut a later solve or pass).
    """

    def __init__(self, dictionary, y, lam, datafit, fit_intercept=True, tol=1e-8, initial_size=64,
                 min_add=None, warm_start=None):
        self.dictionary, self.y, self.lam, self.datafit = dictionary, y, lam, datafit
        self.warm_start = warm_start
        self.intercept, self.tol, self.name = fit_intercept, tol, datafit.name
        self.block = (NewtonProgram(y, lam, datafit, fit_intercept) if datafit.smooth
                      else HingeProgram(y, lam, fit_intercept, sample_weights(datafit)))
        self.min_add = self.block.default_min_add if min_add is None else min_add
        self.add, self.tight, self.rel_gap = initial_size, False, np.inf
        self.ws, self.z, self.t, self.mu = np.zeros(0, dtype=np.int64), np.zeros(0), 0.0, None
        self.K = np.zeros((len(y), 0))
        self.exclude, self.new, self.cut = self.ws, self.ws, False
        self.best = None  # (ws, z, t, P, gap, D, θ) of the pass with the smallest gap

    def _top(self, theta):
        """θ priced over the whole dictionary: its largest correlation (0 for a pass cut by the
        budget, which ``cut`` records: violators, but no certificate), and the worst violators."""
        top, cols = self.dictionary.violators(theta, self.lam, self.add, exclude=self.exclude,
                                              deadline=self.deadline)
        self.new, self.cut = np.asarray(cols, dtype=np.int64), top is None
        return 0.0 if top is None else top

    def _certify(self, K, z, t, mu):
        P, D, gap, t, theta = _certify(K, self.y, z, t, self.lam, self.datafit, self.intercept, mu, self._top)
        if self.cut:
            D, gap = -np.inf, np.inf
        return P, D, gap, t, theta

    def begin(self, dictionary, deadline, pass_deadline):
        # the dual point of z = 0 gives the first working set, and the certificate of z = 0,
        # which stands if the budget cuts every later pass short
        self.deadline = pass_deadline
        P, D, gap, t, theta = self._certify(np.zeros((len(self.y), 0)), np.zeros(0), 0.0, None)
        self.deadline = deadline
        if not self.cut:
            self.best = (self.ws, np.zeros(0), t, P, gap, D, theta)
        # (a warm start's support joins the violators, at its coefficients and intercept)
        columns, coef, self.t = self.warm_start or (np.zeros(0, dtype=np.int64), np.zeros(0), self.t)
        self.ws = np.union1d(self.new, columns)
        self.z = np.zeros(len(self.ws))
        self.z[np.searchsorted(self.ws, columns)] = coef

    def _solve_block(self, ws, z, t):
        """The program on the columns ws (warm-started); returns (K, z, t, μ)."""
        K = self.dictionary.materialize(ws) if len(ws) else np.zeros((len(self.y), 0))
        # early passes only decide which columns enter: a thousandth of the last full gap
        # is accuracy enough for them (as the squared loss's solver does)
        tol = 0.01 * self.tol if self.tight else min(max(0.01 * self.tol, 1e-3 * self.rel_gap), 1e-3)
        return (K, *self.block.solve_block(K, ws, z, t, tol, self.deadline))

    def _grown(self, new):
        """The next working set and its start: the columns the block program keeps (``kept``)
        and the new ones."""
        new = np.setdiff1d(new, self.ws)
        kept = self.block.kept(self.z)
        return np.concatenate([self.ws[kept], new]), np.concatenate([self.z[kept], np.zeros(len(new))])

    def solve(self, deadline):
        self.K, self.z, self.t, self.mu = self._solve_block(self.ws, self.z, self.t)
        self.exclude, self.add = self.ws, max(self.min_add, 3 * int(np.count_nonzero(self.z)))

    def local_round(self, dictionary, deadline):
        """The neighbours of the support's hyperplanes (streaming dictionaries with
        ``local_violators``), priced at a fraction of a full pass."""
        if not hasattr(dictionary, "local_violators"):
            return False
        theta = self.datafit.dual_point(self.K @ self.z + self.t, self.y, self.mu)  # (t is optimal already)
        if self.intercept:
            theta = self.datafit.center(theta, self.y)
        near = dictionary.local_violators(theta, self.lam, self.add, around=self.ws[self.z != 0])
        if near is None or not len(np.setdiff1d(near, self.ws)):
            return False
        grown, z_grown = self._grown(near)
        try:
            self.K, self.z, self.t, self.mu = self._solve_block(grown, z_grown, self.t)
        except TimeoutError:
            return False  # the full pass certifies the last solved working set
        self.ws = self.exclude = grown
        return True

    def price(self, dictionary, deadline):
        self.P, D, self.gap, self.t, theta = self._certify(self.K, self.z, self.t, self.mu)
        self.rel_gap = self.gap / self.P
        if self.best is None or self.gap < self.best[4]:
            self.best = (self.ws, self.z, self.t, self.P, self.gap, D, theta)
        if self.cut:
            return None
        return FullPass(self.P, self.gap, len(self.ws), len(np.setdiff1d(self.new, self.ws)))

    def converged(self, tol):
        return self.gap <= tol * self.P

    def stalled(self):
        return False

    def tighten(self):
        """Solve the same working set again to 0.01·tol, once (``refines``: the Newton program)."""
        if self.block.refines and not self.tight:
            self.tight = True
            return True
        return False

    def grow(self):
        self.ws, self.z = self._grown(self.new)

    def result(self, stopped, tol, deadline):
        if self.best is None:  # out of time before the first solve: the certificate of z = 0
            self.exclude, self.add = self.ws[:0], 0
            P, D, gap, t, theta = self._certify(np.zeros((len(self.y), 0)), np.zeros(0), 0.0, None)
            self.best = (self.ws[:0], np.zeros(0), t, P, gap, D, theta)
        ws, z, t, P, gap, D, theta = self.best
        keep = np.flatnonzero(z)
        return LassoResult(columns=ws[keep], coef=z[keep, None], intercept=np.array([t]), objective=P,
                           dual_objective=D, gap=gap, converged=bool(gap <= tol * P), n_iter=0, lam=self.lam,
                           dual_point=theta)


def working_set_program(dictionary, y, lam, datafit, fit_intercept=True, tol=1e-8, initial_size=64, min_add=None,
                        warm_start=None):
    """The program a datafit's working sets are solved by, chosen by what the datafit is: the
    dual active set for the (unweighted) squared loss, whose quadratic it solves exactly;
    proximal Newton for the other smooth datafits; a linear program for the hinge loss.
    ``warm_start``: (columns, coefficients, intercept) of a solution at another λ."""
    if datafit is Quadratic:
        warm = None if warm_start is None else (warm_start[0], np.reshape(warm_start[1], (-1, 1)))
        return SquaredProgram(dictionary, y, lam, fit_intercept, tol, initial_size, warm_start=warm, min_add=min_add)
    return LossProgram(dictionary, y, lam, datafit, fit_intercept, tol, initial_size, min_add, warm_start)


def solve_convex_loss(dictionary, y, lam, loss, fit_intercept=True, tol=1e-8, initial_size=64, min_add=None,
                      max_iter=100, local_rounds=10, max_seconds=None, verbose=0, sample_weight=None,
                      huber_delta=1.0, warm_start=None):
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
        The datafit (:func:`~ganet.numeric.solvers.datafits.make_datafit`); it chooses the program
        on the working set (:func:`working_set_program`).
    fit_intercept : bool
        Unpenalized intercept t.
    tol : float
        Stop when the certified gap ≤ tol · P.
    initial_size : int
        Columns of the first working set (the most correlated with the dual point of z = 0).
    min_add : int, optional
        Fewest violators offered to the working set per pricing pass (at least three times the
        support); by default the working-set program's ``default_min_add``: 2048 for the smooth
        losses, max(512, n) for the hinge loss, whose linear programs grow with the working set.
        Large offers save pricing passes.
    max_iter : int
        Full pricing passes at most.
    local_rounds : int
        At most this many rounds between two full passes that price only the neighbours of the
        support (streaming dictionaries with ``local_violators``).
    max_seconds : float, optional
        Wall-time budget; when it runs out the best certified point so far is returned.
    verbose : int
        1: one line per pricing pass on stderr.
    sample_weight : ndarray, shape (n,), optional
        Weights cᵢ ≥ 0 of the loss terms (certified with the weighted Fenchel dual of
        :mod:`~ganet.numeric.solvers.datafits`).
    huber_delta : float
        δ of the Huber loss.
    warm_start : (columns, coefficients, intercept), optional
        A solution at another λ (a path, largest λ first): its columns join the first working
        set at its coefficients.

    Returns
    -------
    LassoResult
        ``coef`` has one column; ``gap`` is the certified duality gap over the whole dictionary and
        ``dual_point`` the θ behind it (the logistic, hinge and Huber losses).
    """
    datafit = make_datafit(loss, huber_delta, sample_weight)  # (refuses an unknown loss)
    _check_args(lam, tol, max_iter, max_seconds)
    y = np.asarray(y, dtype=float)
    c = np.ones(len(y)) if sample_weight is None else np.asarray(sample_weight, dtype=float)
    if datafit.labels and not (np.isin(y, (-1.0, 1.0)).all() and (c[y > 0] > 0).any() and (c[y < 0] > 0).any()):
        raise ValueError(f"the {loss} loss needs labels in {{-1, +1}}, both present (with positive weight)")
    program = working_set_program(dictionary, y, lam, datafit, fit_intercept, tol, initial_size, min_add, warm_start)
    return solve_working_set(dictionary, program, tol, max_iter, max_seconds, local_rounds, verbose)
