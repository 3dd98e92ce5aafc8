r"""The two-layer Lasso dictionaries of P23, Theorems 1–5 and 14, as column oracles.

A column is a hyperplane feature. With an anchor a (the origin, or a training point x_k) and a
generator subset S = (v₁,…,v_{d−1}), w_S = ×(S) = ⋆(v₁ ∧ ⋯ ∧ v_{d−1}) and

.. math::  K_{:, (S,\pm)} = \frac{\big(\pm (X - 1a^\top)\, w_S\big)_+}{\|w_S\|_p}
           = \Big(\pm\frac{\star((x_i - a)\wedge v_1\wedge\dots\wedge v_{d-1})}{\|v_1\wedge\dots\wedge v_{d-1}\|_p}\Big)_+ .

======================  ===  ===========  ==================================================
family                  p    anchors      generators
======================  ===  ===========  ==================================================
no bias                 1    origin       rows of X and e₁…e_d (the augmented X̃), Thm 2 and 4
no bias                 2    origin       rows of X, Thm 5 (≤ p*/(1−ε))
bias                    1    x_k          {xᵢ − x_k} and e₁…e_d (exact; d = 1: Thm 1's ramps)
bias                    2    x_k          {xᵢ − x_k}: breakplane = Aff of d points, Thm 3 and 5
======================  ===  ===========  ==================================================

Each hyperplane is listed once: a biased hyperplane through the points P = (i₀ < i₁ < ⋯) is
anchored at its smallest index i₀ (the other anchors give the same column). Linearly dependent
subsets (w_S = 0) give zero columns and are skipped. Column ``j`` is hyperplane ``j // 2`` with sign
``+`` for even j and ``−`` for odd j.

A hyperplane is stored as a row ``[anchor, g₁, …, g_{d−1}]`` of ids into the generator table
``[X; e₁ … e_d]`` (anchor −1 is the origin; a data generator of a biased row means xᵢ − anchor),
so one numba kernel serves all four families.

For p = 2 and rank(X) = r < d (affine rank for biased networks) the data are first reduced to r
coordinates by an SVD, which preserves the ℓ₂ norms of the neurons (Lemma 23); neurons are mapped
back. For p = 1 no reduction is needed or allowed: the ℓ₁ norm is not rotation invariant, and the
augmented generators e₁…e_d already make every dual extreme point reachable.

Internally every oracle works in normalized coordinates Xr = (X − shift)/σ: biased families are
translation invariant, so X is centred (at a mean rounded to the data's own binary grid, which
keeps integer data integer), and σ is a power of two near max|X − shift| (an exact scaling). A
column of X is σ times the column of Xr; every public method returns values in the units of X.
Degenerate hyperplanes are decided without any absolute tolerance (:mod:`ganet.numeric.geometry.normals`).
"""

import time
from dataclasses import dataclass
from math import comb

import numba
import numpy as np

from ..geometry import SCORE_BLOCK, score_closed_form
from ..geometry.ga import use_compiled
from ..geometry.normalization import normalization
from ..geometry.normals import certified_normals, cross_error_factor, exact_grid
from ..runtime.interrupts import deferred_interrupt
from ..runtime.memory import MemoryLimitError, check_memory_limit
from ..runtime.validation import as_finite_array
from .combinations import SubsetIndex, sorted_unique, unrank_subset
from .engine import as_residual, finite_scores, round_robin
from .protocol import ColumnOracle, PricingPass

__all__ = ["Dictionary", "Hyperplane", "count_hyperplanes"]

_REGS = {"l1": 1, "l2": 2, 1: 1, 2: 2}



def _reg_to_p(reg):
    try:
        return _REGS[reg]
    except (KeyError, TypeError):
        raise ValueError(f"reg must be 'l1' or 'l2'; got {reg!r}") from None


def _subset_counts(n, d, p, bias):
    """(number of data generators m, number of basis generators) pairs of the family."""
    if bias:  # m = number of points including the anchor
        return [(m, d - m) for m in range(d, 0, -1) if p == 1 or m == d]
    return [(m, d - 1 - m) for m in range(d - 1, -1, -1) if p == 1 or m == d - 1]


def count_hyperplanes(n, d, reg="l1", bias=True):
    """Number of hyperplanes (before dropping degenerate ones); the dictionary has twice as many
    columns. E.g. no bias, p = 1: Σ_m C(n, m) C(d, d−1−m) = C(n + d, d − 1)."""
    p = _reg_to_p(reg)
    return sum(comb(n, m) * comb(d, b) for m, b in _subset_counts(n, d, p, bias))


class HyperplaneIndex(SubsetIndex):
    """The hyperplanes of a family, addressed by a global rank t without enumerating them.

    The hyperplanes come in blocks, one per split of the d − 1 generators into m data generators
    and b axes e_q (``_subset_counts``). In a block, t = offset + rank(P)·C(d, b) + rank(B) with
    P the data subset (with bias: the points, the anchor being the smallest) and B the axis
    subset, ranked in colex order (:class:`~ganet.numeric.oracles.combinations.SubsetIndex`).

    Attributes
    ----------
    n_hyperplanes : int
    """

    def __init__(self, n, d, p, bias):
        super().__init__(n, d, _subset_counts(n, d, p, bias))
        self.n_hyperplanes = self.n_subsets
        self.n, self.d, self.bias = n, d, bool(bias)

    def rows(self, ids):
        """Rows ``[anchor, g₁, …, g_{d−1}]`` (ids into ``[X; e₁ … e_d]``) of hyperplanes ``ids``."""
        ids = np.asarray(ids, dtype=np.int64).reshape(-1)
        if ids.size and (ids.min() < 0 or ids.max() >= self.n_hyperplanes):
            raise ValueError(f"hyperplane ids must lie in 0..{self.n_hyperplanes - 1}")
        return _rows(ids, self.n, self.d, self.bias, *self.arrays)


@numba.njit(cache=True)
def _rows(ids, n, d, bias, ms, bs, offsets, TP, TB):
    H = np.empty((ids.shape[0], d), dtype=np.int32)
    P = np.empty(d, dtype=np.int64)
    B = np.empty(d, dtype=np.int64)
    for r in range(ids.shape[0]):
        blk = unrank_subset(ids[r], ms, bs, offsets, TP, TB, P, B)
        m, b = ms[blk], bs[blk]
        col = 0
        if not bias:
            H[r, 0] = -1
            col = 1
        for i in range(m):
            H[r, col] = P[i]
            col += 1
        for j in range(b):
            H[r, col] = n + B[j]
            col += 1
    return H


@numba.njit(cache=True, inline="always")
def plane_row(P, m, B, b, bias, n, row):
    """The hyperplane row [anchor, g₁, …] (ids into [X; e₁ … e_d]) of data subset P[:m], axes B[:b]."""
    col = 0
    if not bias:
        row[0] = -1
        col = 1
    for i in range(m):
        row[col] = P[i]
        col += 1
    for j in range(b):
        row[col] = n + B[j]
        col += 1


@numba.njit(cache=True, fastmath={"reassoc", "contract", "nsz"})
def _score_block_generic(XT, r, W, off, cnt, out, zbuf):
    """The sums of :func:`ganet.numeric.geometry._generated.score_d2` & co. for any d, one plane at a time."""
    d, n = XT.shape
    for j in range(cnt):
        for i in range(n):
            zbuf[i] = -off[j]
        for q in range(d):
            wq = W[j, q]
            for i in range(n):
                zbuf[i] += XT[q, i] * wq
        p1 = 0.0
        n1 = 0.0
        p2 = 0.0
        n2 = 0.0
        for i in range(n):
            z = zbuf[i]
            zp = max(z, 0.0)
            zn = zp - z
            p1 += r[i] * zp
            n1 += r[i] * zn
            p2 += zp * zp
            n2 += zn * zn
        out[j, 0] = p1
        out[j, 1] = n1
        out[j, 2] = p2
        out[j, 3] = n2


@numba.njit(cache=True)
def _plane_sums(X, XT, W, c, R, r, out, norms, lo, hi):
    """For hyperplanes t in [lo, hi) and outputs k, with z = X wₜ − cₜ: out[2t, k] = Σᵢ Rᵢₖ (zᵢ)₊,
    out[2t + 1, k] = Σᵢ Rᵢₖ (−zᵢ)₊ (that is, K_{2t}ᵀR and K_{2t+1}ᵀR without storing K), and
    norms[2t], norms[2t + 1] = ‖(z)₊‖₂, ‖(−z)₊‖₂ (when ``norms`` is not empty). With at most one
    output (``r`` = that output, contiguous, or zeros), blocks of hyperplanes go through the fused
    generated kernel (:func:`ganet.numeric.geometry._generated.score_closed_form`)."""
    n, d = X.shape
    m = R.shape[1]
    with_norms = norms.shape[0] > 0
    if m <= 1:
        sums = np.empty((SCORE_BLOCK, 4))
        block_w = np.zeros((SCORE_BLOCK, d))
        block_c = np.zeros(SCORE_BLOCK)
        zbuf = np.empty(n)
        for t0 in range(lo, hi, SCORE_BLOCK):
            cnt = min(SCORE_BLOCK, hi - t0)
            block_w[:] = 0.0
            block_c[:] = 0.0
            block_w[:cnt] = W[t0:t0 + cnt]
            block_c[:cnt] = c[t0:t0 + cnt]
            if not score_closed_form(XT, r, block_w, block_c, sums):
                _score_block_generic(XT, r, block_w, block_c, cnt, sums, zbuf)
            for j in range(cnt):
                t = t0 + j
                if m == 1:
                    out[2 * t, 0] = sums[j, 0]
                    out[2 * t + 1, 0] = sums[j, 1]
                if with_norms:
                    norms[2 * t] = np.sqrt(sums[j, 2])
                    norms[2 * t + 1] = np.sqrt(sums[j, 3])
        return
    for t in range(lo, hi):
        pos = 0.0
        neg = 0.0
        for i in range(n):
            z = -c[t]
            for q in range(d):
                z += X[i, q] * W[t, q]
            if z > 0.0:
                pos += z * z
                for k in range(m):
                    out[2 * t, k] += R[i, k] * z
            elif z < 0.0:
                neg += z * z
                for k in range(m):
                    out[2 * t + 1, k] -= R[i, k] * z
        if with_norms:
            norms[2 * t] = np.sqrt(pos)
            norms[2 * t + 1] = np.sqrt(neg)


@numba.njit(cache=True, parallel=True)
def _plane_sums_parallel(X, XT, W, c, R, r, out, norms, n_blocks):
    N = W.shape[0]
    size = (N + n_blocks - 1) // n_blocks
    for b in numba.prange(n_blocks):
        _plane_sums(X, XT, W, c, R, r, out, norms, b * size, min(N, (b + 1) * size))


# Point × hyperplane products below which a stored-dictionary pass runs on one thread: a parallel
# region costs a barrier, and on a busy machine a descheduled thread makes every barrier wait
# (measured: a small parallel kernel called a few hundred times per fit took 4.4 s instead of
# 0.17 s beside two busy processes).
_PARALLEL_WORK = 5e7


def _plane_pass(X, W, c, R, with_norms):
    """(KᵀR, column norms or None) of the stored hyperplanes (W, c), serial or parallel by size."""
    out = np.zeros((2 * W.shape[0], R.shape[1]))
    norms = np.zeros(2 * W.shape[0] if with_norms else 0)
    XT = np.ascontiguousarray(X.T)
    r = np.ascontiguousarray(R[:, 0]) if R.shape[1] == 1 else np.zeros(X.shape[0])
    with deferred_interrupt():
        if W.shape[0] * X.shape[0] < _PARALLEL_WORK:
            _plane_sums(X, XT, W, c, R, r, out, norms, 0, W.shape[0])
        else:
            _plane_sums_parallel(X, XT, W, c, R, r, out, norms, 64)
    return out, (norms if with_norms else None)


@dataclass(frozen=True)
class Hyperplane:
    """Description of one dictionary column as a neuron direction.

    Attributes
    ----------
    anchor : int or None
        Training index the breakplane is anchored at (None: through the origin).
    generators : tuple
        Labels ``("x", i)``, ``("x-x", i, k)`` (= xᵢ − x_k, k the anchor) or ``("e", q)`` (1-based axis).
    sign : int
        +1 or −1, the ± of the column.
    direction : ndarray
        Unit-p-norm neuron direction ±w_S/‖w_S‖_p in the original coordinates.
    offset : float
        The bias of the unit neuron, −aᵀ direction.
    formula : str
        E.g. ``⋆(x3 ∧ x7)`` or ``−⋆((x7 − x3) ∧ e1)``; indices are 0-based rows of X.
    """

    anchor: object
    generators: tuple
    sign: int
    direction: np.ndarray
    offset: float
    formula: str

    @property
    def special_samples(self):
        """The training indices the breakplane passes through."""
        return special_samples(self.anchor, self.generators)


def neuron_formula(generators, sign):
    """``⋆(x3 ∧ x7)``, ``−⋆((x7 − x3) ∧ e1)``: a neuron written with its generator labels."""
    names = [f"e{g[1]}" if g[0] == "e" else f"x{g[1]}" if g[0] == "x" else f"(x{g[1]} − x{g[2]})"
             for g in generators]
    blade = " ∧ ".join(names) if names else "1"
    return ("" if sign > 0 else "−") + (f"⋆({blade})" if len(names) > 1 else f"⋆{blade}")


def special_samples(anchor, generators):
    """Training indices a breakplane passes through: its anchor and its data generators."""
    idx = [] if anchor is None else [anchor]
    return tuple(idx + [g[1] for g in generators if g[0] in ("x", "x-x")])


class TwoLayerOracle(ColumnOracle):
    """What every two-layer dictionary provides beyond the :class:`~ganet.numeric.oracles.protocol.ColumnOracle`
    protocol: normalized coordinates, its columns at any inputs (:meth:`transform`) and their
    description as hyperplanes. Subclasses say where hyperplanes come from (``_planes``) and price.

    Parameters
    ----------
    X : array_like, shape (n, d)
        Training inputs.
    reg : {"l1", "l2"}
        The p of the neurons' ‖u‖_p² regularization.
    bias : bool
        Whether neurons have biases (anchors at the training points).
    memory_limit : int, optional
        Bytes the oracle may allocate at once; default 4 GiB.
    kernel : {"compiled", "generic"}
        Cross products by the closed forms of :mod:`ganet.symbolic.codegen` (d ≤ 6; generic
        beyond) or by LU cofactors everywhere.
    """

    def __init__(self, X, reg="l1", bias=True, memory_limit=None, rank_tol=1e-10, kernel="compiled"):
        X = as_finite_array(X, "X", ndim=2)
        n, d = X.shape
        if n < 1 or d < 1:
            raise ValueError(f"X must have at least one row and one column; got shape {X.shape}")
        self.X, self.p, self.bias = X, _reg_to_p(reg), bool(bias)
        self.memory_limit = check_memory_limit(memory_limit)
        self.compiled = use_compiled(kernel)
        self._normalize(rank_tol)
        dr = self.Xr.shape[1]
        self.n_hyperplanes = count_hyperplanes(n, dr, self.p, self.bias) if dr > 0 else 0
        self.exact = exact_grid(self.Xr, self.compiled)
        self.gamma = cross_error_factor(dr, self.compiled)

    def _normalize(self, rank_tol):
        """Xr = ((X − shift) [· basis]) / scale: centred for biased families, reduced to the
        (affine) rank for p = 2 (Lemma 23), scaled by a power of two (exactly)."""
        X = self.X
        self.shift = normalization(X, centre=self.bias).shift
        self.basis = None
        Xc = X - self.shift
        if self.p == 2:  # the (affine) rank, of the exactly centred data
            centre = X.mean(axis=0) if self.bias else np.zeros(X.shape[1])
            _, s, Vt = np.linalg.svd(X - centre, full_matrices=False)
            r = int(np.sum(s > rank_tol * max(s[0] if s.size else 0.0, 1e-300))) if s.size else 0
            if r < X.shape[1]:
                self.shift, self.basis = centre, Vt[:r].T
                Xc = (X - centre) @ self.basis
        self.scale = normalization(Xc, centre=False).scale
        self.Xr = np.ascontiguousarray(Xc / self.scale)

    def _planes(self, t):
        """Rows of H, unit normals W and offsets c of hyperplanes t."""
        raise NotImplementedError

    def _coords(self, X):
        """Inputs in the oracle's normalized coordinates."""
        Xc = X - self.shift
        return (Xc if self.basis is None else Xc @ self.basis) / self.scale

    def _columns(self, columns):
        cols = np.arange(self.n_columns) if columns is None else np.asarray(columns, dtype=np.int64)
        if cols.size and (cols.min() < 0 or cols.max() >= self.n_columns):
            raise ValueError(f"column indices must lie in 0..{self.n_columns - 1}")
        return cols

    def transform(self, X, columns=None):
        """Column values at new inputs: ``transform(X)[:, k] = (sₖ (x − aₖ)ᵀ wₖ)₊ / ‖wₖ‖_p``."""
        X = as_finite_array(X, "X", ndim=2)
        if X.shape[1] != self.X.shape[1]:
            raise ValueError(f"X must have {self.X.shape[1]} columns; got {X.shape[1]}")
        cols = self._columns(columns)
        need = X.shape[0] * len(cols) * 8
        if need > self.memory_limit:
            raise MemoryLimitError(f"materializing {len(cols):,} columns at {X.shape[0]:,} points needs "
                                   f"{need:,} bytes, over memory_limit = {self.memory_limit:,}; price "
                                   "columns instead (the working-set solver never materializes the "
                                   "full dictionary)")
        _, W, c = self._planes(cols // 2)
        sign = 1.0 - 2.0 * (cols % 2)
        # one allocation, filled in place (Fortran order: each column contiguous, as the solvers
        # read them); temporaries of this size cost more in page faults than in arithmetic
        Z = ((W * sign[:, None]) @ self._coords(X).T).T
        Z -= c * sign
        np.maximum(Z, 0.0, out=Z)
        Z *= self.scale
        return Z

    def materialize(self, columns=None):
        """The dense block K[:, columns] (all columns by default) at the training inputs."""
        return self.transform(self.X, columns)

    def describe(self, j):
        """Column j as a neuron: anchor, generator labels, direction, offset and formula."""
        if not 0 <= j < self.n_columns:
            raise ValueError(f"column index {j} outside 0..{self.n_columns - 1}")
        t, sign = j // 2, 1 - 2 * (j % 2)
        H, W, _ = self._planes(np.array([t]))
        row = H[0]
        n = self.X.shape[0]
        anchor = None if row[0] < 0 else int(row[0])
        gens = tuple(("e", int(g) - n + 1) if g >= n else ("x", int(g)) if anchor is None
                     else ("x-x", int(g), anchor) for g in row[1:])
        w = sign * W[0]
        direction = w if self.basis is None else self.basis @ w
        offset = -float(self.X[anchor] @ direction) if anchor is not None else 0.0
        return Hyperplane(anchor, gens, int(sign), direction, offset, neuron_formula(gens, sign))

    def column_norm_bound(self):
        """An upper bound on ‖K_j‖₂ over every column of the dictionary (in the units of X).

        A column is (±(X − 1aᵀ)ŵ)₊ with ‖ŵ‖_p = 1, so |K_ij| ≤ ‖xᵢ − a‖_q (q the dual norm of p)
        ≤ ‖xᵢ − m‖_q + ‖a − m‖_q for the centre m of the normalized coordinates, and
        ‖K_j‖₂ ≤ (Σᵢ (‖xᵢ − m‖_q + ρ)²)^{1/2} with ρ = maxₐ‖a − m‖_q (0 without bias): O(nd).
        """
        if getattr(self, "_norm_bound", None) is None:
            radii = np.linalg.norm(self.Xr, ord=np.inf if self.p == 1 else 2, axis=1)
            rho = float(radii.max(initial=0.0)) if self.bias else 0.0
            self._norm_bound = (1 + 1e-12) * self.scale * float(np.sqrt(np.sum((radii + rho) ** 2)))
        return self._norm_bound

    def __repr__(self):
        return (f"{type(self).__name__}(n={self.X.shape[0]}, d={self.X.shape[1]}, p={self.p}, "
                f"bias={self.bias}, n_columns={getattr(self, 'n_columns', 0):,})")


class Dictionary(TwoLayerOracle):
    """Two-layer dictionary with its hyperplane table in memory (see the module docstring and
    :class:`TwoLayerOracle` for the parameters); degenerate hyperplanes are dropped.

    Attributes
    ----------
    n_columns : int
        Number of (non-degenerate) columns, both signs.
    nbytes_materialized : int
        Bytes of the dense n × n_columns float64 matrix.
    """

    def __init__(self, X, reg="l1", bias=True, memory_limit=None, rank_tol=1e-10, kernel="compiled"):
        super().__init__(X, reg, bias, memory_limit, rank_tol, kernel)
        (n, _), dr, n_hyper = self.X.shape, self.Xr.shape[1], self.n_hyperplanes
        need = table_bytes(n_hyper, dr)
        if need > self.memory_limit:
            raise MemoryLimitError(
                f"the {'biased' if bias else 'bias-free'} p = {self.p} dictionary of n = {n}, d = {dr} "
                f"has {2 * n_hyper:,} columns; its hyperplane table needs {need:,} bytes "
                f"(dense: {n * 2 * n_hyper * 8:,} bytes), over memory_limit = {self.memory_limit:,}. "
                "Use StreamingDictionary (ConvexReLU does so by itself), reduce d (e.g. PCA), raise "
                "memory_limit, or sample columns.")
        if dr == 0:
            self.H, self.W, self.c = np.empty((0, 1), np.int32), np.empty((0, 0)), np.empty(0)
        else:
            H = HyperplaneIndex(n, dr, self.p, self.bias).rows(np.arange(n_hyper))
            self._keep_valid(H)
        self.n_columns = 2 * len(self.H)
        self.nbytes_materialized = n * self.n_columns * 8

    def _keep_valid(self, H):
        """Store the hyperplanes H that are not provably degenerate, with their normals."""
        W, c, valid = certified_normals(self.Xr, H, self.p, self.exact, self.gamma, self.compiled)
        self.H, self.W, self.c = H[valid], W[valid], c[valid]

    def _planes(self, t):
        return self.H[t], self.W[t], self.c[t]

    def correlations(self, R):
        """Kᵀ R for every column, computed hyperplane by hyperplane (K is never stored).

        Parameters
        ----------
        R : ndarray, shape (n,) or (n, c)

        Returns
        -------
        ndarray, shape (n_columns,) or (n_columns, c)
        """
        R = as_residual(R, self.X.shape[0])
        out, _ = _plane_pass(self.Xr, self.W, self.c, np.ascontiguousarray(R.reshape(len(R), -1)), False)
        out *= self.scale
        return out[:, 0] if R.ndim == 1 else out

    def column_norms(self):
        """‖K_j‖₂ of every column (computed once, cached)."""
        if getattr(self, "_norms", None) is None:
            empty = np.zeros((self.X.shape[0], 0))
            self._norms = _plane_pass(self.Xr, self.W, self.c, empty, True)[1] * self.scale
        return self._norms

    def price(self, R, lam=np.inf, k=0, scale=1.0, exclude=None, hyperplanes=None, deadline=None):
        """Price R over every column (or the columns of ``hyperplanes``, rows of the table) from
        :meth:`correlations`; see :meth:`ColumnOracle.price <ganet.numeric.oracles.protocol.ColumnOracle.price>`.
        The pass is one call, so ``deadline`` is never reached."""
        start = time.perf_counter()
        planes = np.arange(self.n_columns // 2) if hyperplanes is None else sorted_unique(hyperplanes)
        cols = np.stack([2 * planes, 2 * planes + 1], axis=1).ravel()
        R = as_residual(R, self.X.shape[0])
        G = self.correlations(R.reshape(len(R), -1))[cols] if cols.size else np.zeros((0, 1))
        scores = np.linalg.norm(G, axis=1)
        finite_scores(scores)
        candidates = scores > lam
        if exclude is not None and len(exclude):
            candidates[np.isin(cols, np.asarray(exclude, dtype=np.int64))] = False
        candidates = np.flatnonzero(candidates)
        norms = self.column_norms()[cols[candidates]] if candidates.size else np.zeros(0)
        priority = (scores[candidates] / scale - lam) / np.maximum(norms, 1e-300)
        order = round_robin(cols[candidates], priority, int(k), self.n_columns)
        return PricingPass(float(scores.max(initial=0.0)), cols[candidates][order].astype(np.int64),
                           priority[order], len(planes), time.perf_counter() - start, hyperplanes is None)



def table_bytes(n_hyperplanes, d):
    """Bytes of a stored hyperplane table: int32 rows, float64 normals, offsets and norms."""
    return n_hyperplanes * (d * 4 + (d + 2) * 8)

