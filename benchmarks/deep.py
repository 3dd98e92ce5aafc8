"""Deep benchmark: dictionary sizes and certified fit times, the certified optimum against Adam, and
the lifted (reflection) pricing kernel against numpy matmul, all measured in the same run.

Cases (``--cases``, comma-separated):

``sizes``
    Deep narrow |·| networks of depth L = 2, 3, 4 (β = 0.01, target sin(2Σx) + 0.1 noise) in 1-D
    at n = 25, 50, 100, 200 and in 2-D at n = 10, 20, 40, and three-layer ReLU (with first-layer
    bias) in 2-D: columns of the full lifted dictionary, seconds to certify, pricing passes
    (full + local), support and relative gap. Sizes whose pricing pass exceeds 5e9
    point-column products are skipped (printed as such).
``adam``
    The certified optimum against the best of k = 10 Adam restarts (numpy, width 16, 3000 steps,
    cosine-decayed step: ``ganet.adam``) of the same network on the same objective (eq. 2): the
    ratio best Adam / certified (≥ 1 up to rounding if the certificate is right) and the time
    ratio (all restarts / certified fit).
``pass``
    One full pricing pass of the abs3 (reflection) dictionary — 1-D, n = 1000 (9.0 M columns)
    and 2-D, n = 150 (30.8 M columns) — and of the three-layer ReLU dictionary (2-D, n = 150),
    against numpy ``A @ B`` of the same shape (n × D by D × columns, in chunks into one buffer):
    point-column products per second and the ratio.

``--load`` runs everything with two busy processes beside it.

Run: .venv/bin/python benchmarks/deep.py [--cases sizes,adam,pass] [--load]
"""

import argparse
import os
import time

import numpy as np
from scale import busy, timed

from ganet import DeepNarrowAbs, ThreeLayerReLU
from ganet.adam import train_deep_abs, train_relu3
from ganet.numeric.oracles.families import abs_chain, relu3
from ganet.numeric.oracles.lifted import LiftedDictionary, count_lifted

MAX_WORK = 5e9


def data(n, d, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.uniform(-2, 2, size=(n, d))
    return X, np.sin(2 * X.sum(axis=1)) + 0.1 * rng.normal(size=n)


def model(kind, depth):
    return ThreeLayerReLU(lam=0.01, bias=True) if kind == "relu3" else DeepNarrowAbs(depth=depth, lam=0.01)


def case_sizes():
    print("sizes  β = 0.01, tol 1e-8: columns, seconds to certify, full + local passes, support, rel. gap")
    print(f"{'network':>12} {'d':>2} {'n':>4} {'columns':>13} {'seconds':>8} {'passes':>7} {'support':>7} {'rel. gap':>9}")
    grid = [("abs", L, 1, (25, 50, 100, 200)) for L in (2, 3, 4)]
    grid += [("abs", L, 2, (10, 20, 40)) for L in (2, 3, 4)] + [("relu3", 3, 2, (10, 20, 40))]
    for kind, L, d, sizes in grid:
        fam = relu3(True) if kind == "relu3" else abs_chain(L)
        name = "relu3+bias" if kind == "relu3" else f"|·| L={L}"
        for n in sizes:
            columns = 2 * fam.kinds * count_lifted(n, d, fam)
            if columns * n > MAX_WORK:
                print(f"{name:>12} {d:>2} {n:>4} {columns:>13,}   skipped: {columns * n:.1e} products per pass")
                continue
            X, y = data(n, d)
            m, t = timed(lambda: model(kind, L).fit(X, y))
            passes = m.dictionary_.passes
            full = sum(p.full for p in passes)
            print(f"{name:>12} {d:>2} {n:>4} {m.dictionary_.n_columns:>13,} {t:>8.2f} {full:>3}+{len(passes) - full:<3} "
                  f"{len(m.neurons_):>7} {m.dual_gap_ / m.objective_:>9.1e}", flush=True)


def case_adam(k=10, width=16, steps=3000):
    print(f"adam  certified optimum vs best of {k} Adam restarts (width {width}, {steps} steps), same objective")
    print(f"{'network':>12} {'d':>2} {'n':>4} {'certified':>11} {'best Adam':>11} {'ratio':>7} {'fit s':>7} "
          f"{'Adam s':>7} {'time ratio':>10}")
    for kind, L, d, n in (("abs", 2, 1, 30), ("abs", 3, 1, 30), ("abs", 4, 1, 20), ("abs", 3, 2, 20),
                          ("relu3", 3, 2, 20)):
        X, y = data(n, d, seed=1)
        m, t_fit = timed(lambda: model(kind, L).fit(X, y))
        if kind == "relu3":
            runs, t_adam = timed(lambda: [train_relu3(X, y, width, 0.01, bias=True, steps=steps, lr=2e-2, seed=s)[1][-1]
                                          for s in range(k)])
        else:
            runs, t_adam = timed(lambda: [train_deep_abs(X, y, L, width, 0.01, steps=steps, lr=2e-2, seed=s)[1][-1]
                                          for s in range(k)])
        name = "relu3+bias" if kind == "relu3" else f"|·| L={L}"
        print(f"{name:>12} {d:>2} {n:>4} {m.objective_:>11.6g} {min(runs):>11.6g} {min(runs) / m.objective_:>7.4f} "
              f"{t_fit:>7.2f} {t_adam:>7.2f} {t_adam / t_fit:>10.1f}", flush=True)


def case_pass():
    rng = np.random.default_rng(0)
    for fam, n, d in ((abs_chain(3), 1000, 1), (abs_chain(3), 150, 2), (relu3(True), 150, 2)):
        X, r = rng.normal(size=(n, d)), rng.normal(size=n)
        D = LiftedDictionary(X, fam)
        D.price(r, 1.0, 64)  # load the compiled kernel outside the timing
        t = min(timed(lambda: D.price(r, 1.0, 64))[1] for _ in range(3))
        chunk = 20_000
        A, B = rng.normal(size=(n, D.D)), rng.normal(size=(D.D, chunk))
        out = np.empty((n, chunk))
        chunks = int(np.ceil(D.n_columns / chunk))

        def matmul():
            for _ in range(chunks):
                np.matmul(A, B, out=out)

        matmul()
        tm = min(timed(matmul)[1] for _ in range(3))
        ours, theirs = D.n_columns * n / t, chunks * chunk * n / tm
        print(f"pass  {fam.name} d={d} n={n} | {D.n_columns:,} columns | ganet {t:.2f} s = {ours / 1e9:.2f} G "
              f"point×column/s (lifted normal, φ, both correlations) | numpy A@B (n × {D.D} by {D.D} × "
              f"columns) {tm:.2f} s = {theirs / 1e9:.2f} G entries/s | ratio {ours / theirs:.2f}", flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", default="sizes,adam,pass")
    parser.add_argument("--load", action="store_true", help="two busy processes beside the run")
    args = parser.parse_args()
    cases = args.cases.split(",")
    print(f"# {'with two busy processes' if args.load else 'idle'}; {os.cpu_count()} CPUs; "
          f"{time.strftime('%Y-%m-%d %H:%M')}", flush=True)
    with busy(args.load):
        if "pass" in cases:
            case_pass()
        if "sizes" in cases:
            case_sizes()
        if "adam" in cases:
            case_adam()


if __name__ == "__main__":
    main()
