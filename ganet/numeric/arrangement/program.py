r"""The arrangement programs of two-layer ReLU networks (Pilanci & Ergen), solved with a certificate.

For patterns D₁…D_P (0/1 masks over the rows of Z = X or [X, 1]) the **ReLU program** is

.. math::

    \min_{v, w, t}\ \ell\Big(\sum_i D_i Z (v_i - w_i) + t\mathbf 1,\ y\Big)
        + \lambda \sum_i \big(\|\Pi v_i\|_2 + \|\Pi w_i\|_2\big)
    \quad\text{s.t.}\quad (2D_i - I) Z v_i \ge 0,\ (2D_i - I) Z w_i \ge 0,

where Π keeps the penalized coordinates (the weights, not the bias). With all chamber patterns it
equals the network objective ℓ(f(X), y) + (λ/2)Σⱼ(‖uⱼ‖₂² + αⱼ²) (W Theorem 2.1). The
**gated program** drops the cone constraints and w (one free group uᵢ per gate, all of it
penalized: an unpenalized bias would make every gate's indicator column free).

The solver never forms the n × (P·D) matrix: with the masks M (n × P) every product is a GEMM
with Z, e.g. Σᵢ DᵢZvᵢ = rowsum(M ⊙ ZV) and the gradient Zᵀ(M ⊙ r). A working set of groups is
solved by proximal coordinate descent whose block step projects exactly onto the pattern's cone,
or — small ReLU or hinge working sets — by Clarabel (see :func:`solve_arrangement`).

**Certificate.** For the residual dual point θ = −∇ℓ (centred / rebalanced when there is an
intercept) the dual constraint of group i is sup{θᵀDᵢZv : v ∈ Kᵢ, ‖Πv‖ ≤ 1} ≤ λ with the cone
Kᵢ = {v : AᵢZv ≥ 0}, Aᵢ = 2Dᵢ − I. For any μ ≥ 0 with (gᵢ + ZᵀAᵢμ) zero on the unpenalized
coordinates (gᵢ = ZᵀDᵢθ), weak duality bounds it by ‖Π(gᵢ + ZᵀAᵢμ)‖; μ comes from the
projection of gᵢ onto Kᵢ (an NNLS, exact when every coordinate is penalized). The primal point is first projected
exactly onto the cones, so P is the value of a feasible point and

.. math::  \mathrm{gap} = P(v, w, t) - D(\theta / s) \ge P - P^\star_{\text{patterns}},
    \qquad s = \max(1, \max_i \text{bound}_i / \lambda).

The gap is for the given patterns: global when they are all the chambers, else for the sampled
program only.
"""

import time
import warnings

import numba
import numpy as np
from scipy.optimize import brentq, lsq_linear
from sklearn.exceptions import ConvergenceWarning

from ..runtime.notes import warn_user
from ..solvers.datafits import fenchel_gap, make_datafit, restricted
from ..runtime.threads import FastestBlasThreads
from ..runtime.memory import available_bytes
from .splitting import ReLUSplitting, splitting_bytes

__all__ = ["ArrangementProgram", "ArrangementResult", "solve_arrangement"]


class ArrangementProgram:
    """The data of one program: Z (n × D), masks (P × n), which coordinates are penalized,
    gated or ReLU, and whether a free intercept is fitted."""

    def __init__(self, Z, masks, penalized, gated=False, intercept=True):
        self.Z = np.ascontiguousarray(Z, dtype=float)
        self.M = np.ascontiguousarray(masks.T, dtype=float)  # n × P
        self.S = 2.0 * self.M - 1.0  # signs of the cone constraints
        self.penalized = np.asarray(penalized, dtype=bool)
        self.gated = bool(gated)
        self.intercept = bool(intercept)
        # ‖zⱼ‖ and zⱼ² (the rows of every signed cone S_iZ have these norms: a projection's
        # tolerance reads them, and computing them per projection took ~40% of a ReLU solve)
        self.Z2 = self.Z * self.Z
        self.row_norms = np.sqrt(self.Z2.sum(axis=1))
        self.shared = {}  # what the solves of one program share (one-vs-rest: a program per class)

    @property
    def n_groups(self):
        return self.M.shape[1]

    def forward(self, V, W=None):
        """Σᵢ DᵢZvᵢ (− Σᵢ DᵢZwᵢ) without the intercept: one n × P × D product (of V − W, not two),
        as the row sums of Z ⊙ M(V − W)ᵀ (an n × D product) when D ≤ P, else of M ⊙ Z(V − W)
        (n × P): the smaller temporary. At n = 10,000, D = 3072, P = 50 the second takes 65 ms
        against 138 ms; at D = 64, P = 500 (digits) the first, 2.1 ms against 3.2 ms."""
        U = V if W is None else V - W
        if self.Z.shape[1] > self.M.shape[1]:
            return np.einsum("np,np->n", self.M, self.Z @ U)
        return np.einsum("nd,nd->n", self.Z, self.M @ U.T)

    def correlations(self, r, groups):
        """gᵢ = ZᵀDᵢr for the groups ``groups``, as a D × len(groups) matrix."""
        return self.Z.T @ (self.M[:, groups] * r[:, None])

    def penalty(self, V):
        return float(np.linalg.norm(V[self.penalized], axis=0).sum())


class ArrangementResult:
    """Solution (V, W, t), objective, dual_gap, dual point and solver counts."""

    def __init__(self, **fields):
        self.__dict__.update(fields)


def nonnegative_least_squares(A, b, passive=None):
    r"""argmin over μ ≥ 0 of ‖Aμ − b‖: Lawson–Hanson's active-set method (compiled), warm-started
    from the columns ``passive`` (the last projection's active rows), its answer checked by the
    KKT conditions (μ ≥ 0, Aᵀr ≤ ε with r = b − Aμ, (Aᵀr)ⱼ = 0 where μⱼ > 0) and, if they fail,
    recomputed by bounded-variable least squares.

    Not ``scipy.optimize.nnls``: since SciPy 1.12 it can return a point that violates the KKT
    conditions on degenerate problems without a warning (scipy/scipy#25389; seen here on a cone
    whose rows were active to 1e-17 — the "projection" then left the cone by 1.2)."""
    m = A.shape[1]
    if m == 0:
        return np.zeros(0)
    A = np.ascontiguousarray(A, dtype=float)
    b = np.ascontiguousarray(b, dtype=float)
    tol = 1e-14 * (np.linalg.norm(A) * np.linalg.norm(b) + 1e-300)
    P = np.zeros(m, dtype=np.bool_)
    if passive is not None and len(passive):
        P[np.asarray(passive, dtype=np.int64)] = True
    mu = _lawson_hanson(A, b, P, tol)
    grad = A.T @ (b - A @ mu)
    if np.all(mu >= 0) and np.all(grad <= 10 * tol) and np.all(np.abs(grad[mu > 0]) <= 10 * tol):
        return mu
    return lsq_linear(A, b, bounds=(0.0, np.inf), method="bvls", tol=1e-13).x


@numba.njit(cache=True)
def _append_to_factor(L, rows, k, a):
    """Extend L (its k × k corner: the Cholesky factor of the Gram matrix of ``rows[:k]``) by the
    vector a, stored as ``rows[k]``. Returns False, changing nothing, when a is numerically in
    the span of the others (its new pivot would be ≤ 1e-10‖a‖)."""
    v = rows[:k] @ a
    for i in range(k):  # forward substitution L[:k, :k] l = v
        s = v[i]
        for j in range(i):
            s -= L[i, j] * v[j]
        v[i] = s / L[i, i]
    pivot2 = a @ a - v @ v
    if pivot2 <= 1e-20 * (a @ a):
        return False
    L[k, :k] = v
    L[k, k] = np.sqrt(pivot2)
    rows[k] = a
    return True


@numba.njit(cache=True)
def _refactor(A, L, rows, order, k, keep, P, mu):
    """Rebuild L from the columns ``order[:k]`` of A that ``keep`` marks (in that order), leaving
    out the dependent ones; every column left out leaves P with μ = 0. Returns the new k."""
    kept, k = order[:k].copy(), 0
    for j, wanted in zip(kept, keep):
        if wanted and _append_to_factor(L, rows, k, np.ascontiguousarray(A[:, j])):
            order[k] = j
            k += 1
        else:
            mu[j], P[j] = 0.0, False
    return k


@numba.njit(cache=True)
def _solve_factored(L, k, c):
    """(L Lᵀ)⁻¹ c on the k × k corner of L: the normal equations of the least-squares step."""
    z = c.copy()
    for i in range(k):
        s = z[i]
        for j in range(i):
            s -= L[i, j] * z[j]
        z[i] = s / L[i, i]
    for i in range(k - 1, -1, -1):
        s = z[i]
        for j in range(i + 1, k):
            s -= L[j, i] * z[j]
        z[i] = s / L[i, i]
    return z


@numba.njit(cache=True)
def _lawson_hanson(A, b, P, tol):
    """The active-set iterations of :func:`nonnegative_least_squares` (P: the warm start, updated
    to the final passive set).

    The least-squares step on the passive set P solves the normal equations by a Cholesky factor
    that grows by one row when a column enters (O(kD)) and is rebuilt when columns leave: on the
    cone projections of a digits program (D = 64, ~900 candidate rows, ~50 active) this took
    2.4 ms per problem where a fresh SVD least-squares solve per step (``np.linalg.lstsq``) took
    29 ms. Squaring the condition number is safe here because the answer is checked by the KKT
    conditions afterwards, with a bounded-variable least-squares fallback."""
    D, m = A.shape
    most = min(m, D)  # (a basic solution has at most D positive entries)
    L = np.zeros((most + 1, most + 1))
    rows = np.zeros((most + 1, D))  # the passive columns of A, as contiguous rows
    order = np.zeros(most + 1, dtype=np.int64)  # their indices
    mu = np.zeros(m)
    Atb = A.T @ b
    hint = np.flatnonzero(P)
    P[hint[most:]] = False  # (at most D of the warm start's columns, the dependent ones left out)
    k = min(len(hint), most)
    order[:k] = hint[:k]
    k = _refactor(A, L, rows, order, k, np.ones(k, dtype=np.bool_), P, mu)
    while k > 0:  # the least-squares point on the warm start, shrunk until positive
        z = _solve_factored(L, k, Atb[order[:k]])
        if np.all(z > 0):
            mu[order[:k]] = z
            break
        k = _refactor(A, L, rows, order, k, z > 0, P, mu)
    for _ in range(3 * m + 10):
        while k > 0:  # the least-squares step on P, backing off to stay ≥ 0
            z = _solve_factored(L, k, Atb[order[:k]])
            if np.all(z > 0):
                mu[order[:k]] = z
                break
            alpha = np.inf
            for j in range(k):
                if z[j] <= 0:
                    alpha = min(alpha, mu[order[j]] / max(mu[order[j]] - z[j], 1e-300))
            for j in range(k):
                mu[order[j]] += alpha * (z[j] - mu[order[j]])
            limit = 1e-15 * (np.abs(mu).max() + 1e-300)  # the columns that reached 0 leave
            k = _refactor(A, L, rows, order, k, mu[order[:k]] > limit, P, mu)
        grad = A.T @ (b - A @ mu)
        best, enter = tol, -1
        for j in range(m):
            if not P[j] and grad[j] > best:
                best, enter = grad[j], j
        if enter < 0 or k >= most or not _append_to_factor(L, rows, k, np.ascontiguousarray(A[:, enter])):
            break
        order[k] = enter
        P[enter] = True
        k += 1
    return mu


def cone_multipliers(Zs, a, omega=None, rows=(), row_norms=None):
    r"""μ ≥ 0 minimizing ‖Ω(a + Zs_Rᵀμ)‖ over the rows R of the cone K = {v : Zs v ≥ 0}, with R
    grown until the point p = Ω²(a + Zs_Rᵀμ) violates no other row.

    With Ω = I, p = Π_K(a) (Moreau: a = Π_K(a) + Π_{K°}(a), K° = {−Zsᵀμ : μ ≥ 0}) and ‖p‖ is the
    support value sup{aᵀv : v ∈ K, ‖v‖ ≤ 1}. A large weight on a coordinate (the bias) makes the
    same μ nearly optimal for the support value over ‖Πv‖ ≤ 1 with that coordinate free.
    Returns (p, rows, μ) with μ > 0 on ``rows``. ``row_norms``: ‖Zs rows‖ when known.
    """
    w2 = np.ones_like(a) if omega is None else np.asarray(omega, dtype=float) ** 2
    scale = np.linalg.norm(Zs, axis=1) if row_norms is None else row_norms
    hint = np.asarray(rows, dtype=int)
    slack = Zs @ (w2 * a) / np.maximum(scale, 1e-300)  # (a zero row of Zs is never violated)
    R = np.flatnonzero(slack < 0)
    if R.size > Zs.shape[1]:  # the most violated rows first: the loop below adds any others the
        # projection still violates (on digits ~900 rows are violated and ~50 end up active)
        R = R[np.argpartition(slack[R], Zs.shape[1])[:Zs.shape[1]]]
    R = np.union1d(hint, R)
    if not R.size:
        return w2 * a, R, np.zeros(0)
    w = np.sqrt(w2)
    for _ in range(100):
        A = Zs[R]
        mu = nonnegative_least_squares(w[:, None] * A.T, -w * a, np.searchsorted(R, hint))
        p = w2 * (a + A.T @ mu)
        new = np.setdiff1d(np.flatnonzero(Zs @ p < -1e-12 * scale * np.linalg.norm(p)), R)
        if not new.size:
            break
        hint = R[mu > 0]
        R = np.union1d(R, new)
    keep = mu > 0
    return p, R[keep], mu[keep]


def project_onto_cone(Zs, a, rows=(), row_norms=None):
    """Π_K(a) for K = {v : Zs v ≥ 0}, with its active rows and multipliers."""
    return cone_multipliers(Zs, a, None, rows, row_norms)


def _spectral2(A):
    """‖A‖₂² (a step size's denominator: it must never be too small): exactly from the D × D
    Gram matrix when D ≤ 500, else by Lanczos on AᵀA to a relative 1e-4 with a 0.1% margin,
    never above the Frobenius bound ‖A‖_F² (which alone made the steps ~1000× too short at
    D = 3073). Lanczos to 1e-10 took 121 products with AᵀA, 1e-4 takes 61 (a 5000 × 3072 block:
    0.99 s against 0.48 s), and the margin covers the looser value ten times over. (The Frobenius
    norm as np.sum(A * A) took 0.36 s there, in an n × D temporary: a fifth of the gated
    d = 3072 program's block set-up.)"""
    if not A.size:
        return 0.0
    if A.shape[1] <= 500:
        return float(np.linalg.eigvalsh(A.T @ A)[-1])
    from scipy.sparse.linalg import LinearOperator, eigsh

    gram = LinearOperator((A.shape[1],) * 2, matvec=lambda v: A.T @ (A @ v), dtype=float)
    top = float(eigsh(gram, k=1, which="LA", tol=1e-4, return_eigenvectors=False)[0])
    return min(1.001 * top, float(np.einsum("ij,ij->", A, A)))


class _Group:
    """One block of the coordinate descent: a pattern's rows, its step size, its signed rows for
    the cone, and the last active rows of its projection (a warm start)."""

    def __init__(self, program, i, datafit):
        self.i = i
        self.rows = np.flatnonzero(program.M[:, i])
        self.fit = restricted(datafit, self.rows)  # (the rows' sample weights)
        self.Zr = program.Z[self.rows]
        # ℓ'' ≤ curvature (with weights: times the largest) bounds the block's Lipschitz constant
        self.L = max(getattr(datafit, "curvature", 1.0) * _spectral2(self.Zr), 1e-300)
        self.Zs = None if program.gated else program.S[:, i, None] * program.Z
        self.active = {1: np.zeros(0, dtype=int), -1: np.zeros(0, dtype=int)}


def _shrink(p, penalized, threshold):
    """max(0, 1 − threshold/‖Πp‖)·p: the group soft-threshold."""
    norm = float(np.linalg.norm(p[penalized]))
    return p * max(0.0, 1.0 - threshold / norm) if norm > 0 else p * 0.0


def _cone_prox(Zs, a, penalized, c, rows, Z2=None):
    r"""argmin_{v ∈ K} ½‖v − a‖² + c‖Πv‖ for the block's cone K = {v : Zs v ≥ 0}, warm-started
    from the active ``rows`` of the block's last projection onto K; returns (v, the active rows
    of this step's projection Π_K(a)).

    All coordinates penalized: shrink(Π_K(a)) (the norm and the cone are both positively
    homogeneous). With a free bias coordinate, the optimum is v(s) = argmin_{v∈K} ½vᵀΩ_s v − aᵀv,
    Ω_s = diag(1 + c/s on Π, 1 on the bias), at the root of ‖Πv(s)‖ = s (Brent's method);
    v = 0 when the support value of a over K ∩ {‖Πv‖ ≤ 1} is ≤ c. ``Z2``: the squared entries
    of Zs, when known (the row norms of every rescaled cone follow by one product).
    """
    Z2 = Zs * Zs if Z2 is None else Z2
    norms = lambda w: np.sqrt(Z2 @ (w * w))  # noqa: E731  (‖rows of Zs·diag(w)‖)
    row_norms = norms(np.ones_like(a))
    p, rows, _ = project_onto_cone(Zs, a, rows, row_norms)
    if penalized.all():
        return _shrink(p, penalized, c), rows
    hi = float(np.linalg.norm(p[penalized]))
    if hi <= 1e-13 * float(np.linalg.norm(a)):
        # only the bias moves: Πp is zero, or rounding of a point in the cone's polar (breast
        # cancer, standardized: ‖Πp‖ = 8e-20 at ‖a‖ = 2e-4, where the sign of ‖Πv(s)‖ − s at the
        # bracket's ends changed between evaluations and Brent's method refused it)
        return p, rows
    omega = np.where(penalized, 1.0, _BIAS_WEIGHT)
    _, support, mu = cone_multipliers(Zs, a, omega, row_norms=row_norms)
    h = a + Zs[support].T @ mu
    if float(np.linalg.norm(h[penalized])) <= c and abs(h[~penalized][0]) <= 1e-12 * (np.abs(a).sum() + 1):
        return np.zeros_like(a), rows
    hint = {"rows": rows}

    def v_of(s):  # warm-started from the last active rows: the root search moves them little
        w = np.where(penalized, 1.0 + c / s, 1.0) ** -0.5
        y, hint["rows"], _ = project_onto_cone(Zs * w, w * a, hint["rows"], norms(w))
        return w * y

    excess = lambda s: float(np.linalg.norm(v_of(s)[penalized])) - s  # noqa: E731  (decreasing in s)
    lo = 1e-12 * hi
    ends = {lo: excess(lo)}
    if ends[lo] > 0.0:  # ‖Πv(s)‖ − s changes sign on [lo, hi]: Brent's method needs a handful
        # of projections where bisection took 40
        ends[hi] = excess(hi)
        if ends[hi] >= 0.0:  # (c ≈ 0: v(hi) ≈ Π_K(a), and rounding put the root at hi itself;
            return v_of(hi), rows  # Brent's method refused the bracket — breast cancer, init=)
        # Brent's method is given the ends' values as they were evaluated here: a warm-started
        # projection may round them to the other sign when evaluated again
        lo = brentq(lambda s: ends[s] if s in ends else excess(s), lo, hi, xtol=1e-13 * hi, rtol=1e-12)
    return v_of(lo), rows


def _sweep(program, groups, V, W, q, y, lam, datafit, deadline=None):
    """One pass of proximal coordinate descent over ``groups`` (cut short at ``deadline``); q
    (the scores) is kept current. The loss gradient on a block's rows is ∇ℓ(q) = −θ(q), the
    datafit's dual point."""
    pen = program.penalized
    for g in groups:
        if deadline is not None and time.perf_counter() > deadline:
            return
        for sign, U in ((1, V), (-1, W)):
            if U is None:
                continue
            u = U[:, g.i]
            a = u + sign * (g.Zr.T @ g.fit.dual_point(q[g.rows], y[g.rows])) / g.L
            if g.Zs is None:
                new = _shrink(a, pen, lam / g.L)
            else:
                new, g.active[sign] = _cone_prox(g.Zs, a, pen, lam / g.L, g.active[sign], program.Z2)
            delta = new - u
            if np.any(delta):
                U[:, g.i] = new
                q[g.rows] += sign * (g.Zr @ delta)


def group_bounds(program, theta, groups=None, deadline=None, threshold=0.0, hints=None, cone_mu=None,
                 largest_only=False):
    """For each group, an upper bound of the dual constraint's left side at θ: ‖ZᵀDᵢθ‖ (gated) or
    max over both signs of sup{±θᵀDᵢZv : v ∈ Kᵢ, ‖Πv‖ ≤ 1} (ReLU).

    Any multipliers μ ≥ 0 give a valid ReLU bound (see the module docstring). Every group first
    gets the one at μ = 0 — all at once, a GEMM (with the unpenalized coordinate balanced, see
    :func:`_cone_bounds`) — then the groups whose bound exceeds ``threshold`` are tightened,
    largest first, by the multipliers of their cone projection (one NNLS each), until ``deadline``
    (a ``time.perf_counter`` value). A group not reached keeps its looser, still valid, bound: a
    certificate cut short is weaker, never wrong. At the first dual point every group of a
    sampled digits program exceeds λ, and the projections took 63 s; the μ = 0 bounds, 0.06 s.
    ``hints`` (a dict, read and updated) keeps each (group, sign)'s last active rows: the next
    projection starts from them. ``cone_mu`` (μ for v, μ for w; each n × P, ≥ 0), when given,
    are further multipliers — an ADMM iterate's (:mod:`.splitting`) — and each group keeps the
    smaller of the two bounds before any projection. ``largest_only``: stop tightening at the
    first group whose bound is at most the largest tightened one, so that only the maximum is
    exact (λ_max, the largest bound at the centred target: 0.05 s instead of 1.0 s on breast
    cancer with 500 gates; on digits, whose μ = 0 bounds are 3× the tight ones, 6.6 s against
    7.0). Returns (bounds, whether every group above ``threshold`` was tightened)."""
    idx = np.arange(program.n_groups) if groups is None else np.asarray(groups, dtype=int)
    G = program.correlations(theta, idx)
    if program.gated:
        return np.linalg.norm(G, axis=0), True
    sub = _Subprogram(program, idx)
    zero = np.zeros((len(program.Z), len(idx)))
    signed = [_cone_bounds(sub, sign * G, zero) for sign in (1.0, -1.0)]
    if cone_mu is not None:
        signed = [np.minimum(b, _cone_bounds(sub, sign * G, mu[:, idx]))
                  for b, sign, mu in zip(signed, (1.0, -1.0), cone_mu)]
    bounds = np.maximum(*signed)
    omega = np.where(program.penalized, 1.0, _BIAS_WEIGHT)
    hints, tightened = ({} if hints is None else hints), -np.inf
    for k in np.argsort(-bounds, kind="stable"):
        if bounds[k] <= threshold or (largest_only and bounds[k] <= tightened):
            break
        if deadline is not None and time.perf_counter() > deadline:
            return bounds, False
        one = _Subprogram(program, idx[k:k + 1])
        Zs = one.S * program.Z
        for side, sign in enumerate((1.0, -1.0)):
            g = sign * G[:, k]
            if not (Zs @ (omega ** 2 * g) < 0).any():
                continue  # the weighted point is in the cone: μ = 0 is already the projection's
            _, rows, mu = cone_multipliers(Zs, g, omega, hints.get((int(idx[k]), sign), ()), program.row_norms)
            hints[int(idx[k]), sign] = rows
            Mu = np.zeros((len(program.Z), 1))
            Mu[rows, 0] = mu
            signed[side][k] = min(signed[side][k], float(_cone_bounds(one, g[:, None], Mu)[0]))
        bounds[k] = max(signed[0][k], signed[1][k])
        tightened = max(tightened, bounds[k])
    return bounds, True


class _Subprogram:
    """The columns ``idx`` of a program's signs (what the bound computations read)."""

    def __init__(self, program, idx):
        self.Z, self.penalized = program.Z, program.penalized
        self.S = program.S[:, idx]


def _conic_subproblem(program, ws, y, lam, datafit, seconds=None):
    """The program restricted to the groups ``ws``, solved by Clarabel (second order, exact cone
    constraints, any bias convention) within ``seconds``. Returns (V_ws, W_ws, t, the multipliers
    of the datafit's constraints — the hinge's — or None), or None when the solver fails or runs
    out of time (the caller then sweeps instead)."""
    import cvxpy as cp

    started = time.perf_counter()
    Z, M, S = program.Z, program.M[:, ws], program.S[:, ws]
    D, k = Z.shape[1], len(ws)
    V = cp.Variable((D, k))
    W = None if program.gated else cp.Variable((D, k))
    t = cp.Variable() if program.intercept else 0.0
    F = cp.sum(cp.multiply(M, Z @ V), axis=1) + t
    penalty = cp.sum(cp.norm(V[program.penalized, :], 2, axis=0))
    constraints = []
    if W is not None:
        F = F - cp.sum(cp.multiply(M, Z @ W), axis=1)
        penalty = penalty + cp.sum(cp.norm(W[program.penalized, :], 2, axis=0))
        constraints = [cp.multiply(S, Z @ V) >= 0, cp.multiply(S, Z @ W) >= 0]
    terms, own = datafit.conic(F, y)
    problem = cp.Problem(cp.Minimize(cp.sum(terms) + lam * penalty), constraints + own)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            # compiled first, so that Clarabel's time limit is what is left after cvxpy's own
            # work: given the whole budget, breast cancer (20 groups) overran 10 s by 1.4–3 s
            options = dict(_CLARABEL_SETTINGS)
            data, chain, inverse = problem.get_problem_data("CLARABEL", solver_opts=options)
            if seconds is not None:
                left = seconds - (time.perf_counter() - started)
                if left <= 0.0:
                    return None
                options["time_limit"] = max(0.9 * left, 0.01)  # (it stops at an iteration's end)
            problem.unpack_results(chain.solve_via_data(problem, data, solver_opts=options), chain, inverse)
        except cp.error.SolverError:
            return None
    if V.value is None:
        return None
    return (V.value, None if W is None else W.value, float(t.value) if program.intercept else 0.0,
            np.asarray(own[0].dual_value, dtype=float) if own else None)


def _anderson(history):
    """Anderson extrapolation of the last iterates (as skglm accelerates coordinate descent):
    the affine combination Σcₖxₖ (Σcₖ = 1) with the smallest combined step."""
    X = np.array(history)
    U = np.diff(X, axis=0)
    try:
        c = np.linalg.solve(U @ U.T + 1e-12 * np.eye(len(U)) * np.trace(U @ U.T), np.ones(len(U)))
    except np.linalg.LinAlgError:
        return None
    c /= c.sum()
    return c @ X[1:]


_BIAS_WEIGHT = 1e4  # Ω on the unpenalized coordinate when pricing (see cone_multipliers)
# Clarabel to well below its default 1e-8 (the certificate is what decides; a tighter interior
# point solution saves the slow polish when a free bias rules the coordinate descent out)
_CLARABEL_SETTINGS = dict(tol_gap_abs=1e-12, tol_gap_rel=1e-12, tol_feas=1e-12, tol_ktratio=1e-10)
_CONIC_LIMIT = 800_000  # n·D·(groups in the working set) up to which Clarabel solves it (at 400,000
# diabetes with 200 sampled patterns fell to coordinate descent at 80 groups: 47.6 s, now 25.9 s)
_GATED_CRAWL = 500  # gated sweeps on a small working set before Clarabel takes over


def solve_arrangement(program, y, lam, loss="squared", tol=1e-6, max_iter=20_000,
                      max_seconds=None, verbose=False, sample_weight=None, huber_delta=1.0, warm_start=None):
    """Solve the gated or ReLU arrangement program and certify it.

    A working-set method: the groups of a working set (the nonzero ones and the worst violators
    of the dual constraint) are solved — ReLU (cone-constrained) and hinge working sets by
    Clarabel while n·D·|set| ≤ 8·10⁵ (exact cones, any loss), else by proximal coordinate
    descent with Anderson acceleration (each block step a gradient step on its rows, the exact
    projection onto its cone, the group soft-threshold) — then every group is priced at the new
    dual point and the working set grows. A large ReLU program (n·D·2P above that limit,
    n ≤ 6000; any loss) is solved by ADMM over every group instead (:mod:`.splitting`),
    certified at each check; once its support fits one interior-point solve and its gap stops
    halving, or after ``max_iter // 2`` iterations (the hinge: if its support fits), the
    working-set method finishes from its point.

    Parameters
    ----------
    program : ArrangementProgram
    y : ndarray (n,)
        Targets (labels ±1 for ``loss="logistic"`` or ``"hinge"``).
    lam : float
        λ > 0.
    loss : {"squared", "logistic", "hinge", "huber"}
        The hinge needs an interior-point solve of each working set (n·D·|working set| ≤ 8·10⁵,
        ·2 for ReLU), or, for a large ReLU program, the ADMM.
    tol : float
        Stop when the certified gap ≤ tol · objective.
    max_iter : int
        Total coordinate-descent sweeps (conic subproblems and ADMM iterations count one each).
    max_seconds : float or None
        Time budget; the best certified point so far is returned with ``converged = False``.
    sample_weight : ndarray (n,), optional
        Weights cᵢ ≥ 0 of the loss terms, Σ cᵢℓ(fᵢ, yᵢ) (certified by the weighted Fenchel dual).
    huber_delta : float
        δ of ``loss="huber"``.
    warm_start : ArrangementResult, optional
        The result of an earlier solve of this program with the same targets, loss and weights at
        another λ (a path, largest λ first): the solve starts from its point, and ADMM goes on
        from its whole state (iterate, multipliers, penalties) with the new λ. On breast cancer
        (logistic, 100 gates, 2 s per λ) the fourth and fifth λ of a path certified relative
        gaps of 0.099 and 0.21, against 0.42 and 0.68 from zero.

    Returns
    -------
    ArrangementResult with V, W (None for gated), t, objective, dual_gap, converged, n_iter,
    working_set_size, seconds, theta and stopped ("converged", "max_iter", "max_seconds" or
    "rounding"). When the budget ends a certificate check part-way, the gap is infinite.
    """
    datafit = make_datafit(loss, huber_delta, sample_weight)  # (refuses an unknown loss)
    start = time.perf_counter()
    n, D, P = len(program.Z), program.Z.shape[1], program.n_groups
    y = np.asarray(y, dtype=float)
    problem = (program, y.copy(), loss, float(huber_delta),
               None if sample_weight is None else np.array(sample_weight, dtype=float))
    if warm_start is not None and not _same_problem(warm_start.problem, problem):
        raise ValueError("warm_start is the result of another problem (program, targets, loss or weights)")
    V = np.zeros((D, P)) if warm_start is None else warm_start.V.copy()
    W = None if program.gated else np.zeros((D, P)) if warm_start is None else warm_start.W.copy()
    t = (0.0 if not program.intercept else warm_start.t if warm_start is not None else
         _best_intercept(datafit, np.zeros(n), y, 0.0))
    # (hints: each projection's and bound's last active rows, the next one's warm start; a warm
    # start's carry over: breast cancer, 0.27 s per λ, zeroed most columns of its first check
    # without them, and returned points worse than the last λ's)
    groups, multipliers, polished = {}, None, False
    hints = {} if warm_start is None else warm_start.hints
    crawled = False  # the gated coordinate descent crawled on a small working set: solve it by Clarabel
    tighten_seconds = 1.0  # each check tightens bounds this long: the last solve's time, doubled
    # while checks are cut short without a violator left to add
    best, sweeps, size, ws = None, 0, min(P, 10), np.zeros(0, dtype=int)
    elapsed = lambda: time.perf_counter() - start  # noqa: E731
    deadline = None if max_seconds is None else start + max_seconds

    stopped, splitting = None, None
    if _splits(program, n * D * 2 * P):
        best, stopped, sweeps, tighten_seconds, splitting = _solve_by_splitting(
            program, datafit, y, lam, tol, max_iter, deadline, verbose, start, hints, warm_start)
        if stopped == "stalled":  # the working-set method finishes from the splitting's point
            V, W, t, stopped = best.V.copy(), best.W.copy(), best.t, None

    def blocks(ws):
        """The coordinate-descent blocks of ``ws``, each built once (its step size and signed
        rows cost a Gram matrix and an n × D copy)."""
        for i in ws:
            if i not in groups:
                groups[i] = _Group(program, i, datafit)
        return [groups[i] for i in ws]

    while stopped in (None, "rounding"):  # the working-set method, unless the splitting ended it
        tighten = time.perf_counter() + tighten_seconds
        res = _check(program, datafit, y, lam, V, W, t, multipliers=multipliers,
                     deadline=tighten if deadline is None else min(deadline, tighten), hints=hints)
        if best is None or (res.dual_gap, res.objective) < (best.dual_gap, best.objective):
            best = res  # (without a certificate, gap inf, the lower objective)
        if verbose:
            print(f"  sweeps {sweeps:6d}  working set {len(ws):5d}  objective {res.objective:.10g}"
                  f"  gap {res.dual_gap:.3g}  {elapsed():.1f} s")
        done = res.dual_gap <= tol * max(res.objective, 1e-300)
        stopped = ("converged" if done else "max_iter" if sweeps >= max_iter else
                   "max_seconds" if max_seconds is not None and elapsed() > max_seconds else None)
        if stopped:
            break
        stopped = "rounding"  # (the working set stops changing: see the breaks below)
        V, W, t = res.V, res.W, res.t  # the projected point
        nonzero = _nonzero_groups(V, W)
        order = np.argsort(-res.bounds)
        violators = order[res.bounds[order] > lam * (1 + 1e-12)]
        size = min(P, max(2 * size, len(nonzero) + 10))
        if not datafit.smooth:  # (the hinge has no solver but the interior point: stay within it)
            size = min(size, _CONIC_LIMIT // (n * D * (1 if program.gated else 2)))
        extra = violators[~np.isin(violators, nonzero)][: max(size - len(nonzero), 1)]
        grown = np.union1d(nonzero, extra)
        # gated blocks are plain group soft-thresholds: coordinate descent beats an interior point
        # there (15–30× on breast cancer and diabetes); the hinge loss needs the conic solver
        conic = ((not datafit.smooth or not program.gated or crawled)
                 and n * D * len(grown) * (1 if program.gated else 2) <= _CONIC_LIMIT)
        if conic and np.array_equal(grown, ws) and not res.tightened:
            tighten_seconds *= 2  # nothing to add, but the bounds are loose: tighten them longer
            continue
        if conic and np.array_equal(grown, ws):
            if polished or not datafit.smooth or not program.penalized.all():
                break  # (a free bias makes each block step a root search: too slow to polish)
            # nothing joins: refine the conic solution by coordinate descent (the sweeps take the
            # gap below the interior point's accuracy)
            polished = True
            V, W, t, done_sweeps = _descend(program, datafit, blocks(ws), ws, V, W, t, y, lam,
                                            0.5 * tol * res.objective, max_iter - sweeps, deadline)
            sweeps += done_sweeps
            continue
        ws = grown
        solved, solve_start = None, time.perf_counter()
        if conic:
            solved = _conic_subproblem(program, ws, y, lam, datafit,
                                       None if max_seconds is None else max_seconds - elapsed())
            sweeps += 1
        if solved is not None:
            V[:, ws], t, multipliers = solved[0], solved[2], solved[3]
            if W is not None:
                W[:, ws] = solved[1]
            tighten_seconds = max(tighten_seconds, time.perf_counter() - solve_start)
            continue
        if not datafit.smooth:  # (coordinate descent needs a smooth loss)
            size = n * D * len(ws) * (1 if program.gated else 2)
            if conic:  # small enough, but the interior point failed on it
                raise ValueError("the hinge program's working set could not be solved (Clarabel "
                                 "reported numerical trouble); use loss='logistic', or rescale X")
            raise ValueError(f"the hinge loss needs n·D·(groups in the working set)"
                             f"{'' if program.gated else '·2'} ≤ {_CONIC_LIMIT:,} (here {size:,}); "
                             "use loss='logistic' at this size")
        # on degenerate data (a centred grid: many nearly equal blocks) gated coordinate descent
        # crawls — 20,000 sweeps ended 2.5e-4 above the optimum; a small working set that does
        # not reach its target in _GATED_CRAWL sweeps is solved by Clarabel from then on
        watch = program.gated and not crawled and n * D * len(ws) <= _CONIC_LIMIT
        cap = min(max_iter - sweeps, _GATED_CRAWL) if watch else max_iter - sweeps
        V, W, t, done_sweeps = _descend(program, datafit, blocks(ws), ws, V, W, t, y, lam,
                                        0.3 * res.dual_gap, cap, deadline)
        sweeps += done_sweeps
        if watch and done_sweeps == _GATED_CRAWL:
            crawled, ws = True, np.zeros(0, dtype=int)  # (an empty set: the next round re-solves)
        tighten_seconds = max(tighten_seconds, time.perf_counter() - solve_start)
    if datafit.smooth:  # (the hinge certificate needs the LP's multipliers of the unpruned point)
        stop = time.perf_counter() + tighten_seconds
        best = _pruned(program, datafit, y, lam, best, tol, stop if deadline is None else min(deadline, stop), hints)
    best.n_iter = sweeps
    best.stopped = stopped
    best.problem, best.splitting, best.hints = problem, splitting, hints  # (a warm start's)
    best.working_set_size = len(ws)
    best.converged = bool(best.dual_gap <= tol * max(best.objective, 1e-300))
    best.seconds = elapsed()
    if not best.converged:
        warn_user(f"arrangement program: relative gap {best.dual_gap / max(best.objective, 1e-300):.2g}"
                  f" > tol = {tol:g} after {sweeps} sweeps", ConvergenceWarning)
    return best


_SPLIT_MAX_N = 6000  # the splitting's n × n Woodbury factor: 288 MB here
_SPLIT_STALL = 4  # checks without halving the gap, after which the working set may take over
_SPLIT_CHECK_MAX = 5.0  # seconds of ADMM iterations at most between two checks (progress lines)


def _splits(program, size):
    """Whether ADMM (:mod:`.splitting`) solves the program: a ReLU program (any loss: each has
    its proximal map) too large for one interior-point solve (n·D·2P > ``_CONIC_LIMIT``), with
    n small enough for its n × n factor and its arrays within half the memory available. On
    digits (500 gates) the working-set method's coordinate descent, a cone projection per block
    step, certified a relative gap of 0.86 after 30 s (squared loss)."""
    n, P = len(program.Z), program.n_groups
    return (not program.gated and size > _CONIC_LIMIT and n <= _SPLIT_MAX_N
            and splitting_bytes(n, P) <= available_bytes() // 2)


def _stalled(gaps):
    """Whether the splitting's gap stalls: the best gap of the last ``_SPLIT_STALL`` checks is
    not half the best before them."""
    return len(gaps) > _SPLIT_STALL and min(gaps[-_SPLIT_STALL:]) > 0.5 * min(gaps[:-_SPLIT_STALL])


def _support_fits(program, res):
    """Whether the support of ``res`` fits one interior-point solve, so that the working-set
    method can finish from it (on breast cancer, 500 gates, coordinate descent on a support of
    ~170 groups did worse in 30 s than ADMM continued: relative gap 0.058 against 0.015)."""
    n, D = program.Z.shape
    return n * D * 2 * len(_nonzero_groups(res.V, res.W)) <= _CONIC_LIMIT


def _nonzero_groups(V, W):
    """The groups with a nonzero v (or w)."""
    return np.flatnonzero(np.any(V != 0, axis=0) | (np.any(W != 0, axis=0) if W is not None else False))


def _same_problem(a, b):
    """Whether two solves' (program, targets, loss, δ, weights) are the same problem."""
    return (a[0] is b[0] and np.array_equal(a[1], b[1]) and a[2:4] == b[2:4]
            and (a[4] is None) == (b[4] is None) and (a[4] is None or np.array_equal(a[4], b[4])))


def _solve_by_splitting(program, datafit, y, lam, tol, max_iter, deadline, verbose, start, hints, warm_start=None):
    """ADMM iterations between certificate checks; each check projects the iterate onto the
    cones and prices every group with the iterate's cone multipliers (and by projections of the
    worst groups, for a quarter of the time since the last check). The iterations between
    checks take 4× the last check's time (0.5 to 5 s), so checks cost about 20%. A warm start
    (the result of the same problem at another λ) goes on from its splitting's state, and a
    check's columns not projected in time take its point's (feasible) columns; ``hints`` (see
    :func:`_check`) are read and updated. Returns (best result, why it stopped, iterations, the
    last tightening time, the splitting)."""
    splitting = None if warm_start is None else warm_start.splitting
    fallback = (None, None) if warm_start is None else (warm_start.V, warm_start.W)
    if splitting is None:
        splitting = ReLUSplitting(program, y, lam, datafit)
    splitting.lam = float(lam)
    threads, first = FastestBlasThreads(), splitting.iterations
    best, check_seconds, stopped, gaps = None, 0.1, None, []
    # the working-set method finishes from the splitting's point once the gap stalls and the
    # support fits one interior-point solve, or after half the iterations (the other half is its
    # own): a smooth loss always, the hinge if its support fits (its working sets have no other
    # solver; else its ADMM goes on to max_iter). (The hinge once handed over only on a stall:
    # how many checks came before max_iter, so whether the stall was seen, then depended on the
    # machine's speed, and a fast one left no sweep to finish.)
    half = first + max_iter // 2  # (iteration counts of this λ: a warm splitting has done ``first``)
    limit = half if datafit.smooth else first + max_iter
    # the check at the deadline may project past it by a tenth of the budget: enough for a late
    # iterate (digits, 60 s: the last check took 0.3 s), not for a first one under a short budget
    # (digits, 10 one-vs-rest classes with 0.1 s each: 1 s of projections per class)
    project_until = None if deadline is None else deadline + 0.1 * (deadline - start)
    while stopped is None:
        seconds = min(max(4.0 * check_seconds, 0.5), _SPLIT_CHECK_MAX)
        if deadline is not None:
            seconds = min(seconds, deadline - time.perf_counter())
        milestone = half if splitting.iterations < half else limit  # (a check at half the iterations)
        threads.run(splitting.step, seconds, max(milestone - splitting.iterations, 1))
        checked = time.perf_counter()
        tighten = checked + max(0.25 * seconds, 0.05)
        res = _check(program, datafit, y, lam, *splitting.point(), splitting.t, hints=hints,
                     deadline=tighten if deadline is None else min(deadline, tighten),
                     multipliers=splitting.loss_multipliers(), cone_mu=splitting.cone_multipliers(),
                     unprojected_dual=True, project_until=project_until, fallback=fallback)
        check_seconds = time.perf_counter() - checked
        if best is None or (res.dual_gap, res.objective) < (best.dual_gap, best.objective):
            best = res
        if verbose:
            print(f"  ADMM iterations {splitting.iterations:6d}  ρ {splitting.rho:.3g}, {splitting.rho2:.3g}, {splitting.rho3:.3g}  BLAS threads "
                  f"{threads.threads}  objective {res.objective:.10g}  gap {res.dual_gap:.3g}  {time.perf_counter() - start:.1f} s")
        gaps.append(res.dual_gap)
        stopped = ("converged" if res.dual_gap <= tol * max(res.objective, 1e-300) else
                   "max_seconds" if deadline is not None and time.perf_counter() > deadline else
                   "stalled" if (datafit.smooth and splitting.iterations >= half) or (
                       (_stalled(gaps) or splitting.iterations >= half) and _support_fits(program, res)) else
                   "max_iter" if splitting.iterations >= limit else None)
    return best, stopped, splitting.iterations - first, max(check_seconds, 0.05), splitting


def _pruned(program, datafit, y, lam, best, tol, deadline=None, hints=None):
    """``best`` without the groups whose penalized weights are below 1e-9 of the largest — an
    interior-point solution is not exactly sparse, and those "neurons" (α ≈ 1e-6 on diabetes)
    are its rounding — when the pruned point, re-certified, keeps a gap within tol (or no worse
    than before); otherwise ``best`` itself. (Its bounds are tightened until ``deadline``, like a
    check's: past it the pruned point's looser gap is rejected, not trusted.)"""
    norms = [np.linalg.norm(U[program.penalized], axis=0) for U in (best.V, best.W) if U is not None]
    top = max(float(n.max(initial=0.0)) for n in norms)
    if top == 0.0 or not any(np.any((n > 0) & (n <= 1e-9 * top)) for n in norms):
        return best
    cut = [np.where(n <= 1e-9 * top, 0.0, 1.0) for n in norms]
    V = best.V * cut[0]
    W = None if best.W is None else best.W * cut[1]
    trial = _check(program, datafit, y, lam, V, W, best.t, deadline=deadline, hints=hints)
    keeps = trial.dual_gap <= max(best.dual_gap, tol * max(trial.objective, 1e-300))
    return trial if keeps else best


def _descend(program, datafit, block, ws, V, W, t, y, lam, target_gap, max_sweeps, deadline):
    """Coordinate-descent sweeps over the working set until its own gap ≤ ``target_gap``,
    with an Anderson step every 5 sweeps kept when it lowers the objective (for ReLU after
    projecting it back onto the cones: rejecting infeasible extrapolations, as before, left the
    breast-cancer program at 46.5 after 30 s where it now reaches 43.4, optimum 43.14)."""
    q = program.forward(V, W) + t
    history = []
    objective = lambda V, W, t: (datafit.value(program.forward(V, W) + t, y)  # noqa: E731
                                 + lam * (program.penalty(V) + (program.penalty(W) if W is not None else 0.0)))
    k = 0
    for k in range(1, max_sweeps + 1):
        _sweep(program, block, V, W, q, y, lam, datafit, deadline)
        if program.intercept:
            t_new = _best_intercept(datafit, q - t, y, t)
            q += t_new - t
            t = t_new
        state = np.concatenate([V[:, ws].ravel()] + ([W[:, ws].ravel()] if W is not None else []) + [[t]])
        history = (history + [state])[-6:]
        if deadline is not None and time.perf_counter() > deadline:
            break  # (before the extrapolation: its projections are not cut at the deadline)
        if len(history) == 6 and k % 5 == 0:
            x = _anderson(history)
            if x is not None:
                m = V[:, ws].size
                Va, Wa = V.copy(), None if W is None else W.copy()
                Va[:, ws] = x[:m].reshape(V[:, ws].shape)
                if W is not None:  # the extrapolation may leave the cones: project it back
                    Wa[:, ws] = x[m:2 * m].reshape(V[:, ws].shape)
                    Va, Wa = _project_columns(program, Va), _project_columns(program, Wa)
                if objective(Va, Wa, x[-1]) < objective(V, W, t):
                    V, W, t = Va, Wa, float(x[-1])
                    q = program.forward(V, W) + t
        # (the working set's check prices its groups only, each a cone projection for ReLU:
        # unbounded, it ran 2–3 s past a 10 s budget on digits, 30 patterns)
        if k % 10 == 0 and _check(program, datafit, y, lam, V, W, t, groups=ws,
                                  deadline=deadline).dual_gap <= target_gap:
            break
    return V, W, t, k


def _cone_bounds(program, G, Mu):
    """The bounds below; a column whose multipliers cannot be balanced on the bias coordinate
    (the all-active pattern has no row of the needed sign) falls back to μᵢ = 0."""
    bounds = _cone_bounds_at(program, G, Mu)
    bad = ~np.isfinite(bounds)
    if bad.any():
        sub = _Subprogram(program, np.flatnonzero(bad))
        bounds[bad] = _cone_bounds_at(sub, G[:, bad], np.zeros((len(program.Z), int(bad.sum()))))
    return bounds


def _cone_bounds_at(program, G, Mu):
    r"""Upper bounds of sup{gᵢᵀv : v ∈ Kᵢ, ‖Πv‖ ≤ 1} for every column gᵢ of G, from the
    multipliers Mu (n × P, ≥ 0): ‖Π(gᵢ + ZᵀAᵢμᵢ)‖ once the unpenalized coordinate (the bias,
    the last one) is zeroed exactly by raising one μⱼ on a row of the right sign."""
    Z, S = program.Z, program.S
    H = G + Z.T @ (S * Mu)
    pen = program.penalized
    if pen.all():
        return np.linalg.norm(H, axis=0)
    e = H[~pen][0]  # the bias coordinate: rows of AᵢZ carry ±1 there
    Hp = H[pen]
    X = Z[:, pen]
    # raising μⱼ by |e| on a row with Sⱼᵢ = −sign(e) moves the bias coordinate by −e and the
    # penalized ones by −e·xⱼ; the best row minimizes ‖Πh − e·xⱼ‖
    cand = (Hp * Hp).sum(0)[None, :] - 2 * e[None, :] * (X @ Hp) + (e[None, :] ** 2) * (X * X).sum(1)[:, None]
    cand = np.where(S == -np.sign(e)[None, :], cand, np.inf)
    best = np.sqrt(np.maximum(cand.min(axis=0), 0.0))
    # no such row (the all-active pattern, whose bias direction is the intercept's): e is then
    # Σθ over a centred θ, zero up to rounding
    exact = np.abs(e) <= 1e-13 * (np.abs(G).sum(axis=0) + 1.0)
    fallback = np.where(exact, np.linalg.norm(Hp, axis=0), np.inf)
    return np.where(np.isfinite(best), best, fallback)


def _best_intercept(datafit, F, y, t):
    """The intercept minimizing ℓ(F + t1, y) (the datafit's: a weighted mean or a 1-D root); the
    hinge loss keeps t (its linear programs choose their own)."""
    return datafit.intercept(F, y, t) if datafit.smooth else t


def _check(program, datafit, y, lam, V, W, t, groups=None, multipliers=None, deadline=None, hints=None,
           cone_mu=None, unprojected_dual=False, project_until=None, fallback=(None, None)):
    """Certify (V, W, t) over every group (or over ``groups`` only: a working set's gap), after an
    exact projection onto the cones (so the objective is that of a feasible point; columns not
    projected by ``project_until`` are set to 0 or to those of ``fallback``, a feasible (V, W),
    see :func:`_project_columns`) and, for the
    smooth losses, the best intercept. The bounds are tightened until ``deadline``
    (see :func:`group_bounds`, which ``hints`` warm-starts and ``cone_mu`` may start lower).

    ``unprojected_dual``: also price the dual point at (V, W) before the projection, with half of
    the time left to ``deadline``, and keep the smaller gap. (Any θ with its bounds is a valid
    dual; the projection moves the residual to first order, and an ADMM iterate's own residual
    was 2–3× closer: digits, 500 gates, at 1500 and 1800 iterations, gaps 2.84 → 0.98 and
    1.49 → 0.74 on an objective of 253.5.)"""
    idx = np.arange(program.n_groups) if groups is None else np.asarray(groups, dtype=int)
    before = program.forward(V, W) if unprojected_dual else None
    if W is not None:
        V = _project_columns(program, V, hints, 1, project_until, fallback[0])
        W = _project_columns(program, W, hints, -1, project_until, fallback[1])
    q = program.forward(V, W)
    if program.intercept:
        t = _best_intercept(datafit, q, y, t)
    q = q + t
    candidates = [datafit.dual_point(q, y, multipliers)]  # (the smooth datafits ignore the multipliers)
    if unprojected_dual:
        candidates.append(datafit.dual_point(before + t, y, multipliers))
    pen = program.penalty(V) + (program.penalty(W) if W is not None else 0.0)
    best = None
    for k, theta in enumerate(candidates):
        found = {}
        until = deadline
        if deadline is not None and k < len(candidates) - 1:  # an even share of the time left
            until = time.perf_counter() + (deadline - time.perf_counter()) / (len(candidates) - k)

        def top(th):
            found["bounds"], found["complete"] = group_bounds(program, th, idx, until, threshold=lam,
                                                              hints=hints, cone_mu=cone_mu)
            bounded = found["bounds"][np.isfinite(found["bounds"])]
            return float(bounded.max(initial=0.0))  # (the unbounded ones are dealt with below)

        P, Dv, gap = fenchel_gap(datafit, q, y, pen, lam, theta, top, program.intercept)
        if not np.all(np.isfinite(found["bounds"])):  # a group without a finite bound (not tightened)
            Dv, gap = -np.inf, np.inf
        if best is None or gap < best[2]:
            best = (P, Dv, gap, theta, found)
    P, Dv, gap, theta, found = best
    if W is not None and max(cone_violation(program, V), cone_violation(program, W)) > 1e-9:
        gap = np.inf  # the projection failed: P is not the value of a feasible point
    return ArrangementResult(V=V.copy(), W=None if W is None else W.copy(), t=t, objective=P,
                             dual_value=Dv, dual_gap=max(gap, 0.0), theta=theta,
                             bounds=found["bounds"], tightened=found["complete"])


def cone_violation(program, V):
    """The largest violation of the cone constraints, max over i, j of −(2Dᵢ − I)ⱼⱼ zⱼᵀvᵢ
    relative to ‖zⱼ‖·maxᵢ‖vᵢ‖ (0 for a feasible V; rounding leaves ~1e-16)."""
    top = float(np.linalg.norm(V, axis=0).max(initial=0.0))
    if top == 0.0:
        return 0.0
    slack = program.S * (program.Z @ V) / np.maximum(np.linalg.norm(program.Z, axis=1), 1e-300)[:, None]
    return float(np.max(-slack, initial=0.0)) / top


def _project_columns(program, V, hints=None, sign=1, deadline=None, fallback=None):
    """Each column vᵢ projected exactly onto its cone {v : (2Dᵢ − I)Zv ≥ 0} (a projection that
    is zero up to rounding, ‖p‖ ≤ 1e-13‖vᵢ‖, is set to the cone's apex 0). ``hints`` (a dict,
    read and updated): each ("projection", i, sign)'s last active rows, the next one's warm start.

    The projections (one NNLS each) go largest column first; a column not reached by
    ``deadline`` (a ``time.perf_counter`` value) is set to the apex 0 instead, which lies in every
    cone: the point stays feasible, its objective honest, only higher. (An ADMM iterate after its
    first steps violates every cone: digits, 100 gates, one-vs-rest over 10 classes, projected
    200 columns per class in about 1 s, so a 1 s budget took 22 s.) ``fallback`` (D × P, each
    column in its cone: the last λ's point of a warm start) replaces the apex for those columns."""
    V = V.copy()
    hints = {} if hints is None else hints
    bad = np.flatnonzero((program.S * (program.Z @ V) < 0).any(axis=0))
    bad = bad[np.argsort(-np.linalg.norm(V[:, bad], axis=0), kind="stable")]
    for k, i in enumerate(bad):
        if deadline is not None and time.perf_counter() > deadline:
            V[:, bad[k:]] = 0.0 if fallback is None else fallback[:, bad[k:]]
            break
        key = ("projection", int(i), sign)
        p, hints[key], _ = project_onto_cone(program.S[:, i, None] * program.Z, V[:, i], hints.get(key, ()),
                                             row_norms=program.row_norms)
        V[:, i] = p if np.linalg.norm(p) > 1e-13 * np.linalg.norm(V[:, i]) else 0.0
    return V
