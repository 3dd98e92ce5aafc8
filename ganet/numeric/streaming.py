r"""Matrix-free two-layer dictionary: every column priced on the fly, O(k) memory.

:class:`StreamingDictionary` stores only X. A pricing pass walks the hyperplane ranks
0 … N − 1 (:class:`~ganet.numeric.dictionary.HyperplaneIndex`) in contiguous blocks spread over
threads (``prange``); each block unranks its first hyperplane and steps through the others in
colex order. Per hyperplane it builds the generators, takes the compiled cross product
w = ×(v₁,…,v_{d−1}), and in one sweep over the n points accumulates, for both signs ±,

.. math::  K_{\pm}^\top R = \sum_i R_i\,(\pm z_i)_+ ,\qquad \|K_\pm\|_2^2 = \sum_i (\pm z_i)_+^2,
           \qquad z_i = (x_i - a)^\top w / \|w\|_p ,

so a column costs O(n·d) time and nothing is stored but each block's k best violators and its
largest ‖K_jᵀR‖₂ (the certificate needs the maximum over the whole dictionary).
"""

import time
from dataclasses import dataclass

import numba
import numpy as np

from .dictionary import ColumnOracle, HyperplaneIndex, _normals, _unrank_hyperplane, round_robin
from .combinations import next_colex
from .ga import _cross_into

__all__ = ["StreamingDictionary", "PricingPass"]

_NO_RANKS = np.zeros(0, dtype=np.int64)


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


@numba.njit(cache=True, inline="always", fastmath=_FAST)
def _price_hyperplane(X, XT, R, p, bias, P, m, B, b, V, w, zbuf, pos, neg, tol, compiled):
    """Kᵀ_±R of the hyperplane with data subset P[:m] and axes B[:b], into pos and neg.

    Returns (‖K₊‖², ‖K₋‖²), or (−1, −1) for a degenerate hyperplane (dependent generators).
    """
    n, d = X.shape
    c = R.shape[1]
    anchor = P[0] if bias else -1
    row = 0
    for i in range(1 if bias else 0, m):
        for q in range(d):
            V[row, q] = X[P[i], q] - (X[anchor, q] if bias else 0.0)
        row += 1
    for j in range(b):
        for q in range(d):
            V[row, q] = 1.0 if q == B[j] else 0.0
        row += 1
    _cross_into(V, w, compiled)
    norm = 0.0
    for q in range(d):
        norm += abs(w[q]) if p == 1 else w[q] * w[q]
    norm = norm if p == 1 else np.sqrt(norm)
    if norm <= tol:
        return -1.0, -1.0
    offset = 0.0
    for q in range(d):
        w[q] /= norm
        if bias:
            offset += X[anchor, q] * w[q]
    pos2 = 0.0
    neg2 = 0.0
    if c == 1:  # branch-free and vectorizable: z⁺ = max(z, 0), z⁻ = z⁺ − z
        for i in range(n):
            zbuf[i] = -offset
        for q in range(d):
            wq = w[q]
            for i in range(n):
                zbuf[i] += XT[q, i] * wq
        p1 = 0.0
        n1 = 0.0
        for i in range(n):
            z = zbuf[i]
            zp = max(z, 0.0)
            zn = zp - z
            p1 += R[i, 0] * zp
            n1 += R[i, 0] * zn
            pos2 += zp * zp
            neg2 += zn * zn
        pos[0] = p1
        neg[0] = n1
    else:
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
def _record(t, pos, neg, pos2, neg2, lam, scale, exclude, top_priority, top_column):
    """Offer columns 2t (+) and 2t + 1 (−) to the block's heap; returns the larger ‖K_jᵀR‖₂."""
    best = 0.0
    for sign in range(2):
        acc = pos if sign == 0 else neg
        score = 0.0
        for o in range(acc.shape[0]):
            score += acc[o] * acc[o]
        score = np.sqrt(score)
        best = max(best, score)
        col_norm = np.sqrt(pos2 if sign == 0 else neg2)
        if top_priority.shape[0] == 0 or score <= lam or col_norm == 0.0:
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
def _price_hyperplanes(X, R, p, bias, ms, bs, offsets, TP, TB, start, stop, ranks, n_blocks, lam,
                       scale, k_block, exclude, tol, compiled):
    """Price hyperplanes start … stop − 1 (``ranks`` empty), or ``ranks[start:stop]`` (a sorted
    list), in n_blocks contiguous blocks, one prange task each.

    A block over a rank range unranks its first hyperplane and steps in colex order (axes
    fastest, then the data subset); over a list it unranks each. Returns per block: the k_block
    best (priority, column) violators, the largest score and the number of non-degenerate
    hyperplanes visited.
    """
    n, d = X.shape
    c = R.shape[1]
    listed = ranks.shape[0] > 0
    XT = np.ascontiguousarray(X.T)  # coordinate-major: the sweep over points reads contiguously
    size = (stop - start + n_blocks - 1) // n_blocks
    top_priority = np.full((n_blocks, k_block), -np.inf)
    top_column = np.full((n_blocks, k_block), -1, dtype=np.int64)
    best = np.zeros(n_blocks)
    visited = np.zeros(n_blocks, dtype=np.int64)
    for blk_id in numba.prange(n_blocks):
        lo = start + blk_id * size
        hi = min(stop, lo + size)
        if lo >= hi:
            continue
        V = np.empty((max(d - 1, 0), d))
        w = np.empty(d)
        P = np.empty(d, dtype=np.int64)
        B = np.empty(d, dtype=np.int64)
        pos = np.empty(c)
        neg = np.empty(c)
        zbuf = np.empty(n)
        i = lo
        t = ranks[i] if listed else i
        fam = _unrank_hyperplane(t, ms, bs, offsets, TP, TB, P, B)
        while True:
            m, b = ms[fam], bs[fam]
            pos2, neg2 = _price_hyperplane(X, XT, R, p, bias, P, m, B, b, V, w, zbuf, pos, neg,
                                           tol, compiled)
            if pos2 >= 0.0:
                visited[blk_id] += 1
                score = _record(t, pos, neg, pos2, neg2, lam, scale, exclude, top_priority[blk_id],
                                top_column[blk_id])
                best[blk_id] = max(best[blk_id], score)
            i += 1
            if i >= hi:
                break
            if listed:
                t = ranks[i]
                fam = _unrank_hyperplane(t, ms, bs, offsets, TP, TB, P, B)
            else:
                t = i
                if t >= offsets[fam + 1]:
                    fam = _unrank_hyperplane(t, ms, bs, offsets, TP, TB, P, B)
                elif not next_colex(B[:b], d):
                    for j in range(b):
                        B[j] = j
                    next_colex(P[:m], n)
    return top_priority, top_column, best, visited


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
    """

    max_score: float
    columns: np.ndarray
    priorities: np.ndarray
    visited: int
    seconds: float
    full: bool = True


class StreamingDictionary(ColumnOracle):
    """The two-layer dictionary as a matrix-free oracle: nothing but X is stored.

    Parameters are those of :class:`~ganet.numeric.dictionary.ColumnOracle`, plus

    n_blocks : int
        Pricing tasks per pass step (fixed, so the result does not depend on the thread count).
    progress : bool
        Show a tqdm bar over each pricing pass.

    Column ``2t`` / ``2t + 1`` is hyperplane rank t with sign + / −; degenerate hyperplanes
    (linearly dependent generators) are zero columns, never violators.

    Attributes
    ----------
    n_columns : int
        2 × the number of hyperplanes (degenerate ones included).
    passes : list of PricingPass
        Every pricing pass so far (time, hyperplanes visited).
    """

    def __init__(self, X, reg="l1", bias=True, memory_limit=None, rank_tol=1e-10, kernel="compiled",
                 n_blocks=64, progress=False):
        super().__init__(X, reg, bias, memory_limit, rank_tol, kernel)
        n, dr = self.X.shape[0], self.Xr.shape[1]
        self.index = HyperplaneIndex(n, dr, self.p, self.bias) if dr > 0 else None
        self.n_columns = 2 * self.n_hyperplanes
        self.nbytes_materialized = n * self.n_columns * 8
        self.n_blocks, self.progress = int(n_blocks), bool(progress)
        self.passes = []

    def _planes(self, t):
        H = self.index.rows(t)
        W, c, _ = _normals(self.Xr, H, self.p, self.compiled)
        return H, W, c

    def price(self, R, lam=np.inf, k=0, scale=1.0, exclude=None, hyperplanes=None):
        """One pass over every column (see :meth:`ColumnOracle.violators`), or over the columns
        of the given ``hyperplanes`` (ranks) only; returns a PricingPass."""
        R2 = np.ascontiguousarray(np.asarray(R, dtype=np.float64).reshape(self.X.shape[0], -1))
        exclude = np.unique(np.asarray([] if exclude is None else exclude, dtype=np.int64))
        full = hyperplanes is None
        ranks = _NO_RANKS if full else np.unique(np.asarray(hyperplanes, dtype=np.int64))
        k = int(min(k, self.n_columns))
        # each block keeps up to four times its fair share of the k: the round robin below takes
        # about k / n_blocks from each, more only from blocks where the others run short; keeping
        # k per block made the heaps and the merge cost more than the pass itself at k = 50,000
        k_block = min(k, 4 * -(-k // self.n_blocks) + 16)
        start_time = time.perf_counter()
        N = self.n_hyperplanes if full else len(ranks)
        steps = max(1, min(50, N // 200_000)) if self.progress else 1
        bounds = np.linspace(0, N, steps + 1).astype(np.int64)
        bar = None
        if self.progress and N:
            from tqdm.auto import tqdm
            bar = tqdm(total=N, unit="hyperplane", unit_scale=True, desc="pricing", leave=False)
        pri, cols, best, visited = [], [], 0.0, 0
        for lo, hi in zip(bounds[:-1], bounds[1:]):
            if hi <= lo:
                continue
            tp, tc, b, v = _price_hyperplanes(self.Xr, R2, self.p, self.bias, self.index.ms,
                                              self.index.bs, self.index.offsets, self.index.TP,
                                              self.index.TB, lo, hi, ranks, self.n_blocks,
                                              float(lam), float(scale), k_block, exclude,
                                              self.degenerate_tol, self.compiled)
            pri.append(tp.ravel())
            cols.append(tc.ravel())
            best, visited = max(best, float(b.max(initial=0.0))), visited + int(v.sum())
            if bar is not None:
                bar.update(int(hi - lo))
        if bar is not None:
            bar.close()
        priorities = np.concatenate(pri) if pri else np.zeros(0)
        columns = np.concatenate(cols) if cols else np.zeros(0, np.int64)
        keep = columns >= 0
        priorities, columns = priorities[keep], columns[keep]
        # every block kept its best; the merge is the stored dictionary's round robin over
        # contiguous column ranges, one range per block
        order = round_robin(columns, priorities, k, self.n_columns, n_groups=self.n_blocks)
        result = PricingPass(best, columns[order], priorities[order], visited,
                             time.perf_counter() - start_time, full)
        self.passes.append(result)
        return result

    def violators(self, R, lam, k, scale=1.0, exclude=None):
        result = self.price(R, lam, k, scale, exclude)
        return result.max_score, result.columns

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
