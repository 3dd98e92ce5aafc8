"""The command line as a user runs it: fit a CSV, predict, report, and clear failures."""

import subprocess
import sys

import numpy as np
import pytest

import ganet
from ganet.cli import main


@pytest.fixture
def data_csv(tmp_path):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(30, 2))
    y = np.sin(X.sum(axis=1))
    path = tmp_path / "data.csv"
    lines = ["a,b,target,label"] + [f"{float(a)!r},{float(b)!r},{float(t)!r},{'yes' if t > 0 else 'no'}" for (a, b), t in zip(X, y)]
    path.write_text("\n".join(lines) + "\n")
    return path, X, y


@pytest.mark.parametrize("model,target,features", [("relu", "target", "a,b"), ("relu-classifier", "label", "a,b"),
                                                    ("deep-abs", "target", "a"), ("relu3", "target", "a,b"),
                                                    ("arrangement", "target", "a,b"),
                                                    ("arrangement-classifier", "label", "a,b")])
def test_fit_predict_report_round_trip(tmp_path, data_csv, capsys, model, target, features):
    path, X, y = data_csv
    out = tmp_path / "m.npz"
    extra = ["--loss", "hinge"] if model == "arrangement-classifier" else []
    assert main(["fit", str(path), "--target", target, "--features", features, "--model", model,
                 "--lam", "0.01", *extra, "-o", str(out)]) == 0
    loaded = ganet.load(out)
    cols = [0, 1] if features == "a,b" else [0]
    assert loaded.certificate_ == "global" and loaded.converged_
    capsys.readouterr()
    assert main(["predict", str(out), str(path)]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert lines[0] == "prediction" and len(lines) == 31
    expected = loaded.predict(X[:, cols])
    if model.endswith("classifier"):
        assert lines[1:] == [str(v) for v in expected]
    else:
        assert np.array_equal(np.array(lines[1:], dtype=float), expected)  # repr: bit for bit
    png = tmp_path / "r.png"
    assert main(["report", str(out), "--png", str(png)]) == 0
    text = capsys.readouterr().out
    assert "certificate  global" in text and f"neurons      {len(loaded.neurons_)}" in text
    assert png.stat().st_size > 10_000


def test_whole_number_labels_stay_integers(tmp_path):
    """scikit-learn's wine written to a CSV has the classes 0, 1, 2; the report named them
    "class 1.0" and the predictions read "1.0". Whole-number labels are now integers."""
    rng = np.random.default_rng(1)
    X = rng.normal(size=(30, 2))
    label = np.digitize(X[:, 0], [-0.5, 0.5])
    path, out = tmp_path / "data.csv", tmp_path / "m.npz"
    path.write_text("a,b,c\n" + "".join(f"{float(a)!r},{float(b)!r},{k}\n" for (a, b), k in zip(X, label)))
    assert main(["fit", str(path), "--target", "c", "--model", "relu-classifier", "--lam", "0.01", "-o", str(out)]) == 0
    assert main(["predict", str(out), str(path), "-o", str(tmp_path / "p.csv")]) == 0
    assert set((tmp_path / "p.csv").read_text().split()[1:]) == {"0", "1", "2"}
    assert ganet.load(out).classes_.dtype.kind == "i"


def test_predict_writes_a_file_and_checks_columns(tmp_path, data_csv):
    path, X, y = data_csv
    out = tmp_path / "m.npz"
    main(["fit", str(path), "--target", "target", "--features", "a,b", "-o", str(out)])
    csv_out = tmp_path / "pred.csv"
    assert main(["predict", str(out), str(path), "-o", str(csv_out)]) == 0
    assert csv_out.read_text().splitlines()[0] == "prediction"
    other = tmp_path / "other.csv"
    other.write_text("x,y\n1,2\n")
    assert main(["predict", str(out), str(other)]) == 1


@pytest.mark.parametrize("content,args,message", [
    ("a,b,target\n1,2,3\n1,x,3\n", ["--target", "target"], "line 3, column 'b': 'x' is not a number"),
    ("a,b,target\n1,2,3\n", ["--target", "nope"], "no target column 'nope'"),
    ("a,b,target\n1,2\n", ["--target", "target"], "line 2: 2 fields"),
    ("a,target\n", ["--target", "target"], "at least one data row"),
    ("a,target\n1,nan\n2,3\n", ["--target", "target"], "NaN or infinite"),
])
def test_bad_files_exit_1_with_a_message(tmp_path, capsys, content, args, message):
    path = tmp_path / "bad.csv"
    path.write_text(content)
    assert main(["fit", str(path), *args, "-o", str(tmp_path / "m.npz")]) == 1
    assert message in capsys.readouterr().err
    assert not (tmp_path / "m.npz").exists()


def test_missing_and_corrupt_model_files(tmp_path, capsys):
    junk = tmp_path / "junk.npz"
    junk.write_text("junk")
    for path in (tmp_path / "missing.npz", junk):
        assert main(["report", str(path)]) == 1
        assert "not a readable ganet model file" in capsys.readouterr().err


def test_version_and_usage_through_python_m():
    out = subprocess.run([sys.executable, "-m", "ganet", "--version"], capture_output=True, text=True)
    assert out.returncode == 0 and out.stdout.strip() == f"ganet {ganet.__version__}"
    out = subprocess.run([sys.executable, "-m", "ganet", "fit"], capture_output=True, text=True)
    assert out.returncode == 2 and "required" in out.stderr


def test_wide_csv_with_sampled_patterns_and_option_errors(tmp_path, capsys):
    rng = np.random.default_rng(1)
    X = rng.normal(size=(60, 8))
    y = np.maximum(X[:, 0] + X[:, 1], 0.0)
    path = tmp_path / "wide.csv"
    path.write_text("\n".join([",".join([f"f{j}" for j in range(8)] + ["y"])]
                              + [",".join(map(repr, map(float, [*row, t]))) for row, t in zip(X, y)]) + "\n")
    out = tmp_path / "m.npz"
    assert main(["fit", str(path), "--target", "y", "--model", "arrangement", "--patterns", "sampled",
                 "--n-patterns", "40", "--random-state", "0", "--lam", "0.01", "-o", str(out)]) == 0
    model = ganet.load(out)
    assert model.n_patterns_ == 40 and model.certificate_ == "sampled: no global certificate"
    again = ganet.ArrangementReLU(patterns="sampled", n_patterns=40, random_state=0, lam=0.01).fit(X, y)
    assert np.array_equal(model.predict(X), again.predict(X))
    assert main(["report", str(out), "--png", str(tmp_path / "r.png")]) == 0
    assert "patterns     sampled (40 distinct)" in capsys.readouterr().out
    for args, message in ((["--model", "relu", "--loss", "logistic"], "needs a classifier model"),
                          (["--model", "arrangement", "--max-patterns-is-not-an-option"], None)):
        code = None
        try:
            code = main(["fit", str(path), "--target", "y", *args, "-o", str(tmp_path / "x.npz")])
        except SystemExit as exc:  # argparse's usage error
            code = exc.code
        assert code == (2 if message is None else 1)
        if message:
            assert message in capsys.readouterr().err


def test_a_dictionary_too_large_for_a_pass_points_to_the_wide_data_model(tmp_path, capsys):
    """Raw wide data with the default model: refused at once, with this command's flags for the
    model that handles it (the library's advice names Python parameters)."""
    X = np.random.default_rng(2).normal(size=(60, 12))
    path = tmp_path / "wide.csv"
    path.write_text("\n".join([",".join([f"f{j}" for j in range(12)] + ["y"])]
                              + [",".join(map(repr, map(float, [*row, row[0]]))) for row in X]) + "\n")
    assert main(["fit", str(path), "--target", "y", "-o", str(tmp_path / "m.npz")]) == 1
    err = capsys.readouterr().err
    assert "would take days or more" in err and "--model arrangement --patterns sampled" in err
    assert "--dictionary sampled" in err and "ArrangementReLU(" not in err


def test_too_many_exact_patterns_points_to_the_sampled_flags(tmp_path, capsys):
    """Wide data with the exact arrangement program: refused at once, with the flags that sample
    patterns instead (max_patterns, which the library also offers, has no flag)."""
    X = np.random.default_rng(4).normal(size=(60, 12))
    path = tmp_path / "wide.csv"
    path.write_text("\n".join([",".join([f"f{j}" for j in range(12)] + ["y"])]
                              + [",".join(map(repr, map(float, [*row, row[1]]))) for row in X]) + "\n")
    assert main(["fit", str(path), "--target", "y", "--model", "arrangement", "-o", str(tmp_path / "m.npz")]) == 1
    err = capsys.readouterr().err
    assert "activation patterns" in err and "use --patterns sampled --n-patterns P (a sampled program" in err
    assert "n_patterns=" not in err and "raise max_patterns" not in err
    # past a trillion, as a person reads it (digits' rank-62 bound was printed with its 115 digits)
    from ganet.numeric.arrangement.patterns import _count

    assert _count(ganet.numeric.arrangement.patterns.pattern_count_bound(1797, 62)) == "4.74e+114"


def test_long_lists_of_names_are_cut_to_their_ends(tmp_path, capsys):
    """A fit on 64 features announced all 64 names, and a report listed a breakplane's 53
    samples twice; a long list now shows its first and last names and its length."""
    from ganet.cli import _listing

    assert _listing(["a", "b"]) == "a, b"
    assert _listing([f"#{i}" for i in range(53)], "samples") == "#0, #1, #2, #3, #4, #5, …, #52 (53 samples)"
    X = np.random.default_rng(5).normal(size=(40, 20))
    path = tmp_path / "wide.csv"
    path.write_text("\n".join([",".join([f"f{j}" for j in range(20)] + ["y"])]
                              + [",".join(map(repr, map(float, [*row, abs(row[0])]))) for row in X]) + "\n")
    out = tmp_path / "m.npz"
    assert main(["fit", str(path), "--target", "y", "--model", "arrangement", "--patterns", "sampled",
                 "--n-patterns", "10", "--gated", "--lam", "1", "-o", str(out)]) == 0
    assert "20 features (f0, f1, f2, f3, f4, f5, …, f19 (20 features)) …" in capsys.readouterr().err
    assert main(["report", str(out), "--png", str(tmp_path / "r.png")]) == 0
    assert "features f0, f1, f2, f3, f4, f5, …, f19 (20 features)" in capsys.readouterr().out


def test_features_of_very_different_scales_suggest_standardize(tmp_path, capsys):
    """Raw features whose spreads differ by 10⁴: a note names --standardize; with it, no note."""
    rng = np.random.default_rng(3)
    X = rng.normal(size=(40, 2)) * [1e-2, 1e2]
    path = tmp_path / "scales.csv"
    path.write_text("a,b,y\n" + "\n".join(f"{a:.17g},{b:.17g},{a * 100 + b / 100:.17g}" for a, b in X) + "\n")
    for flags, noted in (([], True), (["--standardize"], False)):
        assert main(["fit", str(path), "--target", "y", "--lam", "0.1", *flags, "-o", str(tmp_path / "m.npz")]) == 0
        assert ("--standardize fits on unit-variance features" in capsys.readouterr().err) == noted


def test_a_nearly_interpolating_fit_at_the_default_lam_says_so(tmp_path, capsys):
    """diabetes' bmi alone with deep-abs at the default λ: certified, 162 neurons through 442
    rows, and nothing told the user that λ = 1e-3 was ~1e-8·λ_max. A certified fit at the
    default λ with more neurons than a quarter of the rows now says so; a larger --lam does not.
    An uncertified one gets the library's own note. Both offer the cross-validation that
    DeepNarrowAbsCV now gives (the note once named it before it existed)."""
    rng = np.random.default_rng(6)
    x = np.sort(rng.uniform(-3, 3, 40))
    for name, y in (("smooth", np.sin(x) + 0.3 * rng.normal(size=40)), ("rough", 100 * rng.normal(size=40))):
        (tmp_path / f"{name}.csv").write_text("x,y\n" + "".join(f"{float(a)!r},{float(b)!r}\n" for a, b in zip(x, y)))
    assert main(["fit", str(tmp_path / "smooth.csv"), "--target", "y", "--model", "deep-abs",
                 "-o", str(tmp_path / "a.npz")]) == 0
    err = capsys.readouterr().err
    model = ganet.load(tmp_path / "a.npz")
    assert model.converged_ and len(model.neurons_) > 10
    assert f"note: {len(model.neurons_)} neurons for 40 rows: at the default --lam 0.001" in err
    assert "--lam cv chooses it" in err
    assert main(["fit", str(tmp_path / "smooth.csv"), "--target", "y", "--model", "deep-abs", "--lam", "10",
                 "-o", str(tmp_path / "b.npz")]) == 0
    assert "nearly interpolates" not in capsys.readouterr().err
    assert main(["fit", str(tmp_path / "rough.csv"), "--target", "y", "--model", "deep-abs",
                 "-o", str(tmp_path / "c.npz")]) == 0
    err = capsys.readouterr().err
    assert not ganet.load(tmp_path / "c.npz").converged_ and "·λ_max (λ_max = " in err
    assert "DeepNarrowAbsCV, or --lam cv in the command line" in err
    assert main(["fit", str(tmp_path / "rough.csv"), "--target", "y", "--model", "deep-abs", "--lam", "cv",
                 "--n-lams", "3", "--cv", "3", "-o", str(tmp_path / "e.npz")]) == 0
    chosen = ganet.load(tmp_path / "e.npz")
    assert type(chosen).__name__ == "DeepNarrowAbsCV" and chosen.lam_ in chosen.lams_


def test_predictions_have_unix_line_ends(tmp_path, data_csv):
    """The csv module's default \\r\\n left a \\r on every predicted label for awk and cut
    (breast cancer's "malignant\\r" matched no label of the data)."""
    path, X, y = data_csv
    model, out = tmp_path / "m.npz", tmp_path / "p.csv"
    assert main(["fit", str(path), "--target", "label", "--features", "a,b", "--model", "relu-classifier",
                 "--lam", "0.1", "-o", str(model)]) == 0
    assert main(["predict", str(model), str(path), "-o", str(out)]) == 0
    data = out.read_bytes()
    assert b"\r" not in data and data.decode().split("\n")[:2] == ["prediction", str(ganet.load(model).predict(X[:1])[0])]
