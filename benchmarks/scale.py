"""Scale benchmark (issue #5): each target as a ratio against a baseline measured in the same run.

Cases
-----
1. one pricing pass, n = 2000, d = 3 (2.0 M hyperplanes, 4.0 M columns): the streaming kernel's
   point × hyperplane throughput against numpy ``X @ W`` of the same shape (W: d × hyperplanes,
   in chunks of 20k columns into one buffer), same run;
2. two spirals, n = 160, d = 2, p = 2 with bias (25,440 columns), λ = 1e-3, with intercept:
   ganet against cvxpy + Clarabel on the materialized dictionary;
3. Gaussian, n = 300, d = 3, p = 1 no bias (91,506 columns), λ = 0.01: ganet against
   scikit-learn's Lasso on the dense matrix, run in warm-started chunks of 100 epochs until its
   objective is within 1e-6 (relative) of ganet's certified optimum, or for at most
   ``--sklearn-seconds`` (then the ratio printed is a lower bound);
4. Gaussian, n = 2000, d = 3, p = 1 no bias (4.0 M columns): streaming, time budget 10 min;
5. Gaussian, n = 500, d = 4, p = 1 no bias (42 M columns): streaming, time budget 15 min.

Gaussian targets are y = sin(2·Σx) + 0.1·noise. Every ganet time includes its pricing passes.
Peak RSS is the process's (resource.getrusage), printed after each case.

Run: .venv/bin/python benchmarks/scale.py [--cases 1,2,3,4,5] [--sklearn-seconds 900]
"""

import argparse
import resource
import time
import warnings

import numpy as np

from ganet.datasets import two_spirals
from ganet.numeric.dictionary import Dictionary
from ganet.numeric.solver import solve_lasso
from ganet.numeric.streaming import StreamingDictionary


def gaussian(n, d, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, d))
    return X, np.sin(2 * X.sum(axis=1)) + 0.1 * rng.normal(size=n)


def rss_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def timed(f):
    t = time.perf_counter()
    out = f()
    return out, time.perf_counter() - t


def ganet_solve(D, y, lam, bias, budget=None):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return solve_lasso(D, y, lam, fit_intercept=bias, tol=1e-6, max_iter=10_000, max_seconds=budget)


def case_pricing_pass():
    X, y = gaussian(2000, 3)
    D = StreamingDictionary(X, "l1", False)
    D.price(y, 1.0, 64)  # compile / load outside the timing
    res, t = timed(lambda: D.price(y, 1.0, 64))
    W = np.random.default_rng(1).normal(size=(3, 20_000))
    out = np.empty((2000, W.shape[1]))
    np.matmul(X, W, out=out)
    chunks = int(np.ceil(D.n_hyperplanes / W.shape[1]))

    def matmul():
        for _ in range(chunks):
            np.matmul(X, W, out=out)

    _, tm = timed(matmul)
    ours, theirs = D.n_hyperplanes * 2000 / t, chunks * W.shape[1] * 2000 / tm
    print(f"1 pricing pass n=2000 d=3 | {D.n_hyperplanes:,} hyperplanes ({D.n_columns:,} columns) | "
          f"ganet {t:.2f} s = {ours / 1e9:.2f} G point-hyperplanes/s | numpy X@W {tm:.2f} s = "
          f"{theirs / 1e9:.2f} G entries/s | ratio {ours / theirs:.2f} (target ≥ 0.5)")


def case_spirals():
    import cvxpy as cp

    X, y = two_spirals(n=160, turns=1.25)
    lam = 1e-3
    res, t = timed(lambda: ganet_solve(Dictionary(X, "l2", True), y, lam, True))
    K = Dictionary(X, "l2", True).materialize()

    def clarabel():
        z, b = cp.Variable(K.shape[1]), cp.Variable()
        prob = cp.Problem(cp.Minimize(0.5 * cp.sum_squares(K @ z + b - y) + lam * cp.norm1(z)))
        prob.solve(solver="CLARABEL")
        return prob.value

    ref, tc = timed(clarabel)
    print(f"2 two spirals n=160 p=2 bias | {K.shape[1]:,} columns | ganet {t:.2f} s (rel. gap "
          f"{res.gap / res.objective:.1e}) | cvxpy+Clarabel {tc:.2f} s | ratio {tc / t:.1f}× (target ≥ 20) | "
          f"objective rel. diff {(ref - res.objective) / res.objective:.1e} (target ≤ 1e-6)")


def case_sklearn(max_seconds):
    from sklearn.linear_model import Lasso

    X, y = gaussian(300, 3)
    lam = 0.01
    res, t = timed(lambda: ganet_solve(Dictionary(X, "l1", False), y, lam, False))
    K = Dictionary(X, "l1", False).materialize()
    # sklearn's objective is (½‖Kz − y‖² + λ‖z‖₁)/n; warm-started chunks of epochs, so the time to
    # reach the target (objective within 1e-6 of ganet's certified optimum) is measured
    model = Lasso(alpha=lam / len(y), fit_intercept=False, tol=1e-12, max_iter=100, warm_start=True)
    target = res.objective + 1e-6 * res.objective
    elapsed, epochs, P = 0.0, 0, np.inf
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        while elapsed < max_seconds and P > target:
            _, dt = timed(lambda: model.fit(K, y))
            elapsed, epochs = elapsed + dt, epochs + model.max_iter
            r = y - K @ model.coef_
            P = 0.5 * r @ r + lam * np.abs(model.coef_).sum()
    reached = P <= target
    print(f"3 gaussian n=300 d=3 p=1 | {K.shape[1]:,} columns | ganet {t:.2f} s (rel. gap "
          f"{res.gap / res.objective:.1e}) | sklearn Lasso {epochs} epochs {elapsed:.0f} s, rel. excess "
          f"{(P - res.objective) / res.objective:.1e} ({'reached' if reached else 'NOT reached'} 1e-6) | "
          f"ratio {'' if reached else '≥ '}{elapsed / t:.0f}× (target ≥ 100)")


def case_streaming(n, d, budget, label):
    X, y = gaussian(n, d)
    D = StreamingDictionary(X, "l1", False)
    res, t = timed(lambda: ganet_solve(D, y, 0.01, False, budget))
    rel = res.gap / res.objective
    print(f"{label} gaussian n={n} d={d} p=1 streaming | {D.n_columns:,} columns | {t:.0f} s, "
          f"{res.n_iter} rounds, {sum(p.full for p in D.passes)} full + {sum(not p.full for p in D.passes)} "
          f"local passes ({sum(p.seconds for p in D.passes):.0f} s pricing) | "
          f"rel. gap {rel:.1e} ({'certified' if rel <= 1e-6 else 'NOT certified within the budget'}) | "
          f"support {len(res.columns)} | peak RSS {rss_mb():.0f} MB")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", default="1,2,3,4,5")
    parser.add_argument("--sklearn-seconds", type=float, default=900)
    args = parser.parse_args()
    cases = {int(c) for c in args.cases.split(",")}
    if 1 in cases:
        case_pricing_pass()
    if 2 in cases:
        case_spirals()
    if 3 in cases:
        case_sklearn(args.sklearn_seconds)
    if 4 in cases:
        case_streaming(2000, 3, 600, "4")
    if 5 in cases:
        case_streaming(500, 4, 900, "5")
    print(f"peak RSS of the run: {rss_mb():.0f} MB")


if __name__ == "__main__":
    main()
