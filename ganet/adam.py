r"""Small numpy Adam trainers for the actual (non-convex) networks, as baselines for the Lasso.

Each trainer minimizes the same objective the convex program solves, full batch, from a random
start (or from given weights), with Adam and a cosine-decayed step (the last steps are a local
polish at a small step size). ℓ₁ norms are differentiated by their subgradient sign(·) (0 at 0).

* :func:`train_adam` — two-layer ReLU, ½‖f − y‖² + (λ/2)Σⱼ(‖uⱼ‖_p² + αⱼ²),
  f(x) = Σⱼ αⱼ(xᵀuⱼ + bⱼ)₊ + t.
* :func:`train_sgd` — the same two-layer network (p = 2, no bias) by plain (stochastic) gradient
  descent, many runs at once, the baseline of Watanabe's essay (W Figures 1–7).
* :func:`train_deep_abs` — deep narrow |·| network of depth L (ZP eq. 2–3),
  ½‖f − y‖² + (β/L)Σᵢ(|αᵢ|^L + Σ_l‖W^{(i,l)}‖₁^L).
* :func:`train_relu3` — three-layer ReLU scalar chains,
  ½‖f − y‖² + (β/3)Σⱼ(|αⱼ|³ + ‖W1ⱼ‖₁³ + |w2ⱼ|³), f(x) = Σⱼ αⱼ(w2ⱼ(xᵀW1ⱼ + b1ⱼ)₊ + b2ⱼ)₊ + b.

The deep trainers take and return weights in the layout of ``DeepNarrowAbs.network()`` and
``ThreeLayerReLU.network()``; :func:`deep_abs_objective` and :func:`relu3_objective` evaluate the
objectives from those dicts, written independently of the estimators (the tests compare them).
"""

import numpy as np

__all__ = ["train_adam", "train_sgd", "train_deep_abs", "train_relu3", "deep_abs_objective", "relu3_objective"]


def _adam(params, objective_and_grads, steps, lr):
    """Adam on a dict of arrays with the step lr·½(1 + cos(πk/steps)); returns (params, history)."""
    params = {k: np.array(v, dtype=float) for k, v in params.items()}
    m = {k: np.zeros_like(v) for k, v in params.items()}
    s = {k: np.zeros_like(v) for k, v in params.items()}
    history = []
    for k in range(1, steps + 1):
        obj, grads = objective_and_grads(params)
        history.append(obj)
        rate = lr * 0.5 * (1.0 + np.cos(np.pi * (k - 1) / steps))
        for name, g in grads.items():
            m[name] = 0.9 * m[name] + 0.1 * g
            s[name] = 0.999 * s[name] + 0.001 * g * g
            params[name] -= rate * (m[name] / (1 - 0.9 ** k)) / (np.sqrt(s[name] / (1 - 0.999 ** k)) + 1e-12)
    history.append(objective_and_grads(params)[0])
    return params, np.array(history)


def _as_1d_target(y):
    y = np.asarray(y, dtype=float)
    if y.ndim != 1:
        raise ValueError(f"y must be one-dimensional; got shape {y.shape}")
    return y


def train_adam(X, y, width, lam, reg="l1", bias=True, steps=4000, lr=1e-2, seed=0):
    """Train the two-layer ReLU network with Adam; returns (weights dict, objective history)."""
    rng = np.random.default_rng(seed)
    X, y = np.asarray(X, dtype=float), _as_1d_target(y)
    d = X.shape[1]
    p = 1 if reg == "l1" else 2

    def objective_and_grads(q):
        pre = X @ q["W"] + q["b"]
        H = np.maximum(pre, 0.0)
        r = H @ q["a"] + q["t"] - y
        norms = np.abs(q["W"]).sum(axis=0) if p == 1 else np.sqrt((q["W"] ** 2).sum(axis=0))
        gH = np.outer(r, q["a"]) * (pre > 0)
        grads = {"W": X.T @ gH + lam * (norms * np.sign(q["W"]) if p == 1 else q["W"]),
                 "b": gH.sum(axis=0) * bias, "a": H.T @ r + lam * q["a"], "t": r.sum() * bias}
        return 0.5 * r @ r + 0.5 * lam * (np.sum(norms ** 2) + q["a"] @ q["a"]), grads

    start = {"W": rng.normal(size=(d, width)) / np.sqrt(d), "b": 0.1 * rng.normal(size=width) * bias,
             "a": rng.normal(size=width) / np.sqrt(width), "t": float(np.mean(y)) * bias}
    q, history = _adam(start, objective_and_grads, steps, lr)
    return {"W1": q["W"], "b1": q["b"], "W2": q["a"][:, None], "b2": np.array([float(q["t"])])}, history


def train_sgd(X, y, width, lam, steps, lr=1e-2, batch_size=1, runs=10, seed=0):
    r"""Plain (stochastic) gradient descent on the two-layer ReLU objective, ``runs`` starts at once.

    Minimizes the per-sample average of
    :math:`F = \tfrac12\|\sum_j (Xu_j)_+\alpha_j - y\|^2 + \tfrac\lambda2\sum_j(\|u_j\|_2^2+\alpha_j^2)`,
    that is :math:`F/n`, with the constant step ``lr``: each step draws ``batch_size`` samples
    :math:`B` and moves along :math:`-\nabla\big(\tfrac1{|B|}\sum_{i\in B}\tfrac12 r_i^2 +
    \tfrac{\lambda}{2n}\sum_j(\|u_j\|^2+\alpha_j^2)\big)` (``batch_size=n`` is gradient descent).
    No bias, as in W §2.3; add a constant column to X for one.

    Parameters
    ----------
    X : ndarray (n, d) or (runs, n, d)
        One data set for every run, or one per run (W §2.3.2's random design).
    y : ndarray (n,) or (runs, n)
    width : int
        Hidden neurons m.
    lam : float
        λ of F (W's β).
    steps : int
        Iterations (one mini-batch each).
    lr, batch_size, runs, seed
        Step, samples per step, independent starts, random seed.

    Returns
    -------
    weights : dict
        ``U`` (runs × d × m) and ``alpha`` (runs × m), the networks after the last step.
    history : ndarray (runs, steps + 1)
        F (not F/n) at the start and after every step, for every run.
    """
    rng = np.random.default_rng(seed)
    X = np.broadcast_to(np.asarray(X, dtype=float), (runs,) + np.shape(X)[-2:])
    y = np.broadcast_to(np.asarray(y, dtype=float), X.shape[:2])
    n, d = X.shape[1:]
    U = rng.normal(size=(runs, d, width)) / np.sqrt(d)
    a = rng.normal(size=(runs, width)) / np.sqrt(width)
    every = np.arange(runs)[:, None]

    def full_objective():
        r = np.einsum("rnm,rm->rn", np.maximum(X @ U, 0.0), a) - y
        return 0.5 * (r * r).sum(axis=1) + 0.5 * lam * ((U * U).sum(axis=(1, 2)) + (a * a).sum(axis=1))

    history = [full_objective()]
    for _ in range(steps):
        batch = rng.integers(0, n, size=(runs, batch_size)) if batch_size < n else np.broadcast_to(np.arange(n), (runs, n))
        Xb, yb = X[every, batch], y[every, batch]                 # (runs, b, d), (runs, b)
        pre = Xb @ U
        H = np.maximum(pre, 0.0)
        r = np.einsum("rbm,rm->rb", H, a) - yb
        gH = r[:, :, None] * a[:, None, :] * (pre > 0)
        U -= lr * (np.einsum("rbd,rbm->rdm", Xb, gH) / batch.shape[1] + lam / n * U)
        a -= lr * (np.einsum("rbm,rb->rm", H, r) / batch.shape[1] + lam / n * a)
        history.append(full_objective())
    return {"U": U, "alpha": a}, np.array(history).T


def deep_abs_objective(net, X, y, lam):
    """ZP eq. (2) for a deep narrow |·| network given as in ``DeepNarrowAbs.network()``."""
    return _deep_abs(net, np.asarray(X, dtype=float), _as_1d_target(y), lam)[0]


def _deep_abs(q, X, y, lam):
    """Objective and gradients of the deep narrow |·| network (backpropagation by hand)."""
    depth = q["biases"].shape[1] + 1
    pre = [X @ q["W1"] + q["biases"][:, 0]]
    acts = [np.abs(pre[0])]
    for l in range(1, depth - 1):
        pre.append(acts[-1] * q["inner"][:, l - 1] + q["biases"][:, l])
        acts.append(np.abs(pre[-1]))
    r = acts[-1] @ q["alpha"] + q["xi"] - y
    l1 = np.abs(q["W1"]).sum(axis=0)
    penalty = np.sum(np.abs(q["alpha"]) ** depth + l1 ** depth) + np.sum(np.abs(q["inner"]) ** depth)
    obj = 0.5 * float(r @ r) + lam / depth * float(penalty)
    g = {"alpha": acts[-1].T @ r + lam * np.abs(q["alpha"]) ** (depth - 1) * np.sign(q["alpha"]),
         "xi": np.array(r.sum()), "biases": np.zeros_like(q["biases"]), "inner": np.zeros_like(q["inner"])}
    grad_act = np.outer(r, q["alpha"])
    for l in range(depth - 2, 0, -1):
        grad_pre = grad_act * np.sign(pre[l])
        g["biases"][:, l] = grad_pre.sum(axis=0)
        g["inner"][:, l - 1] = (grad_pre * acts[l - 1]).sum(axis=0) \
            + lam * np.abs(q["inner"][:, l - 1]) ** (depth - 1) * np.sign(q["inner"][:, l - 1])
        grad_act = grad_pre * q["inner"][:, l - 1]
    grad_pre = grad_act * np.sign(pre[0])
    g["biases"][:, 0] = grad_pre.sum(axis=0)
    g["W1"] = X.T @ grad_pre + lam * l1 ** (depth - 1) * np.sign(q["W1"])
    return obj, g


def train_deep_abs(X, y, depth, width, lam, steps=4000, lr=1e-2, seed=0, init=None):
    """Train a deep narrow |·| network of the given depth and width (parallel chains) with Adam.

    Parameters
    ----------
    X : ndarray (n, d)
    y : ndarray (n,)
    depth : int
        L ≥ 2.
    width : int
        Number of chains m.
    lam : float
        β of eq. (2).
    steps, lr, seed
        Adam iterations, initial step, random start.
    init : dict, optional
        Start from these weights (``DeepNarrowAbs.network()`` layout) instead of a random start.

    Returns
    -------
    net : dict
        ``W1`` (d × m), ``biases`` (m × (L − 1)), ``inner`` (m × (L − 2)), ``alpha`` (m,), ``xi``.
    history : ndarray
        Objective (2) at every step.
    """
    rng = np.random.default_rng(seed)
    X, y = np.asarray(X, dtype=float), _as_1d_target(y)
    d = X.shape[1]
    if init is None:
        init = {"W1": rng.normal(size=(d, width)) / np.sqrt(d),
                "biases": rng.normal(size=(width, depth - 1)) * np.std(X),
                "inner": rng.choice([-1.0, 1.0], size=(width, depth - 2)) * rng.uniform(0.5, 1.5, (width, depth - 2)),
                "alpha": rng.normal(size=width) / np.sqrt(width), "xi": float(np.mean(y))}
    q, history = _adam(init, lambda q: _deep_abs(q, X, y, lam), steps, lr)
    q["xi"] = float(q["xi"])
    return q, history


def relu3_objective(net, X, y, lam):
    """½‖f − y‖² + (β/3)Σⱼ(|αⱼ|³ + ‖W1ⱼ‖₁³ + |w2ⱼ|³) for ``ThreeLayerReLU.network()`` weights."""
    return _relu3(net, np.asarray(X, dtype=float), _as_1d_target(y), lam, True)[0]


def _relu3(q, X, y, lam, bias):
    pre1 = X @ q["W1"] + q["b1"]
    h = np.maximum(pre1, 0.0)
    pre2 = q["w2"] * h + q["b2"]
    a = np.maximum(pre2, 0.0)
    r = a @ q["alpha"] + q["b"] - y
    l1 = np.abs(q["W1"]).sum(axis=0)
    obj = 0.5 * float(r @ r) + lam / 3 * float(np.sum(np.abs(q["alpha"]) ** 3 + l1 ** 3 + np.abs(q["w2"]) ** 3))
    g2 = np.outer(r, q["alpha"]) * (pre2 > 0)
    g1 = g2 * q["w2"] * (pre1 > 0)
    g = {"alpha": a.T @ r + lam * q["alpha"] ** 2 * np.sign(q["alpha"]), "b": np.array(r.sum()),
         "w2": (g2 * h).sum(axis=0) + lam * q["w2"] ** 2 * np.sign(q["w2"]), "b2": g2.sum(axis=0),
         "b1": g1.sum(axis=0) * bias, "W1": X.T @ g1 + lam * l1 ** 2 * np.sign(q["W1"])}
    return obj, g


def train_relu3(X, y, width, lam, bias=False, steps=4000, lr=1e-2, seed=0, init=None):
    """Train three-layer ReLU scalar chains with Adam (first-layer biases fixed at 0 unless ``bias``).

    Returns ``(net, history)`` with ``net`` as ``ThreeLayerReLU.network()``: ``W1`` (d × m),
    ``b1``, ``w2``, ``b2``, ``alpha`` (m,), ``b``; the objective at every step in ``history``.
    """
    rng = np.random.default_rng(seed)
    X, y = np.asarray(X, dtype=float), _as_1d_target(y)
    d = X.shape[1]
    if init is None:
        init = {"W1": rng.normal(size=(d, width)) / np.sqrt(d), "b1": 0.1 * rng.normal(size=width) * bias,
                "w2": rng.choice([-1.0, 1.0], size=width), "b2": 0.5 * rng.normal(size=width),
                "alpha": rng.normal(size=width) / np.sqrt(width), "b": float(np.mean(y))}
    q, history = _adam(init, lambda q: _relu3(q, X, y, lam, bias), steps, lr)
    q["b"] = float(q["b"])
    return q, history
