r"""Activation patterns of a ReLU layer: the chambers of the hyperplane arrangement {z : zᵢᵀu = 0}.

A pattern is the 0/1 vector D = 1[Zu ≥ 0] of one first-layer neuron u on the rows zᵢ of Z (Z = X,
or [X, 1] for neurons with a bias). The arrangement programs of Pilanci & Ergen (Theorem 2.1 of
the finite-width essay) have one group of variables per pattern.

Exact enumeration (:func:`exact_patterns`) lists every **chamber** (open cell) of the arrangement,
one pattern and one interior witness u per chamber. Patterns of lower-dimensional faces (some
zᵢᵀu = 0) add nothing to the programs: a v feasible for such a pattern lies in the closure of a
chamber C, and then (Zv)₊ = D_C Zv with (2D_C − I)Zv ≥ 0, so the same feature is already there.

The construction is vertex-based and uses the same wedge products as the Lasso dictionaries:
when Z has rank r, every chamber is a pointed cone (after reducing Z to its row space), so it has
an extreme ray, and every extreme ray is a line v ∝ ⋆(z_{j₁} ∧ ⋯ ∧ z_{j_{r−1}}) through r − 1
rows. Around such a vertex the chambers are those of the rows vanishing at v, projected on v⊥ —
an arrangement of rank r − 1, enumerated by the same routine — each pushed off the vertex by
u = v + δg with δ small enough that no other row changes sign. Each pattern is read off its
witness with a margin check, so every returned pattern is realized; completeness is checked in
the tests against a brute force over all 2ⁿ sign vectors with an LP feasibility test.

Sampled patterns (:func:`sampled_patterns`) are the scalable alternative: gates h from a Gaussian
(the quantized embedding of S), GA-anchored gates through sampled data points, or gates
anchored in a Johnson–Lindenstrauss sketch ZS of the data.
"""

from decimal import Decimal
from itertools import combinations
from math import comb

import numpy as np

from ..geometry.ga import cross_many

__all__ = ["pattern_count_bound", "exact_patterns", "sampled_patterns", "wedge_lines", "GATE_METHODS"]

GATE_METHODS = ("gaussian", "anchored", "sketch")
_ZERO = 1e-10  # |zᵀv| ≤ _ZERO ‖z‖ for a unit v: the row passes through the vertex
_MARGIN = 1e-12  # a witness must clear every hyperplane by this relative margin


def pattern_count_bound(n, rank):
    r"""Cover's bound on the number of chambers of n central hyperplanes in ℝʳ:
    P ≤ 2 Σ_{k=0}^{r−1} C(n−1, k) (equality in general position)."""
    if n == 0 or rank == 0:
        return 1
    return 2 * sum(comb(n - 1, k) for k in range(rank))


def _row_space(Z):
    """Z in coordinates of its row space (n × r, r = rank) and the orthonormal basis Q (D × r)."""
    _, s, Vt = np.linalg.svd(Z, full_matrices=False)
    r = int(np.sum(s > s[0] * max(Z.shape) * np.finfo(float).eps)) if s.size and s[0] > 0 else 0
    Q = Vt[:r].T
    return Z @ Q, Q


def wedge_lines(Z, subsets):
    r"""Unit lines ⋆(z_{j₁} ∧ ⋯ ∧ z_{j_{r−1}}) / ‖⋆(…)‖ through subsets of the rows of Z (n × r),
    from the GA cross product :func:`ganet.numeric.geometry.ga.cross_many`.

    Returns (lines m × r, independent m bool). A subset counts as dependent when
    ‖×(z_{j₁}, …)‖ ≤ 1e-12 · Πᵢ‖z_{jᵢ}‖ (Hadamard: ‖×‖ ≤ Π‖zᵢ‖, so the test is relative); its line is 0.
    """
    subsets = np.asarray(subsets, dtype=np.int64).reshape(-1, Z.shape[1] - 1)
    C = cross_many(Z, subsets)
    size = np.linalg.norm(C, axis=1)
    independent = size > 1e-12 * np.prod(np.linalg.norm(Z, axis=1)[subsets], axis=1)
    lines = np.zeros_like(C)
    lines[independent] = C[independent] / size[independent, None]
    return lines, independent


def _chamber_witnesses(Z):
    """Interior points of the chambers of the arrangement of the rows of Z (n × r, rank r, no
    zero rows), possibly with repeats; see the module docstring."""
    n, r = Z.shape
    if r == 1:
        return np.array([[1.0], [-1.0]])
    norms = np.linalg.norm(Z, axis=1)
    witnesses = []
    seen = set()
    lines, independent = wedge_lines(Z, list(combinations(range(n), r - 1)))
    for v in lines[independent]:
        on = np.abs(Z @ v) <= _ZERO * norms
        key = tuple(np.flatnonzero(on))
        if key in seen:  # the same vertex line through another subset of its rows
            continue
        seen.add(key)
        _, _, Vt = np.linalg.svd(v[None, :])
        basis = Vt[1:].T  # r × (r − 1), orthonormal basis of v⊥
        local, local_basis = _row_space(Z[on] @ basis)
        local_witnesses = _chamber_witnesses(local) @ local_basis.T @ basis.T
        for sign in (1.0, -1.0):
            zv = sign * (Z[~on] @ v)
            for g in local_witnesses:
                zg = Z[~on] @ g
                ratio = np.abs(zv) / np.maximum(np.abs(zg), 1e-300)
                delta = min(1.0, 0.5 * float(ratio.min(initial=np.inf)))
                witnesses.append(sign * v + delta * g / np.linalg.norm(g))
    return np.array(witnesses)


def _unique_patterns(Z, U):
    """Patterns 1[Zu > 0] of the witnesses U that clear every hyperplane by the margin, unique,
    as (masks P × n bool, witnesses P × D)."""
    S = Z @ U.T
    scale = np.linalg.norm(Z, axis=1)[:, None] * np.linalg.norm(U, axis=1)[None, :]
    clear = np.all(np.abs(S) > _MARGIN * scale, axis=0)
    masks = (S > 0).T[clear]
    _, first = np.unique(np.packbits(masks, axis=1), axis=0, return_index=True)
    first = np.sort(first)
    return masks[first], U[clear][first]


def _count(k):
    """An exact integer as people read it: 1,234,567, or 4.74e+114 past a trillion (digits, rank
    62: that bound was printed with all its 115 digits)."""
    return f"{k:,}" if k < 10**12 else f"{Decimal(k):.3g}"


def exact_patterns(Z, max_patterns=10_000):
    """Every chamber pattern of the arrangement of the rows of ``Z``.

    Parameters
    ----------
    Z : ndarray (n, D)
        Rows zᵢ (X, or [X, 1] for neurons with a bias).
    max_patterns : int
        Refuse (before any work) when Cover's bound on the count exceeds this.

    Returns
    -------
    masks : ndarray (P, n) bool
        Dᵢ = 1[Zuᵢ ≥ 0] of one interior point uᵢ per chamber; rows zᵢ = 0 are active in all.
    witnesses : ndarray (P, D)
        The interior points uᵢ (every row off the hyperplane by a relative margin).
    """
    Z = np.asarray(Z, dtype=float)
    n, D = Z.shape
    nonzero = np.linalg.norm(Z, axis=1) > 0
    reduced, Q = _row_space(Z[nonzero])
    r = reduced.shape[1]
    bound = pattern_count_bound(int(nonzero.sum()), r)
    if bound > max_patterns:
        raise ValueError(
            f"the arrangement of {n} points of rank {r} can have up to {_count(bound)} activation "
            f"patterns (> max_patterns = {max_patterns:,}); use patterns='sampled' with n_patterns=P "
            "(a sampled program: no global certificate), or raise max_patterns")
    if r == 0:
        return np.ones((1, n), dtype=bool), np.zeros((1, D))
    U = _chamber_witnesses(reduced) @ Q.T
    masks, U = _unique_patterns(Z[nonzero], U)
    full = np.ones((len(masks), n), dtype=bool)
    full[:, nonzero] = masks
    return full, U


def _anchored_gates(Z, k, rng):
    """k gates through r − 1 random rows of Z (n × r): h = ⋆(z_{j₁} ∧ ⋯ ∧ z_{j_{r−1}}) with a
    random orientation, pushed off its rows by a small random step so the pattern is a chamber's."""
    n, r = Z.shape
    gates = []
    for _ in range(16 * k):
        if len(gates) == k:
            break
        lines, independent = wedge_lines(Z, rng.choice(n, size=(1, r - 1), replace=False))
        if not independent[0]:
            continue
        v = lines[0]
        g = rng.standard_normal(r)
        g -= (g @ v) * v
        off = np.abs(Z @ v) > _ZERO * np.linalg.norm(Z, axis=1)
        zg = np.abs(Z[off] @ g)
        delta = 0.5 * float((np.abs(Z[off] @ v) / np.maximum(zg, 1e-300)).min(initial=1.0))
        gates.append(rng.choice((-1.0, 1.0)) * v + min(delta, 1e-3) * g / max(np.linalg.norm(g), 1e-300))
    if not gates:
        raise ValueError("no r − 1 independent rows found for anchored gates")
    return np.array(gates).T


def sampled_patterns(Z, n_patterns, method="gaussian", sketch_dim=None, random_state=None):
    """Distinct patterns 1[Zh ≥ 0] of ``n_patterns`` random gates h.

    Parameters
    ----------
    Z : ndarray (n, D)
    n_patterns : int
        Number of gates drawn (fewer patterns are returned when gates repeat a pattern).
    method : {"gaussian", "anchored", "sketch"}
        ``"gaussian"``: h ~ N(0, I_D), the quantized random embedding sign(Zh) of S.
        ``"anchored"``: h = ⋆(z_{j₁} ∧ ⋯ ∧ z_{j_{D−1}}) through D − 1 random rows (the wedge
        multi-indices of the GA dictionary, sampled), nudged into an adjacent chamber.
        ``"sketch"``: the anchored gates of the sketched rows ZS (S: D × k Gaussian, k =
        ``sketch_dim``), mapped back as h = Sh' — GA anchoring for wide data.
    random_state : int, Generator or None

    Returns
    -------
    masks : ndarray (P, n) bool, gates : ndarray (D, P)
    """
    if int(n_patterns) != n_patterns or n_patterns <= 0:
        raise ValueError(f"n_patterns must be a positive integer, got {n_patterns!r}")
    if method not in GATE_METHODS:
        raise ValueError(f"method must be one of {GATE_METHODS}, got {method!r}")
    rng = np.random.default_rng(random_state)
    Z = np.asarray(Z, dtype=float)
    D = Z.shape[1]
    if method == "gaussian":
        H = rng.standard_normal((D, int(n_patterns)))
    elif method == "anchored":
        H = _anchored_gates(Z, int(n_patterns), rng)
    else:
        k = int(sketch_dim or min(D, 16))
        if not 1 <= k <= D:
            raise ValueError(f"sketch_dim must be in [1, {D}], got {sketch_dim!r}")
        S = rng.standard_normal((D, k)) / np.sqrt(k)
        H = S @ _anchored_gates(Z @ S, int(n_patterns), rng)
    masks = (Z @ H >= 0).T
    _, first = np.unique(np.packbits(masks, axis=1), axis=0, return_index=True)
    first = np.sort(first)
    return masks[first], H[:, first]
