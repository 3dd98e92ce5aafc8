"""The essay's SGD/GD baseline: its step is the gradient of F/n, and no run goes below the certified
optimum of the exact pattern program (W Figures 1–7 in tutorials/07)."""

import numpy as np

from ganet import ArrangementReLU
from ganet.adam import train_sgd


def _objective(U, a, X, y, lam):
    r = np.maximum(X @ U, 0.0) @ a - y
    return 0.5 * r @ r + 0.5 * lam * (np.sum(U * U) + a @ a)


def test_a_gradient_descent_step_follows_finite_differences_of_the_average_objective():
    rng = np.random.default_rng(3)
    X, y, lam, lr = rng.normal(size=(7, 3)), rng.normal(size=7), 0.1, 1e-2
    w0, h0 = train_sgd(X, y, 4, lam, steps=0, lr=lr, batch_size=7, runs=2, seed=11)
    w1, _ = train_sgd(X, y, 4, lam, steps=1, lr=lr, batch_size=7, runs=2, seed=11)
    for r in range(2):
        U, a = w0["U"][r], w0["alpha"][r]
        assert np.isclose(h0[r, 0], _objective(U, a, X, y, lam))
        flat = np.r_[U.ravel(), a]

        def f(v):
            return _objective(v[:U.size].reshape(U.shape), v[U.size:], X, y, lam) / len(y)

        eye = np.eye(flat.size) * 1e-6
        grad = np.array([(f(flat + e) - f(flat - e)) / 2e-6 for e in eye])
        expected = flat - lr * grad
        assert np.allclose(np.r_[w1["U"][r].ravel(), w1["alpha"][r]], expected, atol=1e-8)


def test_no_sgd_run_goes_below_the_exact_program_and_histories_are_the_objective():
    X = np.array([(1, -2), (1, -1), (1, 0), (1, 1), (1, 2)], float)  # W §2.3.1's fixed design
    y = np.array([1.0337, 1.0129, 1.0234, -0.9770, -1.1123])
    optimum = ArrangementReLU(patterns="exact", lam=1e-3, bias=False, tol=1e-10).fit(X, y).objective_
    weights, history = train_sgd(X, y, 20, 1e-3, steps=2000, runs=6, seed=0)
    assert history.shape == (6, 2001)
    final = [_objective(weights["U"][r], weights["alpha"][r], X, y, 1e-3) for r in range(6)]
    assert np.allclose(history[:, -1], final)
    assert history.min() >= optimum * (1 - 1e-8)
    assert history[:, -1].mean() < history[:, 0].mean()  # it does train
