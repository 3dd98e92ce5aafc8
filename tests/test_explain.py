"""Neuron contributions and their readable expressions (ganet.explain, `ganet report`)."""

import re
import warnings

import numpy as np
import pytest
from sklearn.datasets import load_diabetes

import ganet
from ganet.explain import neuron_contributions, neuron_table

DIABETES = load_diabetes()
X = DIABETES.data[:120, [2, 8]] * 50 + [25.0, 4.0]  # bmi, s5 in made-up user units, off-centre
Y = DIABETES.target[:120]


def _network_terms(model, X):
    """‖W2ⱼ·act(xᵀW1ⱼ + b1ⱼ)‖ from network() (the user-unit weights), per neuron."""
    net = model.network()
    act = np.maximum(X @ net["W1"] + net["b1"], 0.0)
    W2 = np.asarray(net["W2"]).reshape(len(net["b1"]), -1)
    return np.linalg.norm(act, axis=0) * np.linalg.norm(W2, axis=1)


@pytest.mark.parametrize("make", [
    lambda: ganet.ConvexReLU(lam=0.5, standardize=True),
    lambda: ganet.ArrangementReLU(patterns="sampled", n_patterns=30, lam=5.0, random_state=0, standardize=True),
])
def test_contributions_are_the_network_terms_on_the_training_data(make):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = make().fit(X, Y)
    # the dictionary columns (or the program's activations) against network() in user units
    np.testing.assert_allclose(neuron_contributions(model), _network_terms(model, X), rtol=1e-6,
                               atol=1e-9 * np.abs(Y).sum())
    rows = neuron_table(model, names=["bmi", "s5"], top=5)
    shares = [r["contribution"] for r in rows]
    assert shares == sorted(shares, reverse=True) and len(rows) == min(5, len(model.neurons_))
    W1 = model.network()["W1"]
    for r in rows:
        # the expression names exactly the features of nonzero weight (an axis neuron has one)
        for name, w in zip(["bmi", "s5"], W1[:, r["index"]]):
            assert (re.search(rf"·{name}\b", r["expression"]) is not None) == (w != 0.0), (name, w, r)
        assert not re.search(r"\bx\d", r["formula"])  # samples are written #i
        # every sample the formula names is one of the neuron's special samples (a formula may
        # name an axis instead, e.g. −⋆e2 for p = 1)
        assert {int(i) for i in re.findall(r"#(\d+)", r["formula"])} <= set(r["samples"])


def test_deep_formulas_name_the_features_not_samples():
    model = ganet.DeepNarrowAbs(depth=2, lam=1.0).fit(X[:40], Y[:40])
    rows = neuron_table(model, names=["bmi", "s5"], top=3)
    assert rows and all("bmi" in r["formula"] or "s5" in r["formula"] for r in rows)
    assert not any(re.search(r"\bx\d|#", r["formula"]) for r in rows)


def test_cli_report_lists_the_largest_with_names(tmp_path, capsys):
    from ganet.cli import main

    path = tmp_path / "d.csv"
    path.write_text("bmi,s5,y\n" + "\n".join(f"{a!r},{b!r},{t!r}" for (a, b), t in zip(X.tolist(), Y.tolist())) + "\n")
    assert main(["fit", str(path), "--target", "y", "--lam", "0.5", "--standardize", "-o", str(tmp_path / "m.npz")]) == 0
    assert main(["report", str(tmp_path / "m.npz"), "--top", "3"]) == 0
    out = capsys.readouterr().out
    lines = [line for line in out.splitlines() if "%" in line]
    assert len(lines) == 3 and all("bmi" in line and "#" in line for line in lines)
    assert "#i: training sample i" in out


def test_expressions_leave_out_features_with_zero_weight():
    """A neuron through an axis (⋆(a ∧ e₁): no e₁ part) or with a −0.0 weight reads as its nonzero
    terms only; the count of terms left out counts nonzero ones."""
    from ganet.explain import _expression

    names = ["a", "b", "c", "d"]
    assert _expression(np.array([1.5, -0.0, 0.0, -2.0]), 3.0, 1.0, names) == "+1·(−2·d + 1.5·a + 3)₊"
    assert _expression(np.array([0.0, 1.0, -0.0, 0.0]), 0.0, -2.0, names) == "−2·(1·b)₊"
    text = _expression(np.array([1.0, 2.0, 0.0, 3.0]), -1.0, 1.0, names, terms=2)
    assert text == "+1·(3·d + 2·b … (1 more) − 1)₊"
