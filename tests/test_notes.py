"""Every note ganet gives points at the user's line, whatever the path that gave it.

Hand-counted stacklevels had gone wrong: ``ArrangementReLU(...).fit`` with a short budget gave
its stop note at ganet/estimators/arrangement.py:146 and its λ_max advice at ``sys:1`` (past the
top of the stack). Each case below calls ganet from this file and asserts that every warning it
gave carries this file's name and the line of the call.
"""

import inspect
import warnings

import numpy as np
import pytest
from sklearn.datasets import load_iris
from sklearn.model_selection import cross_val_score

import ganet
from ganet.numeric.oracles.two_layer import Dictionary
from ganet.numeric.solvers.lasso_working_set import solve_lasso


def _notes(call):
    """The warnings ``call()`` gives, and the line of this file where the call begins."""
    line = inspect.currentframe().f_back.f_lineno
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        call()
    return caught, line


def _assert_at_the_call(caught, line):
    assert caught, "the case gave no warning: it tests nothing"
    for w in caught:
        # (a call written over two lines is reported at the line of its last part)
        assert w.filename == __file__ and line <= w.lineno <= line + 1, (str(w.message)[:80], w.filename, w.lineno)


@pytest.fixture(scope="module")
def iris():
    X, y = load_iris(return_X_y=True)
    return (X - X.mean(0)) / X.std(0), y


def test_an_arrangement_fit_that_stops_early(iris):
    X, y = iris  # (the default λ is tiny here: the stop note and the λ_max advice both come)
    caught, line = _notes(lambda: ganet.ArrangementReLU(patterns="sampled", n_patterns=10, max_iter=2, tol=1e-15,
                                                        random_state=0).fit(X, y))
    assert any("λ_max" in str(w.message) for w in caught)
    _assert_at_the_call(caught, line)


@pytest.mark.parametrize("make", [
    lambda: ganet.ArrangementReLUClassifier(patterns="sampled", n_patterns=10, max_iter=2, tol=1e-15,
                                            random_state=0),
    lambda: ganet.ConvexReLUClassifier(loss="hinge", max_iter=1)], ids=["arrangement", "wedge hinge"])
def test_the_one_vs_rest_note(iris, make):
    X, y = iris
    caught, line = _notes(lambda: make().fit(X[:, :2], y))
    assert any(str(w.message).startswith("one-vs-rest") for w in caught)
    _assert_at_the_call(caught, line)


def test_a_cross_validation_that_runs_out_of_budget(iris):
    X, y = iris
    caught, line = _notes(lambda: ganet.ConvexReLUCV(cv=3, n_lams=3, max_seconds=1e-3).fit(X[:, :2], X[:, 2]))
    _assert_at_the_call(caught, line)


def test_the_low_level_solver():
    X = np.random.default_rng(0).normal(size=(40, 2))
    caught, line = _notes(lambda: solve_lasso(Dictionary(X, reg="l1"), X[:, 0] ** 2, 1e-3, max_iter=1))
    _assert_at_the_call(caught, line)


def test_through_scikit_learns_model_selection(iris):
    X, y = iris
    caught, line = _notes(lambda: cross_val_score(ganet.ConvexReLU(max_iter=1), X[:, :2], X[:, 2], cv=2))
    _assert_at_the_call(caught, line)

