r"""Sampled dictionaries, for dictionaries too large even to scan.

Two ways to pick hyperplanes:

* ``"subsets"``: hyperplanes drawn uniformly without replacement from the full dictionary (by
  rank through :class:`~ganet.numeric.oracles.two_layer.HyperplaneIndex` when the ranks fit in 62 bits,
  else subset by subset, so any d works), so every column is a true dictionary column
  ⋆((x − a) ∧ v₁ ∧ ⋯);
* ``"arrangement"``: Gaussian directions h (and, with bias, offsets through a random training
  point), the columns (±(Xh − c))₊/‖h‖_p of the sign patterns sign(Xh − c) — the random
  arrangement sampling of the convex-network papers.

A Lasso over sampled columns is a restriction of the full one: its solution is a feasible
network, but its duality gap certifies only the sampled problem. It is **not** a global
certificate unless the residual is priced against the full dictionary (one streaming pass).
"""

from math import comb

import numpy as np

from .combinations import MAX_RANK
from .two_layer import Dictionary, TwoLayerOracle, HyperplaneIndex, _subset_counts

__all__ = ["SampledDictionary"]


def _sample_rows(n, d, p, bias, k, rng):
    """Rows [anchor, g₁, …] of k distinct hyperplanes drawn uniformly from the family (all of them
    if it has at most k). Through ranks when they fit in 62 bits, else by drawing the block (split
    of the generators into data points and axes) in proportion to its size and then the subsets
    themselves, which works at any d."""
    total = sum(comb(n, m) * comb(d, b) for m, b in _subset_counts(n, d, p, bias) if m <= n)
    if total < MAX_RANK:
        index = HyperplaneIndex(n, d, p, bias)
        ids = np.sort(rng.choice(index.n_hyperplanes, size=min(k, index.n_hyperplanes), replace=False))
        return index.rows(ids)
    blocks = [(m, b) for m, b in _subset_counts(n, d, p, bias) if m <= n]
    weights = np.array([comb(n, m) * comb(d, b) / total for m, b in blocks], dtype=float)
    rows = set()
    while len(rows) < k:
        for blk in rng.choice(len(blocks), size=k - len(rows), p=weights / weights.sum()):
            m, b = blocks[blk]
            points = tuple(sorted(rng.choice(n, size=m, replace=False).tolist()))
            axes = tuple(n + q for q in sorted(rng.choice(d, size=b, replace=False).tolist()))
            rows.add(((() if bias else (-1,)) + points + axes))
    return np.array(sorted(rows), dtype=np.int32)


class SampledDictionary(Dictionary):
    """A stored dictionary over sampled hyperplanes (parameters of
    :class:`~ganet.numeric.oracles.two_layer.TwoLayerOracle`, plus):

    Parameters
    ----------
    n_hyperplanes : int
        Hyperplanes to sample (columns = 2 × that, fewer if the dictionary is smaller).
    method : {"subsets", "arrangement"}
    random_state : int or numpy Generator, optional

    Attributes
    ----------
    certificate : str
        Always ``"sampled: no global certificate"`` for this oracle's own gaps.
    """

    certificate = "sampled: no global certificate"

    def __init__(self, X, reg="l1", bias=True, n_hyperplanes=10_000, method="subsets",
                 random_state=None, memory_limit=None, rank_tol=1e-10, kernel="compiled"):
        TwoLayerOracle.__init__(self, X, reg, bias, memory_limit, rank_tol, kernel)  # no full table
        if method not in ("subsets", "arrangement"):
            raise ValueError(f"method must be 'subsets' or 'arrangement'; got {method!r}")
        if not isinstance(n_hyperplanes, (int, np.integer)) or n_hyperplanes < 1:
            raise ValueError(f"n_hyperplanes must be a positive integer; got {n_hyperplanes!r}")
        rng = np.random.default_rng(random_state)
        n, dr = self.Xr.shape
        self.method = method
        if dr == 0:
            self.H, self.W, self.c = np.empty((0, 1), np.int32), np.empty((0, 0)), np.empty(0)
        elif method == "subsets":
            self._keep_valid(_sample_rows(n, dr, self.p, self.bias, int(n_hyperplanes), rng))
        else:
            h = rng.normal(size=(int(n_hyperplanes), dr))
            h /= np.linalg.norm(h, ord=self.p, axis=1, keepdims=True)
            anchors = rng.integers(0, n, size=len(h)) if self.bias else None
            self.H = None
            self.anchors = anchors
            self.W = h
            self.c = np.einsum("ij,ij->i", self.Xr[anchors], h) if self.bias else np.zeros(len(h))
        self.n_columns = 2 * len(self.W)
        self.nbytes_materialized = n * self.n_columns * 8

    def _planes(self, t):
        if self.H is not None:
            return self.H[t], self.W[t], self.c[t]
        # arrangement samples have no generators: the row holds the anchor only
        rows = np.full((len(t), max(self.Xr.shape[1], 1)), -2, dtype=np.int32)
        rows[:, 0] = self.anchors[t] if self.bias else -1
        return rows, self.W[t], self.c[t]

    def describe(self, j):
        h = super().describe(j)
        if self.H is not None:
            return h
        from dataclasses import replace
        return replace(h, generators=(), formula=("" if h.sign > 0 else "−") + f"h{j // 2} (sampled)")
