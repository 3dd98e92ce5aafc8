r"""A small numpy Adam trainer for the same two-layer network, as a non-convex baseline.

Minimizes ½‖f(X) − y‖² + (λ/2) Σⱼ (‖uⱼ‖_p² + αⱼ²) with f(x) = Σⱼ αⱼ(xᵀuⱼ + bⱼ)₊ + t, full batch,
from a random start; the gradient of ‖u‖₁² is 2‖u‖₁ sign(u) (a subgradient at 0).
"""

import numpy as np

__all__ = ["train_adam"]


def _objective_and_grads(params, X, y, lam, p, bias):
    W, b, a, t = params
    pre = X @ W + b
    H = np.maximum(pre, 0.0)
    r = H @ a + t - y
    norms = np.abs(W).sum(axis=0) if p == 1 else np.sqrt((W ** 2).sum(axis=0))
    obj = 0.5 * r @ r + 0.5 * lam * (np.sum(norms ** 2) + a @ a)
    gH = np.outer(r, a) * (pre > 0)
    gW = X.T @ gH + lam * (norms * np.sign(W) if p == 1 else W)
    gb = gH.sum(axis=0) if bias else np.zeros_like(b)
    ga = H.T @ r + lam * a
    gt = r.sum() if bias else 0.0
    return obj, (gW, gb, ga, gt)


def train_adam(X, y, width, lam, reg="l1", bias=True, steps=4000, lr=1e-2, seed=0):
    """Train the two-layer ReLU network with Adam; returns (weights dict, objective history)."""
    rng = np.random.default_rng(seed)
    n, d = X.shape
    p = 1 if reg == "l1" else 2
    params = [rng.normal(size=(d, width)) / np.sqrt(d), 0.1 * rng.normal(size=width) * bias,
              rng.normal(size=width) / np.sqrt(width), float(np.mean(y)) if bias else 0.0]
    m = [np.zeros_like(np.asarray(q, dtype=float)) for q in params]
    v = [np.zeros_like(np.asarray(q, dtype=float)) for q in params]
    history = []
    for k in range(1, steps + 1):
        obj, grads = _objective_and_grads(params, X, y, lam, p, bias)
        history.append(obj)
        for i, g in enumerate(grads):
            m[i] = 0.9 * m[i] + 0.1 * g
            v[i] = 0.999 * v[i] + 0.001 * g * g
            step = lr * (m[i] / (1 - 0.9 ** k)) / (np.sqrt(v[i] / (1 - 0.999 ** k)) + 1e-8)
            params[i] = params[i] - step
    obj, _ = _objective_and_grads(params, X, y, lam, p, bias)
    history.append(obj)
    W, b, a, t = params
    return {"W1": W, "b1": b, "W2": a[:, None], "b2": np.array([t])}, np.array(history)
