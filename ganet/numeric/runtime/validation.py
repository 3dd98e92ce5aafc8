"""Input checks shared by the numeric layer: clear ``ValueError`` s, never silent broadcasting."""

import numbers

import numpy as np

__all__ = ["as_finite_array"]


def as_finite_array(a, name, ndim=None, shape=None, dtype=np.float64):
    """Convert ``a`` to a finite float array, or raise a ``ValueError`` naming the problem.

    Parameters
    ----------
    a : array_like
        Numbers (ints, floats, Fractions, numpy scalars); strings, ``None`` and objects that
        are not real numbers are rejected rather than parsed.
    name : str
        The argument's name, used in error messages.
    ndim : int or tuple of int, optional
        Allowed number of dimensions.
    shape : tuple, optional
        Required shape; ``None`` entries match any length.
    """
    arr = np.asarray(a, dtype=object) if not isinstance(a, np.ndarray) else a
    if arr.dtype.kind == "c":  # a cast would silently drop the imaginary parts
        raise ValueError(f"{name} must contain real numbers only; got complex entries")
    if arr.dtype.kind in "USO" or arr.dtype == bool:
        flat = arr.ravel() if arr.dtype.kind == "O" else None
        if flat is None or not all(
            isinstance(v, numbers.Real) and not isinstance(v, bool) for v in flat
        ):
            raise ValueError(f"{name} must contain real numbers only; got entries of type "
                             f"{_first_bad_type(arr)}")
    try:
        out = np.asarray(arr, dtype=dtype)
    except (TypeError, ValueError) as exc:  # ragged lists and the like
        raise ValueError(f"{name} must be a rectangular array of real numbers ({exc})") from None
    if ndim is not None:
        allowed = (ndim,) if isinstance(ndim, int) else tuple(ndim)
        if out.ndim not in allowed:
            raise ValueError(f"{name} must have {' or '.join(map(str, allowed))} dimension(s); "
                             f"got shape {out.shape}")
    if shape is not None:
        if len(shape) != out.ndim or any(s is not None and s != t for s, t in zip(shape, out.shape)):
            want = "(" + ", ".join("any" if s is None else str(s) for s in shape) + ")"
            raise ValueError(f"{name} must have shape {want}; got {out.shape}")
    if not np.all(np.isfinite(out)):
        raise ValueError(f"{name} contains NaN or infinite values")
    return out


def _first_bad_type(arr):
    for v in np.asarray(arr, dtype=object).ravel():
        if not isinstance(v, numbers.Real) or isinstance(v, bool):
            return type(v).__name__
    return arr.dtype.name
