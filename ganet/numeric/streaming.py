r"""Matrix-free two-layer dictionary: every column priced on the fly, O(k) memory.

:class:`StreamingDictionary` stores only X. A pricing pass walks the hyperplane ranks
0 … N − 1 (:class:`~ganet.numeric.dictionary.HyperplaneIndex`) in contiguous blocks spread over
threads (``prange``); each block unranks its first hyperplane and steps through the others in
colex order. Per hyperplane it builds the generators, takes the compiled cross product
w = ×(v₁,…,v_{d−1}) (:func:`ganet.numeric.planes.unit_normal`), and in one sweep over the n
points accumulates, for both signs ±,

.. math::  K_{\pm}^\top R = \sum_i R_i\,(\pm z_i)_+ ,\qquad \|K_\pm\|_2^2 = \sum_i (\pm z_i)_+^2,
           \qquad z_i = (x_i - a)^\top w / \|w\|_p ,

so a column costs O(n·d) time and nothing is stored but each block's k best violators and its
largest ‖K_jᵀR‖₂ (the certificate needs the maximum over the whole dictionary).

A pass is a sequence of short kernel calls, each advancing every block by a slice of its range
(the blocks keep their heaps between calls, so the result does not depend on the slicing): the
progress bar moves and Ctrl-C is honoured between calls (:mod:`ganet.numeric.interrupts`).
Hyperplanes whose generators are nearly dependent are found once, resolved in exact arithmetic
and priced apart (:mod:`ganet.numeric.planes`); provably degenerate ones are zero columns.
"""

import sys
import time
import warnings
from dataclasses import dataclass

import numba
import numpy as np

from ._generated import SCORE_BLOCK, score_closed_form
from .combinations import next_colex
from .dictionary import (ROUND_ROBIN_GROUPS, ColumnOracle, HyperplaneIndex, _residual, _score_block_generic,
                         _unrank_hyperplane, round_robin)
from .interrupts import deferred_interrupt
from .planes import OK, UNCERTAIN, certified_normals, exact_normals, unit_normal

__all__ = ["StreamingDictionary", "PricingPass"]

_NO_RANKS = np.zeros(0, dtype=np.int64)

# Point × hyperplane products per kernel call of a pass: about 0.1 s at the ~2·10⁹ per second of
# 2 cores, so a progress bar moves and Ctrl-C returns within a fraction of a second.
_SLICE_WORK = 2e8


@numba.njit(cache=True, inline="always")
def _heap_replace_min(priority, column, new_priority, new_column):
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


_FAST = {"reassoc", "contract", "nsz"}  # lets LLVM vectorize the sums over points (~1e-16 relative)


@numba.njit(cache=True, inline="always")
def _plane_row(P, m, B, b, bias, n, row):
    """The hyperplane row [anchor, g₁, …] (ids into [X; e₁ … e_d]) of data subset P[:m], axes B[:b]."""
    col = 0
    if not bias:
        row[0] = -1
        col = 1
    for i in range(m):
        row[col] = P[i]
        col += 1
    for j in range(b):
        row[col] = n + B[j]
        col += 1


@numba.njit(cache=True, inline="always", fastmath=_FAST)
def _score_plane(XT, R, w, offset, zbuf, pos, neg):
    """K_±ᵀR (c outputs) of the unit neuron z = Xw − offset into pos and neg; returns
    (‖K₊‖², ‖K₋‖²). One output goes through the buffered, fused kernel instead (:func:`_flush`)."""
    d, n = XT.shape
    c = R.shape[1]
    pos2 = 0.0
    neg2 = 0.0
    pos[:] = 0.0
    neg[:] = 0.0
    for i in range(n):
        z = -offset
        for q in range(d):
            z += XT[q, i] * w[q]
        zp = max(z, 0.0)
        zn = zp - z
        pos2 += zp * zp
        neg2 += zn * zn
        for o in range(c):
            pos[o] += R[i, o] * zp
            neg[o] += R[i, o] * zn
    return pos2, neg2


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
        score = _record(buf_t[j], pos, neg, sums[j, 2], sums[j, 3], lam, scale, exclude,
                        top_priority[g], top_column[g])
        if score != score:
            return score
        best = max(best, score)
    return best


@numba.njit(cache=True, inline="always")
def _advance(i, listed, ranks, fam, ms, bs, offsets, TP, TB, P, B, n_axes, n_generators):
    """The hyperplane at position i of a pass, in (P, B): its rank t and block ``fam``.

    Over a list it unranks ``ranks[i]``; over a rank range it steps the previous subset to its
    colex successor (axes fastest, then the data subset), unranking only at a block change.
    Returns (t, fam).
    """
    if listed:
        t = ranks[i]
        return t, _unrank_hyperplane(t, ms, bs, offsets, TP, TB, P, B)
    if i >= offsets[fam + 1]:
        return i, _unrank_hyperplane(i, ms, bs, offsets, TP, TB, P, B)
    b = bs[fam]
    if not next_colex(B[:b], n_axes):
        for j in range(b):
            B[j] = j
        next_colex(P[:ms[fam]], n_generators)
    return i, fam


@numba.njit(cache=True, inline="always")
def _group(key, group_size):
    """The round-robin group of a hyperplane: ⌊key / ⌈N/G⌉⌋, its key being its rank t in a pass
    over rank ranges (N = all ranks) and its position in the list in a pass over a list of ranks
    (N = the list's length), so that a list's violators spread over all groups."""
    return key // group_size


@numba.njit(cache=True, inline="always")
def _record(t, pos, neg, pos2, neg2, lam, scale, exclude, top_priority, top_column):
    """Offer columns 2t (+) and 2t + 1 (−) to the block's heap; returns the larger ‖K_jᵀR‖₂."""
    best = 0.0
    for sign in range(2):
        acc = pos if sign == 0 else neg
        score = 0.0
        for o in range(acc.shape[0]):
            score += acc[o] * acc[o]
        score = np.sqrt(score)
        if score != score:
            return score  # NaN: the caller flags the block
        best = max(best, score)
        col_norm = np.sqrt(pos2 if sign == 0 else neg2)
        if top_priority.shape[0] == 0 or not score > lam or col_norm == 0.0:
            continue
        priority = (score / scale - lam) / col_norm
        if priority <= top_priority[0]:  # the heap's minimum
            continue
        col = 2 * t + sign
        e = np.searchsorted(exclude, col)
        if e < exclude.shape[0] and exclude[e] == col:
            continue
        _heap_replace_min(top_priority, top_column, priority, col)
    return best


@numba.njit(cache=True, parallel=True, fastmath=_FAST)
def _price_slices(X, XT, R, r, p, bias, ms, bs, offsets, TP, TB, lo, hi, ranks, lam, scale, exclude,
                  exact, gamma, compiled, group_size, top_priority, top_column, best, visited, bad,
                  uncertain):
    """Advance every block b over hyperplanes lo[b] … hi[b] − 1 (ranks; or positions into
    ``ranks`` when it is not empty), one prange task per block. ``r`` is R[:, 0] as a contiguous
    vector (a column view of R would have an unknown stride, which stops vectorization).

    A block over a rank range unranks its first hyperplane and steps in colex order (axes
    fastest, then the data subset); over a list it unranks each. Block b's state is updated in
    place: its largest score, the number of hyperplanes priced, and ``bad[b]`` when a score was
    NaN or infinite. The violators go to the heaps of their round-robin groups (contiguous ranges
    of ``group_size`` ranks, or list positions, :func:`_group`); block boundaries fall on group
    boundaries, so no two tasks share a heap. Hyperplanes that are not certified ok
    (:func:`~ganet.numeric.planes.unit_normal`) are skipped: degenerate ones are zero columns,
    uncertain ones are counted in ``uncertain[b]`` and priced by the caller from their exact
    normals.
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
        fam = _unrank_hyperplane(t, ms, bs, offsets, TP, TB, P, B)
        while True:
            m, b = ms[fam], bs[fam]
            _plane_row(P, m, B, b, bias, n, row)
            status, offset = unit_normal(X, row, p, exact, gamma, V, w, compiled)
            score = 0.0
            if status == UNCERTAIN:
                uncertain[blk] += 1
            elif status == OK:
                visited[blk] += 1
                g = _group(i if listed else t, group_size)
                if c == 1:  # buffered: SCORE_BLOCK unit neurons share one sweep over the points
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
                    pos2, neg2 = _score_plane(XT, R, w, offset, zbuf, pos, neg)
                    score = _record(t, pos, neg, pos2, neg2, lam, scale, exclude, top_priority[g],
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
            t, fam = _advance(i, listed, ranks, fam, ms, bs, offsets, TP, TB, P, B, d, n)


@numba.njit(cache=True, parallel=True)
def _uncertain_ranks(X, p, bias, ms, bs, offsets, TP, TB, n_blocks, exact, gamma, compiled, fill, out,
                     counts):
    """Count (``fill`` False) or list into ``out`` at per-block offsets ``counts`` (``fill``
    True) the hyperplanes whose normal is UNCERTAIN; cheap: no sweep over the points."""
    n, d = X.shape
    N = offsets[offsets.shape[0] - 1]
    size = (N + n_blocks - 1) // n_blocks
    found = np.zeros(n_blocks, dtype=np.int64)
    for blk in numba.prange(n_blocks):
        lo = blk * size
        hi = min(N, lo + size)
        if lo >= hi:
            continue
        V = np.empty((max(d - 1, 0), d))
        w = np.empty(d)
        P = np.empty(d, dtype=np.int64)
        B = np.empty(d, dtype=np.int64)
        row = np.empty(d, dtype=np.int64)
        fam = _unrank_hyperplane(lo, ms, bs, offsets, TP, TB, P, B)
        t = lo
        while True:
            m, b = ms[fam], bs[fam]
            _plane_row(P, m, B, b, bias, n, row)
            status, _ = unit_normal(X, row, p, exact, gamma, V, w, compiled)
            if status == UNCERTAIN:
                if fill:
                    out[counts[blk] + found[blk]] = t
                found[blk] += 1
            t += 1
            if t >= hi:
                break
            t, fam = _advance(t, False, _NO_RANKS, fam, ms, bs, offsets, TP, TB, P, B, d, n)
    return found


def list_uncertain(kernel, args, n_blocks):
    """The ranks a counting kernel (``kernel(*args, fill, out, counts)``: :func:`_uncertain_ranks`,
    or the lifted one) finds, in two parallel sweeps: count per block, then fill at the offsets."""
    with deferred_interrupt():
        counts = kernel(*args, False, _NO_RANKS, np.zeros(n_blocks, np.int64))
        starts = np.concatenate([[0], np.cumsum(counts)[:-1]]).astype(np.int64)
        ranks = np.empty(int(counts.sum()), dtype=np.int64)
        kernel(*args, True, ranks, starts)
    return ranks


class PassSlices:
    """The slice offsets s = 0, step, 2·step, … < size of one pass, as an iterator that stops
    before a slice would start past ``deadline`` (then ``complete`` is False) and, after the first
    slice, warns when the pass cannot finish in time (:func:`warn_if_over_budget`). Both pricing
    passes (two-layer and lifted) walk their slices with it."""

    def __init__(self, size, step, deadline):
        self.size, self.step, self.deadline, self.complete = size, step, deadline, True

    def __iter__(self):
        started = time.perf_counter()
        for s in range(0, self.size, self.step):
            if self.deadline is not None and s and time.perf_counter() > self.deadline:
                self.complete = False
                return
            yield s
            if s == 0:
                warn_if_over_budget(time.perf_counter() - started, min(self.step, self.size) / max(self.size, 1),
                                    self.deadline)


def warn_if_over_budget(seconds, fraction, deadline):
    """After a pass's first slice: warn once per pass when the pass, at the rate just measured,
    cannot finish before ``deadline`` (the fit will then stop without a new certificate)."""
    if deadline is None or fraction <= 0:
        return
    need = seconds / fraction
    left = deadline - time.perf_counter() + seconds
    if need > left:
        warnings.warn(f"one full pricing pass needs about {need:.0f} s at the rate measured, more than "
                      f"the {max(left, 0):.0f} s left of max_seconds: the pass will stop at the budget "
                      "and certify nothing (the gap stays that of the last full pass, or infinite)",
                      BudgetWarning, stacklevel=4)


class BudgetWarning(UserWarning):
    """A time budget (``max_seconds``) is too short for the work a certificate needs."""


@dataclass
class PricingPass:
    """Result of one pricing pass (:meth:`StreamingDictionary.price`).

    Attributes
    ----------
    max_score : float
        maxⱼ ‖K_jᵀR‖₂ over every column priced.
    columns : ndarray of int64
        The k worst violators, worst first.
    priorities : ndarray
    visited : int
        Non-degenerate hyperplanes visited (each exactly once).
    seconds : float
    full : bool
        Whether the pass covered the whole dictionary (only then is max_score a certificate).
    complete : bool
        Whether the pass covered all it was asked to (False: stopped at its deadline).
    """

    max_score: float
    columns: np.ndarray
    priorities: np.ndarray
    visited: int
    seconds: float
    full: bool = True
    complete: bool = True


class StreamingDictionary(ColumnOracle):
    """The two-layer dictionary as a matrix-free oracle: nothing but X is stored.

    Parameters are those of :class:`~ganet.numeric.dictionary.ColumnOracle`, plus

    n_blocks : int
        Pricing tasks per pass, each a contiguous range of ranks (fixed, so the result does not
        depend on the thread count).
    n_groups : int
        Contiguous rank ranges of the violators' round robin, each with its own heap (at least
        ``n_blocks``; see :data:`~ganet.numeric.dictionary.ROUND_ROBIN_GROUPS`).
    progress : bool
        Show a tqdm bar over each pricing pass.

    Column ``2t`` / ``2t + 1`` is hyperplane rank t with sign + / −; degenerate hyperplanes
    (provably dependent generators) are zero columns, never violators.

    Attributes
    ----------
    n_columns : int
        2 × the number of hyperplanes (degenerate ones included).
    passes : list of PricingPass
        Every pricing pass so far (time, hyperplanes visited).
    """

    def __init__(self, X, reg="l1", bias=True, memory_limit=None, rank_tol=1e-10, kernel="compiled",
                 n_blocks=64, progress=False, n_groups=ROUND_ROBIN_GROUPS):
        super().__init__(X, reg, bias, memory_limit, rank_tol, kernel)
        if not isinstance(n_blocks, (int, np.integer)) or isinstance(n_blocks, bool) or n_blocks < 1:
            raise ValueError(f"n_blocks must be a positive integer; got {n_blocks!r}")
        n, dr = self.X.shape[0], self.Xr.shape[1]
        self.index = HyperplaneIndex(n, dr, self.p, self.bias) if dr > 0 else None
        self.n_columns = 2 * self.n_hyperplanes
        self.nbytes_materialized = n * self.n_columns * 8
        if not isinstance(n_groups, (int, np.integer)) or isinstance(n_groups, bool) or n_groups < 1:
            raise ValueError(f"n_groups must be a positive integer; got {n_groups!r}")
        self.n_blocks, self.progress = int(n_blocks), bool(progress)
        self.n_groups = max(int(n_groups), self.n_blocks)
        self.passes = []
        self._XT = np.ascontiguousarray(self.Xr.T)
        self._resolved = None
        self.client = None  # a dask.distributed.Client: full passes run on its workers

    def _planes(self, t):
        H = self.index.rows(t)
        W, c, valid = certified_normals(self.Xr, H, self.p, self.exact, self.gamma, self.compiled)
        W[~valid], c[~valid] = 0.0, 0.0  # a provably degenerate hyperplane is a zero column
        return H, W, c

    def _index_args(self):
        ix = self.index
        return ix.ms, ix.bs, ix.offsets, ix.TP, ix.TB

    def resolved(self):
        """The hyperplanes with nearly dependent generators, resolved exactly (found once).

        Returns
        -------
        ranks : ndarray of int64
            Sorted ranks of the non-degenerate ones among them.
        W, c : ndarray
            Their unit normals and offsets (normalized coordinates), from exact arithmetic.
        """
        if self._resolved is None:
            args = (self.Xr, self.p, self.bias, *self._index_args(), self.n_blocks, self.exact,
                    self.gamma, self.compiled)
            ranks = list_uncertain(_uncertain_ranks, args, self.n_blocks)
            W, c, dead = exact_normals(self.Xr, self.index.rows(ranks), self.p)
            self._resolved = (ranks[~dead], W[~dead], c[~dead])
        return self._resolved

    def _price_resolved(self, R2, lam, scale, exclude, ranks):
        """Scores and violators of the resolved hyperplanes among ``ranks`` (all when None), in
        normalized units: (best score, priorities, columns, count)."""
        r_ranks, W, c = self.resolved()
        take = np.ones(len(r_ranks), bool) if ranks is None else np.isin(r_ranks, ranks)
        if not take.any():
            return 0.0, np.zeros(0), np.zeros(0, np.int64), 0
        r_ranks, W, c = r_ranks[take], W[take], c[take]
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

    def _scan(self, R2, lam_r, scale, exclude, ranks, k_group, blocks=None, bar=None, deadline=None):
        """Run the pricing kernel over the pricing blocks ``blocks`` = (b0, b1) (all when None).

        Blocks are unions of whole round-robin groups, and each block is sliced the same way
        whichever blocks are scanned together, so the scores and the group heaps are bit for bit
        those of a whole pass: a pass split into block ranges (e.g. over a Dask cluster, see
        :mod:`ganet.numeric.distributed`) merges into exactly the local result.

        Returns (top_priority, top_column, best, visited, bad, uncertain, complete), the heaps of
        every group (those outside the scanned blocks empty), and the number of hyperplanes whose
        normal was uncertain; ``complete`` is False when the pass stopped at ``deadline`` (a
        ``time.perf_counter`` value) between two slices.
        """
        full = ranks.shape[0] == 0
        G, nb = self.n_groups, self.n_blocks
        top_priority = np.full((G, k_group), -np.inf)
        top_column = np.full((G, k_group), -1, dtype=np.int64)
        best, visited = np.zeros(nb), np.zeros(nb, dtype=np.int64)
        bad = np.zeros(nb, dtype=np.bool_)
        uncertain = np.zeros(nb, dtype=np.int64)
        # blocks are unions of whole groups: group g holds the keys (ranks, or list positions)
        # with ⌊key·G/N⌋ = g
        n_keys = max(self.n_hyperplanes if full else len(ranks), 1)
        group_size = -(-n_keys // G)
        group_start = np.minimum(np.arange(G + 1, dtype=np.int64) * group_size, n_keys)
        cuts = group_start[np.linspace(0, G, nb + 1).astype(np.int64)]
        first, last = cuts[:-1].copy(), cuts[1:].copy()
        if blocks is not None:  # the other blocks are empty ranges
            outside = np.ones(nb, dtype=bool)
            outside[blocks[0]:blocks[1]] = False
            last[outside] = first[outside]
        size = int((last - first).max(initial=0))
        step = max(1, int(_SLICE_WORK / (nb * self.X.shape[0] * max(self.Xr.shape[1], 1))))
        r = np.ascontiguousarray(R2[:, 0])
        slices = PassSlices(size, step, deadline)
        for s in slices:
            lo, hi = np.minimum(first + s, last), np.minimum(first + s + step, last)
            with deferred_interrupt():
                _price_slices(self.Xr, self._XT, R2, r, self.p, self.bias, *self._index_args(), lo,
                              hi, ranks, lam_r, float(scale), exclude, self.exact, self.gamma,
                              self.compiled, group_size, top_priority, top_column, best, visited, bad,
                              uncertain)
            if bar is not None:
                bar.update(int((hi - lo).sum()))
        return (top_priority, top_column, float(best.max(initial=0.0)), int(visited.sum()), bool(bad.any()),
                int(uncertain.sum()), slices.complete)

    def price(self, R, lam=np.inf, k=0, scale=1.0, exclude=None, hyperplanes=None, deadline=None):
        """One pass over every column (see :meth:`ColumnOracle.violators`), or over the columns
        of the given ``hyperplanes`` (ranks) only; returns a PricingPass (scores in the units of X).

        With ``self.client`` set (a ``dask.distributed.Client``), full passes run on the cluster
        (:func:`ganet.numeric.distributed.scan_on_cluster`); the result is the same bit for bit.
        A pass still running at ``deadline`` (a ``time.perf_counter`` value; local passes only)
        stops after its current slice (~0.1 s): its violators are valid, but ``full`` is False,
        so its max_score certifies nothing.
        """
        R2 = np.ascontiguousarray(_residual(R, self.X.shape[0]).reshape(self.X.shape[0], -1))
        exclude = np.unique(np.asarray([] if exclude is None else exclude, dtype=np.int64))
        full = hyperplanes is None
        ranks = _NO_RANKS if full else np.unique(np.asarray(hyperplanes, dtype=np.int64))
        k = int(min(k, self.n_columns))
        lam_r = float(lam) / self.scale  # the kernel prices the columns of Xr: K = scale·K_r
        start_time = time.perf_counter()
        N = (self.n_hyperplanes if full else len(ranks)) if self.index is not None else 0
        G = self.n_groups
        # each group keeps up to four times its fair share of the k: the round robin below takes
        # about k / G from each, more only from groups where the others run short; keeping k per
        # group made the heaps and the merge cost more than the pass itself at k = 50,000
        k_group = min(k, 4 * -(-k // G) + 16)
        args = (R2, lam_r, float(scale), exclude, ranks, k_group)
        if full and N and getattr(self, "client", None) is not None:
            from .distributed import scan_on_cluster

            top_priority, top_column, top, n_visited, bad, n_uncertain = scan_on_cluster(self, args, self.client)
            complete = True
        else:
            bar = None
            if self.progress and N and sys.stderr.isatty():  # a bar on a terminal; logs get the solver's lines
                from tqdm.auto import tqdm
                bar = tqdm(total=N, unit="hyperplane", unit_scale=True, desc="pricing", leave=False)
            try:
                top_priority, top_column, top, n_visited, bad, n_uncertain, complete = self._scan(
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
        if n_uncertain and (complete or self._resolved is not None):
            # found once (an exact resolution: not started by a pass cut short at its deadline)
            r_best, r_pri, r_cols, r_count = self._price_resolved(R2, lam_r, float(scale), exclude,
                                                                  None if full else ranks)
            top, n_visited = max(top, r_best), n_visited + r_count
            priorities, columns = np.concatenate([priorities, r_pri]), np.concatenate([columns, r_cols])
        # every group kept its best; the merge is the stored dictionary's round robin over the
        # same contiguous ranges
        order = round_robin(columns, priorities, k, self.n_columns, n_groups=G)
        result = PricingPass(top * self.scale, columns[order], priorities[order], n_visited,
                             time.perf_counter() - start_time, full and complete, complete)
        self.passes.append(result)
        return result

    def violators(self, R, lam, k, scale=1.0, exclude=None, deadline=None):
        result = self.price(R, lam, k, scale, exclude, deadline=deadline)
        return (result.max_score if result.complete else None), result.columns

    def local_violators(self, R, lam, k, scale=1.0, around=()):
        """The k worst violators among the neighbours of the hyperplanes of columns ``around``
        (:meth:`HyperplaneIndex.neighbors`), or None when their number's bound
        |around|·n·d exceeds a quarter of the dictionary (then a full pass costs little more).

        The optimal neurons of consecutive working sets are mostly one generator apart, so
        between two full passes the solver searches these neighbourhoods first (Gaussian n = 300,
        d = 4, λ = 0.01: 7 full passes and 39 local ones over 7.8 M hyperplanes in all, 17.5 s,
        instead of 43 full passes over 4.6 M hyperplanes each, 48.0 s).
        """
        around = np.asarray(around, dtype=np.int64)
        if self.index is None or 4 * len(around) * self.X.shape[0] * self.index.d > self.n_hyperplanes:
            return None
        near = self.index.neighbors(around // 2)
        return self.price(R, lam, k, scale, exclude=around, hyperplanes=near).columns
