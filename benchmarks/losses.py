"""Logistic and hinge losses: do they scale like the squared loss, and what did they replace?

Two tables, every figure measured in this run:

``ladder``
    ``ConvexReLUClassifier`` on a disc-in-the-plane task (label: ‖x‖² < 1.2, 3% of labels
    flipped; d = 2, p = 1, bias, λ = 0.1), n = 250, 500, 1000, 2000 (4000 with ``--max-n``), for the squared,
    logistic and hinge losses, each to tol = 1e-8: seconds, full pricing passes, certified relative
    gap; the time ratios logistic/squared and hinge/squared, and the fitted exponent of time in n
    for each loss (least squares on logs). Each loss is fitted once on 50 points first, so that no
    cell pays the loading of the compiled kernels.
``baseline``
    The program the logistic and hinge losses used before (one cvxpy + Clarabel program over the
    whole stored dictionary, tolerances 1e-11, a ``--clarabel-seconds`` limit) against ganet's
    working set, on the separable 60-point sets of the tests and a 200-point XOR set, with bias:
    seconds, and the relative error of Clarabel's objective against ganet's certified lower
    bound (objective − gap).

``--load`` runs it with two busy processes beside it (``python3 -c "while True: pass"``).

Run: .venv/bin/python benchmarks/losses.py [--cases ladder,baseline] [--load] [--max-n 2000]
     [--clarabel-seconds 300]
"""

import argparse
import time
import warnings

import numpy as np

from ganet import ConvexReLUClassifier
from ganet.numeric.oracles.two_layer import Dictionary
from scale import busy


def disc(n, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 2))
    y = (np.sum(X ** 2, axis=1) < 1.2).astype(int)
    flip = rng.random(n) < 0.03
    return X, np.where(flip, 1 - y, y)


def fit(X, y, loss, lam):
    tic = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = ConvexReLUClassifier(loss=loss, lam=lam, bias=True, tol=1e-8).fit(X, y)
    return model, time.perf_counter() - tic


def ladder(max_n):
    ns = [n for n in (250, 500, 1000, 2000, 4000) if n <= max_n]
    losses = ("squared", "logistic", "hinge")
    print(f"{'n':>6} " + " ".join(f"{name + ' s':>12} {'passes':>6} {'rel gap':>8}" for name in losses)
          + f" {'log/sq':>7} {'hinge/sq':>8}")
    times = {loss: [] for loss in losses}
    # warm-up (module docstring): cold, squared at n = 250 took 0.60 s against 0.20 s warm, which
    # flattened its exponent
    X, y = disc(50)
    for loss in losses:
        fit(X, y, loss, 0.1)
    for n in ns:
        X, y = disc(n)
        row = f"{n:>6} "
        for loss in losses:
            model, seconds = fit(X, y, loss, 0.1)
            times[loss].append(seconds)
            passes = model.report_.get("pricing_passes", model.n_iter_) if loss == "squared" else model.n_iter_
            row += f"{seconds:>12.2f} {passes:>6d} {model.dual_gap_ / model.objective_:>8.1e} "
        row += f"{times['logistic'][-1] / times['squared'][-1]:>7.2f} {times['hinge'][-1] / times['squared'][-1]:>8.2f}"
        print(row, flush=True)
    if len(ns) > 1:
        slopes = {loss: np.polyfit(np.log(ns), np.log(times[loss]), 1)[0] for loss in losses}
        print("time ~ n^k:  " + "  ".join(f"{loss} k = {k:.2f}" for loss, k in slopes.items()))


def clarabel_whole(X, y, lam, loss, seconds):
    """The former path: one cvxpy + Clarabel program over every column (value, seconds)."""
    import cvxpy as cp

    dictionary = Dictionary(X, "l1", True)
    K = dictionary.materialize(np.arange(dictionary.n_columns))
    s = np.where(y == 1, 1.0, -1.0)
    u, t = cp.Variable(K.shape[1]), cp.Variable()
    q = K @ u + t
    fit_ = cp.sum(cp.logistic(-cp.multiply(s, q))) if loss == "logistic" else cp.sum(cp.pos(1 - cp.multiply(s, q)))
    problem = cp.Problem(cp.Minimize(fit_ + lam * cp.norm1(u)))
    tic = time.perf_counter()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            problem.solve(solver="CLARABEL", tol_gap_abs=1e-11, tol_gap_rel=1e-11, tol_feas=1e-11,
                          time_limit=seconds)
    except cp.error.SolverError:
        return None, time.perf_counter() - tic, K.shape[1]
    if u.value is None:
        return None, time.perf_counter() - tic, K.shape[1]
    qv = K @ u.value + t.value  # the value of the point returned, evaluated here
    loss_value = np.sum(np.logaddexp(0, -s * qv)) if loss == "logistic" else np.sum(np.maximum(0, 1 - s * qv))
    return float(loss_value + lam * np.abs(u.value).sum()), time.perf_counter() - tic, K.shape[1]


def baseline(seconds):
    sets = []
    for seed in range(4):
        rng = np.random.default_rng(seed)
        X = rng.normal(size=(60, 2))
        sets.append((f"separable 60, seed {seed}", X, (X[:, 0] + 0.5 * X[:, 1] > 0).astype(int), 1e-2))
    rng = np.random.default_rng(7)
    X = rng.normal(size=(200, 2))
    sets.append(("XOR 200", X, (X[:, 0] * X[:, 1] > 0).astype(int), 0.1))
    print(f"{'data':24} {'loss':8} {'columns':>7} {'ganet s':>8} {'rel gap':>8} {'Clarabel s':>10} "
          f"{'Clarabel rel err':>16} {'ratio':>7}")
    for name, X, y, lam in sets:
        for loss in ("logistic", "hinge"):
            model, ours = fit(X, y, loss, lam)
            lower = model.objective_ - model.dual_gap_
            value, theirs, columns = clarabel_whole(X, y, lam, loss, seconds)
            err = "failed" if value is None else f"{(value - lower) / lower:.1e}"
            print(f"{name:24} {loss:8} {columns:>7d} {ours:>8.2f} {model.dual_gap_ / model.objective_:>8.1e} "
                  f"{theirs:>10.2f} {err:>16} {theirs / ours:>7.1f}", flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cases", default="ladder,baseline")
    parser.add_argument("--load", action="store_true")
    parser.add_argument("--max-n", type=int, default=2000)
    parser.add_argument("--clarabel-seconds", type=float, default=300.0)
    args = parser.parse_args()
    with busy(args.load):
        for case in args.cases.split(","):
            print(f"\n== {case}{' (beside two busy processes)' if args.load else ''}", flush=True)
            {"ladder": lambda: ladder(args.max_n), "baseline": lambda: baseline(args.clarabel_seconds)}[case]()


if __name__ == "__main__":
    main()
