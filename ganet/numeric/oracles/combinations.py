r"""Ranking and unranking of k-subsets in colexicographic order (the combinatorial number system).

A k-subset c₀ < c₁ < ⋯ < c_{k−1} of {0, …, n − 1} has the colex rank

.. math::  \operatorname{rank}(c) = \sum_{i=0}^{k-1} \binom{c_i}{i + 1},

a bijection onto 0 … C(n, k) − 1 that does not depend on n. So a block of consecutive ranks is
addressed by unranking its first element and stepping with :func:`next_colex`, without
enumerating the subsets before it; this is how the pricing kernels split the dictionary among
threads. All functions are numba kernels (``cache=True``) and run with ``NUMBA_DISABLE_JIT=1``.

:class:`SubsetIndex` ranks the subsets every dictionary is made of: a data subset P of the
generators and an axis subset B, in blocks of fixed sizes (|P|, |B|). The two-layer hyperplanes
and the lifted subsets of the deep families are both such subsets, so one rank, unrank, colex step
and neighbourhood serve every family.
"""

from math import comb

import numba
import numpy as np

__all__ = ["binomial_table", "rank_colex", "unrank_colex", "next_colex", "MAX_RANK", "SubsetIndex",
           "unrank_subset", "step_subset", "sorted_unique", "sorted_difference"]

MAX_RANK = 2 ** 62


def sorted_unique(ranks):
    """The distinct ``ranks``, sorted, by one sort: numpy 2.4's hash-based ``np.unique`` took
    2.4 s on 3 M ranks with as many distinct values, where sorting took 0.2 s (a neighbourhood
    of a hinge fit's support at n = 4000 is that size)."""
    ranks = np.sort(np.asarray(ranks, dtype=np.int64).ravel())
    return ranks[np.r_[True, ranks[1:] != ranks[:-1]]] if len(ranks) else ranks


def sorted_difference(a, b):
    """The entries of ``a`` not in ``b``, both sorted and without repeats (``np.setdiff1d`` with
    one search instead of its ``np.unique``)."""
    if not len(b):
        return a
    at = np.minimum(np.searchsorted(b, a), len(b) - 1)
    return a[b[at] != a]


def binomial_table(n, k):
    """C(i, j) for 0 ≤ i ≤ n, 0 ≤ j ≤ k as int64 (raises if an entry would overflow)."""
    if comb(n, min(k, n // 2)) >= MAX_RANK:  # the largest entry of the table
        raise OverflowError(f"C({n}, {k}) does not fit in 62 bits")
    T = np.zeros((n + 1, k + 1), dtype=np.int64)
    for i in range(n + 1):
        for j in range(min(i, k) + 1):
            T[i, j] = comb(i, j)
    return T


@numba.njit(cache=True)
def rank_colex(c, T):
    """Colex rank Σᵢ C(cᵢ, i + 1) of the increasing index array c."""
    r = 0
    for i in range(c.shape[0]):
        r += T[c[i], i + 1]
    return r


@numba.njit(cache=True)
def unrank_colex(r, k, T, out):
    """Write the k-subset of colex rank r into out[:k] (increasing): greedy from the top index,
    cᵢ = the largest c with C(c, i + 1) ≤ the remaining rank (binary search in the table)."""
    hi = T.shape[0] - 1
    for i in range(k - 1, -1, -1):
        lo, top = i, hi
        while lo < top:  # largest c in [i, hi] with C(c, i + 1) ≤ r
            mid = (lo + top + 1) // 2
            if T[mid, i + 1] <= r:
                lo = mid
            else:
                top = mid - 1
        out[i] = lo
        r -= T[lo, i + 1]
        hi = lo - 1


@numba.njit(cache=True)
def next_colex(c, n):
    """Step c (a k-subset of {0..n−1}) to its colex successor in place; False after the last."""
    k = c.shape[0]
    for i in range(k):
        limit = c[i + 1] if i + 1 < k else n
        if c[i] + 1 < limit:
            c[i] += 1
            for j in range(i):
                c[j] = j
            return True
    return False


class SubsetIndex:
    """Subsets (P, B) of ``n_generators`` generators and ``n_axes`` axes, addressed by a global rank
    t without enumerating them.

    The subsets come in blocks, one per split (m, b) = (|P|, |B|). In a block,
    t = offset + rank(P)·C(n_axes, b) + rank(B), P and B ranked in colex order.

    Parameters
    ----------
    n_generators, n_axes : int
    splits : sequence of (int, int)
        The (m, b) of each block, in rank order; splits with m > n_generators are dropped.

    Attributes
    ----------
    n_subsets : int
    ms, bs, offsets : ndarray of int64
        Per block: data-subset size, axis-subset size, first rank (offsets has one extra entry).
    TP, TB : ndarray of int64
        Binomial tables for data and axis subsets.
    """

    def __init__(self, n_generators, n_axes, splits):
        splits = [(m, b) for m, b in splits if m <= n_generators and b <= n_axes]
        counts = [comb(n_generators, m) * comb(n_axes, b) for m, b in splits]
        if sum(counts) >= MAX_RANK:
            raise OverflowError(f"{sum(counts)} subsets do not fit in 62-bit ranks")
        self.n_generators, self.n_axes = int(n_generators), int(n_axes)
        self.ms = np.array([m for m, _ in splits], dtype=np.int64)
        self.bs = np.array([b for _, b in splits], dtype=np.int64)
        self.offsets = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
        self.n_subsets = int(self.offsets[-1])
        self.TP = binomial_table(n_generators, max(int(self.ms.max(initial=0)), 1))
        self.TB = binomial_table(n_axes, n_axes)
        self.width = int((self.ms + self.bs).max(initial=0))

    @property
    def arrays(self):
        """(ms, bs, offsets, TP, TB): what the kernels take."""
        return self.ms, self.bs, self.offsets, self.TP, self.TB

    def neighbors(self, ids):
        """Subsets one generator away from subsets ``ids``: one data generator of P replaced by
        another, or one axis of B by another axis (same block). Sorted, unique, without ``ids``
        themselves. There are at most |ids|·(m·n_generators + b·n_axes) of them."""
        ids = sorted_unique(ids)
        out = _neighbors(ids, self.n_generators, self.n_axes, self.width, *self.arrays)
        return sorted_difference(out, ids)


@numba.njit(cache=True)
def unrank_subset(t, ms, bs, offsets, TP, TB, P, B):
    """Block of subset t; writes its data subset into P[:m] and axis subset into B[:b]."""
    blk = 0
    while offsets[blk + 1] <= t:
        blk += 1
    nB = TB[TB.shape[0] - 1, bs[blk]]
    rel = t - offsets[blk]
    unrank_colex(rel // nB, ms[blk], TP, P)
    unrank_colex(rel % nB, bs[blk], TB, B)
    return blk


@numba.njit(cache=True, inline="always")
def step_subset(i, listed, ranks, blk, ms, bs, offsets, TP, TB, P, B, n_axes, n_generators):
    """The subset at position i of a pass, in (P, B): its rank t and block.

    Over a list it unranks ``ranks[i]``; over a rank range it steps the previous subset to its
    colex successor (axes fastest, then the data subset), unranking only at a block change.
    Returns (t, blk).
    """
    if listed:
        t = ranks[i]
        return t, unrank_subset(t, ms, bs, offsets, TP, TB, P, B)
    if i >= offsets[blk + 1]:
        return i, unrank_subset(i, ms, bs, offsets, TP, TB, P, B)
    b = bs[blk]
    if not next_colex(B[:b], n_axes):
        for j in range(b):
            B[j] = j
        next_colex(P[:ms[blk]], n_generators)
    return i, blk


@numba.njit(cache=True)
def _swap_one(S, k, size, out):
    """The sorted k-subsets of {0..size−1} that differ from S[:k] in one element, into out;
    returns their count (k·(size − k))."""
    count = 0
    tmp = np.empty(max(k, 1), dtype=np.int64)
    for i in range(k):
        for v in range(size):
            member = False
            for j in range(k):
                member |= S[j] == v
            if member:
                continue
            pos = 0
            for j in range(k):  # S without S[i], with v inserted in order
                if j != i:
                    tmp[pos] = S[j]
                    pos += 1
            tmp[pos] = v
            for a in range(pos, 0, -1):
                if tmp[a] < tmp[a - 1]:
                    tmp[a], tmp[a - 1] = tmp[a - 1], tmp[a]
            for j in range(k):
                out[count, j] = tmp[j]
            count += 1
    return count


@numba.njit(cache=True)
def _neighbors(ids, n_generators, n_axes, width, ms, bs, offsets, TP, TB):
    P = np.empty(max(width, 1), dtype=np.int64)
    B = np.empty(max(width, 1), dtype=np.int64)
    # m·(n_generators − m) + b·(n_axes − b) ≤ width·max(n_generators, n_axes) per subset (m + b ≤ width)
    per_id = max(width, 1) * max(n_generators, n_axes, 1)
    out = np.empty(ids.shape[0] * per_id, dtype=np.int64)
    swaps = np.empty((per_id, max(width, 1)), dtype=np.int64)
    count = 0
    for r in range(ids.shape[0]):
        blk = unrank_subset(ids[r], ms, bs, offsets, TP, TB, P, B)
        m, b = ms[blk], bs[blk]
        nB = TB[TB.shape[0] - 1, b]
        rank_p, rank_b = rank_colex(P[:m], TP), rank_colex(B[:b], TB)
        for s in range(_swap_one(P, m, n_generators, swaps)):
            out[count] = offsets[blk] + rank_colex(swaps[s, :m], TP) * nB + rank_b
            count += 1
        for s in range(_swap_one(B, b, n_axes, swaps)):
            out[count] = offsets[blk] + rank_p * nB + rank_colex(swaps[s, :b], TB)
            count += 1
    return np.unique(out[:count])
