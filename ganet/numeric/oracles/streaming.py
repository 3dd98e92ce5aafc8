r"""Matrix-free two-layer dictionary: every column priced on the fly, O(k) memory.

:class:`StreamingDictionary` stores only X. A pricing pass walks the hyperplane ranks
0 … N − 1 (:class:`~ganet.numeric.oracles.two_layer.HyperplaneIndex`) in contiguous blocks spread over
threads (``prange``); each block unranks its first hyperplane and steps through the others in
colex order. Per hyperplane it builds the generators, takes the compiled cross product
w = ×(v₁,…,v_{d−1}) (:func:`ganet.numeric.geometry.normals.unit_normal`), and in one sweep over the n
points accumulates, for both signs ±,

.. math::  K_{\pm}^\top R = \sum_i R_i\,(\pm z_i)_+ ,\qquad \|K_\pm\|_2^2 = \sum_i (\pm z_i)_+^2,
           \qquad z_i = (x_i - a)^\top w / \|w\|_p ,

so a column costs O(n·d) time and nothing is stored but each block's k best violators and its
largest ‖K_jᵀR‖₂ (the certificate needs the maximum over the whole dictionary).

A pass is a sequence of short kernel calls, each advancing every block by a slice of its range
(the blocks keep their heaps between calls, so the result does not depend on the slicing): the
progress bar moves and Ctrl-C is honoured between calls (:mod:`ganet.numeric.runtime.interrupts`).
Hyperplanes whose generators are nearly dependent are found once, resolved in exact arithmetic
and priced apart (:mod:`ganet.numeric.geometry.normals`); provably degenerate ones are zero columns.

At d = 2 and 3 a full pass instead sweeps (:mod:`~ganet.numeric.oracles.sweep`): the hyperplanes
through a common (d − 2)-face are priced together by one walk around it, O(n log n) for all of
them; :func:`pass_costs` estimates which of the two is cheaper.
"""

from math import comb

import numba
import numpy as np

from ..geometry import SCORE_BLOCK, score_closed_form
from ..geometry.normals import OK, UNCERTAIN, certified_normals, exact_normals, unit_normal
from .cell_bounds import NO_CELLS, CellGrid, cell_key
from .column_scores import record_pair, score_plane
from .combinations import SubsetIndex, step_subset, unrank_subset
from .engine import NO_RANKS, ROUND_ROBIN_GROUPS, SLICE_WORK, PricingEngine, group_of, run_sliced
from .sweep import SWEEP_TASKS, prefix_splits, sweep_slices
from .two_layer import (HyperplaneIndex, TwoLayerOracle, _reg_to_p, _score_block_generic, _subset_counts,
                        plane_row)

__all__ = ["StreamingDictionary", "pass_costs"]


_FAST = {"reassoc", "contract", "nsz"}  # lets LLVM vectorize the sums over points (~1e-16 relative)
# Point × hyperplane products of a pass above which cell_grid="auto" bounds cells first.
_CELL_WORK = 5e8
# Full passes without cell bounds after a pass where they did not pay (StreamingDictionary._cells_paid).
_CELL_REST = 4


@numba.njit(cache=True, inline="always")
def _flush(XT, r, buf_w, buf_off, buf_t, buf_g, cnt, sums, zbuf, pos, neg, lam, scale, exclude,
           top_priority, top_column):
    """Price the cnt buffered unit neurons at once and offer their columns to their groups'
    heaps; returns the largest score (NaN if one was NaN)."""
    for j in range(cnt, buf_w.shape[0]):  # padding rows: z = 0, sums 0, never recorded
        buf_w[j, :] = 0.0
        buf_off[j] = 0.0
    if not score_closed_form(XT, r, buf_w, buf_off, sums):
        _score_block_generic(XT, r, buf_w, buf_off, cnt, sums, zbuf)
    best = 0.0
    for j in range(cnt):
        pos[0] = sums[j, 0]
        neg[0] = sums[j, 1]
        g = buf_g[j]
        score = record_pair(buf_t[j], pos, neg, sums[j, 2], sums[j, 3], lam, scale, exclude,
                        top_priority[g], top_column[g])
        if score != score:
            return score
        best = max(best, score)
    return best


@numba.njit(cache=True, parallel=True, fastmath=_FAST)
def _price_slices(X, XT, R, r, p, bias, exact, gamma, compiled, G, Gc, C, cell_bound, ms, bs, offsets, TP, TB,
                  lo, hi, ranks, lam, scale, exclude, group_size, top_priority, top_column, best, visited, bad,
                  uncertain, skipped):
    """Advance every block b over hyperplanes lo[b] … hi[b] − 1 (ranks; or positions into
    ``ranks`` when it is not empty), one prange task per block. ``r`` is R[:, 0] as a contiguous
    vector (a column view of R would have an unknown stride, which stops vectorization).

    A block over a rank range unranks its first hyperplane and steps in colex order (axes
    fastest, then the data subset); over a list it unranks each. Block b's state is updated in
    place: its largest score, the number of hyperplanes priced, and ``bad[b]`` when a score was
    NaN or infinite. The violators go to the heaps of their round-robin groups (contiguous ranges
    of ``group_size`` ranks, or list positions, :func:`~ganet.numeric.oracles.engine.group_of`); block boundaries fall on group
    boundaries, so no two tasks share a heap. Hyperplanes that are not certified ok
    (:func:`~ganet.numeric.geometry.normals.unit_normal`) are skipped: degenerate ones are zero columns,
    uncertain ones are counted in ``uncertain[b]`` and priced by the caller from their exact
    normals. With a cell table (``cell_bound`` not empty, :mod:`~ganet.numeric.oracles.cell_bounds`), a
    hyperplane whose finest cell (G, Gc, C) is bounded by ``lam`` or less is not scored: it
    is counted in ``skipped[b]`` and its cell's bound stands in for its score in the maximum.
    """
    n, d = X.shape
    c = R.shape[1]
    listed = ranks.shape[0] > 0
    for blk in numba.prange(lo.shape[0]):
        if lo[blk] >= hi[blk]:
            continue
        V = np.empty((max(d - 1, 0), d))
        w = np.empty(d)
        P = np.empty(d, dtype=np.int64)
        B = np.empty(d, dtype=np.int64)
        row = np.empty(d, dtype=np.int64)
        pos = np.empty(c)
        neg = np.empty(c)
        zbuf = np.empty(n)
        buf_w = np.empty((SCORE_BLOCK, d))
        buf_off = np.empty(SCORE_BLOCK)
        buf_t = np.empty(SCORE_BLOCK, dtype=np.int64)
        buf_g = np.empty(SCORE_BLOCK, dtype=np.int64)
        sums = np.empty((SCORE_BLOCK, 4))
        cnt = 0
        i = lo[blk]
        t = ranks[i] if listed else i
        fam = unrank_subset(t, ms, bs, offsets, TP, TB, P, B)
        while True:
            m, b = ms[fam], bs[fam]
            plane_row(P, m, B, b, bias, n, row)
            status, offset = unit_normal(X, row, p, exact, gamma, V, w, compiled)
            score = 0.0
            if status == UNCERTAIN:
                uncertain[blk] += 1
            elif status == OK:
                visited[blk] += 1
                g = group_of(i if listed else t, group_size)
                key = cell_key(w, offset, G, Gc, C) if cell_bound.shape[0] > 0 else -1
                if key >= 0 and cell_bound[key] <= lam:  # provably no violator
                    skipped[blk] += 1
                    score = cell_bound[key]
                elif c == 1:  # buffered: SCORE_BLOCK unit neurons share one sweep over the points
                    buf_w[cnt, :] = w
                    buf_off[cnt] = offset
                    buf_t[cnt] = t
                    buf_g[cnt] = g
                    cnt += 1
                    if cnt == SCORE_BLOCK:
                        score = _flush(XT, r, buf_w, buf_off, buf_t, buf_g, cnt, sums, zbuf, pos, neg,
                                       lam, scale, exclude, top_priority, top_column)
                        cnt = 0
                else:
                    pos2, neg2 = score_plane(XT, R, w, offset, zbuf, pos, neg)
                    score = record_pair(t, pos, neg, pos2, neg2, lam, scale, exclude, top_priority[g],
                                    top_column[g])
            i += 1
            if i >= hi[blk] and cnt:
                score = max(score, _flush(XT, r, buf_w, buf_off, buf_t, buf_g, cnt, sums, zbuf, pos, neg,
                                          lam, scale, exclude, top_priority, top_column))
                cnt = 0
            if score == score and score < np.inf:
                best[blk] = max(best[blk], score)
            else:
                bad[blk] = True
            if i >= hi[blk]:
                break
            t, fam = step_subset(i, listed, ranks, fam, ms, bs, offsets, TP, TB, P, B, d, n)


@numba.njit(cache=True, parallel=True)
def _uncertain_ranks(X, p, bias, ms, bs, offsets, TP, TB, exact, gamma, compiled, first, last, ranks, fill, out,
                     counts):
    """Count (``fill`` False) or list into ``out`` at per-block offsets ``counts`` (``fill``
    True) the hyperplanes at positions first[b] … last[b] − 1 of every block b (ranks, or
    positions into ``ranks``) whose normal is UNCERTAIN; cheap: no sweep over the points
    (:func:`ganet.numeric.oracles.resolution.list_uncertain`)."""
    n, d = X.shape
    found = np.zeros(first.shape[0], dtype=np.int64)
    listed = ranks.shape[0] > 0
    for blk in numba.prange(first.shape[0]):
        if first[blk] >= last[blk]:
            continue
        V = np.empty((max(d - 1, 0), d))
        w = np.empty(d)
        P = np.empty(d, dtype=np.int64)
        B = np.empty(d, dtype=np.int64)
        row = np.empty(d, dtype=np.int64)
        i = first[blk]
        t = ranks[i] if listed else i
        fam = unrank_subset(t, ms, bs, offsets, TP, TB, P, B)
        while True:
            plane_row(P, ms[fam], B, bs[fam], bias, n, row)
            status, _ = unit_normal(X, row, p, exact, gamma, V, w, compiled)
            if status == UNCERTAIN:
                if fill:
                    out[counts[blk] + found[blk]] = t
                found[blk] += 1
            i += 1
            if i >= last[blk]:
                break
            t, fam = step_subset(i, listed, ranks, fam, ms, bs, offsets, TP, TB, P, B, d, n)
    return found


# Pass rates measured on 2 cores, 2 threads (benchmarks/scale.py --cases sweep, d = 2 to 4): a
# scanned pass costs about 0.06 ns per point × hyperplane × coordinate (0.16 ns from d = 4 on)
# plus 15 ns per hyperplane (its normal and heap); a swept pass about 10 + 15d ns per point of
# each prefix's walk plus 35 ns per hyperplane. (From d = 4 on, a scan measured 2.3–3.1× the
# d ≤ 3 rate relative to a sweep in the same run: d = 4, n = 300 / 400 / 500 / 700 scanned in
# 1.18 / 3.42 / 8.78 / 26.9 s against 1.08 / 2.53 / 6.48 / 12.5 s swept, d = 5, n = 120 / 160
# in 1.24 / 4.79 s against 3.41 / 12.1 s; with 0.06 "auto" scanned at d = 4 up to n ≈ 950.)
_SCAN_NS = (0.06, 15.0)
_SCAN_NS_FROM_D4 = 0.16
_SWEEP_NS = (10.0, 15.0, 35.0)


def pass_costs(n, d, reg, bias):
    """Estimated nanoseconds of one full pass, (scanned, swept), over the two-layer dictionary
    (``reg`` "l1" or "l2", or p) of n points in d (reduced) coordinates; the swept cost is inf
    where there is nothing to sweep (d < 2). A scan scores every hyperplane over the n points,
    O(N·n·d); a sweep sorts the n points around each of the P prefixes, O(P·n·(d + log n))
    (:mod:`~ganet.numeric.oracles.sweep`)."""
    splits = _subset_counts(n, d, _reg_to_p(reg), bias)
    N = sum(comb(n, m) * comb(d, b) for m, b in splits)
    scan = N * ((_SCAN_NS[0] if d <= 3 else _SCAN_NS_FROM_D4) * n * d + _SCAN_NS[1])
    prefixes = sum(comb(n, m) * comb(d, b) for m, b in prefix_splits(*zip(*splits), bias)) if splits else 0
    sweep = prefixes * n * (_SWEEP_NS[0] + _SWEEP_NS[1] * d) + N * _SWEEP_NS[2] if d >= 2 and prefixes else np.inf
    return float(scan), float(sweep)


class StreamingDictionary(PricingEngine, TwoLayerOracle):
    """The two-layer dictionary as a matrix-free oracle: nothing but X is stored.

    Parameters are those of :class:`~ganet.numeric.oracles.two_layer.TwoLayerOracle`, plus

    n_blocks : int
        Pricing tasks per pass, each a contiguous range of ranks (fixed, so the result does not
        depend on the thread count).
    n_groups : int
        Contiguous rank ranges of the violators' round robin, each with its own heap (at least
        ``n_blocks``; see :data:`~ganet.numeric.oracles.engine.ROUND_ROBIN_GROUPS`).
    progress : bool
        Show a tqdm bar over each pricing pass.
    cell_grid : "auto", int or None
        Bound whole cells of hyperplanes before scoring them, and skip those that provably hold
        no violator (:mod:`~ganet.numeric.oracles.cell_bounds`; full passes, one output): "auto"
        does so for passes of more than 5·10⁸ point × hyperplane products, with the finest grid
        :meth:`CellGrid.auto <ganet.numeric.oracles.cell_bounds.CellGrid.auto>` picks; an int is
        that grid's G (a power of two); None never. A pass with bounds that skips less than half
        of the neurons, or takes longer than the last full pass without them, pauses the bounds
        for the next four full passes (they would cost more than they save), and each such pass
        in a row doubles the pause.

    pricing : {"auto", "sweep", "scan"}
        How a full pass prices the dictionary. "scan" scores every hyperplane over the n points;
        "sweep" sorts the points around each (d − 2)-face and prices every hyperplane through it
        in one walk (:mod:`~ganet.numeric.oracles.sweep`), O(n log n) per face instead of O(n²·d):
        2× (n = 1600) to 7.5× (n = 10,000) faster at d = 2 and 3, slower for d ≥ 4 or small n.
        "auto" picks the one :func:`pass_costs` estimates cheaper. Both give the same scores to
        rounding. Passes over a list of hyperplanes (local rounds) and passes with cell bounds
        always scan; a swept dictionary bounds cells only while they skip more than the sweep
        saves.

    Column ``2t`` / ``2t + 1`` is hyperplane rank t with sign + / −; degenerate hyperplanes
    (provably dependent generators) are zero columns, never violators. Passes, budgets, Dask and
    local rounds are the :class:`~ganet.numeric.oracles.engine.PricingEngine`'s.

    Attributes
    ----------
    n_columns : int
        2 × the number of hyperplanes (degenerate ones included).
    passes : list of PricingPass
        Every pricing pass so far (time, hyperplanes visited and skipped).
    cell_grid : CellGrid or None
    """

    unit = "hyperplane"
    _kernel = staticmethod(_price_slices)

    def __init__(self, X, reg="l1", bias=True, memory_limit=None, rank_tol=1e-10, kernel="compiled",
                 n_blocks=64, progress=False, n_groups=ROUND_ROBIN_GROUPS, cell_grid="auto", pricing="auto"):
        super().__init__(X, reg, bias, memory_limit, rank_tol, kernel)
        n, dr = self.X.shape[0], self.Xr.shape[1]
        self._init_engine(HyperplaneIndex(n, dr, self.p, self.bias) if dr > 0 else None, n_blocks, n_groups,
                          progress)
        self.n_columns = 2 * self.n_hyperplanes
        if pricing not in ("auto", "sweep", "scan"):
            raise ValueError(f"pricing must be 'auto', 'sweep' or 'scan'; got {pricing!r}")
        auto = isinstance(cell_grid, str) and cell_grid == "auto"
        power_of_two = isinstance(cell_grid, (int, np.integer)) and cell_grid >= 2 and cell_grid & (cell_grid - 1) == 0
        if not (auto or power_of_two or cell_grid is None):
            raise ValueError(f"cell_grid must be 'auto', None or a power of two ≥ 2; got {cell_grid!r}")
        scan_ns, sweep_ns = pass_costs(n, dr, self.p, self.bias) if dr else (0.0, np.inf)
        if pricing == "auto":
            pricing = "sweep" if sweep_ns < scan_ns else "scan"
        # full passes sweep the hyperplanes around their common (d − 2)-faces (module sweep)
        # when there is a plane to sweep in (d ≥ 2), except passes with cell bounds, which scan
        self._prefixes = None
        if pricing == "sweep" and dr >= 2 and self.n_hyperplanes:
            splits = prefix_splits(self.index.ms, self.index.bs, self.bias)
            self._prefixes = SubsetIndex(n, dr, splits) if splits else None
        self.pricing = "sweep" if self._prefixes is not None else "scan"
        # the share of the hyperplanes a pass with cell bounds must skip to beat one without them
        self._cells_must_skip = 0.5 if self._prefixes is None else max(0.5, 1.0 - sweep_ns / scan_ns)
        if auto:
            self.cell_grid = (CellGrid.auto(self.Xr, self.p, self.bias, self.n_hyperplanes)
                              if self.n_hyperplanes * n > _CELL_WORK else None)
        else:
            self.cell_grid = CellGrid(self.Xr, self.p, self.bias, int(cell_grid)) if power_of_two and dr >= 2 else None
        self.nbytes_materialized = n * self.n_columns * 8
        self._XT = np.ascontiguousarray(self.Xr.T)

    def _planes(self, t):
        H = self.index.rows(t)
        W, c, valid = certified_normals(self.Xr, H, self.p, self.exact, self.gamma, self.compiled)
        W[~valid], c[~valid] = 0.0, 0.0  # a provably degenerate hyperplane is a zero column
        return H, W, c

    def _kernel_args(self, R2, cells=None):
        # R[:, 0] as a contiguous vector: a column view of R would have an unknown stride, which
        # stops vectorization
        return (self.Xr, self._XT, R2, np.ascontiguousarray(R2[:, 0]), self.p, self.bias, self.exact, self.gamma,
                self.compiled, *(NO_CELLS if cells is None else cells))

    def _cell_table(self, R2, lam_r):
        """The cell bounds of a full pass (:mod:`~ganet.numeric.oracles.cell_bounds`): None without a
        grid, for several outputs, or without a finite λ (a pass for λ_max must score every column)."""
        if self.cell_grid is None or R2.shape[1] != 1 or not np.isfinite(lam_r) or not self._cells_pay(lam_r):
            return None, 0
        return self.cell_grid.table(R2[:, 0], lam_r)

    def _cells_pay(self, lam_r):
        """Whether bounding cells is likely to save time in the next full pass. Not while the last
        pass (full, or local: between full passes the solver prices neighbourhoods) found scores
        above 2λ: the dual point is still far from feasible and next to nothing would be
        skipped. Nor for _CELL_REST·2^(f − 1) full passes after f passes with bounds in a row
        that did not pay (:meth:`_cells_paid`): the dual point of a small λ is close to λ on most
        columns, so few cells can be skipped and the bounds cost more than they save. The pause
        doubles because a fit's later dual points skip about as little (disc, n = 2000, hinge:
        12%, 13%, 13% at passes 2, 7 and 12, each such pass 1.3 s against 0.4 s swept)."""
        if not self.passes or self.passes[-1].max_score > 2 * lam_r * self.scale:
            return False
        since, failures = 0, 0
        for i, record in reversed(list(enumerate(self.passes))):
            if record.cells:
                if self._cells_paid(i):
                    break  # the failures counted so far are the ones since
                failures += 1
            elif not failures:
                since += record.full
        return not failures or since >= _CELL_REST << (failures - 1)

    def _cells_paid(self, i):
        """Whether pass i, with bounds, paid: it skipped at least half of its neurons (a swept
        dictionary: at least 1 − its sweep's estimated cost over a scan's, since a pass with bounds
        scans what it does not skip), and it took no longer than the last full pass without
        bounds before it, when there is one. The time is the measure; the share alone misjudged
        d = 4, whose scans cost 2.3–3.1× the rate then estimated: at n = 1000, λ = 0.1 each pass
        with bounds skipped 51% and took 75–85 s against 40–52 s swept."""
        record = self.passes[i]
        if record.skipped < self._cells_must_skip * record.visited:
            return False
        plain = next((p for p in reversed(self.passes[:i]) if p.full and not p.cells), None)
        return plain is None or record.seconds <= plain.seconds

    def _subset_cost(self, n_outputs):
        return self.X.shape[0] * max(self.Xr.shape[1], 1)

    def _scan(self, R2, lam_r, scale, exclude, ranks, k_group, cells=None, blocks=None, bar=None, deadline=None):
        """A full pass by rotational sweep (:mod:`~ganet.numeric.oracles.sweep`) when the
        dictionary has prefixes to sweep; passes over a list of ranks (local rounds) and passes
        with cell bounds score each hyperplane (:meth:`PricingEngine._scan
        <ganet.numeric.oracles.engine.PricingEngine._scan>`).

        The pass runs as SWEEP_TASKS tasks over contiguous prefix ranges, each with its own
        round-robin heaps, plus one for the hyperplanes without a data generator to sweep; the
        returned heaps are all of them, one row per (task, group). ``blocks`` = (b0, b1) of the
        n_blocks pricing blocks maps to the tasks ⌊b0·T/n_blocks⌋ … ⌊b1·T/n_blocks⌋ − 1 (the last
        one to the rest when b0 = 0), so a pass split over a Dask cluster is bit for bit the local one.
        """
        if self._prefixes is None or ranks.shape[0] or cells is not None:
            return super()._scan(R2, lam_r, scale, exclude, ranks, k_group, cells, blocks, bar, deadline)
        n, d = self.Xr.shape
        T, G, N = SWEEP_TASKS, self.n_groups, self.n_subsets
        b0, b1 = (0, self.n_blocks) if blocks is None else blocks
        t0, t1 = b0 * T // self.n_blocks, b1 * T // self.n_blocks
        group_size = -(-N // G)
        top_priority = np.full((T + 1, G, k_group), -np.inf)
        top_column = np.full((T + 1, G, k_group), -1, dtype=np.int64)
        best, visited, uncertain = np.zeros(T + 1), np.zeros(T + 1, np.int64), np.zeros(T + 1, np.int64)
        bad = np.zeros(T + 1, np.bool_)
        covered = np.zeros(T, np.int64)
        X, XT, p = self.Xr, self._XT, self.p
        tail = int(self.index.offsets[len(self._prefixes.ms)])  # first rank with no data generator to sweep
        if b0 == 0 and tail < N:  # scored directly, into heaps row T
            self._kernel(*self._kernel_args(R2), *self.index.arrays, np.array([tail]), np.array([N]), NO_RANKS,
                         lam_r, float(scale), exclude, group_size, top_priority[T], top_column[T], best[T:],
                         visited[T:], bad[T:], uncertain[T:], np.zeros(1, np.int64))
            if bar is not None:
                bar.update(N - tail)
        cuts = np.linspace(0, self._prefixes.n_subsets, T + 1).astype(np.int64)
        first, last = cuts[:-1].copy(), cuts[1:].copy()
        outside = np.ones(T, bool)
        outside[t0:t1] = False
        last[outside] = first[outside]
        step = max(1, int(SLICE_WORK / (T * n * (d * d + 2 * d + 16))))  # a prefix's sweep, per point

        def advance(lo, hi):
            before = int(covered.sum())
            sweep_slices(X, XT, R2, p, self.bias, self.exact, self.gamma, self.compiled,
                         *self._prefixes.arrays, *self.index.arrays, lo, hi, lam_r, float(scale), exclude,
                         group_size, top_priority, top_column, best, visited, bad, uncertain, covered)
            return int(covered.sum()) - before

        complete = run_sliced(first, last, step, deadline, bar, advance)
        rows = (T + 1) * G
        return (top_priority.reshape(rows, k_group), top_column.reshape(rows, k_group), float(best.max()),
                int(visited.sum()), bool(bad.any()), int(uncertain.sum()), 0, complete)

    # ---- exact resolution (:mod:`ganet.numeric.oracles.resolution`): hyperplanes with nearly
    # dependent generators, their unit normals and offsets (normalized coordinates) from exact
    # arithmetic, one row (w, c) each
    _uncertain_kernel = staticmethod(_uncertain_ranks)

    @property
    def _resolved_width(self):
        return self.Xr.shape[1] + 1

    def _uncertain_args(self):
        return (self.Xr, self.p, self.bias, *self.index.arrays, self.exact, self.gamma, self.compiled)

    def _exact(self, ranks):
        W, c, dead = exact_normals(self.Xr, self.index.rows(ranks), self.p)
        return ranks[~dead], np.column_stack([W, c])[~dead]

    def _price_resolved(self, R2, lam, scale, exclude, r_ranks, rows):
        if not len(r_ranks):
            return 0.0, np.zeros(0), np.zeros(0, np.int64), 0
        W, c = rows[:, :-1], rows[:, -1]
        Z = self.Xr @ W.T - c
        pri, cols, best = [], [], 0.0
        for sign in (1.0, -1.0):
            K = np.maximum(sign * Z, 0.0)
            scores = np.linalg.norm(K.T @ R2, axis=1)
            best = max(best, float(scores.max()))
            col_norms = np.linalg.norm(K, axis=0)
            columns = 2 * r_ranks + (0 if sign > 0 else 1)
            ok = (scores > lam) & (col_norms > 0) & ~np.isin(columns, exclude)
            pri.append((scores[ok] / scale - lam) / col_norms[ok])
            cols.append(columns[ok])
        if not np.isfinite(best):
            raise FloatingPointError("pricing produced NaN or infinite scores")
        return best, np.concatenate(pri), np.concatenate(cols), len(r_ranks)
