"""Issue 24 (in part): user-given gates and the patterns of a trained network (init=)."""

import warnings

import numpy as np
import pytest
from sklearn.neural_network import MLPRegressor

import ganet

rng = np.random.default_rng(5)
X = rng.normal(size=(60, 3)) * [1.0, 3.0, 0.5] + [10.0, 0.0, -2.0]
Y = np.maximum(X[:, 0] - 10 + X[:, 1] / 3, 0) - 0.5 * np.abs(X[:, 2] + 2) + 0.1 * rng.normal(size=60)


def test_given_gates_give_exactly_their_patterns():
    G = rng.normal(size=(4, 25))
    G[3] = -(np.array([10.0, 0.0, -2.0]) @ G[:3]) + rng.normal(size=25)  # gates through the data
    model = ganet.ArrangementReLU(patterns="sampled", gates=G, lam=0.5).fit(X, Y)
    expected = np.unique(np.hstack([X, np.ones((60, 1))]) @ G >= 0, axis=1).T  # in the user's units
    got = np.unique(model.masks_, axis=0)
    assert sorted(map(tuple, got)) == sorted(map(tuple, expected))
    assert model.certificate_ == "sampled: no global certificate"


@pytest.mark.parametrize("standardize", [False, True])
def test_init_is_never_beaten_by_its_own_network(standardize):
    lam = 0.5
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        mlp = MLPRegressor(hidden_layer_sizes=(12,), alpha=1e-3, max_iter=3000, random_state=0).fit(X, Y)
    W1, b1 = mlp.coefs_[0], mlp.intercepts_[0]
    W2, b2 = mlp.coefs_[1][:, 0], mlp.intercepts_[1][0]
    f = np.maximum(X @ W1 + b1, 0) @ W2 + b2
    # the network's own objective (biases free), computed here: ½‖f − y‖² + (λ/2)Σ(‖uⱼ‖² + αⱼ²)
    J = 0.5 * np.sum((f - Y) ** 2) + 0.5 * lam * (np.sum(W1 ** 2) + np.sum(W2 ** 2))
    model = ganet.ArrangementReLU(patterns="sampled", init=mlp, lam=lam, tol=1e-8,
                                  standardize=standardize).fit(X, Y)
    assert model.n_patterns_ <= 12 and model.converged_
    if not standardize:  # (standardized, the program's λ acts on other units: no comparison)
        assert model.objective_ <= J * (1 + 1e-8)
    assert len(model.neurons_) <= 2 * model.n_patterns_


def test_given_gates_are_refused_clearly():
    with pytest.raises(ValueError, match="patterns='sampled'"):
        ganet.ArrangementReLU(gates=np.ones((4, 3))).fit(X, Y)
    with pytest.raises(ValueError, match="array"):
        ganet.ArrangementReLU(patterns="sampled", gates=np.ones((2, 3))).fit(X, Y)
