r"""Ranking and unranking of k-subsets in colexicographic order (the combinatorial number system).

A k-subset c₀ < c₁ < ⋯ < c_{k−1} of {0, …, n − 1} has the colex rank

.. math::  \operatorname{rank}(c) = \sum_{i=0}^{k-1} \binom{c_i}{i + 1},

a bijection onto 0 … C(n, k) − 1 that does not depend on n. So a block of consecutive ranks is
addressed by unranking its first element and stepping with :func:`next_colex`, without
enumerating the subsets before it; this is how the pricing kernels split the dictionary among
threads. All functions are numba kernels (``cache=True``) and run with ``NUMBA_DISABLE_JIT=1``.
"""

from math import comb

import numba
import numpy as np

__all__ = ["binomial_table", "rank_colex", "unrank_colex", "next_colex", "MAX_RANK"]

MAX_RANK = 2 ** 62


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
