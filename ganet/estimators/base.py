r"""What every ganet estimator shares: one fit, and the outputs of regressors and classifiers.

Every model is fitted the same way: validate the data, encode the targets, standardize the
inputs, then the architecture's own step — build its oracle (a dictionary of neurons, or the
activation-pattern program), solve it with a certificate, and assign every fitted attribute at
once. :class:`ConvexNetworkEstimator` writes that sequence once. A model supplies

* ``_check_params()``: its parameters, checked before any data is read;
* ``_fit_network(X, T, sample_weight, fitted)``: oracle → solve → assign, on standardized
  inputs X (n × d) and encoded targets T (n × c); ``fitted`` (e.g. ``classes_``) is assigned
  with the rest, so a failed fit leaves no half-fitted model;
* ``_targets(y, classes=None)``: the targets as the n × c matrix its program fits;
* ``_forward(X)``: the fitted network's outputs F (n × c) on validated inputs in the user's units.

:class:`NetworkRegressorMixin` and :class:`NetworkClassifierMixin` turn F into predictions.
"""

import warnings
from contextlib import contextmanager

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, validate_data

from ..numeric.runtime.notes import warn_user
from ..numeric.solvers.datafits import DATAFITS
from ..persistence import SaveMixin
from .fitted_state import FittedStateMixin
from .standardize import StandardizeMixin

__all__ = ["ConvexNetworkEstimator", "NetworkRegressorMixin", "NetworkClassifierMixin"]


class ConvexNetworkEstimator(StandardizeMixin, FittedStateMixin, SaveMixin, BaseEstimator):
    """The fit of every ganet estimator (see the module docstring)."""

    _validation = {}  # validate_data's options for y (the output mixins set them)
    _cross_validated = True  # whether a <Name>CV estimator chooses its λ (advise_on_lam names it)

    def fit(self, X, y, sample_weight=None):
        """Fit the globally optimal network; returns self (a failed fit leaves the model as it
        was). ``sample_weight`` (n non-negative weights) weighs the loss terms, Σᵢ cᵢℓ(f(xᵢ), yᵢ):
        integer weights give the fit on repeated rows."""
        self._check_params()
        with self._fitting():
            X, y = validate_data(self, X, y, dtype=np.float64, **self._validation)
            T, fitted = self._encode_targets(y)
            return self._fit_network(self._set_standardization(X), T, sample_weight, fitted)

    def _check_params(self):
        """Refuse bad parameters before any data is read (nothing to check by default)."""

    def _outputs(self, X):
        """F (n × c) of the fitted network on new inputs X (validated here)."""
        check_is_fitted(self, "neurons_")
        return self._forward(validate_data(self, X, reset=False, dtype=np.float64))


class NetworkRegressorMixin(RegressorMixin):
    """Regression outputs: ``predict`` is f(X), one column per target column."""

    _validation = {"y_numeric": True}

    def _encode_targets(self, y):
        """(T, fitted): the targets, and whether y had one column when several are allowed
        (``predict`` then returns shape (n,))."""
        many = self._validation.get("multi_output", False)
        return self._targets(y), ({"_single_output": y.ndim == 1} if many else {})

    def predict(self, X):
        """Network output f(X): shape (n,) for one target column, else (n, c)."""
        F = self._outputs(X)
        return F[:, 0] if getattr(self, "_single_output", True) else F


class NetworkClassifierMixin(ClassifierMixin):
    r"""Classification outputs from the network's scores F: one score for two classes (positive
    meaning ``classes_[1]``), else one per class.

    ``_one_hot_scores`` is True for a model whose several-class scores regress one-hot targets
    (the squared loss's group Lasso); they are otherwise one-vs-rest ±1 scores.
    """

    _one_hot_scores = False

    def _encode_targets(self, y):
        check_classification_targets(y)
        classes = np.unique(y)
        if len(classes) < 2:
            raise ValueError(f"need samples of at least 2 classes; got 1 class ({classes[0]!r})")
        return self._targets(y, classes), {"classes_": classes}

    def decision_function(self, X):
        """The network's score: shape (n,) for two classes (positive meaning ``classes_[1]``),
        else (n, c), one score per class."""
        F = self._outputs(X)
        return F[:, 0] if len(self.classes_) == 2 else F

    def predict_proba(self, X):
        """Class probabilities, shape (n, n_classes).

        For ``loss="logistic"`` these are the model's own, σ(f) (with several classes the
        one-vs-rest σ(f_k), normalized to sum to 1 as scikit-learn's ``OneVsRestClassifier``
        does). The squared and hinge losses do not model probabilities: their scores are mapped
        to [0, 1] — ±1 scores by p = clip((f + 1)/2, 0, 1), one-hot scores by clipping at 0 —
        and normalized (uniform where all are ≤ 0). These are **not calibrated**; wrap the model
        in :class:`sklearn.calibration.CalibratedClassifierCV` when calibrated probabilities
        matter.
        """
        scores = self.decision_function(X)
        probability = DATAFITS[self.loss].probability
        if len(self.classes_) == 2:
            p = probability(scores)
            return np.column_stack([1.0 - p, p])
        P = np.maximum(scores, 0.0) if self._one_hot_scores else probability(scores)
        total = P.sum(axis=1, keepdims=True)
        return np.where(total > 0, P / np.where(total > 0, total, 1.0), 1.0 / P.shape[1])

    def predict(self, X):
        """Predicted class labels: ``classes_[1]`` where the score is positive (two classes),
        else the class of the largest score."""
        scores = self.decision_function(X)
        if len(self.classes_) == 2:
            return self.classes_[(scores > 0).astype(int)]
        return self.classes_[np.argmax(scores, axis=1)]


@contextmanager
def one_note_for_the_classes(results, n_classes):
    """Hold back, within the block, the note each class's program gives when it stops before its
    certificate (a ``ConvergenceWarning``; digits' ten classes gave ten of them, and the wedge
    classifier's logistic fits one per class too); after it, give one: how many of the
    ``n_classes`` programs in ``results`` (filled by the block; each has ``converged``) did not
    converge, and the first note held. Other warnings pass as they came. With one class,
    nothing is held. The note points at the user's call (:func:`~ganet.numeric.runtime.notes.warn_user`)."""
    if n_classes < 2:
        yield
        return
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ConvergenceWarning)
        yield
    held = [w for w in caught if w.category is ConvergenceWarning]
    for w in caught:
        if w.category is not ConvergenceWarning:
            warnings.warn_explicit(w.message, w.category, w.filename, w.lineno, source=w.source)
    late = sum(not r.converged for r in results)
    if late and held:
        warn_user(f"one-vs-rest: the programs of {late} of {n_classes} classes stopped before their certificate; "
                  f"the first said: {held[0].message}", ConvergenceWarning)


def advise_on_lam(estimator, lam, lam_max, exact=True):
    """After an uncertified fit: warn when λ < 10⁻³ λ_max, naming λ_max (the smallest λ at which
    the empty network is optimal; ``exact`` False: an upper bound). So small a λ nearly
    interpolates the data, and the program certifies slowly there."""
    if not (np.isfinite(lam_max) and lam < 1e-3 * lam_max):
        return
    value = f"= {lam_max:.4g}" if exact else f"≤ {lam_max:.4g}, a bound"
    # (only the estimators that have one are pointed to a cross-validation: the deep ones named
    # a DeepNarrowAbsCV that does not exist; a CV estimator's own refit is past that point)
    name = type(estimator).__name__
    alternative = (f", or cross-validation ({name}CV, or --lam cv in the command line)"
                   if estimator._cross_validated and not name.endswith("CV") else "")
    warn_user(f"lam = {lam:.3g} is {lam / lam_max:.2g}·λ_max (λ_max {value}: the smallest λ at which "
              "the empty network is optimal). So small a λ nearly interpolates the data, and the "
              f"program certifies slowly there: try lam ≈ 1e-2·λ_max{alternative}", ConvergenceWarning)
