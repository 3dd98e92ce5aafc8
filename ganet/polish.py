r"""Polishing a trained two-layer ReLU network to the global optimum (P23 §4.1, Figure 8).

A network trained by SGD or Adam, f(x) = Σⱼ αⱼ(xᵀuⱼ + bⱼ)₊ + t, is mapped onto the Lasso
dictionary: each neuron's activation vector aⱼ = (Xuⱼ + bⱼ)₊ is priced against every column, and
the best-aligned dictionary hyperplanes (through the special samples nearest to the neuron's
breakplane), with their runners-up, start the working set. The working-set solver then reaches
the certified global optimum of

.. math::  \tfrac12\|f(X) - y\|^2 + \tfrac\lambda2\sum_j(\|u_j\|_p^2 + \alpha_j^2)

(exact for p = 1, so the polished network is never worse than the trained one; for p = 2 the
Lasso is an upper bound and ``report_["polish"]["improvement"]`` says how it compares).

That needs the whole dictionary, so small d. For wide data, :func:`snap_neurons` and
:func:`refit_output_layer` are the paper's own §4.1 steps 1–4 (each neuron replaced by the Hodge
dual of its least-aligned samples, then the output layer re-fitted by a convex program), and
``ArrangementReLU(init=network)`` certifies the optimum over the network's own patterns.
"""

import numpy as np

from .numeric.oracles.two_layer import special_samples

__all__ = ["polish", "network_weights", "snap_neurons", "refit_output_layer"]


def network_weights(weights):
    """``{"W1" (d × m), "b1" (m,), "W2" (m,), "b2" float}`` from a dict of arrays, a fitted
    scikit-learn ``MLPRegressor``/``MLPClassifier`` (one ReLU hidden layer, one output), or a
    torch state dict of ``Sequential(Linear, ReLU, Linear)`` (keys ``0.weight`` … ``2.bias``)."""
    if hasattr(weights, "coefs_"):  # scikit-learn MLP
        if len(weights.coefs_) != 2 or weights.activation != "relu":
            raise ValueError("polish needs an MLP with one hidden layer and activation='relu'")
        W1, W2 = weights.coefs_
        b1, b2 = weights.intercepts_
    elif isinstance(weights, dict) and {"W1", "b1", "W2", "b2"} <= set(weights):
        W1, b1, W2, b2 = (weights[k] for k in ("W1", "b1", "W2", "b2"))
    elif isinstance(weights, dict) and {"0.weight", "0.bias", "2.weight", "2.bias"} <= set(weights):
        as_np = (lambda v: v.detach().cpu().numpy() if hasattr(v, "detach") else np.asarray(v))  # noqa: E731
        W1, b1 = as_np(weights["0.weight"]).T, as_np(weights["0.bias"])
        W2, b2 = as_np(weights["2.weight"]).T, as_np(weights["2.bias"])
    else:
        raise TypeError("weights must be a dict with W1, b1, W2, b2, a fitted MLPRegressor/MLPClassifier, "
                        "or a torch state dict of Sequential(Linear, ReLU, Linear)")
    W1 = np.asarray(W1, dtype=float)
    b1, W2 = np.asarray(b1, dtype=float).reshape(-1), np.asarray(W2, dtype=float).reshape(W1.shape[1], -1)
    if W2.shape[1] != 1:
        raise ValueError(f"polish handles one output; the network has {W2.shape[1]}")
    if b1.shape != (W1.shape[1],):
        raise ValueError(f"b1 must have {W1.shape[1]} entries; got {b1.shape}")
    return {"W1": W1, "b1": b1, "W2": W2[:, 0], "b2": float(np.asarray(b2, dtype=float).reshape(-1)[0])}


def snap_neurons(W1, b1, X, bias=True):
    r"""P23 §4.1 steps 1–3: replace each neuron by the Hodge dual of its least-aligned samples.

    With :math:`\tilde x_i = (x_i, 1)` (bias) or :math:`x_i`, and :math:`\tilde w_j = (u_j, b_j)`
    normalized, the :math:`r - 1` samples with the smallest :math:`|\tilde x_i^\top \tilde w_j| /
    \|\tilde x_i\|` are the neuron's special samples (r = rank of the :math:`\tilde x_i`), and
    the neuron becomes :math:`\star(\tilde x_{j_1}\wedge\cdots\wedge\tilde x_{j_{r-1}})`: the unit
    vector orthogonal to them within the span of the samples (the paper assumes full rank; a
    direction no sample sees is dropped), signed like the old neuron and scaled so that
    :math:`\|u_j\|_2` is unchanged. A neuron whose special samples are dependent keeps the
    orthogonal direction nearest to it.

    Parameters
    ----------
    W1 : ndarray (d, m)
    b1 : ndarray (m,)
    X : ndarray (n, d)
    bias : bool
        Whether the neurons have biases (the samples are augmented with a 1).

    Returns
    -------
    W1, b1 : ndarray
        The snapped neurons (b1 is zero without bias).
    special : list of ndarray
        Each neuron's special samples (row indices of X).
    """
    W1, X = np.asarray(W1, dtype=float), np.asarray(X, dtype=float)
    b1 = np.asarray(b1, dtype=float) if bias else np.zeros(W1.shape[1])
    Xt = np.c_[X, np.ones(len(X))] if bias else X
    Wt = np.r_[W1, b1[None, :]] if bias else W1.copy()
    # Work in the span of the samples: directions orthogonal to every sample (a constant pixel)
    # change no activation, only the norm, and a dual taken in them would be meaningless.
    _, sv, Vt = np.linalg.svd(Xt, full_matrices=False)
    span = Vt[:np.count_nonzero(sv > sv[0] * 1e-12)]          # rank r × (d + bias), orthonormal rows
    rank = len(span)
    unit_rows = Xt / np.maximum(np.linalg.norm(Xt, axis=1, keepdims=True), 1e-300)
    special = []
    for j in range(Wt.shape[1]):
        w = span.T @ (span @ Wt[:, j])
        scale = np.linalg.norm(W1[:, j])
        if scale == 0.0 or not np.any(w):
            special.append(np.array([], dtype=np.int64))
            continue
        chosen = np.argsort(np.abs(unit_rows @ (w / np.linalg.norm(w))), kind="stable")[:rank - 1]
        _, cv, Ct = np.linalg.svd(Xt[chosen] @ span.T, full_matrices=True)
        null = Ct[np.count_nonzero(cv > cv[0] * 1e-12) if len(cv) else 0:]  # ⟂ the chosen samples, in the span
        star = span.T @ (null.T @ (null @ (span @ w)))  # the nearest such direction to the neuron
        Wt[:, j] = star * scale / max(np.linalg.norm(star[:W1.shape[0]]), 1e-300)
        special.append(np.sort(chosen))
    return Wt[:W1.shape[0]], (Wt[-1] if bias else np.zeros(W1.shape[1])), special


def refit_output_layer(W1, b1, X, y, lam, bias=True):
    r"""P23 §4.1 step 4: the best output layer for a fixed hidden layer, by a convex program.

    With the hidden layer fixed up to each neuron's scale, balancing the scales of the two layers
    turns :math:`\tfrac\lambda2(\|u_j\|_2^2 + \alpha_j^2)` into :math:`\lambda\|u_j\|_2|\alpha_j|`,
    so the output layer solves the Lasso

    .. math::  \min_{z, t}\ \tfrac12\|Hz + t - y\|^2 + \lambda\|z\|_1,\qquad
               H_{ij} = (x_i^\top u_j + b_j)_+ / \|u_j\|_2,

    and the network :math:`u_j \leftarrow u_j\sqrt{|z_j|}/\|u_j\|`, :math:`\alpha_j = \mathrm{sign}(z_j)
    \sqrt{|z_j|}` attains its value (scikit-learn's ``Lasso``, coordinate descent, tol 1e-10).

    Returns
    -------
    net : dict
        ``W1, b1, W2, b2`` as :func:`network_weights`; neurons with z = 0 are dropped.
    objective : float
        The Lasso value, = the network objective (p = 2) of ``net``.
    """
    from sklearn.linear_model import Lasso

    W1, X, y = np.asarray(W1, dtype=float), np.asarray(X, dtype=float), np.asarray(y, dtype=float)
    b1 = np.asarray(b1, dtype=float) if bias else np.zeros(W1.shape[1])
    norms = np.linalg.norm(W1, axis=0)
    keep = norms > 0
    U, c = W1[:, keep] / norms[keep], b1[keep] / norms[keep]  # the neurons at ‖uⱼ‖₂ = 1
    H = np.maximum(X @ U + c, 0.0)
    lasso = Lasso(alpha=lam / len(y), fit_intercept=bias, tol=1e-10, max_iter=100_000).fit(H, y)
    z, t = lasso.coef_, float(lasso.intercept_)
    r = H @ z + t - y
    used = np.flatnonzero(z)
    root = np.sqrt(np.abs(z[used]))
    net = {"W1": U[:, used] * root, "b1": c[used] * root, "W2": np.sign(z[used]) * root, "b2": t}
    return net, 0.5 * float(r @ r) + lam * float(np.abs(z).sum())


def _objective(net, X, y, lam, p):
    f = np.maximum(X @ net["W1"] + net["b1"], 0.0) @ net["W2"] + net["b2"]
    norms = np.abs(net["W1"]).sum(axis=0) if p == 1 else np.sqrt((net["W1"] ** 2).sum(axis=0))
    return 0.5 * float(np.sum((f - y) ** 2)) + 0.5 * lam * float(np.sum(norms ** 2) + np.sum(net["W2"] ** 2))


def polish(weights, X, y, lam, reg="l1", bias=True, neighbours=2, tol=1e-8, max_seconds=None):
    """Polish a trained two-layer ReLU network into the certified global optimum.

    Parameters
    ----------
    weights : dict, MLPRegressor, MLPClassifier or torch state dict
        See :func:`network_weights`. For a classifier (two classes) the targets are ±1 and the
        squared loss is used, as in :class:`ganet.ConvexReLUClassifier`.
    X : array, shape (n, d)
    y : array, shape (n,)
    lam : float
        λ of the objective above (ganet's convention, no 1/n).
    reg : {"l1", "l2"}
    bias : bool
        Fit biases (and an intercept); with ``bias=False`` the given b1, b2 are ignored.
    neighbours : int
        Dictionary columns taken per trained neuron (the best-aligned and its runners-up). The
        mapping prices each neuron's activation vector once against the dictionary: one pass
        per neuron, cheap for stored dictionaries, seconds each for large streaming ones.
    tol, max_seconds
        As for :class:`ganet.ConvexReLU`.

    Returns
    -------
    ConvexReLU or ConvexReLUClassifier
        Fitted, with ``report_["polish"]``: ``objective_before`` (the trained network's objective
        in this convention), ``objective_after`` (= ``objective_``), ``improvement`` (before −
        after) and ``mapped``: per trained neuron, the dictionary column it was mapped to, its
        formula and its special samples.
    """
    from sklearn.utils.validation import validate_data

    from .estimators.two_layer import ConvexReLU, ConvexReLUClassifier

    net = network_weights(weights)
    classifier = hasattr(weights, "classes_")
    model = (ConvexReLUClassifier if classifier else ConvexReLU)(lam=lam, reg=reg, bias=bias, tol=tol,
                                                                max_seconds=max_seconds)
    model._check_params()
    X, y = validate_data(model, X, y, dtype=np.float64, y_numeric=not classifier)
    if X.shape[1] != net["W1"].shape[0]:
        raise ValueError(f"X has {X.shape[1]} features but the weights expect {net['W1'].shape[0]}")
    if classifier:
        classes = np.asarray(weights.classes_)
        if len(classes) != 2:
            raise ValueError("polish handles two classes")
        T = model._targets(y, classes)
        extra = {"classes_": classes}
    else:
        T = model._targets(y)
        extra = {"_single_output": True}
    if not bias:
        net = {**net, "b1": np.zeros_like(net["b1"]), "b2": 0.0}
    p = 1 if reg == "l1" else 2
    before = _objective(net, X, T[:, 0], lam, p)
    dictionary = model._make_dictionary(X)
    start, mapped = [], []
    A = np.maximum(X @ net["W1"] + net["b1"], 0.0)
    for k in range(A.shape[1]):
        a = A[:, k] - A[:, k].mean() if bias else A[:, k]
        if not np.any(a):
            continue  # a dead neuron, or a constant one (absorbed by the intercept)
        _, cols = dictionary.violators(a, 0.0, int(neighbours))  # best aligned: ‖K_jᵀa‖/‖K_j‖
        start += [int(j) for j in cols]
        if len(cols):
            h = dictionary.describe(int(cols[0]))
            mapped.append({"neuron": k, "column": int(cols[0]), "formula": h.formula,
                           "special_samples": [int(i) for i in special_samples(h.anchor, h.generators)]})
    start = np.unique(np.asarray(start, dtype=np.int64))
    fitted = model._fit_targets(X, T, warm_start=(start, np.zeros((len(start), 1))), **extra)
    fitted.report_["polish"] = {"objective_before": before, "objective_after": fitted.objective_,
                                "improvement": before - fitted.objective_, "mapped": mapped,
                                "start_columns": int(len(start))}
    return fitted

