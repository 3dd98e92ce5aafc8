"""One-vs-rest arrangement classifiers: one certified program per class over the same patterns.

The merged model is checked against separately fitted binary models (the class against the
rest), which share no code with the merge: the objectives and gaps add up, and the scores agree
where the optimum is unique (the squared loss)."""

import numpy as np
import pytest
from sklearn.datasets import load_iris

import ganet

X, Y = load_iris(return_X_y=True)


def _binary_fits(**params):
    # labels "a" (the class) and "b" (the rest): classes_ = ["a", "b"], so +1 means "the rest"
    return [ganet.ArrangementReLUClassifier(**params).fit(X, np.where(Y == k, "a", "b")) for k in range(3)]


@pytest.mark.parametrize("loss", ["squared", "logistic"])
def test_one_vs_rest_is_the_sum_of_the_binary_programs(loss):
    params = dict(patterns="sampled", n_patterns=40, lam=0.1, loss=loss, random_state=0)
    model = ganet.ArrangementReLUClassifier(**params).fit(X, Y)
    binary = _binary_fits(**params)
    assert model.decision_function(X).shape == (len(X), 3)
    assert np.array_equal(model.classes_, [0, 1, 2])
    total = sum(b.objective_ for b in binary)
    slack = model.dual_gap_ + sum(b.dual_gap_ for b in binary)
    assert abs(model.objective_ - total) <= slack + 1e-12 * total
    assert model.dual_gap_ <= model.tol * model.objective_ * 3  # each class within tol
    if loss == "squared":  # strictly convex in the scores: the same network outputs
        scores = -np.column_stack([b.decision_function(X) for b in binary])
        assert np.allclose(model.decision_function(X), scores, atol=1e-5)
    assert model.score(X, Y) > 0.95
    assert {nu.output for nu in model.neurons_} == {0, 1, 2}


def test_one_vs_rest_network_probabilities_and_files(tmp_path):
    model = ganet.ArrangementReLUClassifier(patterns="sampled", n_patterns=30, lam=0.1, loss="logistic",
                                            random_state=1, standardize=True).fit(X, Y)
    net = model.network()  # the user's units, one output column per class
    assert net["W2"].shape == (len(model.neurons_), 3) and np.shape(net["b2"]) == (3,)
    F = np.maximum(X @ net["W1"] + net["b1"], 0.0) @ net["W2"] + net["b2"]
    assert np.allclose(F, model.decision_function(X), atol=1e-9)
    P = model.predict_proba(X)
    assert P.shape == (len(X), 3) and np.allclose(P.sum(axis=1), 1.0)
    assert np.array_equal(model.classes_[P.argmax(axis=1)], model.predict(X))
    model.save(tmp_path / "ovr.npz")
    loaded = ganet.load(tmp_path / "ovr.npz")
    assert np.array_equal(loaded.decision_function(X), model.decision_function(X))
    assert [nu.output for nu in loaded.neurons_] == [nu.output for nu in model.neurons_]


def test_one_vs_rest_with_a_budget_keeps_it_in_total():
    import time
    import warnings

    from sklearn.exceptions import ConvergenceWarning

    Xw = np.random.default_rng(0).normal(size=(400, 20))
    yw = np.argmax(Xw[:, :4], axis=1)
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model = ganet.ArrangementReLUClassifier(patterns="sampled", n_patterns=200, lam=1e-3,
                                                random_state=0, max_seconds=2.0).fit(Xw, yw)
    # loose functional bound (no timing assertion): the budget is split over the 4 programs
    assert time.perf_counter() - start < 2.0 * 4
    assert model.report_["one_vs_rest"] and len(model.report_["stopped"]) == 4


@pytest.mark.parametrize("make", [
    lambda: ganet.ArrangementReLUClassifier(patterns="sampled", n_patterns=20, lam=1e-3, max_iter=3, tol=1e-15,
                                            random_state=0),
    lambda: ganet.ConvexReLUClassifier(loss="logistic", max_iter=1)], ids=["arrangement", "wedge logistic"])
def test_one_vs_rest_stopped_early_says_so_once(make):
    """Digits' ten classes, each stopped by the budget, gave ten identical notes (and the wedge
    classifier's logistic fits one per class too); now one counts the classes that stopped and
    quotes the first program's note."""
    import warnings

    from sklearn.exceptions import ConvergenceWarning

    X = np.random.default_rng(0).normal(size=(120, 2))
    y = np.argmax(np.column_stack([X, -X.sum(axis=1)]), axis=1)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model = make().fit(X, y)
    notes = [str(w.message) for w in caught if w.category is ConvergenceWarning and "·λ_max" not in str(w.message)]
    assert not model.converged_
    assert len(notes) == 1 and notes[0].startswith("one-vs-rest: the programs of 3 of 3 classes stopped before "
                                                   "their certificate; the first said: ")


@pytest.mark.parametrize("loss", ["logistic", "hinge"])
def test_wedge_classifier_one_vs_rest_is_the_sum_of_binary_fits(loss, tmp_path):
    from sklearn.decomposition import PCA

    X2 = PCA(2).fit_transform(X)
    model = ganet.ConvexReLUClassifier(loss=loss, lam=0.05).fit(X2, Y)
    binary = [ganet.ConvexReLUClassifier(loss=loss, lam=0.05).fit(X2, np.where(Y == k, "a", "b")) for k in range(3)]
    total = sum(b.objective_ for b in binary)
    assert abs(model.objective_ - total) <= model.dual_gap_ + sum(b.dual_gap_ for b in binary) + 1e-12 * total
    assert model.certificate_ == "global" and model.report_["one_vs_rest"]
    assert model.decision_function(X2).shape == (len(X2), 3)
    assert np.allclose(model.predict_proba(X2).sum(axis=1), 1.0)
    assert model.score(X2, Y) > 0.9
    # the network shares a neuron picked by several classes: its weight decay (‖α‖₂ per neuron)
    # is at most the one-vs-rest sum of |z| (‖α‖₁), so its objective is not above objective_
    assert model.network_objective(X2, Y) <= model.objective_ * (1 + 1e-9)
    gap = model.certify(X2, Y)  # the full dictionary is the stored one: the same gap, per class summed
    assert gap == pytest.approx(model.dual_gap_, rel=1e-6, abs=1e-9 * model.objective_)
    model.save(tmp_path / "ovr.npz")
    loaded = ganet.load(tmp_path / "ovr.npz")
    assert np.array_equal(loaded.decision_function(X2), model.decision_function(X2))
    assert loaded.certify(X2, Y) == model.certify(X2, Y)


def test_one_note_for_the_classes_holds_only_the_stop_notes():
    """The mechanism itself: stop notes held and counted by the results' ``converged``, any other
    warning passed through as it came, and nothing held for one class."""
    import warnings
    from types import SimpleNamespace

    from sklearn.exceptions import ConvergenceWarning

    from ganet.estimators.base import one_note_for_the_classes

    def run(n_classes, converged):
        results = []
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            with one_note_for_the_classes(results, n_classes):
                for k, ok in enumerate(converged):
                    if not ok:
                        warnings.warn(f"class {k} stopped", ConvergenceWarning)
                    warnings.warn(f"other {k}", RuntimeWarning)
                    results.append(SimpleNamespace(converged=ok))
        return [(w.category, str(w.message)) for w in caught]

    assert run(3, [False, True, False]) == [
        (RuntimeWarning, "other 0"), (RuntimeWarning, "other 1"), (RuntimeWarning, "other 2"),
        (ConvergenceWarning, "one-vs-rest: the programs of 2 of 3 classes stopped before their certificate; "
                             "the first said: class 0 stopped")]
    assert run(3, [True, True, True]) == [(RuntimeWarning, f"other {k}") for k in range(3)]
    assert run(1, [False]) == [(ConvergenceWarning, "class 0 stopped"), (RuntimeWarning, "other 0")]
