"""Exporting a fitted two-layer network to other frameworks.

``model.network()`` already is a plain dict of numpy arrays (``W1`` d × m, ``b1`` m, ``W2`` m × c,
``b2`` c). :func:`torch_state_dict` writes the same weights in the layout of
``torch.nn.Sequential(nn.Linear(d, m), nn.ReLU(), nn.Linear(m, c))`` (keys ``0.weight``,
``0.bias``, ``2.weight``, ``2.bias``; numpy arrays, or tensors when torch is installed), and
:func:`to_torch` builds that module (``pip install torch``; torch is never needed otherwise).
:func:`ganet.polish` accepts either layout back.
"""

import numpy as np

__all__ = ["torch_state_dict", "to_torch"]


def torch_state_dict(model, tensors=False):
    """The fitted two-layer network as a ``Sequential(Linear, ReLU, Linear)`` state dict.

    Parameters
    ----------
    model : ConvexReLU, ConvexReLUClassifier or a ReLU (not gated) arrangement model, fitted
    tensors : bool
        Return ``torch.Tensor`` values (needs torch) instead of numpy arrays.
    """
    if not hasattr(model, "network") or getattr(model, "neurons_", None) is None:
        raise ValueError("torch_state_dict needs a fitted ConvexReLU or ConvexReLUClassifier")
    net = model.network()
    if set(net) != {"W1", "b1", "W2", "b2"}:
        raise ValueError(f"{type(model).__name__} is not a two-layer network; export its network() dict")
    state = {"0.weight": np.ascontiguousarray(net["W1"].T), "0.bias": np.asarray(net["b1"], dtype=float),
             # (c × m and c: an arrangement model's single output has W2 of shape (m,))
             "2.weight": np.ascontiguousarray(np.asarray(net["W2"], dtype=float).reshape(len(net["b1"]), -1).T),
             "2.bias": np.asarray(net["b2"], dtype=float).reshape(-1)}
    if tensors:
        import torch

        state = {k: torch.from_numpy(v.astype(np.float64)) for k, v in state.items()}
    return state


def to_torch(model, dtype=None):
    """A ``torch.nn.Sequential(Linear, ReLU, Linear)`` computing the fitted network (needs torch)."""
    try:
        import torch
        from torch import nn
    except ImportError:
        raise ImportError("to_torch needs PyTorch: pip install torch (or use torch_state_dict(model) "
                          "for numpy arrays in torch's layout)") from None
    state = torch_state_dict(model, tensors=True)
    d, m = state["0.weight"].shape[1], state["0.weight"].shape[0]
    c = state["2.weight"].shape[0]
    module = nn.Sequential(nn.Linear(d, m), nn.ReLU(), nn.Linear(m, c)).to(dtype or torch.float64)
    module.load_state_dict({k: v.to(dtype or torch.float64) for k, v in state.items()})
    return module
