"""Compile every numba kernel once, into numba's on-disk cache (``cache=True``).

The first fit in a fresh installation otherwise spends tens of seconds compiling (``make demo``'s
first run reported 17.5 s for a 60-point fit that takes 0.3 s compiled). ``make`` runs this
right after installing (``python -m ganet warmup``), so users and the tests start compiled.
"""

import time
import warnings

import numpy as np

__all__ = ["warm_up"]


def _local_rounds(rng):
    """The streaming dictionaries' local rounds (the neighbours of a support's hyperplanes): a
    tiny fit never reaches them (its neighbourhoods exceed a quarter of the dictionary), so the
    first real fit compiled them (2 s of `make demo`'s diabetes fit)."""
    from .numeric.oracles.streaming import StreamingDictionary

    X = rng.normal(size=(60, 2))
    R = rng.normal(size=(60, 1))
    for reg in ("l1", "l2"):
        for bias in (True, False):
            StreamingDictionary(X, reg, bias).local_violators(R, 0.1, 5, around=[0])


def _cell_bounds(rng):
    """The cell bounds of large pricing passes (:mod:`ganet.numeric.oracles.cell_bounds`): only
    passes of more than 5·10⁸ products use them, so no tiny fit compiles them. A second pass at a
    dual point near feasibility bounds the cells."""
    from .numeric.oracles.streaming import StreamingDictionary

    X = rng.normal(size=(60, 2))
    R = 1e-3 * rng.normal(size=60)
    D = StreamingDictionary(X, "l2", True, cell_grid=8)
    D.price(R, 1.0, 5)
    D.price(R, 1.0, 5)


def _swept_passes(rng):
    """The rotational sweep of full passes (:mod:`ganet.numeric.oracles.sweep`): pricing="auto"
    sweeps only from about a thousand points up, so no tiny fit compiles it."""
    from .numeric.oracles.streaming import StreamingDictionary

    X = rng.normal(size=(40, 3))
    R = rng.normal(size=40)
    for reg in ("l1", "l2"):
        for bias in (True, False):
            StreamingDictionary(X, reg, bias, pricing="sweep").price(R, 0.1, 5)


def _degenerate_data():
    """Data with repeated and collinear points (an integer grid, each point twice): some of their
    hyperplanes have normals that only exact arithmetic decides, and the kernels that list those
    (``_uncertain_ranks``, ``_uncertain_subsets``) run on such data only. Gaussian data never
    reaches them, so the first real data with a repeated row (scikit-learn's iris) compiled one
    for 11 s inside a 30 s budget."""
    from .numeric.oracles.families import relu3
    from .numeric.oracles.lifted import LiftedDictionary
    from .numeric.oracles.streaming import StreamingDictionary

    grid = np.array([(i, j) for i in range(3) for j in range(3)], dtype=float)
    X = np.vstack([grid, grid])
    StreamingDictionary(X, "l1", True).resolution.sweep()  # (one signature serves every reg and bias)
    LiftedDictionary(X, relu3(True)).resolution.sweep()


def _relu_splitting(rng):
    """The ReLU program's ADMM (:mod:`ganet.numeric.arrangement.splitting`): only programs too
    large for one interior-point solve use it, so no tiny fit compiles its fused cone step or
    the logistic loss's proximal map."""
    from .numeric.arrangement.program import ArrangementProgram
    from .numeric.arrangement.splitting import ReLUSplitting
    from .numeric.solvers.datafits import make_datafit

    X = rng.normal(size=(20, 3))
    program = ArrangementProgram(X, X[:, :2].T >= 0, np.ones(3, dtype=bool), intercept=False)
    ReLUSplitting(program, X[:, 2], 0.1).step()
    ReLUSplitting(program, np.sign(X[:, 2]), 0.1, make_datafit("logistic")).step()


def warm_up(verbose=True):
    """Fit one tiny problem with every model and dictionary kind; returns the seconds taken."""
    from . import (ArrangementReLU, ArrangementReLUClassifier, ConvexReLU, ConvexReLUClassifier, DeepNarrowAbs,
                   ThreeLayerReLU)

    rng = np.random.default_rng(0)
    X = rng.normal(size=(12, 2))
    y = np.sin(X[:, 0]) + X[:, 1]
    labels = (y > np.median(y)).astype(int)
    fits = [
        (ConvexReLU(lam=0.1), y), (ConvexReLU(lam=0.1, bias=False, reg="l2"), y),
        (ConvexReLU(lam=0.1, dictionary="streaming"), y),
        (ConvexReLU(lam=0.1, bias=False, dictionary="streaming", reg="l2"), y),
        (ConvexReLUClassifier(lam=0.1, loss="logistic", dictionary="streaming"), labels),
        (ConvexReLUClassifier(lam=0.1, loss="hinge"), labels),
        (DeepNarrowAbs(depth=2, lam=0.1), y), (DeepNarrowAbs(depth=3, lam=0.1), y),
        (DeepNarrowAbs(depth=2, lam=0), y),
        (ThreeLayerReLU(lam=0.1), y), (ThreeLayerReLU(lam=0.1, bias=False), y),
        (ArrangementReLU(lam=0.1), y), (ArrangementReLU(lam=0.1, gated=True), y),
        (ArrangementReLUClassifier(patterns="sampled", n_patterns=8, lam=0.1, random_state=0), labels),
    ]
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for model, target in fits:
            data = X[:, :1] if isinstance(model, DeepNarrowAbs) and model.depth > 2 else X
            model.fit(data, target)
        _local_rounds(rng)
        _cell_bounds(rng)
        _swept_passes(rng)
        _degenerate_data()
        _relu_splitting(rng)
    seconds = time.perf_counter() - start
    if verbose:
        print(f"ganet: kernels compiled and cached ({seconds:.1f} s)")
    return seconds
