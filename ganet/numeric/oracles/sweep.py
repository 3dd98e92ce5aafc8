r"""Rotational sweep: every hyperplane through a common (d − 2)-face priced in O(n log n).

Fix all generators of a hyperplane but its last data generator: the anchor a and d − 2
directions (the *prefix*: data generators vᵣ = xᵣ − a, or xᵣ without bias, and axes e_q). Every
hyperplane that completes the prefix with one more data point x_j has its normal in the plane
Π = span(prefix)^⊥, spanned by an orthonormal pair (u, v). Writing w(φ) = cos φ·u + sin φ·v and
yᵢ = xᵢ − a (yᵢ = xᵢ without bias),

.. math::  z_i(\varphi) = y_i^\top w(\varphi) = \alpha_i\cos\varphi + \beta_i\sin\varphi,
           \qquad (\alpha_i, \beta_i) = (u^\top y_i,\ v^\top y_i),

so point i is active (zᵢ > 0) on a half-turn of φ and changes side once in every half-turn, at
θᵢ ≡ atan2(βᵢ, αᵢ) + π/2 (mod π). With A(φ) = {i : zᵢ(φ) > 0}, the column pair of the normal
w = w(φ) is linear in w once A is known:

.. math::  K_+^\top R = g_A^\top w,\quad K_-^\top R = -(g - g_A)^\top w,\quad
           \|K_+\|_2^2 = w^\top M_A w,\quad \|K_-\|_2^2 = w^\top (M - M_A) w,

with g_A = Σ_{i∈A} yᵢRᵢᵀ, M_A = Σ_{i∈A} yᵢyᵢᵀ and g, M the same sums over all points (from the
data's moments: Σ xᵢRᵢᵀ − a ΣRᵢᵀ and so on). The hyperplane through the prefix and x_j has its
normal exactly where z_j changes sign, at θ_j, so the walk needs no other events: it visits the
points in order of θ (a bucket sort of pseudo-angles 1 − cos/(|cos| + sin), monotone on
(0, π]), prices the hyperplane of each owned point when it reaches it, and moves the point to
its other side, updating g_A and M_A. The normal of each priced hyperplane is the certified unit
normal of the scanning kernel (:func:`~ganet.numeric.geometry.normals.unit_normal`); its sign
against w(θ_j) says which of A and its complement is K₊'s. A prefix costs O(n(d² + log n)) for
all its hyperplanes instead of O(n·d) for each: a pass over C(n, d) biased hyperplanes costs
O(C(n, d − 1)·n(d + log n)), a factor ≈ n/(d log n) less than scoring every column. A prefix
that owns at most d + 4 hyperplanes scores them directly.

Each hyperplane is listed once (:mod:`~ganet.numeric.oracles.two_layer`): its data subset's largest
point is the swept one, so a prefix P′ owns the hyperplanes P′ ∪ {j} with j > max P′, and their
colex ranks are rank(P′) + C(j, m). The hyperplanes without a data generator to sweep (bias,
p = 1: the anchor and d − 1 axes; no bias: d − 1 axes; n·d of them at most) are scored by the
brute-force kernel.

Accuracy. A point's starting side and its change angle come from the same (αᵢ, βᵢ), so they
agree however the angle rounds (atan2 of a signed zero, for one, would not). A point on the
wrong side of w_j because θᵢ and θ_j are within rounding of each other contributes
|Rᵢ zᵢ(w_j)| ≤ c·u·‖yᵢ‖|Rᵢ| (|zᵢ| is itself that small there), and the running sums carry at
most 2n·u·Σᵢ|Rᵢ|‖yᵢ‖ of rounding, the same order as the n-term sum of a directly scored
column. The plane Π comes from an SVD of the prefix's directions; a prefix whose directions
are nearly dependent (condition number above :data:`MAX_PREFIX_CONDITION`) would give
inaccurate angles, so its hyperplanes are scored directly instead, as is a point that lies in
the prefix's span (αᵢ = βᵢ = 0). Hyperplanes that the scanning kernel finds uncertain are
skipped and counted the same way (they are priced from their exact normals).
"""

import numba
import numpy as np

from ..geometry.normals import OK, UNCERTAIN, unit_normal
from .combinations import rank_colex, step_subset, unrank_subset
from .column_scores import record_pair, score_plane
from .two_layer import plane_row

__all__ = ["sweep_slices", "prefix_splits", "MAX_PREFIX_CONDITION", "SWEEP_TASKS"]

# Tasks of a sweep pass, each over a contiguous range of prefixes with its own heaps: a fixed
# number, so that the result does not depend on the thread count (and a few per core balance
# the load).
SWEEP_TASKS = 8

# Above this condition number of a prefix's directions its hyperplanes are scored directly: the
# sweep's angles then carry up to this many ulps of error (see the module docstring).
MAX_PREFIX_CONDITION = 1e3


def prefix_splits(ms, bs, bias):
    """The (|P′|, |B|) of the prefixes of the sweepable hyperplane blocks (m, b): those with a data
    generator besides the anchor (m ≥ 2 with bias, m ≥ 1 without). They lead the rank order."""
    first = 2 if bias else 1
    out = []
    for m, b in zip(ms, bs):
        if m < first:
            break
        out.append((int(m) - 1, int(b)))
    return out


@numba.njit(cache=True, inline="always")
def _plane_basis(Y0, k, d, basis):
    """Orthonormal u = basis[0], v = basis[1] of the complement of the k = d − 2 directions Y0[:k];
    False when they are nearly dependent (condition above MAX_PREFIX_CONDITION)."""
    if k == 0:
        basis[:] = 0.0
        basis[0, 0] = 1.0
        basis[1, 1] = 1.0
        return True
    U, s, _ = np.linalg.svd(np.ascontiguousarray(Y0[:k].T))
    if not s[k - 1] * MAX_PREFIX_CONDITION > s[0]:
        return False
    for q in range(d):
        basis[0, q] = U[q, d - 2]
        basis[1, q] = U[q, d - 1]
    return True


@numba.njit(cache=True)
def _angle_order(keys, k, order, start):
    """The permutation that sorts keys[:k] (values in [0, 2]) into order[:k]: a bucket sort, k
    buckets of equal width and insertion sort within each, O(k) for keys spread over the range
    (sweep angles are); exact, since the buckets are ordered and ties keep their input order.
    Falls back to argsort when a bucket holds more than 64 keys (clustered angles)."""
    start[:k + 1] = 0
    scale = k / 2.0
    for e in range(k):
        b = min(int(keys[e] * scale), k - 1)
        start[b + 1] += 1
    for b in range(k):
        if start[b + 1] > 64:
            order[:k] = np.argsort(keys[:k], kind="mergesort")
            return
        start[b + 1] += start[b]
    for e in range(k):  # scatter; start[b] runs up to the next bucket's start
        b = min(int(keys[e] * scale), k - 1)
        order[start[b]] = e
        start[b] += 1
    for e in range(1, k):  # insertion sort: moves stay within a bucket's (short) run
        cur = order[e]
        key = keys[cur]
        f = e - 1
        while f >= 0 and keys[order[f]] > key:
            order[f + 1] = order[f]
            f -= 1
        order[f + 1] = cur


@numba.njit(cache=True)
def _normal(X, row, p, exact, gamma, V, w, compiled):
    """:func:`~ganet.numeric.geometry.normals.unit_normal`, compiled once here and called (not
    inlined) from the kernel's three sites: inlined, its closed forms tripled the compile time."""
    return unit_normal(X, row, p, exact, gamma, V, w, compiled)


@numba.njit(cache=True)
def _score_directly(X, XT, R, p, exact, gamma, compiled, row, V, w, zbuf, pos, neg, t, lam, scale, exclude,
                    group_size, tp, tc, best, visited, bad, uncertain, task):
    """Hyperplane ``row`` (rank t) scored over every point, as the scanning kernel does."""
    status, offset = _normal(X, row, p, exact, gamma, V, w, compiled)
    if status == UNCERTAIN:
        uncertain[task] += 1
    elif status == OK:
        visited[task] += 1
        pos2, neg2 = score_plane(XT, R, w, offset, zbuf, pos, neg)
        score = record_pair(t, pos, neg, pos2, neg2, lam, scale, exclude, tp[t // group_size], tc[t // group_size])
        if score == score and score < np.inf:
            best[task] = max(best[task], score)
        else:
            bad[task] = True


@numba.njit(cache=True)
def _sweep_task(X, XT, R, p, bias, exact, gamma, compiled, pms, pbs, poffsets, PTP, PTB, ms, bs, offsets, TP, TB,
                task, first, last, lam, scale, exclude, group_size, tp, tc, best, visited, bad, uncertain, covered):
    """Task ``task`` of :func:`sweep_slices`: prefixes first … last − 1, into its heaps (tp, tc).
    (A function of its own: as the body of the prange loop it took numba's parallel passes 25 s
    to compile.)"""
    n, d = X.shape
    c = R.shape[1]
    n_axes = TB.shape[0] - 1
    no_ranks = np.empty(0, dtype=np.int64)  # prefixes are stepped through, not listed
    P = np.empty(d + 1, dtype=np.int64)
    B = np.empty(d + 1, dtype=np.int64)
    row = np.empty(d, dtype=np.int64)
    V = np.empty((max(d - 1, 0), d))
    w = np.empty(d)
    Y0 = np.empty((max(d - 2, 1), d))
    basis = np.empty((2, d))
    Y = np.empty((n, d))
    keys = np.empty(n)
    order = np.empty(n, dtype=np.int64)
    bucket_start = np.empty(n + 1, dtype=np.int64)
    events = np.empty(n, dtype=np.int64)
    zero_c = np.empty(n)
    zero_s = np.empty(n)
    active = np.empty(n, dtype=np.bool_)
    inside = np.empty(n, dtype=np.bool_)
    gA = np.empty((d, c))
    g = np.empty((d, c))
    MA = np.empty((d, d))
    M = np.empty((d, d))
    pos = np.empty(c)
    neg = np.empty(c)
    zbuf = np.empty(n)
    inside[:] = False
    # the moments ΣRᵢ, Σxᵢ, ΣxᵢRᵢᵀ, Σxᵢxᵢᵀ, from which every prefix gets its sums over all points
    Sr = np.zeros(c)
    Sx = np.zeros(d)
    Srx = np.zeros((d, c))
    Sxx = np.zeros((d, d))
    for i in range(n):
        for q in range(d):
            Sx[q] += X[i, q]
            for o in range(c):
                Srx[q, o] += X[i, q] * R[i, o]
            for s in range(d):
                Sxx[q, s] += X[i, q] * X[i, s]
        for o in range(c):
            Sr[o] += R[i, o]
    pblk = unrank_subset(first, pms, pbs, poffsets, PTP, PTB, P, B)
    i_prefix = first
    while True:
        mp, b = pms[pblk], pbs[pblk]
        m = mp + 1
        nB = TB[n_axes, b]
        # the prefix's anchor, directions and owned points j > max P′
        a = P[0] if bias else -1
        first_j = P[mp - 1] + 1 if mp > 0 else 0
        covered[task] += max(n - first_j, 0)
        rank_p = rank_colex(P[:mp], TP)
        rank_b = rank_colex(B[:b], TB)
        if first_j < n:
            # the row [anchor, generators…] of P′ ∪ {j}, axes B; j (the last data id) at slot
            P[mp] = first_j
            plane_row(P, m, B, b, bias, n, row)
            slot = mp if bias else mp + 1
            k = 0  # directions of the prefix
            for e in range(1 if bias else 0, mp):
                for q in range(d):
                    Y0[k, q] = X[P[e], q] - (X[a, q] if bias else 0.0)
                k += 1
            for e in range(b):
                for q in range(d):
                    Y0[k, q] = 1.0 if B[e] == q else 0.0
                k += 1
            # a prefix that owns a few hyperplanes only scores them directly: a sweep costs
            # about as much as d + 4 columns
            swept = n - first_j > d + 4 and _plane_basis(Y0, k, d, basis)
            for e in range(mp):
                inside[P[e]] = True
            if swept:
                n_events = 0
                gA[:, :] = 0.0
                MA[:, :] = 0.0
                # the sums over all points from the data's moments (prefix points and points in
                # the prefix's span add yᵢ ⊥ w to them, nothing to any column of the prefix)
                for q in range(d):
                    aq = X[a, q] if bias else 0.0
                    for o in range(c):
                        g[q, o] = Srx[q, o] - aq * Sr[o]
                    for s in range(d):
                        as_ = X[a, s] if bias else 0.0
                        M[q, s] = Sxx[q, s] - aq * Sx[s] - Sx[q] * as_ + n * aq * as_
                for i in range(n):
                    if inside[i]:
                        continue
                    al = 0.0
                    be = 0.0
                    for q in range(d):
                        y = X[i, q] - (X[a, q] if bias else 0.0)
                        Y[i, q] = y
                        al += basis[0, q] * y
                        be += basis[1, q] * y
                    if al == 0.0 and be == 0.0:  # in the prefix's span: zero in its other columns
                        if i >= first_j:  # its own hyperplane is (nearly) degenerate: decided directly
                            row[slot] = i
                            _score_directly(X, XT, R, p, exact, gamma, compiled, row, V, w, zbuf, pos, neg,
                                            offsets[pblk] + (rank_p + TP[i, m]) * nB + rank_b, lam, scale,
                                            exclude, group_size, tp, tc, best, visited, bad, uncertain, task)
                        continue
                    act = al > 0.0 or (al == 0.0 and be > 0.0)  # side at φ = 0⁺
                    active[i] = act
                    if act:
                        for q in range(d):
                            for o in range(c):
                                gA[q, o] += Y[i, q] * R[i, o]
                            for s in range(d):
                                MA[q, s] += Y[i, q] * Y[i, s]
                    # zᵢ's zero in (0, π]: the direction ±(−β, α) with second coordinate ≥ 0,
                    # (−β, α) exactly when i starts active (so the side at 0⁺ and the change
                    # agree however it rounds); sorted by the pseudo-angle 1 − cos/(|cos| + sin),
                    # increasing on (0, π] and cheaper than atan2
                    cz = -be if act else be
                    sz = al if act else -al
                    zero_c[i] = cz
                    zero_s[i] = sz
                    keys[n_events] = 1.0 - cz / (abs(cz) + abs(sz))
                    events[n_events] = i
                    n_events += 1
                _angle_order(keys, n_events, order, bucket_start)
                for e in range(n_events):
                    i = events[order[e]]
                    if i >= first_j:  # the hyperplane (prefix, xᵢ): its normal is w at this angle
                        row[slot] = i
                        status, offset = _normal(X, row, p, exact, gamma, V, w, compiled)
                        if status == UNCERTAIN:
                            uncertain[task] += 1
                        elif status == OK:
                            visited[task] += 1
                            t = offsets[pblk] + (rank_p + TP[i, m]) * nB + rank_b
                            along = 0.0  # w against the sweep's direction here: + or the reverse
                            for q in range(d):
                                along += (basis[0, q] * zero_c[i] + basis[1, q] * zero_s[i]) * w[q]
                            pos2 = 0.0
                            neg2 = 0.0
                            for q in range(d):
                                for s in range(d):
                                    inner = w[q] * w[s]
                                    pos2 += inner * MA[q, s]
                                    neg2 += inner * (M[q, s] - MA[q, s])
                            for o in range(c):
                                on = 0.0
                                off = 0.0
                                for q in range(d):
                                    on += w[q] * gA[q, o]
                                    off += w[q] * (g[q, o] - gA[q, o])
                                # K₊ sees A and K₋ its complement, or the reverse for w = −w(φ)
                                pos[o] = on if along >= 0.0 else off
                                neg[o] = -off if along >= 0.0 else -on
                            if along < 0.0:
                                pos2, neg2 = neg2, pos2
                            score = record_pair(t, pos, neg, max(pos2, 0.0), max(neg2, 0.0), lam, scale,
                                                exclude, tp[t // group_size], tc[t // group_size])
                            if score == score and score < np.inf:
                                best[task] = max(best[task], score)
                            else:
                                bad[task] = True
                    # point i changes side (its own column above has zᵢ = 0 either way)
                    sign = -1.0 if active[i] else 1.0
                    active[i] = not active[i]
                    for q in range(d):
                        yq = sign * Y[i, q]
                        for o in range(c):
                            gA[q, o] += yq * R[i, o]
                        for s in range(d):
                            MA[q, s] += yq * Y[i, s]
            else:  # few hyperplanes or a nearly dependent prefix: score each directly
                for j in range(first_j, n):
                    row[slot] = j
                    _score_directly(X, XT, R, p, exact, gamma, compiled, row, V, w, zbuf, pos, neg,
                                    offsets[pblk] + (rank_p + TP[j, m]) * nB + rank_b, lam, scale, exclude,
                                    group_size, tp, tc, best, visited, bad, uncertain, task)
        for e in range(mp):
            inside[P[e]] = False
        i_prefix += 1
        if i_prefix >= last:
            break
        _, pblk = step_subset(i_prefix, False, no_ranks, pblk, pms, pbs, poffsets, PTP, PTB, P, B, n_axes, n)


# No fastmath here: with it, the freshly compiled kernel and the one loaded from numba's cache
# differed in the last bit of some priorities (numba 0.68), so a Dask worker's pass would not be
# bit for bit the local one; without it the sweep is as fast (benchmarks/scale.py --cases sweep).
@numba.njit(cache=True, parallel=True)
def sweep_slices(X, XT, R, p, bias, exact, gamma, compiled, pms, pbs, poffsets, PTP, PTB,
                 ms, bs, offsets, TP, TB, lo, hi, lam, scale, exclude, group_size,
                 top_priority, top_column, best, visited, bad, uncertain, covered):
    """Advance every sweep task over prefixes lo[task] … hi[task] − 1 (prefix ranks of the prefix
    index (pms, pbs, poffsets, PTP, PTB); hyperplane ranks come from (ms, bs, offsets, TP, TB)).

    Task τ keeps its own round-robin heaps ``top_priority[τ]``, ``top_column[τ]`` (one per group
    of hyperplane ranks, ⌊t / group_size⌋), so tasks never share a heap and the result does not
    depend on the thread count or the slicing. Per task: the largest score, hyperplanes priced
    (``visited``), NaN or infinite scores (``bad``), hyperplanes left uncertain, and hyperplanes
    covered (for the progress bar).
    """
    for task in numba.prange(lo.shape[0]):
        if lo[task] < hi[task]:
            _sweep_task(X, XT, R, p, bias, exact, gamma, compiled, pms, pbs, poffsets, PTP, PTB, ms, bs, offsets,
                        TP, TB, np.int64(task), lo[task], hi[task], lam, scale, exclude, group_size, top_priority[task],
                        top_column[task], best, visited, bad, uncertain, covered)
