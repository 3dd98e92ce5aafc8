"""P23 §4.1's polishing steps for wide data: snapped neurons are Hodge duals of their least-aligned
samples, and the re-fitted output layer is the best one for the fixed hidden layer."""

import cvxpy as cp
import numpy as np

from ganet.polish import _objective, refit_output_layer, snap_neurons


def test_snapped_neurons_are_orthogonal_to_their_least_aligned_samples():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(40, 4))
    W1, b1 = rng.normal(size=(4, 6)), rng.normal(size=6)
    W, b, special = snap_neurons(W1, b1, X, bias=True)
    Xt, old = np.c_[X, np.ones(40)], np.r_[W1, b1[None]]
    for j, idx in enumerate(special):
        assert len(idx) == 4  # rank 5 → r − 1 samples
        assert np.allclose(Xt[idx] @ np.r_[W[:, j], b[j]], 0.0, atol=1e-10)
        # the chosen samples are those least aligned with the old neuron (brute-force ranking)
        cos = np.abs(Xt @ old[:, j]) / np.linalg.norm(Xt, axis=1)
        assert set(idx) == set(np.argsort(cos)[:4])
        assert np.isclose(np.linalg.norm(W[:, j]), np.linalg.norm(W1[:, j]))
        assert np.r_[W[:, j], b[j]] @ old[:, j] > 0  # same orientation


def test_refit_output_layer_matches_cvxpy_and_its_network_attains_the_value():
    rng = np.random.default_rng(1)
    X, y, lam = rng.normal(size=(30, 3)), rng.normal(size=30), 0.7
    W1, b1 = rng.normal(size=(3, 8)), rng.normal(size=8)
    net, value = refit_output_layer(W1, b1, X, y, lam)
    H = np.maximum(X @ W1 + b1, 0) / np.linalg.norm(W1, axis=0)
    z, t = cp.Variable(8), cp.Variable()
    ref = cp.Problem(cp.Minimize(0.5 * cp.sum_squares(H @ z + t - y) + lam * cp.norm1(z))).solve(solver="CLARABEL")
    assert np.isclose(value, ref, rtol=1e-6)
    assert np.isclose(_objective(net, X, y, lam, 2), value, rtol=1e-9)
    # and it is never worse than the hidden layer with its old output weights
    old = {"W1": W1, "b1": b1, "W2": rng.normal(size=8), "b2": 0.3}
    assert value <= _objective(old, X, y, lam, 2)


def test_snapping_ignores_directions_no_sample_sees():
    rng = np.random.default_rng(2)
    X = np.c_[rng.normal(size=(30, 3)), np.zeros(30)]  # a constant (standardized) feature
    W1, b1 = rng.normal(size=(4, 3)), rng.normal(size=3)
    W, b, special = snap_neurons(W1, b1, X)
    Xt = np.c_[X, np.ones(30)]
    for j, idx in enumerate(special):
        assert len(idx) == 3  # rank 4 → 3 samples
        assert np.allclose(Xt[idx] @ np.r_[W[:, j], b[j]], 0.0, atol=1e-10)
        assert W[3, j] == 0.0 or abs(W[3, j]) < 1e-12  # nothing left on the unseen feature
