"""Polishing trained networks: never worse, certified, and better where Adam stalls."""

import warnings

import numpy as np
import pytest
from sklearn.neural_network import MLPClassifier, MLPRegressor

from ganet import ConvexReLU, polish
from ganet.adam import train_adam
from ganet.datasets import two_spirals
from ganet.polish import network_weights


def test_polish_beats_a_stalled_adam_run_and_certifies():
    X, y = two_spirals(n=60, turns=1.25)
    net, history = train_adam(X, y, 40, 1e-3, "l1", True, steps=300, seed=0)  # stalls far above
    model = polish(net, X, y, lam=1e-3)
    info = model.report_["polish"]
    assert info["objective_before"] == pytest.approx(history[-1], rel=1e-12)  # the same convention
    assert model.certificate_ == "global" and model.converged_
    assert model.objective_ <= info["objective_before"] and info["improvement"] > 0.5 * info["objective_before"]
    assert model.network_objective(X, y) == pytest.approx(model.objective_, rel=1e-9)
    assert info["mapped"] and all(len(m["special_samples"]) == 2 for m in info["mapped"])
    # the globally optimal network itself polishes to itself
    again = polish(model.network(), X, y, lam=1e-3)
    assert again.report_["polish"]["improvement"] == pytest.approx(0.0, abs=1e-8 * model.objective_)


def test_every_weight_format_gives_the_same_polished_optimum():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(40, 2))
    y = np.sin(2 * X[:, 0]) * X[:, 1]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        mlp = MLPRegressor(hidden_layer_sizes=(12,), max_iter=200, random_state=0).fit(X, y)
    as_dict = {"W1": mlp.coefs_[0], "b1": mlp.intercepts_[0], "W2": mlp.coefs_[1], "b2": mlp.intercepts_[1]}
    as_state = {"0.weight": mlp.coefs_[0].T, "0.bias": mlp.intercepts_[0], "2.weight": mlp.coefs_[1].T,
                "2.bias": mlp.intercepts_[1]}
    results = [polish(w, X, y, lam=1e-2) for w in (mlp, as_dict, as_state)]
    before = {r.report_["polish"]["objective_before"] for r in results}
    assert len(before) == 1
    for r in results:
        assert r.converged_ and r.objective_ <= r.report_["polish"]["objective_before"]
        assert r.objective_ == pytest.approx(ConvexReLU(lam=1e-2).fit(X, y).objective_, rel=1e-8)


def test_a_classifier_polishes_into_a_classifier():
    X, y = two_spirals(n=40, turns=1.0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        mlp = MLPClassifier(hidden_layer_sizes=(16,), max_iter=150, random_state=0).fit(X, y)
    model = polish(mlp, X, y, lam=1e-2)
    assert type(model).__name__ == "ConvexReLUClassifier" and model.converged_
    assert set(model.predict(X)) <= set(mlp.classes_)
    assert model.objective_ <= model.report_["polish"]["objective_before"]


def test_bad_weights_are_refused():
    X, y = np.random.default_rng(0).normal(size=(10, 2)), np.arange(10.0)
    with pytest.raises(TypeError, match="weights must be"):
        polish([1, 2, 3], X, y, lam=0.1)
    with pytest.raises(ValueError, match="features"):
        polish({"W1": np.ones((3, 4)), "b1": np.zeros(4), "W2": np.ones(4), "b2": 0.0}, X, y, lam=0.1)
    with pytest.raises(ValueError, match="one output"):
        network_weights({"W1": np.ones((2, 4)), "b1": np.zeros(4), "W2": np.ones((4, 3)), "b2": np.zeros(3)})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        deep = MLPRegressor(hidden_layer_sizes=(4, 4), max_iter=20, random_state=0).fit(X, y)
    with pytest.raises(ValueError, match="one hidden layer"):
        polish(deep, X, y, lam=0.1)
