"""Pricing passes on a Dask cluster (optional: ``pip install ganet[dask]``).

The pricing pass is the part of a fit that grows like n^d (two-layer) or faster (deep families). Its blocks (unions of whole
round-robin groups, see :meth:`~ganet.numeric.oracles.engine.PricingEngine._scan`) are split into contiguous ranges, one
task per range; each worker scans its range with the same kernel and returns the heaps of its
groups, and the client assembles them — the same arrays a local pass fills, so the violators,
the maximum score and the certificate are bit for bit those of the local pass. (A swept pass,
:mod:`~ganet.numeric.oracles.sweep`, maps the block ranges to ranges of its sweep tasks, each with
heaps of its own, and is assembled the same way.)

Use it through an estimator, ``ConvexReLU(..., client=dask.distributed.Client(...))``, or by
setting ``dictionary.client``. dask is imported only here, and only when a client is given.
"""

import numpy as np

__all__ = ["scan_on_cluster"]


def _scan_task(dictionary, args, blocks):
    """Worker side: one block range of the pass, with numba on one thread per worker task."""
    return dictionary._scan(*args, blocks=blocks)


def scan_on_cluster(dictionary, args, client, tasks_per_worker=2):
    """Run ``dictionary._scan(*args)`` as block-range tasks on ``client``; merged result."""
    n_workers = max(len(client.scheduler_info().get("workers", {})), 1)
    n_tasks = min(dictionary.n_blocks, tasks_per_worker * n_workers)
    bounds = np.linspace(0, dictionary.n_blocks, n_tasks + 1).astype(int)
    client_copy = dictionary.client
    dictionary.client = None  # the workers' copies scan locally
    try:
        [remote] = client.scatter([dictionary], broadcast=True)
        futures = [client.submit(_scan_task, remote, args, (int(b0), int(b1)), pure=False)
                   for b0, b1 in zip(bounds[:-1], bounds[1:]) if b1 > b0]
        parts = client.gather(futures)
    finally:
        dictionary.client = client_copy
    top_priority, top_column = parts[0][0].copy(), parts[0][1].copy()
    for tp, tc, *_ in parts[1:]:
        filled = (tc >= 0).any(axis=1)  # groups with entries: only the task that scanned them
        top_priority[filled], top_column[filled] = tp[filled], tc[filled]
    best = max(p[2] for p in parts)
    visited = sum(p[3] for p in parts)
    bad = any(p[4] for p in parts)
    uncertain = sum(p[5] for p in parts)
    skipped = sum(p[6] for p in parts)
    return top_priority, top_column, best, visited, bad, uncertain, skipped
