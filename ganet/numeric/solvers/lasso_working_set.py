r"""The squared loss (group Lasso) on the working-set loop of :mod:`~ganet.numeric.solvers.working_set`.

Solves, for Y ∈ ℝ^{n×c} (c = 1: the Lasso; c > 1: Theorem 14's group penalty),

.. math::  \min_{Z, t}\; P(Z, t) = \tfrac12\|K Z + 1 t^\top - Y\|_F^2 + \lambda \sum_j \|Z_{j,:}\|_2 ,

with the intercept t unpenalized (``fit_intercept``). The loop is the shared one; what is the squared
loss's own is in :class:`SquaredProgram`. Only a working set of columns is ever
materialized:

1. solve the problem restricted to the working set. For c = 1 by the dual active-set
   method of :mod:`~ganet.numeric.solvers.active_set`, whose factorization is kept between rounds so each
   round only adds the new columns to the previous optimum (it is what makes the coherent, nearly
   interpolating ReLU dictionaries tractable where coordinate descent and interior points stall).
   Once the active set holds 512 columns, a solve stops when no offered column violates its
   constraint by more than 3% of the last pass's worst violation (exactly, once that is small).
   For c > 1 (and as a fallback) by the semismooth Newton augmented Lagrangian method of
   :mod:`~ganet.numeric.solvers.ssnal`, warm-started from the previous round;
2. price the residual R over the **whole** dictionary (``violators``: the largest ‖K_jᵀR‖ and the
   worst violators, streamed for a matrix-free dictionary). Before each full pass, up to
   ``local_rounds`` cheaper rounds price only the hyperplanes one generator away from the support
   (``local_violators``, where the oracle offers it) and add their violators;
3. certify: with s = max(1, maxⱼ‖K_jᵀR‖₂/λ), Θ = R/s is dual feasible (1ᵀΘ = 0 by centering) and

   .. math:: \mathrm{gap} = P - \big(\langle \Theta, Y\rangle - \tfrac12\|\Theta\|^2\big)
             \ge P - P^\star \ge 0 ;

4. stop when gap ≤ tol·P, else add the most violated columns and repeat.

The returned solution is certified by the last full pass without pricing it again: its residual
R' differs from the priced R by rounding (and by the move to a basic solution), and
maxⱼ‖K_jᵀR'‖ ≤ maxⱼ‖K_jᵀR‖ + maxⱼ‖K_j‖₂·‖R' − R‖_F with the oracle's bound on the column norms.
Y is scaled internally by a power of two (exact), so no target is too large or too small.
"""

import numbers
import time
from dataclasses import dataclass, field

import numpy as np

from ..runtime.memory import DEFAULT_MEMORY_LIMIT
from ..runtime.notes import warn_user
from ..runtime.validation import as_finite_array
from .active_set import ActiveSetError, DualActiveSet
from .basic_solution import basic_solution
from .ssnal import group_lasso_ssnal
from .working_set import FullPass, solve_working_set

__all__ = ["LassoResult", "SquaredProgram", "solve_lasso", "dual_gap", "power_of_two"]

# A working-set solve of the active set (of _LOOSE_FROM columns or more) stops once no candidate
# violates its constraint by more than this share of the worst violation (maxⱼ|K_jᵀR|/λ − 1) of
# the last full pass: its point is priced by the next pass anyway, and the exact optimum of a
# working set that is about to change is mostly exchanges of neighbouring columns. Smooth d = 3,
# n = 2000: 12,004 additions → 7,030 and 43.4 → 35.9 s (0.01: 37.3, 0.05: 38.8, 0.1: 41.1 s,
# with more passes)
_LOOSE = 0.03
_LOOSE_FROM = 512  # active columns (smaller solves are cheap next to a pass: exact)
_EXACT = 1e-10


@dataclass
class LassoResult:
    """Solution of :func:`solve_lasso`.

    Attributes
    ----------
    columns : ndarray of int
        Dictionary columns with a non-zero coefficient row.
    coef : ndarray, shape (len(columns), c)
        Their coefficients Z_{j,:}.
    intercept : ndarray, shape (c,)
    objective, dual_objective, gap : float
        P(Z, t), the certified dual value, and their difference (≥ P − P*).
    converged : bool
        Whether gap ≤ tol · objective.
    n_iter : int
        Outer (pricing) iterations.
    history : list of dict
        Per iteration: working-set size, objective, gap, seconds.
    dual_point : ndarray or None
        The loss's dual point θ behind the certificate (logistic and hinge solves).
    lam_max : float
        maxⱼ‖K_jᵀ(Y − Ȳ)‖₂, the smallest λ at which Z = 0 is optimal, from the first pass (NaN
        when that pass did not run over every column: a warm start, or cut by the budget).
    stopped : str
        Why the iterations ended: "converged", "max_iter", "max_seconds", or "rounding" (the
        violations left were below the working-set solver's rounding floor: more rounds would
        not change the solution).
    """

    columns: np.ndarray
    coef: np.ndarray
    intercept: np.ndarray
    objective: float
    dual_objective: float
    gap: float
    converged: bool
    n_iter: int
    lam: float
    history: list = field(default_factory=list)
    stopped: str = "converged"
    dual_point: object = None
    lam_max: float = float("nan")


def power_of_two(value):
    """The power of two nearest to |value| in log scale (1 for 0): an exact scaling factor."""
    value = abs(float(value))
    return 2.0 ** int(np.round(np.log2(value))) if value > 0 and np.isfinite(value) else 1.0


def _primal(R, Z, lam):
    return 0.5 * float(np.sum(R * R)) + lam * float(np.linalg.norm(Z, axis=1).sum())


def dual_gap(Y, R, Z, lam, max_correlation):
    """Primal value, dual value and gap of the certificate of docs/conventions.md.

    Parameters
    ----------
    Y : ndarray, shape (n, c)
        Targets (centered when there is an intercept).
    R : ndarray, shape (n, c)
        Residual Y − K Z (− 1tᵀ).
    Z : ndarray
        Coefficient rows.
    max_correlation : float
        maxⱼ ‖K_jᵀ R‖₂ over every column of the dictionary the certificate is for.

    Raises
    ------
    FloatingPointError
        If max_correlation is NaN or infinite (it would otherwise pass as max(1, nan) = 1).
    """
    if not np.isfinite(max_correlation):
        raise FloatingPointError(f"the largest correlation is {max_correlation}: no certificate")
    P = _primal(R, Z, lam)
    s = max(1.0, max_correlation / lam)
    # ½‖Y‖² − ½‖Y − Θ‖² written without the cancellation of two large squares
    D = float(np.sum(R * Y)) / s - 0.5 * float(np.sum(R * R)) / s ** 2
    return P, D, P - D


def _check_args(lam, tol, max_iter, max_seconds):
    if not isinstance(lam, numbers.Real) or isinstance(lam, bool) or not (np.isfinite(lam) and lam > 0):
        raise ValueError(f"lam must be a positive finite number; got {lam!r}")
    if not isinstance(tol, numbers.Real) or not 0 < tol < 1:
        raise ValueError(f"tol must lie in (0, 1): a relative duality gap; got {tol!r}")
    if not isinstance(max_iter, numbers.Integral) or isinstance(max_iter, bool) or max_iter < 1:
        raise ValueError(f"max_iter must be a positive integer; got {max_iter!r}")
    if max_seconds is not None and (not isinstance(max_seconds, numbers.Real)
                                    or not max_seconds > 0):
        raise ValueError(f"max_seconds must be a positive number or None; got {max_seconds!r}")


def solve_lasso(dictionary, Y, lam, fit_intercept=True, tol=1e-8, max_iter=100, initial_size=32,
                verbose=0, warm_start=None, max_seconds=None, min_add=None, local_rounds=10):
    """Minimize ½‖KZ + 1tᵀ − Y‖² + λ Σⱼ‖Z_j‖₂ over a dictionary oracle, to a certified gap.

    Parameters
    ----------
    dictionary : ~ganet.numeric.oracles.protocol.ColumnOracle
        A :class:`~ganet.numeric.oracles.two_layer.Dictionary` or a matrix-free
        :class:`~ganet.numeric.oracles.streaming.StreamingDictionary` (``materialize(cols)``,
        ``violators(R, λ, k, scale, exclude)`` and ``column_norm_bound()`` are used).
    Y : array_like, shape (n,) or (n, c)
    lam : float
        λ > 0.
    fit_intercept : bool
        Unpenalized intercept t.
    tol : float
        Stop when gap ≤ tol · P (0 < tol < 1).
    max_iter : int
        Maximum outer (pricing) iterations.
    initial_size : int
        Columns of the first working set.
    min_add : int, optional
        Fewest violators offered to the working set per pricing round (when there are that
        many); by default 10,000, or the number of columns that fit in an eighth of the
        dictionary's ``memory_limit``.
    local_rounds : int
        At most this many rounds between two full passes that price only the neighbourhood of
        the support (for oracles with ``local_violators``, when it is much smaller than the
        dictionary; c = 1). The certificate always comes from a full pass.
    verbose : int
        ≥ 1: one line per full pricing pass on stderr
        (:func:`~ganet.numeric.solvers.working_set.progress_line`: objective, gap, seconds, an
        ETA from the passes measured).
    warm_start : (columns, coef), optional
        Start from this solution (e.g. the previous λ of a regularization path).
    max_seconds : float, optional
        Wall-time budget. The working-set solves and the outer loop check it; when it runs out
        the solution of the last full pricing pass is returned with its certified gap (and a
        ConvergenceWarning if that gap is above tol).

    Returns
    -------
    LassoResult
    """
    _check_args(lam, tol, max_iter, max_seconds)
    program = SquaredProgram(dictionary, Y, lam, fit_intercept, tol, initial_size, warm_start, min_add, verbose)
    return solve_working_set(dictionary, program, tol, max_iter, max_seconds, local_rounds, verbose)


class SquaredProgram:
    """The squared loss's program on a working set (the module docstring's steps 1–3), for
    :func:`~ganet.numeric.solvers.working_set.solve_working_set`.

    Works in exactly scaled units (Y/τ, λ/τ with τ a power of two) and keeps the solver's state
    between rounds: for c = 1 the dual active set, which receives only the new columns; for c > 1
    (and as the c = 1 fallback) SSNAL, re-solved on the working set from the last point.
    """

    name = "squared"

    def __init__(self, dictionary, Y, lam, fit_intercept=True, tol=1e-8, initial_size=32, warm_start=None,
                 min_add=None, verbose=0):
        Y2 = as_finite_array(Y, "Y", ndim=(1, 2))
        Y2 = Y2.reshape(len(Y2), -1)
        n, c = Y2.shape
        if n != dictionary.X.shape[0]:
            raise ValueError(f"Y has {n} rows but the dictionary has n = {dictionary.X.shape[0]} samples")
        self.ymean = Y2.mean(axis=0) if fit_intercept else np.zeros(c)
        # an exact power-of-two scaling: the iterations see targets of order one
        self.tau = power_of_two(np.abs(Y2 - self.ymean).max(initial=0.0))
        self.Y, self.lam = (Y2 - self.ymean) / self.tau, lam / self.tau
        if 2 * np.log2(self.tau) + np.log2(max(0.5 * float(np.sum(self.Y * self.Y)), 1e-300)) > 1000:
            raise OverflowError(f"the objective ½‖y − ȳ‖² of targets this large (max |y| = "
                                f"{np.abs(Y2).max():.3g}) exceeds the float64 range; rescale y")
        self.dictionary, self.intercept, self.tol, self.verbose = dictionary, fit_intercept, tol, verbose
        self.user_lam = lam
        self.initial_size, self.warm_start = initial_size, warm_start
        memory_limit = getattr(dictionary, "memory_limit", DEFAULT_MEMORY_LIMIT)
        self.state = DualActiveSet(self.Y[:, 0], self.lam, memory_limit=memory_limit) if c == 1 else None
        if min_add is None:
            min_add = min(10_000, memory_limit // (64 * n))
        self.min_add = self.n_add = max(initial_size, int(min_add))
        self.ws, self.Z, self.R = np.zeros(0, dtype=np.int64), np.zeros((0, c)), self.Y.copy()
        self.tol_abs, self.P, self.gap, self.scale = np.inf, None, np.inf, 1.0
        self.snapshot = None  # (working set, Z, priced residual, its max score) of the last full pass
        # the best dual value of any full pass: a lower bound of P* for every point (used when the
        # budget leaves a better working-set point than the last priced one)
        self.best_dual = -np.inf
        self.solve_seconds, self.n_solves, self.steps_before = 0.0, 0, None
        self.lam_max = np.nan  # (set by a first pass at Z = 0 over every column)

    def begin(self, dictionary, deadline, pass_deadline):
        c = self.Y.shape[1]
        if self.warm_start is not None and len(self.warm_start[0]):
            self.new = np.asarray(self.warm_start[0], dtype=np.int64)
            self.Z_new = np.asarray(self.warm_start[1], dtype=np.float64).reshape(len(self.new), c) / self.tau
            return
        first_score, self.new = dictionary.violators(self.Y, self.lam, self.initial_size, deadline=pass_deadline)
        self.Z_new = np.zeros((len(self.new), c))
        if first_score is not None:  # the first pass priced z = 0: its certificate, to begin with
            self.lam_max = first_score * self.tau
            self.snapshot = (np.zeros(0, dtype=np.int64), np.zeros((0, c)), self.Y.copy(), first_score)
            self.best_dual = dual_gap(self.Y, self.Y, self.snapshot[1], self.lam, first_score)[1]

    def _materialize(self, columns, state=None):
        """K[:, columns], centered column-wise when the model has an intercept (in place); with
        the active set's ``state``, written into its candidate block in slices of 1024 columns
        (one fresh n × 10,000 array per solve cost more in page faults than in arithmetic)."""
        if state is None:
            K = self.dictionary.materialize(columns)
        else:
            K = state.candidate_block(len(columns))[:, :len(columns)]
            for start in range(0, len(columns), 1024):
                K[:, start:start + 1024] = self.dictionary.materialize(columns[start:start + 1024])
        if self.intercept:
            K -= K.mean(axis=0)
        return K

    def solve(self, deadline):
        tic = time.perf_counter()
        self.n_solves += 1
        state, new = self.state, self.new
        self.steps_before = state.n_steps if state is not None else None
        if state is not None and len(new):
            try:
                K = self._materialize(new, state)
                state.solve(K, new, deadline=deadline, tol=self._loose_tol())
                if state.n_steps == self.steps_before:  # (nothing above the loose tolerance)
                    state.solve(K, new, deadline=deadline, tol=_EXACT)
            except ActiveSetError as err:  # cycling under rounding: re-solve from here on
                if self.verbose:
                    warn_user(f"{err}; continuing with the SSNAL working-set solver", RuntimeWarning)
                self.ws, self.Z, self.state = state.columns, state.coef[:, None], None
        if self.state is None and len(self.ws) + len(new):  # (re-solved more tightly when nothing was added)
            ws, Z = np.concatenate([self.ws, new]), np.vstack([self.Z, self.Z_new])
            K = self._materialize(ws)
            P_est = self.P if self.P is not None else 0.5 * float(np.sum(self.Y * self.Y))
            # as accurate as the certificate needs, or a thousandth of the last full gap: early
            # rounds only decide which columns enter, and SSNAL's cost grows with the accuracy
            sub_tol = max(0.1 * self.tol * P_est, 1e-3 * min(self.tol_abs, 0.5 * float(np.sum(self.Y * self.Y))))
            Z, _ = group_lasso_ssnal(K, self.Y, self.lam, Z, tol=max(sub_tol, 1e-16), deadline=deadline)
            self.R = self.Y - K @ Z
            keep = np.linalg.norm(Z, axis=1) > 0  # solved accurately: the others left the support
            self.ws, self.Z = ws[keep], Z[keep]
        if self.state is None and not len(self.ws):
            self.R = self.Y.copy()
        self.new = np.zeros(0, dtype=np.int64)
        self.solve_seconds += time.perf_counter() - tic

    def _loose_tol(self):
        """The active set's tolerance for the next working-set solve: ``_LOOSE`` once the active
        set holds ``_LOOSE_FROM`` columns, exact before. Loose solves cost passes, which pay only
        when solves are dear (diabetes, 3 features with bias, support 144 at λ = 20: 3 → 5 passes
        of about 1 s, 4.9 → 7.2 s). A count, not measured times: the path must not depend on the
        machine's speed (a fit with a Dask client gives the same network bit for bit)."""
        if self.state is None or self.state.q < _LOOSE_FROM:
            return _EXACT
        return max(_EXACT, _LOOSE * (self.scale - 1.0))

    def local_round(self, dictionary, deadline):
        """The neighbourhood of the support's hyperplanes, priced at a fraction of a full pass
        (the active set only: it takes the new columns without a re-solve)."""
        state = self.state
        if state is None:
            return False
        near = dictionary.local_violators(state.theta[:, None], self.lam, self.n_add, self.scale,
                                          around=state.columns)
        if near is None or not len(near):
            return False
        tic = time.perf_counter()
        try:
            state.solve(self._materialize(near, state), near, deadline=deadline, tol=self._loose_tol())
        except ActiveSetError:
            return False  # the full pass goes on from the last consistent state
        finally:
            self.solve_seconds += time.perf_counter() - tic
        return True

    def price(self, dictionary, deadline):
        if self.state is not None:
            self.ws, self.Z, self.R = self.state.columns, self.state.coef[:, None], self.state.theta[:, None]
        ws, Z, R, c = self.ws, self.Z, self.R, self.Y.shape[1]
        # each round offers the active set at least three times the support, and at least
        # min_add columns: the exact subproblem only activates the useful ones, and large offers
        # save pricing passes (Gaussian n = 1000, d = 3: 65 passes with 3·support, 29 with
        # 10,000). Violators are ranked by the distance from the scaled dual point θ = R/s
        # to their constraint, (‖K_jᵀR‖/s − λ)/‖K_j‖ (celer's priority; s from the previous
        # pass), not by the raw correlation, which favours long columns (hyperplanes far from the
        # data, nearly linear on it) over the ones the optimum uses
        n = len(R)
        self.n_add = max(self.initial_size, 3 * len(ws), self.min_add) if c == 1 else max(self.initial_size, len(ws), n)
        max_score, new = dictionary.violators(R, self.lam, self.n_add, scale=self.scale, exclude=ws, deadline=deadline)
        if max_score is None:
            return None
        self.snapshot = (ws.copy(), Z.copy(), R.copy(), max_score)
        self.new, self.Z_new = new, np.zeros((len(new), c))
        self.scale = max(1.0, max_score / self.lam)
        self.P, D, self.gap = dual_gap(self.Y, R, Z, self.lam, max_score)
        self.best_dual = max(self.best_dual, D)
        return FullPass(self.P * self.tau ** 2, self.gap * self.tau ** 2, len(ws), len(new),
                        {"solve_seconds": self.solve_seconds})

    def converged(self, tol):
        # half of tol in the loop: the returned (basic) solution's certificate is recomputed with
        # a bound that may add rounding, and must still meet tol
        return self.gap <= 0.5 * tol * self.P or self.P == 0.0

    def stalled(self):
        # the violators offered were all at the rounding floor of the working-set solve
        return self.n_solves > 1 and self.state is not None and self.state.n_steps == self.steps_before

    def tighten(self):
        self.tol_abs = 0.1 * min(self.tol_abs, self.gap)  # the working-set solve was not accurate enough
        return True

    def grow(self):
        self.tol_abs = min(self.tol_abs, self.gap)  # (the pass's violators are pending already)

    def result(self, stopped, tol, deadline):
        ws, Z = self.ws, self.Z
        snapshot = self.snapshot
        if snapshot is None:  # the budget ran out before any full pass: a solution, no certificate
            snapshot = (ws, Z, None, np.inf)
        # the active set's support is independent already (a basic solution): no SVD to make it one
        basic = self.state is not None
        columns, coef, intercept, P, D, gap = _certified_solution(self.dictionary, self.Y, self.lam, snapshot,
                                                                  self.intercept, tol, deadline, basic)
        if stopped == "max_seconds" and len(ws) and not (len(ws) == len(snapshot[0]) and np.array_equal(ws, snapshot[0])
                                                         and np.array_equal(Z, snapshot[1])):
            # the working set moved on after the last full pass: its point, if better, is returned
            # with the best dual value seen (the gap of a point no pass has priced)
            latest = _certified_solution(self.dictionary, self.Y, self.lam, (ws, Z, None, np.inf), self.intercept, tol,
                                         basic=basic)
            if latest[3] < P:
                columns, coef, intercept, P = latest[:4]
            D = max(D, self.best_dual)
            gap = P - D
        converged = gap <= tol * P or P == 0.0
        tau = self.tau
        return LassoResult(columns=columns, coef=coef * tau, intercept=np.atleast_1d(self.ymean + tau * intercept),
                           objective=P * tau ** 2, dual_objective=D * tau ** 2, gap=gap * tau ** 2,
                           converged=converged, n_iter=0, lam=self.user_lam, lam_max=self.lam_max)


def _certified_solution(dictionary, Y, lam, snapshot, fit_intercept, tol, deadline=None, basic=False):
    """The solution of the last full pass, made basic (c = 1; ``basic``: its active columns are
    independent already, as the dual active set keeps them), with a certificate for exactly it.

    The pass priced the residual R; the returned solution has residual R' (recomputed, so drift of
    the active set's dual point is accounted for in P). Its dual value is D(R'/s'), with the bound
    s'λ = max_score + maxⱼ‖K_j‖₂·‖R' − R‖_F, or with R' priced by one more full pass if that bound
    misses a tol the pass itself met (and time is left before ``deadline``). If that still misses
    tol, the larger of it and the pass's own D(R/s), s = max_score/λ, is used: both are lower
    bounds of P*. With no full pass at all (max_score = inf: the budget ran out first) the gap is
    infinite. Returns (columns, coef, intercept, P, D, gap) in the internal (scaled) units; the
    intercept is the part beyond the mean of Y.
    """
    ws, Z, R_priced, max_score = snapshot
    n, c = Y.shape
    keep = np.linalg.norm(Z, axis=1) > 0
    columns, coef = ws[keep], Z[keep]
    K = dictionary.materialize(columns) if len(columns) else np.zeros((n, 0))
    Kc = K - K.mean(axis=0) if fit_intercept and len(columns) else K
    if c == 1 and len(columns) and not basic:  # a basic solution: independent active columns, same objective
        z = basic_solution(Kc, coef[:, 0])
        columns, coef, Kc, K = columns[z != 0], z[z != 0, None], Kc[:, z != 0], K[:, z != 0]
    intercept = -(K.mean(axis=0) @ coef) if fit_intercept and len(columns) else np.zeros(c)
    R = Y - Kc @ coef
    if not np.isfinite(max_score):
        return columns, coef, intercept, _primal(R, coef, lam), -np.inf, np.inf
    P = _primal(R, coef, lam)
    P_priced, D_priced, priced_gap = dual_gap(Y, R_priced, Z, lam, max_score)
    moved = float(np.linalg.norm(R - R_priced))
    bound = max_score + (dictionary.column_norm_bound() * moved if moved > 0 else 0.0)
    D = dual_gap(Y, R, coef, lam, bound)[1] if np.isfinite(bound) else -np.inf
    if P - D > tol * P and priced_gap <= tol * P_priced and (deadline is None or time.perf_counter() < deadline):
        D = dual_gap(Y, R, coef, lam, dictionary.violators(R, lam, 0)[0])[1]  # the bound lost what the pass had
    if P - D > tol * P:
        # any dual point priced over the whole dictionary bounds P* from below, and R_priced (the
        # active set's θ) can be a better one than R: on the n = 3200 spirals R − R_priced is
        # rounding amplified by 2,322 nearly dependent columns, K_jᵀ(R − R_priced) is of the
        # order of 1e-8·λ, and R priced again gave a gap of 2.5e-8·P where R_priced gives
        # 6.7e-10·P. (R's own certificate comes first, when it meets tol: a user can recompute
        # it from the returned solution alone.)
        D = max(D, D_priced)
    gap = P - D
    return columns, coef, intercept, P, D, gap
