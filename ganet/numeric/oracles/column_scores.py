r"""The scores of one hyperplane's column pair, shared by the pricing kernels of the two-layer families.

For the unit neuron z = Xw − offset the pair is K₊ = (z)_+ and K₋ = (−z)_+; a pass needs
K_±ᵀR (for its score ‖K_jᵀR‖₂) and ‖K_±‖₂² (for a violator's priority,
:func:`~ganet.numeric.oracles.engine.offer`).
"""

import numba
import numpy as np

from .engine import offer

__all__ = ["score_plane", "record_pair"]

_FAST = {"reassoc", "contract", "nsz"}  # lets LLVM vectorize the sums over points (~1e-16 relative)


@numba.njit(cache=True, inline="always", fastmath=_FAST)
def score_plane(XT, R, w, offset, zbuf, pos, neg):
    """K_±ᵀR (c outputs) of the unit neuron z = Xw − offset into pos and neg; returns
    (‖K₊‖², ‖K₋‖²). One output goes through the buffered, fused kernel instead (:func:`~ganet.numeric.oracles.streaming._flush`)."""
    d, n = XT.shape
    c = R.shape[1]
    pos2 = 0.0
    neg2 = 0.0
    pos[:] = 0.0
    neg[:] = 0.0
    for i in range(n):
        z = -offset
        for q in range(d):
            z += XT[q, i] * w[q]
        zp = max(z, 0.0)
        zn = zp - z
        pos2 += zp * zp
        neg2 += zn * zn
        for o in range(c):
            pos[o] += R[i, o] * zp
            neg[o] += R[i, o] * zn
    return pos2, neg2


@numba.njit(cache=True, inline="always")
def record_pair(t, pos, neg, pos2, neg2, lam, scale, exclude, top_priority, top_column):
    """Offer columns 2t (+) and 2t + 1 (−) to the group's heap; returns the larger ‖K_jᵀR‖₂."""
    best = 0.0
    for sign in range(2):
        acc = pos if sign == 0 else neg
        score = 0.0
        for o in range(acc.shape[0]):
            score += acc[o] * acc[o]
        score = np.sqrt(score)
        if score != score:
            return score  # NaN: the caller flags the block
        best = max(best, score)
        offer(2 * t + sign, score, pos2 if sign == 0 else neg2, lam, scale, exclude, top_priority, top_column)
    return best
