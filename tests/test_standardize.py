"""standardize=True (issue 23): the model fits on standardized inputs and acts on the user's units."""

import numpy as np
import pytest

import ganet

rng = np.random.default_rng(0)
X = rng.normal(size=(24, 2)) * [1000.0, 0.01] + [5e4, -3.0]  # wildly different units
Y = np.sin(X[:, 0] / 1000.0) + 30 * X[:, 1]

MODELS = {
    "ConvexReLU": lambda: ganet.ConvexReLU(lam=0.05, standardize=True),
    "ConvexReLUClassifier": lambda: ganet.ConvexReLUClassifier(lam=0.05, loss="logistic", standardize=True),
    "ThreeLayerReLU": lambda: ganet.ThreeLayerReLU(lam=0.05, bias=True, standardize=True),
    "ArrangementReLU": lambda: ganet.ArrangementReLU(lam=0.05, standardize=True),
    "ArrangementReLU gated": lambda: ganet.ArrangementReLU(lam=0.05, gated=True, standardize=True),
}


def _forward(net, X, model):
    """The network of ``net`` (user units) evaluated by hand."""
    pre = X @ net["W1"] + net["b1"]
    if "gates" in net:
        act = (np.hstack([X, np.ones((len(X), 1))]) @ net["gates"] >= 0) * pre
    else:
        act = np.maximum(pre, 0.0)
    if isinstance(model, ganet.ThreeLayerReLU):
        return np.maximum(net["w2"] * act + net["b2"], 0.0) @ net["alpha"] + net["b"]
    out = act @ net["W2"] + net["b2"]
    return out.ravel() if out.ndim > 1 and out.shape[1] == 1 else out


@pytest.mark.parametrize("name", list(MODELS))
def test_the_network_acts_on_the_users_units_and_files_keep_the_scaling(name, tmp_path):
    classify = "Classifier" in name
    target = (Y > np.median(Y)).astype(int) if classify else Y
    model = MODELS[name]().fit(X, target)
    Z = (X - X.mean(0)) / X.std(0)
    same = type(model)(**{**model.get_params(), "standardize": False}).fit(Z, target)
    assert model.objective_ == pytest.approx(same.objective_, rel=1e-9)  # the problem on Z
    scores = model.decision_function(X) if classify else model.predict(X)
    np.testing.assert_allclose(_forward(model.network(), X, model), scores, rtol=1e-7, atol=1e-7 * np.abs(scores).max())
    assert model.network_objective(X, target) == pytest.approx(model.objective_, rel=1e-8)
    model.save(tmp_path / "m.npz")
    again = ganet.load(tmp_path / "m.npz")
    new = X[:5] * 1.01
    np.testing.assert_array_equal(again.predict(new), model.predict(new))


def test_cli_standardize_tol_dictionary_and_sample_weights(tmp_path, capsys):
    from ganet.cli import main

    w = np.where(np.arange(len(X)) % 3 == 0, 2.0, 1.0)
    path = tmp_path / "d.csv"
    path.write_text("a,b,w,y\n" + "\n".join(f"{a!r},{b!r},{c!r},{t!r}" for (a, b), c, t in
                                          zip(X.tolist(), w.tolist(), Y.tolist())) + "\n")
    out = tmp_path / "m.npz"
    assert main(["fit", str(path), "--target", "y", "--lam", "0.05", "--standardize", "--tol", "1e-9",
                 "--dictionary", "streaming", "--sample-weight", "w", "-o", str(out)]) == 0
    model = ganet.load(out)
    direct = ganet.ConvexReLU(lam=0.05, standardize=True, tol=1e-9, dictionary="streaming").fit(X, Y, sample_weight=w)
    assert model.n_features_in_ == 2 and model.objective_ == pytest.approx(direct.objective_, rel=1e-9)
    np.testing.assert_allclose(model.predict(X), direct.predict(X), rtol=1e-9, atol=1e-9)
    assert main(["fit", str(path), "--target", "y", "--model", "relu3", "--sample-weight", "w",
                 "-o", str(out)]) == 1
    assert "takes no sample weights" in capsys.readouterr().err


@pytest.mark.parametrize("loss", ["logistic", "squared", "hinge"])
def test_arrangement_classifier_probabilities(loss):
    labels = np.where(Y > np.median(Y), "high", "low")
    model = ganet.ArrangementReLUClassifier(lam=0.05, loss=loss, standardize=True).fit(X, labels)
    P = model.predict_proba(X)
    f = model.decision_function(X)
    expected = 1 / (1 + np.exp(-f)) if loss == "logistic" else np.clip((f + 1) / 2, 0, 1)
    np.testing.assert_allclose(P[:, 1], expected, rtol=1e-12, atol=1e-15)  # classes_[1] = "low"
    np.testing.assert_allclose(P.sum(axis=1), 1.0)
    assert np.array_equal(model.classes_[(P[:, 1] > 0.5).astype(int)], model.predict(X))


def test_report_figure_draws_a_standardized_model_in_the_users_units(tmp_path):
    from ganet.plots import _in_user_units, breaklines, report_figure

    model = ganet.ConvexReLU(lam=0.05, standardize=True).fit(X, Y)
    Xu, lines = _in_user_units(model, model.dictionary_.X, breaklines(model))
    np.testing.assert_allclose(Xu, X, rtol=1e-12, atol=1e-9 * np.abs(X).max())
    for w, v, k in lines:  # each breakline passes through its neuron's special samples, raw units
        for i in model.neurons_[k].special_samples:
            assert abs(X[i] @ w - v) <= 1e-8 * (np.abs(X[i]) @ np.abs(w) + abs(v))
    assert report_figure(model, model.dictionary_.X, None, tmp_path / "r.png") == tmp_path / "r.png"
