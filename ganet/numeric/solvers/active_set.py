r"""Warm-started dual active-set method (Goldfarb–Idnani) for the Lasso on a working set.

The Lasso :math:`\min_z \tfrac12\|Kz - y\|^2 + \lambda\|z\|_1` has the dual

.. math::  \theta^\star = \arg\min_\theta \tfrac12\|\theta - y\|^2
           \quad\text{s.t.}\quad \sigma\,k_j^\top\theta \le \lambda \quad (j \in W,\ \sigma = \pm1),

the projection of y onto a polytope: a strictly convex QP in n variables however many columns
there are. With active normals a_i = σ_i k_{j_i} (the columns of N) and multipliers u ≥ 0,
stationarity reads θ = y − N u, and the primal solution is z_{j_i} = σ_i u_i, r = θ.

Goldfarb & Idnani (1983) start from a point that is optimal for a subset of the constraints held
as equalities with u ≥ 0, pick a violated constraint p (c = a_pᵀθ − λ > 0) and move

.. math::  \theta \leftarrow \theta - t\,H a_p,\qquad u \leftarrow u - t\,N^{+} a_p,
           \qquad u_p \leftarrow u_p + t,

with H the projector onto the orthogonal complement of the active normals. The full step
t = c/‖Ha_p‖² satisfies p, which joins the active set; a partial step stops where an active
multiplier reaches zero, and that constraint leaves. The dual objective increases at every
non-degenerate step, and the active normals stay linearly independent, so the solution is basic.

With the identity Hessian only the thin QR factors N = QR are needed (the method's n × n matrix J
is [Q, Q⊥]): H a = a − QQᵀa and N⁺a = R⁻¹Qᵀa. An addition costs O(nq) and a deletion O(nq)
Givens rotations for q active columns. Unlike a general QP code, the state is kept between rounds
of the working-set solver, so new violators are added to the previous optimum instead of solving
from scratch each round (which costs O(n³) plus O(n²) per active change).
"""

import time

import numba
import numpy as np
from scipy.linalg.blas import dger

from ..runtime.memory import MemoryLimitError
from ..runtime.threads import matmul, matmul_t

__all__ = ["DualActiveSet", "ActiveSetError"]


_UNIT_ROUNDOFF = np.finfo(np.float64).eps / 2
# the rounds of a solve price a pool: the candidates within _NEAR·λ of violation at the last full
# product, renewed every _REFRESH rounds (smooth d = 3, n = 2000: 60.0 / 62.7 s against 68.8 / 76.0
# s for a full product and a copy of the block every round, 0.3·λ and 8 rounds 61.3 s)
_NEAR = 0.05
_REFRESH = 4
# a batch takes no two violators with |cos| ≥ _COHERENT between them (neighbouring hyperplanes:
# once one joins, the other is rarely still violated, and projecting it was wasted), choosing
# from the _SCAN·batch nearest violators (smooth d = 3, n = 2000: 40,259 → 14,671 columns
# projected, 61.8 → 49.8 s; 0.95 and 0.999 gave the same at n = 1000)
_COHERENT = 0.99
_SCAN = 4


class ActiveSetError(RuntimeError):
    """The active-set iteration did not terminate (cycling on a degenerate problem, or rounding)."""


@numba.njit(cache=True)
def _delete_column(Q, R, q, j, W):
    """Delete column j of N = Q R (q columns) and restore R to upper-triangular form.

    Removing column j leaves R upper Hessenberg from column j on; Givens rotations G_k of rows
    k, k+1 zero the subdiagonal, and Q ← Q G_kᵀ keeps the product. The rotations are applied to
    the rows of W = QᵀA too (A: the candidate normals being added), so afterwards
    W[:q−1] = Q[:, :q−1]ᵀA and W[q−1] holds A's components along Q[:, q−1], the direction that
    left the span (the projections of A are then updated in O(n), not recomputed).
    Row q − 1 of R is left zero.
    """
    n = Q.shape[0]
    # shift the columns after j left, row by row (R is C-ordered: a column-by-column loop took
    # 6.1 of the 7.4 ms of a deletion at q = 1300 in strided reads). Row i is zero left of
    # column i, so its entries left of max(j, i − 1) stay zero. The copy between two slice views
    # of the row vectorizes (0.44 ms at q = 1300, j = 858, against 0.77 ms indexing R[i, col])
    for i in range(q):
        lo = max(j, i - 1)
        if lo < q - 1:
            dst, src = R[i, lo:q - 1], R[i, lo + 1:q]
            for c in range(q - 1 - lo):
                dst[c] = src[c]
        R[i, q - 1] = 0.0
    for k in range(j, q - 1):
        a = R[k, k]
        b = R[k + 1, k]
        h = np.hypot(a, b)
        if h == 0.0:
            continue
        cs = a / h
        sn = b / h
        for col in range(k, q - 1):
            x = R[k, col]
            y = R[k + 1, col]
            R[k, col] = cs * x + sn * y
            R[k + 1, col] = -sn * x + cs * y
        R[k + 1, k] = 0.0
        for c in range(W.shape[1]):
            x = W[k, c]
            W[k, c] = cs * x + sn * W[k + 1, c]
            W[k + 1, c] = -sn * x + cs * W[k + 1, c]
        for i in range(n):
            x = Q[i, k]
            y = Q[i, k + 1]
            Q[i, k] = cs * x + sn * y
            Q[i, k + 1] = -sn * x + cs * y


@numba.njit(cache=True, fastmath=True)
def _products(K, columns, theta):
    """K[:, columns]ᵀθ without copying the columns out of K (a pool of the candidate block).

    Four columns share each read of θ (one column at a time ran at 0.7× BLAS's gemv on a copy,
    four at 1.0×; the copy itself cost 2.5× the product: n = 2000, 5,000 of 12,000 columns).
    """
    m, n = len(columns), K.shape[0]
    out = np.empty(m)
    i = 0
    while i + 4 <= m:
        a, b, c, d = K[:, columns[i]], K[:, columns[i + 1]], K[:, columns[i + 2]], K[:, columns[i + 3]]
        sa = sb = sc = sd = 0.0
        for r in range(n):
            t = theta[r]
            sa += a[r] * t
            sb += b[r] * t
            sc += c[r] * t
            sd += d[r] * t
        out[i], out[i + 1], out[i + 2], out[i + 3] = sa, sb, sc, sd
        i += 4
    for k in range(i, m):
        a = K[:, columns[k]]
        s = 0.0
        for r in range(n):
            s += a[r] * theta[r]
        out[k] = s
    return out


@numba.njit(cache=True, fastmath=True)
def _spread_out(K, order, norms, batch, coherent):
    """The first ``batch`` of the columns ``order`` of K (in that order) whose cosine with every
    column taken before is below ``coherent`` in absolute value (greedy; O(n) per pair compared).

    The products are plain loops: numba types a column of the Fortran-ordered K as
    non-contiguous, and its ``np.dot`` copied both columns on every call (and printed a
    NumbaPerformanceWarning when it compiled); the loop, vectorized, is as fast (0.60 against
    0.65 ms for 256 candidates at n = 2000)."""
    keep = np.empty(min(batch, len(order)), dtype=np.int64)
    taken = 0
    for i in range(len(order)):
        a = K[:, order[i]]
        ok = True
        for k in range(taken):
            j = keep[k]
            b = K[:, order[j]]
            dot = 0.0
            for r in range(a.shape[0]):
                dot += a[r] * b[r]
            if abs(dot) >= coherent * norms[i] * norms[j]:
                ok = False
                break
        if ok:
            keep[taken] = i
            taken += 1
            if taken == len(keep):
                break
    return keep[:taken]


@numba.njit(cache=True)
def _solve_upper(R, q, w):
    """Back substitution R[:q, :q] r = w, reading R in place (a slice copy costs more, O(q²)).

    Each row's dot product is BLAS's ddot on the contiguous row: 0.21 ms at q = 1300, where a
    loop compiled with fastmath took 0.85 ms (and the row-by-row solve is the method's most
    frequent O(q²) step: 25 of 91 s on the smooth d = 3, n = 2000 benchmark).
    """
    r = np.empty(q)
    for i in range(q - 1, -1, -1):
        r[i] = (w[i] - np.dot(R[i, i + 1:q], r[i + 1:q])) / R[i, i]
    return r


@numba.njit(cache=True, fastmath=True)
def _solve_upper_transposed(R, q, b):
    """Forward substitution R[:q, :q]ᵀ x = b by rows of R: x_i = b_i/R_ii, then the rest of b
    loses x_i R[i, i+1:] (an axpy on a contiguous row, which LLVM vectorizes through the slice
    views: 0.19 ms at q = 1300, against 1.9 ms for scipy's solve_triangular on the C-ordered R)."""
    x = b[:q].copy()
    for i in range(q):
        xi = x[i] / R[i, i]
        x[i] = xi
        row, rest = R[i, i + 1:q], x[i + 1:q]
        for j in range(q - i - 1):
            rest[j] -= xi * row[j]
    return x


class DualActiveSet:
    """State of the dual active-set method: active columns, their multipliers and θ.

    Parameters
    ----------
    y : array_like, shape (n,)
        Target (already centered when the model has an intercept; then every column given to
        :meth:`solve` must be centered too, and θ stays centered).
    lam : float
        λ > 0.
    dependence_tol : float
        A new normal a whose distance to the span of the active normals is below
        dependence_tol·‖a‖ is treated as dependent (a pure multiplier step).
    memory_limit : int, optional
        Bytes the factors (the normals and Q, n × capacity each, doubling as the support grows) may take;
        a growth past it raises :class:`~ganet.numeric.oracles.two_layer.MemoryLimitError` before
        allocating.

    Attributes
    ----------
    theta : ndarray, shape (n,)
        Current dual point, equal to the residual y − Kz.
    n_steps : int
        Active-set changes so far (additions and deletions).
    """

    def __init__(self, y, lam, dependence_tol=1e-9, memory_limit=None):
        self.y = np.array(y, dtype=np.float64).ravel()
        if not lam > 0:
            raise ValueError(f"lam must be > 0, got {lam}")
        self.lam = float(lam)
        self.dependence_tol = dependence_tol
        self.memory_limit = memory_limit
        self.theta = self.y.copy()
        self.q = 0
        self.n_steps = 0
        self._A = self._W = self._Z = None  # the batch being added (see _project)
        self._candidates = None  # the candidate block of solve, reused
        self._allocate(min(len(self.y), 64))

    def _allocate(self, capacity):
        n, q = len(self.y), self.q
        need = 8 * (2 * n * capacity + capacity * capacity)
        if self.memory_limit is not None and need > self.memory_limit:
            raise MemoryLimitError(
                f"the active set's factors for {capacity:,} columns at {n:,} points need {need:,} "
                f"bytes, over memory_limit = {self.memory_limit:,}: the support is too large for "
                "this λ (raise λ or memory_limit)")
        old = getattr(self, "Q", None)
        N, Q = np.zeros((n, capacity), order="F"), np.zeros((n, capacity), order="F")
        R = np.zeros((capacity, capacity))
        u, signs = np.zeros(capacity), np.zeros(capacity)
        ids = np.zeros(capacity, dtype=np.int64)
        if old is not None:
            N[:, :q], Q[:, :q], R[:q, :q] = self.normals, self.Q[:, :q], self.R[:q, :q]
            u[:q], signs[:q], ids[:q] = self.u[:q], self.signs[:q], self.ids[:q]
        self._N, self.Q, self.R, self.u, self.signs, self.ids = N, Q, R, u, signs, ids
        # the normals stay where they were appended; _slot[i] is the column of the i-th active one
        # (a deletion then moves q integers, not an n × q block)
        self._slot = np.arange(capacity)
        self._free = q
        if getattr(self, "_W", None) is not None:
            W = np.zeros((capacity, self._W.shape[1]), order="F")
            W[:q] = self._W[:q]
            self._W = W

    @property
    def normals(self):
        """The active normals aᵢ = σᵢk_{jᵢ} as columns, in the order of the factors (N = QR)."""
        return self._N[:, self._slot[: self.q]]

    # ---------------------------------------------------------------- results
    @property
    def columns(self):
        """Ids of the active columns (the support)."""
        return self.ids[: self.q].copy()

    @property
    def coef(self):
        """z on the support: σ_i u_i, with σ_i the sign of the active constraint."""
        return self.signs[: self.q] * self.u[: self.q]

    # ---------------------------------------------------------------- factor updates
    def _project(self, A):
        """Start a batch: the candidate normals A (n × B), W = QᵀA and Z = A − QQᵀA.

        One matrix product for the whole batch reads Q once (a projection per candidate read it
        twice or four times). Classical Gram–Schmidt, with a second pass for the columns whose
        first pass lost more than half of ‖a‖² (Kahan's "twice is enough"). From then on every
        addition and deletion updates W and Z in O(n·B) (:meth:`_append`, :meth:`_delete`).
        """
        Q = self.Q[:, : self.q]
        W = np.zeros((self.Q.shape[1], A.shape[1]), order="F")
        W[: self.q] = matmul_t(Q, A)
        Z = A - matmul(Q, W[: self.q])
        again = 2.0 * np.einsum("ij,ij->j", Z, Z) < np.einsum("ij,ij->j", A, A)
        if again.any():
            W2 = matmul_t(Q, Z[:, again])
            W[: self.q, again] += W2
            Z[:, again] -= matmul(Q, W2)
        self._A, self._W, self._Z = A, W, Z

    def _append(self, b, rho, u_p, ident, sign):
        """Batch column b joins the active set: Q gains z_b/ρ, R the column (w_b, ρ)."""
        if self.q == self.Q.shape[1]:
            self._allocate(min(2 * self.q, len(self.y) + 1))
        elif self._free == self._N.shape[1]:  # no free column left: compact the normals in place
            self._N[:, : self.q] = self.normals
            self._slot[: self.q] = np.arange(self.q)
            self._free = self.q
        q = self.q
        new = self._Z[:, b] / rho
        self._N[:, self._free], self.Q[:, q] = self._A[:, b], new
        self.R[:q, q], self.R[q, q] = self._W[:q, b], rho
        self._slot[q] = self._free
        self._free += 1
        self.u[q], self.signs[q], self.ids[q] = u_p, sign, ident
        self.q += 1
        self.n_steps += 1
        # the batch's components along the new direction (new ⟂ the old Q, so newᵀa = newᵀz)
        along = new @ self._Z
        self._W[q] = along
        # a rank-one update in place (BLAS ger): np.outer's n × B temporary cost 16× more
        self._Z = dger(-1.0, new, along, a=self._Z, overwrite_a=True)

    def _delete(self, j):
        """Remove active constraint j, keeping the batch's W and Z (if any) consistent."""
        q = self.q
        batch = self._W is not None
        W = self._W if batch else np.zeros((q, 1))
        _delete_column(self.Q, self.R, q, j, W)
        for arr in (self.u, self.signs, self.ids, self._slot):
            arr[j:q - 1] = arr[j + 1:q]
        self.q -= 1
        self.n_steps += 1
        if batch:  # the components along the direction that left the span return to Z
            self._Z = dger(1.0, self.Q[:, q - 1], W[q - 1], a=self._Z, overwrite_a=True)
            W[q - 1] = 0.0

    def candidate_block(self, m):
        """The n × (m + q) Fortran-ordered block :meth:`solve` prices: its first m columns may be
        filled with the new columns K in place (then passed as ``solve(block[:, :m], ...)``).

        It is a buffer kept between solves: a fresh n × 10,000 block took 0.2 s per solve in page
        faults at n = 2000 (4 of 50 s in all), where the copy into the buffer takes 0.015 s.
        """
        need = m + self.q
        if self._candidates is None or self._candidates.shape[1] < need:
            self._candidates = np.empty((len(self.y), need), order="F")
        return self._candidates[:, :need]

    # ---------------------------------------------------------------- the method
    def _add(self, b, ident, sign, max_steps):
        """Make the constraint aᵀθ ≤ λ of batch column b hold: Goldfarb–Idnani steps until it
        joins the active set."""
        a = self._A[:, b]
        c = float(a @ self.theta) - self.lam
        norm_a = float(np.linalg.norm(a))
        u_p = 0.0
        for _ in range(max_steps):
            q = self.q
            w, z = self._W[:q, b], self._Z[:, b]
            rho2 = float(z @ z)
            dependent = rho2 <= (self.dependence_tol * norm_a) ** 2
            r = _solve_upper(self.R, q, w)
            u = self.u[:q]
            blocking = r > 0
            t1, j = np.inf, -1
            if blocking.any():
                ratios = np.maximum(u[blocking], 0.0) / r[blocking]
                i = int(np.argmin(ratios))
                t1, j = float(ratios[i]), int(np.flatnonzero(blocking)[i])
            t2 = c / rho2 if not dependent else np.inf
            if t1 == np.inf and t2 == np.inf:
                return  # a is a non-negative combination of active normals: cannot be violated
            t = min(t1, t2)
            if not dependent:
                self.theta -= t * z
                c -= t * rho2
            u -= t * r
            u_p += t
            if t2 <= t1:
                self._append(b, np.sqrt(rho2), u_p, ident, sign)
                return
            self._delete(j)
        raise ActiveSetError("dual active set: no progress after "
                             f"{max_steps} steps on one constraint")

    def _add_batch(self, A, excess, ids, signs, threshold, max_steps):
        """Add the violated columns of A (normals σk_j, violations ``excess`` = σk_jᵀθ − λ at the
        current θ), the largest full step first, each while it is still violated."""
        self._project(np.asfortranarray(A))
        # the largest full step first: c/ρ with ρ = ‖z‖ the part of a outside the active span
        # (steepest edge; 12% fewer additions than c/‖a‖ at n = 2000, d = 3)
        rho = np.sqrt(np.einsum("ij,ij->j", self._Z, self._Z))
        order = np.argsort(-excess / np.maximum(rho, 1e-300), kind="stable")
        self._A, self._W, self._Z = (np.asfortranarray(M[:, order]) for M in (self._A, self._W, self._Z))
        try:
            for b, i in enumerate(order):
                if float(self._A[:, b] @ self.theta) - self.lam > threshold[i]:
                    self._add(b, ids[i], signs[i], max_steps)
        finally:
            self._A = self._W = self._Z = None

    def refine(self):
        """Recompute u and θ exactly from the factors; drop active constraints with u < 0.

        On the active set, Nᵀθ = λ1 and θ = y − Nu give Ru = Qᵀy − R⁻ᵀλ1 and
        θ = y − Q(Qᵀy − R⁻ᵀλ1). This removes the drift of the incremental updates.
        """
        while self.q:
            q = self.q
            R, Q = self.R, self.Q[:, :q]
            h = Q.T @ self.y - _solve_upper_transposed(R, q, np.full(q, self.lam))
            u = _solve_upper(R, q, h)
            if u.min() < 0:  # (rounding, or a new λ): the reduced point stays dual feasible
                self._delete(int(np.argmin(u)))
                continue
            theta = self.y - Q @ h
            # θ is a small difference of vectors of size ‖y‖, and Q is orthogonal only to the
            # rounding its updates left (‖QᵀQ − I‖ ≈ 2e-13 after 1300 columns), which that
            # cancellation amplifies: the active constraints held only to 4e-8·λ on the
            # n = 1600 spirals and the solve cycled there. Correct with the constraint residual
            # e = Nᵀθ − λ1 measured on the normals themselves: θ ← θ − QR⁻ᵀe, u ← u + R⁻¹R⁻ᵀe
            # (corrected seminormal equations; one step, two when the first was large). The
            # products run over every stored normal and pick the active ones (no n × q copy)
            slots = self._slot[:q]
            for _ in range(2):
                e = (self._N[:, :self._free].T @ theta)[slots] - self.lam
                if np.abs(e).max() <= 1e-12 * self.lam:
                    break
                w = _solve_upper_transposed(R, q, e)
                theta -= Q @ w
                u += _solve_upper(R, q, w)
            if u.min() < 0:  # the correction moved a multiplier of rounding size below 0
                self._delete(int(np.argmin(u)))
                continue
            self.u[:q] = u
            self.theta = theta
            return
        self.theta = self.y.copy()

    def set_lam(self, lam):
        """Move to a new λ keeping the active set (for regularization paths)."""
        self.lam = float(lam)
        self.refine()

    def solve(self, K, ids, tol=1e-10, batch=64, max_rounds=10_000, deadline=None):
        r"""Add the columns K (ids ``ids``) and re-optimize over them and the active set.

        Repeats: compute the violations |k_jᵀθ| − λ of every candidate (the given columns and the
        currently active ones, which may leave and become violated again; between two full
        products only those of a pool near violation, see the loop), take the ``batch`` most
        violated ones by distance (|k_jᵀθ| − λ)/‖k_j‖ from θ to their constraint, skipping any
        nearly parallel to one taken before (|cos| ≥ 0.99: it waits for a later batch), add them in order
        of decreasing full step (|k_jᵀθ| − λ)/ρ_j (ρ_j: the part of k_j outside the active span),
        refine, until no violation exceeds tol·λ plus the rounding floor of the
        candidate, 16·u·‖k_j‖·‖y‖ (u the unit roundoff: the error with which θ, a difference of
        vectors of size ‖y‖, and then k_jᵀθ are computed). Below that floor a violation cannot be
        told from rounding, and chasing it made the active set cycle at small λ. Small batches
        re-rank the candidates as θ moves: adding all violators of one ranking took 17,538
        additions and 16,742 deletions for a final support of 796 (Gaussian n = 1000, d = 3,
        10,000 candidates per round); batches of 64 cut that whole solve from 56 s to 48 s.

        Parameters
        ----------
        deadline : float, optional
            ``time.perf_counter()`` value after which the current (consistent) state is kept.

        Returns
        -------
        max_violation : float
            max_j |k_jᵀθ|/λ − 1 over the candidates at exit (≤ tol plus the rounding floor,
            unless the deadline came first).
        """
        q, m = self.q, K.shape[1]
        # the active columns (unsigned) take part as candidates too: they may leave and return
        candidates = self.candidate_block(m)
        if K.ctypes.data != candidates.ctypes.data:  # (K was not written into the block)
            candidates[:, :m] = K
        candidates[:, m:] = self.normals * self.signs[:q]
        K = candidates
        ids = np.concatenate([np.asarray(ids, dtype=np.int64), self.ids[:q]])
        norms = np.maximum(np.sqrt(np.einsum("ij,ij->j", K, K)), 1e-300)  # (np.linalg.norm: 3× slower)
        threshold = tol * self.lam + 16 * _UNIT_ROUNDOFF * norms * float(np.linalg.norm(self.y))
        max_steps = 10 * len(self.y) + 100
        best, stalled = self.distance(), 0

        def max_violation():
            return float(np.abs(K.T @ self.theta).max(initial=0.0)) / self.lam - 1.0

        pool, age = None, 0
        for _ in range(max_rounds):
            # a full product at θ picks the pool: the candidates within _NEAR·λ of violation.
            # The next rounds price the pool only (θ moves little per round), until it has no
            # violator left or _REFRESH rounds passed. Only a full product ends the solve, so the
            # exit condition still covers every candidate
            full = pool is None or age >= _REFRESH
            if full:
                v = K.T @ self.theta
                pool, age = np.flatnonzero(np.abs(v) - self.lam > threshold - _NEAR * self.lam), 0
                v = v[pool]
            else:
                v = _products(K, pool, self.theta)
            age += 1
            excess = np.abs(v) - self.lam
            violated = np.flatnonzero(excess > threshold[pool])
            if deadline is not None and time.perf_counter() > deadline:
                return max_violation()
            if violated.size == 0:
                if full:
                    return max_violation()
                pool = None
                continue
            steps = self.n_steps
            nearest = violated[np.argsort(-excess[violated] / norms[pool[violated]])][:_SCAN * batch]
            chosen = nearest[_spread_out(K, pool[nearest], norms[pool[nearest]], batch, _COHERENT)]
            signs = np.where(v[chosen] > 0, 1.0, -1.0)
            j = pool[chosen]
            self._add_batch(K[:, j] * signs, excess[chosen], ids[j], signs, threshold[j], max_steps)
            if self.n_steps == steps:  # violations at the rounding level only: nothing to do
                if full:
                    return max_violation()
                pool = None
                continue
            self.refine()
            # every step increases ½‖θ − y‖² in exact arithmetic; when rounds stop increasing
            # it, the violations left are rounding amplified by nearly dependent active columns
            # (cosines of 0.999998 measured), which the floor above cannot see
            value = self.distance()
            stalled = stalled + 1 if value <= best * (1 + 1e-13) else 0
            best = max(best, value)
            if stalled >= 5:
                return max_violation()
        raise ActiveSetError(f"dual active set: violations remain after {max_rounds} rounds")

    def distance(self):
        """½‖θ − y‖², the objective of the projection; it increases at every step of the method."""
        r = self.theta - self.y
        return 0.5 * float(r @ r)
