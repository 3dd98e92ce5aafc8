r"""The architectures of the dictionary models: how a Lasso solution becomes a network.

A dictionary model solves min ℓ(Kz + t1, y) + λ‖z‖₁ over the columns of its oracle; everything
that depends on the network it stands for is a :class:`NetworkFamily`:

* ``neuron(dictionary, j, z_j)``: the reconstruction of column j with coefficient(s) z_j as a
  :class:`~ganet.estimators.neurons.Neuron`, balanced so that its penalty equals λ‖z_j‖;
* ``network(neurons, intercept, d)``: the network's weights as a dict of arrays (model units);
* ``forward(net, X, neurons, X_train)``: the network's outputs (n × c) on inputs X;
* ``penalty(net)``: R with training objective ℓ(f(X), y) + λR of the non-convex network;
* ``first_layer``: the keys of the first-layer weights and biases (standardization rescales them).

================= ====================================== ========================================
family            network f(x)                           R
================= ====================================== ========================================
TwoLayerNetwork   Σⱼ αⱼ(xᵀuⱼ + bⱼ)₊ + t                  ½Σⱼ(‖uⱼ‖_p² + ‖αⱼ‖₂²)
DeepAbsNetwork(L) Σᵢ αᵢ|…||xᵀW1ᵢ + b1ᵢ|·w2ᵢ + b2ᵢ|…| + ξ (1/L)Σᵢ(|αᵢ|^L + ‖W1ᵢ‖₁^L + Σ_l|w_lᵢ|^L)
ThreeLayerNetwork Σⱼ αⱼ(w2ⱼ(xᵀW1ⱼ + b1ⱼ)₊ + b2ⱼ)₊ + b    (1/3)Σⱼ(|αⱼ|³ + ‖W1ⱼ‖₁³ + |w2ⱼ|³)
================= ====================================== ========================================

(w_l: the inner scalar weights, l = 2 … L − 1.) The reconstructions (docs/conventions.md; ZP
Definition E.2): two layers u = √|z|·ŵ, b = −aᵀu, α = z/√|z|; deep |·| chains γ = |z|^{1/L},
W1 = γw, inner weights γ, b₁ = −γc, b_l = −γ^l δ_l, α = sign(z)γ; three-layer chains W1 = γw,
b1 = γb, w2 = ±γ, b2 = ∓γ²τ, α = sign(z)γ with γ = |z|^{1/3}. By AM–GM each makes the neuron's
penalty exactly λ|z|. An estimator names its family and inherits the rest (fit → oracle → solve
→ assign).
"""

from abc import ABC, abstractmethod

import numpy as np

from .neurons import DeepNeuron, WedgeNeuron
from .reflections import reflection_points

__all__ = ["NetworkFamily", "TwoLayerNetwork", "DeepAbsNetwork", "ThreeLayerNetwork"]


class NetworkFamily(ABC):
    """How a dictionary model's network is reconstructed, evaluated and penalized (see the
    module docstring)."""

    first_layer = ("W1", "b1")

    @abstractmethod
    def neuron(self, dictionary, column, coef):
        """Column ``column`` of ``dictionary`` with coefficient(s) ``coef`` (shape (c,)) as a neuron."""

    @abstractmethod
    def network(self, neurons, intercept, d):
        """The network of ``neurons`` with output bias ``intercept`` (c,) on d inputs, as a dict."""

    @abstractmethod
    def forward(self, net, X, neurons, X_train):
        """f(X), shape (n, c), of the network ``net`` (``neurons`` and the training inputs
        ``X_train`` for families that evaluate relative to training points)."""

    @abstractmethod
    def penalty(self, net):
        """R of the training objective ℓ(f(X), y) + λR."""


class TwoLayerNetwork(NetworkFamily):
    """Two-layer ReLU networks with the ℓ_p penalty on the first layer (p = 1 for ``reg="l1"``)."""

    def __init__(self, reg="l1"):
        self.p = 1 if reg == "l1" else 2

    def neuron(self, dictionary, column, coef):
        """u = √‖z‖·ŵ, b = √‖z‖·(−aᵀŵ), α = z/√‖z‖ (‖z‖₂ over the outputs)."""
        h = dictionary.describe(int(column))
        scale = np.sqrt(float(np.linalg.norm(coef)))
        alpha = np.asarray(coef, dtype=float) / scale
        return WedgeNeuron(h.anchor, h.generators, scale * h.direction, scale * h.offset,
                           float(alpha[0]) if alpha.size == 1 else alpha, h.formula, int(column))

    def network(self, neurons, intercept, d):
        m, c = len(neurons), np.size(intercept)
        return {"W1": np.array([nu.weight for nu in neurons]).T.reshape(d, m),
                "b1": np.array([nu.bias for nu in neurons], dtype=float).reshape(m),
                "W2": np.array([np.atleast_1d(nu.alpha) for nu in neurons], dtype=float).reshape(m, c),
                "b2": np.asarray(intercept, dtype=float).reshape(c).copy()}

    def forward(self, net, X, neurons, X_train):
        """Σⱼ αⱼ(uⱼᵀ(x − aⱼ))₊ + b2, the differences to each neuron's anchor aⱼ taken first: the
        same network (bⱼ = −uⱼᵀaⱼ) without the cancellation of xᵀuⱼ + bⱼ far from the origin."""
        d = X.shape[1]
        anchors = np.array([X_train[nu.anchor] if nu.anchor is not None else np.zeros(d)
                            for nu in neurons]).reshape(-1, d)
        Z = np.zeros((X.shape[0], len(neurons)))
        for q in range(d):
            Z += (X[:, q, None] - anchors[None, :, q]) * net["W1"][q]
        return np.maximum(Z, 0.0) @ net["W2"] + net["b2"]

    def penalty(self, net):
        return 0.5 * float(np.sum(np.linalg.norm(net["W1"], ord=self.p, axis=0) ** 2) + np.sum(net["W2"] ** 2))


class _ChainNetwork(NetworkFamily):
    """Deep chains over a lifted dictionary: one :class:`DeepNeuron` per column, with the named
    reflection points on its kink planes (orders up to L − 2)."""

    depth: int  # L, the layers of the chain (the output layer included)

    def neuron(self, dictionary, column, coef):
        f = dictionary.describe(int(column))
        z = float(np.ravel(coef)[0])
        reflections = reflection_points(dictionary.X, f.direction, f.kink_planes, rounds=max(self.depth - 2, 1))
        return DeepNeuron(f, z, self.chain_weights(f, z), reflections, int(column))

    @abstractmethod
    def chain_weights(self, feature, z):
        """The balanced weights of the chain computing z·φ (see the module docstring)."""


class DeepAbsNetwork(_ChainNetwork):
    """Deep narrow networks with absolute-value activation, depth L (ZP eq. 3)."""

    first_layer = ("W1", "biases")

    def __init__(self, depth):
        self.depth = depth

    def chain_weights(self, feature, z):
        L = self.depth
        g = abs(z) ** (1.0 / L)
        return {"W1": g * feature.direction,
                "biases": np.array([-g * feature.params[0]] + [-(g ** (l + 1)) * feature.params[l]
                                                               for l in range(1, L - 1)]),
                "inner": np.full(L - 2, g), "alpha": float(np.sign(z) * g)}

    def network(self, neurons, intercept, d):
        m, L = len(neurons), self.depth
        ws = [nu.weights for nu in neurons]
        return {"W1": np.array([w["W1"] for w in ws]).T.reshape(d, m),
                "biases": np.array([w["biases"] for w in ws]).reshape(m, L - 1),
                "inner": np.array([w["inner"] for w in ws]).reshape(m, L - 2),
                "alpha": np.array([w["alpha"] for w in ws]), "xi": float(np.ravel(intercept)[0])}

    def forward(self, net, X, neurons, X_train):
        h = np.abs(X @ net["W1"] + net["biases"][:, 0])
        for l in range(1, self.depth - 1):
            h = np.abs(h * net["inner"][:, l - 1] + net["biases"][:, l])
        return (h @ net["alpha"] + net["xi"])[:, None]

    def penalty(self, net):
        L = self.depth
        return float(np.sum(np.abs(net["alpha"]) ** L + np.abs(net["W1"]).sum(axis=0) ** L)
                     + np.sum(np.abs(net["inner"]) ** L)) / L


class ThreeLayerNetwork(_ChainNetwork):
    """Three-layer ReLU scalar chains (P23 Theorems 12 and 13: first-layer bias or not)."""

    depth = 3

    def __init__(self, bias=False):
        self.bias = bias

    def chain_weights(self, feature, z):
        g = abs(z) ** (1.0 / 3.0)
        b = feature.params[0] if self.bias else 0.0
        tau, up = feature.params[-1], feature.kind == 0
        return {"W1": g * feature.direction, "b1": g * b, "w2": g if up else -g,
                "b2": -(g ** 2) * tau if up else (g ** 2) * tau, "alpha": float(np.sign(z) * g)}

    def network(self, neurons, intercept, d):
        m = len(neurons)
        ws = [nu.weights for nu in neurons]
        out = {k: np.array([w[k] for w in ws], dtype=float).reshape(m) for k in ("b1", "w2", "b2", "alpha")}
        out["W1"] = np.array([w["W1"] for w in ws]).T.reshape(d, m)
        out["b"] = float(np.ravel(intercept)[0])
        return out

    def forward(self, net, X, neurons, X_train):
        h = np.maximum(X @ net["W1"] + net["b1"], 0.0)
        return (np.maximum(net["w2"] * h + net["b2"], 0.0) @ net["alpha"] + net["b"])[:, None]

    def penalty(self, net):
        return float(np.sum(np.abs(net["alpha"]) ** 3 + np.abs(net["W1"]).sum(axis=0) ** 3
                            + np.abs(net["w2"]) ** 3)) / 3
