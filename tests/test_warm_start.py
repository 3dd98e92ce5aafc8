"""Warm starts of the arrangement program along λ (``solve_arrangement(warm_start=…)`` and the
estimators' ``warm_start=True``, which ArrangementReLUCV's folds use down their grid).

Every warm-started solve is checked against cvxpy's optimum of the program written out, not
against a cold solve of the same code; the warm start must also do what it is for (fewer ADMM
iterations to the same certificate) and must refuse, or ignore, the state of another problem.
"""

import warnings

import numpy as np
import pytest

import ganet
import ganet.numeric.arrangement.program as arrangement
from ganet.numeric.arrangement.program import ArrangementProgram, solve_arrangement
from tests.test_arrangement import _reference_program
from tests.test_splitting import _data


def _solve(*args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return solve_arrangement(*args, **kwargs)


@pytest.mark.parametrize("splitting", [True, False], ids=["admm", "working set"])
def test_a_warm_path_reaches_each_optimum(splitting, monkeypatch):
    """Down a path of three λ, each solve started from the last certifies cvxpy's optimum; on the
    ADMM path the splitting goes on (one object, its iterations counted per λ)."""
    Z, masks, penalized, y = _data(bias=True)
    program = ArrangementProgram(Z, masks, penalized, gated=False, intercept=True)
    if splitting:
        monkeypatch.setattr(arrangement, "_CONIC_LIMIT", 0)
    last = None
    for lam in (8.0, 2.0, 0.5):
        res = _solve(program, y, lam, tol=1e-7, max_iter=6000, warm_start=last)
        reference = _reference_program(Z, masks, y, lam, penalized, intercept=True)
        assert res.converged and res.objective == pytest.approx(reference, rel=1e-6)
        assert res.objective - res.dual_gap <= reference * (1 + 1e-8)
        if splitting:
            assert res.splitting is not None and (last is None or res.splitting is last.splitting)
        else:
            assert res.splitting is None
        last = res


def test_the_admm_from_the_last_state_is_further_after_the_same_iterations(monkeypatch):
    """100 iterations at λ = 1.5 from λ = 2's state certify a relative gap of about 1e-5; from
    zero, 7e-2 (measured when written)."""
    Z, masks, penalized, y = _data(bias=True)
    program = ArrangementProgram(Z, masks, penalized, gated=False, intercept=True)
    monkeypatch.setattr(arrangement, "_CONIC_LIMIT", 0)
    first = _solve(program, y, 2.0, tol=1e-6, max_iter=6000)
    cold = _solve(program, y, 1.5, tol=1e-12, max_iter=100)
    warm = _solve(program, y, 1.5, tol=1e-12, max_iter=100, warm_start=first)
    assert cold.n_iter == warm.n_iter == 100
    assert warm.dual_gap < 0.01 * cold.dual_gap
    reference = _reference_program(Z, masks, y, 1.5, penalized, intercept=True)
    assert warm.objective - warm.dual_gap <= reference * (1 + 1e-8) <= warm.objective * (1 + 2e-8)


def test_a_warm_start_of_another_problem_is_refused():
    Z, masks, penalized, y = _data(bias=False)
    program = ArrangementProgram(Z, masks, penalized, gated=False, intercept=True)
    res = _solve(program, y, 2.0, max_iter=50)
    other = ArrangementProgram(Z, masks, penalized, gated=False, intercept=True)
    for args, kwargs in [((program, y + 1.0, 1.0), {}), ((other, y, 1.0), {}),
                         ((program, y, 1.0), {"loss": "huber"}), ((program, y, 1.0), {"sample_weight": np.ones(len(y))})]:
        with pytest.raises(ValueError, match="another problem"):
            solve_arrangement(*args, warm_start=res, **kwargs)


def test_the_estimator_walks_a_path_warm(monkeypatch):
    """warm_start=True: the second fit on the same data reuses the program and starts from the
    solution; a fit of other targets reuses only the program; other inputs build a new one. The
    optima are cvxpy's, through the fitted model's own objective."""
    rng = np.random.default_rng(0)
    X = rng.standard_normal((60, 2))
    y = np.maximum(X[:, 0] - X[:, 1], 0) + 0.1 * rng.standard_normal(60)
    built = []
    real = ganet.ArrangementReLU._program
    monkeypatch.setattr(ganet.ArrangementReLU, "_program", lambda self, X: built.append(1) or real(self, X))
    model = ganet.ArrangementReLU(patterns="sampled", n_patterns=12, lam=0.5, warm_start=True, random_state=0)
    model.fit(X, y)
    program = model._warm["program"][0]
    starts = []
    monkeypatch.setattr(arrangement, "solve_arrangement", lambda *a, **k: starts.append(k["warm_start"]) or
                        _solve(*a, **k))
    monkeypatch.setattr(ganet.estimators.arrangement, "solve_arrangement", arrangement.solve_arrangement)
    model.set_params(lam=0.1).fit(X, y)
    assert built == [1] and model._warm["program"][0] is program and starts[-1] is not None
    Z, masks = program.Z, program.M.T.astype(bool)
    reference = _reference_program(Z, masks, y, 0.1 / model._warm["program"][2][1].scale, program.penalized)
    assert model.converged_
    assert model.objective_ == pytest.approx(reference, rel=1e-6)  # (the program's units: λ/scale)
    model.fit(X, -y)  # other targets: the program, not the solutions
    assert built == [1] and starts[-1] is None
    model.fit(X + 1.0, y)  # other inputs: a new program
    assert built == [1, 1] and model._warm["program"][0] is not program
    cold = ganet.ArrangementReLU(patterns="sampled", n_patterns=12, lam=0.5, random_state=0).fit(X, y)
    assert cold._warm == {} and not cold.warm_start


@pytest.mark.parametrize("loss", ["logistic", "hinge"])
@pytest.mark.parametrize("n_classes", [2, 3])
def test_a_wedge_path_of_other_losses_reaches_each_fresh_optimum(loss, n_classes):
    """ConvexReLUClassifier(lam=[…]) with the logistic or hinge loss: one path, each class's
    solve started from its last λ's support (it was refused: "a λ path needs loss='squared'").
    Every step certifies the optimum value of a fresh fit at its λ, and the model is that of the
    last λ."""
    rng = np.random.default_rng(7)
    X = rng.normal(size=(60, 2))
    y = np.digitize(X[:, 0] - X[:, 1] ** 2, [-0.5, 0.5][: n_classes - 1])
    lams = [2.0, 0.5, 0.1]
    path = ganet.ConvexReLUClassifier(loss=loss, lam=lams, tol=1e-8).fit(X, y)
    assert [step["lam"] for step in path.path_] == lams
    for step, lam in zip(path.path_, lams):
        fresh = ganet.ConvexReLUClassifier(loss=loss, lam=lam, tol=1e-8).fit(X, y)
        assert step["converged"] and fresh.converged_
        assert step["objective"] == pytest.approx(fresh.objective_, rel=1e-6)
    assert path.lam_ == lams[-1] and path.objective_ == path.path_[-1]["objective"]
