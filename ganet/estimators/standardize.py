r"""Inputs standardized inside a model, with the network reported in the user's units.

With ``standardize=True`` an estimator fits on Z = (X − μ)/s (μ the column means, s the column
standard deviations, 1 for constant columns), so λ means the same on data of any units, and
keeps (μ, s) as ``input_scaling_`` (a :class:`~ganet.numeric.geometry.normalization.Normalization`;
None without standardization). Everything that takes inputs — ``predict``, ``decision_function``,
``network_objective``, ``certify`` — standardizes them first, so the model acts on the user's
units. ``network()`` returns the same function in the user's units: a first-layer neuron
(u, b) on Z is (u/s, b − (μ/s)ᵀu) on X (and so is a gate). The objective, the penalty and the
certificate are those of the problem that was solved, on Z.
"""

import numpy as np

from ..numeric.geometry.normalization import Normalization

__all__ = ["StandardizeMixin"]


class StandardizeMixin:
    """What every estimator with a ``standardize`` parameter shares. Subclasses implement
    ``_model_network()`` (the network on the inputs the model was fitted on) and list in
    ``_first_layer`` the keys of its first-layer weights (d × m) and biases (m, or the first
    column of an m × k array)."""

    _first_layer = ("W1", "b1")

    def _set_standardization(self, X):
        """At fit: the :class:`~ganet.numeric.geometry.normalization.Normalization` (μ, s) of the
        training X when ``standardize``, else None; returns X in the model's units."""
        if not getattr(self, "standardize", False):
            self.input_scaling_ = None
            return X
        scale = X.std(axis=0)
        self.input_scaling_ = Normalization(X.mean(axis=0), np.where(scale > 0, scale, 1.0))
        return self.input_scaling_.apply(X)

    def _model_inputs(self, X):
        """X in the units the model was fitted in (standardized when it was)."""
        scaling = getattr(self, "input_scaling_", None)
        return X if scaling is None else scaling.apply(X)

    def network(self):
        """The fitted network's weights as a dict of arrays, in the user's units (see
        :mod:`ganet.estimators.standardize`; each estimator documents its keys)."""
        net = self._model_network()
        scaling = getattr(self, "input_scaling_", None)
        if scaling is None:
            return net
        w_key, b_key = self._first_layer
        bias = net[b_key] if net[b_key].ndim == 1 else net[b_key][:, 0]
        W1, b1 = scaling.raw_neuron(net[w_key].T, bias)
        net[w_key] = W1.T
        if net[b_key].ndim == 2:
            net[b_key] = net[b_key].copy()
            net[b_key][:, 0] = b1
        else:
            net[b_key] = b1
        if "gates" in net:  # gated arrangement models: (h, c) with the bias in the last row
            d = len(scaling.shift)
            gates = net["gates"]
            h, c = scaling.raw_neuron(gates[:d].T, gates[d] if len(gates) > d else np.zeros(gates.shape[1]))
            net["gates"] = np.vstack([h.T, c[None, :]]) if len(gates) > d else h.T
        return net
