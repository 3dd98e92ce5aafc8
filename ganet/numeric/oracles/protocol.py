r"""The column-oracle protocol: what every dictionary gives the solvers.

A dictionary K (n × N, N up to billions) is never handed to a solver as a matrix. The solvers see
an *oracle* that materializes a few columns (the working set) and *prices* a dual point R over all
of them:

.. math::  \text{score}_j = \|K_j^\top R\|_2, \qquad
           \text{priority}_j = \frac{\text{score}_j/\text{scale} - \lambda}{\|K_j\|_2},

returning the largest score (the certificate needs :math:`\max_j \text{score}_j`, since the dual
point R/scale is feasible exactly when it is ≤ λ·scale) and the k violators (score > λ) of
largest priority, the distance from the dual point to the column's constraint (celer's rule).
Every dictionary implements :class:`ColumnOracle` — the stored, streaming and sampled two-layer
ones, the lifted deep ones (sampled too), and the weighted view of any of them — and every
pricing returns a :class:`PricingPass`.
"""

import abc
from dataclasses import dataclass

import numpy as np

__all__ = ["ColumnOracle", "PricingPass"]


@dataclass
class PricingPass:
    """Result of one pricing pass (:meth:`ColumnOracle.price`).

    Attributes
    ----------
    max_score : float
        maxⱼ ‖K_jᵀR‖₂ over every column priced.
    columns : ndarray of int64
        The k worst violators, worst first.
    priorities : ndarray
    visited : int
        Subsets that are neurons visited (each exactly once).
    seconds : float
    full : bool
        Whether the pass covered the whole dictionary (only then is max_score a certificate).
    complete : bool
        Whether the pass covered all it was asked to (False: stopped at its deadline).
    skipped : int
        Neurons among the visited ones that were not scored because a bound on their whole cell
        proved them no violators (:mod:`~ganet.numeric.oracles.cell_bounds`); the bound stands in
        for their scores in max_score, which stays an upper bound on every column's score.
    cells : int
        Cells bounded before the pass (its extra work, each about one column's).
    """

    max_score: float
    columns: np.ndarray
    priorities: np.ndarray
    visited: int
    seconds: float
    full: bool = True
    complete: bool = True
    skipped: int = 0
    cells: int = 0


class ColumnOracle(abc.ABC):
    """A dictionary as the solvers use it: a few columns on demand, and pricing over all of them.

    Attributes
    ----------
    X : ndarray, shape (n, d)
        The training inputs the columns are evaluated at.
    n_columns : int
        N, the number of columns (both signs of every neuron).
    certificate : str
        ``"global"`` when a pass covers every column of the network's whole dictionary;
        a sampled dictionary says so here (its gaps then certify only the sampled program).
    sample : ndarray of int64 or None
        Subset ranks every pass is restricted to (a sampled matrix-free dictionary), or None.
    passes : list of PricingPass
        The passes run so far, for reports (matrix-free oracles; stored ones keep none).
    """

    certificate = "global"
    sample = None
    passes = ()

    @abc.abstractmethod
    def price(self, R, lam=np.inf, k=0, scale=1.0, exclude=None, hyperplanes=None, deadline=None):
        """Price the dual point R over every column, or over the columns of the subsets
        ``hyperplanes`` (ranks: column j belongs to subset j // columns per subset).

        Parameters
        ----------
        R : ndarray, shape (n,) or (n, c)
            The residual (dual point) to price; for c outputs the score is the row norm.
        lam : float
            Columns with ‖K_jᵀR‖₂ > λ are violators.
        k : int
            How many violators to return (spread over the dictionary by
            :func:`~ganet.numeric.oracles.engine.round_robin`).
        scale : float
            The dual point is R/scale (the priorities' units).
        exclude : array_like of int, optional
            Columns never returned (e.g. the working set).
        hyperplanes : array_like of int, optional
            Subset ranks to price instead of the whole dictionary.
        deadline : float, optional
            A ``time.perf_counter`` value at which a long pass stops (``complete`` False).

        Returns
        -------
        PricingPass
        """

    def violators(self, R, lam, k, scale=1.0, exclude=None, deadline=None):
        """Price R over the dictionary (its ``sample`` when it has one): the largest ‖K_jᵀR‖₂ —
        None when the pass stopped at ``deadline``, so that nothing is certified from it — and
        the k worst violators (see :meth:`price`)."""
        result = self.price(R, lam, k, scale, exclude, hyperplanes=self.sample, deadline=deadline)
        return (result.max_score if result.complete else None), result.columns

    def local_violators(self, R, lam, k, scale=1.0, around=()):
        """Like :meth:`violators`, over the neighbours of the subsets of columns ``around`` only
        (one generator exchanged); None when the oracle has no cheaper local pass (the default)."""
        return None

    @abc.abstractmethod
    def materialize(self, columns=None):
        """The dense block K[:, columns] (all columns by default) at the training inputs."""

    @abc.abstractmethod
    def describe(self, j):
        """Column j as a neuron (its special samples, direction, formula)."""

    def column_norm_bound(self):
        """An upper bound on maxⱼ ‖K_j‖₂ (∞ when no cheap one is known): lets a solver turn a
        near-feasible dual point into a certificate without a final pass."""
        return np.inf
