"""Matrix-free pricing at scale: rank/unrank, every column visited once, the streaming optimum and
certificate equal to the materialized ones, honest certificates, sampling and the memory guard."""

import os
import warnings
from itertools import combinations
from math import comb

import numba
import numpy as np
import pytest
from sklearn.exceptions import ConvergenceWarning

from ganet import ConvexReLU
from ganet.numeric.oracles.combinations import (binomial_table, next_colex, rank_colex, sorted_difference,
                                                sorted_unique, unrank_colex)
from ganet.numeric.oracles.sampling import SampledDictionary
from ganet.numeric.oracles.streaming import StreamingDictionary
from ganet.numeric.oracles.two_layer import Dictionary, HyperplaneIndex, count_hyperplanes, round_robin, table_bytes
from ganet.numeric.runtime.memory import MemoryLimitError
from ganet.numeric.solvers.lasso_working_set import dual_gap, solve_lasso


def _data(seed, n, d):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, d))
    return X, np.sin(2 * X.sum(axis=1)) + 0.2 * rng.normal(size=n)


@pytest.mark.parametrize("n, k", [(1, 0), (1, 1), (5, 2), (7, 3), (9, 4), (12, 6), (30, 2)])
def test_rank_and_unrank_round_trip_in_colex_order(n, k):
    T = binomial_table(n, max(k, 1))
    c = np.arange(k, dtype=np.int64)
    seen = []
    for r in range(comb(n, k)):
        out = np.empty(k, dtype=np.int64)
        unrank_colex(r, k, T, out)
        assert np.array_equal(out, c), r  # unranking r gives the r-th subset of the colex walk
        assert rank_colex(out, T) == r
        seen.append(tuple(out))
        more = next_colex(c, n)
        assert more == (r + 1 < comb(n, k))
    assert sorted(seen) == sorted(combinations(range(n), k))  # every subset exactly once


def test_large_ranks_unrank_without_enumerating():
    n, k = 100_000, 3
    T = binomial_table(n, k)
    c = np.array([12, 4_567, 99_998], dtype=np.int64)
    r = rank_colex(c, T)
    out = np.empty(k, dtype=np.int64)
    unrank_colex(r, k, T, out)
    assert np.array_equal(out, c)
    with pytest.raises(OverflowError):
        binomial_table(10 ** 7, 6)


@pytest.mark.parametrize("reg, bias, n, d", [("l1", False, 7, 3), ("l1", True, 6, 3), ("l2", True, 7, 2),
                                             ("l1", True, 5, 4), ("l1", False, 6, 1)])
def test_hyperplane_index_lists_every_subset_once(reg, bias, n, d):
    p = 1 if reg == "l1" else 2
    index = HyperplaneIndex(n, d, p, bias)
    rows = [tuple(r) for r in index.rows(np.arange(index.n_hyperplanes))]
    assert len(rows) == len(set(rows)) == index.n_hyperplanes
    # brute force: anchors × generator subsets of the family
    expected = set()
    for m in range(0, d + 1):
        b = (d - m) if bias else (d - 1 - m)
        if b < 0 or (p == 2 and b > 0) or (bias and m == 0):
            continue
        for P in combinations(range(n), m):
            for B in combinations(range(n, n + d), b):
                expected.add(P + B if bias else (-1,) + P + B)
    assert set(rows) == expected


def _generator_sets(index):
    """(data subset, axis subset) of every hyperplane, from its rows (anchor included with bias)."""
    out = []
    for row in index.rows(np.arange(index.n_hyperplanes)):
        data = frozenset(int(g) for g in row if 0 <= g < index.n)
        out.append((data, frozenset(int(g) for g in row[1:] if g >= index.n)))
    return out


@pytest.mark.parametrize("reg, bias, n, d", [("l1", False, 7, 3), ("l1", True, 6, 3), ("l2", True, 7, 2),
                                             ("l1", False, 6, 4)])
def test_neighbors_are_the_hyperplanes_one_generator_away(reg, bias, n, d):
    index = HyperplaneIndex(n, d, 1 if reg == "l1" else 2, bias)
    sets = _generator_sets(index)

    def one_apart(a, b):
        (P, B), (P2, B2) = a, b
        return len(P) == len(P2) and len(B) == len(B2) and (
            (len(P ^ P2) == 2 and B == B2) or (P == P2 and len(B ^ B2) == 2))

    for t in range(index.n_hyperplanes):
        expected = [u for u in range(index.n_hyperplanes) if one_apart(sets[t], sets[u])]
        np.testing.assert_array_equal(index.neighbors([t]), expected)
    ids = np.array([0, index.n_hyperplanes // 2, index.n_hyperplanes - 1])
    union = set().union(*(set(index.neighbors([t]).tolist()) for t in ids)) - set(ids.tolist())
    assert index.neighbors(ids).tolist() == sorted(union)


def test_sorted_unique_and_difference_are_the_set_operations():
    """The sort-based replacements of np.unique and np.setdiff1d on rank arrays (repeats, empty
    arrays, ranks past 2³²) against Python's sets."""
    rng = np.random.default_rng(4)
    for size, high in [(0, 5), (1, 5), (40, 10), (300, 2 ** 40), (1000, 2 ** 62)]:
        a, b = rng.integers(0, high, size), rng.integers(0, high, size // 2)
        if size > 1:
            b[: size // 4] = a[: size // 4]  # (some shared entries)
        assert sorted_unique(a).tolist() == sorted(set(a.tolist()))
        assert sorted_difference(sorted_unique(a), sorted_unique(b)).tolist() == sorted(set(a.tolist()) - set(b.tolist()))


@pytest.mark.parametrize("threads", [1, 2])
def test_pricing_a_list_of_hyperplanes_prices_exactly_those(threads):
    X, y = _data(3, 12, 3)
    R = (y - y.mean())[:, None]
    streaming = StreamingDictionary(X, "l1", True, n_blocks=4)
    ranks = np.random.default_rng(0).choice(streaming.n_hyperplanes, 60, replace=False)
    old = numba.get_num_threads()
    numba.set_num_threads(threads)
    try:
        result = streaming.price(R, lam=0.0, k=120, hyperplanes=ranks)
    finally:
        numba.set_num_threads(old)
    assert not result.full and result.visited == len(ranks)
    columns = np.concatenate([2 * ranks, 2 * ranks + 1])
    scores = np.abs(streaming.materialize(columns).T @ R)[:, 0]  # dense numpy, not the kernel
    assert set(result.columns.tolist()) <= set(columns.tolist())
    # with λ = 0 every column with a non-zero score is returned (zero up to rounding: left out)
    returned = np.abs(streaming.materialize(result.columns).T @ R)[:, 0]
    assert set(result.columns[returned > 1e-9].tolist()) == set(columns[scores > 1e-9].tolist())
    assert result.max_score == pytest.approx(scores.max(), rel=1e-12)


def test_local_rounds_reach_the_same_certified_optimum():
    X, y = _data(4, 80, 4)
    plain, local = StreamingDictionary(X, "l1", False), StreamingDictionary(X, "l1", False)
    a = solve_lasso(plain, y, 5e-2, fit_intercept=False, tol=1e-10, local_rounds=0)
    b = solve_lasso(local, y, 5e-2, fit_intercept=False, tol=1e-10, min_add=32)
    assert any(not p.full for p in local.passes) and all(p.full for p in plain.passes)
    assert a.converged and b.converged
    assert b.objective == pytest.approx(a.objective, rel=1e-9)
    assert b.gap <= 1e-10 * b.objective


@pytest.mark.parametrize("threads", [1, 2])
@pytest.mark.parametrize("reg, bias, n, d", [("l1", False, 9, 3), ("l1", True, 8, 2), ("l2", True, 9, 2),
                                             ("l1", True, 6, 4)])
def test_a_pricing_pass_visits_every_column_exactly_once(reg, bias, n, d, threads):
    X, y = _data(0, n, d)
    R = (y - y.mean())[:, None]
    stored = Dictionary(X, reg, bias)
    streaming = StreamingDictionary(X, reg, bias, n_blocks=5)
    old = numba.get_num_threads()
    numba.set_num_threads(threads)
    try:
        result = streaming.price(R, lam=0.0, k=streaming.n_columns)
    finally:
        numba.set_num_threads(old)
    assert result.visited == stored.n_columns // 2  # the non-degenerate hyperplanes, once each
    assert len(np.unique(result.columns)) == len(result.columns)
    # with λ = 0 every column with a non-zero score is a violator: the multisets of scores agree
    # (columns that are zero up to rounding are left out on both sides)
    got = np.abs(streaming.materialize(result.columns).T @ R)[:, 0]
    scores = np.abs(stored.correlations(R)[:, 0])
    np.testing.assert_allclose(np.sort(got[got > 1e-9]), np.sort(scores[scores > 1e-9]), rtol=1e-12)
    assert result.max_score == pytest.approx(scores.max(), rel=1e-12)


@pytest.mark.parametrize("threads", [1, 2])
@pytest.mark.parametrize("reg, bias, n, d, lam", [("l1", False, 30, 3, 1e-2), ("l1", True, 25, 2, 1e-3),
                                                  ("l2", True, 30, 2, 1e-3)])
def test_streaming_and_materialized_paths_give_the_same_optimum_and_certificate(reg, bias, n, d, lam, threads):
    X, y = _data(1, n, d)
    old = numba.get_num_threads()
    numba.set_num_threads(threads)
    try:
        a = solve_lasso(Dictionary(X, reg, bias), y, lam, fit_intercept=bias, tol=1e-10)
        b = solve_lasso(StreamingDictionary(X, reg, bias), y, lam, fit_intercept=bias, tol=1e-10)
    finally:
        numba.set_num_threads(old)
    assert a.converged and b.converged
    assert b.objective == pytest.approx(a.objective, rel=1e-9)
    assert b.dual_objective == pytest.approx(a.dual_objective, rel=1e-9)
    # the streamed certificate equals one recomputed from the materialized dictionary
    D = Dictionary(X, reg, bias)
    Kb = StreamingDictionary(X, reg, bias).materialize(b.columns)
    R = y[:, None] - Kb @ b.coef - b.intercept
    yc = (y - y.mean() if bias else y)[:, None]
    _, _, gap = dual_gap(yc, R, b.coef, lam, np.abs(D.correlations(R)).max())
    # both are P − D with D = ½‖y‖² − ½‖y − θ‖²: rounding is relative to ½‖y‖², not to the gap;
    # the solver certifies the returned solution from its last pass plus a rigorous bound on how
    # far the residual moved, so its gap is an upper bound of the recomputed one, within tol
    rounding = 1e-12 * 0.5 * float(yc[:, 0] @ yc[:, 0])
    assert gap - rounding <= b.gap <= 1e-10 * b.objective


def test_corrupting_the_streamed_solution_raises_the_certified_gap():
    X, y = _data(2, 25, 3)
    S = StreamingDictionary(X, "l1", False)
    res = solve_lasso(S, y, 1e-2, fit_intercept=False, tol=1e-10)
    K = S.materialize(res.columns)
    gaps = []
    for shift in (0.0, 1e-3, 1e-1):
        coef = res.coef.copy()
        coef[0] += shift
        R = y[:, None] - K @ coef
        gaps.append(dual_gap(y[:, None], R, coef, 1e-2, S.price(R).max_score)[2])
    assert gaps[0] <= 1e-10 * res.objective < gaps[1] < gaps[2]


def test_estimator_switches_to_streaming_over_the_memory_limit_and_agrees():
    X, y = _data(3, 30, 4)  # in d = 4 the hyperplane table is far larger than any working set
    stored = ConvexReLU(reg="l1", bias=False, lam=1e-2, tol=1e-10).fit(X, y)
    just_below = table_bytes(count_hyperplanes(30, 4, "l1", False), 4) - 1
    small = ConvexReLU(reg="l1", bias=False, lam=1e-2, tol=1e-10, memory_limit=just_below).fit(X, y)
    assert type(stored.dictionary_).__name__ == "Dictionary"
    assert type(small.dictionary_).__name__ == "StreamingDictionary"
    assert small.objective_ == pytest.approx(stored.objective_, rel=1e-9)
    assert small.certificate_ == "global" and small.converged_
    assert small.report_["pricing_passes"] >= 1 and small.report_["peak_rss_mb"] > 0
    np.testing.assert_allclose(small.predict(X), stored.predict(X), atol=1e-6)


def test_memory_guard_raises_before_allocating():
    X, y = _data(4, 40, 3)
    with pytest.raises(MemoryLimitError, match="memory_limit"):
        ConvexReLU(reg="l1", bias=False, lam=1e-2, dictionary="stored", memory_limit=10_000).fit(X, y)
    with pytest.raises(MemoryLimitError, match="memory_limit"):  # a working set too large
        ConvexReLU(reg="l1", bias=False, lam=1e-2, memory_limit=1_000).fit(X, y)
    # a dictionary far too large to store: the streaming oracle is built in O(n d) memory
    big = StreamingDictionary(np.random.default_rng(0).normal(size=(100_000, 4)), "l1", False)
    assert big.n_columns > 10 ** 14
    with pytest.raises(MemoryLimitError):
        big.materialize(np.arange(10_000))


def test_regularization_path_is_warm_started_and_certified_per_value():
    X, y = _data(5, 30, 2)
    lams = [1e-1, 1e-3, 1e-2]
    path = ConvexReLU(reg="l1", bias=True, lam=lams, tol=1e-10).fit(X, y)
    assert [p["lam"] for p in path.path_] == sorted(lams, reverse=True)
    for p in path.path_:
        single = ConvexReLU(reg="l1", bias=True, lam=p["lam"], tol=1e-10).fit(X, y)
        assert p["converged"] and p["objective"] == pytest.approx(single.objective_, rel=1e-9)
    assert path.lam_ == 1e-3 and path.objective_ == pytest.approx(path.path_[-1]["objective"])


@pytest.mark.parametrize("method", ["subsets", "arrangement"])
def test_a_sampled_fit_never_reports_a_global_certificate(method):
    X, y = _data(6, 40, 2)
    full = ConvexReLU(reg="l1", bias=True, lam=1e-3, tol=1e-9).fit(X, y)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        sampled = ConvexReLU(reg="l1", bias=True, lam=1e-3, tol=1e-10, dictionary="sampled",
                             n_sampled=150, sampling=method, random_state=0).fit(X, y)
    assert sampled.certificate_ == "sampled: no global certificate"
    assert sampled.report_["certificate"] == "sampled: no global certificate"
    assert sampled.objective_ >= full.objective_ * (1 - 1e-12)  # a restriction of the full Lasso
    gap = sampled.certify(X, y)  # one full pricing pass: now a global gap, "global" iff within tol
    # above tol the sampled fit is still its sample's optimum: certify says so, not "not converged"
    assert sampled.certificate_ == ("global" if sampled.converged_ else "sampled optimum, global gap above tol")
    assert sampled.converged_ == (gap <= sampled.tol * sampled.objective_)
    assert sampled.objective_ - full.objective_ <= gap * (1 + 1e-9)


def test_sampled_dictionary_checks_its_arguments():
    X, _ = _data(7, 10, 2)
    with pytest.raises(ValueError, match="method"):
        SampledDictionary(X, method="grid")
    with pytest.raises(ValueError, match="n_hyperplanes"):
        SampledDictionary(X, n_hyperplanes=0)


def test_auto_streams_large_dictionaries_even_when_the_table_fits():
    X, y = _data(5, 60, 4)  # C(64, 3) = 41,664 hyperplanes: a 3 MB table, but streaming is faster
    model = ConvexReLU(reg="l1", bias=False, lam=5e-2, tol=1e-9).fit(X, y)
    assert type(model.dictionary_).__name__ == "StreamingDictionary" and model.converged_
    stored = ConvexReLU(reg="l1", bias=False, lam=5e-2, tol=1e-9, dictionary="stored").fit(X, y)
    assert model.objective_ == pytest.approx(stored.objective_, rel=1e-8)


def test_round_robin_takes_every_range_best_before_any_second_best():
    """Against a plain-Python reference: rank within each column range, then sort by
    (rank, −priority, column)."""
    rng = np.random.default_rng(6)
    # few groups (every rank by sorting past 8 ranks) and many (a few ranks scanned in numba)
    for n_columns, n_groups, m in ((1000, 7, 300), (100_000, 512, 3000)):
        columns = rng.choice(n_columns, m, replace=False)
        priority = rng.integers(0, 20, size=m).astype(float)  # many ties
        by_group = {}
        for c, p in zip(columns.tolist(), priority.tolist()):
            by_group.setdefault(c * n_groups // n_columns, []).append((-p, c))
        keyed = []
        for members in by_group.values():
            keyed += [(rank, p, c) for rank, (p, c) in enumerate(sorted(members))]
        expected = [c for _, _, c in sorted(keyed)]
        for k in (0, 5, 50, 300, 700, m, m + 10):
            got = columns[round_robin(columns, priority, k, n_columns, n_groups)]
            assert got.tolist() == expected[:k]


def test_local_violators_price_the_support_neighbourhood_only():
    X, y = _data(7, 40, 4)
    S = StreamingDictionary(X, "l1", False)
    around = np.array([10, 2 * 5000 + 1])
    near = S.local_violators(y[:, None], 1e-3, 10_000, around=around)
    allowed = S.index.neighbors(around // 2)
    assert len(near) and set((near // 2).tolist()) <= set(allowed.tolist())
    assert not set(near.tolist()) & set(around.tolist())
    assert not S.passes[-1].full
    # every violator among the neighbours is found: compare with a dense computation
    columns = np.concatenate([2 * allowed, 2 * allowed + 1])
    scores = np.abs(S.materialize(columns).T @ y)
    assert set(near.tolist()) == set(columns[scores > 1e-3 * (1 + 1e-12)].tolist()) - set(around.tolist())
    # a neighbourhood bound over a quarter of the dictionary: no local pricing
    big = np.arange(0, 2 * S.n_hyperplanes, 2 * S.n_hyperplanes // 200)
    assert S.local_violators(y[:, None], 1e-3, 10, around=big) is None


def test_report_peak_memory_is_the_fits_own():
    """A large allocation before the fit does not show in report_["peak_rss_mb"] (Linux)."""
    X, y = _data(9, 40, 2)
    before = np.ones((4000, 4000))  # 128 MB, resident
    held = float(before.sum())
    del before
    model = ConvexReLU(lam=1e-2).fit(X, y)
    assert held == 16e6
    report = model.report_
    if report["peak_rss_mb"] is not None and os.path.exists("/proc/self/clear_refs"):
        assert report["peak_rss_mb"] < report["rss_at_start_mb"] + 100
