r"""Whitened data: the closed-form optimum of a two-layer ReLU network (W Theorem 2.2).

For X ∈ ℝⁿˣᵈ with XXᵀ = Iₙ (so n ≤ d) and no biases, the problem

    min ½‖Σⱼ (Xuⱼ)₊ αⱼ − y‖² + (β/2) Σⱼ (‖uⱼ‖₂² + αⱼ²)

has the dual constraint max(‖(v)₊‖, ‖(−v)₊‖) ≤ β (Lemma 2.4), and the optimum has at most two
neurons: with y± = (±y)₊,

    uₚ ∝ Xᵀy₊ (when ‖y₊‖ > β),  uₙ ∝ Xᵀy₋ (when ‖y₋‖ > β),

fitting f = (1 − β/‖y₊‖)₊ y₊ − (1 − β/‖y₋‖)₊ y₋, at the value
½‖f − y‖² + β[(‖y₊‖ − β)₊ + (‖y₋‖ − β)₊].

Two slips in W eq. (2.15), checked by the tests against the numeric optimum:
the third case's output weight is printed −‖Xᵀ(y)₊‖ − β where it is ‖Xᵀ(y)₊‖ − β, and the
weights are given with ‖uⱼ‖ = 1, which is optimal for (2.3) only after the balancing rescale
uⱼ ← uⱼ√|αⱼ|, αⱼ ← sign(αⱼ)√|αⱼ| (weight decay is minimized when ‖uⱼ‖ = |αⱼ|).
"""

import numpy as np

__all__ = ["whiten", "whitened_closed_form"]


def whiten(X):
    """(XXᵀ)^{−1/2} X, whose rows are orthonormal (XXᵀ = Iₙ); needs n ≤ d and rank n."""
    X = np.asarray(X, dtype=float)
    n, d = X.shape
    if n > d:
        raise ValueError(f"whitening to XXᵀ = I needs n ≤ d; got n = {n}, d = {d}")
    evals, evecs = np.linalg.eigh(X @ X.T)
    if evals[0] <= evals[-1] * n * np.finfo(float).eps:
        raise ValueError("XXᵀ is singular: the rows of X are linearly dependent")
    return evecs @ np.diag(evals ** -0.5) @ evecs.T @ X


def whitened_closed_form(X, y, lam, check=True):
    """The optimal network and value for whitened X (Theorem 2.2, corrected; see module doc).

    Parameters
    ----------
    X : ndarray (n, d) with XXᵀ = I
    y : ndarray (n,)
    lam : float
        β > 0.

    Returns
    -------
    dict with ``W1`` (d × m), ``W2`` (m,), the balanced weights (m ≤ 2), ``objective`` (the
    optimal value), ``fit`` (the network's outputs on X) and ``dual`` (the optimal dual point v*).
    """
    X = np.asarray(X, dtype=float)
    y = np.asarray(y, dtype=float).ravel()
    if check and not np.allclose(X @ X.T, np.eye(len(X)), atol=1e-10):
        raise ValueError("X is not whitened (XXᵀ ≠ I); use ganet.whiten(X) first")
    if lam <= 0:
        raise ValueError(f"lam must be positive, got {lam}")
    W1, W2 = [], []
    fit = np.zeros_like(y)
    objective_penalty = 0.0
    for sign in (1.0, -1.0):
        part = np.maximum(sign * y, 0.0)
        norm = float(np.linalg.norm(part))
        if norm > lam:
            alpha = norm - lam  # the output weight for a unit-norm first layer
            fit += sign * alpha * part / norm
            u = X.T @ part / norm
            W1.append(u * np.sqrt(alpha))
            W2.append(sign * np.sqrt(alpha))
            objective_penalty += lam * alpha
    objective = 0.5 * float(np.sum((fit - y) ** 2)) + objective_penalty
    return {"W1": np.array(W1).T.reshape(X.shape[1], len(W1)), "W2": np.array(W2),
            "objective": objective, "fit": fit, "dual": y - fit}
