r"""Bounds on whole cells of hyperplanes, so that a pricing pass skips what cannot violate.

A two-layer column is fixed by its unit normal w (‖w‖_p = 1) and offset c:
K_± = (±(X w − c))_+ in normalized coordinates. Let f be the *face* of w, the coordinate of
largest |w_f|, and write

.. math::  w = s\,u,\quad s = |w_f| = 1/\|u\|_p,\quad u_f = \pm 1,\ |u_q| \le 1,\qquad
           \tilde c = c / s .

The (u, c̃) of each signed face are cut into a grid of boxes, the **cells**: G intervals per free
coordinate of u, G_c intervals of c̃ ∈ [−C, C] (biased families, C = maxᵢ‖xᵢ‖₁ ≥ |c̃| because
the anchor is a training point; c̃ = 0 without bias). In a cell with centre (u⁰, c̃⁰) and
half-widths δ_q, δ_c every hyperplane has

.. math::  y_i = x_i^\top u - \tilde c \in [y^0_i - e_i,\ y^0_i + e_i],\qquad
           e_i = \sum_{q\ne f} |x_{iq}|\,\delta_q + \delta_c ,

and s ∈ [s_lo, s_hi], the reciprocals of the largest and smallest ‖u‖_p on the box. Points with
y⁰ᵢ > eᵢ are active in the + column throughout the cell (the set A), points with |y⁰ᵢ| ≤ eᵢ are
undecided (the set U), so

.. math::  K_+^\top r = s\Big(g^\top u - \Theta\,\tilde c + \sum_{i\in U} r_i (y_i)_+\Big),
           \qquad g = \sum_{i\in A} r_i x_i,\quad \Theta = \sum_{i\in A} r_i .

The linear part moves over the cell by at most Σ_q |g_q|δ_q + |Θ|δ_c (the cancellation in g
keeps this small, unlike a Lipschitz bound Σᵢ|rᵢ|eᵢ), and the undecided part lies between
Σ_{U, r<0} rᵢ(y⁰ᵢ + eᵢ) and Σ_{U, r>0} rᵢ(y⁰ᵢ + eᵢ). The − column is the same with y → −y. This
gives B(cell) ≥ max(|K₊ᵀr|, |K₋ᵀr|) for every hyperplane in the cell, at the cost of one column.

Every biased hyperplane passes through its anchor, a training point, so a cell with no undecided
point holds no biased hyperplane (its bound is 0).

A pass (:meth:`CellGrid.table`) bounds the cells coarse to fine: the cells of the coarsest grid,
then the 2^{d−1} (×2 with bias) halves of every cell whose bound is above λ, down to the finest
grid. The result is one bound per finest cell (that of its smallest bounded ancestor); the
pricing kernel computes each hyperplane's finest cell (:func:`cell_key`) and skips it when the
bound is ≤ λ: the column is then provably no violator, and the bound stands in for its score in
the pass's maximum, so the certificate still covers every column.

Rounding: the cells are widened by a relative 10⁻⁹ (a normal may fall an ulp outside its box),
and every bound carries the rounding error of its sums, 4(n + d + 8)·u·s_hi·Σᵢ|rᵢ|(|y⁰ᵢ| + eᵢ).
"""

import numba
import numpy as np

__all__ = ["CellGrid", "cell_key", "NO_CELLS"]

# Hyperplanes per finest cell: bounding a cell costs about as much as scoring four columns
# (measured: 1.5 ns per point and cell against 0.4 ns per point and hyperplane of the fused
# scoring kernel), so the bounds of all finest cells cost at most a quarter of the pass.
HYPERPLANES_PER_CELL = 16
# The finest grid's cells are kept in one dense float64 table: at most 32 MB.
MAX_CELLS = 1 << 22
# Coarser grids bounded before the finest (each halves G and G_c).
LEVELS = 3
# A finest grid coarser than this skips next to nothing (measured at the optimum: G = 16 under
# 3% of the hyperplanes on the smooth, planted and spiral benchmark cases; G = 32 at most 13% on
# the biased d = 3, n = 400 case at λ = 1 and 0.1, where the bounds then cost 7% more pricing).
MIN_G = 64
_U = np.finfo(np.float64).eps / 2
_WIDEN = 1.0 + 1e-9
_FAST = {"reassoc", "contract", "nsz"}  # lets LLVM vectorize the sums over points (~1e-16 relative)


@numba.njit(cache=True, inline="always")
def cell_key(w, offset, G, Gc, C):
    """The finest cell of the unit normal w and offset (−1: outside the grid, never skipped).

    The key is the mixed-radix number with digits 2f + [w_f < 0] (the signed face), then i_q =
    ⌊(u_q + 1)·G/2⌋ for the free coordinates q ≠ f in increasing order (radix G), then
    i_c = ⌊(c̃ + C)·G_c/(2C)⌋ (radix G_c).
    """
    d = w.shape[0]
    f = 0
    big = abs(w[0])
    for q in range(1, d):
        if abs(w[q]) > big:
            f = q
            big = abs(w[q])
    if not big > 0.0:
        return -1
    key = 2 * f + (1 if w[f] < 0.0 else 0)
    for q in range(d):
        if q != f:
            i = int((w[q] / big + 1.0) * (0.5 * G))
            key = key * G + min(max(i, 0), G - 1)
    ic = 0
    if Gc > 1:
        ct = offset / big
        if not (-C <= ct <= C):
            return -1
        ic = min(int((ct + C) * (0.5 * Gc / C)), Gc - 1)
    return key * Gc + ic


@numba.njit(cache=True, inline="always")
def _decode(key, d, G, Gc, idx):
    """(face, negative, i_c) of a cell key; the free coordinates' indices go to idx[q] (q ≠ f)."""
    ic = key % Gc
    rest = key // Gc
    span = 1
    for _ in range(d - 1):
        span *= G
    face2 = rest // span
    rest = rest % span
    f = face2 // 2
    for q in range(d - 1, -1, -1):
        if q != f:
            idx[q] = rest % G
            rest //= G
    return f, face2 % 2, ic


@numba.njit(cache=True, inline="always")
def _encode(f, negative, idx, ic, d, G, Gc):
    key = 2 * f + negative
    for q in range(d):
        if q != f:
            key = key * G + idx[q]
    return key * Gc + ic


@numba.njit(cache=True, inline="always", fastmath=_FAST)
def _bound_cell(XT, absXT, r, u0, delta, c0, half_c, s_lo, s_hi, bias, y0, e, rp, rn, ru):
    """The bound of one cell (module docstring), in branch-free sweeps over the points that LLVM
    vectorizes: the sets A₊, A₋ and U become the masked residuals rp, rn and ru."""
    d, n = XT.shape
    for i in range(n):
        y0[i] = -c0
        e[i] = half_c
    for q in range(d):
        uq, dq = u0[q], delta[q]
        for i in range(n):
            y0[i] += XT[q, i] * uq
            e[i] += absXT[q, i] * dq
    mass = 0.0
    undecided = 0.0
    for i in range(n):
        ri = r[i]
        rp[i] = ri if y0[i] > e[i] else 0.0
        rn[i] = ri if y0[i] < -e[i] else 0.0
        ru[i] = ri - rp[i] - rn[i]
        undecided += 1.0 if abs(y0[i]) <= e[i] else 0.0
        mass += abs(ri) * (abs(y0[i]) + e[i])
    if bias and undecided == 0.0:
        return 0.0  # no training point can lie on a hyperplane of this cell: it holds none
    lin_pos = 0.0
    lin_neg = 0.0
    theta_pos = 0.0
    theta_neg = 0.0
    und_pos_hi = 0.0
    und_pos_lo = 0.0
    und_neg_hi = 0.0
    und_neg_lo = 0.0
    for i in range(n):
        lin_pos += rp[i] * y0[i]
        lin_neg -= rn[i] * y0[i]
        theta_pos += rp[i]
        theta_neg += rn[i]
        up = max(ru[i], 0.0)
        un = min(ru[i], 0.0)
        und_pos_hi += up * (y0[i] + e[i])
        und_pos_lo += un * (y0[i] + e[i])
        und_neg_hi += up * (e[i] - y0[i])
        und_neg_lo += un * (e[i] - y0[i])
    spread_pos = abs(theta_pos) * half_c
    spread_neg = abs(theta_neg) * half_c
    for q in range(d):
        if delta[q] > 0.0:
            gp = 0.0
            gn = 0.0
            for i in range(n):
                gp += rp[i] * XT[q, i]
                gn += rn[i] * XT[q, i]
            spread_pos += abs(gp) * delta[q]
            spread_neg += abs(gn) * delta[q]
    bound = 0.0
    for side in range(2):
        lin = lin_pos if side == 0 else lin_neg
        spread = spread_pos if side == 0 else spread_neg
        b_hi = lin + spread + (und_pos_hi if side == 0 else und_neg_hi)
        b_lo = lin - spread + (und_pos_lo if side == 0 else und_neg_lo)
        top = s_hi * b_hi if b_hi > 0.0 else s_lo * b_hi
        bottom = s_hi * b_lo if b_lo < 0.0 else s_lo * b_lo
        bound = max(bound, top, -bottom)
    return bound + 4.0 * (n + d + 8) * _U * s_hi * mass


@numba.njit(cache=True, parallel=True, fastmath=_FAST)
def _bound_cells(XT, absXT, r, keys, G, Gc, C, p, bias, out):
    """out[j] ≥ max(|K₊ᵀr|, |K₋ᵀr|) over every hyperplane of cell keys[j] (module docstring)."""
    d, n = XT.shape
    half = 1.0 / G * _WIDEN  # δ_q: the cells of u cut [−1, 1] into G intervals
    half_c = (C / Gc * _WIDEN) if Gc > 1 else 0.0
    n_tasks = min(keys.shape[0], 64)
    size = (keys.shape[0] + n_tasks - 1) // max(n_tasks, 1)
    for task in numba.prange(n_tasks):
        idx = np.zeros(d, dtype=np.int64)
        u0 = np.empty(d)
        delta = np.zeros(d)
        y0 = np.empty(n)
        e = np.empty(n)
        rp = np.empty(n)
        rn = np.empty(n)
        ru = np.empty(n)
        for j in range(task * size, min(keys.shape[0], (task + 1) * size)):
            f, negative, ic = _decode(keys[j], d, G, Gc, idx)
            lo_norm = 1.0  # ‖u‖_p^p on the box: |u_f| = 1
            hi_norm = 1.0
            for q in range(d):
                if q == f:
                    u0[q] = -1.0 if negative else 1.0
                    delta[q] = 0.0
                else:
                    u0[q] = -1.0 + (idx[q] + 0.5) * (2.0 / G)
                    delta[q] = half
                    a_lo = max(abs(u0[q]) - half, 0.0)
                    a_hi = min(abs(u0[q]) + half, 1.0)
                    lo_norm += a_lo if p == 1 else a_lo * a_lo
                    hi_norm += a_hi if p == 1 else a_hi * a_hi
            if p == 2:
                lo_norm = np.sqrt(lo_norm)
                hi_norm = np.sqrt(hi_norm)
            c0 = (-C + (ic + 0.5) * (2.0 * C / Gc)) if Gc > 1 else 0.0
            out[j] = _bound_cell(XT, absXT, r, u0, delta, c0, half_c, 1.0 / hi_norm, 1.0 / lo_norm, bias,
                                 y0, e, rp, rn, ru)


@numba.njit(cache=True)
def _children(keys, d, G, Gc):
    """The cells of the grid (2G, 2G_c or G_c = 1) that halve each cell ``keys`` of grid (G, G_c)."""
    free = 1 << (d - 1)
    per = free * (2 if Gc > 1 else 1)
    out = np.empty(keys.shape[0] * per, dtype=np.int64)
    idx = np.zeros(d, dtype=np.int64)
    child = np.zeros(d, dtype=np.int64)
    G2 = 2 * G
    Gc2 = 2 * Gc if Gc > 1 else 1
    k = 0
    for j in range(keys.shape[0]):
        f, negative, ic = _decode(keys[j], d, G, Gc, idx)
        for m in range(per):
            bits = m
            for q in range(d):
                if q != f:
                    child[q] = 2 * idx[q] + (bits & 1)
                    bits >>= 1
            cc = 2 * ic + (bits & 1) if Gc > 1 else 0
            out[k] = _encode(f, negative, child, cc, d, G2, Gc2)
            k += 1
    return out


@numba.njit(cache=True)
def _parents(n_cells, d, G, Gc):
    """The cell of grid (G/2, G_c/2 or 1) that holds each cell 0 … n_cells − 1 of grid (G, G_c)."""
    out = np.empty(n_cells, dtype=np.int64)
    idx = np.zeros(d, dtype=np.int64)
    Gc2 = Gc // 2 if Gc > 1 else 1
    for key in range(n_cells):
        f, negative, ic = _decode(key, d, G, Gc, idx)
        for q in range(d):
            idx[q] >>= 1
        out[key] = _encode(f, negative, idx, ic >> 1 if Gc > 1 else 0, d, G // 2, Gc2)
    return out


NO_CELLS = (0, 0, 0.0, np.zeros(0))  # the kernel arguments of a pass without cell bounds


def _cell_count(d, G, bias):
    """Cells of the grid with G intervals per free coordinate: 2d signed faces × G^{d−1} (× G
    intervals of c̃ with bias)."""
    return 2 * d * G ** (d - 1) * (G if bias else 1)


class CellGrid:
    """The cells of a two-layer family's hyperplanes (module docstring), and their bounds per pass.

    Parameters
    ----------
    Xr : ndarray, shape (n, d)
        The normalized training inputs.
    p : {1, 2}
        The norm the normals are scaled to.
    bias : bool
        Biased family (offsets c̃ ∈ [−C, C], cut like the free coordinates).
    G : int
        Intervals per free coordinate of the finest grid (a power of two); the coarser grids of
        a pass have G/2, G/4, ….
    """

    def __init__(self, Xr, p, bias, G):
        self.p, self.bias = int(p), bool(bias)
        self.d = Xr.shape[1]
        self._XT = np.ascontiguousarray(Xr.T)
        self._absXT = np.abs(self._XT)
        self.G = int(G)
        self.Gc = self._Gc(self.G)
        # |c̃| = |aᵀu| ≤ ‖a‖₁ for the anchor a, a training point (|u_q| ≤ 1), widened for rounding
        self.C = float(np.abs(Xr).sum(axis=1).max(initial=0.0)) * _WIDEN + 1e-300 if self.bias else 0.0
        self.levels = [self.G >> k for k in range(LEVELS - 1, -1, -1) if self.G >> k >= 2]
        self._parent_maps = {}  # level → the parent of each of its cells (the same in every pass)

    def cells(self, G):
        """Cells of the grid with G intervals per free coordinate."""
        return _cell_count(self.d, G, self.bias)

    def _Gc(self, G):
        """Intervals of c̃ on the grid G: as many as of each free coordinate with bias, else 1."""
        return G if self.bias else 1

    def _parent_map(self, G):
        """The parent (grid G/2) of every cell of grid G, computed once."""
        if G not in self._parent_maps:
            self._parent_maps[G] = _parents(self.cells(G), self.d, G, self._Gc(G))
        return self._parent_maps[G]

    @classmethod
    def auto(cls, Xr, p, bias, n_hyperplanes):
        """The grid for a dictionary of ``n_hyperplanes``: the finest G with at most
        n_hyperplanes / HYPERPLANES_PER_CELL (and MAX_CELLS) cells; None when that G is below
        MIN_G (too coarse to skip anything) or d < 2."""
        d = Xr.shape[1]
        if d < 2:
            return None
        limit = min(n_hyperplanes / HYPERPLANES_PER_CELL, MAX_CELLS)
        G = MIN_G
        if _cell_count(d, G, bias) > limit:
            return None
        while _cell_count(d, 2 * G, bias) <= limit:
            G *= 2
        return cls(Xr, p, bias, G)

    def bound(self, r, keys, G):
        """Bounds of the cells ``keys`` of grid G for the residual r (normalized units)."""
        out = np.empty(len(keys))
        _bound_cells(self._XT, self._absXT, np.ascontiguousarray(r, dtype=np.float64), np.asarray(keys, np.int64),
                     G, self._Gc(G), self.C, self.p, self.bias, out)
        return out

    def table(self, r, lam):
        """The finest grid's bounds for residual r: each cell gets the bound of its smallest
        ancestor that was bounded; a cell is refined only while its bound is above ``lam``.

        Returns
        -------
        kernel_args : tuple
            ``(G, G_c, C, bounds)`` for the pricing kernel.
        cells_bounded : int
            Cells bounded in all (the pass's extra work, in columns).
        """
        bounds, keys, count = None, None, 0
        for level, G in enumerate(self.levels):
            if level == 0:
                keys = np.arange(self.cells(G), dtype=np.int64)
                bounds = np.full(self.cells(G), np.inf)
            else:
                prev_G = self.levels[level - 1]
                open_keys = keys[bounds[keys] > lam]
                keys = _children(open_keys, self.d, prev_G, self._Gc(prev_G))
                bounds = bounds[self._parent_map(G)]  # inherit from the parent cell
            if len(keys):
                bounds[keys] = np.minimum(bounds[keys], self.bound(r, keys, G))
                count += len(keys)
        return (self.G, self.Gc, self.C, bounds), count
