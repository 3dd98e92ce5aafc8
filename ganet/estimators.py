r"""scikit-learn estimators that train two-layer ReLU networks to global optimality.

The network :math:`f(x) = \sum_j \alpha_j (x^\top u_j + b_j)_+ + t`, trained on

.. math:: \ell(f(X), y) + \frac{\lambda}{2}\sum_j \big(\|u_j\|_p^2 + \alpha_j^2\big),

has the optimal value of the Lasso :math:`\ell(Kz + t1, y) + \lambda\|z\|_1` over the dictionary
K of :class:`ganet.numeric.dictionary.Dictionary` (exactly for p = 1; within 1/(1−ε) for p = 2).
Reconstruction from z (DESIGN.md): :math:`u_j = \sqrt{|z_j|}\, w/\|w\|_p`, :math:`b_j = -a^\top u_j`,
:math:`\alpha_j = \mathrm{sign}(z_j)\sqrt{|z_j|}`, so the network objective equals the Lasso
objective. Vector outputs (Theorem 14) use the group penalty :math:`\lambda\sum_j\|Z_{j,:}\|_2`.
"""

import numbers
from dataclasses import dataclass

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, validate_data

from .numeric.dictionary import Dictionary, special_samples
from .numeric.solver import solve_lasso

__all__ = ["ConvexReLU", "ConvexReLUClassifier", "Neuron"]


@dataclass(frozen=True)
class Neuron:
    """One hidden neuron x ↦ alpha · (weightᵀx + bias)₊ of an optimal network.

    Attributes
    ----------
    anchor : int or None
        Training index its breakplane is anchored at (None: through the origin).
    generators : tuple
        ``("x", i)``, ``("x-x", i, k)`` (xᵢ − x_k, k the anchor) or ``("e", q)``; i, k are 0-based
        rows of the training X, q a 1-based axis.
    weight : ndarray, shape (d,)
        u = √|z| · (±w/‖w‖_p), a multiple of the generalized cross product ⋆(v₁ ∧ ⋯ ∧ v_{d−1}).
    bias : float
        b = −aᵀu.
    alpha : float or ndarray
        Output weight(s) α (an array of c values for vector outputs).
    formula : str
        The neuron's direction as a wedge formula, e.g. ``⋆(x3 ∧ x7)``.
    column : int
        Dictionary column index.
    """

    anchor: object
    generators: tuple
    weight: np.ndarray
    bias: float
    alpha: object
    formula: str
    column: int

    @property
    def special_samples(self):
        """Training indices the breakplane passes through."""
        return special_samples(self.anchor, self.generators)


class _ConvexReLUBase(BaseEstimator):
    _losses = ("squared",)

    def __init__(self, reg="l1", bias=True, lam=1e-3, loss="squared", tol=1e-8, max_iter=100,
                 memory_limit=None, verbose=0):
        self.reg = reg
        self.bias = bias
        self.lam = lam
        self.loss = loss
        self.tol = tol
        self.max_iter = max_iter
        self.memory_limit = memory_limit
        self.verbose = verbose

    def _check_params(self):
        if self.reg not in ("l1", "l2"):
            raise ValueError(f"reg must be 'l1' or 'l2'; got {self.reg!r}")
        if not isinstance(self.bias, (bool, np.bool_)):
            raise ValueError(f"bias must be True or False; got {self.bias!r}")
        if not isinstance(self.lam, numbers.Real) or not np.isfinite(self.lam) or self.lam <= 0:
            raise ValueError(f"lam must be a positive finite number; got {self.lam!r}")
        if self.loss not in self._losses:
            raise ValueError(f"loss must be one of {self._losses}; got {self.loss!r}")
        if not isinstance(self.tol, numbers.Real) or not self.tol > 0:
            raise ValueError(f"tol must be positive; got {self.tol!r}")
        if not isinstance(self.max_iter, numbers.Integral) or self.max_iter < 1:
            raise ValueError(f"max_iter must be a positive integer; got {self.max_iter!r}")

    def _fit_targets(self, X, T):
        """Fit the Lasso to targets T (n × c) and build the neurons."""
        if X.shape[0] < 2:
            raise ValueError(f"need at least 2 samples to fit; got {X.shape[0]} sample")
        self.dictionary_ = Dictionary(X, self.reg, self.bias, memory_limit=self.memory_limit)
        res = solve_lasso(self.dictionary_, T, self.lam, fit_intercept=self.bias, tol=self.tol,
                          max_iter=self.max_iter, verbose=self.verbose)
        self._set_solution(res.columns, res.coef, res.intercept, res.objective, res.gap,
                           res.converged, res.n_iter)
        self.history_ = res.history
        return self

    def _set_solution(self, columns, coef, intercept, objective, gap, converged, n_iter):
        self.columns_, self.coef_ = np.asarray(columns), np.asarray(coef)
        self.intercept_ = np.asarray(intercept, dtype=float)
        self.objective_, self.dual_gap_ = float(objective), float(gap)
        self.converged_, self.n_iter_ = bool(converged), int(n_iter)
        neurons = []
        for j, zrow in zip(self.columns_, self.coef_):
            h = self.dictionary_.describe(int(j))
            size = float(np.linalg.norm(zrow))
            scale = np.sqrt(size)
            alpha = zrow / scale
            neurons.append(Neuron(h.anchor, h.generators, scale * h.direction, scale * h.offset,
                                  float(alpha[0]) if alpha.size == 1 else alpha, h.formula, int(j)))
        self.neurons_ = neurons

    def network(self):
        """Weights of the reconstructed network f(x) = (xᵀW1 + b1)₊ W2 + b2.

        Returns
        -------
        dict with ``W1`` (d × m), ``b1`` (m,), ``W2`` (m × c), ``b2`` (c,).
        """
        check_is_fitted(self, "neurons_")
        d = self.n_features_in_
        m = len(self.neurons_)
        c = self.coef_.shape[1] if self.coef_.ndim == 2 and self.coef_.shape[0] else self.intercept_.size
        W1 = np.array([nu.weight for nu in self.neurons_]).T.reshape(d, m)
        b1 = np.array([nu.bias for nu in self.neurons_], dtype=float).reshape(m)
        W2 = np.array([np.atleast_1d(nu.alpha) for nu in self.neurons_], dtype=float).reshape(m, c)
        return {"W1": W1, "b1": b1, "W2": W2, "b2": self.intercept_.reshape(c).copy()}

    def _forward(self, X):
        net = self.network()
        return np.maximum(X @ net["W1"] + net["b1"], 0.0) @ net["W2"] + net["b2"]

    def _penalty(self):
        """(λ/2) Σⱼ (‖uⱼ‖_p² + ‖αⱼ‖₂²) of the reconstructed weights."""
        p = 1 if self.reg == "l1" else 2
        net = self.network()
        return 0.5 * self.lam * float(np.sum(np.linalg.norm(net["W1"], ord=p, axis=0) ** 2)
                                      + np.sum(net["W2"] ** 2))

    def network_objective(self, X, y):
        """The non-convex training objective ℓ(f(X), y) + (λ/2)Σⱼ(‖uⱼ‖_p² + αⱼ²) of ``network()``."""
        check_is_fitted(self, "neurons_")
        X = validate_data(self, X, reset=False)
        T = self._targets(np.asarray(y))
        return self._loss_value(self._forward(X), T) + self._penalty()

    def _loss_value(self, F, T):
        return 0.5 * float(np.sum((F - T) ** 2))


class ConvexReLU(RegressorMixin, _ConvexReLUBase):
    """Two-layer ReLU regression network trained to global optimality via its convex Lasso.

    Minimizes ½‖f(X) − y‖² + (λ/2)Σⱼ(‖uⱼ‖_p² + αⱼ²) over networks of any width by solving
    ½‖Kz + t1 − y‖² + λ‖z‖₁ over the wedge-product dictionary K (Pilanci 2023), and certifies the
    result with the full-dictionary duality gap.

    Parameters
    ----------
    reg : {"l1", "l2"}, default "l1"
        p of the ‖uⱼ‖_p² penalty. "l1" is exact; "l2" (weight decay) is within 1/(1−ε).
    bias : bool, default True
        Neurons with biases (and an unpenalized output intercept).
    lam : float, default 1e-3
        Regularization λ > 0.
    loss : {"squared"}
        ½‖f(X) − y‖².
    tol : float, default 1e-8
        Relative duality-gap tolerance: stop when gap ≤ tol · objective.
    max_iter : int, default 100
        Maximum pricing rounds of the working-set solver.
    memory_limit : int, optional
        Bytes the dictionary may use (default 4 GiB); larger dictionaries raise before allocating.
    verbose : int, default 0

    Attributes
    ----------
    objective_ : float
        ½‖Kz + t − y‖² + λ‖z‖₁ at the solution.
    dual_gap_ : float
        Certified bound on objective_ − optimum.
    converged_ : bool
    intercept_ : ndarray, shape (c,)
    n_iter_ : int
    neurons_ : list of Neuron
    dictionary_ : Dictionary
    """

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        return tags

    def fit(self, X, y):
        """Fit the globally optimal network; returns self."""
        self._check_params()
        X, y = validate_data(self, X, y, y_numeric=True, multi_output=True, dtype=np.float64)
        self._single_output = y.ndim == 1
        return self._fit_targets(X, self._targets(y))

    def _targets(self, y):
        y = np.asarray(y, dtype=float)
        return y.reshape(len(y), -1)

    def predict(self, X):
        """Network output f(X)."""
        check_is_fitted(self, "neurons_")
        X = validate_data(self, X, reset=False, dtype=np.float64)
        F = self._forward(X)
        return F[:, 0] if self._single_output else F


class ConvexReLUClassifier(ClassifierMixin, _ConvexReLUBase):
    """Globally optimal two-layer ReLU classifier.

    ``loss="squared"`` regresses ±1 targets (binary) or one-hot targets with Theorem 14's group
    penalty (multiclass) with the certified working-set solver. ``loss="logistic"`` and
    ``loss="hinge"`` (binary) solve ℓ(Kz + t1, y) + λ‖z‖₁ with cvxpy + Clarabel on the
    materialized dictionary: the small-data path, certified by the Fenchel dual of the loss.

    Parameters are those of :class:`ConvexReLU`.
    """

    _losses = ("squared", "logistic", "hinge")

    def fit(self, X, y):
        """Fit the globally optimal classifier; returns self."""
        self._check_params()
        X, y = validate_data(self, X, y, dtype=np.float64)
        check_classification_targets(y)
        self.classes_ = np.unique(y)
        if len(self.classes_) < 2:
            raise ValueError(f"need samples of at least 2 classes; got 1 class ({self.classes_[0]!r})")
        if self.loss == "squared":
            return self._fit_targets(X, self._targets(y))
        if len(self.classes_) != 2:
            raise ValueError(f"loss={self.loss!r} supports two classes; use loss='squared' for "
                             f"{len(self.classes_)} classes")
        from .numeric.convex_losses import solve_convex_loss

        self.dictionary_ = Dictionary(X, self.reg, self.bias, memory_limit=self.memory_limit)
        res = solve_convex_loss(self.dictionary_, self._targets(y)[:, 0], self.lam, self.loss,
                                fit_intercept=self.bias, tol=self.tol)
        self._set_solution(res.columns, res.coef, res.intercept, res.objective, res.gap,
                           res.converged, 1)
        return self

    def _targets(self, y):
        y = np.asarray(y)
        if len(self.classes_) == 2:
            return np.where(y == self.classes_[1], 1.0, -1.0)[:, None]
        return (y[:, None] == self.classes_[None, :]).astype(float)

    def _loss_value(self, F, T):
        if self.loss == "logistic":
            return float(np.sum(np.logaddexp(0.0, -T * F)))
        if self.loss == "hinge":
            return float(np.sum(np.maximum(0.0, 1.0 - T * F)))
        return super()._loss_value(F, T)

    def decision_function(self, X):
        """Network output: one score (binary) or one per class."""
        check_is_fitted(self, "neurons_")
        X = validate_data(self, X, reset=False, dtype=np.float64)
        F = self._forward(X)
        return F[:, 0] if len(self.classes_) == 2 else F

    def predict(self, X):
        """Predicted class labels."""
        scores = self.decision_function(X)
        if len(self.classes_) == 2:
            return self.classes_[(scores > 0).astype(int)]
        return self.classes_[np.argmax(scores, axis=1)]
