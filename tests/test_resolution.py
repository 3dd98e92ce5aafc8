"""Exact resolution follows the passes that need it (ganet.numeric.oracles.resolution).

A pass over a list of subsets (a local round) resolves only the uncertain subsets in its list; a
full pass resolves all of them, stops at its deadline (and then certifies nothing), and resumes.
Before this, the first local round of a fit swept the whole dictionary with no deadline: a
150 × 3 three-layer ReLU fit with bias and a 1 s budget ran 37–41 s in about half the runs
(349 M subsets swept, 56,325 uncertain, none of them a neuron), which failed CI's budget test.

Every expected score comes from the independent enumerations of tests/reference.py, which solve
each subset in rational arithmetic."""

import time
from types import SimpleNamespace

import numpy as np
import pytest

from ganet.numeric.oracles import resolution
from ganet.numeric.oracles.families import relu3
from ganet.numeric.oracles.lifted import LiftedDictionary
from ganet.numeric.oracles.streaming import StreamingDictionary
from tests.reference import exact_dictionary, relu3_dictionary

GRID = np.array([[i, j] for i in range(3) for j in range(3)], dtype=float)


def _lifted(case):
    if case == "far":  # bias-free three-layer ReLU far from the origin
        return np.random.default_rng(0).uniform(-1, 1, (6, 2)) + 1e6, False
    if case == "grid twice":  # every point repeated: many exactly dependent subsets
        return np.repeat(GRID, 2, axis=0), True
    return np.repeat(GRID, 2, axis=0) + 1e6, False


def _streaming(reg):
    grid = np.array([[i, j, k] for i in range(3) for j in range(3) for k in range(2)], dtype=float)
    eps = 1e-9 if reg == "l1" else 1e-7  # every point and a near twin
    return np.concatenate([grid, grid + eps * np.random.default_rng(0).normal(size=grid.shape)])


CASES = ([("lifted", c) for c in ("far", "grid twice", "grid twice, far")]
         + [("streaming", r) for r in ("l1", "l2")])


def _dictionary(kind, case):
    """(oracle, independent K) for one case."""
    if kind == "lifted":
        X, bias = _lifted(case)
        return LiftedDictionary(X, relu3(bias)), relu3_dictionary(X, bias)
    X = _streaming(case)
    return StreamingDictionary(X, case, True), exact_dictionary(X, 1 if case == "l1" else 2, True)


@pytest.mark.parametrize("kind, case", CASES)
def test_a_list_pass_resolves_only_its_list_and_a_full_pass_covers_every_column(kind, case):
    D, K = _dictionary(kind, case)
    R = np.random.default_rng(1).standard_normal(K.shape[0])
    listed = np.arange(0, D.n_subsets, 7)
    D.price(R, 0.0, 10, hyperplanes=listed)
    assert D.resolution.swept == 0  # (the old code swept all D.n_subsets here)
    assert np.isin(D.resolution.checked, listed).all()

    late = D.price(R, 0.0, 10, deadline=time.perf_counter() - 1.0)
    assert not late.full and D.resolution.swept < D.n_subsets  # no certificate from a cut pass

    full = D.price(R, 0.0, 10)
    assert full.full and D.resolution.complete
    assert len(D.resolution.checked) > 0  # the case does exercise the exact resolution
    rel = 1e-9 if case == "l2" else 1e-12
    assert full.max_score == pytest.approx(np.abs(K.T @ R).max(), rel=rel)


@pytest.mark.parametrize("kind, case", CASES)
def test_a_list_pass_finds_the_same_resolved_neurons_as_the_full_sweep(kind, case):
    D, _ = _dictionary(kind, case)
    listed = np.random.default_rng(2).choice(D.n_subsets, D.n_subsets // 3, replace=False)
    among_ranks, among_rows = D.resolution.among(listed)
    D.resolution.sweep()
    ranks, rows = D.resolution.select(listed)
    np.testing.assert_array_equal(among_ranks, ranks)
    np.testing.assert_array_equal(among_rows, rows)


def test_a_sweep_stops_at_its_deadline_and_resumes_where_it_stopped(monkeypatch):
    X, bias = _lifted("grid twice")
    D = LiftedDictionary(X, relu3(bias))
    calls = []
    find = D.resolution.find
    D.resolution.find = lambda first, last, ranks: calls.append((first[0], last[-1])) or find(first, last, ranks)
    monkeypatch.setattr(resolution, "SWEEP_SLICE", 1000)
    clock = iter([0.0, 2.0])  # one slice starts before the deadline 1.0, the next after it
    monkeypatch.setattr(resolution, "time", SimpleNamespace(perf_counter=lambda: next(clock)))
    assert not D.resolution.sweep(deadline=1.0)
    assert D.resolution.swept == 1000 and calls == [(0, 1000)]
    monkeypatch.undo()
    monkeypatch.setattr(resolution, "SWEEP_SLICE", 1000)
    assert D.resolution.sweep()
    assert calls[1] == (1000, 2000) and calls[-1][1] == D.n_subsets
    reference = LiftedDictionary(X, relu3(bias)).resolution
    reference.sweep()
    np.testing.assert_array_equal(D.resolution.ranks, reference.ranks)
    np.testing.assert_array_equal(D.resolution.checked, reference.checked)
