"""What the report's figure shows: the data a person needs to judge the fit.

The 2-D figure drew every training point in black, a classifier's as well: neither the classes
nor the decision boundary could be seen. The figure is captured at ``savefig`` and read back.
"""

import matplotlib
import numpy as np
import pytest
from matplotlib.collections import PathCollection
from matplotlib.figure import Figure

import ganet
from ganet.cli import main
from ganet.plots import report_figure


@pytest.fixture
def saved_figures(monkeypatch):
    """The figures report_figure saves (kept open for reading)."""
    figures = []
    real = Figure.savefig
    monkeypatch.setattr(Figure, "savefig", lambda self, *a, **k: (figures.append(self), real(self, *a, **k))[1])
    return figures


def _legend(fig):
    return [t.get_text() for t in fig.axes[0].get_legend().get_texts()]


def _points(fig):
    return [c for c in fig.axes[0].collections if isinstance(c, PathCollection)]


@pytest.fixture(scope="module")
def two_moons():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(60, 2))
    return X, np.where(X[:, 0] * X[:, 1] > 0, "same", "other")


def test_a_binary_classifier_shows_its_classes_and_its_boundary(two_moons, saved_figures, tmp_path):
    X, y = two_moons
    model = ganet.ConvexReLUClassifier(lam=0.1).fit(X, y)
    report_figure(model, X, y, tmp_path / "f.png")
    fig = saved_figures[-1]
    assert _legend(fig) == ["decision boundary", "breaklines of the neurons",
                            f"other ({np.sum(y == 'other')})", f"same ({np.sum(y == 'same')})"]
    points = _points(fig)
    # each class's points in the colour of its end of the decision function's map (classes_[1]: > 0)
    for label, scatter, end in zip(model.classes_, points, (0.0, 1.0)):
        np.testing.assert_allclose(scatter.get_offsets(), X[y == label])
        np.testing.assert_allclose(scatter.get_facecolor()[0], matplotlib.colormaps["coolwarm"](end))
    # the boundary is the decision function's zero level
    boundary = [p for c in fig.axes[0].collections if not isinstance(c, PathCollection)
                for p in getattr(c, "get_paths", lambda: [])() if len(p.vertices)][-1].vertices
    assert np.abs(model.decision_function(boundary)).max() < 0.05 * np.abs(model.decision_function(X)).max()


def test_several_classes_show_their_regions(saved_figures, tmp_path):
    X = np.random.default_rng(1).normal(size=(90, 2))
    y = np.digitize(X[:, 0], [-0.4, 0.4])
    model = ganet.ConvexReLUClassifier(lam=0.1).fit(X, y)
    report_figure(model, X, y, tmp_path / "f.png")
    fig = saved_figures[-1]
    assert _legend(fig)[0] == "decision boundaries"
    assert [len(s.get_offsets()) for s in _points(fig)] == [np.sum(y == k) for k in range(3)]
    assert len(fig.axes) == 1  # (no colour bar of class indices)


def test_a_regressors_points_carry_their_targets(saved_figures, tmp_path):
    X = np.random.default_rng(2).normal(size=(40, 2))
    y = np.maximum(X[:, 0] - X[:, 1], 0.0)
    model = ganet.ConvexReLU(lam=0.01).fit(X, y)
    report_figure(model, X, y, tmp_path / "f.png")
    (scatter,) = _points(saved_figures[-1])
    np.testing.assert_array_equal(scatter.get_array(), y)
    assert _legend(saved_figures[-1])[-1] == "training points (colour: target)"


def test_the_command_line_report_reads_the_targets_again(two_moons, saved_figures, tmp_path, capsys):
    X, y = two_moons
    data, out = tmp_path / "d.csv", tmp_path / "m.npz"
    data.write_text("a,b,c\n" + "".join(f"{a!r},{b!r},{k}\n" for (a, b), k in zip(X.tolist(), y)))
    assert main(["fit", str(data), "--target", "c", "--model", "relu-classifier", "--lam", "0.1", "-o", str(out)]) == 0
    assert main(["report", str(out)]) == 0
    assert f"(with the targets of {data})" in capsys.readouterr().out
    assert "same (" in " ".join(_legend(saved_figures[-1]))
    data.unlink()  # moved away: the figure draws the inputs alone
    assert main(["report", str(out)]) == 0
    assert "with the targets" not in capsys.readouterr().out
    assert _legend(saved_figures[-1])[-1] == "training points"


@pytest.mark.parametrize("n_classes", [2, 3])
def test_in_one_dimension_a_classifier_shows_its_scores_and_its_classes(saved_figures, tmp_path, n_classes):
    """Each class's points at its one-vs-rest target (two classes: classes_[0] at −1), beside the
    decision function or each class's score."""
    x = np.linspace(-2, 2, 41)[:, None]
    y = np.digitize(x[:, 0], [-0.5, 0.5] if n_classes == 3 else [0.7]) * 10
    model = ganet.ConvexReLUClassifier(lam=0.1).fit(x, y)
    report_figure(model, x, y, tmp_path / "f.png")
    ax = saved_figures[-1].axes[0]
    curves = [line for line in ax.get_lines() if line.get_label() in
              (["decision function"] if n_classes == 2 else [f"score of {c}" for c in model.classes_])]
    assert len(curves) == (1 if n_classes == 2 else 3)
    # the axis spans the data (with a margin), not kinks far outside it
    np.testing.assert_allclose(ax.get_xlim(), (curves[0].get_xdata()[0], curves[0].get_xdata()[-1]))
    for curve in curves:  # each curve is the model's score on its grid
        scores = model.decision_function(curve.get_xdata()[:, None]).reshape(len(curve.get_xdata()), -1)
        np.testing.assert_allclose(curve.get_ydata(), scores[:, curves.index(curve)])
    for k, scatter in enumerate(_points(saved_figures[-1])):
        offsets = scatter.get_offsets()
        np.testing.assert_array_equal(offsets[:, 0], x[y == model.classes_[k], 0])
        assert set(offsets[:, 1]) == {-1.0 if (n_classes == 2 and k == 0) else 1.0}


def test_a_one_vs_rest_models_bars_carry_their_classes(saved_figures, tmp_path):
    """In more than two dimensions the figure is a bar per neuron; with one-vs-rest each bar is
    in the colour of the class its neuron feeds, and the legend says which."""
    rng = np.random.default_rng(4)
    X = rng.normal(size=(90, 3))
    y = np.digitize(X[:, 0] + X[:, 2], [-0.5, 0.5])
    model = ganet.ArrangementReLUClassifier(patterns="sampled", n_patterns=10, lam=1.0, random_state=0).fit(X, y)
    report_figure(model, X, y, tmp_path / "f.png", top=6)
    ax = saved_figures[-1].axes[0]
    colours = [matplotlib.colors.to_rgba(c) for c in matplotlib.colormaps["tab10"].colors[:3]]
    bars = sorted(ax.patches, key=lambda p: p.get_y())  # (top to bottom: the largest first)
    largest = np.argsort(-ganet.explain.neuron_contributions(model), kind="stable")[:6]
    assert [b.get_facecolor() for b in bars] == [colours[model.neurons_[j].output] for j in largest]
    assert [t.get_text() for t in ax.get_legend().get_texts()] == [
        f"→ class {model.classes_[k]}" for k in sorted({model.neurons_[j].output for j in largest})]
