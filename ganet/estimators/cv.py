r"""λ chosen by cross-validation, as scikit-learn's ``LassoCV`` chooses α.

:class:`ConvexReLUCV` fits, in each of ``cv`` folds, a warm-started certified path over a λ grid
relative to

.. math::  \lambda_{\max} = \max_j \|K_j^\top (y - \bar y)\|_2 ,

the smallest λ whose optimum is the constant ȳ (z = 0 satisfies the optimality conditions
exactly when every column's correlation with the centred target is at most λ; priced over the
whole dictionary of the training data, in one pass). The grid is
λ_max·10^{linspace(0, log10(lam_ratio), n_lams)}, excluding λ_max itself. Each fold scores every λ
by the held-out mean squared error; the λ with the smallest mean is refitted on all the data.

:class:`ConvexReLUClassifierCV` does the same for labels, scoring the held-out error rate
(stratified folds). Each fold fits one path: the squared loss's on the ±1 or one-hot targets, the
logistic and hinge losses' one-vs-rest, each λ's solve of a class started from the last λ's. Their
grid is anchored at the same λ_max of the ±1 targets (for the logistic loss the exact threshold
is ‖Kᵀθ₀‖∞ with θ₀ its dual point at z = 0, a smaller multiple of it).

:class:`ArrangementReLUCV` and :class:`ArrangementReLUClassifierCV` fit every λ of a fold in turn,
largest first, with ``warm_start``: each fit reuses the fold's program and starts from the last
λ's solution (the ADMM from its whole state). :class:`DeepNarrowAbsCV` and :class:`ThreeLayerReLUCV`
fit one path per fold over their lifted dictionaries, as :class:`ConvexReLUCV` does.
"""

import time
import warnings

import numpy as np
from numba.core.event import install_timer
from sklearn.base import is_classifier
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import KFold, StratifiedKFold
from sklearn.utils.validation import check_is_fitted, validate_data

from ..numeric.runtime.notes import warn_user
from .arrangement import ArrangementReLU, ArrangementReLUClassifier
from .deep import DeepNarrowAbs, ThreeLayerReLU
from .two_layer import ConvexReLU, ConvexReLUClassifier

__all__ = ["ConvexReLUCV", "ConvexReLUClassifierCV", "ArrangementReLUCV", "ArrangementReLUClassifierCV",
           "DeepNarrowAbsCV", "ThreeLayerReLUCV", "lambda_max"]


def lambda_max(model, X, y):
    """λ_max of ``model``'s dictionary on (X, y) (see the module docstring); X in the model's
    input units (standardized when the model standardizes)."""
    dictionary = model._make_dictionary(X, model._sample_seed())
    Y = np.asarray(y, dtype=float).reshape(len(y), -1)
    R = Y - Y.mean(axis=0) if model._intercept() else Y
    return float(dictionary.violators(R, np.inf, 0)[0])


_CV_PARAMS = ("n_lams", "lam_ratio", "lams", "cv")


class _LambdaCV:
    """The cross-validation shared by the CV estimators (see the module docstring). A subclass
    sets ``_base`` (the estimator refitted at each λ) and implements ``_top_lambda``, and
    ``_fold_errors`` when its base estimator has no warm-started λ path (one path per fold is the
    default); the parameters are the base estimator's (``lam`` is ignored: it is chosen) and the
    grid's."""

    def _lam_param(self):
        return getattr(self, "_chosen_lam", getattr(self, "lam_", 1.0))

    def _base_model(self, lams):
        """The base estimator at ``lams``; during a budgeted cross-validation its budget is an
        equal share of what is left among the fits still to come (the refit counting as a
        fold's fits)."""
        params = {k: v for k, v in self.get_params().items() if k not in _CV_PARAMS}
        deadline = getattr(self, "_cv_deadline", None)
        if deadline is not None:
            params["max_seconds"] = max(deadline - time.perf_counter(), 1e-3) / max(self._cv_fits_left, 1)
            self._cv_fits_left -= 1
        return self._base(**{**params, "lam": lams})

    def _warn_if_the_budget_cannot_cover(self, grid, top_seconds):
        """Warn up front when ``max_seconds`` cannot give every fit of the cross-validation one full
        pricing pass: then each is cut before its first certificate and λ is chosen among fits
        that are mostly empty (diabetes, 3 raw features, 30 s: every fold's fits stopped at an
        infinite gap and the refit returned no neuron). λ_max took one pass over all n samples
        (``top_seconds``); a fold's pass over (k − 1)/k of them is taken to cost no less in
        proportion, so the estimate is a lower bound."""
        if self.max_seconds is None or self.lams is not None:
            return  # (given λs: no pass was timed)
        fits = self.cv * len(grid)  # (a path, too, prices once per λ)
        needed = top_seconds * (fits * (self.cv - 1) / self.cv + 1)
        if needed > self.max_seconds:
            warn_user(f"max_seconds = {self.max_seconds:g} cannot cover this cross-validation: its {fits} fits "
                      f"({self.cv} folds × {len(grid)} λ) and the refit need one full pricing pass each, about "
                      f"{needed:.0f} s at the {top_seconds:.2g} s that λ_max's pass took; the fits will stop "
                      "uncertified (often empty). Raise max_seconds, lower cv or n_lams, or give lam",
                      ConvergenceWarning)

    def _grid(self, X, T):
        if self.lams is not None:
            grid = np.sort(np.atleast_1d(np.asarray(self.lams, dtype=float)))[::-1]
            if not (grid.size and np.all(np.isfinite(grid)) and np.all(grid > 0)):
                raise ValueError(f"lams must be positive numbers; got {self.lams!r}")
            return grid, np.nan
        if not (isinstance(self.n_lams, (int, np.integer)) and self.n_lams >= 1):
            raise ValueError(f"n_lams must be a positive integer; got {self.n_lams!r}")
        if not 0 < self.lam_ratio < 1:
            raise ValueError(f"lam_ratio must lie in (0, 1); got {self.lam_ratio!r}")
        top = self._top_lambda(X, T)
        if not top > 0:
            raise ValueError("y is constant (λ_max = 0): there is nothing to fit")
        exponents = np.linspace(0.0, np.log10(self.lam_ratio), self.n_lams + 1)[1:]
        return top * 10.0 ** exponents, top

    def _fit_regression(self, X, y, sample_weight=None):
        """The CV fit of a regressor: k shuffled folds, held-out mean squared errors."""
        X, y = validate_data(self, X, y, y_numeric=True, dtype=np.float64)
        folds = KFold(self.cv, shuffle=True, random_state=self.random_state).split(X) \
            if isinstance(self.cv, (int, np.integer)) and self.cv >= 2 else []
        mse, certified, mean = self._cross_validate(X, y, y, folds, sample_weight)
        self.cv_results_ = {"lams": self.lams_, "mse": mse, "mean_mse": mean, "std_mse": np.nanstd(mse, axis=0),
                            "certified": certified}
        return self

    def _fit_classification(self, X, y, sample_weight=None):
        """The CV fit of a classifier: k stratified folds, held-out error rates."""
        X, y = validate_data(self, X, y, dtype=np.float64)
        T, fitted = self._encode_targets(y)  # (refuses one class)
        self.classes_ = fitted["classes_"]  # (the classifiers' targets read it)
        folds = StratifiedKFold(self.cv, shuffle=True, random_state=self.random_state).split(X, y) \
            if isinstance(self.cv, (int, np.integer)) and self.cv >= 2 else []
        error, certified, mean = self._cross_validate(X, y, T, folds, sample_weight)
        self.cv_results_ = {"lams": self.lams_, "error": error, "mean_error": mean,
                            "std_error": np.nanstd(error, axis=0), "certified": certified}
        return self

    def _cross_validate(self, X, y, T, folds, sample_weight):
        """Fold × λ errors and certificates, the chosen λ refitted on everything."""
        if not (isinstance(self.cv, (int, np.integer)) and 2 <= self.cv <= len(X)):
            raise ValueError(f"cv must be an integer from 2 to n = {len(X)}; got {self.cv!r}")
        start, compiled = time.perf_counter(), []
        # (the kernels compiled during λ_max's pass are not part of later passes: on a fresh
        # install, linnerud's pass "took" 13 s, and the warning asked for 435 s where the
        # cross-validation then took 1 s)
        with install_timer("numba:compile", compiled.append):
            grid, top = self._grid(X, T)
        self._warn_if_the_budget_cannot_cover(grid, time.perf_counter() - start - sum(compiled))
        w = np.ones(len(X)) if sample_weight is None else np.asarray(sample_weight, dtype=float)
        errors, certified = np.empty((self.cv, len(grid))), np.empty((self.cv, len(grid)), dtype=bool)
        # max_seconds bounds the whole cross-validation: the fits share what is left of it, and
        # the refit — the model returned — counts as a fold's fits (it had one fit's share:
        # breast cancer, 30 features, logistic, 60 s, came back at a relative gap of 0.31)
        self._cv_deadline = None if self.max_seconds is None else start + self.max_seconds
        per_fold = self._fits_per_fold(grid)
        self._cv_fits_left = (self.cv + 1) * per_fold
        reserve = 0.0 if self._cv_deadline is None else (
            (self._cv_deadline - time.perf_counter()) * per_fold / self._cv_fits_left)
        budget = self.max_seconds
        try:
            longest, done = 0.0, 0
            for f, (train, test) in enumerate(folds):
                # a fit cannot stop before one pricing pass per λ, so each fold has a floor: on a
                # busy machine 5 folds of it doubled a 3 s budget. A fold that would end past the
                # deadline (less the refit's share) is not started; the folds done decide λ (the
                # others stay NaN).
                if f and self._cv_deadline is not None and (
                        time.perf_counter() + longest > self._cv_deadline - reserve):
                    errors[f:], certified[f:] = np.nan, False
                    warn_user(f"max_seconds = {budget:g} ran out: λ chosen on {f} of {self.cv} folds",
                              ConvergenceWarning)
                    break
                fold_start = time.perf_counter()
                with warnings.catch_warnings():  # (one summary below, not a note per fold fit)
                    warnings.simplefilter("ignore", ConvergenceWarning)
                    errors[f], certified[f] = self._fold_errors(grid, X[train], y[train], X[test], y[test],
                                                                None if sample_weight is None else w[train], w[test])
                done = f + 1
                longest = max(longest, time.perf_counter() - fold_start)
            uncertified = int((~certified[:done]).sum())
            if uncertified:
                warn_user(f"{uncertified} of {certified[:done].size} fold fits stopped before their certificate "
                          f"(each had a share of max_seconds, and max_iter); λ was chosen on their held-out "
                          f"errors all the same (cv_results_['certified'] says which)", ConvergenceWarning)
            mean = np.nanmean(errors, axis=0)
            self._chosen_lam = float(grid[int(np.argmin(mean))])
            if budget is not None:  # the refit gets the rest (the parameter is put back below)
                self.max_seconds = max(self._cv_deadline - time.perf_counter(), 1e-3)
            self._base.fit(self, X, y, **({} if sample_weight is None else {"sample_weight": sample_weight}))
        finally:
            self.max_seconds = budget
            for name in ("_chosen_lam", "_cv_deadline", "_cv_fits_left"):
                self.__dict__.pop(name, None)
        self.lams_, self.lam_max_ = grid, top
        return errors, certified, mean

    def _fits_per_fold(self, grid):
        """The fits a fold makes, each with its share of a budget: one path."""
        return 1

    def _fold_errors(self, grid, X, y, X_test, y_test, w, w_test):
        """Held-out errors (:meth:`_held_out_error`) of one warm-started path over the grid, and
        whether each λ's fit was certified."""
        path = self._base_model(grid).fit(X, y, **({} if w is None else {"sample_weight": w}))
        out = []
        for F, ok in self._path_scores(path, X_test):
            if is_classifier(self):  # the labels the path's network at that λ predicts
                F = path.classes_[(F[:, 0] > 0).astype(int)] if F.shape[1] == 1 else path.classes_[F.argmax(1)]
            else:
                F = F[:, 0]
            out.append((self._held_out_error(F, y_test, w_test), ok))
        return np.array([e for e, _ in out]), np.array([ok for _, ok in out])

    def _held_out_error(self, prediction, y_test, w_test):
        """The weighted held-out error a fold scores: the error rate of a classifier, the mean
        squared error of a regressor."""
        error = (prediction != y_test) if is_classifier(self) else (prediction - y_test) ** 2
        return float(np.average(error, weights=w_test))

    @staticmethod
    def _path_scores(path, X_test):
        """Scores f(X_test) (n × outputs) of every λ of a fitted path, largest λ first."""
        Xt = path._model_inputs(X_test)
        for step in path.path_:
            cols = step["columns"]
            K = path.dictionary_.transform(Xt, cols) if len(cols) else np.zeros((len(Xt), 0))
            yield K @ step["coef"] + step["intercept"], bool(step["converged"])


class _WedgeCV(_LambdaCV):
    """The CV estimators of the wedge-dictionary models: their parameters, and λ_max priced over
    the dictionary."""

    def __init__(self, n_lams=8, lam_ratio=1e-3, lams=None, cv=5, reg="l1", bias=True, lam=None,
                 loss="squared", tol=1e-6, max_iter=100, memory_limit=None, verbose=0, dictionary="auto",
                 n_sampled=10_000, sampling="subsets", random_state=None, max_seconds=None, client=None,
                 standardize=True, huber_delta=1.0):
        super().__init__(reg=reg, bias=bias, lam=lam, loss=loss, tol=tol, max_iter=max_iter,
                         memory_limit=memory_limit, verbose=verbose, dictionary=dictionary,
                         n_sampled=n_sampled, sampling=sampling, random_state=random_state,
                         max_seconds=max_seconds, client=client, standardize=standardize,
                         huber_delta=huber_delta)
        self.n_lams, self.lam_ratio, self.lams, self.cv = n_lams, lam_ratio, lams, cv

    def _top_lambda(self, X, T):
        probe = ConvexReLU(**{k: v for k, v in self._base_model(1.0).get_params().items()
                              if k in ConvexReLU().get_params() and k != "loss"})
        return lambda_max(probe, probe._set_standardization(X), T)


class ConvexReLUCV(_WedgeCV, ConvexReLU):
    """:class:`ConvexReLU` with λ chosen by k-fold cross-validation over a certified path.

    Parameters
    ----------
    n_lams : int, default 8
        Number of λ values in the grid.
    lam_ratio : float, default 1e-3
        Smallest λ of the grid over λ_max.
    lams : array of floats, optional
        The grid itself (then ``n_lams`` and ``lam_ratio`` are not used).
    cv : int, default 5
        Number of folds (shuffled with ``random_state``).
    **kwargs
        Every other parameter of :class:`ConvexReLU` (``lam`` is ignored: it is chosen).
        ``standardize`` defaults to True here: λ is then relative to unit-variance features.

    Attributes
    ----------
    lam_ : float
        The chosen λ, refitted on all the data (all of :class:`ConvexReLU`'s attributes describe
        that fit: ``objective_``, ``certificate_``, …).
    lams_ : ndarray
        The grid, largest first.
    lam_max_ : float
    cv_results_ : dict
        ``mse`` (folds × λ: held-out mean squared errors; NaN for folds that ``max_seconds``
        left unstarted, with a warning), ``mean_mse``, ``std_mse``,
        ``certified`` (folds × λ: whether each path fit was certified to ``tol``).
    """

    _base = ConvexReLU

    def fit(self, X, y, sample_weight=None):
        """Choose λ by cross-validation, then fit and certify the network at that λ; returns self."""
        with self._fitting():
            return self._fit_regression(X, y, sample_weight)

    def predict(self, X):
        """The network at the chosen λ, f(X)."""
        check_is_fitted(self, "neurons_")
        return super().predict(X)


class ConvexReLUClassifierCV(_WedgeCV, ConvexReLUClassifier):
    """:class:`ConvexReLUClassifier` with λ chosen by stratified k-fold cross-validation of the
    held-out error rate (parameters as :class:`ConvexReLUCV`; ``loss`` as the classifier's).

    Attributes
    ----------
    lam_, lams_, lam_max_ as :class:`ConvexReLUCV`; ``cv_results_`` with ``error`` (folds × λ
    held-out error rates), ``mean_error``, ``std_error`` and ``certified``.
    """

    _base = ConvexReLUClassifier

    def fit(self, X, y, sample_weight=None):
        """Choose λ by cross-validation, then fit and certify the classifier at that λ; returns self."""
        with self._fitting():
            return self._fit_classification(X, y, sample_weight)



class _ArrangementCV(_LambdaCV):
    """The CV estimators of the arrangement models: their parameters; λ_max from the program's
    dual bounds at the constant model's dual point, the loss's own
    (:meth:`~ganet.estimators.arrangement.ArrangementReLU._lambda_max`);
    each fold's fits walk the grid from the largest λ, each warm-started from the last
    (``warm_start``; the refit on all the data starts cold)."""

    warm_start = False  # (the CV's own parameter list has none: its fold models take it)

    def __init__(self, n_lams=6, lam_ratio=1e-3, lams=None, cv=5, patterns="exact", n_patterns=None,
                 gated=False, lam=None, bias=True, loss="squared", gates="gaussian", sketch_dim=None,
                 max_patterns=10_000, tol=1e-6, max_iter=20_000, max_seconds=None, random_state=None,
                 verbose=False, standardize=True, init=None, huber_delta=1.0):
        super().__init__(patterns=patterns, n_patterns=n_patterns, gated=gated, lam=lam, bias=bias, loss=loss,
                         gates=gates, sketch_dim=sketch_dim, max_patterns=max_patterns, tol=tol,
                         max_iter=max_iter, max_seconds=max_seconds, random_state=random_state,
                         verbose=verbose, standardize=standardize, init=init, huber_delta=huber_delta)
        self.n_lams, self.lam_ratio, self.lams, self.cv = n_lams, lam_ratio, lams, cv

    def _top_lambda(self, X, T):
        # with a budget, a tenth of it tightens the bounds (digits, 10 classes, 100 gates: 12.7 s
        # of a 60 s budget); a bound cut short is larger, so the grid starts higher, never below λ_max
        probe = self._base_model(1.0)
        deadline = None if self.max_seconds is None else time.perf_counter() + 0.1 * self.max_seconds
        return probe._lambda_max(probe._set_standardization(X), T, deadline)

    def _fits_per_fold(self, grid):
        return len(grid)  # (a fit per λ, warm-started down the grid: each has its own share)

    def _advise_on_lam(self, *args):
        """(λ was chosen by cross-validation: no advice on it.)"""

    def _fold_errors(self, grid, X, y, X_test, y_test, w, w_test):
        """Held-out errors down the grid from the largest λ: one model with ``warm_start``, each
        fit from the last one's program and solution, within its own share of the budget."""
        out, model = [], None
        for lam in grid:
            share = self._base_model(float(lam))  # (this fit's budget)
            if model is None:
                model = share.set_params(warm_start=True)
            else:
                model.set_params(lam=share.lam, max_seconds=share.max_seconds)
            model.fit(X, y, **({} if w is None else {"sample_weight": w}))
            out.append((self._held_out_error(model.predict(X_test), y_test, w_test), model.converged_))
        return np.array([e for e, _ in out]), np.array([ok for _, ok in out])


class ArrangementReLUCV(_ArrangementCV, ArrangementReLU):
    """:class:`~ganet.ArrangementReLU` with λ chosen by k-fold cross-validation of the held-out
    mean squared error.

    Parameters
    ----------
    n_lams : int, default 6
        Number of λ values in the grid (each fold fits each of them: ``cv · n_lams`` fits, and a
        refit).
    lam_ratio, lams, cv
        As :class:`ConvexReLUCV`.
    **kwargs
        Every other parameter of :class:`~ganet.ArrangementReLU` (``lam`` is ignored: it is
        chosen). ``standardize`` defaults to True.

    Attributes
    ----------
    lam_, lams_, lam_max_, cv_results_
        As :class:`ConvexReLUCV`; all of :class:`~ganet.ArrangementReLU`'s attributes describe
        the refit at ``lam_``.
    """

    _base = ArrangementReLU

    def fit(self, X, y, sample_weight=None):
        """Choose λ by cross-validation, then fit and certify the program at that λ; returns self."""
        with self._fitting():
            return self._fit_regression(X, y, sample_weight)


class ArrangementReLUClassifierCV(_ArrangementCV, ArrangementReLUClassifier):
    """:class:`~ganet.ArrangementReLUClassifier` with λ chosen by stratified k-fold
    cross-validation of the held-out error rate (parameters as :class:`ArrangementReLUCV`).

    Attributes
    ----------
    lam_, lams_, lam_max_ as :class:`ConvexReLUCV`; ``cv_results_`` with ``error`` (folds × λ),
    ``mean_error``, ``std_error`` and ``certified``.
    """

    _base = ArrangementReLUClassifier

    def fit(self, X, y, sample_weight=None):
        """Choose λ by cross-validation, then fit and certify the classifier at that λ; returns self."""
        with self._fitting():
            return self._fit_classification(X, y, sample_weight)


class _DeepCV(_LambdaCV):
    """The CV estimators of the deep models: λ_max priced over the lifted dictionary, one
    warm-started certified path per fold (their Lasso is the squared loss's). No sample weights:
    the deep models' objective (ZP's eq. (2), P23's (26)) has none."""

    def _top_lambda(self, X, T):
        probe = self._base_model(1.0)
        return lambda_max(probe, probe._set_standardization(X), T)

    def fit(self, X, y):
        """Choose λ by cross-validation, then fit and certify the network at that λ; returns self."""
        with self._fitting():
            return self._fit_regression(X, y)


class DeepNarrowAbsCV(_DeepCV, DeepNarrowAbs):
    """:class:`DeepNarrowAbs` with λ chosen by k-fold cross-validation over a certified path
    (as :class:`ConvexReLUCV`: a grid below λ_max, the largest correlation of a lifted column
    with the centred target; the λ of least held-out mean squared error refitted on all the data).

    Parameters
    ----------
    n_lams, lam_ratio, lams, cv
        The grid and the folds, as :class:`ConvexReLUCV`'s.
    **kwargs
        Every other parameter of :class:`DeepNarrowAbs` (``lam`` is ignored: it is chosen).
        ``standardize`` defaults to True here: λ is then relative to unit-variance features.

    Attributes
    ----------
    lam_, lams_, lam_max_, cv_results_
        As :class:`ConvexReLUCV`'s; every other attribute describes the refit at ``lam_``.
    """

    _base = DeepNarrowAbs

    def __init__(self, n_lams=8, lam_ratio=1e-3, lams=None, cv=5, depth=3, lam=None, tol=1e-8, max_iter=100,
                 memory_limit=None, verbose=0, dictionary="auto", n_sampled=10_000, random_state=None,
                 max_seconds=None, standardize=True, client=None):
        super().__init__(depth=depth, lam=lam, tol=tol, max_iter=max_iter, memory_limit=memory_limit,
                         verbose=verbose, dictionary=dictionary, n_sampled=n_sampled, random_state=random_state,
                         max_seconds=max_seconds, standardize=standardize, client=client)
        self.n_lams, self.lam_ratio, self.lams, self.cv = n_lams, lam_ratio, lams, cv


class ThreeLayerReLUCV(_DeepCV, ThreeLayerReLU):
    """:class:`ThreeLayerReLU` with λ chosen by k-fold cross-validation over a certified path
    (parameters and attributes as :class:`DeepNarrowAbsCV`'s, the others :class:`ThreeLayerReLU`'s)."""

    _base = ThreeLayerReLU

    def __init__(self, n_lams=8, lam_ratio=1e-3, lams=None, cv=5, lam=None, bias=False, tol=1e-8, max_iter=100,
                 memory_limit=None, verbose=0, dictionary="auto", n_sampled=10_000, random_state=None,
                 max_seconds=None, standardize=True, client=None):
        super().__init__(lam=lam, bias=bias, tol=tol, max_iter=max_iter, memory_limit=memory_limit,
                         verbose=verbose, dictionary=dictionary, n_sampled=n_sampled, random_state=random_state,
                         max_seconds=max_seconds, standardize=standardize, client=client)
        self.n_lams, self.lam_ratio, self.lams, self.cv = n_lams, lam_ratio, lams, cv
