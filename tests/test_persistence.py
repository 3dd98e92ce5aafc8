"""Saving and loading without pickle: bit-for-bit round trips, and files that must be refused."""

import json
import pickle
import warnings

import numpy as np
import pytest
from sklearn.exceptions import NotFittedError

import ganet
from ganet import (ArrangementReLU, ArrangementReLUClassifier, ConvexReLU, ConvexReLUClassifier, DeepNarrowAbs,
                   ThreeLayerReLU)
from ganet.persistence import to_json

RNG = np.random.default_rng(0)
X = RNG.normal(size=(30, 2))
Y = np.sin(X.sum(axis=1))
LABELS = np.array(["cat", "dog", "eel"] * 10)


def _cases():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return [
            (ConvexReLU(lam=0.01).fit(X, Y), X),
            (ConvexReLU(lam=[0.1, 0.01], reg="l2").fit(X, Y), X),
            (ConvexReLU(lam=0.01, dictionary="sampled", n_sampled=200).fit(X, Y), X),  # random_state=None
            (ConvexReLUClassifier(lam=0.01).fit(X, LABELS), X),
            (ConvexReLUClassifier(lam=0.1, loss="logistic").fit(X[:16], (Y[:16] > 0).astype(int)), X),
            (DeepNarrowAbs(depth=3, lam=0.01).fit(X[:10], Y[:10]), X),
            (DeepNarrowAbs(depth=2, lam=0.0).fit(X[:8, :1], Y[:8]), X[:, :1]),
            (ThreeLayerReLU(lam=0.01, bias=True).fit(X[:10], Y[:10]), X),
            (ArrangementReLU(lam=0.05).fit(X[:12], Y[:12]), X),
            (ArrangementReLU(patterns="sampled", n_patterns=20, gated=True, lam=0.05).fit(X, Y), X),
            (ArrangementReLUClassifier(patterns="sampled", n_patterns=10, lam=0.05, loss="logistic",
                                       bias=False, random_state=1).fit(X, LABELS[:30] == "cat"), X),
        ]


@pytest.mark.parametrize("case", range(11))
def test_round_trip_is_bit_for_bit(tmp_path, case):
    model, Z = _cases()[case]
    path = tmp_path / "model.npz"
    model.save(path)
    loaded = ganet.load(path)
    assert type(loaded) is type(model) and loaded.get_params() == model.get_params()
    assert np.array_equal(loaded.predict(Z), model.predict(Z))
    for key in ("objective_", "dual_gap_", "converged_", "certificate_", "lam_", "n_features_in_"):
        assert getattr(loaded, key) == getattr(model, key)
    assert to_json(loaded.report_) == to_json(model.report_)
    assert to_json(getattr(loaded, "path_", None)) == to_json(getattr(model, "path_", None))
    assert to_json(loaded.network()) == to_json(model.network())
    assert [nu.formula for nu in loaded.neurons_] == [nu.formula for nu in model.neurons_]
    assert [nu.special_samples for nu in loaded.neurons_] == [nu.special_samples for nu in model.neurons_]
    if hasattr(model, "classes_"):
        assert np.array_equal(loaded.classes_, model.classes_)


def test_a_loaded_model_certifies_against_its_training_data(tmp_path):
    model = ConvexReLU(lam=0.01, dictionary="sampled", n_sampled=200).fit(X, Y)
    model.save(tmp_path / "m.npz")
    loaded = ganet.load(tmp_path / "m.npz")
    assert loaded.certificate_.startswith("sampled")
    assert loaded.certify(X, Y) == model.certify(X, Y)
    assert loaded.certificate_ == model.certificate_ == ("global" if model.converged_ else
                                                         "sampled optimum, global gap above tol")
    with pytest.raises(ValueError, match="training data"):
        loaded.certify(X + 1, Y)


def _write_npz(path, **arrays):
    with open(path, "wb") as f:
        np.savez(f, **arrays)


class _Exploit:
    """Unpickling this would create a file: a loader that unpickles executes code."""

    def __init__(self, target):
        self.target = target

    def __reduce__(self):
        return (open, (self.target, "w"))


def test_untrusted_or_corrupt_files_are_refused_without_executing_anything(tmp_path):
    model = ConvexReLU(lam=0.01).fit(X, Y)
    good = tmp_path / "good.npz"
    model.save(good)
    meta = json.loads(str(np.load(good)["__meta__"][()]))
    bad = {}
    bad["random bytes"] = tmp_path / "bytes.npz"
    bad["random bytes"].write_bytes(RNG.bytes(500))
    bad["truncated"] = tmp_path / "truncated.npz"
    bad["truncated"].write_bytes(good.read_bytes()[:300])
    bad["no metadata"] = tmp_path / "nometa.npz"
    _write_npz(bad["no metadata"], X=X)
    marker = tmp_path / "pwned"
    bad["pickled object"] = tmp_path / "pickle.npz"
    _write_npz(bad["pickled object"], __meta__=np.array(json.dumps(meta)),
               X=np.array([_Exploit(str(marker))], dtype=object))
    bad["pickle file"] = tmp_path / "model.pkl"
    bad["pickle file"].write_bytes(pickle.dumps(_Exploit(str(marker))))
    for name, change in (("newer version", {"version": 99}), ("unknown class", {"class": "os.system"}),
                         ("unknown parameter", {"params": {**meta["params"], "evil": 1}}),
                         ("wrong format", {"format": "other"})):
        bad[name] = tmp_path / f"{name}.npz"
        arrays = dict(np.load(good))
        arrays["__meta__"] = np.array(json.dumps({**meta, **change}))
        _write_npz(bad[name], **arrays)
    bad["columns out of range"] = tmp_path / "columns.npz"
    arrays = dict(np.load(good))
    arrays["columns_"] = arrays["columns_"] + 10 ** 9
    _write_npz(bad["columns out of range"], **arrays)
    for name, path in bad.items():
        with pytest.raises(ValueError, match="ganet model|newer|unknown|inconsistent"):
            ganet.load(path)
        assert not marker.exists(), name
    with pytest.raises(ValueError, match="readable"):
        ganet.load(tmp_path / "missing.npz")


def test_tampered_arrangement_files_are_refused(tmp_path):
    good = tmp_path / "good.npz"
    ArrangementReLU(patterns="sampled", n_patterns=8, lam=0.05, random_state=0).fit(X, Y).save(good)
    arrays = dict(np.load(good))
    for key, value in (("neuron_weight", arrays["neuron_weight"][:, :1]),  # wrong shape
                       ("neuron_pattern", arrays["neuron_pattern"] + 100),  # no such pattern
                       ("masks_", arrays["masks_"].astype(float)),  # masks must be boolean
                       ("gates_", arrays["gates_"][:-1])):
        bad = tmp_path / f"{key}.npz"
        _write_npz(bad, **{**arrays, key: value})
        with pytest.raises(ValueError, match="inconsistent"):
            ganet.load(bad)
    del arrays["masks_"]
    _write_npz(tmp_path / "missing.npz", **arrays)
    with pytest.raises(ValueError, match="inconsistent"):
        ganet.load(tmp_path / "missing.npz")


def test_saving_an_unfitted_model_or_another_object_fails_clearly(tmp_path):
    with pytest.raises(NotFittedError):
        ConvexReLU().save(tmp_path / "m.npz")
    with pytest.raises(TypeError, match="can only save"):
        ganet.persistence.save(object(), tmp_path / "m.npz")


def test_torch_layout_export_computes_the_same_network_and_polishes_back():
    from ganet import polish
    from ganet.export import to_torch, torch_state_dict

    model = ConvexReLU(lam=0.01).fit(X, Y)
    state = torch_state_dict(model)
    hidden = np.maximum(X @ state["0.weight"].T + state["0.bias"], 0.0)
    out = hidden @ state["2.weight"].T + state["2.bias"]
    assert np.allclose(out[:, 0], model.predict(X), rtol=1e-12, atol=1e-12)
    again = polish(state, X, Y, lam=0.01)  # the torch layout is accepted back
    assert again.objective_ == pytest.approx(model.objective_, rel=1e-9)
    # an arrangement model in torch's shapes (its W2 was (m,) and its intercept a float, so the
    # state dict had 2.weight (m,) and 2.bias () before the intercepts became arrays everywhere)
    relu = ganet.ArrangementReLU(lam=0.01).fit(X[:10], Y[:10])
    state = torch_state_dict(relu)
    m = len(relu.neurons_)
    assert [state[k].shape for k in ("0.weight", "0.bias", "2.weight", "2.bias")] == [(m, 2), (m,), (1, m), (1,)]
    out = np.maximum(X @ state["0.weight"].T + state["0.bias"], 0.0) @ state["2.weight"].T + state["2.bias"]
    np.testing.assert_allclose(out[:, 0], relu.predict(X), rtol=1e-9, atol=1e-9)
    with pytest.raises(ValueError, match="two-layer"):
        torch_state_dict(DeepNarrowAbs(depth=2, lam=0.01).fit(X[:8, :1], Y[:8]))
    try:
        import torch
    except ImportError:
        with pytest.raises(ImportError, match="pip install torch"):
            to_torch(model)
    else:
        module = to_torch(model)
        assert np.allclose(module(torch.from_numpy(X)).detach().numpy()[:, 0], model.predict(X))


def test_arrangement_files_written_before_normalization_still_load():
    """Files saved by the code before the arrangement fits were normalized (neurons in the
    user's coordinates, no program arrays) load and predict as that code predicted."""
    from pathlib import Path

    data = Path(__file__).parent / "data"
    expected = np.load(data / "format1_expected.npz")
    relu = ganet.load(data / "arrangement_relu_format1.npz")
    gated = ganet.load(data / "arrangement_gated_classifier_format1.npz")
    np.testing.assert_allclose(relu.predict(expected["X"]), expected["relu"], rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(gated.decision_function(expected["X"]), expected["gated"], rtol=1e-12, atol=1e-12)
    assert relu.certificate_ == "global"
    assert relu.intercept_.shape == (1,) and gated.intercept_.shape == (1,)  # (a float in these files)
