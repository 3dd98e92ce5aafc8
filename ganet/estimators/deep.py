r"""Deeper networks to global optimality: deep narrow |·| networks and three-layer ReLU networks.

**Deep narrow |·| network** of depth L (ZP eq. 3), trained on their eq. (2),

.. math::  \min\ \tfrac12\|f(X) - y\|^2 + \frac{\beta}{L}\sum_i\Big(|\alpha_i|^L
           + \sum_{l=1}^{L-1}\|W^{(i,l)}\|_1^L\Big),\qquad
           f(x) = \sum_i \alpha_i\,\big|\cdots\big||xW^{(i,1)} + b^{(i,1)}|\,w^{(i,2)} + b^{(i,2)}\big|
           \cdots w^{(i,L-1)} + b^{(i,L-1)}\big| + \xi ,

is the Lasso ½‖Kz + ξ1 − y‖² + β‖z‖₁ over the features |…||xᵀw − c| − δ₂| … − δ_{L−1}| with
‖w‖₁ = 1 (Lemma D.1: AM–GM makes every chain's penalty β|α|∏‖W‖₁).
**Three-layer ReLU network** (P23 Theorems 12 and 13), with parallel scalar chains
f(x) = Σⱼ αⱼ(w2ⱼ(xᵀW1ⱼ + b1ⱼ)₊ + b2ⱼ)₊ + b and the depth-3 case of the same objective,
½‖f(X) − y‖² + (β/3)Σⱼ(|αⱼ|³ + ‖W1ⱼ‖₁³ + |w2ⱼ|³) (biases free), is the Lasso of eq. (26) over
(h − τ)₊ and (τ − h)₊ with h = (xᵀw + b)₊ (b = 0 without first-layer bias).

The dictionaries are :class:`ganet.numeric.oracles.lifted.LiftedDictionary`: every optimal first-layer
neuron is a wedge product ⋆(g₁ ∧ ⋯ ∧ g_{D−1}) of lifted generators (training points with a kink
type, axes), enumerated completely, so the certificate is global at any depth. Reconstruction
(Definition E.2): with γ = |zⱼ|^{1/L}, W1 = γw, inner weights γ, b₁ = −γc, b_l = −γ^l δ_l,
α = sign(zⱼ)γ; for three layers W1 = γw, b1 = γb, w2 = ±γ, b2 = ∓γ²τ, α = sign(zⱼ)γ.
"""

import numbers

import numpy as np

from ..numeric.oracles.families import abs_chain, abs_chain_shape, relu3
from ..numeric.oracles.lifted import LiftedDictionary, count_lifted
from ..numeric.runtime.validation import as_finite_array
from ..numeric.runtime.notes import warn_user
from ..numeric.solvers.interpolation import min_norm_interpolation
from ..numeric.solvers.lasso_working_set import LassoResult
from .base import NetworkRegressorMixin
from .networks import DeepAbsNetwork, ThreeLayerNetwork
from .reflections import reflection_points
from .standardize import StandardizeMixin
from .two_layer import _ConvexReLUBase

__all__ = ["DeepNarrowAbs", "ThreeLayerReLU", "reflection_points"]

_MAX_DEPTH = 16  # 32,767 kink types per sample
# Operations of one lifted pricing pass (the count of _DeepBase's check) beyond which it is refused.
_MAX_PASS_WORK = 3e11


class _DeepBase(_ConvexReLUBase):
    """What the deep estimators share: a lifted dictionary, chains as neurons, eq. (2)."""

    def feature_family(self):
        """The lifted feature family f(x) = φ(xᵀw; π) whose dictionary this model prices (a
        :class:`~ganet.numeric.oracles.families.LiftedFamily`); its network is
        :meth:`network_family`."""
        raise NotImplementedError

    def _intercept(self):
        return True  # the output bias (ξ, b) is free in every deep architecture here

    _interpolation = True
    loss = "squared"  # the datafit of eq. (2) (not a parameter here)

    def _check_architecture(self):
        if not isinstance(self.bias, (bool, np.bool_)):
            raise ValueError(f"bias must be True or False; got {self.bias!r}")
        if self.dictionary == "stored":
            raise ValueError("deep dictionaries are always streamed: use dictionary='auto' or 'streaming'")

    def _feature_family_shape(self):
        return self.feature_family().shape

    def _lifted(self, X):
        n, d = X.shape
        shape = self._feature_family_shape()  # before the family is built: its kink table can be huge
        count = count_lifted(n, d, shape)
        # each subset costs its lifted cross product (D³ for the QR kernel beyond D = 6) and a
        # sweep over the points per column
        work = count * (n * 2 * shape.kinds + (d + shape.q) ** 3)
        if work > _MAX_PASS_WORK:
            raise ValueError(
                f"the {type(self).__name__} dictionary of n = {n}, d = {d} has "
                f"{2 * shape.kinds * count:.3g} columns: one pricing pass ({float(work):.3g} "
                "operations) would take hours or more. Use fewer points, a smaller d (e.g. PCA) "
                "or dictionary='sampled' (no global certificate)")
        D = LiftedDictionary(X, self.feature_family(), memory_limit=self.memory_limit,
                             progress=bool(self.verbose))
        D.client = self.client  # full passes on a Dask cluster (the same result bit for bit)
        return D

    def _rebuild_dictionary(self, kind, X, seed):
        """The lifted dictionary of a saved fit ("_SampledLifted": the name files record for a
        sampled one)."""
        if kind == "LiftedDictionary":
            return self._lifted(X)
        if kind == "_SampledLifted":
            if seed is None:
                raise ValueError("a sampled model without its sample seed")
            return self._make_dictionary(X, seed)
        raise ValueError(f"unknown dictionary type {kind!r} for {type(self).__name__}")

    def _make_dictionary(self, X, seed=None):
        if self.dictionary == "sampled":
            return _SampledLifted(X, self.feature_family(), self.n_sampled, seed,
                                  memory_limit=self.memory_limit, progress=bool(self.verbose))
        return self._lifted(X)

    def _full_dictionary(self, X):
        return self._lifted(X)

    def _fit_targets(self, X, T, sample_weight=None, **fitted):
        if not self._interpolates():
            return super()._fit_targets(X, T, sample_weight=sample_weight, **fitted)
        # β → 0: the minimum-norm interpolant of eq. (14), its own (linear) program
        fitted["sample_seed_"] = seed = self._sample_seed()
        dictionary = self._make_dictionary(X, seed)
        res = min_norm_interpolation(dictionary, T[:, 0], tol=self.tol, max_iter=self.max_iter,
                                     max_seconds=self.max_seconds)
        if res.residual > 1e-6 * (1.0 + float(np.abs(T).max())):
            warn_user(f"the dictionary does not interpolate the data (max residual "
                      f"{res.residual:.3g})", RuntimeWarning)
        lasso = LassoResult(columns=res.columns, coef=res.coef[:, None], intercept=np.array([res.intercept]),
                            objective=res.norm, dual_objective=res.norm - res.gap, gap=res.gap,
                            converged=res.converged, n_iter=res.n_iter, lam=0.0)
        fitted.update(dictionary_=dictionary, path_=[], lam_=0.0, history_=[],
                      report_={"dictionary": type(dictionary).__name__, "n_columns": dictionary.n_columns,
                               "certificate": None,  # set by _assign
                               "problem": "minimum-norm interpolation (eq. 14)",
                               "max_residual": res.residual})
        self._assign(dictionary, lasso, fitted)
        return self

    def fit(self, X, y):
        """Fit the globally optimal network (the Lasso of the family over every vertex); returns
        self. (No sample weights: eq. (2) has none.)"""
        return super().fit(X, y)

    def _targets(self, y, classes=None):
        y = as_finite_array(y, "y", ndim=1)
        return y.reshape(len(y), 1)


class DeepNarrowAbs(NetworkRegressorMixin, _DeepBase):
    r"""Deep narrow network with absolute-value activation, trained to global optimality.

    Minimizes ZP's eq. (2),
    ½‖f(X) − y‖² + (β/L)Σᵢ(|αᵢ|^L + Σ_{l=1}^{L−1}‖W^{(i,l)}‖₁^L) (no 1/n, biases free), over
    networks f(x) = Σᵢ αᵢ|…||xW^{(i,1)} + b^{(i,1)}|w^{(i,2)} + b^{(i,2)}|…| + ξ of any width,
    by its Lasso over the lifted wedge dictionary; ``objective_`` is that optimum.

    Parameters
    ----------
    depth : int, default 3
        L ≥ 2 (the output layer included).
    lam : float or array, default 1e-3
        β ≥ 0. ``lam=0`` solves the minimum-norm interpolation problem (14) instead (the β → 0
        limit): ``objective_`` is then min ‖z‖₁.
    tol, max_iter, memory_limit, verbose, dictionary, n_sampled, random_state, max_seconds, client
        As for :class:`~ganet.ConvexReLU` (``dictionary``: "auto"/"streaming" or "sampled").

    Attributes
    ----------
    neurons_ : list of DeepNeuron
        Each chain's feature (direction, biases, kink planes, reflections) and weights.
    objective_, dual_gap_, converged_, certificate_, report_, path_
        As for :class:`~ganet.ConvexReLU`.
    """

    bias = True  # the deep narrow network always has biases

    def __init__(self, depth=3, lam=1e-3, tol=1e-8, max_iter=100, memory_limit=None, verbose=0,
                 dictionary="auto", n_sampled=10_000, random_state=None, max_seconds=None, standardize=False,
                 client=None):
        self.depth, self.standardize = depth, standardize
        self.lam, self.tol, self.max_iter, self.memory_limit = lam, tol, max_iter, memory_limit
        self.verbose, self.dictionary, self.n_sampled = verbose, dictionary, n_sampled
        self.random_state, self.max_seconds, self.client = random_state, max_seconds, client

    def feature_family(self):
        return abs_chain(self.depth)

    def _feature_family_shape(self):
        return abs_chain_shape(self.depth)

    def _check_params(self):
        if not isinstance(self.depth, numbers.Integral) or isinstance(self.depth, bool) or self.depth < 2:
            raise ValueError(f"depth must be an integer ≥ 2; got {self.depth!r}")
        if self.depth > _MAX_DEPTH:  # (before the 2^{L−1} − 1 kink types are listed: 1.5 GB at L = 24)
            raise ValueError(f"depth = {self.depth} has {abs_chain_shape(self.depth).kink_types:,} kink "
                             f"types per sample; depths up to {_MAX_DEPTH} are supported (the "
                             "dictionary of even two samples is beyond reach past that)")
        super()._check_params()

    def network_family(self):
        return DeepAbsNetwork(self.depth)

    def network(self):
        """Weights of the reconstructed network: ``W1`` (d × m), ``biases`` (m × (L − 1)),
        ``inner`` (m × (L − 2)) scalar weights w^{(i,l)}, ``alpha`` (m,), ``xi``."""
        return StandardizeMixin.network(self)


class ThreeLayerReLU(NetworkRegressorMixin, _DeepBase):
    r"""Three-layer ReLU network (scalar chains) trained to global optimality, p = 1.

    Minimizes ½‖f(X) − y‖² + (β/3)Σⱼ(|αⱼ|³ + ‖W1ⱼ‖₁³ + |w2ⱼ|³) (biases free) over
    f(x) = Σⱼ αⱼ(w2ⱼ(xᵀW1ⱼ + b1ⱼ)₊ + b2ⱼ)₊ + b, i.e. the Lasso (26) of P23 over
    the features (h − τ)₊, (τ − h)₊, h = (xᵀw + b)₊ (Theorem 13; b = 0 for Theorem 12);
    ``objective_`` is that optimum.

    Parameters
    ----------
    lam : float or array
        β > 0.
    bias : bool, default False
        Biases in the first layer (Theorem 13) or not (Theorem 12).
    Other parameters as for :class:`DeepNarrowAbs`.
    """

    _interpolation = False

    def __init__(self, lam=1e-3, bias=False, tol=1e-8, max_iter=100, memory_limit=None, verbose=0,
                 dictionary="auto", n_sampled=10_000, random_state=None, max_seconds=None, standardize=False,
                 client=None):
        self.standardize = standardize
        self.lam, self.bias, self.tol, self.max_iter, self.memory_limit = lam, bias, tol, max_iter, memory_limit
        self.verbose, self.dictionary, self.n_sampled = verbose, dictionary, n_sampled
        self.random_state, self.max_seconds, self.client = random_state, max_seconds, client

    def feature_family(self):
        return relu3(self.bias)

    def network_family(self):
        return ThreeLayerNetwork(self.bias)

    def network(self):
        """Weights of the chains: ``W1`` (d × m), ``b1``, ``w2``, ``b2``, ``alpha`` (m,), ``b``."""
        return StandardizeMixin.network(self)


class _SampledLifted(LiftedDictionary):
    """A lifted dictionary priced only over a random sample of its subsets (no global certificate):
    the engine restricts every pass to ``sample`` and does no local rounds."""

    certificate = "sampled: no global certificate"

    def __init__(self, X, family, n_sampled, random_state, **kwargs):
        super().__init__(X, family, **kwargs)
        rng = np.random.default_rng(random_state)
        k = min(int(n_sampled), self.n_subsets)
        self.sample = np.sort(rng.choice(self.n_subsets, size=k, replace=False))
