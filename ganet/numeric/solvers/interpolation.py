r"""Minimum-norm interpolation over a dictionary oracle (the β → 0 limit of the Lasso).

Solves ZP's problem (14),

.. math::  \min_{z, \xi}\ \|z\|_1 \quad\text{s.t.}\quad Kz + \xi 1 = y ,

by column generation. Its dual is max yᵀν s.t. |K_jᵀν| ≤ 1 for every column and 1ᵀν = 0. Each
round solves the problem restricted to a working set as a linear program (HiGHS through scipy),
made always feasible by an elastic slack with a large weight M (phase one and two in one:
min ‖z‖₁ + M‖s‖₁, Kz + ξ1 + s = y), reads the duals ν of the equality constraints, prices ν over
the whole dictionary (the oracle's ``violators``) and adds the columns with |K_jᵀν| > 1. With
s = max(1, maxⱼ|K_jᵀν|), ν/s is dual feasible, so

.. math::  \mathrm{gap} = \|z\|_1 - y^\top\nu / s \ \ge\ \|z\|_1 - \min\|z\|_1 \ge 0

certifies the interpolant (when the slack is zero; otherwise the data cannot be interpolated by
the dictionary, which is reported).
"""

from dataclasses import dataclass, field

import numpy as np
from scipy.optimize import linprog

from .datafits import Interpolation
from .lasso_working_set import power_of_two
from .working_set import FullPass, solve_working_set

__all__ = ["InterpolationResult", "InterpolationProgram", "min_norm_interpolation"]


@dataclass
class InterpolationResult:
    """Solution of :func:`min_norm_interpolation`.

    Attributes
    ----------
    columns, coef : ndarray
        The support and its coefficients.
    intercept : float
    norm : float
        ‖z‖₁.
    gap : float
        Certified bound on ‖z‖₁ − min ‖z‖₁.
    residual : float
        max |Kz + ξ − y| (0 up to the LP's tolerance when the data are interpolated).
    converged : bool
    n_iter : int
    history : list of dict
        One entry per full pricing pass (:func:`~ganet.numeric.solvers.working_set.solve_working_set`).
    stopped : str
        Why the iterations ended.
    """

    columns: np.ndarray
    coef: np.ndarray
    intercept: float
    norm: float
    gap: float
    residual: float
    converged: bool
    n_iter: int
    history: list = field(default_factory=list)
    stopped: str = "converged"

    @property
    def objective(self):
        """‖z‖₁, the objective of the problem."""
        return self.norm


def _restricted(K, y, M):
    """min 1ᵀ(z⁺ + z⁻) + M 1ᵀ(s⁺ + s⁻) s.t. K(z⁺ − z⁻) + ξ1 + s⁺ − s⁻ = y; (z, ξ, s, ν)."""
    n, m = K.shape
    A = np.hstack([K, -K, np.ones((n, 1)), np.eye(n), -np.eye(n)])
    cost = np.concatenate([np.ones(2 * m), [0.0], np.full(2 * n, M)])
    bounds = [(0, None)] * (2 * m) + [(None, None)] + [(0, None)] * (2 * n)
    res = linprog(cost, A_eq=A, b_eq=y, bounds=bounds, method="highs")
    if res.status != 0:
        raise RuntimeError(f"the restricted linear program failed: {res.message}")
    x = res.x
    z = x[:m] - x[m:2 * m]
    slack = x[2 * m + 1:2 * m + 1 + n] - x[2 * m + 1 + n:]
    return z, float(x[2 * m]), slack, np.asarray(res.eqlin.marginals, dtype=float)


def _conflicting_duplicates(X, y):
    """A pair (i, j) of exactly equal inputs with different targets (no function interpolates
    both), or None."""
    X = np.asarray(X)
    _, first, inverse = np.unique(X, axis=0, return_index=True, return_inverse=True)
    inverse = inverse.reshape(-1)
    for i in np.flatnonzero(y != y[first[inverse]]):
        return int(first[inverse[i]]), int(i)
    return None


_MAX_SLACK_WEIGHT = 1e15  # M relative to the targets' spread: beyond it the LP's own tolerances rule


def min_norm_interpolation(dictionary, y, tol=1e-9, max_iter=100, initial_size=None, add=None,
                           max_seconds=None):
    """The minimum-ℓ₁ interpolant of y over a dictionary oracle, with a duality-gap certificate.

    The elastic slack s of the restricted programs must vanish at the answer: when an LP prefers
    slack (an interpolant steeper than M, e.g. two inputs 10⁻⁶ apart with targets 0 and 1 need
    ‖z‖₁ ≈ 10⁶), M is raised a thousandfold and the program re-solved, up to 10¹⁵ times the
    targets' spread. A point that still has slack is no interpolant: its gap is reported as
    infinite (and ``converged`` False), never as a bound on ‖z‖₁.

    Parameters
    ----------
    dictionary : oracle with ``X``, ``materialize(columns)`` and ``violators(R, λ, k, ...)``
    y : array_like, shape (n,)
    tol : float
        Stop when gap ≤ tol·‖z‖₁.
    initial_size, add : int, optional
        Columns of the first working set (default 4n) and added per round (default 2n).

    Returns
    -------
    InterpolationResult

    Raises
    ------
    ValueError
        When two training inputs are equal and their targets differ (the problem is infeasible).
    """
    y = np.asarray(y, dtype=float).ravel()
    clash = _conflicting_duplicates(dictionary.X, y)
    if clash is not None:
        i, j = clash
        raise ValueError(f"cannot interpolate: samples {i} and {j} have the same inputs but targets "
                         f"{y[i]:g} and {y[j]:g}; use lam > 0 (a regularized fit) instead")
    program = InterpolationProgram(dictionary, y, initial_size, add)
    return solve_working_set(dictionary, program, tol, max_iter, max_seconds, local_rounds=0)


class InterpolationProgram:
    """Minimum-norm interpolation's program for
    :func:`~ganet.numeric.solvers.working_set.solve_working_set` (module docstring): the elastic
    LP on the working set, its duals ν priced over the whole dictionary, the certificate of the
    :class:`~ganet.numeric.solvers.datafits.Interpolation` datafit."""

    name = "minimum-norm interpolation"

    def __init__(self, dictionary, y, initial_size=None, add=None):
        self.dictionary, self.y, n = dictionary, y, len(y)
        self.initial_size = 4 * n if initial_size is None else int(initial_size)
        self.add = 2 * n if add is None else int(add)
        # the LPs are solved on K/c and y/c_y (powers of two, exact): HiGHS refuses entries near
        # 1e200. With z̃ = z·c/c_y the program is the same; its dual ν̃ prices as |K_jᵀν̃| ≤ c in
        # raw units.
        self.c = float(getattr(dictionary, "scale", 1.0))
        self.c_y = power_of_two(np.abs(y - y.mean()).max(initial=0.0))
        self.ys = ys = y / self.c_y
        self.M = 1e3 * (1.0 + float(np.abs(ys - ys.mean()).max(initial=0.0)))
        self.M_max = _MAX_SLACK_WEIGHT * self.M / 1e3
        self.z, self.xi, self.gap, self.slack = np.zeros(0), float(ys.mean()), np.inf, ys - ys.mean()
        self.norm = 0.0

    def begin(self, dictionary, deadline, pass_deadline):
        self.ws = np.asarray(dictionary.violators(self.y - self.y.mean(), 0.0, self.initial_size)[1], dtype=np.int64)
        self.solved = self.ws

    def solve(self, deadline):
        self.solved = self.ws
        K = self.dictionary.materialize(self.ws) / self.c
        self.z, self.xi, self.slack, nu = _restricted(K, self.ys, self.M)
        self.nu = Interpolation.center(nu, self.ys)  # 1ᵀν = 0 holds up to the LP's tolerance

    def local_round(self, dictionary, deadline):
        return False

    def price(self, dictionary, deadline):
        top, self.new = dictionary.violators(self.nu, self.c, self.add, exclude=self.ws)
        self.norm = float(np.abs(self.z).sum())
        if np.any(self.slack != 0):  # not an interpolant (yet): no gap to report
            self.gap = np.inf
        else:
            self.gap = self.norm - Interpolation.dual_value(self.nu, self.ys) / max(1.0, float(top) / self.c)
        units = self.c_y / self.c
        return FullPass(self.norm * units, self.gap * units, len(self.ws), len(self.new))

    def converged(self, tol):
        return bool(self.gap <= tol * max(self.norm, 1e-300))

    def stalled(self):
        return False

    def tighten(self):
        """No violator left: with slack, the elastic program is solved over every column and ν was
        capped at M, so M is raised a thousandfold (up to M_max); without, nothing is left to do."""
        if np.any(self.slack != 0) and self.M < self.M_max:
            self.M *= 1e3
            return True
        return False

    def grow(self):
        # keep the support (all of the set while the slack is not paid off), add the violators
        self.ws = np.concatenate([self.ws[self.z != 0] if np.isfinite(self.gap) else self.ws, self.new])

    def result(self, stopped, tol, deadline):
        keep = self.z != 0
        columns = self.solved[keep]
        coef, xi = self.z[keep] * (self.c_y / self.c), self.xi * self.c_y  # back to the units of K and y
        y = self.y
        K = self.dictionary.materialize(columns) if len(columns) else np.zeros((len(y), 0))
        residual = float(np.abs(K @ coef + xi - y).max(initial=0.0)) if len(self.z) else float(np.abs(y - xi).max())
        return InterpolationResult(columns=columns, coef=coef, intercept=xi, norm=float(np.abs(coef).sum()),
                                   gap=float(self.gap) * self.c_y / self.c, residual=residual,
                                   converged=self.converged(tol), n_iter=0)
