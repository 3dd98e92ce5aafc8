r"""scikit-learn estimators that train two-layer ReLU networks to global optimality.

The network :math:`f(x) = \sum_j \alpha_j (x^\top u_j + b_j)_+ + t`, trained on

.. math:: \ell(f(X), y) + \frac{\lambda}{2}\sum_j \big(\|u_j\|_p^2 + \alpha_j^2\big),

has the optimal value of the Lasso :math:`\ell(Kz + t1, y) + \lambda\|z\|_1` over the dictionary
K of :class:`ganet.numeric.oracles.two_layer.Dictionary` (exactly for p = 1; within 1/(1−ε) for p = 2).
Reconstruction from z (docs/conventions.md): :math:`u_j = \sqrt{|z_j|}\, w/\|w\|_p`, :math:`b_j = -a^\top u_j`,
:math:`\alpha_j = \mathrm{sign}(z_j)\sqrt{|z_j|}`, so the network objective equals the Lasso
objective. Vector outputs (Theorem 14) use the group penalty :math:`\lambda\sum_j\|Z_{j,:}\|_2`.
"""

import hashlib
import numbers
import time
from dataclasses import replace

import numpy as np
from sklearn.utils.validation import check_is_fitted, validate_data

from ..numeric.oracles.sampling import SampledDictionary
from ..numeric.oracles.streaming import StreamingDictionary, pass_costs
from ..numeric.oracles.two_layer import Dictionary, count_hyperplanes, table_bytes
from ..numeric.oracles.weighted import WeightedDictionary, check_sample_weight
from ..numeric.runtime.memory import DEFAULT_MEMORY_LIMIT, PeakMemory, check_memory_limit
from ..numeric.runtime.validation import as_finite_array
from ..numeric.solvers.datafits import Quadratic, fenchel_gap, make_datafit
from ..numeric.solvers.lasso_working_set import dual_gap, solve_lasso
from .base import (ConvexNetworkEstimator, NetworkClassifierMixin, NetworkRegressorMixin, advise_on_lam,
                   one_note_for_the_classes)
from .networks import TwoLayerNetwork
from .standardize import StandardizeMixin

__all__ = ["ConvexReLU", "ConvexReLUClassifier"]

# Estimated seconds of one pricing pass (pass_costs, 2 idle cores) beyond which streaming is
# refused; a certificate takes several to tens of passes. The limit was 3·10¹¹ point ×
# hyperplane products, about a minute of a d = 3 scan. With the d ≥ 4 scan rate corrected, that
# count had admitted passes estimated at up to 230 s (d ≥ 4) and refused some of 52–116 s
# (d ≤ 4); two minutes refuses only passes estimated at 130–230 s that it admitted (e.g. d = 4
# with bias at n = 350) and still admits d = 4 with bias at n = 300 (about 70 s). Cell bounds do
# not raise it: at d = 4, n = 1000 they skipped 93% of a pass at λ = 1 but shortened it only
# from 48 to 28 s, since every hyperplane's normal is still computed to find its cell.
_MAX_PASS_SECONDS = 120.0

# Hyperplanes up to which dictionary="auto" stores the table: above it the streaming oracle was
# measured faster (2× at 46k hyperplanes, 4× at 500k, 13× at 1.4M: its passes keep only the best
# violators and it prices the support's neighbourhoods between passes).
_MAX_STORED_HYPERPLANES = 20_000


# certificate_ after certify() of a sampled fit whose global gap is above tol
SAMPLED_ABOVE_TOL = "sampled optimum, global gap above tol"


def _one_vs_rest(results):
    """One LassoResult from the binary results of each class over the same dictionary: the union
    of their columns, one coefficient column per class; objectives and gaps add up (the problems
    are separate), dual points side by side (n × c)."""
    if len(results) == 1:
        return results[0]
    columns = np.unique(np.concatenate([r.columns for r in results]))
    coef = np.zeros((len(columns), len(results)))
    for k, r in enumerate(results):
        coef[np.searchsorted(columns, r.columns), k] = r.coef[:, 0]
    converged = all(r.converged for r in results)
    return replace(results[0], columns=columns, coef=coef,
                   intercept=np.concatenate([r.intercept for r in results]),
                   objective=sum(r.objective for r in results), dual_objective=sum(r.dual_objective for r in results),
                   gap=sum(r.gap for r in results), converged=converged, n_iter=sum(r.n_iter for r in results),
                   history=sum((r.history for r in results), []),
                   stopped="converged" if converged else ", ".join(r.stopped for r in results),
                   dual_point=np.column_stack([r.dual_point for r in results]))


def _path_step(lam, res):
    """One entry of ``path_``: the solve of ``lam`` (a LassoResult), its network and certificate."""
    return dict(lam=lam, objective=res.objective, dual_gap=res.gap, converged=res.converged, n_iter=res.n_iter,
                columns=res.columns, coef=res.coef, intercept=res.intercept, stopped=res.stopped)


def _fingerprint(X, T):
    """A digest of the training data, so that certify() can check it is given the same data."""
    digest = hashlib.sha256()
    for a in (X, T):
        a = np.ascontiguousarray(a, dtype=np.float64)
        digest.update(str(a.shape).encode())
        digest.update(a.tobytes())
    return digest.hexdigest()


class _ConvexReLUBase(ConvexNetworkEstimator):
    _losses = ("squared",)

    def __init__(self, reg="l1", bias=True, lam=1e-3, loss="squared", tol=1e-8, max_iter=100,
                 memory_limit=None, verbose=0, dictionary="auto", n_sampled=10_000,
                 sampling="subsets", random_state=None, max_seconds=None, client=None, standardize=False,
                 huber_delta=1.0):
        self.standardize = standardize
        self.huber_delta = huber_delta
        self.reg = reg
        self.bias = bias
        self.lam = lam
        self.loss = loss
        self.tol = tol
        self.max_iter = max_iter
        self.memory_limit = memory_limit
        self.verbose = verbose
        self.dictionary = dictionary
        self.n_sampled = n_sampled
        self.sampling = sampling
        self.random_state = random_state
        self.max_seconds = max_seconds
        self.client = client

    def _intercept(self):
        """Whether the Lasso has a free intercept (the network's output bias): with the biases."""
        return self.bias

    def _datafit(self, sample_weight=None):
        """The fit's loss as a datafit of :mod:`ganet.numeric.solvers.datafits`."""
        return make_datafit(self.loss, getattr(self, "huber_delta", 1.0), sample_weight)

    def _fit_network(self, X, T, sample_weight, fitted):
        """Oracle → solve → assign: the squared loss by the group Lasso with its λ path
        (:meth:`_fit_targets`), every other datafit one problem per target column
        (:meth:`_fit_convex_loss`)."""
        if self._datafit() is Quadratic:
            return self._fit_targets(X, T, sample_weight=sample_weight, **fitted)
        return self._fit_convex_loss(X, T, sample_weight, **fitted)

    def _check_params(self):
        """Refuse bad parameters before any work: the network's own, then the solver's."""
        self._check_architecture()
        self._check_solver_params()

    def _check_architecture(self):
        """The two-layer network's parameters: ``reg``, ``bias``, ``loss`` (and ``huber_delta``)."""
        if self.reg not in ("l1", "l2"):
            raise ValueError(f"reg must be 'l1' or 'l2'; got {self.reg!r}")
        if not isinstance(self.bias, (bool, np.bool_)):
            raise ValueError(f"bias must be True or False; got {self.bias!r}")
        if self.loss not in self._losses:
            raise ValueError(f"loss must be one of {self._losses}; got {self.loss!r}")
        self._datafit()  # (checks huber_delta)

    def _check_solver_params(self):
        """λ, the dictionary choice, tolerances and limits, shared by every dictionary model."""
        lams = np.atleast_1d(np.asarray(self._lam_param(), dtype=object))
        if self._interpolates():
            pass
        elif lams.ndim != 1 or lams.size == 0 or not all(
                isinstance(v, numbers.Real) and not isinstance(v, bool) and np.isfinite(v) and v > 0
                for v in lams):
            raise ValueError(f"lam must be a positive finite number or a 1-D array of them; got {self.lam!r}")
        if self.dictionary not in ("auto", "stored", "streaming", "sampled"):
            raise ValueError("dictionary must be 'auto', 'stored', 'streaming' or 'sampled'; got "
                             f"{self.dictionary!r}")
        if not isinstance(self.tol, numbers.Real) or isinstance(self.tol, bool) or not 0 < self.tol < 1:
            raise ValueError(f"tol must lie in (0, 1) (a relative duality gap); got {self.tol!r}")
        if not isinstance(self.max_iter, numbers.Integral) or self.max_iter < 1:
            raise ValueError(f"max_iter must be a positive integer; got {self.max_iter!r}")
        check_memory_limit(self.memory_limit)
        if self.max_seconds is not None and (not isinstance(self.max_seconds, numbers.Real)
                                             or isinstance(self.max_seconds, bool)
                                             or not self.max_seconds > 0):
            raise ValueError(f"max_seconds must be a positive number or None; got {self.max_seconds!r}")
        if self.dictionary == "sampled" and (not isinstance(self.n_sampled, numbers.Integral)
                                             or isinstance(self.n_sampled, bool) or self.n_sampled < 1):
            raise ValueError(f"n_sampled must be a positive integer; got {self.n_sampled!r}")

    _interpolation = False  # estimators solving min ‖z‖₁ s.t. interpolation for lam = 0

    def _interpolates(self):
        """Whether lam = 0 asks for the minimum-norm interpolant (where the model offers it)."""
        lam = self.lam
        return (self._interpolation and isinstance(lam, numbers.Real) and not isinstance(lam, bool)
                and lam == 0)

    def _lam_param(self):
        """The λ (or λ values) to fit: ``lam`` (chosen by cross-validation in :mod:`ganet.estimators.cv`)."""
        return self.lam

    def _lams(self):
        """The λ values to solve, largest first (a regularization path warm-starts downward)."""
        return np.sort(np.atleast_1d(np.asarray(self._lam_param(), dtype=float)))[::-1]

    def _sample_seed(self):
        """A concrete seed for a sampled dictionary (drawn from ``random_state``), recorded as
        ``sample_seed_`` so that a saved model rebuilds the same sample; None when not sampling."""
        if self.dictionary != "sampled":
            return None
        return int(np.random.default_rng(self.random_state).integers(2 ** 63))

    def _make_dictionary(self, X, seed=None):
        """Stored table if it is small and fits in memory_limit, else the streaming oracle (or the
        sample drawn with ``seed``)."""
        kind = self.dictionary
        limit = self.memory_limit if self.memory_limit is not None else DEFAULT_MEMORY_LIMIT
        n, d = X.shape
        n_hyper = count_hyperplanes(n, d, self.reg, self.bias)
        if kind == "auto":
            small = n_hyper <= _MAX_STORED_HYPERPLANES and table_bytes(n_hyper, d) <= limit
            kind = "stored" if small else "streaming"
        if kind == "streaming":
            _check_pass_work(n, d, self.reg, self.bias)
        if kind == "stored":
            return Dictionary(X, self.reg, self.bias, memory_limit=self.memory_limit)
        if kind == "streaming":
            return self._streaming(X)
        return SampledDictionary(X, self.reg, self.bias, n_hyperplanes=self.n_sampled,
                                 method=self.sampling, random_state=seed,
                                 memory_limit=self.memory_limit)

    def _fit_targets(self, X, T, sample_weight=None, warm_start=None, **fitted):
        """Fit the Lasso to targets T (n × c) for every λ (weighted by ``sample_weight``: see
        :mod:`ganet.numeric.oracles.weighted`); the fitted attributes (and ``fitted``, e.g. ``classes_``)
        are assigned only once everything succeeded, so a failed or interrupted fit leaves a
        previously fitted model as it was."""
        if X.shape[0] < 2:
            raise ValueError(f"need at least 2 samples to fit; got {X.shape[0]} sample")
        fitted["_sample_weight"] = sw = None if sample_weight is None else check_sample_weight(sample_weight, len(X))
        start = time.perf_counter()
        with PeakMemory() as memory:
            fitted["sample_seed_"] = seed = self._sample_seed()
            dictionary = self._make_dictionary(X, seed)
            oracle, targets, intercept = dictionary, T, self._intercept()
            if sw is not None:  # a Lasso without intercept over √W-scaled, w-centred columns
                oracle = WeightedDictionary(dictionary, sw, intercept)
                targets = np.sqrt(sw)[:, None] * (T - oracle.weighted_means(T))
                intercept = False
            built = time.perf_counter()
            path, warm, history, solves = [], warm_start, [], 0.0
            for lam in self._lams():
                budget = None
                if self.max_seconds is not None:
                    budget = max(self.max_seconds - (time.perf_counter() - start), 1e-3)
                res = solve_lasso(oracle, targets, lam, fit_intercept=intercept, tol=self.tol,
                                  max_iter=self.max_iter, verbose=self.verbose, warm_start=warm,
                                  max_seconds=budget)
                if sw is not None and self._intercept():  # t = ȳ_w − μ_wᵀz
                    K = dictionary.materialize(res.columns) if len(res.columns) else np.zeros((len(X), 0))
                    res = replace(res, intercept=oracle.weighted_means(T) - oracle.weighted_means(K) @ res.coef)
                warm = (res.columns, res.coef)
                history += res.history
                solves += res.history[-1]["solve_seconds"] if res.history else 0.0
                path.append(_path_step(lam, res))
        fitted.update(
            dictionary_=dictionary, path_=path, lam_=float(lam), history_=history,
            _fingerprint=_fingerprint(X, T),
            report_={
                "dictionary": type(dictionary).__name__, "n_columns": dictionary.n_columns,
                "certificate": None, "stopped": res.stopped,  # (certificate: set by _assign)
                "seconds_dictionary": built - start, "seconds_working_set_solves": solves,
                "seconds_total": time.perf_counter() - start,
                **_pass_counts(dictionary),
                "peak_rss_mb": memory.peak_mb, "rss_at_start_mb": memory.start_mb,
            })
        self._assign(dictionary, res, fitted)
        if not res.converged:
            advise_on_lam(self, float(lam), res.lam_max)
        return self

    def _assign(self, dictionary, res, fitted):
        """Set every fitted attribute at once from a finished solve; ``certificate_`` (and the
        report's) is derived here, from the dictionary and the solve, for every model."""
        neurons = self._make_neurons(dictionary, res.columns, np.asarray(res.coef))
        for name, value in fitted.items():
            setattr(self, name, value)
        self.columns_, self.coef_ = np.asarray(res.columns), np.asarray(res.coef)
        self.intercept_ = np.asarray(res.intercept, dtype=float)
        self.objective_, self.dual_gap_ = float(res.objective), float(res.gap)
        self.converged_, self.n_iter_ = bool(res.converged), int(res.n_iter)
        self.neurons_ = neurons
        certificate = getattr(dictionary, "certificate", "global")  # a sampled one says so
        if certificate == "global" and not self.converged_:
            # the gap is still a global bound, but "global" must never be read off a fit whose
            # gap is above tol (stopped by max_seconds, max_iter or rounding)
            certificate = "not converged (global gap)"
        self.certificate_ = self.report_["certificate"] = certificate

    def certify(self, X, y):
        """Price the fitted network's dual point against the **full** dictionary in one streaming pass.

        For a sampled fit this turns the gap of the sampled problem into a global certificate
        (usually a larger one): the sampled solution is a feasible network of the full problem.
        The certificate is the fit's own loss's (squared: the residual; logistic, hinge: the
        Fenchel dual point of :mod:`ganet.numeric.solvers.datafits`). ``X, y`` must be the training data
        (checked against a fingerprint taken at fit). Sets ``dual_gap_``, ``converged_`` and
        ``certificate_``: "global" when the gap is within ``tol``; otherwise, for a sampled fit,
        "sampled optimum, global gap above tol" (the fit itself succeeded: its sample lacks columns
        the full problem would use, and ``dual_gap_`` bounds how much that costs), and for a fit
        on the full dictionary "not converged (global gap)". Returns the gap.

        Raises
        ------
        ValueError
            For data other than the training data, or a dictionary whose pass would exceed about
            10¹¹ point-hyperplane products.
        """
        check_is_fitted(self, "neurons_")
        X, T = self._data(X, y)
        X = self._model_inputs(X)
        if _fingerprint(X, T) != self._fingerprint:
            raise ValueError("certify needs the training data the model was fitted on (X and y "
                             "differ from it); the certificate is a property of that problem")
        full = self._full_dictionary(X)
        K = self.dictionary_.materialize(self.columns_) if len(self.columns_) else np.zeros((len(X), 0))
        Q = K @ self.coef_ + self.intercept_
        sw = getattr(self, "_sample_weight", None)
        if self.loss == "squared" and sw is not None:  # the weighted problem of the fit
            full = WeightedDictionary(full, sw, self._intercept())
            R = np.sqrt(sw)[:, None] * (T - Q)
            Yc = np.sqrt(sw)[:, None] * (T - full.weighted_means(T))
            _, _, gap = dual_gap(Yc, R, self.coef_, self.lam_, full.price(R).max_score)
        elif self.loss == "squared":
            R = T - Q
            R = R - R.mean(axis=0) if self._intercept() else R
            Yc = T - T.mean(axis=0) if self._intercept() else T
            _, _, gap = dual_gap(Yc, R, self.coef_, self.lam_, full.price(R).max_score)
        else:  # one problem per output (one-vs-rest beyond two classes): their gaps add up
            datafit = self._datafit(sw)
            theta = np.asarray(self.dual_coef_).reshape(len(X), -1)
            gap = sum(fenchel_gap(datafit, Q[:, k], T[:, k], np.abs(self.coef_[:, k]).sum(), self.lam_,
                                  theta[:, k], lambda th: full.price(th).max_score, self._intercept())[2]
                      for k in range(T.shape[1]))
        self.dual_gap_ = float(gap)
        self.converged_ = bool(gap <= self.tol * self.objective_)
        sampled = getattr(self.dictionary_, "certificate", "global") != "global"
        self.certificate_ = self.report_["certificate"] = (
            "global" if self.converged_ else SAMPLED_ABOVE_TOL if sampled else "not converged (global gap)")
        return self.dual_gap_

    # ---- saving (the protocol of ganet.persistence.SaveMixin) --------------------------------
    _SAVED_ARRAYS = ("columns_", "coef_", "intercept_", "classes_", "dual_coef_", "_sample_weight")

    def __ganet_state__(self):
        """(the dictionary's type, X and the Lasso solution's arrays, no extra attributes): the
        dictionary is a function of X and the parameters, rebuilt on loading."""
        arrays = {"X": np.asarray(self.dictionary_.X, dtype=np.float64)}
        for key in self._SAVED_ARRAYS:
            if getattr(self, key, None) is not None:
                arrays[key] = np.asarray(getattr(self, key))
        return type(self.dictionary_).__name__, arrays, {}

    def __ganet_restore__(self, kind, arrays, attributes, meta):
        """Set the fitted state from a file: the dictionary rebuilt, the neurons from it."""
        self._check_params()
        X, columns = arrays["X"], np.asarray(arrays["columns_"], dtype=np.int64)
        coef, intercept = arrays["coef_"], arrays["intercept_"]
        if X.shape[1] != attributes.get("n_features_in_"):
            raise ValueError(f"X has {X.shape[1]} columns but n_features_in_ = {attributes.get('n_features_in_')}")
        outputs = coef.shape[1] if coef.ndim == 2 else -1
        if coef.ndim != 2 or len(coef) != len(columns) or intercept.shape != (outputs,):
            raise ValueError(f"coef_ {coef.shape}, columns_ {columns.shape} and intercept_ {intercept.shape} "
                             "do not fit together (coef_ is columns × outputs, intercept_ one per output)")
        if "classes_" in arrays and outputs != (1 if len(arrays["classes_"]) == 2 else len(arrays["classes_"])):
            raise ValueError(f"{len(arrays['classes_'])} classes but {outputs} outputs")
        if attributes.get("_single_output") and outputs != 1:
            raise ValueError(f"a single-output model with {outputs} outputs")
        if "_sample_weight" in arrays and arrays["_sample_weight"].shape != (len(X),):
            raise ValueError("_sample_weight must have one weight per training sample")
        dictionary = self._rebuild_dictionary(kind, X, attributes.get("sample_seed_"))
        if columns.size and (columns.min() < 0 or columns.max() >= dictionary.n_columns):
            raise ValueError("column indices outside the dictionary")
        for key, value in attributes.items():
            setattr(self, key, value)
        self._sample_weight = None  # present in the archive only for weighted fits
        for key in self._SAVED_ARRAYS:
            if key in arrays:
                setattr(self, key, arrays[key])
        self.columns_ = columns
        self.dictionary_ = dictionary
        self.neurons_ = self._make_neurons(dictionary, columns, np.asarray(self.coef_))
        self.path_, self.history_ = meta["path"], meta["history"]

    def _rebuild_dictionary(self, kind, X, seed):
        """The dictionary a fit used, of the type named ``kind`` in its file, rebuilt from X (the
        same columns in the same order)."""
        if kind == "Dictionary":
            return Dictionary(X, self.reg, self.bias, memory_limit=self.memory_limit)
        if kind == "StreamingDictionary":
            return StreamingDictionary(X, self.reg, self.bias, memory_limit=self.memory_limit)
        if kind == "SampledDictionary":
            if seed is None:
                raise ValueError("a sampled model without its sample seed")
            return self._make_dictionary(X, seed)
        raise ValueError(f"unknown dictionary type {kind!r}")

    def _fit_convex_loss(self, X, T, sample_weight=None, **fitted):
        """Fit ℓ(Kz + t1, y) + λ‖z‖₁ for a loss other than the squared one (logistic, hinge,
        Huber) by :func:`~ganet.numeric.solvers.loss_working_set.solve_convex_loss`, one problem per column
        of T (one-vs-rest for several classes), for every λ (a path, largest first: each solve
        starts from the last λ's solution of its class); ``fitted``: extra attributes (``classes_``)."""
        if X.shape[0] < 2:
            raise ValueError(f"need at least 2 samples to fit; got {X.shape[0]} sample")
        sw = None if sample_weight is None else check_sample_weight(sample_weight, len(X))
        from ..numeric.solvers.loss_working_set import solve_convex_loss

        lams = self._lams()
        seed = self._sample_seed()
        dictionary = self._make_dictionary(X, seed)  # stored, streaming or sampled
        start, path, previous, history = time.perf_counter(), [], [None] * T.shape[1], []
        for i, lam in enumerate(lams):
            results = []
            with one_note_for_the_classes(results, T.shape[1]):
                for k in range(T.shape[1]):  # one binary problem per class (one-vs-rest) beyond two
                    left = (len(lams) - i) * T.shape[1] - k  # (solves still to come share the budget)
                    budget = None if self.max_seconds is None else max(
                        self.max_seconds - (time.perf_counter() - start), 1e-3) / left
                    results.append(solve_convex_loss(dictionary, T[:, k], float(lam), self.loss,
                                                     fit_intercept=self.bias, tol=self.tol, max_iter=self.max_iter,
                                                     max_seconds=budget, verbose=self.verbose, sample_weight=sw,
                                                     huber_delta=getattr(self, "huber_delta", 1.0),
                                                     warm_start=previous[k]))
            previous = [(r.columns, r.coef[:, 0], float(r.intercept[0])) for r in results]
            res = _one_vs_rest(results)
            history += res.history
            if len(lams) > 1:
                path.append(_path_step(float(lam), res))
        lam = float(lams[-1])
        fitted.update(dictionary_=dictionary, lam_=lam, _sample_weight=sw,
                      dual_coef_=res.dual_point, path_=path, history_=history, sample_seed_=seed,
                      _fingerprint=_fingerprint(X, T),
                      report_={"dictionary": type(dictionary).__name__, "n_columns": dictionary.n_columns,
                               "certificate": None, "stopped": res.stopped,  # certificate: _assign
                               **_pass_counts(dictionary),
                               **({"one_vs_rest": True} if len(results) > 1 else {})})
        self._assign(dictionary, res, fitted)
        return self

    def network_family(self):
        """This model's architecture: reconstruction, forward pass and penalty of its networks
        (a :class:`~ganet.estimators.networks.NetworkFamily`)."""
        return TwoLayerNetwork(self.reg)

    @property
    def _first_layer(self):  # (what standardization rescales)
        return self.network_family().first_layer

    def _make_neurons(self, dictionary, columns, coef):
        family = self.network_family()
        return [family.neuron(dictionary, j, z) for j, z in zip(columns, coef)]

    def _full_dictionary(self, X):
        """The full (streamed) dictionary of this model's family, for :meth:`certify`."""
        n, d = X.shape
        _check_pass_work(n, d, self.reg, self.bias)
        return self._streaming(X)

    def _streaming(self, X):
        """The streaming oracle, its full passes on ``client`` when one is given."""
        D = StreamingDictionary(X, self.reg, self.bias, memory_limit=self.memory_limit,
                                progress=bool(self.verbose))
        D.client = getattr(self, "client", None)
        return D

    def network(self):
        """Weights of the reconstructed network f(x) = (xᵀW1 + b1)₊ W2 + b2, in the user's units.

        Returns
        -------
        dict with ``W1`` (d × m), ``b1`` (m,), ``W2`` (m × c), ``b2`` (c,).
        """
        return StandardizeMixin.network(self)

    def _model_network(self):
        check_is_fitted(self, "neurons_")
        return self.network_family().network(self.neurons_, self.intercept_, self.n_features_in_)

    def _forward(self, X):
        """f(X) (n × c) on inputs in the user's units."""
        return self.network_family().forward(self._model_network(), self._model_inputs(X), self.neurons_,
                                             self.dictionary_.X)

    @property
    def training_inputs_(self):
        """The training inputs in the model's units (standardized when ``standardize=True``): the
        data the dictionary's hyperplanes pass through."""
        check_is_fitted(self, "dictionary_")
        return self.dictionary_.X

    def network_objective(self, X, y, sample_weight=None):
        """The non-convex training objective ℓ(f(X), y) + λR of ``network()``, R its family's
        penalty (two layers: ½Σⱼ(‖uⱼ‖_p² + αⱼ²); see :mod:`ganet.estimators.networks`); with
        ``sample_weight`` c, the weighted loss Σᵢ cᵢℓ(f(xᵢ), yᵢ). For a minimum-norm interpolant
        (``lam=0`` where offered) it is R alone."""
        check_is_fitted(self, "neurons_")
        X, T = self._data(X, y)
        penalty = self.network_family().penalty(self._model_network())
        if self._interpolation and self.lam_ == 0.0:
            return penalty
        w = None if sample_weight is None else check_sample_weight(sample_weight, len(X))
        return self._datafit(w).value(self._forward(X), T) + self.lam_ * penalty

    def _data(self, X, y):
        """Validated (X, targets) for a fitted model, with matching lengths."""
        X = validate_data(self, X, reset=False, dtype=np.float64)
        T = self._targets(y, self.classes_ if hasattr(self, "classes_") else None)
        if len(T) != len(X):
            raise ValueError(f"X has {len(X)} samples but y has {len(T)}")
        return X, T

def _pass_counts(dictionary):
    """The streamed pricing passes of a fit (stored dictionaries keep none): full ones (each a
    certificate), local ones, and those cut short by max_seconds (neither), with their seconds,
    and the hyperplanes that cell bounds proved no violators without scoring them."""
    passes = getattr(dictionary, "passes", [])
    return {"seconds_pricing_streamed": sum(p.seconds for p in passes),
            "pricing_passes": sum(p.full for p in passes),
            "local_pricing_passes": sum(not p.full and p.complete for p in passes),
            "pricing_passes_cut_short": sum(not p.complete for p in passes),
            "hyperplanes_skipped_by_cell_bounds": sum(p.skipped for p in passes)}


def _duration(seconds):
    """A length of time as a person would say it: "about 40 s", "about 3 min", "about 5 h",
    "days or more"."""
    if seconds < 90:
        return f"about {seconds:.0f} s"
    if seconds < 90 * 60:
        return f"about {seconds / 60:.0f} min"
    return f"about {seconds / 3600:.0f} h" if seconds < 48 * 3600 else "days or more"


def _check_pass_work(n, d, reg, bias):
    """Refuse a streaming pass estimated at more than ``_MAX_PASS_SECONDS`` (the cheaper way to
    price, :func:`~ganet.numeric.oracles.streaming.pass_costs`), saying how long it would take,
    with advice that works at any d."""
    n_hyperplanes = count_hyperplanes(n, d, reg, bias)
    seconds = min(pass_costs(n, d, reg, bias)) / 1e9
    if seconds > _MAX_PASS_SECONDS:
        # the estimate is from rates measured on 2 idle cores; busy cores take longer
        raise ValueError(
            f"the dictionary has {2 * n_hyperplanes:.3g} columns at n = {n}: one pricing pass "
            f"({n_hyperplanes * n:.3g} point-hyperplane products) would take {_duration(seconds)} "
            "on two idle cores, and a certified fit takes several to tens of passes. Use "
            "dictionary='sampled' (no global certificate), reduce d (e.g. PCA), or fit the "
            "activation-pattern model ArrangementReLU(patterns='sampled'), made for wide data.")


class ConvexReLU(NetworkRegressorMixin, _ConvexReLUBase):
    """Two-layer ReLU regression network trained to global optimality via its convex Lasso.

    Minimizes ½‖f(X) − y‖² + (λ/2)Σⱼ(‖uⱼ‖_p² + αⱼ²) over networks of any width by solving
    ½‖Kz + t1 − y‖² + λ‖z‖₁ over the wedge-product dictionary K (P23), and certifies the
    result with the full-dictionary duality gap.

    Parameters
    ----------
    reg : {"l1", "l2"}, default "l1"
        p of the ‖uⱼ‖_p² penalty. "l1" is exact; "l2" (weight decay) is within 1/(1−ε).
    bias : bool, default True
        Neurons with biases (and an unpenalized output intercept).
    lam : float or array of floats, default 1e-3
        Regularization λ > 0. An array gives a regularization path: the values are solved from
        the largest down, each warm-started from the previous and certified on its own
        (``path_``); the fitted network is the one of the smallest λ.
    loss : {"squared", "huber"}
        ½‖f(X) − y‖², or the Huber loss Σᵢ h_δ(f(xᵢ) − yᵢ) (h_δ(r) = ½r² for |r| ≤ δ, δ|r| − ½δ²
        beyond: robust to outliers), solved by the proximal Newton working set and certified by
        its Fenchel dual (:mod:`ganet.numeric.solvers.datafits`), without λ paths.
    huber_delta : float, default 1.0
        δ of the Huber loss (in the units of y).
    tol : float, default 1e-8
        Relative duality-gap tolerance: stop when gap ≤ tol · objective.
    max_iter : int, default 100
        Maximum pricing rounds of the working-set solver.
    memory_limit : int, optional
        Bytes the dictionary may use at once (default 4 GiB). With ``dictionary="auto"`` a
        hyperplane table over this limit switches to the matrix-free streaming oracle; any
        allocation over it (a stored table, a working set, the active set's factors) raises
        ``MemoryLimitError`` first.
    verbose : int, default 0
        1: tqdm progress bars over pricing passes and outer iterations; 2: also a line per
        iteration.
    dictionary : {"auto", "stored", "streaming", "sampled"}, default "auto"
        "auto": "stored" for up to 20,000 hyperplanes (when the table fits in memory_limit),
        else "streaming". "stored": the hyperplane table in memory; "streaming": matrix-free,
        every pricing pass streams all columns
        (:class:`~ganet.numeric.oracles.streaming.StreamingDictionary`); "sampled":
        ``n_sampled`` random hyperplanes only — no global certificate (see :meth:`certify`).
    n_sampled : int, default 10000
        Hyperplanes drawn for ``dictionary="sampled"``.
    sampling : {"subsets", "arrangement"}, default "subsets"
        Random generator subsets, or Gaussian directions (random activation patterns).
    random_state : int, optional
        Seed of the sampling.
    max_seconds : float, optional
        Time budget of the fit: it stops at the best point so far, with ``converged_ = False``
        and an honest ``dual_gap_``.
    client : dask.distributed.Client, optional
        Run the streaming dictionary's full pricing passes on this Dask cluster (the same
        result bit for bit; see :mod:`ganet.numeric.oracles.distributed`). Needs ``ganet[dask]``.

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
    dictionary_ : ~ganet.numeric.oracles.protocol.ColumnOracle
    training_inputs_ : ndarray, shape (n, d)
        The training inputs in the model's units (standardized ones when ``standardize=True``).
    lam_ : float
        The λ of the fitted network.
    path_ : list of dict
        Per λ (largest first): ``lam``, ``objective``, ``dual_gap``, ``converged``, ``n_iter``,
        ``columns``, ``coef``, ``intercept``.
    certificate_ : str
        "global" (converged, with the gap over the full dictionary), "not converged (global gap)"
        (stopped above ``tol``; ``dual_gap_`` still bounds the distance to the global optimum) or
        "sampled: no global certificate".
    report_ : dict
        Oracle, number of columns, certificate, why the solver stopped, seconds per phase
        (dictionary, working-set solves, streamed pricing, total), full and local
        (support-neighbourhood) pricing passes, the fit's own peak resident memory
        (``peak_rss_mb``; :class:`ganet.numeric.runtime.memory.PeakMemory`) and what the process held
        when the fit started (``rss_at_start_mb``).
    """

    _losses = ("squared", "huber")

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        return tags

    _validation = {"y_numeric": True, "multi_output": True}

    def _targets(self, y, classes=None):
        y = as_finite_array(y, "y", ndim=(1, 2))
        return y.reshape(len(y), -1)


class ConvexReLUClassifier(NetworkClassifierMixin, _ConvexReLUBase):
    """Globally optimal two-layer ReLU classifier.

    ``loss="squared"`` regresses ±1 targets (binary) or one-hot targets with Theorem 14's group
    penalty (multiclass) with the certified working-set solver. ``loss="logistic"`` and
    ``loss="hinge"`` solve ℓ(Kz + t1, y) + λ‖z‖₁ with the same working set and pricing
    (stored, streaming or sampled dictionaries): the logistic loss by a proximal Newton method
    on the working set, the hinge loss as a linear program (HiGHS), certified by the Fenchel dual
    of the loss (:mod:`ganet.numeric.solvers.loss_working_set`). With more than two classes they are
    **one-vs-rest**: one such problem per class (±1 targets), each certified, on the same
    dictionary; ``objective_`` and ``dual_gap_`` are sums over the classes, and a neuron chosen by
    several classes is shared (its ``alpha`` has one entry per class).

    Parameters are those of :class:`ConvexReLU`.
    """

    _losses = ("squared", "logistic", "hinge")

    @property
    def _one_hot_scores(self):  # several classes: the squared loss regresses one-hot targets
        return self.loss == "squared"

    def _targets(self, y, classes=None):
        classes = self.classes_ if classes is None else classes
        y = np.asarray(y)
        if y.ndim != 1:
            raise ValueError(f"y must be a 1-D array of labels; got shape {y.shape}")
        if len(classes) == 2:
            return np.where(y == classes[1], 1.0, -1.0)[:, None]
        one_hot = (y[:, None] == classes[None, :]).astype(float)
        # the squared loss regresses one-hot targets; logistic and hinge, one-vs-rest, ±1 ones
        return one_hot if self.loss == "squared" else 2.0 * one_hot - 1.0
