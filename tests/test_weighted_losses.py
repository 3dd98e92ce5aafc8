"""Sample weights for the logistic and hinge losses: Σᵢ cᵢℓ(f(xᵢ), yᵢ) + λ‖z‖₁, certified by the
weighted Fenchel dual, against cvxpy + Clarabel over the dictionary enumerated independently of
ganet (tests/reference.py), and against repeated rows (integer weights)."""

import warnings

import cvxpy as cp
import numpy as np
import pytest

import ganet

from .reference import TIGHT, exact_dictionary, pilanci_ergen


def _weighted_reference(K, y, c, lam, loss):
    u, t = cp.Variable(K.shape[1]), cp.Variable()
    q = K @ u + t
    terms = cp.logistic(-cp.multiply(y, q)) if loss == "logistic" else cp.pos(1 - cp.multiply(y, q))
    problem = cp.Problem(cp.Minimize(c @ terms + lam * cp.norm1(u)))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        problem.solve(**TIGHT)
        if problem.status != "optimal":  # (the exponential cone at 1e-12 can stall: Clarabel's
            problem.solve(solver="CLARABEL")  # defaults, gaps of 1e-8, suffice for the bounds below)
    assert problem.status == "optimal"
    return problem.value


def _data(seed, n=14):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 2))
    y = np.where(X[:, 0] * X[:, 1] + 0.3 * rng.normal(size=n) > 0, 1, -1)
    c = rng.uniform(0.2, 3.0, size=n)
    c[0] = 0.0  # a zero weight: the row drops out
    return X, y, c


@pytest.mark.parametrize("loss", ["logistic", "hinge"])
@pytest.mark.parametrize("seed", [0, 1])
def test_weighted_fit_meets_an_independent_conic_solve(loss, seed):
    X, y, c = _data(seed)
    lam = 0.05
    model = ganet.ConvexReLUClassifier(loss=loss, lam=lam, tol=1e-9).fit(X, y, sample_weight=c)
    ref = _weighted_reference(exact_dictionary(X, 1, True), y.astype(float), c, lam, loss)
    assert model.certificate_ == "global"
    assert model.objective_ - model.dual_gap_ <= ref * (1 + 1e-7)  # a true lower bound ...
    assert model.objective_ <= ref * (1 + 1e-7)  # ... and a point at least as good as Clarabel's
    assert model.network_objective(X, y, sample_weight=c) <= model.objective_ * (1 + 1e-9)
    assert model.certify(X, y) == pytest.approx(model.dual_gap_, rel=1e-6, abs=1e-9 * model.objective_)
    # the weights change the problem: the unweighted optimum is another one
    plain = ganet.ConvexReLUClassifier(loss=loss, lam=lam, tol=1e-9).fit(X, y)
    assert abs(plain.objective_ - model.objective_) > 1e-3


@pytest.mark.parametrize("loss", ["logistic", "hinge"])
def test_integer_weights_are_repeated_rows(loss):
    X, y, _ = _data(3, n=10)
    c = np.array([1, 2, 1, 3, 1, 1, 2, 1, 1, 2])
    weighted = ganet.ConvexReLUClassifier(loss=loss, lam=0.05, tol=1e-10).fit(X, y, sample_weight=c)
    rows = np.repeat(np.arange(len(X)), c)
    repeated = ganet.ConvexReLUClassifier(loss=loss, lam=0.05, tol=1e-10).fit(X[rows], y[rows])
    # (the repeated set's dictionary has duplicate hyperplanes: the same columns, the same optimum)
    assert weighted.objective_ == pytest.approx(repeated.objective_, rel=1e-7)
    assert np.allclose(weighted.decision_function(X), repeated.decision_function(X), atol=1e-5) or loss == "hinge"


def test_weighted_one_vs_rest_and_files(tmp_path):
    from sklearn.datasets import load_iris
    from sklearn.decomposition import PCA

    X, y = load_iris(return_X_y=True)
    X = PCA(2).fit_transform(X)
    c = np.where(y == 2, 3.0, 1.0)
    model = ganet.ConvexReLUClassifier(loss="logistic", lam=0.05).fit(X, y, sample_weight=c)
    assert model.certificate_ == "global"
    model.save(tmp_path / "w.npz")
    loaded = ganet.load(tmp_path / "w.npz")
    assert loaded.certify(X, y) == model.certify(X, y)
    with pytest.raises(ValueError, match="positive weight"):
        # rows 40–59 hold classes 0 and 1; every class-0 row weighs 0
        ganet.ConvexReLUClassifier(loss="hinge", lam=0.05).fit(X[40:60], y[40:60], sample_weight=(y[40:60] != 0) * 1.0)


@pytest.mark.parametrize("seed", [7, 8])
def test_weighted_arrangement_program_meets_cvxpy_over_every_sign_pattern(seed):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(7, 2))
    c = rng.uniform(0.2, 3.0, size=7)
    c[4] = 0.0
    y = np.sin(2 * X[:, 0]) + X[:, 1]
    model = ganet.ArrangementReLU(lam=0.05, tol=1e-9).fit(X, y, sample_weight=c)
    ref = pilanci_ergen(X, y, 0.05, 2, True, weights=c)  # every sign pattern, by brute force
    assert model.certificate_ == "global"
    assert model.objective_ - model.dual_gap_ <= ref * (1 + 1e-7)
    assert model.objective_ <= ref * (1 + 1e-7)
    # the network reproduces the program's objective with the same weights
    assert model.network_objective(X, y, sample_weight=c) == pytest.approx(model.objective_, rel=1e-6)


def test_weighted_arrangement_integer_weights_are_repeated_rows():
    rng = np.random.default_rng(8)
    X = rng.normal(size=(10, 2))
    y = np.abs(X[:, 0]) - X[:, 1]
    c = np.array([1, 2, 1, 1, 3, 1, 2, 1, 1, 1])
    weighted = ganet.ArrangementReLU(lam=0.05, tol=1e-10).fit(X, y, sample_weight=c)
    rows = np.repeat(np.arange(len(X)), c)
    repeated = ganet.ArrangementReLU(lam=0.05, tol=1e-10).fit(X[rows], y[rows])
    assert weighted.objective_ == pytest.approx(repeated.objective_, rel=1e-7)
    np.testing.assert_allclose(weighted.predict(X), repeated.predict(X), atol=1e-5)


def test_weighted_logistic_arrangement_is_repeated_rows():
    rng = np.random.default_rng(9)
    X = rng.normal(size=(12, 3))
    y = np.where(X[:, 0] - X[:, 1] ** 2 > -0.5, 1, -1)
    c = rng.integers(1, 4, size=12)
    gates = rng.normal(size=(4, 15))  # given gates (user units): the same patterns for both fits
    params = dict(patterns="sampled", gates=gates, lam=0.05, loss="logistic", tol=1e-10)
    weighted = ganet.ArrangementReLUClassifier(**params).fit(X, y, sample_weight=c)
    rows = np.repeat(np.arange(len(X)), c)
    repeated = ganet.ArrangementReLUClassifier(**params).fit(X[rows], y[rows])
    assert np.array_equal(np.unique(weighted.masks_[:, rows], axis=0), np.unique(repeated.masks_, axis=0))
    assert weighted.objective_ == pytest.approx(repeated.objective_, rel=1e-7)
