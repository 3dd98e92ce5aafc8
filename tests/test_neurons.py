"""Every model's neurons follow one protocol (ganet.Neuron), and what they say is true: the sum of
their ``weights`` is the model's prediction, and their special samples lie on their breakplanes."""

import warnings

import numpy as np
import pytest

import ganet
from ganet.plots import breaklines

rng = np.random.default_rng(3)
X = rng.standard_normal((12, 2))
Y = np.sin(2 * X[:, 0]) + X[:, 1] ** 2
LABELS = np.digitize(X[:, 0] + X[:, 1], [-0.5, 0.5])  # three classes


def _two_layer(w, x):
    """Σⱼ W2ⱼ·act(xᵀW1ⱼ + b1ⱼ) of one neuron's weights (a gated one: 1[gate ≥ 0]·(…))."""
    pre = x @ w["W1"] + w["b1"]
    if "gates" in w:
        g = w["gates"]
        on = x @ g[:x.shape[1]] + (g[x.shape[1]] if len(g) > x.shape[1] else 0.0) >= 0
        return np.multiply.outer(on * pre, np.atleast_1d(w["W2"]))
    return np.multiply.outer(np.maximum(pre, 0.0), np.atleast_1d(w["W2"]))


def _three_layer(w, x):
    h = np.maximum(x @ w["W1"] + w["b1"], 0.0)
    return (w["alpha"] * np.maximum(w["w2"] * h + w["b2"], 0.0))[:, None]


def _deep_abs(w, x):
    h = np.abs(x @ w["W1"] + w["biases"][0])
    for inner, b in zip(w["inner"], w["biases"][1:]):
        h = np.abs(inner * h + b)
    return (w["alpha"] * h)[:, None]


CASES = {
    "ConvexReLU": (lambda: ganet.ConvexReLU(lam=0.05), Y, _two_layer),
    "ConvexReLU p=2": (lambda: ganet.ConvexReLU(reg="l2", lam=0.05), Y, _two_layer),
    "ConvexReLUClassifier 3 classes": (lambda: ganet.ConvexReLUClassifier(lam=0.05), LABELS, _two_layer),
    "DeepNarrowAbs": (lambda: ganet.DeepNarrowAbs(depth=3, lam=0.05), Y, _deep_abs),
    "ThreeLayerReLU": (lambda: ganet.ThreeLayerReLU(lam=0.05, bias=True), Y, _three_layer),
    "ArrangementReLU": (lambda: ganet.ArrangementReLU(lam=0.05), Y, _two_layer),
    "ArrangementReLU gated": (lambda: ganet.ArrangementReLU(lam=0.05, gated=True), Y, _two_layer),
    "ArrangementReLUClassifier 3 classes": (lambda: ganet.ArrangementReLUClassifier(lam=0.05), LABELS,
                                            _two_layer),
}


@pytest.mark.parametrize("name", list(CASES))
def test_every_neuron_follows_the_protocol_and_its_weights_are_the_model(name):
    make, y, term = CASES[name]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = make().fit(X, y)
    assert model.neurons_
    c = np.size(model.intercept_)
    F = np.zeros((len(X), c))
    for nu in model.neurons_:
        assert isinstance(nu, ganet.Neuron)
        assert isinstance(nu.formula, str) and nu.formula
        assert all(isinstance(i, (int, np.integer)) for i in nu.special_samples)
        t = term(nu.weights, X)
        if nu.output is not None and c > 1:  # a one-vs-rest neuron feeds its own class only
            F[:, nu.output] += t[:, 0]
        else:
            F += t.reshape(len(X), -1)
        # its special samples lie on one of its breakplanes xᵀw = v (where it changes form)
        for i in nu.special_samples:
            assert min(abs(float(X[i] @ w) - v) / max(1.0, np.abs(w).sum()) for w, v in nu.breakplanes) <= 1e-8
    F += np.asarray(model.intercept_).reshape(c)
    # the model's own outputs, computed its own way (anchored, normalized or chained)
    expected = model.decision_function(X) if hasattr(model, "decision_function") else model.predict(X)
    np.testing.assert_allclose(F.reshape(np.shape(expected)), expected, rtol=1e-7, atol=1e-9)
    assert len(breaklines(model)) == sum(len(nu.breakplanes) for nu in model.neurons_)


@pytest.mark.parametrize("gated", [False, True])
def test_arrangement_neuron_outputs_are_the_networks_terms(gated):
    """neuron_outputs(X)[:, j] = W2ⱼ·act(xᵀW1ⱼ + b1ⱼ) with the weights of ``network()`` (gated:
    the gate 1[xᵀgⱼ + cⱼ ≥ 0] times xᵀW1ⱼ + b1ⱼ), evaluated here by hand; with the intercept they
    sum to predict."""
    rng = np.random.default_rng(4)
    X = rng.normal(size=(40, 2))
    y = np.abs(X[:, 0]) - X[:, 1] + 0.1 * rng.normal(size=40)
    model = ganet.ArrangementReLU(lam=0.1, gated=gated).fit(X, y)
    net = model.network()
    pre = X @ net["W1"] + net["b1"]
    act = ((np.column_stack([X, np.ones(len(X))]) @ net["gates"] >= 0) * pre) if gated else np.maximum(pre, 0.0)
    expected = act * np.ravel(net["W2"])
    terms = model.neuron_outputs()
    np.testing.assert_allclose(terms, expected, rtol=1e-8, atol=1e-9 * np.abs(expected).max())
    np.testing.assert_allclose(terms.sum(axis=1) + model.intercept_[0], model.predict(X), rtol=1e-8, atol=1e-9)
