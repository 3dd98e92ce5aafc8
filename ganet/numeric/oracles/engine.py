r"""The pricing engine: one pass over a matrix-free dictionary, written once for every family.

A matrix-free dictionary is a set of ranked subsets (:class:`~ganet.numeric.oracles.combinations.SubsetIndex`:
the two-layer hyperplanes, the lifted subsets of the deep families), each giving a few columns.
A pricing pass computes, for the residual R and every column K_j,

.. math::  \text{score}_j = \|K_j^\top R\|_2, \qquad
           \text{priority}_j = \frac{\text{score}_j/\text{scale} - \lambda}{\|K_j\|_2}
           \quad (\text{score}_j > \lambda),

and keeps the largest score (the certificate needs max_j score_j over the whole dictionary) and
the best violators by priority. Everything around the family's scoring kernel is here:

* **blocks and groups**: the ranks are cut into ``n_groups`` contiguous round-robin groups, each
  with its own min-heap of violators, and the groups into ``n_blocks`` pricing tasks (``prange``);
  the result does not depend on the thread count;
* **slices**: a pass is a sequence of short kernel calls (about 0.1 s each), so that a progress
  bar moves, Ctrl-C is honoured (:mod:`ganet.numeric.runtime.interrupts`) and a time budget stops a pass
  between two slices (:class:`PassSlices`);
* **Dask**: a full pass split into block ranges runs on a cluster and merges into exactly the
  local result (:mod:`ganet.numeric.oracles.distributed`);
* **local rounds**: a pass over the neighbours of the current support only;
* **exact resolution**: subsets the kernel could not decide in floating point are resolved once
  in exact arithmetic as passes meet them and priced apart (:mod:`ganet.numeric.oracles.resolution`);
* the merge of the groups' heaps by :func:`round_robin`, and the :class:`PricingPass` record.

A family supplies only its kernels and its column layout (see :class:`PricingEngine`).
"""

import sys
import time

import numba
import numpy as np

from ..runtime.interrupts import deferred_interrupt
from ..runtime.validation import as_finite_array
from ..runtime.notes import warn_user
from .combinations import sorted_unique
from .protocol import ColumnOracle, PricingPass
from .resolution import ExactResolution, list_uncertain

__all__ = ["PricingEngine", "BudgetWarning", "round_robin", "ROUND_ROBIN_GROUPS"]

NO_RANKS = np.zeros(0, dtype=np.int64)

# Point × generator products per kernel call of a pass: about 0.1 s at the ~2·10⁹ per second of
# 2 cores, so a progress bar moves and Ctrl-C returns within a fraction of a second.
SLICE_WORK = 2e8

# Contiguous column ranges of the round robin (and pricing blocks of a streaming pass). Finer
# ranges spread each round's violators over more distinct neurons: Gaussian n = 2000, d = 3,
# λ = 0.01 certified in 57 passes with 64 ranges, 27 with 1024, 23 with 8192 (144 s → 115 s).
ROUND_ROBIN_GROUPS = 8192


def round_robin(columns, priority, k, n_columns, n_groups=ROUND_ROBIN_GROUPS):
    """Indices of the k best columns, taking each of n_groups contiguous column ranges' best
    before any range's second best (ties by column index, so the choice does not depend on the
    order the candidates were found in, e.g. on the thread count).

    Neighbouring hyperplanes (one generator apart) give nearly equal columns, so the k globally
    best violators are often k near-copies of one neuron; spreading the choice over the whole
    dictionary lets each working-set round add many different neurons (measured: Gaussian n = 1000,
    d = 3, λ = 0.01, 25 rounds reach support 328 and objective 131.7 instead of 49 and 236.1 with
    the k best; see ROUND_ROBIN_GROUPS for the number of ranges).
    """
    columns, priority = np.asarray(columns, dtype=np.int64), np.asarray(priority, dtype=np.float64)
    group = columns * n_groups // max(n_columns, 1)
    # the first k need only the ranks up to the one where k are reached (k/G on a full pass: a
    # few O(m) scans in place of two sorts of every candidate, 0.11 s → 0.01 s for 196,000 of
    # them); with more ranks than _FEW_RANKS, every rank by sorting
    taken = _leading_ranks(group, priority, columns, n_groups, k, _FEW_RANKS)
    if taken is None:
        order = np.lexsort((columns, -priority, group))  # by group, best first within each
        first = np.r_[0, np.flatnonzero(np.diff(group[order])) + 1]
        within = np.arange(len(order)) - np.repeat(first, np.diff(np.r_[first, len(order)]))
        rank = np.empty(len(order), dtype=np.int64)
        rank[order] = within
        return np.lexsort((columns, -priority, rank))[:k]
    indices, rank = taken
    return indices[np.lexsort((columns[indices], -priority[indices], rank))[:k]]


_FEW_RANKS = 8


@numba.njit(cache=True)
def _leading_ranks(group, priority, columns, n_groups, k, max_ranks):
    """The candidates of rank 0, 1, … within their group (best by priority, then the smaller
    column), rank by rank until at least k are taken or none is left: (indices, ranks), or None
    when that needs more than ``max_ranks`` ranks."""
    m = len(group)
    rank = np.full(m, -1, dtype=np.int64)
    best = np.empty(n_groups, dtype=np.int64)
    taken, r = 0, 0
    while taken < k and taken < m:
        if r == max_ranks:
            return None
        best[:] = -1
        for i in range(m):
            if rank[i] < 0:
                g = group[i]
                b = best[g]
                if b < 0 or priority[i] > priority[b] or (priority[i] == priority[b] and columns[i] < columns[b]):
                    best[g] = i
        for g in range(n_groups):
            if best[g] >= 0:
                rank[best[g]] = r
                taken += 1
        r += 1
    indices = np.flatnonzero(rank >= 0)
    return indices, rank[indices]


def as_residual(R, n):
    """R as a finite float array with n rows (a residual to price)."""
    R = as_finite_array(R, "R", ndim=(1, 2))
    if R.shape[0] != n:
        raise ValueError(f"R must have n = {n} rows; got shape {R.shape}")
    return R


def finite_scores(scores):
    """Raise if a pricing pass produced NaN or ±inf: such a score must never pass as a maximum."""
    if not np.all(np.isfinite(scores)):
        raise FloatingPointError("pricing produced NaN or infinite scores (overflowing data or "
                                 "residual); no certificate can be computed from them")


# ---- the kernels' shared pieces (inlined into each family's kernel) ------------------------------
@numba.njit(cache=True, inline="always")
def heap_replace_min(priority, column, new_priority, new_column):
    """Replace the root of the binary min-heap (priority, column) and sift down: O(log k).

    A heap of k entries starts as all −inf (a valid heap), so the k best of a stream are kept by
    replacing the root whenever a larger priority arrives.
    """
    k = priority.shape[0]
    i = 0
    while True:
        child = 2 * i + 1
        if child >= k:
            break
        if child + 1 < k and priority[child + 1] < priority[child]:
            child += 1
        if priority[child] >= new_priority:
            break
        priority[i] = priority[child]
        column[i] = column[child]
        i = child
    priority[i] = new_priority
    column[i] = new_column


@numba.njit(cache=True, inline="always")
def offer(col, score, norm2, lam, scale, exclude, top_priority, top_column):
    """Offer column ``col`` (score ‖K_jᵀR‖₂, ‖K_j‖₂² = norm2) to its group's heap when it violates:
    score > λ, a nonzero column, a priority above the heap's minimum, not in ``exclude`` (sorted)."""
    col_norm = np.sqrt(norm2)
    if top_priority.shape[0] == 0 or not score > lam or col_norm == 0.0:
        return
    priority = (score / scale - lam) / col_norm
    if priority <= top_priority[0]:  # the heap's minimum
        return
    e = np.searchsorted(exclude, col)
    if e < exclude.shape[0] and exclude[e] == col:
        return
    heap_replace_min(top_priority, top_column, priority, col)


@numba.njit(cache=True, inline="always")
def group_of(key, group_size):
    """The round-robin group of a subset: ⌊key / ⌈N/G⌉⌋, its key being its rank t in a pass over
    rank ranges (N = all ranks) and its position in the list in a pass over a list of ranks
    (N = the list's length), so that a list's violators spread over all groups."""
    return key // group_size


# ---- budgets ------------------------------------------------------------------------------------
class BudgetWarning(UserWarning):
    """A time budget (``max_seconds``) is too short for the work a certificate needs."""


def _rounded(seconds):
    """0.2, 3.4, 120: one decimal below 10 s."""
    return f"{seconds:.1f}" if seconds < 10 else f"{seconds:.0f}"


def warn_if_over_budget(seconds, fraction, deadline):
    """After a pass's first slice: warn once per pass when the pass, at the rate just measured,
    cannot finish before ``deadline`` (the fit will then stop without a new certificate). The
    deadline is the budget's, or earlier for a fit's first pass, which gets at most half of it."""
    if deadline is None or fraction <= 0:
        return
    need = seconds / fraction
    left = deadline - time.perf_counter() + seconds
    if need > left:
        # (a pass may start with nothing left: the working-set solves take the rest of the budget
        # once less than twice the last pass's time is left; "the 0.0 s left" read as a bug)
        room = (f"more than the {_rounded(left)} s left for it within max_seconds" if left >= 0.05 else
                "and nothing was left of max_seconds when it started")
        warn_user(f"one full pricing pass needs about {_rounded(need)} s at the rate measured, {room}: the "
                  "pass will stop at the budget and certify nothing (the gap stays that of the last full pass, "
                  "or infinite)", BudgetWarning)


class PassSlices:
    """The slice offsets s = 0, step, 2·step, … < size of one pass, as an iterator that stops
    before a slice would start past ``deadline`` (then ``complete`` is False) and warns when the
    pass cannot finish in time (:func:`warn_if_over_budget`) at the rate of its second slice, or
    of its first when the pass stops before a second. (A process's first slice also loads the
    compiled kernel and starts its threads: on breast cancer it took 0.24 s against 0.013 s for
    each later one, and a 3.7 s pass was announced as needing 67 s.)"""

    def __init__(self, size, step, deadline):
        self.size, self.step, self.deadline, self.complete = size, step, deadline, True

    def __iter__(self):
        fraction = min(self.step, self.size) / max(self.size, 1)
        first = None
        for s in range(0, self.size, self.step):
            begun = time.perf_counter()
            if self.deadline is not None and s and begun > self.deadline:
                self.complete = False
                if s == self.step:  # only the first slice ran: its rate is all there is
                    warn_if_over_budget(first, fraction, self.deadline)
                return
            yield s
            if s == 0:
                first = time.perf_counter() - begun
            elif s == self.step:
                warn_if_over_budget(time.perf_counter() - begun, fraction, self.deadline)


def run_sliced(first, last, step, deadline, bar, advance):
    """Run a pass's kernel calls: every task b advances over first[b] … last[b] − 1 by ``step``
    per call, ``advance(lo, hi)`` (Ctrl-C deferred during it; it returns the units done, for the
    progress bar ``bar``), until the ranges end or a call would start past ``deadline``
    (:class:`PassSlices`). Returns whether the pass ran to its end."""
    slices = PassSlices(int((last - first).max(initial=0)), step, deadline)
    for s in slices:
        lo, hi = np.minimum(first + s, last), np.minimum(first + s + step, last)
        with deferred_interrupt():
            done = advance(lo, hi)
        if bar is not None:
            bar.update(done)
    return slices.complete


# ---- the engine ---------------------------------------------------------------------------------
class PricingEngine(ColumnOracle):
    """Pricing passes over the ranked subsets of a matrix-free dictionary.

    A family subclasses it and supplies

    * ``index`` (a :class:`~ganet.numeric.oracles.combinations.SubsetIndex`, or None for an empty
      dictionary), ``X``, ``scale`` (columns are ``scale`` times those of the normalized data),
      ``n_columns`` and ``columns_per_subset`` (column j belongs to subset j // columns_per_subset);
    * :meth:`_kernel_args` and ``_kernel``: the numba kernel that advances every block over a
      slice of ranks, called as ``_kernel(*self._kernel_args(R), *index.arrays, lo, hi, ranks,
      lam, scale, exclude, group_size, top_priority, top_column, best, visited, bad, uncertain,
      skipped)``;
    * :meth:`_subset_cost`: point × generator products per subset, which sets the slice length;
    * the exact resolution of the subsets its kernel finds UNCERTAIN
      (:class:`~ganet.numeric.oracles.resolution.ExactResolution`): ``_uncertain_kernel`` that
      lists them, :meth:`_uncertain_args`, :meth:`_exact` and ``_resolved_width`` (one row per
      resolved neuron), and :meth:`_price_resolved`, which prices those rows;
    * optionally :meth:`_cell_table`: bounds on whole groups of subsets for a full pass, handed
      to ``_kernel_args``, so that the kernel can skip subsets that provably hold no violator
      (counted in ``skipped``).

    and calls :meth:`_init_engine` from its constructor. Set ``sample`` (sorted ranks) to restrict
    every pass to those subsets (a sampled dictionary: nothing global is certified), and
    ``client`` (a ``dask.distributed.Client``) to run full passes on a cluster.
    """

    unit = "subset"
    columns_per_subset = 2
    _kernel = None  # staticmethod(the family's numba pass kernel)

    def _init_engine(self, index, n_blocks, n_groups, progress):
        for name, value in (("n_blocks", n_blocks), ("n_groups", n_groups)):
            if not isinstance(value, (int, np.integer)) or isinstance(value, bool) or value < 1:
                raise ValueError(f"{name} must be a positive integer; got {value!r}")
        self.index = index
        self.n_blocks, self.progress = int(n_blocks), bool(progress)
        self.n_groups = max(int(n_groups), self.n_blocks)
        self.passes = []
        self.sample = None
        self.client = None  # a dask.distributed.Client: full passes run on its workers
        self.resolution = ExactResolution(self._find_uncertain, self._exact, self.n_subsets, self.n_blocks,
                                          self._resolved_width)

    @property
    def n_subsets(self):
        """Ranked subsets of the dictionary (neurons or not)."""
        return self.index.n_subsets if self.index is not None else 0

    def _kernel_args(self, R2, cells=None):
        """The family's leading kernel arguments for residual R2 (n × c, contiguous) and the
        pass's cell table (:meth:`_cell_table`)."""
        raise NotImplementedError

    def _cell_table(self, R2, lam_r):
        """(cell table, cells bounded) for a full pass at threshold lam_r: (None, 0) by default."""
        return None, 0

    def _subset_cost(self, n_outputs):
        """Point × generator products of one subset, for the slice length."""
        raise NotImplementedError

    def _uncertain_args(self):
        """The leading arguments of ``_uncertain_kernel``."""
        raise NotImplementedError

    def _find_uncertain(self, first, last, ranks):
        return list_uncertain(self._uncertain_kernel, self._uncertain_args(), first, last, ranks)

    def _exact(self, ranks):
        """(kept, rows): the uncertain ``ranks`` (sorted) that are neurons in exact arithmetic,
        and a row of ``_resolved_width`` numbers for each."""
        raise NotImplementedError

    def _price_resolved(self, R2, lam, scale, exclude, ranks, rows):
        """(best score, priorities, columns, count) of the exactly resolved subsets ``ranks``
        (their rows from :meth:`_exact`), in normalized units."""
        raise NotImplementedError

    def _scan(self, R2, lam_r, scale, exclude, ranks, k_group, cells=None, blocks=None, bar=None, deadline=None):
        """Run the pricing kernel over the pricing blocks ``blocks`` = (b0, b1) (all when None).

        Blocks are unions of whole round-robin groups, and each block is sliced the same way
        whichever blocks are scanned together, so the scores and the group heaps are bit for bit
        those of a whole pass: a pass split into block ranges (over a Dask cluster,
        :mod:`ganet.numeric.oracles.distributed`) merges into exactly the local result.

        Returns (top_priority, top_column, best, visited, bad, uncertain, skipped, complete): the
        heaps of every group (those outside the scanned blocks empty), the largest score, the
        neurons priced, whether a score was NaN or infinite, the number of subsets left
        uncertain, those skipped by the cell table ``cells``, and whether the pass ran to its end
        (False: stopped at ``deadline``, a ``time.perf_counter`` value, between two slices).
        """
        G, nb = self.n_groups, self.n_blocks
        top_priority = np.full((G, k_group), -np.inf)
        top_column = np.full((G, k_group), -1, dtype=np.int64)
        best, visited = np.zeros(nb), np.zeros(nb, dtype=np.int64)
        bad = np.zeros(nb, dtype=np.bool_)
        uncertain = np.zeros(nb, dtype=np.int64)
        skipped = np.zeros(nb, dtype=np.int64)
        # blocks are unions of whole groups: group g holds the keys (ranks, or list positions)
        # with ⌊key·G/N⌋ = g
        n_keys = max(self.n_subsets if ranks.shape[0] == 0 else len(ranks), 1)
        group_size = -(-n_keys // G)
        group_start = np.minimum(np.arange(G + 1, dtype=np.int64) * group_size, n_keys)
        cuts = group_start[np.linspace(0, G, nb + 1).astype(np.int64)]
        first, last = cuts[:-1].copy(), cuts[1:].copy()
        if blocks is not None:  # the other blocks are empty ranges
            outside = np.ones(nb, dtype=bool)
            outside[blocks[0]:blocks[1]] = False
            last[outside] = first[outside]
        step = max(1, int(SLICE_WORK / (nb * max(self._subset_cost(R2.shape[1]), 1))))
        leading = (*self._kernel_args(R2, cells), *self.index.arrays)

        def advance(lo, hi):
            self._kernel(*leading, lo, hi, ranks, lam_r, float(scale), exclude, group_size,
                         top_priority, top_column, best, visited, bad, uncertain, skipped)
            return int((hi - lo).sum())

        complete = run_sliced(first, last, step, deadline, bar, advance)
        return (top_priority, top_column, float(best.max(initial=0.0)), int(visited.sum()), bool(bad.any()),
                int(uncertain.sum()), int(skipped.sum()), complete)

    def price(self, R, lam=np.inf, k=0, scale=1.0, exclude=None, hyperplanes=None, deadline=None):
        """One sliced pass (see :meth:`ColumnOracle.price <ganet.numeric.oracles.protocol.ColumnOracle.price>`
        for the parameters); scores in the units of X. A pass still running at ``deadline`` stops
        after its current slice (~0.1 s): its violators are valid, but ``full`` is False, so its
        max_score certifies nothing.

        With ``self.client`` set, full passes run on the cluster
        (:func:`ganet.numeric.oracles.distributed.scan_on_cluster`); the result is the same bit for bit.
        """
        n = self.X.shape[0]
        R2 = np.ascontiguousarray(as_residual(R, n).reshape(n, -1))
        exclude = sorted_unique([] if exclude is None else exclude)
        full = hyperplanes is None
        ranks = NO_RANKS if full else sorted_unique(hyperplanes)
        k = int(min(k, self.n_columns))
        lam_r = float(lam) / self.scale  # the kernel prices the normalized columns: K = scale·K_r
        start_time = time.perf_counter()
        N = self.n_subsets if full else len(ranks)
        G = self.n_groups
        # each group keeps up to four times its fair share of the k: the round robin below takes
        # about k / G from each, more only from groups where the others run short; keeping k per
        # group made the heaps and the merge cost more than the pass itself at k = 50,000
        k_group = min(k, 4 * -(-k // G) + 16)
        cells, n_cells = self._cell_table(R2, lam_r) if N and full else (None, 0)
        args = (R2, lam_r, float(scale), exclude, ranks, k_group, cells)
        top_priority, top_column = np.zeros((0, 0)), np.zeros((0, 0), np.int64)
        top, n_visited, bad, n_uncertain, n_skipped, complete = 0.0, 0, False, 0, 0, True
        if N and full and self.client is not None:
            from .distributed import scan_on_cluster

            top_priority, top_column, top, n_visited, bad, n_uncertain, n_skipped = scan_on_cluster(
                self, args, self.client)
        elif N:
            bar = None
            if self.progress and sys.stderr.isatty():  # a bar on a terminal; logs get the solver's lines
                from tqdm.auto import tqdm
                bar = tqdm(total=N, unit=self.unit, unit_scale=True, desc="pricing", leave=False)
            try:
                top_priority, top_column, top, n_visited, bad, n_uncertain, n_skipped, complete = self._scan(
                    *args, bar=bar, deadline=deadline)
            finally:
                if bar is not None:
                    bar.close()
        if bad:
            raise FloatingPointError("pricing produced NaN or infinite scores (overflowing data or "
                                     "residual); no certificate can be computed from them")
        priorities, columns = top_priority.ravel(), top_column.ravel()
        keep = columns >= 0
        priorities, columns = priorities[keep], columns[keep]
        if n_uncertain:
            # the uncertain subsets, resolved in exact arithmetic: a list's own, or (a full pass)
            # every one, by a sweep that stops at the deadline (the pass then certifies nothing)
            if not full:
                resolved = self.resolution.among(ranks)
            else:  # (a pass cut before the sweep gives violators from what is resolved already)
                complete = complete and self.resolution.sweep(deadline)
                resolved = self.resolution.select()
            r_best, r_pri, r_cols, r_count = self._price_resolved(R2, lam_r, float(scale), exclude, *resolved)
            top, n_visited = max(top, r_best), n_visited + r_count
            priorities, columns = np.concatenate([priorities, r_pri]), np.concatenate([columns, r_cols])
        # every group kept its best; the merge is the stored dictionary's round robin over the
        # same contiguous ranges
        order = round_robin(columns, priorities, k, self.n_columns, n_groups=G)
        result = PricingPass(top * self.scale, columns[order], priorities[order], n_visited,
                             time.perf_counter() - start_time, full and complete, complete, n_skipped, n_cells)
        self.passes.append(result)
        return result

    def local_violators(self, R, lam, k, scale=1.0, around=()):
        """The k worst violators among the neighbours of the subsets of columns ``around``
        (:meth:`SubsetIndex.neighbors`), or None when their number's bound
        |around|·n_generators·n_axes exceeds a quarter of the dictionary (then a full pass costs
        little more), or when the dictionary is a sample.

        The optimal neurons of consecutive working sets are mostly one generator apart, so
        between two full passes the solver searches these neighbourhoods first (two-layer Gaussian
        n = 300, d = 4, λ = 0.01: 7 full passes and 39 local ones over 7.8 M hyperplanes in all,
        17.5 s, instead of 43 full passes over 4.6 M hyperplanes each, 48.0 s).
        """
        around = np.asarray(around, dtype=np.int64)
        ix = self.index
        if ix is None or self.sample is not None or 4 * len(around) * ix.n_generators * ix.n_axes > ix.n_subsets:
            return None
        near = ix.neighbors(around // self.columns_per_subset)
        return self.price(R, lam, k, scale, exclude=around, hyperplanes=near).columns
