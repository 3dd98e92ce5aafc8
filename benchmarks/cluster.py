"""Cluster benchmark: one streaming pricing pass (n = 2000, d = 3, p = 1, 2.0 M hyperplanes) run
locally (numba threads on this machine's CPUs) and on a Dask LocalCluster with 1 and 2 worker
processes of one thread each; pass seconds (best of 3, after a warm-up pass that ships the
dictionary and loads the kernels) and the ratio to the local pass, and a check that every
cluster pass equals the local one bit for bit.

Run: .venv/bin/python benchmarks/cluster.py   (needs ganet[dask])
"""

import os
import time

import numpy as np
from dask.distributed import Client, LocalCluster

from ganet.numeric.oracles.streaming import StreamingDictionary


def best_of(f, repeats=3):
    out = []
    for _ in range(repeats):
        t = time.perf_counter()
        f()
        out.append(time.perf_counter() - t)
    return min(out)


def main():
    rng = np.random.default_rng(0)
    X, r = rng.normal(size=(2000, 3)), rng.normal(size=2000)
    D = StreamingDictionary(X, "l1", False)
    reference = D.price(r, 1.0, 64)
    local = best_of(lambda: D.price(r, 1.0, 64))
    print(f"# {os.cpu_count()} CPUs; {D.n_hyperplanes:,} hyperplanes × {len(X)} points per pass")
    print(f"{'where':>26} {'pass s':>7} {'vs local':>8} {'same result':>11}")
    print(f"{'local (numba threads)':>26} {local:>7.2f} {1.0:>8.2f} {'—':>11}")
    for workers in (1, 2):
        with LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                          dashboard_address=None) as cluster, Client(cluster) as client:
            D.client = client
            D.price(r, 1.0, 64)
            t = best_of(lambda: D.price(r, 1.0, 64))
            res = D.price(r, 1.0, 64)
            D.client = None
        same = (res.max_score == reference.max_score and np.array_equal(res.columns, reference.columns))
        print(f"{f'LocalCluster, {workers} worker(s)':>26} {t:>7.2f} {t / local:>8.2f} {str(same):>11}", flush=True)


if __name__ == "__main__":
    main()
