"""Two-layer benchmark: ganet's certified working-set solver against cvxpy + Clarabel and
scikit-learn's Lasso, both on the materialized dictionary, on the same problems in the same run.

Prints, per problem, each method's time and objective, and the ratios
time(baseline)/time(ganet) and (objective − best)/best. Run: .venv/bin/python benchmarks/two_layer.py
"""

import time
import warnings

import numpy as np

from ganet.datasets import two_spirals
from ganet.numeric.oracles.two_layer import Dictionary
from ganet.numeric.solvers.lasso_working_set import solve_lasso


def problems():
    X, y = two_spirals(n=60, turns=1.25)
    yield "two spirals n=60 d=2, p=2 bias", X, y, "l2", True, 1e-3
    rng = np.random.default_rng(0)
    X = rng.normal(size=(100, 3))
    yield "gaussian n=100 d=3, p=1 no bias", X, np.sin(2 * X.sum(1)), "l1", False, 1e-2
    X = rng.normal(size=(60, 2))
    yield "gaussian n=60 d=2, p=1 bias", X, np.sign(X[:, 0] * X[:, 1]), "l1", True, 1e-3


def timed(f):
    t = time.perf_counter()
    out = f()
    return out, time.perf_counter() - t


def run_ganet(D, y, lam, bias):
    res = solve_lasso(D, y, lam, fit_intercept=bias, tol=1e-8)
    return res.objective


def run_cvxpy(K, y, lam, bias):
    import cvxpy as cp

    z = cp.Variable(K.shape[1])
    t = cp.Variable() if bias else 0.0
    prob = cp.Problem(cp.Minimize(0.5 * cp.sum_squares(K @ z + t - y) + lam * cp.norm1(z)))
    prob.solve(solver="CLARABEL")
    return prob.value


def run_sklearn(K, y, lam, bias, max_iter=5000):
    """Coordinate descent capped at max_iter epochs: on these coherent dictionaries it stalls
    (docs/conventions.md), so its objective excess is part of the result."""
    from sklearn.linear_model import Lasso

    n = len(y)
    model = Lasso(alpha=lam / n, fit_intercept=bias, tol=1e-10, max_iter=max_iter)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model.fit(K, y)
    r = y - K @ model.coef_ - model.intercept_
    return 0.5 * r @ r + lam * np.abs(model.coef_).sum()


def main():
    # compile the numba kernels once, outside the timings
    X, y = two_spirals(n=10)
    solve_lasso(Dictionary(X, "l2", True), y, 1e-2)
    print(f"{'problem':36s} {'columns':>8s} | {'ganet s':>8s} {'cvxpy s':>8s} {'sklearn s':>9s} | "
          f"{'cvxpy/ganet':>11s} {'sklearn/ganet':>13s} | rel. excess objective ganet, cvxpy, sklearn")
    for name, X, y, reg, bias, lam in problems():
        D = Dictionary(X, reg, bias)
        g, tg = timed(lambda: run_ganet(D, y, lam, bias))
        K = D.materialize()
        c, tc = timed(lambda: run_cvxpy(K, y, lam, bias))
        s, ts = timed(lambda: run_sklearn(K, y, lam, bias))
        best = min(g, c, s)
        print(f"{name:36s} {D.n_columns:8d} | {tg:8.2f} {tc:8.2f} {ts:9.2f} | {tc / tg:11.1f} {ts / tg:13.1f} | "
              f"{(g - best) / best:.1e}, {(c - best) / best:.1e}, {(s - best) / best:.1e}")


if __name__ == "__main__":
    main()
