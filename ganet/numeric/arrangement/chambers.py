r"""The maximum chamber diameter D(X) of P23, Definition 3.

    D(X) = max { ‖w − v‖₂ : ‖w‖ = ‖v‖ = 1, sign(Xw) = sign(Xv) },

the largest Euclidean diameter of a chamber of the arrangement {xᵢᵀu = 0} on the unit sphere.
When D(X) ≤ ε < 1 (for biased neurons: D(X − 1x_jᵀ) ≤ ε for every j), Theorem 5 bounds the p = 2
GA Lasso by p* ≤ p̂ ≤ p*/(1 − ε).

Exact value (small n, d): every chamber is a pointed polyhedral cone whose extreme rays are
vertex lines ±⋆(x_{j₁} ∧ ⋯ ∧ x_{j_{d−1}}); two unit vertices a, b lie in a common closed chamber
iff their sign vectors are conformal (never +/− on the same row). Over a chamber whose extreme
rays have pairwise non-negative inner products, wᵀv is minimized at extreme rays (wᵀv/‖v‖ is
quasi-concave where it is non-negative), so then D(X) is the largest ‖a − b‖ over conformal
vertex pairs. If some conformal pair has aᵀb < 0 the value found is a lower bound ≥ √2, which
already makes the bound 1/(1 − ε) void. Rank-deficient X has half-space chambers: D(X) = 2.

Estimate (any size): a lower bound by ray shooting — from random unit w, walk along random
tangent directions ±g to the chamber's boundary (a ratio test over the rows) and keep the largest
distance between the two boundary points found.
"""

from itertools import combinations
from math import comb

import numpy as np

from .patterns import wedge_lines

__all__ = ["chamber_diameter", "dispersion_bound"]


def _vertices(X):
    """Unit vertex rays ±⋆(x_{j₁} ∧ ⋯ ∧ x_{j_{d−1}}) of the arrangement (X of rank d)."""
    lines, independent = wedge_lines(X, list(combinations(range(len(X)), X.shape[1] - 1)))
    rays = lines[independent]
    return np.vstack([rays, -rays])


def _exact(X, max_vertices):
    n, d = X.shape
    if d == 1:
        return 0.0, True
    if 2 * comb(n, d - 1) > max_vertices:
        raise ValueError(f"exact chamber diameter needs {2 * comb(n, d - 1):,} vertices "
                         f"(> {max_vertices:,}); use method='estimate'")
    R = _vertices(X)
    signs = np.sign(np.where(np.abs(R @ X.T) <= 1e-10 * np.linalg.norm(X, axis=1), 0.0, R @ X.T))
    best, exact = 0.0, True
    for i in range(len(R)):
        conformal = ~np.any(signs[i][None, :] * signs[i + 1:] < 0, axis=1)
        if not conformal.any():
            continue
        dots = R[i + 1:][conformal] @ R[i]
        if dots.min() < 0:
            exact = False
        best = max(best, float(np.sqrt(max(0.0, 2 - 2 * dots.min()))))
    return best, exact


def _estimate(X, n_samples, rng):
    n, d = X.shape
    best = 0.0
    for _ in range(n_samples):
        w = rng.standard_normal(d)
        w /= np.linalg.norm(w)
        g = rng.standard_normal(d)
        g -= (g @ w) * w
        g /= np.linalg.norm(g)
        a, b = X @ w, X @ g  # along w + τg the row i changes sign at τ = −aᵢ/bᵢ
        tau = -a / np.where(b == 0, np.nan, b)
        up = np.nanmin(np.where(tau > 0, tau, np.nan), initial=np.inf)
        down = np.nanmax(np.where(tau < 0, tau, np.nan), initial=-np.inf)
        if not (np.isfinite(up) and np.isfinite(down)):
            return 2.0  # an unbounded direction: a half-space chamber
        p, q = w + up * g, w + down * g
        best = max(best, float(np.linalg.norm(p / np.linalg.norm(p) - q / np.linalg.norm(q))))
    return best


def chamber_diameter(X, bias=False, method="auto", n_samples=2000, max_vertices=20_000,
                     random_state=None):
    """D(X) of Definition 3 (``bias=True``: max over j of D(X − 1x_jᵀ), the rows ≠ j).

    Parameters
    ----------
    method : {"auto", "exact", "estimate"}
        ``"exact"`` enumerates vertex pairs (small n, d); ``"estimate"`` is a ray-shooting
        lower bound; ``"auto"`` is exact when 2·C(n, d − 1) ≤ ``max_vertices``.

    Returns
    -------
    dict with ``diameter``, ``kind`` ("exact", "lower bound (≥ √2)" or "estimate (lower
    bound)") and ``epsilon`` = the diameter, and ``bound`` = 1/(1 − ε) (inf when ε ≥ 1).
    """
    X = np.asarray(X, dtype=float)
    rng = np.random.default_rng(random_state)
    sets = [np.delete(X - X[j], j, axis=0) for j in range(len(X))] if bias else [X]
    values, kinds = [], []
    for A in sets:
        A = A[np.linalg.norm(A, axis=1) > 0]
        n, d = A.shape
        if n == 0 or np.linalg.matrix_rank(A) < d:
            values.append(2.0)
            kinds.append("exact")
            continue
        use_exact = method == "exact" or (method == "auto" and 2 * comb(n, d - 1) <= max_vertices)
        if use_exact:
            value, exact = _exact(A, max_vertices)
            values.append(value)
            kinds.append("exact" if exact else "lower bound (≥ √2)")
        else:
            values.append(_estimate(A, max(1, n_samples // len(sets)), rng))
            kinds.append("estimate (lower bound)")
    k = int(np.argmax(values))
    eps = values[k]
    return {"diameter": eps, "kind": kinds[k], "epsilon": eps, "bound": dispersion_bound(eps)}


def dispersion_bound(epsilon):
    """1/(1 − ε), Theorem 5's factor between the p = 2 GA Lasso and the network optimum."""
    return 1.0 / (1.0 - epsilon) if epsilon < 1 else np.inf
