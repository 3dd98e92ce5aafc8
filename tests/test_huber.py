"""The Huber loss (robust regression), added through the datafit alone: Σ h_δ(f(xᵢ) − yᵢ) with
h_δ(r) = ½r² (|r| ≤ δ), δ|r| − ½δ² beyond, certified by its Fenchel dual (θ = clip(y − f, ±δ)),
against cvxpy over the independently enumerated dictionary and over every sign pattern."""

import warnings

import cvxpy as cp
import numpy as np
import pytest

import ganet

from .reference import TIGHT, exact_dictionary, sign_patterns


def _data(seed, n=14):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 2))
    y = np.abs(X[:, 0]) - X[:, 1] + 0.1 * rng.normal(size=n)
    y[3] += 8.0  # an outlier
    return X, y


def _solve(problem):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        problem.solve(**TIGHT)
        if problem.status != "optimal":  # (1e-12 can stall on the Huber cones; 1e-10 suffices here)
            problem.solve(solver="CLARABEL", tol_gap_abs=1e-10, tol_gap_rel=1e-10, tol_feas=1e-10, max_iter=2000)
    assert problem.status == "optimal"
    return problem.value


@pytest.mark.parametrize("seed,delta", [(0, 0.5), (1, 2.0)])
def test_wedge_huber_meets_cvxpy(seed, delta):
    X, y = _data(seed)
    model = ganet.ConvexReLU(loss="huber", huber_delta=delta, lam=0.05, tol=1e-9).fit(X, y)
    K = exact_dictionary(X, 1, True)
    u, t = cp.Variable(K.shape[1]), cp.Variable()
    ref = _solve(cp.Problem(cp.Minimize(0.5 * cp.sum(cp.huber(K @ u + t - y, delta)) + 0.05 * cp.norm1(u))))
    assert model.certificate_ == "global"
    assert model.objective_ - model.dual_gap_ <= ref * (1 + 1e-8) and model.objective_ <= ref * (1 + 1e-8)
    assert model.network_objective(X, y) == pytest.approx(model.objective_, rel=1e-8)  # (p = 1: exact)
    assert model.certify(X, y) == pytest.approx(model.dual_gap_, rel=1e-6, abs=1e-9 * model.objective_)


def test_huber_is_robust_where_squared_is_not():
    X, y = _data(2, n=40)
    clean = np.ones(len(y), dtype=bool)
    clean[3] = False
    huber = ganet.ConvexReLU(loss="huber", huber_delta=0.3, lam=0.05).fit(X, y)
    squared = ganet.ConvexReLU(lam=0.05).fit(X, y)
    truth = np.abs(X[:, 0]) - X[:, 1]
    assert np.mean((huber.predict(X) - truth)[clean] ** 2) < np.mean((squared.predict(X) - truth)[clean] ** 2)


def test_arrangement_huber_meets_cvxpy_over_every_sign_pattern(tmp_path):
    X, y = _data(3, n=7)
    model = ganet.ArrangementReLU(loss="huber", huber_delta=0.5, lam=0.05, tol=1e-9).fit(X, y)
    A = np.hstack([X, np.ones((len(X), 1))])
    pred, pen, cons = 0, 0, []
    for D in sign_patterns(A):
        for sign in (1.0, -1.0):
            v = cp.Variable(3)
            cons.append(cp.multiply(2 * D - 1, A @ v) >= 0)
            pred = pred + sign * cp.multiply(D, A @ v)
            pen = pen + cp.norm(v[:2], 2)
    t, r = cp.Variable(), cp.Variable(len(y))  # (the residual as a variable: Clarabel then solves it)
    ref = _solve(cp.Problem(cp.Minimize(0.5 * cp.sum(cp.huber(r, 0.5)) + 0.05 * pen), cons + [r == pred + t - y]))
    assert model.certificate_ == "global"
    assert model.objective_ - model.dual_gap_ <= ref * (1 + 1e-7) and model.objective_ <= ref * (1 + 1e-7)
    assert model.network_objective(X, y) == pytest.approx(model.objective_, rel=1e-6)
    model.save(tmp_path / "h.npz")
    assert np.array_equal(ganet.load(tmp_path / "h.npz").predict(X), model.predict(X))


def test_bad_huber_delta_is_refused():
    X, y = _data(0)
    for bad in (0.0, -1.0, np.inf):
        with pytest.raises(ValueError, match="huber_delta"):
            ganet.ConvexReLU(loss="huber", huber_delta=bad).fit(X, y)
        with pytest.raises(ValueError, match="huber_delta"):
            ganet.ArrangementReLU(loss="huber", huber_delta=bad).fit(X, y)


def test_cli_huber(tmp_path, capsys):
    from ganet.cli import main

    X, y = _data(4, n=30)
    path = tmp_path / "d.csv"
    path.write_text("a,b,y\n" + "\n".join(f"{a!r},{b!r},{t!r}" for (a, b), t in zip(X.tolist(), y.tolist())) + "\n")
    assert main(["fit", str(path), "--target", "y", "--loss", "huber", "--huber-delta", "0.5", "--lam", "0.05",
                 "-o", str(tmp_path / "m.npz")]) == 0
    model = ganet.load(tmp_path / "m.npz")
    assert model.loss == "huber" and model.huber_delta == 0.5 and model.certificate_ == "global"
    assert main(["fit", str(path), "--target", "y", "--model", "deep-abs", "--loss", "huber",
                 "-o", str(tmp_path / "n.npz")]) != 0
    assert "--loss huber needs" in capsys.readouterr().err


def test_huber_lambda_by_cross_validation():
    """ConvexReLUCV(loss="huber") (the CLI's --lam cv --loss huber) fits one warm-started path per
    fold and chooses the λ of least held-out squared error. Each path's objective at every λ is
    that of a fresh fit (the optimum's value is unique; the network need not be — the Huber loss
    is linear past δ — so the held-out errors are those of the path's own networks, recomputed
    here from a path fitted again outside the CV)."""
    from sklearn.model_selection import KFold

    X, y = _data(5, n=30)
    cv = ganet.ConvexReLUCV(loss="huber", huber_delta=0.5, n_lams=3, cv=3, random_state=0, tol=1e-9).fit(X, y)
    errors = np.zeros(3)
    for train, test in KFold(3, shuffle=True, random_state=0).split(X):
        path = ganet.ConvexReLU(loss="huber", huber_delta=0.5, lam=cv.lams_, standardize=True, tol=1e-9)
        path.fit(X[train], y[train])
        for k, lam in enumerate(cv.lams_):
            fresh = ganet.ConvexReLU(loss="huber", huber_delta=0.5, lam=lam, standardize=True, tol=1e-9)
            assert path.path_[k]["objective"] == pytest.approx(fresh.fit(X[train], y[train]).objective_, rel=1e-7)
            assert path.path_[k]["converged"]
        Xt = path._model_inputs(X[test])
        for k, step in enumerate(path.path_):
            K = path.dictionary_.transform(Xt, step["columns"])
            errors[k] += np.mean((K @ step["coef"][:, 0] + step["intercept"][0] - y[test]) ** 2) / 3
    np.testing.assert_allclose(cv.cv_results_["mean_mse"], errors, rtol=1e-9)
    assert cv.lam_ == cv.lams_[np.argmin(errors)] and cv.certificate_ == "global"
