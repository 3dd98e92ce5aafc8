r"""Exact resolution of the subsets a pricing kernel cannot decide in floating point.

A subset (a hyperplane's generators, a lifted subset) is a neuron when the wedge product of its
generators is nonzero. Floating point decides that above the rounding bound of the cross product;
below it the kernel says UNCERTAIN and skips the subset, and the subset is recomputed here in
rational arithmetic on the float generators (the family's ``_exact``). A certificate must cover
those subsets too, so a full pass prices every one of them.

Finding them costs a sweep over the ranks (no sweep over the points, but on n = 150, d = 3
three-layer ReLU with bias 349 M lifted subsets took 33 s on 2 cores, as long as a pricing pass).
So the work follows the passes that need it:

* a pass over a list of ranks (a local round) resolves only the uncertain subsets among the
  list, which costs in proportion to the list;
* a full pass sweeps every rank, in slices of :data:`SWEEP_SLICE` ranks, stopping before a
  slice would start past the pass's deadline and resuming there on the next full pass (a full
  pass whose sweep stopped early certifies nothing).

Every subset is resolved in exact arithmetic at most once.
"""

import time

import numpy as np

from ..runtime.interrupts import deferred_interrupt

__all__ = ["ExactResolution", "SWEEP_SLICE"]

NO_RANKS = np.zeros(0, dtype=np.int64)

# Ranks per kernel call of the sweep: about 0.1–0.2 s on 2 cores (lifted three-layer subsets,
# 95 ns each), so a budget stops the sweep within a fraction of a second.
SWEEP_SLICE = 1 << 21


def list_uncertain(kernel, args, first, last, ranks=NO_RANKS):
    """The ranks a counting kernel finds UNCERTAIN among the positions first[b] … last[b] − 1 of
    every block b (ranks themselves, or positions in the list ``ranks`` when it is not empty), in
    two parallel sweeps: count per block, then fill at the per-block offsets. The kernel is called
    as ``kernel(*args, first, last, ranks, fill, out, counts)``."""
    with deferred_interrupt():
        counts = kernel(*args, first, last, ranks, False, NO_RANKS, np.zeros(len(first), np.int64))
        starts = np.concatenate([[0], np.cumsum(counts)[:-1]]).astype(np.int64)
        found = np.empty(int(counts.sum()), dtype=np.int64)
        kernel(*args, first, last, ranks, True, found, starts)
    return found


class ExactResolution:
    """The resolved neurons of one dictionary, found as passes meet them.

    Parameters
    ----------
    find : callable
        ``find(first, last, ranks)``: the uncertain ranks among positions first[b] … last[b] − 1
        of each block (of the list ``ranks`` when not empty), by :func:`list_uncertain`.
    exact : callable
        ``exact(ranks)``: (kept, rows) for sorted uncertain ranks: those that are neurons in
        exact arithmetic, and one row of the family's data (a normal, an offset) for each.
    n_subsets, n_blocks : int
        Ranks of the dictionary, and parallel tasks per kernel call.
    width : int
        Length of a row.

    Attributes
    ----------
    ranks : ndarray of int64
        Sorted ranks of the resolved subsets that are neurons; ``rows`` holds their rows.
    swept : int
        Every uncertain rank below it has been resolved (``n_subsets`` when all are).
    """

    def __init__(self, find, exact, n_subsets, n_blocks, width):
        self.find, self.exact = find, exact
        self.n_subsets, self.n_blocks = int(n_subsets), int(n_blocks)
        self.ranks, self.rows = NO_RANKS, np.zeros((0, width))
        self.checked = NO_RANKS  # every rank resolved so far, neuron or not (sorted)
        self.swept = 0

    @property
    def complete(self):
        """Whether every uncertain subset of the dictionary is resolved."""
        return self.swept >= self.n_subsets

    def _cuts(self, lo, hi):
        cuts = np.linspace(lo, hi, self.n_blocks + 1).astype(np.int64)
        return cuts[:-1].copy(), cuts[1:].copy()

    def resolve(self, uncertain):
        """Resolve the uncertain ranks not resolved before, in exact arithmetic."""
        new = np.setdiff1d(np.asarray(uncertain, dtype=np.int64), self.checked)
        if new.size == 0:
            return
        kept, rows = self.exact(new)
        self.checked = np.union1d(self.checked, new)
        ranks = np.concatenate([self.ranks, kept])
        order = np.argsort(ranks, kind="stable")
        self.ranks, self.rows = ranks[order], np.concatenate([self.rows, rows])[order]

    def select(self, ranks=None):
        """(ranks, rows) of the resolved neurons among ``ranks`` (all when None)."""
        if ranks is None:
            return self.ranks, self.rows
        take = np.isin(self.ranks, ranks)
        return self.ranks[take], self.rows[take]

    def among(self, ranks):
        """(ranks, rows) of the resolved neurons among the list ``ranks``, resolving the
        uncertain ones among them first (a sweep over the list only)."""
        ranks = np.unique(np.asarray(ranks, dtype=np.int64))
        if ranks.size and not self.complete:
            self.resolve(self.find(*self._cuts(0, len(ranks)), ranks))
        return self.select(ranks)

    def sweep(self, deadline=None):
        """Resolve every uncertain subset of the dictionary, from ``swept`` on, one slice of
        :data:`SWEEP_SLICE` ranks at a time; stop before a slice would start past ``deadline``
        (a ``time.perf_counter`` value). Returns whether the sweep reached the end."""
        while not self.complete:
            if deadline is not None and time.perf_counter() > deadline:
                return False
            hi = min(self.swept + SWEEP_SLICE, self.n_subsets)
            self.resolve(self.find(*self._cuts(self.swept, hi), NO_RANKS))
            self.swept = hi
        return True
