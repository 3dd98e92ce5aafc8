r"""Which neurons matter, read in the user's feature names.

A fitted network f(x) = Σⱼ φⱼ(x) + b is a sum of neurons. Neuron j's **contribution** on the
training inputs is the size of its term there,

.. math::  c_j = \big\|\varphi_j(X)\big\|_2 , \qquad
           \varphi_j(X) = \alpha_j\,(X u_j + b_j)_+ \ \text{(two layers)}, \quad
           z_j K_j \ \text{(any dictionary model: the Lasso column times its coefficient)} ,

so the neurons that shape the fit come first, whatever their weights' scale. Each is shown as
an expression in the features' names, e.g. ``+27.8·(0.83·bmi − 0.55·s5 + 0.12)₊`` (two-layer
neurons, user units), beside its geometric-algebra formula. The library's formulas write a
training sample as ``xi`` (two-layer: ``⋆(x344 − x120)``) but a deep chain's coordinates as
``x1, x2, …`` (``|0.78·x1 + 0.22·x2 − 1.5|``); here samples become ``#i`` (row i of the
training data, from 0) and coordinates the features' names, so that neither can be read as the
other: ``⋆(#344 − #120)``, ``|0.78·bmi + 0.22·s5 − 1.5|``.
"""

import re

import numpy as np
from sklearn.utils.validation import check_is_fitted

__all__ = ["neuron_contributions", "neuron_table", "feature_names", "sample_names", "coordinate_names"]


def neuron_contributions(model):
    """cⱼ = ‖φⱼ(X)‖₂ on the training inputs for every neuron of ``model`` (see the module
    docstring), in the order of ``model.neurons_``."""
    check_is_fitted(model, "neurons_")
    if hasattr(model, "columns_") and hasattr(model, "dictionary_"):  # wedge and deep dictionaries
        cols = np.asarray(model.columns_)
        K = model.dictionary_.materialize(cols) if len(cols) else np.zeros((0, 0))
        coef = np.asarray(model.coef_).reshape(len(cols), -1)
        return np.linalg.norm(K, axis=0) * np.linalg.norm(coef, axis=1)
    return np.linalg.norm(model.neuron_outputs(), axis=0)  # arrangement models


def sample_names(formula):
    """A two-layer formula with its training samples written ``#i`` instead of ``xi``."""
    return re.sub(r"\bx(\d+)\b", r"#\1", formula)


def coordinate_names(formula, names):
    """A deep chain's formula with its coordinates ``x1, x2, …`` written as the feature names."""
    return re.sub(r"\bx(\d+)\b", lambda m: names[int(m.group(1)) - 1], formula)


def _signed(value, first):
    if first:
        return f"−{abs(value):.3g}" if value < 0 else f"{value:.3g}"
    return f" − {abs(value):.3g}" if value < 0 else f" + {value:.3g}"


def _expression(weight, bias, alpha, names, gated=False, terms=4):
    """``α·(w₁·name₁ + … + b)₊`` with the largest |wᵢ| first (at most ``terms`` of them). Features
    with an exactly zero weight are left out: a normal ⋆(a ∧ e₁) has no e₁ part, and its
    ``+ -0·name`` said nothing (found running ``ganet report`` on scikit-learn's linnerud)."""
    order = np.argsort(-np.abs(weight), kind="stable")
    order = order[weight[order] != 0.0]
    body = "".join(_signed(weight[q], k == 0) + f"·{names[q]}" for k, q in enumerate(order[:terms]))
    if len(order) > terms:
        body += f" … ({len(order) - terms} more)"
    if bias:
        body += _signed(bias, not body)
    scale = ", ".join(f"{a:+.3g}".replace("-", "−") for a in np.atleast_1d(alpha))
    scale = scale if np.size(alpha) == 1 else f"({scale})"
    return f"{scale}·1[gate]·({body})" if gated else f"{scale}·({body})₊"


def feature_names(model, d):
    """The model's feature names (CSV header or DataFrame columns), else 'feature 1', …"""
    names = model.report_.get("cli", {}).get("features") if hasattr(model, "report_") else None
    if names is None and hasattr(model, "feature_names_in_"):
        names = [str(n) for n in model.feature_names_in_]
    return list(names) if names is not None and len(names) == d else [f"feature {q + 1}" for q in range(d)]


def neuron_table(model, names=None, top=None, terms=4):
    """The neurons of a fitted model, largest contribution first.

    Parameters
    ----------
    model : fitted ganet estimator
    names : list of str, optional
        Feature names; by default the model's (CSV header or DataFrame columns), else x₁, x₂, …
        written ``feature 1``, ``feature 2``, ….
    top : int, optional
        Only the ``top`` largest.
    terms : int
        Features shown per expression (the largest weights; the rest are counted).

    Returns
    -------
    list of dict
        ``index`` (in ``model.neurons_``), ``contribution`` cⱼ, ``share`` (cⱼ / Σc), ``expression``
        (two-layer neurons in the user's units; deep ones give their formula), ``formula`` (with
        samples as ``#i``) and ``samples`` (the special samples' row numbers).
    """
    contributions = neuron_contributions(model)
    d = model.n_features_in_
    names = list(names) if names is not None else feature_names(model, d)
    net = model.network()
    net = net if {"W1", "b1", "W2"} <= set(net) else None  # two layers; else a deep chain
    if net is None and getattr(model, "input_scaling_", None) is not None:
        names = [f"std({name})" for name in names]  # (a deep chain's formula is on (x − μ)/s)
    order = np.argsort(-contributions, kind="stable")[:top]
    total = float(contributions.sum()) or 1.0
    rows = []
    for j in order:
        nu = model.neurons_[j]
        formula = sample_names(nu.formula) if net is not None else coordinate_names(nu.formula, names)
        if net is not None:
            weights = nu.weights  # (its output weights are the same in the user's units)
            expression = _expression(net["W1"][:, j], float(net["b1"][j]), weights["W2"], names,
                                     "gates" in weights, terms)
            if nu.output is not None and np.size(getattr(model, "intercept_", 0.0)) > 1:  # one-vs-rest
                expression += f" → class {model.classes_[nu.output]}"
        else:
            expression = formula
        rows.append({"index": int(j), "contribution": float(contributions[j]),
                     "share": float(contributions[j]) / total, "expression": expression,
                     "formula": formula, "samples": [int(i) for i in nu.special_samples]})
    return rows
