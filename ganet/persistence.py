"""Saving and loading fitted models without pickle.

File format (version 1): a NumPy ``.npz`` archive (a zip of ``.npy`` arrays) holding

* ``__meta__`` — a JSON document (a 0-d unicode array): ``format`` = ``"ganet-model"``,
  ``version``, ``ganet_version``, ``class`` (one of :data:`MODEL_CLASSES`), ``params`` (the
  estimator's constructor parameters), ``dictionary`` (the dictionary type the fit used),
  ``attributes`` (objective, gap, certificate, λ, …), ``report``, ``path`` and ``history``;
* for the wedge-dictionary models, the arrays ``X`` (training inputs: the dictionary is a
  function of them), ``columns_``, ``coef_``, ``intercept_`` and, where fitted, ``classes_`` and
  ``dual_coef_``;
* for the arrangement models (``dictionary`` = ``"arrangement"``), ``X``, ``masks_`` (P × n
  activation patterns), ``gates_`` and the neurons as arrays ``neuron_weight`` (m × d),
  ``neuron_bias`` (m; NaN without biases), ``neuron_alpha``, ``neuron_pattern`` and
  ``neuron_output`` (m: the class a one-vs-rest neuron feeds), their
  special samples in the JSON ``neuron_special_samples``, and ``classes_`` for a classifier.

Loading reads the archive with ``allow_pickle=False`` and parses JSON, so a file can carry no
code; the dictionary is rebuilt from X and the parameters (a sampled one from the recorded
``sample_seed_``), and the neurons from the dictionary — the loaded model predicts bit for bit
like the saved one. Arrangement models store their neurons themselves (the program is not
re-solved on loading). Arrays inside JSON are written as ``{"__array__": [...], "dtype": ...}``;
floats round-trip exactly (shortest repr), including inf and nan.
"""

import json
import os
import zipfile

import numpy as np

from ._version import __version__
from .numeric.geometry.normalization import Normalization

__all__ = ["save", "load", "SaveMixin", "model_classes", "to_json", "FORMAT_VERSION"]

FORMAT, FORMAT_VERSION = "ganet-model", 1
_SCALARS = ("objective_", "dual_gap_", "converged_", "n_iter_", "certificate_", "lam_", "_fingerprint",
            "sample_seed_", "n_features_in_", "feature_names_in_", "_single_output", "n_patterns_",
            "lams_", "lam_max_", "cv_results_")

# The schema of the JSON attributes: a model file is untrusted input, so every name is known and
# every value has its type (lam_ is a number, or a list for a λ path).
_REAL, _INT, _BOOL, _STR = "real", "int", "bool", "str"
_ATTRIBUTE_SCHEMA = {"objective_": _REAL, "dual_gap_": _REAL, "converged_": _BOOL, "n_iter_": _INT,
                     "certificate_": _STR, "lam_": (_REAL, "array"), "_fingerprint": _STR,
                     "sample_seed_": (_INT, None), "n_features_in_": _INT, "feature_names_in_": "array",
                     "_single_output": _BOOL, "n_patterns_": _INT,
                     "intercept_": (_REAL, "array"),  # (arrangement models: one per output)
                     "neuron_special_samples": "list",
                     "lams_": "array", "lam_max_": _REAL, "cv_results_": "dict"}  # (the CV estimators)
_CERTIFICATES = ("global", "not converged (global gap)", "sampled: no global certificate",
                 "sampled optimum, global gap above tol")


_REGISTRY = {}  # class name → estimator class, filled as the estimator modules define them


class SaveMixin:
    """``model.save(path)`` for every ganet estimator, and the registry :func:`load` reads.

    A public subclass registers itself under its class name (the name a file records). It
    implements the saving protocol:

    * ``__ganet_state__()`` → (kind, arrays, attributes): the kind of its fitted state (its
      dictionary type, or ``"arrangement"``), the arrays only it has and JSON attributes beyond
      the common ones;
    * ``__ganet_restore__(kind, arrays, attributes, meta)``: set the fitted state from a file's
      content (checked here for types, by the model for shapes), raising ValueError when it does
      not fit together.
    """

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if not cls.__name__.startswith("_"):
            _REGISTRY[cls.__name__] = cls

    def save(self, path):
        """Write the fitted model to ``path`` without pickle (npz arrays + JSON metadata; see
        :mod:`ganet.persistence`); read it back with :func:`ganet.load`."""
        save(self, path)


def model_classes():
    """The names of the estimators that can be saved and loaded."""
    return tuple(_REGISTRY)


def to_json(value):
    """JSON-ready copy: numpy scalars → Python numbers, arrays → tagged lists, tuples → lists."""
    if isinstance(value, dict):
        return {str(k): to_json(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_json(v) for v in value]
    if isinstance(value, np.ndarray):
        if value.dtype == object:
            return {"__array__": [to_json(v) for v in value.tolist()], "dtype": "object"}
        return {"__array__": value.tolist(), "dtype": value.dtype.str}
    if isinstance(value, np.generic):
        return value.item()
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    raise TypeError(f"cannot save a value of type {type(value).__name__}")


def _from_json(value):
    if isinstance(value, dict):
        if "__array__" in value:
            dtype = value.get("dtype", "float64")
            if dtype == "object":
                return np.array([_from_json(v) for v in value["__array__"]], dtype=object)
            return np.array(value["__array__"], dtype=np.dtype(dtype))
        return {k: _from_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_from_json(v) for v in value]
    return value


def save(model, path):
    """Write a fitted ganet estimator to ``path`` (an ``.npz`` archive, see the module docstring).

    Raises
    ------
    sklearn.exceptions.NotFittedError
        For an unfitted model.
    TypeError
        For a model that is not a ganet estimator, or classes that are not numbers or strings.
    """
    from sklearn.utils.validation import check_is_fitted

    name = type(model).__name__
    if _REGISTRY.get(name) is not type(model):
        raise TypeError(f"can only save {', '.join(_REGISTRY)}; got {name}")
    check_is_fitted(model, "neurons_")
    attributes = {k: to_json(getattr(model, k)) for k in _SCALARS if hasattr(model, k)}
    kind, arrays, extra = model.__ganet_state__()
    attributes.update(to_json(extra))
    if getattr(model, "input_scaling_", None) is not None:  # standardize=True: (μ, s) of the fit
        arrays["input_mean"] = np.asarray(model.input_scaling_.shift, dtype=np.float64)
        arrays["input_scale"] = np.asarray(model.input_scaling_.scale, dtype=np.float64)
    for key, a in arrays.items():
        if a.dtype == object:
            raise TypeError(f"{key} holds Python objects ({a.dtype}); only numeric or string "
                            "labels can be saved")
    meta = {"format": FORMAT, "version": FORMAT_VERSION, "ganet_version": __version__, "class": name,
            # (a Dask client is a connection and init a trained network: neither is the model)
            "params": to_json({k: v for k, v in model.get_params().items() if k not in ("client", "init")}),
            "dictionary": kind, "attributes": attributes,
            "report": to_json(model.report_), "path": to_json(getattr(model, "path_", [])),
            "history": to_json(getattr(model, "history_", []))}
    with open(path, "wb") as f:
        np.savez(f, __meta__=np.array(json.dumps(meta)), **arrays)


def load(path):
    """Read a model written by :func:`save` (or ``model.save``); nothing in the file is executed.

    Raises
    ------
    ValueError
        If the file is not a readable ganet model (not an npz archive, missing or malformed
        metadata, an unknown class or parameter, a newer format version, inconsistent arrays).
    """
    classes = _REGISTRY
    if not os.path.isfile(path):
        raise ValueError(f"{path}: not a readable ganet model file (no such file)")
    try:
        if not zipfile.is_zipfile(path):
            raise ValueError("not an npz (zip) archive")
        with np.load(path, allow_pickle=False) as data:
            meta = json.loads(str(data["__meta__"][()]))
            arrays = {k: data[k] for k in data.files if k != "__meta__"}
    except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile, json.JSONDecodeError) as exc:
        raise ValueError(f"{path}: not a readable ganet model file ({type(exc).__name__}: {exc})") from None
    if not isinstance(meta, dict) or meta.get("format") != FORMAT:
        raise ValueError(f"{path}: not a ganet model file (no '{FORMAT}' metadata)")
    if not isinstance(meta.get("version"), int) or meta["version"] > FORMAT_VERSION:
        raise ValueError(f"{path}: format version {meta.get('version')!r} is newer than this ganet "
                         f"reads ({FORMAT_VERSION}); upgrade ganet")
    if meta.get("class") not in classes:
        raise ValueError(f"{path}: unknown model class {meta.get('class')!r}")
    try:
        model = classes[meta["class"]](**_from_json(meta["params"]))
        attributes = _check_attributes(_from_json(meta["attributes"]))
        _check_arrays(arrays)
        model.__ganet_restore__(meta["dictionary"], arrays, attributes,
                                {key: _from_json(meta[key]) for key in ("path", "history")})
        model.report_ = _from_json(meta["report"])
        model.input_scaling_ = _read_input_scaling(arrays, model.n_features_in_)
    except (TypeError, KeyError, ValueError, IndexError, AttributeError, OverflowError, MemoryError) as exc:
        raise ValueError(f"{path}: inconsistent ganet model file ({type(exc).__name__}: {exc})") from None
    return model


def _read_input_scaling(arrays, d):
    """The standardization (μ, s) of a model, checked (d finite means, d positive finite scales),
    or None."""
    if "input_mean" not in arrays and "input_scale" not in arrays:
        return None
    mean, scale = arrays["input_mean"], arrays["input_scale"]
    if mean.shape != (d,) or scale.shape != (d,) or not (np.all(np.isfinite(mean)) and np.all(np.isfinite(scale))
                                                         and np.all(scale > 0)):
        raise ValueError("input_mean and input_scale must be d finite values (scales positive)")
    return Normalization(mean.astype(np.float64), scale.astype(np.float64))


def _is(value, kind):
    if isinstance(kind, tuple):
        return any(_is(value, k) for k in kind)
    if kind is None:
        return value is None
    if kind == _BOOL:
        return isinstance(value, bool)
    if kind == _INT:
        return isinstance(value, int) and not isinstance(value, bool)
    if kind == _REAL:
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if kind == _STR:
        return isinstance(value, str)
    if kind == "array":
        return isinstance(value, np.ndarray) and value.dtype != object and value.ndim == 1
    if kind == "dict":
        return isinstance(value, dict) and all(isinstance(v, np.ndarray) and v.dtype != object
                                               for v in value.values())
    return isinstance(value, list)


def _check_attributes(attributes):
    """The fitted attributes of a file, each a known name with a value of its type."""
    if not isinstance(attributes, dict):
        raise ValueError("the attributes are not a JSON object")
    for key, value in attributes.items():
        if key not in _ATTRIBUTE_SCHEMA:
            raise ValueError(f"unknown attribute {key!r}")
        if not _is(value, _ATTRIBUTE_SCHEMA[key]):
            raise ValueError(f"attribute {key!r} has a value of the wrong type ({type(value).__name__})")
    if attributes.get("certificate_", "global") not in _CERTIFICATES:
        raise ValueError(f"unknown certificate {attributes['certificate_']!r}")
    if attributes.get("n_features_in_", 1) < 1:
        raise ValueError("n_features_in_ must be positive")
    return attributes


def _check_arrays(arrays):
    """Dtypes and finiteness of the arrays every model has; shapes are checked by each restorer."""
    X = arrays.get("X")
    if X is None or X.ndim != 2 or X.dtype.kind != "f" or not np.all(np.isfinite(X)):
        raise ValueError("X must be a finite 2-D float array")
    for key in ("coef_", "intercept_", "neuron_weight", "neuron_alpha", "program_weights", "program_gates"):
        if key in arrays and (arrays[key].dtype.kind != "f" or not np.all(np.isfinite(arrays[key]))):
            raise ValueError(f"{key} must be a finite float array")
    for key in ("columns_", "neuron_pattern", "neuron_output"):
        if key in arrays and (arrays[key].dtype.kind not in "iu" or arrays[key].ndim != 1):
            raise ValueError(f"{key} must be a 1-D integer array")
