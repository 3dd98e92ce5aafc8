"""Codegen benchmark: throughput (dictionary entries per second) of a compiled feature kernel
against two baselines evaluating the same closed form, in the same run:

* ``sympy.lambdify(expr, "numpy")`` of the same sympy expression, used two ways: called once per
  column on the vector of points (the call pattern of a column oracle, the same as the compiled
  kernel's), and called once on broadcast arrays (points × columns, its fastest use, at the price
  of materializing every intermediate of the block);
* per-entry evaluation with clifford multivectors: ((x − a) ∧ v₁ ∧ ⋯) I⁻¹ and ‖v₁ ∧ ⋯‖_p, one
  entry at a time (timed on a sample, scaled to entries per second).

Targets (issue #4): compiled ≥ 20× lambdify and ≥ 1000× clifford. Both sides write a float64
entry to memory, so at small d the compiled kernel (a few ns per entry) is bounded by memory
bandwidth and the ratio against numpy-vectorized lambdify is bounded too; the table reports it
as measured.
Run: .venv/bin/python benchmarks/codegen.py
"""

import time
from functools import lru_cache

import clifford
import numpy as np
import sympy as sp

from ganet.symbolic.codegen import kernel
from ganet.symbolic.features import FAMILIES, coordinate_symbols


def best_of(f, repeat=3):
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        out = f()
        times.append(time.perf_counter() - t)
    return out, min(times)


def compiled_columns(k, X, A, V, S):
    """The block Kᵀ (columns × points), one kernel call per column."""
    out = np.empty((len(S), X.shape[0]))
    for j in range(len(S)):
        k.func(X, A[j], V[j], S[j], out[j])
    return out


def lambdify_columns(f, X, A, V, S):
    d = X.shape[1]
    xs = [X[:, q] for q in range(d)]
    out = np.empty((len(S), X.shape[0]))
    for j in range(len(S)):
        out[j] = f(*xs, *A[j], *V[j].ravel(), S[j])
    return out


def lambdify_broadcast(f, X, A, V, S):
    n, d = X.shape
    args = [X[None, :, q] for q in range(d)] + [A[:, q, None] for q in range(d)]
    args += [V[:, r, q, None] for r in range(d - 1) for q in range(d)] + [S[:, None]]
    return np.broadcast_to(f(*args), (len(S), n))


@lru_cache(maxsize=None)
def clifford_layout(d):
    """One layout per d: clifford JIT-compiles its products per layout, once."""
    return clifford.Cl(d)


def clifford_entries(fam, X, A, V, S, entries):
    n, d = X.shape
    layout, blades = clifford_layout(d)
    e = [blades[f"e{q + 1}"] for q in range(d)]
    I_inv = layout.pseudoScalar.inv()
    out = []
    for i, j in entries:
        vec = lambda u: sum((float(u[q]) * e[q] for q in range(d)), 0 * e[0])  # noqa: E731
        gens = layout.scalar * 1.0
        for r in range(d - 1):
            gens = gens ^ vec(V[j, r])
        point = vec(X[i] - A[j]) if fam.bias else vec(X[i])
        vol = float(((point ^ gens) * I_inv)[()])
        norm = np.abs(gens.value).sum() if fam.p == 1 else np.sqrt((gens.value ** 2).sum())
        out.append(max(0.0, S[j] * vol) / norm)
    return np.array(out)


def main(n=2000, columns=2000, sample=200):
    rng = np.random.default_rng(0)
    print(f"entries per second; n = {n} points × {columns} columns; clifford on {sample} sampled entries")
    print(f"{'family':14s} {'d':>2s} | {'compiled M/s':>12s} {'lambdify/col':>12s} {'lambdify/blk':>12s} "
          f"{'clifford k/s':>12s} | {'vs lamb/col':>11s} {'vs lamb/blk':>11s} {'vs clifford':>11s} | max |diff|")
    for name in ("relu_l1", "relu_l2_bias"):
        fam = FAMILIES[name]
        for d in (2, 3, 4, 6):
            X = rng.normal(size=(n, d))
            A = rng.normal(size=(columns, d))
            V = rng.normal(size=(columns, d - 1, d))
            S = rng.choice([-1.0, 1.0], size=columns)
            k = kernel(name, d)
            x, a, Vs, s = coordinate_symbols(d)
            f = sp.lambdify(list(x) + list(a) + list(Vs) + [s], fam.feature(d), "numpy")
            compiled_columns(k, X[:2], A[:2], V[:2], S[:2])  # compile / load outside the timing
            Kc, tc = best_of(lambda: compiled_columns(k, X, A, V, S))
            Kl, tl = best_of(lambda: lambdify_columns(f, X, A, V, S))
            Kb, tb = best_of(lambda: lambdify_broadcast(f, X, A, V, S))
            entries = list(zip(rng.integers(0, n, sample), rng.integers(0, columns, sample)))
            clifford_entries(fam, X, A, V, S, entries[:3])  # clifford's own JIT warm-up
            Kg, tg = best_of(lambda: clifford_entries(fam, X, A, V, S, entries), repeat=1)
            rows, cols = np.array(entries).T
            diff = max(np.abs(Kc - Kl).max(), np.abs(Kc - Kb).max(), np.abs(Kc[cols, rows] - Kg).max())
            rc, rl, rb, rg = n * columns / tc, n * columns / tl, n * columns / tb, sample / tg
            print(f"{name:14s} {d:2d} | {rc / 1e6:12.1f} {rl / 1e6:12.1f} {rb / 1e6:12.1f} {rg / 1e3:12.2f} | "
                  f"{rc / rl:11.1f} {rc / rb:11.1f} {rc / rg:11.0f} | {diff:.1e}")


if __name__ == "__main__":
    main()
