"""Scale benchmark: throughput, threads under load, and a measured scaling law.

Every figure is a ratio against a baseline measured in the same run (the machines are shared and
noisy). Cases (``--cases``, comma-separated):

``pass``
    One streaming pricing pass, n = 2000, d = 3 (2.0 M hyperplanes), against (a) numpy
    ``X @ W`` of the same shape (W: d × hyperplanes, in chunks into one buffer), and (b) the
    GEMM peak of this machine (a 2000³ float64 matrix product, all threads). The pass's flop
    rate counts 2d + 10 flops per point × hyperplane: z = xᵀw − c (2d), z⁺ and z⁻ (2), the two
    correlations (4) and the two squared norms (4).
``threads``
    The same fit (Gaussian n = 300, d = 3, p = 1, no bias, λ = 0.01) with the default threads
    and pinned to one thread (NUMBA_NUM_THREADS = OPENBLAS_NUM_THREADS = 1), alternated, three
    times each, in fresh processes, with two busy processes beside them.
``scaling``
    Fit time and pricing passes for d = 3 at n = 250, 500, 1000, 2000, 4000 and d = 4 at
    n = 200, 500, 1000, for three targets — planted (two ReLU neurons plus 0.1 noise), smooth
    (sin(2Σx) plus 0.1 noise), noise (standard normal) — p = 1 without bias, λ = 0.01,
    default tol 1e-8; with the fitted exponent of time against n and against the number of
    columns (least squares on logs). ``--budget`` seconds per fit (not certified: marked);
    ``--max-n`` skips larger n.
``spirals``
    Two spirals, p = 2 with bias, λ = 5e-4, n = 200, 400, 800, 1600, 3200 (``--spirals``), each
    fit in a fresh process; with ``--previous DIR`` (a checkout of earlier code, e.g. from
    ``git worktree add``) every n runs there too, alternated, and the row shows both times.
    Prints t(2n)/t(n) (target ≤ 5 from 800 to 1600: the columns grow 4×).
``cells``
    Cell bounds in the pricing pass (:mod:`ganet.numeric.oracles.cell_bounds`): each fit with
    ``cell_grid="auto"`` against the same fit with ``cell_grid=None`` (the pass before cell
    bounds), alternated in one process: smooth d = 3, n = 2000 (p = 1, no bias) at λ = 0.01,
    0.1 and 1, p = 2 with bias d = 3, n = 400 at λ = 0.1 and 1, the spirals n = 1600, and smooth
    d = 4, n = 1000 (p = 1, no bias, 1.7·10⁸ hyperplanes: about 50 s per pass) at λ = 1. Prints
    the times, the full passes and the share of hyperplanes the bounds skipped in the last full
    pass (the certifying one) and in all full passes.
``sweep``
    One full pricing pass by rotational sweep (:mod:`ganet.numeric.oracles.sweep`) against the
    same pass scanned (every hyperplane over every point), alternated, the faster of two runs
    each (one for the 10,000-point case), at the residual y − ȳ of a smooth target and λ = half
    its largest score: the two spirals (p = 2, bias) n = 800, 1600, 3200; d = 3 without bias
    (p = 1) n = 2000, 5000, 10,000; d = 3 with bias n = 400; d = 4 without bias n = 300. Prints
    the ratio, the choice of ``pricing="auto"`` and the relative difference of the largest scores.
``baselines``
    Two spirals n = 160 (p = 2, bias, λ = 1e-3) against cvxpy + Clarabel, and Gaussian n = 300,
    d = 3 against scikit-learn's Lasso run to within 1e-6 of ganet's certified optimum (or for
    ``--sklearn-seconds``; then the ratio is a lower bound), both on the materialized dictionary.

``--load`` runs everything with two busy processes beside it (``python3 -c "while True: pass"``).

Run: .venv/bin/python benchmarks/scale.py [--cases pass,threads,scaling,spirals,cells,sweep,baselines]
     [--load] [--budget 600] [--max-n 4000] [--sklearn-seconds 600] [--spirals 200,400,...]
     [--previous DIR]
"""

import argparse
import contextlib
import json
import os
import subprocess
import sys
import time
import warnings

import numpy as np

from ganet.datasets import two_spirals
from ganet.numeric.oracles.streaming import StreamingDictionary
from ganet.numeric.oracles.two_layer import Dictionary
from ganet.numeric.solvers.lasso_working_set import solve_lasso


def timed(f):
    t = time.perf_counter()
    out = f()
    return out, time.perf_counter() - t


@contextlib.contextmanager
def busy(enabled, count=2):
    """Two busy processes beside the benchmark (the co-load of the issue), killed afterwards."""
    procs = [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(count if enabled else 0)]
    try:
        if procs:
            time.sleep(1.0)
        yield
    finally:
        for p in procs:
            p.kill()
            p.wait()


def target(kind, X, rng):
    n, d = X.shape
    if kind == "planted":
        U = rng.normal(size=(d, 2))
        return np.maximum(X @ U, 0.0) @ np.array([1.0, -1.0]) + 0.1 * rng.normal(size=n)
    if kind == "smooth":
        return np.sin(2 * X.sum(axis=1)) + 0.1 * rng.normal(size=n)
    return rng.normal(size=n)


def case_pass():
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(2000, 3)), rng.normal(size=2000)
    D = StreamingDictionary(X, "l1", False)
    D.price(y, 1.0, 64)  # compile / load outside the timing
    t = min(timed(lambda: D.price(y, 1.0, 64))[1] for _ in range(3))
    W = rng.normal(size=(3, 20_000))
    out = np.empty((2000, W.shape[1]))
    chunks = int(np.ceil(D.n_hyperplanes / W.shape[1]))

    def matmul():
        for _ in range(chunks):
            np.matmul(X, W, out=out)

    matmul()
    tm = min(timed(matmul)[1] for _ in range(3))
    A, B = rng.normal(size=(2000, 2000)), rng.normal(size=(2000, 2000))
    A @ B
    tg = min(timed(lambda: A @ B)[1] for _ in range(3))
    ours = D.n_hyperplanes * 2000 / t
    theirs = chunks * W.shape[1] * 2000 / tm
    flops, peak = ours * (2 * 3 + 10), 2 * 2000 ** 3 / tg
    print(f"pass  n=2000 d=3 | {D.n_hyperplanes:,} hyperplanes | ganet {t:.2f} s = {ours / 1e9:.2f} G "
          f"point×hyperplane/s | numpy X@W {tm:.2f} s = {theirs / 1e9:.2f} G entries/s | ratio "
          f"{ours / theirs:.2f} (target ≥ 1.5) | {flops / 1e9:.0f} GFLOP/s against a GEMM peak of "
          f"{peak / 1e9:.0f} GFLOP/s measured now: {flops / peak:.0%} (target ≥ 50%)")


_THREADS_FIT = """
import time, numpy as np
from ganet import ConvexReLU
rng = np.random.default_rng(0); X = rng.normal(size=(300, 3)); y = np.sin(2 * X.sum(1)) + 0.1 * rng.normal(size=300)
ConvexReLU(reg="l1", bias=False, lam=0.01).fit(X[:50], y[:50])
t = time.perf_counter(); ConvexReLU(reg="l1", bias=False, lam=0.01).fit(X, y); print(time.perf_counter() - t)
"""


def case_threads():
    one = {**os.environ, "NUMBA_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1"}
    times = {"default": [], "one thread": []}
    with busy(True):
        for _ in range(3):
            for label, env in (("default", os.environ), ("one thread", one)):
                out = subprocess.run([sys.executable, "-c", _THREADS_FIT], env=env, capture_output=True,
                                     text=True, check=True)
                times[label].append(float(out.stdout.split()[-1]))
    d, o = np.median(times["default"]), np.median(times["one thread"])
    print(f"threads n=300 d=3 with two busy processes | default {', '.join(f'{t:.2f}' for t in times['default'])} s "
          f"| one thread {', '.join(f'{t:.2f}' for t in times['one thread'])} s | median ratio {d / o:.2f} "
          "(target ≤ 1.25)")


def fit(X, y, budget, bias=False, reg="l1", lam=0.01):
    D = StreamingDictionary(X, reg, bias)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res, t = timed(lambda: solve_lasso(D, y, lam, fit_intercept=bias, tol=1e-8, max_iter=10_000,
                                           max_seconds=budget))
    return D, res, t


def exponent(x, t):
    return np.polyfit(np.log(x), np.log(t), 1)[0] if len(x) > 1 else float("nan")


def case_scaling(budget, max_n):
    print("scaling  p = 1, no bias, λ = 0.01, tol 1e-8; time to certify, full + local pricing passes, support")
    print(f"{'d':>2} {'target':>8} {'n':>5} {'columns':>12} {'seconds':>8} {'passes':>8} {'pricing s':>9} "
          f"{'support':>7} {'rel. gap':>9}")
    for d, sizes in ((3, (250, 500, 1000, 2000, 4000)), (4, (200, 500, 1000))):
        for kind in ("planted", "smooth", "noise"):
            ns, cols, ts = [], [], []
            for n in (n for n in sizes if n <= max_n):
                rng = np.random.default_rng(n)
                X = rng.normal(size=(n, d))
                y = target(kind, X, rng)
                D, res, t = fit(X, y, budget)
                full, local = sum(p.full for p in D.passes), sum(not p.full for p in D.passes)
                rel = res.gap / res.objective
                mark = "" if res.converged else "  NOT certified in the budget"
                print(f"{d:>2} {kind:>8} {n:>5} {D.n_columns:>12,} {t:>8.1f} {full:>4}+{local:<3} "
                      f"{sum(p.seconds for p in D.passes):>9.1f} {len(res.columns):>7} {rel:>9.1e}{mark}",
                      flush=True)
                if res.converged:
                    ns.append(n), cols.append(D.n_columns), ts.append(t)
            print(f"   d={d} {kind}: time ∝ n^{exponent(ns, ts):.2f}, ∝ columns^{exponent(cols, ts):.2f} "
                  f"(certified fits only)", flush=True)


_SPIRALS_FIT = """
import json, sys, time, warnings
from ganet.datasets import two_spirals
from ganet.numeric.oracles.streaming import StreamingDictionary
from ganet.numeric.solvers.lasso_working_set import solve_lasso
n, budget = int(sys.argv[1]), float(sys.argv[2])
X, y = two_spirals(n=n, turns=1.25)
D = StreamingDictionary(X, "l2", True)
warnings.simplefilter("ignore")
t = time.perf_counter()
res = solve_lasso(D, y, 5e-4, fit_intercept=True, tol=1e-8, max_iter=10_000, max_seconds=budget)
print(json.dumps(dict(seconds=time.perf_counter() - t, columns=D.n_columns, converged=bool(res.converged),
                      rel=res.gap / res.objective, support=len(res.columns), passes=sum(p.full for p in D.passes))))
"""


def spirals_fit(n, budget, source=None):
    """One spirals fit in a fresh process, with ganet imported from ``source`` (a checkout) if given."""
    env = dict(os.environ, **({"PYTHONPATH": source} if source else {}))
    out = subprocess.run([sys.executable, "-c", _SPIRALS_FIT, str(n), str(budget)], env=env, capture_output=True,
                         text=True, check=True, cwd=source or None)
    return json.loads(out.stdout.splitlines()[-1])


def case_spirals(budget, sizes, previous=None):
    """The spirals fits; with ``previous`` (a checkout of earlier code) each n runs there too,
    alternated with the current code, and the row shows both."""
    def show(label, r):
        return (f"{label} {r['seconds']:.1f} s {'certified' if r['converged'] else 'NOT certified'} rel. gap "
                f"{r['rel']:.1e}, {r['passes']} passes, support {r['support']}")

    times = {}
    for n in sizes:
        ours = spirals_fit(n, budget)
        row = f"spirals n={n} p=2 bias λ=5e-4 | {ours['columns']:,} columns | {show('ganet', ours)}"
        if previous:
            theirs = spirals_fit(n, budget, previous)
            row += f" | {show('previous', theirs)} | time ratio previous/ganet {theirs['seconds'] / ours['seconds']:.1f}"
        times[n] = ours["seconds"] if ours["converged"] else np.nan
        print(row, flush=True)
    for n in sizes:
        if n // 2 in times:
            print(f"spirals t({n})/t({n // 2}) = {times[n] / times[n // 2]:.1f} (columns ×{4 * (n - 1) / (n - 2):.1f}; "
                  "target ≤ 5)", flush=True)


def cells_fit(X, y, reg, bias, lam, cell_grid):
    D = StreamingDictionary(X, reg, bias, cell_grid=cell_grid, pricing="scan")  # cells bound scanned passes
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res, t = timed(lambda: solve_lasso(D, y, lam, fit_intercept=bias, tol=1e-8, max_iter=10_000))
    full = [p for p in D.passes if p.full]
    return dict(seconds=t, objective=res.objective, converged=res.converged, passes=len(full),
                pricing=sum(p.seconds for p in D.passes), last=full[-1].skipped / max(full[-1].visited, 1),
                all=sum(p.skipped for p in full) / max(sum(p.visited for p in full), 1), D=D)


def case_cells():
    X, y = two_spirals(n=300, turns=1.25)
    for grid in (None, 32):  # compile both kernels outside the timing
        cells_fit(X[:60], y[:60], "l2", True, 1e-2, grid)
    rng = np.random.default_rng(2000)
    X3 = rng.normal(size=(2000, 3))
    y3 = target("smooth", X3, rng)
    rng = np.random.default_rng(400)
    Xb = rng.normal(size=(400, 3))
    yb = target("smooth", Xb, rng)
    Xs, ys = two_spirals(n=1600, turns=1.25)
    rng = np.random.default_rng(1000)
    X4 = rng.normal(size=(1000, 4))
    y4 = target("smooth", X4, rng)
    cases = [(f"smooth d=3 n=2000 p=1 λ={lam:g}", X3, y3, "l1", False, lam) for lam in (1.0, 0.1, 0.01)]
    cases += [(f"smooth d=3 n=400 p=2 bias λ={lam:g}", Xb, yb, "l2", True, lam) for lam in (1.0, 0.1)]
    cases += [("spirals n=1600 p=2 bias λ=5e-4", Xs, ys, "l2", True, 5e-4)]
    cases += [("smooth d=4 n=1000 p=1 λ=1", X4, y4, "l1", False, 1.0)]  # 1.7·10⁸ hyperplanes
    print("cells  fits with cell bounds (auto) against the same fits without (cell_grid=None), alternated")
    for label, X, y, reg, bias, lam in cases:
        r0 = cells_fit(X, y, reg, bias, lam, None)
        r1 = cells_fit(X, y, reg, bias, lam, "auto")
        grid = r1["D"].cell_grid
        print(f"cells {label} | {r1['D'].n_hyperplanes:,} hyperplanes, grid G={grid.G if grid else '-'} | "
              f"without {r0['seconds']:.1f} s ({r0['pricing']:.1f} s pricing, {r0['passes']} full passes) | "
              f"with {r1['seconds']:.1f} s ({r1['pricing']:.1f} s pricing, {r1['passes']} full passes) | "
              f"skipped: last full pass {r1['last']:.1%}, all full passes {r1['all']:.1%} | "
              f"time ratio without/with {r0['seconds'] / r1['seconds']:.2f} | objective rel. diff "
              f"{(r1['objective'] - r0['objective']) / r0['objective']:.1e}"
              f"{'' if r0['converged'] and r1['converged'] else ' | NOT certified'}", flush=True)


def case_sweep(max_n):
    from ganet.numeric.oracles.streaming import pass_costs

    rng = np.random.default_rng(0)
    cases = [(f"spirals n={n} p=2 bias", *two_spirals(n=n, turns=1.25), "l2", True) for n in (800, 1600, 3200)]
    for n, d, reg, bias in [(2000, 3, "l1", False), (5000, 3, "l1", False), (10_000, 3, "l1", False),
                            (400, 3, "l1", True), (300, 4, "l1", False)]:
        X = rng.normal(size=(n, d))
        cases.append((f"smooth d={d} n={n} p={reg[1]}{' bias' if bias else ''}", X, target("smooth", X, rng), reg, bias))
    warm = rng.normal(size=(40, 3))
    for pricing in ("scan", "sweep"):  # compile / load outside the timing
        StreamingDictionary(warm, "l1", True, pricing=pricing).price(warm[:, 0], 1.0, 8)
    print("sweep  one full pass: scanned against swept, alternated (faster of two; one at n = 10,000)")
    for label, X, y, reg, bias in cases:
        if len(X) > max_n:
            continue
        R = y - y.mean()
        D = {p: StreamingDictionary(X, reg, bias, pricing=p, cell_grid=None) for p in ("scan", "sweep")}
        lam = 0.5 * D["sweep"].price(R).max_score
        times = {"scan": [], "sweep": []}
        for _ in range(1 if len(X) >= 10_000 else 2):
            for p in ("scan", "sweep"):
                res, t = timed(lambda: D[p].price(R, lam, 1000))
                times[p].append(t)
                D[p].last = res
        scan, sweep = min(times["scan"]), min(times["sweep"])
        est_scan, est_sweep = pass_costs(len(X), X.shape[1], reg, bias)
        auto = StreamingDictionary(X, reg, bias).pricing
        diff = abs(D["sweep"].last.max_score - D["scan"].last.max_score) / D["scan"].last.max_score
        print(f"sweep {label} | {D['scan'].n_hyperplanes:,} hyperplanes | scan {scan:.3f} s | sweep {sweep:.3f} s | "
              f"scan/sweep {scan / sweep:.2f} (estimated {est_scan / est_sweep:.2f}) | auto: {auto} | "
              f"max score rel. diff {diff:.1e}", flush=True)


def case_baselines(sklearn_seconds):
    import cvxpy as cp
    from sklearn.linear_model import Lasso

    X, y = two_spirals(n=160, turns=1.25)
    lam = 1e-3
    res, t = timed(lambda: solve_lasso(Dictionary(X, "l2", True), y, lam, tol=1e-8))
    K = Dictionary(X, "l2", True).materialize()

    def clarabel():
        z, b = cp.Variable(K.shape[1]), cp.Variable()
        prob = cp.Problem(cp.Minimize(0.5 * cp.sum_squares(K @ z + b - y) + lam * cp.norm1(z)))
        prob.solve(solver="CLARABEL")
        return prob.value

    ref, tc = timed(clarabel)
    print(f"baseline spirals n=160 | ganet {t:.2f} s | cvxpy+Clarabel {tc:.2f} s | ratio {tc / t:.0f}× | "
          f"objective rel. diff {(ref - res.objective) / res.objective:.1e}", flush=True)
    rng = np.random.default_rng(0)
    X = rng.normal(size=(300, 3))
    y = np.sin(2 * X.sum(axis=1)) + 0.1 * rng.normal(size=300)
    lam = 0.01
    res, t = timed(lambda: solve_lasso(Dictionary(X, "l1", False), y, lam, fit_intercept=False, tol=1e-8))
    K = Dictionary(X, "l1", False).materialize()
    # sklearn's objective is (½‖Kz − y‖² + λ‖z‖₁)/n; warm-started chunks of 100 epochs
    model = Lasso(alpha=lam / len(y), fit_intercept=False, tol=1e-12, max_iter=100, warm_start=True)
    goal, elapsed, P = res.objective * (1 + 1e-6), 0.0, np.inf
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        while elapsed < sklearn_seconds and P > goal:
            _, dt = timed(lambda: model.fit(K, y))
            elapsed += dt
            r = y - K @ model.coef_
            P = 0.5 * r @ r + lam * np.abs(model.coef_).sum()
    print(f"baseline gaussian n=300 d=3 | ganet {t:.2f} s | sklearn Lasso {elapsed:.0f} s, rel. excess "
          f"{(P - res.objective) / res.objective:.1e} | ratio {'' if P <= goal else '≥ '}{elapsed / t:.0f}×",
          flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", default="pass,threads,scaling,spirals,baselines")
    parser.add_argument("--load", action="store_true", help="two busy processes beside the run")
    parser.add_argument("--budget", type=float, default=600.0, help="seconds per fit")
    parser.add_argument("--sklearn-seconds", type=float, default=600.0)
    parser.add_argument("--max-n", type=int, default=4000, help="largest n in the scaling case")
    parser.add_argument("--sweep-max-n", type=int, default=10_000, help="largest n in the sweep case")
    parser.add_argument("--spirals", default="200,400,800,1600,3200", help="sizes of the spirals case")
    parser.add_argument("--previous", help="a checkout of earlier ganet: the spirals case runs it too, alternated")
    args = parser.parse_args()
    cases = args.cases.split(",")
    print(f"# {'with two busy processes' if args.load else 'idle'}; {os.cpu_count()} CPUs", flush=True)
    with busy(args.load):
        if "pass" in cases:
            case_pass()
        if "scaling" in cases:
            case_scaling(args.budget, args.max_n)
        if "spirals" in cases:
            case_spirals(args.budget, [int(n) for n in args.spirals.split(",")], args.previous)
        if "cells" in cases:
            case_cells()
        if "sweep" in cases:
            case_sweep(args.sweep_max_n)
        if "baselines" in cases:
            case_baselines(args.sklearn_seconds)
    if "threads" in cases:
        case_threads()  # brings its own co-load


if __name__ == "__main__":
    main()
