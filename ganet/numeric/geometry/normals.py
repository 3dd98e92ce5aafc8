r"""Hyperplane normals with a certified decision on degeneracy.

A dictionary hyperplane is a row ``[a, g₁, …, g_{d−1}]`` of ids into the generator table
``[X; e₁ … e_d]``: anchor a (−1 for the origin) and generators vᵣ = x_{gᵣ} − x_a (data) or e_q
(axes). Its normal is the generalized cross product w = ×(v₁,…,v_{d−1}) = ⋆(v₁ ∧ ⋯ ∧ v_{d−1}).
The subset is *degenerate* (a zero column) exactly when w = 0.

Deciding w = 0 in floating point must not depend on the size or position of the data (a fixed
absolute tolerance dropped valid hyperplanes of translated or scaled data, and the certificate was
then computed over what remained). Here the decision is relative and rigorous:

* Each cofactor wᵩ is a sum of signed products of d − 1 generator entries, so its rounding error
  is at most γ_d·Πᵣ‖vᵣ‖₁ (γ_d = 2(d + 1)²·u for the closed-form kernels, u the unit roundoff).
  Scaling or translating the data scales both sides. (The QR kernel of d > 6 bounds the error of
  the direction by 4d·u times its condition estimate instead: :func:`cross_error_factor`.)
* **ok**: ‖w‖_∞ > 10⁸·γ_d·Πᵣ‖vᵣ‖₁, so the computed direction w/‖w‖ is accurate to 10⁻⁸ or better.
* **degenerate**: proven zero, either because a generator is exactly the zero vector (duplicate
  points) or because the data lie on a binary grid small enough that every product and sum of
  the cross product is exact in float64 (integer data, for instance), and the computed w is 0.
* **uncertain**: everything else. These few hyperplanes (nearly dependent generators) are
  recomputed in exact rational arithmetic on the float values (:func:`exact_normals`): dropped
  if the exact w is 0, otherwise given the correctly rounded direction.

So a hyperplane is left out of a dictionary only when its generators are provably dependent.
"""

from fractions import Fraction

import numba
import numpy as np

from ..runtime.interrupts import deferred_interrupt
from .ga import cross_into

__all__ = ["OK", "DEGENERATE", "UNCERTAIN", "cross_error_factor", "grid_exponent", "exact_grid", "unit_normal",
           "normals", "exact_cross", "exact_normals", "certified_normals"]

OK, DEGENERATE, UNCERTAIN = 1, 0, -1

_U = np.finfo(np.float64).eps / 2  # unit roundoff
_ACCURACY = 1e8  # an ok direction has a relative error bound below 1/_ACCURACY


def cross_error_factor(d, compiled=True):
    """γ_d of the kernel's error bound in dimension d.

    Closed forms (d ≤ 6): |fl(wᵩ) − wᵩ| ≤ γ_d·Πᵣ‖vᵣ‖₁ with γ_d = 2(d + 1)²·u. They expand the
    cofactors along the rows: each level of the recursion adds at most (k + 1)·u relative error
    to the absolute-value expansion, which is bounded by Πᵣ‖vᵣ‖₁, and the generator entries carry
    u (a difference of two floats); doubled for the second-order terms.

    QR kernel (d > 6 or ``kernel="generic"``): the direction's error is about γ_d·κ with
    γ_d = 4d·u and κ the condition estimate the kernel returns (Householder QR is backward
    stable; a volume bound like Πᵣ‖vᵣ‖ would call most hyperplanes of large d uncertain, since
    the normalized volume of d − 1 random directions shrinks exponentially with d).
    """
    if compiled and d <= 6:
        return 2.0 * (d + 1) ** 2 * _U
    return 4.0 * d * _U


def grid_exponent(A):
    """The largest g such that every entry of A is an integer multiple of 2^g (None for all-zero A)."""
    nz = np.abs(np.asarray(A, dtype=np.float64))
    nz = nz[nz != 0]
    if nz.size == 0:
        return None
    mant, expo = np.frexp(nz)  # nz = mant·2^expo, mant ∈ [1/2, 1)
    ints = (mant * 2.0 ** 53).astype(np.int64)
    lowest = np.round(np.log2((ints & -ints).astype(np.float64))).astype(np.int64)  # lowest set bit
    return int(np.min(expo - 53 + lowest))


def exact_grid(Xr, compiled=True):
    """Whether the cross products of generators from ``Xr`` are computed exactly in float64.

    True when every entry is an integer multiple of a common power of two 2^g (g ≤ 0, so the axes'
    1s are on the grid too) and (2·d·M)^{d−1} < 2⁵², M = max(1, max|x|)/2^g: then differences,
    the products of d − 1 entries and all partial sums of the closed-form cofactors are integers
    below 2⁵³ in units of 2^{g(d−1)}, hence exact. Only the closed-form kernels qualify.
    """
    d = Xr.shape[1]
    if not compiled or d > 6:
        return False
    g = grid_exponent(Xr)
    if g is None:
        return True
    M = max(float(np.abs(Xr).max()), 1.0) * 2.0 ** -min(g, 0)
    return (2.0 * d * M) ** max(d - 1, 0) < 2.0 ** 52


@numba.njit(cache=True, inline="always")
def unit_normal(X, row, p, exact, gamma, V, w, compiled):
    """Normal of the hyperplane ``row`` = [a, g₁, …, g_{d−1}] written into w.

    Returns (status, offset): for status OK, w is scaled to unit p-norm and offset = aᵀw (0 for
    the origin); otherwise w is left unnormalized (see the module docstring for the statuses).
    """
    n, d = X.shape
    a = row[0]
    bound = 1.0
    for r in range(d - 1):
        g = row[r + 1]
        s = 0.0
        for q in range(d):
            if g >= n:
                v = 1.0 if g - n == q else 0.0
            elif a >= 0:
                v = X[g, q] - X[a, q]
            else:
                v = X[g, q]
            V[r, q] = v
            s += abs(v)
        bound *= s
    cond = cross_into(V, w, compiled)
    big = 0.0
    norm = 0.0
    for q in range(d):
        big = max(big, abs(w[q]))
        norm += abs(w[q]) if p == 1 else w[q] * w[q]
    if not big > 0.0:
        return (DEGENERATE if exact or bound == 0.0 else UNCERTAIN), 0.0
    if cond < 0.0:  # closed form: the permanent bound
        if not (exact or big > _ACCURACY * gamma * bound):
            return UNCERTAIN, 0.0
    elif not _ACCURACY * gamma * cond < 1.0:  # QR: the condition estimate
        return UNCERTAIN, 0.0
    norm = norm if p == 1 else np.sqrt(norm)
    offset = 0.0
    for q in range(d):
        w[q] /= norm
        if a >= 0:
            offset += X[a, q] * w[q]
    return OK, offset


@numba.njit(cache=True)
def normals(X, H, p, exact, gamma, compiled):
    """Unit-p-norm normals W, offsets c = aᵀw and statuses of the hyperplanes H (rows of ids).

    Serial: O(d³) per hyperplane, and it is called for small batches every working-set round,
    where a parallel region's barrier stalls on a busy machine (4.4 s instead of 0.17 s in one
    measured fit beside two busy processes)."""
    N = H.shape[0]
    d = X.shape[1]
    W = np.zeros((N, d))
    c = np.zeros(N)
    status = np.zeros(N, dtype=np.int8)
    V = np.empty((max(d - 1, 0), d))
    w = np.empty(d)
    for t in range(N):
        st, off = unit_normal(X, H[t], p, exact, gamma, V, w, compiled)
        status[t] = st
        if st == OK:
            W[t] = w
            c[t] = off
    return W, c, status


def _integer_rows(V):
    """Rows of dyadic Fractions scaled (each by a positive power of two) to Python ints."""
    out = []
    for row in V:
        scale = max(x.denominator for x in row)
        out.append([x.numerator * (scale // x.denominator) for x in row])
    return out


def _echelon(M):
    """Fraction-free (Bareiss) row echelon form of an integer matrix: (rows, pivot columns).

    Every division is exact (Sylvester's identity: the entries are minors of the pivot columns),
    so the integers stay as long as a minor, not exponentially longer.
    """
    M = [row[:] for row in M]
    rows, cols = len(M), len(M[0]) if M else 0
    prev, r, pivots = 1, 0, []
    for c in range(cols):
        p = next((i for i in range(r, rows) if M[i][c]), None)
        if p is None:
            continue
        M[r], M[p] = M[p], M[r]
        for i in range(r + 1, rows):
            M[i] = [(M[r][c] * M[i][j] - M[i][c] * M[r][j]) // prev for j in range(cols)]
        prev = M[r][c]
        pivots.append(c)
        r += 1
        if r == rows:
            break
    return M[:r], pivots


def exact_cross(V):
    """×(rows of V) = ⋆(v₁ ∧ ⋯ ∧ v_{d−1}) for a (d − 1) × d matrix of dyadic Fractions (floats
    read exactly: ``Fraction(float)``), exactly, up to a positive factor; None if the rows are
    dependent. Two eliminations on integers: the
    echelon form gives the null vector, one determinant its sign and scale."""
    d = len(V) + 1
    if d == 1:
        return [Fraction(1)]
    A = _integer_rows(V)
    E, pivots = _echelon(A)
    if len(pivots) < d - 1:
        return None
    free = next(q for q in range(d) if q not in pivots)
    v = [Fraction(0)] * d
    v[free] = Fraction(1)
    for r in range(len(E) - 1, -1, -1):  # back substitution: E v = 0 with v_free = 1
        c = pivots[r]
        v[c] = -sum(Fraction(E[r][j]) * v[j] for j in range(c + 1, d)) / E[r][c]
    det = _det_from_echelon([[row[j] for j in range(d) if j != free] for row in A])
    scale = (-1) ** free * det  # w_free = (−1)^free · det(A without column free), and v_free = 1
    return [scale * x for x in v]


def _det_from_echelon(M):
    """Exact determinant of a square integer matrix (Bareiss: the last pivot, with the sign of
    the row swaps)."""
    M = [row[:] for row in M]
    k, sign, prev = len(M), 1, 1
    for c in range(k):
        p = next((i for i in range(c, k) if M[i][c]), None)
        if p is None:
            return 0
        if p != c:
            M[c], M[p] = M[p], M[c]
            sign = -sign
        for i in range(c + 1, k):
            M[i] = [(M[c][c] * M[i][j] - M[i][c] * M[c][j]) // prev for j in range(k)]
        prev = M[c][c]
    return sign * M[k - 1][k - 1]


def exact_normals(X, H, p):
    """Normals of hyperplanes H in exact rational arithmetic on the float values of X.

    Returns
    -------
    W : ndarray, shape (N, d)
        Unit-p-norm normals, correctly rounded from the exact cross product (0 rows if degenerate).
    c : ndarray, shape (N,)
        Offsets aᵀw.
    degenerate : ndarray of bool
        Whether the exact cross product is zero (the generators are linearly dependent).
    """
    n, d = X.shape
    N = len(H)
    W, c, degenerate = np.zeros((N, d)), np.zeros(N), np.zeros(N, dtype=bool)
    cache = {}

    def coord(i, q):
        key = (i, q)
        if key not in cache:
            cache[key] = Fraction(float(X[i, q]))
        return cache[key]

    for t in range(N):
        a = int(H[t][0])
        V = []
        for g in H[t][1:]:
            g = int(g)
            if g >= n:
                V.append([Fraction(int(q == g - n)) for q in range(d)])
            else:
                V.append([coord(g, q) - (coord(a, q) if a >= 0 else 0) for q in range(d)])
        w = exact_cross(V)
        if w is None:
            degenerate[t] = True
            continue
        big = max(abs(v) for v in w)
        wf = np.array([float(v / big) for v in w])  # correctly rounded, in [−1, 1]
        wf /= np.abs(wf).sum() if p == 1 else np.sqrt(wf @ wf)
        W[t] = wf
        c[t] = float(X[a] @ wf) if a >= 0 else 0.0
    return W, c, degenerate


def _repeated_generators(X, H):
    """Hyperplanes whose generators are exactly dependent because of repeated data: two equal
    generators, or a generator equal to the anchor (xᵢ − a = 0). Rows of X are compared exactly;
    generator indices ≥ n are the axes e_{g−n}."""
    n, d = X.shape
    _, uid = np.unique(X, axis=0, return_inverse=True)
    uid = np.concatenate([uid.reshape(-1), n + np.arange(d)])
    G = np.sort(uid[np.asarray(H[:, 1:], dtype=np.int64)], axis=1)
    out = (G[:, 1:] == G[:, :-1]).any(axis=1) if G.shape[1] > 1 else np.zeros(len(H), dtype=bool)
    anchored = H[:, 0] >= 0
    if anchored.any():
        a = uid[np.where(anchored, H[:, 0], 0)]
        out |= anchored & (G == a[:, None]).any(axis=1)
    return out


def certified_normals(X, H, p, exact, gamma, compiled):
    """:func:`normals` with the uncertain hyperplanes resolved by :func:`exact_normals`.

    Returns W, c and a boolean mask of the hyperplanes that are not degenerate.
    """
    with deferred_interrupt():
        W, c, status = normals(X, H, p, exact, gamma, compiled)
    unsure = np.flatnonzero(status == UNCERTAIN)
    valid = status == OK
    if unsure.size:  # repeated points make a subset dependent with no arithmetic at all
        unsure = unsure[~_repeated_generators(X, H[unsure])]
    if unsure.size:
        We, ce, dead = exact_normals(X, H[unsure], p)
        W[unsure], c[unsure] = We, ce
        valid[unsure] = ~dead
    return W, c, valid
