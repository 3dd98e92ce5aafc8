r"""λ chosen by cross-validation, as scikit-learn's ``LassoCV`` chooses α.

:class:`ConvexReLUCV` fits, in each of ``cv`` folds, a warm-started certified path over a λ grid
relative to

.. math::  \lambda_{\max} = \max_j \|K_j^\top (y - \bar y)\|_2 ,

the smallest λ whose optimum is the constant ȳ (z = 0 satisfies the optimality conditions
exactly when every column's correlation with the centred target is at most λ; priced over the
whole dictionary of the training data, in one pass). The grid is
λ_max·10^{linspace(0, log10(lam_ratio), n_lams)}, excluding λ_max itself. Each fold scores every λ
by the held-out mean squared error; the λ with the smallest mean is refitted on all the data.
"""

import numpy as np
from sklearn.model_selection import KFold
from sklearn.utils.validation import check_is_fitted, validate_data

from .estimators import ConvexReLU

__all__ = ["ConvexReLUCV", "lambda_max"]


def lambda_max(model, X, y):
    """λ_max of ``model``'s dictionary on (X, y) (see the module docstring); X in the model's
    input units (standardized when the model standardizes)."""
    dictionary = model._make_dictionary(X, model._sample_seed())
    Y = np.asarray(y, dtype=float).reshape(len(y), -1)
    R = Y - Y.mean(axis=0) if model._intercept() else Y
    return float(dictionary.violators(R, np.inf, 0)[0])


class ConvexReLUCV(ConvexReLU):
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
        ``mse`` (folds × λ: held-out mean squared errors), ``mean_mse``, ``std_mse``,
        ``certified`` (folds × λ: whether each path fit was certified to ``tol``).
    """

    def __init__(self, n_lams=8, lam_ratio=1e-3, lams=None, cv=5, reg="l1", bias=True, lam=None,
                 loss="squared", tol=1e-6, max_iter=100, memory_limit=None, verbose=0, dictionary="auto",
                 n_sampled=10_000, sampling="subsets", random_state=None, max_seconds=None, client=None,
                 standardize=True):
        super().__init__(reg=reg, bias=bias, lam=lam, loss=loss, tol=tol, max_iter=max_iter,
                         memory_limit=memory_limit, verbose=verbose, dictionary=dictionary,
                         n_sampled=n_sampled, sampling=sampling, random_state=random_state,
                         max_seconds=max_seconds, client=client, standardize=standardize)
        self.n_lams, self.lam_ratio, self.lams, self.cv = n_lams, lam_ratio, lams, cv

    def _lam_param(self):
        return getattr(self, "_chosen_lam", getattr(self, "lam_", 1.0))

    def _path_model(self, lams):
        params = {k: v for k, v in self.get_params().items() if k not in ("n_lams", "lam_ratio", "lams", "cv")}
        return ConvexReLU(**{**params, "lam": lams})

    def _grid(self, X, y):
        if self.lams is not None:
            grid = np.sort(np.atleast_1d(np.asarray(self.lams, dtype=float)))[::-1]
            if not (grid.size and np.all(np.isfinite(grid)) and np.all(grid > 0)):
                raise ValueError(f"lams must be positive numbers; got {self.lams!r}")
            return grid, np.nan
        if not (isinstance(self.n_lams, (int, np.integer)) and self.n_lams >= 1):
            raise ValueError(f"n_lams must be a positive integer; got {self.n_lams!r}")
        if not 0 < self.lam_ratio < 1:
            raise ValueError(f"lam_ratio must lie in (0, 1); got {self.lam_ratio!r}")
        probe = self._path_model(1.0)
        Xm = probe._set_standardization(X)
        top = lambda_max(probe, Xm, y)
        if not top > 0:
            raise ValueError("y is constant (λ_max = 0): there is nothing to fit")
        exponents = np.linspace(0.0, np.log10(self.lam_ratio), self.n_lams + 1)[1:]
        return top * 10.0 ** exponents, top

    def fit(self, X, y, sample_weight=None):
        """Choose λ by cross-validation, then fit and certify the network at that λ; returns self."""
        with self._keeping_state_on_failure():
            return self._fit_cv(X, y, sample_weight)

    def _fit_cv(self, X, y, sample_weight):
        X, y = validate_data(self, X, y, y_numeric=True, dtype=np.float64)
        if not (isinstance(self.cv, (int, np.integer)) and 2 <= self.cv <= len(X)):
            raise ValueError(f"cv must be an integer from 2 to n = {len(X)}; got {self.cv!r}")
        grid, top = self._grid(X, y)
        w = np.ones(len(X)) if sample_weight is None else np.asarray(sample_weight, dtype=float)
        folds = KFold(self.cv, shuffle=True, random_state=self.random_state).split(X)
        mse, certified = np.empty((self.cv, len(grid))), np.empty((self.cv, len(grid)), dtype=bool)
        for f, (train, test) in enumerate(folds):
            path = self._path_model(grid).fit(X[train], y[train],
                                              sample_weight=None if sample_weight is None else w[train])
            Xt = path._model_inputs(X[test])
            for k, step in enumerate(path.path_):  # path_ is in grid order, largest λ first
                K = path.dictionary_.transform(Xt, step["columns"]) if len(step["columns"]) else np.zeros((len(test), 0))
                pred = (K @ step["coef"] + step["intercept"])[:, 0]
                mse[f, k] = np.average((pred - y[test]) ** 2, weights=w[test])
                certified[f, k] = step["converged"]
        mean = mse.mean(axis=0)
        self._chosen_lam = float(grid[int(np.argmin(mean))])
        try:
            super().fit(X, y, sample_weight=sample_weight)
        finally:
            del self._chosen_lam
        self.lams_, self.lam_max_ = grid, top
        self.cv_results_ = {"lams": grid, "mse": mse, "mean_mse": mean, "std_mse": mse.std(axis=0),
                            "certified": certified}
        return self

    def predict(self, X):
        """The network at the chosen λ, f(X)."""
        check_is_fitted(self, "neurons_")
        return super().predict(X)
