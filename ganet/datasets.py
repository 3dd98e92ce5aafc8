"""Small datasets generated on the fly (no downloads)."""

import numpy as np

__all__ = ["two_spirals"]


def two_spirals(n=100, turns=1.5, noise=0.0, seed=0):
    """Two interleaved spirals in ℝ², labels ±1 (n/2 points each).

    Point k of a spiral sits at radius r = k/(n/2) and angle 2π·turns·r; the second spiral is the
    first rotated by π.
    """
    if n < 2 or n % 2:
        raise ValueError(f"n must be an even number ≥ 2; got {n!r}")
    rng = np.random.default_rng(seed)
    m = n // 2
    r = np.arange(1, m + 1) / m
    angle = 2 * np.pi * turns * r
    one = np.column_stack([r * np.cos(angle), r * np.sin(angle)])
    X = np.vstack([one, -one]) + noise * rng.normal(size=(n, 2))
    y = np.concatenate([np.ones(m), -np.ones(m)])
    return X, y
