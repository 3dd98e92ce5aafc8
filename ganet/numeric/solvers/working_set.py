r"""The one certified working-set loop: every datafit's solver over a dictionary oracle.

Every two-layer and deep problem of ganet is

.. math::  \min_{z, t}\; \ell(Kz + t1, y) + \lambda\,\|z\|_1

over a dictionary K too large to materialize (its columns are the neurons). The loop is the same
for every datafit ℓ (:mod:`~ganet.numeric.solvers.datafits`):

1. solve the program on a **working set** of columns (the datafit's own solver: the dual active
   set for the squared loss, proximal Newton for the smooth losses, a linear program for the
   hinge loss and for minimum-norm interpolation);
2. optionally, a few **local rounds** that price only the neighbourhood of the support;
3. a **full pass** prices the dual point over every column (the oracle's ``violators``). With
   s = max(1, maxⱼ|K_jᵀθ|/λ), θ/s is dual feasible, so the pass **certifies**
   gap = P − D(θ/s) ≥ P − P*;
4. stop when gap ≤ tol·P (``converged``), when the budget ``max_seconds`` or ``max_iter`` runs
   out, or when the working-set solve can no longer change the point (``rounding``); else the
   pass's worst violators join the working set, and round again.

What differs between datafits lives in a :class:`WorkingSetProgram` (the working set, its
solver, its certificate and its result); the loop owns the iterations, the budget, the history,
the progress lines and the warning, once for all of them.
"""

import sys
import time
from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

import numpy as np
from sklearn.exceptions import ConvergenceWarning

from ..runtime.notes import warn_user
from ..runtime.threads import single_threaded_blas

__all__ = ["FullPass", "WorkingSetProgram", "solve_working_set", "progress_line"]


@dataclass
class FullPass:
    """What one full pricing pass established, in the user's units.

    Attributes
    ----------
    objective : float
        P at the priced point.
    gap : float
        Its certified duality gap (≥ P − P*); infinite when the point has no certificate.
    working_set : int
        Columns in the working set that was priced.
    violators : int
        Columns outside the working set that the pass offers to it.
    extra : dict
        Further entries for the history (e.g. cumulative solve seconds).
    """

    objective: float
    gap: float
    working_set: int
    violators: int
    extra: dict = field(default_factory=dict)


@runtime_checkable
class WorkingSetProgram(Protocol):
    """What :func:`solve_working_set` needs of a datafit's program on a working set.

    ``name`` names the problem in progress lines and warnings. The loop calls :meth:`begin`
    once, then per iteration :meth:`solve`, :meth:`local_round` (up to ``local_rounds`` times,
    until it returns False), :meth:`price`, and one of :meth:`grow` or :meth:`tighten`; finally
    :meth:`result`.
    """

    name: str

    def begin(self, dictionary, deadline, pass_deadline):
        """Price the starting point: the first working set (and, when the pass finished, the
        certificate of the starting point, which stands if the budget cuts every later pass).
        The pass stops at ``pass_deadline``; ``deadline`` is the whole budget's."""

    def solve(self, deadline):
        """Solve the program on the working set with the pending columns added. May raise
        TimeoutError when the deadline cuts the solve (the last certified point stands)."""

    def local_round(self, dictionary, deadline):
        """Price the neighbourhood of the support and solve again with its violators; False when
        there is nothing to add (or the program or oracle has no local rounds)."""

    def price(self, dictionary, deadline):
        """A full pass over every column: a :class:`FullPass`, or None when the deadline cut it
        (a cut pass certifies nothing)."""

    def converged(self, tol):
        """Whether the last pass certified the relative gap ``tol``."""

    def stalled(self):
        """Whether the last solve left the point unchanged (its violators are rounding)."""

    def tighten(self):
        """The pass found no violator outside the working set: prepare a more accurate solve of
        the same set and return True, or return False (nothing more to gain)."""

    def grow(self):
        """Make the last pass's violators the pending columns of the next solve."""

    def result(self, stopped, tol, deadline):
        """The answer: an object with ``converged``, ``objective`` and ``gap`` (and writable
        ``n_iter``, ``history`` and ``stopped``)."""


def progress_line(history, tol, name=""):
    """One log line per full pricing pass: objective, gap, time, and an ETA from the passes
    measured so far — the mean decrease of log(relative gap) per pass and the mean seconds per
    pass give the passes left to reach tol (none before two passes, or while the gap does not
    fall). Not from max_iter: that is a cap, not a forecast."""
    h = history[-1]
    rel = h["gap"] / max(h["objective"], 1e-300)
    line = (f"  {name + ' ' if name else ''}pass {h['iteration']:3d}: working set {h['working_set']:6d}  objective "
            f"{h['objective']:.10g}  relative gap {rel:.2e}  {h['seconds']:.1f} s")
    if len(history) >= 2 and rel > tol:
        first = history[0]
        rel0 = first["gap"] / max(first["objective"], 1e-300)
        steps = len(history) - 1
        rate = (np.log(max(rel0, 1e-300)) - np.log(max(rel, 1e-300))) / steps
        if rate > 0:
            per_pass = (h["seconds"] - first["seconds"]) / steps
            left = np.log(rel / tol) / rate
            line += f"  ETA ~{left * per_pass:.0f} s ({left:.0f} passes at the rate so far)"
    if h.get("skipped"):
        line += f"  (cell bounds skipped {h['skipped']:.0%} of the pass)"
    return line


def _skipped_share(dictionary):
    """The share of the last full pass's neurons that cell bounds skipped (0 without bounds)."""
    passes = getattr(dictionary, "passes", ())
    last = passes[-1] if len(passes) else None
    return last.skipped / last.visited if last is not None and last.full and last.visited else 0.0


_WHY = {"max_seconds": "the time budget max_seconds ran out", "max_iter": "max_iter full passes",
        "rounding": "reaching the rounding floor of float64 for this λ",
        "converged": "converging, when the certificate of the returned solution was recomputed"}
# What helps, by why it stopped: at the rounding floor more passes or time change nothing
_REMEDY = {"max_seconds": "raise max_seconds (or tol)", "max_iter": "raise max_iter (or tol)",
           "rounding": ("more passes would not change it: raise tol above the relative gap {rel:.2g}, or "
                        "raise λ (the floor shows when the fit nearly interpolates the data)"),
           "converged": "raise tol above the relative gap {rel:.2g}"}


_FIRST_PASS_SHARE = 0.5  # of max_seconds, at most, for the first pricing pass
_RESERVE_MARGIN = 1.5  # a pass may take longer than the last one (a busy machine, a larger working set)


def _past(moment):
    """Whether a ``time.perf_counter()`` deadline (None: none) has passed."""
    return moment is not None and time.perf_counter() > moment


def solve_working_set(dictionary, program, tol, max_iter, max_seconds=None, local_rounds=10, verbose=0):
    """Run the certified working-set loop (module docstring) of ``program`` over ``dictionary``.

    Parameters
    ----------
    dictionary : ~ganet.numeric.oracles.protocol.ColumnOracle
    program : WorkingSetProgram
        The datafit's program (it holds y, λ and the working set).
    tol : float
        Relative duality gap to certify.
    max_iter : int
        Full pricing passes at most.
    max_seconds : float, optional
        Wall-time budget: the solves and passes are cut at it and the best certified point is
        returned.
    local_rounds : int
        Local rounds at most between two full passes.
    verbose : int
        ≥ 1: one :func:`progress_line` per full pass on stderr.

    Returns
    -------
    The program's result, with ``n_iter`` (full passes), ``history`` (one dict per pass:
    iteration, working_set, objective, gap, seconds) and ``stopped`` ("converged", "max_iter",
    "max_seconds" or "rounding") set. A ConvergenceWarning says why when it is not converged.

    BLAS runs on one thread throughout (:mod:`~ganet.numeric.runtime.threads`): the working-set
    solves make thousands of small dense calls, and with two threads each one paid their
    synchronization. Only the squared loss's solver had this; without it the logistic fit of
    the disc (n = 1000) spent 0.9 s idle and 7.1 s beside two busy processes in the dual
    active set's rank-one updates.
    """
    with single_threaded_blas():
        return _solve_working_set(dictionary, program, tol, max_iter, max_seconds, local_rounds, verbose)


def _solve_working_set(dictionary, program, tol, max_iter, max_seconds, local_rounds, verbose):
    start = time.perf_counter()
    deadline = None if max_seconds is None else start + float(max_seconds)
    history, stopped, n_iter = [], "max_iter", 0
    # the first pass gets at most half of the budget: a pass that took all of it left the
    # working set nothing to solve, and the fit returned an empty network (scikit-learn's iris
    # with bias, 5-D: one pass about 27 s of a 30 s budget). Cut, it still gives its violators
    first_pass = None if deadline is None else start + _FIRST_PASS_SHARE * float(max_seconds)
    tic = time.perf_counter()
    program.begin(dictionary, deadline, first_pass)
    # the solves and local rounds stop this long before the deadline, so that a full pass can
    # still certify their point: the last pass's time, with a margin, when more than twice that
    # is left (a budget shorter than one pass still gets a network). (Without it a solve that
    # took the whole budget left the fit with the gap of z = 0: diabetes with 3 features through
    # the CLI, 30 s, gap 72.1 = the objective)
    reserve = _RESERVE_MARGIN * (time.perf_counter() - tic)
    for n_iter in range(1, max_iter + 1):
        solve_deadline = deadline
        if deadline is not None and deadline - time.perf_counter() > 2 * reserve:
            solve_deadline = deadline - reserve  # (with less time left the solve takes all of it)
        try:
            program.solve(solve_deadline)
        except TimeoutError:  # the last certified point is the answer
            stopped = "max_seconds"
            break
        for _ in range(local_rounds):
            if _past(solve_deadline) or not program.local_round(dictionary, solve_deadline):
                break
        tic = time.perf_counter()
        full = program.price(dictionary, deadline)
        reserve = _RESERVE_MARGIN * (time.perf_counter() - tic)
        if full is None:  # the pass stopped at the budget: it certifies nothing
            stopped = "max_seconds"
            break
        history.append(dict(iteration=n_iter, working_set=full.working_set, objective=full.objective,
                            gap=full.gap, seconds=time.perf_counter() - start, skipped=_skipped_share(dictionary),
                            **full.extra))
        if verbose:
            print(progress_line(history, tol, program.name), file=sys.stderr, flush=True)
        if program.converged(tol):
            stopped = "converged"
            break
        if _past(deadline):
            stopped = "max_seconds"
            break
        if program.stalled():  # another round would price the same point again
            stopped = "rounding"
            break
        if not full.violators and not program.tighten():
            stopped = "rounding"
            break
        if full.violators:
            program.grow()
    result = program.result(stopped, tol, deadline)
    result.n_iter, result.history = n_iter, history
    result.stopped = "converged" if result.converged else stopped
    if not result.converged:
        warn_user(f"the {program.name} solver stopped after {_WHY[stopped]} ({n_iter} passes, "
                  f"{time.perf_counter() - start:.0f} s) with a certified duality gap {result.gap:.3e} "
                  f"> tol·objective = {tol * result.objective:.3e} (objective {result.objective:.10g}): "
                  "the result is near-optimal within that gap, not certified to tol; "
                  + _REMEDY[stopped].format(rel=result.gap / max(result.objective, 1e-300)),
                  ConvergenceWarning)
    return result
