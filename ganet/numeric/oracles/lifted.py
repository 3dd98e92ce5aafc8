r"""Matrix-free dictionaries of deep families: lifted wedge products priced on the fly.

A column of :class:`LiftedDictionary` is a neuron of a :class:`~ganet.numeric.oracles.families.LiftedFamily`
(deep narrow |·| networks, three-layer ReLU networks): a (D − 1)-subset of the lifted generators
g = (xᵢ, κ_τ) (a kink of type τ at data point i), e_k (k ≤ d: the ℓ₁ faces) and e_{d+l} (π_l = 0),
its normal u = ⋆(g₁ ∧ ⋯ ∧ g_{D−1}) ∈ ℝ^{d+q} = (w, π) scaled to ‖w‖₁ = 1, either sign, and each
kind of feature: the column is φ(Xw; π). Subsets are ranked in colex order by block (number of
data generators, number of axes), as :class:`~ganet.numeric.oracles.two_layer.HyperplaneIndex` does for
the two-layer families, so a pass streams every column in parallel blocks, keeps only the best
violators in per-group heaps (the same round robin) and the largest |K_jᵀR|.

Column ``j`` is ``(2·t + s)·kinds + k``: subset rank t, sign s (0: +u, 1: −u) and kind k.

A subset whose direction w is exactly zero is not a neuron (its "features" are constants on the
data). Whether w = 0 is decided as for the two-layer hyperplanes (:mod:`ganet.numeric.geometry.normals`):
certainly nonzero above the rounding bound of the cross product, and otherwise recomputed in
rational arithmetic (:mod:`ganet.numeric.oracles.resolution`) — bias-free families cannot centre, and
far from the origin many true vertices have directions below any fixed relative threshold.
Coordinates are normalized as in :class:`~ganet.numeric.oracles.two_layer.TwoLayerOracle`:
translation-invariant families are centred, and every family is scaled by a power of two (the
features are homogeneous of degree one in (t, π)).
"""

from dataclasses import dataclass
from fractions import Fraction
from math import comb

import numba
import numpy as np

from ..geometry import phi, phi_dot, phi_vec
from ..geometry.ga import cross_into
from ..geometry.normalization import normalization
from ..geometry.normals import DEGENERATE, OK, UNCERTAIN, cross_error_factor, exact_cross
from ..runtime.memory import MemoryLimitError, check_memory_limit
from ..runtime.validation import as_finite_array
from .combinations import SubsetIndex, step_subset, unrank_subset
from .engine import ROUND_ROBIN_GROUPS, PricingEngine, group_of, offer

__all__ = ["LiftedDictionary", "LiftedNeuron", "count_lifted"]

_ACCURACY = 1e8  # a direction is accurate when above 10⁸·γ·(its rounding bound)


def _blocks(n_generators, n_axes, size):
    """(data generators, axes) splits of a subset of ``size`` lifted generators."""
    return [(m, size - m) for m in range(min(size, n_generators), -1, -1) if size - m <= n_axes]


def count_lifted(n, d, family):
    """Number of lifted subsets (before dropping those without a direction) of a family or a
    :class:`~ganet.numeric.oracles.families.FamilyShape`; the dictionary has 2·kinds times as many columns."""
    shape = getattr(family, "shape", family)
    D = d + shape.q
    n_axes = d + shape.n_param_axes
    generators = n * shape.kink_types
    return sum(comb(generators, m) * comb(n_axes, b) for m, b in _blocks(generators, n_axes, D - 1))


@numba.njit(cache=True)
def _kink_rank(V, d):
    r"""Rank of the parameter columns V[:, d:] (the generators' κ parts and parameter axes:
    small integers), by fraction-free (Bareiss) elimination, exact in float64 at these sizes.

    When it is below q, a nonzero (0, π) is orthogonal to every generator, so the lifted normal
    has w = 0 exactly whatever the data: the subset is no neuron. (Three kinks of one type at
    three points in 2-D are such a subset: their cofactors cancel to 0 but no term is 0.)"""
    rows, q = V.shape[0], V.shape[1] - d
    A = np.empty((rows, q))
    for i in range(rows):
        for j in range(q):
            A[i, j] = V[i, d + j]
    rank, prev = 0, 1.0
    for c in range(q):
        p = -1
        for i in range(rank, rows):
            if A[i, c] != 0.0:
                p = i
                break
        if p < 0:
            continue
        for j in range(q):
            A[rank, j], A[p, j] = A[p, j], A[rank, j]
        for i in range(rank + 1, rows):
            for j in range(c + 1, q):
                A[i, j] = (A[rank, c] * A[i, j] - A[i, c] * A[rank, j]) / prev
            A[i, c] = 0.0
        prev = A[rank, c]
        rank += 1
    return rank


@numba.njit(cache=True)
def _absolute_minor(V, skip):
    r"""The absolute expansion of V's maximal minor without column ``skip``: the permanent of
    |V| there, Σ_σ Πᵣ|V[r, c_σ(r)]| (by a sum over column subsets, no cancellation), which bounds
    the rounding error of the closed-form cofactor (up to γ) and is 0 exactly when every term of
    the cofactor has a zero factor."""
    r = V.shape[0]
    cols = np.empty(r, dtype=np.int64)
    j = 0
    for c in range(r + 1):
        if c != skip:
            cols[j] = c
            j += 1
    f = np.zeros(1 << r)
    f[0] = 1.0
    for mask in range(1, 1 << r):
        row = -1
        mm = mask
        while mm:
            row += 1
            mm &= mm - 1
        s = 0.0
        for c in range(r):
            if mask >> c & 1:
                s += f[mask ^ (1 << c)] * abs(V[row, cols[c]])
        f[mask] = s
    return f[(1 << r) - 1]


@numba.njit(cache=True, inline="always")
def _lifted_normal(G, axes, P, m, B, b, d, gamma, compiled, V, u):
    """u ← ⋆(rows P[:m] of G ∧ axes B[:b]) scaled to ‖u[:d]‖₁ = 1 when the direction u[:d] is
    certainly accurate (status OK); DEGENERATE when it is certainly zero (every term of its
    cofactors has a zero factor); UNCERTAIN otherwise: within the rounding bound of the cross
    product, resolved exactly (:mod:`ganet.numeric.oracles.resolution`)."""
    D = G.shape[1]
    bound = 1.0
    for r in range(m):
        s = 0.0
        for k in range(D):
            V[r, k] = G[P[r], k]
            s += abs(G[P[r], k])
        bound *= s
    for r in range(b):
        for k in range(D):
            V[m + r, k] = 0.0
        V[m + r, axes[B[r]]] = 1.0
    cond = cross_into(V, u, compiled)
    big = 0.0
    norm = 0.0
    for k in range(d):
        big = max(big, abs(u[k]))
        norm += abs(u[k])
    accurate = big > _ACCURACY * gamma * bound if cond < 0.0 else big > 0.0 and _ACCURACY * gamma * cond < 1.0
    if not accurate:
        # the direction is small against the coarse bound Π‖gᵣ‖₁: bound each cofactor by its own
        # absolute expansion instead, which is exactly 0 when every term has a zero factor (the
        # many subsets whose κ rows make w vanish identically: certainly not neurons)
        if _kink_rank(V, d) < D - d:
            return DEGENERATE  # some (0, π) ⟂ every generator: w = 0 exactly
        fine = 0.0
        for k in range(d):
            fine = max(fine, _absolute_minor(V, k))
        if fine == 0.0:
            return DEGENERATE
        if not (cond < 0.0 and big > _ACCURACY * gamma * fine):
            return UNCERTAIN
    for k in range(D):
        u[k] /= norm
    return OK


@numba.njit(cache=True, inline="always", fastmath={"reassoc", "contract", "nsz"})
def _dot(a, b):
    """Σ aᵢbᵢ, vectorized (reassociation allowed; NaN and inf still propagate)."""
    s = 0.0
    for i in range(a.shape[0]):
        s += a[i] * b[i]
    return s


@numba.njit(cache=True, parallel=True, fastmath={"reassoc", "contract", "nsz"})
def _price_lifted(X, XT, G, axes, R, gamma, compiled, code, kinds, ms, bs, offsets, TP, TB, lo, hi, ranks, lam,
                  scale, exclude, group_size, top_priority, top_column, best, visited, bad, uncertain, skipped):
    """Advance every block over subsets lo[b] … hi[b] − 1 (ranks, or positions into ``ranks``),
    pricing every neuron's columns against R (the block, heap and group mechanics are the
    engine's, :mod:`ganet.numeric.oracles.engine`); subsets whose direction is UNCERTAIN are counted in
    ``uncertain`` and priced by the caller from their exact directions. The lifted families have
    no cell bounds: ``skipped`` stays 0."""
    n, d = X.shape
    D = G.shape[1]
    q = D - d
    c = R.shape[1]
    RT = np.ascontiguousarray(R.T)
    n_axes = TB.shape[0] - 1
    listed = ranks.shape[0] > 0
    for blk in numba.prange(lo.shape[0]):
        if lo[blk] >= hi[blk]:
            continue
        V = np.empty((D - 1, D))
        u = np.empty(D)
        P = np.empty(D, dtype=np.int64)
        B = np.empty(D, dtype=np.int64)
        prm = np.empty(q)
        vals = np.empty(n)
        proj = np.empty(n)
        i = lo[blk]
        t = ranks[i] if listed else i
        fam = unrank_subset(t, ms, bs, offsets, TP, TB, P, B)
        while True:
            m, b = ms[fam], bs[fam]
            status = _lifted_normal(G, axes, P, m, B, b, d, gamma, compiled, V, u)
            if status == UNCERTAIN:
                uncertain[blk] += 1
            elif status == OK:
                visited[blk] += 1
                for i2 in range(n):
                    proj[i2] = 0.0
                for k in range(d):  # point-inner loops over XT's rows: LLVM vectorizes them
                    uk = u[k]
                    for i2 in range(n):
                        proj[i2] += XT[k, i2] * uk
                g = group_of(i if listed else t, group_size)
                for sgn in range(2):
                    flip = 1.0 - 2.0 * sgn
                    for k in range(q):
                        prm[k] = flip * u[d + k]
                    for kind in range(kinds):
                        if c == 1:  # φ, ‖v‖² and vᵀr in one sweep, v never stored
                            norm2, a = phi_dot(code, proj, flip, prm, kind, RT[0])
                            score = abs(a)
                        else:
                            phi_vec(code, proj, flip, prm, kind, vals)
                            norm2 = _dot(vals, vals)
                            score = 0.0
                            for o in range(c):
                                a = _dot(vals, RT[o])
                                score += a * a
                            score = np.sqrt(score)
                        if not (score == score and score < np.inf):
                            bad[blk] = True
                            continue
                        best[blk] = max(best[blk], score)
                        offer((2 * t + sgn) * kinds + kind, score, norm2, lam, scale, exclude,
                               top_priority[g], top_column[g])
            i += 1
            if i >= hi[blk]:
                break
            t, fam = step_subset(i, listed, ranks, fam, ms, bs, offsets, TP, TB, P, B, n_axes, G.shape[0])


@numba.njit(cache=True)
def _lifted_directions(G, axes, ms, bs, offsets, TP, TB, d, gamma, compiled, ranks):
    """(u, status) for the subsets ``ranks``: the normalized lifted normals (where OK)."""
    D = G.shape[1]
    out = np.zeros((ranks.shape[0], D))
    status = np.zeros(ranks.shape[0], dtype=np.int8)
    V = np.empty((D - 1, D))
    u = np.empty(D)
    P = np.empty(D, dtype=np.int64)
    B = np.empty(D, dtype=np.int64)
    for r in range(ranks.shape[0]):
        fam = unrank_subset(ranks[r], ms, bs, offsets, TP, TB, P, B)
        status[r] = _lifted_normal(G, axes, P, ms[fam], B, bs[fam], d, gamma, compiled, V, u)
        if status[r] == OK:
            out[r] = u
    return out, status


@numba.njit(cache=True, parallel=True)
def _uncertain_subsets(G, axes, ms, bs, offsets, TP, TB, d, gamma, compiled, first, last, ranks, fill, out,
                       counts):
    """Count (``fill`` False) or list into ``out`` at per-block offsets ``counts`` (``fill``
    True) the subsets at positions first[b] … last[b] − 1 of every block b (ranks, or positions
    into ``ranks``) whose direction is UNCERTAIN; no sweep over the points
    (:func:`ganet.numeric.oracles.resolution.list_uncertain`)."""
    D = G.shape[1]
    found = np.zeros(first.shape[0], dtype=np.int64)
    n_axes = TB.shape[0] - 1
    listed = ranks.shape[0] > 0
    for blk in numba.prange(first.shape[0]):
        if first[blk] >= last[blk]:
            continue
        V = np.empty((D - 1, D))
        u = np.empty(D)
        P = np.empty(D, dtype=np.int64)
        B = np.empty(D, dtype=np.int64)
        i = first[blk]
        t = ranks[i] if listed else i
        fam = unrank_subset(t, ms, bs, offsets, TP, TB, P, B)
        while True:
            if _lifted_normal(G, axes, P, ms[fam], B, bs[fam], d, gamma, compiled, V, u) == UNCERTAIN:
                if fill:
                    out[counts[blk] + found[blk]] = t
                found[blk] += 1
            i += 1
            if i >= last[blk]:
                break
            t, fam = step_subset(i, listed, ranks, fam, ms, bs, offsets, TP, TB, P, B, n_axes, G.shape[0])
    return found


@dataclass(frozen=True)
class LiftedNeuron:
    """A column of a :class:`LiftedDictionary` as a deep neuron, in the coordinates of X.

    Attributes
    ----------
    family : LiftedFamily
    direction : ndarray, shape (d,)
        The first-layer weight w (‖w‖₁ = 1).
    params : ndarray, shape (q,)
        π, in the units of X (e.g. c, δ₂, … for the |·| chain: biases b₁ = −c, b_l = −δ_l).
    kind : int
    generators : tuple
        ``("x", i, τ)`` (a kink of type τ at training point i), ``("e", k)`` (1-based axis) and
        ``("π", name)`` (that parameter is 0).
    kink_planes : tuple of (float, tuple)
        The parallel breakplanes xᵀw = value of the feature's kinks, each with the training
        indices lying on it.
    formula : str
    """

    family: object
    direction: np.ndarray
    params: np.ndarray
    kind: int
    generators: tuple
    kink_planes: tuple
    formula: str

    @property
    def special_samples(self):
        """Training indices whose kink conditions define the neuron."""
        return tuple(sorted({g[1] for g in self.generators if g[0] == "x"}))

    def __call__(self, X):
        """The feature's values at the rows of X."""
        return self.family.evaluate(X, self.direction, self.params, self.kind)


class LiftedDictionary(PricingEngine):
    """The dictionary of a deep family over training inputs X (p = 1), matrix-free.

    Parameters
    ----------
    X : array_like, shape (n, d)
    family : LiftedFamily
    memory_limit : int, optional
    kernel : {"compiled", "generic"}
    n_blocks, n_groups : int
        Pricing tasks per pass and round-robin groups (as for the streaming two-layer oracle).
    progress : bool

    Attributes
    ----------
    n_subsets : int
    n_columns : int
        2 · kinds · n_subsets (subsets without a direction are zero columns).
    passes : list of PricingPass

    Passes, budgets, Dask and local rounds are the :class:`~ganet.numeric.oracles.engine.PricingEngine`'s.
    """

    _kernel = staticmethod(_price_lifted)

    def __init__(self, X, family, memory_limit=None, kernel="compiled", n_blocks=64,
                 n_groups=ROUND_ROBIN_GROUPS, progress=False):
        from ..geometry.ga import use_compiled

        X = as_finite_array(X, "X", ndim=2)
        n, d = X.shape
        if n < 1 or d < 1:
            raise ValueError(f"X must have at least one row and one column; got shape {X.shape}")
        self.X, self.family = X, family
        self.memory_limit = check_memory_limit(memory_limit)
        self.compiled = use_compiled(kernel)
        # translation-invariant families are centred (the first parameter absorbs the shift)
        norm = normalization(X, centre=family.name != "relu3")
        self.shift, self.scale = norm.shift, norm.scale
        self.Xr = np.ascontiguousarray(norm.apply(X))
        self._XT = np.ascontiguousarray(self.Xr.T)  # the pass kernel's point-inner loops read rows of Xrᵀ
        T, q = len(family.kappa), family.q
        self.D = d + q
        self.G = np.ascontiguousarray(np.hstack([np.repeat(self.Xr, T, axis=0),
                                                 np.tile(family.kappa, (n, 1))]))
        self.axes = np.array(list(range(d)) + [d + l for l in family.param_axes], dtype=np.int64)
        index = SubsetIndex(len(self.G), len(self.axes), _blocks(len(self.G), len(self.axes), self.D - 1))
        self._init_engine(index, n_blocks, n_groups, progress)
        self.columns_per_subset = 2 * family.kinds
        self.n_columns = 2 * family.kinds * self.n_subsets
        # γ of the accuracy test, times how far the data sit from the origin against their spread:
        # a direction error ε moves a feature by ε·‖x‖, but the features of data at distance ρ·spread
        # from the origin vary by about the spread only (1 for the centred families; for relu3 at
        # X + 10⁶ with unit spread, 10⁶: there a 10⁻⁸-accurate direction gave features wrong by 1%
        # and a false certificate, so such subsets are resolved exactly instead)
        spread = float(np.abs(self.Xr - self.Xr.mean(axis=0)).max(initial=0.0))
        offset = float(np.abs(self.Xr).max(initial=0.0)) / spread if spread > 0 else 1.0
        self.gamma = cross_error_factor(self.D, self.compiled) * max(1.0, offset)

    # ---- columns ----------------------------------------------------------------------------
    def _decode(self, columns):
        cols = np.asarray(columns, dtype=np.int64).reshape(-1)
        if cols.size and (cols.min() < 0 or cols.max() >= self.n_columns):
            raise ValueError(f"column indices must lie in 0..{self.n_columns - 1}")
        kinds = self.family.kinds
        return cols // (2 * kinds), (cols // kinds) % 2, cols % kinds

    def _directions(self, ranks):
        """(U, ok): the normalized lifted normals of subsets ``ranks`` and whether each is a
        neuron, the uncertain ones from their exact resolution."""
        ranks = np.asarray(ranks, dtype=np.int64).reshape(-1)
        U, status = _lifted_directions(self.G, self.axes, *self.index.arrays,
                                       self.X.shape[1], self.gamma, self.compiled, ranks)
        ok = status == OK
        unsure = np.flatnonzero(status == UNCERTAIN)
        if unsure.size:
            self.resolution.resolve(ranks[unsure])
            r_ranks, r_U = self.resolution.select(ranks[unsure])
            found = np.isin(ranks[unsure], r_ranks)  # the neurons among them
            U[unsure[found]] = r_U[np.searchsorted(r_ranks, ranks[unsure][found])]
            ok[unsure[found]] = True
        return U, ok

    # ---- exact resolution (:mod:`ganet.numeric.oracles.resolution`) ----------------------------
    # Far from the origin (bias-free families cannot centre) many vertices have directions that
    # are small against their generators; dropping them, as a fixed relative threshold did, lost
    # neurons of the optimum and made the certificate false. Each such subset's cross product is
    # recomputed in rational arithmetic on the float generators: it is a neuron exactly when the
    # exact direction w is nonzero, and then gets the correctly rounded normal (a row of U,
    # scaled to ‖u[:d]‖₁ = 1 in normalized coordinates).
    _uncertain_kernel = staticmethod(_uncertain_subsets)

    @property
    def _resolved_width(self):
        return self.D

    def _uncertain_args(self):
        return (self.G, self.axes, *self.index.arrays, self.X.shape[1], self.gamma, self.compiled)

    def _exact(self, ranks):
        """(ranks, U) of the subsets ``ranks`` whose exact direction is nonzero."""
        d, D = self.X.shape[1], self.D
        P = np.empty(D, dtype=np.int64)
        B = np.empty(D, dtype=np.int64)
        rows = {}
        keep, U = [], []
        for t in ranks:
            blk = unrank_subset(int(t), *self.index.arrays, P, B)
            V = []
            for g in P[:self.index.ms[blk]]:
                if g not in rows:
                    rows[g] = [Fraction(float(v)) for v in self.G[g]]
                V.append(rows[g])
            for a in B[:self.index.bs[blk]]:
                V.append([Fraction(int(k == self.axes[a])) for k in range(D)])
            u = exact_cross(V)
            if u is None:
                continue
            norm = sum(abs(c) for c in u[:d])
            if norm == 0:
                continue
            keep.append(int(t))
            U.append([float(c / norm) for c in u])
        return np.array(keep, dtype=np.int64), np.array(U, dtype=float).reshape(len(keep), D)

    def _price_resolved(self, R2, lam, scale, exclude, r_ranks, U):
        """Scores and violators of the resolved subsets ``r_ranks`` (normals U), in normalized
        units: (best score, priorities, columns, count priced)."""
        d, kinds = self.X.shape[1], self.family.kinds
        best, pri, cols = 0.0, [], []
        for j, t in enumerate(r_ranks):
            proj = self.Xr @ U[j, :d]
            for sgn in range(2):
                flip = 1.0 - 2.0 * sgn
                for kind in range(kinds):
                    vals = _apply(self.family.code, flip * proj, flip * U[j, d:], kind)
                    score = float(np.linalg.norm(vals @ R2))
                    if not np.isfinite(score):
                        raise FloatingPointError("pricing produced NaN or infinite scores; no certificate")
                    best = max(best, score)
                    col, norm = (2 * int(t) + sgn) * kinds + kind, float(np.linalg.norm(vals))
                    if score > lam and norm > 0 and col not in exclude:
                        pri.append((score / scale - lam) / norm)
                        cols.append(col)
        return best, np.array(pri, dtype=float), np.array(cols, dtype=np.int64), len(r_ranks)

    def transform(self, X, columns):
        """Column values at new inputs: φ(xᵀw; π) in the units of X."""
        X = as_finite_array(X, "X", ndim=2)
        if X.shape[1] != self.X.shape[1]:
            raise ValueError(f"X must have {self.X.shape[1]} columns; got {X.shape[1]}")
        ranks, signs, kinds = self._decode(columns)
        need = X.shape[0] * len(ranks) * 8
        if need > self.memory_limit:
            raise MemoryLimitError(f"materializing {len(ranks):,} columns at {X.shape[0]:,} points needs "
                                   f"{need:,} bytes, over memory_limit = {self.memory_limit:,}")
        U, ok = self._directions(ranks)
        d = self.X.shape[1]
        flip = (1.0 - 2.0 * signs)[:, None]
        W, P = U[:, :d] * flip, U[:, d:] * flip
        Z = np.ascontiguousarray((X - self.shift) / self.scale) @ W.T
        out = np.zeros((X.shape[0], len(ranks)), order="F")
        for j in np.flatnonzero(ok):
            out[:, j] = _apply(self.family.code, np.ascontiguousarray(Z[:, j]), P[j], int(kinds[j]))
        out *= self.scale
        return out

    def materialize(self, columns=None):
        """The dense block K[:, columns] at the training inputs."""
        cols = np.arange(self.n_columns) if columns is None else columns
        return self.transform(self.X, cols)

    def describe(self, j):
        """Column j as a :class:`LiftedNeuron` (direction, parameters and kink planes in the
        coordinates of X)."""
        (t,), (s,), (kind,) = self._decode([j])
        U, ok = self._directions([t])
        d, fam = self.X.shape[1], self.family
        flip = 1.0 - 2.0 * s
        w, prm = flip * U[0, :d], flip * U[0, d:] * self.scale
        if fam.name != "relu3":  # undo the centring: the first parameter absorbs x ↦ x − shift
            prm = prm.copy()
            prm[0] += (1.0 if fam.name.startswith("abs") else -1.0) * float(self.shift @ w)
        P = np.empty(self.D, dtype=np.int64)
        B = np.empty(self.D, dtype=np.int64)
        blk = unrank_subset(t, *self.index.arrays, P, B)
        T = len(fam.kappa)
        gens = tuple(("x", int(g) // T, int(g) % T) for g in P[:self.index.ms[blk]])
        gens += tuple(("e", int(self.axes[a]) + 1) if self.axes[a] < d else ("π", fam.param_names[self.axes[a] - d])
                      for a in B[:self.index.bs[blk]])
        planes = _kink_planes(fam, self.X, w, prm) if ok[0] else ()
        return LiftedNeuron(fam, w, prm, int(kind), gens, planes, _formula(fam, w, prm, int(kind)))

    # ---- pricing (the passes are the engine's) ---------------------------------------------------
    def _kernel_args(self, R2, cells=None):
        fam = self.family
        return self.Xr, self._XT, self.G, self.axes, R2, self.gamma, self.compiled, fam.code, fam.kinds

    def _subset_cost(self, n_outputs):
        return self.X.shape[0] * (self.D + 2 * self.family.kinds * (2 + n_outputs))

    def column_norm_bound(self):
        """No finite bound: a vertex may put its kinks far outside the data, where the feature
        is large on every point. The solver then certifies by one more pass when needed."""
        return np.inf

    def __repr__(self):
        return (f"LiftedDictionary({self.family.name}, n={self.X.shape[0]}, d={self.X.shape[1]}, "
                f"n_columns={self.n_columns:,})")


@numba.njit(cache=True)
def _apply(code, t, params, kind):
    """φ(t; π) at every entry of t."""
    out = np.empty(t.shape[0])
    for i in range(t.shape[0]):
        out[i] = phi(code, t[i], params, kind)
    return out


def _kink_planes(family, X, w, params):
    """The breakplanes xᵀw = value of the feature's kinks, with the training points on each."""
    values = []
    for row in family.kappa:  # the kink of type τ is where xᵀw = −κ_τ·π
        values.append(-float(row @ params))
    t = X @ w
    tol = 1e-9 * max(1.0, float(np.abs(t).max(initial=0.0)))
    planes = []
    for v in sorted(set(np.round(values, 12))):
        on = tuple(int(i) for i in np.flatnonzero(np.abs(t - v) <= tol))
        planes.append((float(v), on))
    return tuple(planes)


def _linear(w, offset):
    """'2·x1 − 0.5·x2 + 0.3': the affine form xᵀw + offset, signs folded into the terms."""
    terms = [(c, f"x{q + 1}") for q, c in enumerate(w) if c != 0] + ([(offset, "")] if offset else [])
    out = ""
    for k, (c, name) in enumerate(terms):
        mag = f"{abs(c):.4g}" + (f"·{name}" if name and abs(c) != 1 else name if name else "")
        if name and abs(c) == 1:
            mag = name
        out += ("−" if c < 0 else "") + mag if k == 0 else (" − " if c < 0 else " + ") + mag
    return out or "0"


def _formula(family, w, params, kind):
    """The feature as a formula, e.g. '||x1 − 0.5| − 1.2|' or '((x1 − x2)₊ − 0.3)₊'."""
    if family.name.startswith("abs"):
        lead = w[np.flatnonzero(w)[0]] if np.any(w) else 1.0
        s = 1.0 if lead > 0 else -1.0  # |−t + c| = |t − c|: write the leading coefficient positive
        expr = f"|{_linear(s * w, -s * params[0])}|"
        for delta in params[1:]:
            expr = f"|{expr} {'−' if delta >= 0 else '+'} {abs(delta):.4g}|"
        return expr
    h = f"({_linear(w, params[0] if family.name == 'relu3_bias' else 0.0)})₊"
    tau = params[-1]
    if kind == 0:
        return f"({h} {'−' if tau >= 0 else '+'} {abs(tau):.4g})₊"
    return f"({tau:.4g} − {h})₊"
