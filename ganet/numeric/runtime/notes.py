"""Warnings that point at the user's own line.

A warning's ``stacklevel`` counted by hand goes wrong when the call path changes: the same note
is given from ``fit``, from a one-vs-rest loop, from a cross-validation and from the low-level
solver, and a count that fits one path points into ganet (or past the top of the stack, where
Python prints ``sys:1``) on another. :func:`warn_user` instead walks up to the first frame outside
ganet, scikit-learn and joblib (whose model-selection loops call ganet's ``fit``: a note from
``cross_val_score`` points at the line that called it) and :mod:`contextlib` (a note given when a
``with`` block ends runs in its generator).
"""

import contextlib
import os
import sys
import warnings

import joblib
import sklearn

__all__ = ["warn_user"]

_GANET = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))  # …/ganet
_INTERNAL = (_GANET + os.sep,) + tuple(os.path.dirname(os.path.abspath(package.__file__)) + os.sep
                                     for package in (sklearn, joblib))
_CONTEXTLIB = os.path.abspath(contextlib.__file__)


def _internal(filename):
    path = os.path.abspath(filename)
    return path.startswith(_INTERNAL) or path == _CONTEXTLIB


def warn_user(message, category=UserWarning):
    """:func:`warnings.warn` with the location of the first caller outside ganet, scikit-learn,
    joblib and :mod:`contextlib`: the user's line (the direct caller when every frame is internal,
    as in a worker thread).

    Parameters
    ----------
    message : str
    category : type of Warning
    """
    frame, level = sys._getframe(1), 1
    while frame is not None and _internal(frame.f_code.co_filename):
        frame, level = frame.f_back, level + 1
    # stacklevel 1 is this function; level counts from its caller
    warnings.warn(message, category, stacklevel=level + 1 if frame is not None else 2)
