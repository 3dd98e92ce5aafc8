r"""Sample weights for the squared loss, as a column oracle over another one.

The weighted Lasso with an unpenalized intercept,

.. math::  \min_{z,t}\ \tfrac12\sum_i w_i\,(K_i z + t - y_i)^2 + \lambda\|z\|_1 ,

eliminates t = ȳ_w − μ_wᵀz (μ_w, ȳ_w the w-weighted means of the columns and targets) and becomes
an ordinary Lasso without intercept over the columns K̃_j = √W(K_j − μ_{w,j}1) and targets
√W(y − ȳ_w) (without an intercept: K̃ = √W K, ỹ = √W y). A residual r̃ of that problem satisfies
√wᵀr̃ = 0 when there is an intercept, so K̃ᵀr̃ = Kᵀ(√W r̃): pricing is the inner oracle's pass
on √W r̃, over every column, and the certificate stays global.
"""

import numpy as np

from .protocol import ColumnOracle

__all__ = ["WeightedDictionary", "check_sample_weight"]


def check_sample_weight(sample_weight, n):
    """Validated non-negative finite weights of length n with a positive sum."""
    w = np.asarray(sample_weight, dtype=np.float64)
    if w.ndim == 0:
        w = np.full(n, float(w))
    if w.shape != (n,):
        raise ValueError(f"sample_weight must have shape ({n},); got {w.shape}")
    if not np.isfinite(w).all() or (w < 0).any() or not w.sum() > 0:
        raise ValueError("sample_weight must be finite, non-negative and not all zero")
    return w


class WeightedDictionary(ColumnOracle):
    """The oracle of K̃ = √W(K − 1μ_wᵀ) (or √W K without intercept) over ``inner``.

    Parameters
    ----------
    inner : column oracle
    sample_weight : ndarray, shape (n,)
    center : bool
        Whether the model has an intercept (then columns are centred by their weighted means).
    """

    def __init__(self, inner, sample_weight, center):
        self.inner, self.center = inner, bool(center)
        self.w = np.asarray(sample_weight, dtype=np.float64)
        self.root = np.sqrt(self.w)
        self.X, self.n_columns = inner.X, inner.n_columns
        # the inner oracle's bookkeeping, shared (the same objects, not copies)
        self.certificate, self.sample, self.passes = inner.certificate, inner.sample, inner.passes
        self.memory_limit = inner.memory_limit

    def weighted_means(self, K):
        """μ_w of the columns of K (zeros without intercept)."""
        return self.w @ K / self.w.sum() if self.center else np.zeros(K.shape[1])

    def materialize(self, columns=None):
        K = self.inner.materialize(columns)
        return self.root[:, None] * (K - self.weighted_means(K))

    def _scaled(self, R):
        R = np.asarray(R, dtype=np.float64)
        return self.root.reshape((-1,) + (1,) * (R.ndim - 1)) * R

    def price(self, R, lam=np.inf, k=0, scale=1.0, exclude=None, hyperplanes=None, deadline=None):
        """The inner oracle's pass on √W R (K̃ᵀR = Kᵀ√W R for the residuals of this problem)."""
        return self.inner.price(self._scaled(R), lam, k, scale, exclude, hyperplanes, deadline)

    def local_violators(self, R, lam, k, scale=1.0, around=()):
        return self.inner.local_violators(self._scaled(R), lam, k, scale, around)

    def describe(self, j):
        return self.inner.describe(j)
