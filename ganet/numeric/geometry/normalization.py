r"""Normalized coordinates Xr = (X − shift)/σ, shared by every oracle and program.

Far from the origin (X + 10⁶) or at extreme scales (X·10²⁰⁰) the raw coordinates lose the
information a fit needs: [X, 1] is numerically of rank one, cross products and cone projections
cancel, and decisions such as "this row lies on that hyperplane" go wrong. Every family works in
normalized coordinates instead:

* **shift**: biased families are translation invariant (a first-layer neuron (u, b) on X is the
  neuron (u, b + shiftᵀu) on X − shift, with the same penalty on u), so X is centred at its mean,
  rounded to the data's own binary grid when it has a coarse one (integer data stay integer, so
  the exact-arithmetic paths still apply). Bias-free families keep shift = 0.
* **scale** σ: a power of two near max|X − shift|, so that dividing by it is exact. A neuron u on
  Xr is the neuron u/σ on X − shift; for the positively homogeneous networks this maps the
  program at λ to the program at λ/σ (see each caller).
"""

from dataclasses import dataclass

import numpy as np

from .normals import grid_exponent

__all__ = ["Normalization", "normalization"]


@dataclass(frozen=True)
class Normalization:
    """The affine map x ↦ (x − shift)/scale: one power of two (from :func:`normalization`), or one
    scale per feature (the standardization of :mod:`ganet.estimators.standardize`)."""

    shift: np.ndarray
    scale: object  # float, or ndarray (d,)

    def apply(self, X):
        """Inputs in normalized coordinates, (X − shift)/scale."""
        return (np.asarray(X, dtype=float) - self.shift) / self.scale

    def raw_neuron(self, u, b):
        r"""A neuron (u, b) of the normalized inputs (u: d, or m × d for m neurons) as one of the
        raw inputs: uᵀ((x − shift)/σ) + b = (u/σ)ᵀx + (b − shiftᵀ(u/σ)). The raw bias cancels
        against xᵀu far from the origin; evaluate with :meth:`apply` and the normalized (u, b)
        where it matters."""
        u = np.asarray(u, dtype=float) / self.scale
        return u, np.asarray(b, dtype=float) - u @ self.shift

    def normalized_neuron(self, u, b):
        """The inverse of :meth:`raw_neuron`: a neuron (u, b) of the raw inputs as one of the
        normalized inputs, (σu, b + shiftᵀu)."""
        u = np.asarray(u, dtype=float)
        return u * self.scale, np.asarray(b, dtype=float) + u @ self.shift


def normalization(X, centre):
    """The normalization of ``X`` (n × d): centred at its (grid-rounded) mean when ``centre``,
    scaled by the power of two nearest max|X − shift|.

    Raises
    ------
    ValueError
        When the entries are so large or small that products of normalized quantities would
        overflow or underflow in float64 (σ outside 2^±960).
    """
    X = np.asarray(X, dtype=float)
    shift = np.zeros(X.shape[1])
    if centre and len(X):
        g = grid_exponent(X)
        mean = X.mean(axis=0)
        if not np.all(np.isfinite(mean)):  # the sum overflowed (entries near the largest floats)
            top = float(np.abs(X).max())
            mean = (X / top).mean(axis=0) * top
        coarse = g is not None and g > -60 and float(np.abs(mean).max(initial=0.0)) < 2.0 ** (52 + g)
        shift = np.round(mean * 2.0 ** -g) * 2.0 ** g if coarse else mean
    top = float(np.abs(X - shift).max(initial=0.0))
    exponent = int(np.round(np.log2(top))) if 0 < top < np.inf else 0
    if not -960 < exponent < 960 or not np.isfinite(top):
        raise ValueError(f"X's entries are too {'large' if top > 1 else 'small'} (max |x − shift| = "
                         f"{top:.3g}): products of its entries would overflow or underflow in "
                         "float64; rescale X")
    return Normalization(shift, 2.0 ** exponent)
