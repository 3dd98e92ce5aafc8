"""The rotational sweep pass (ganet.numeric.oracles.sweep) against every column materialized.

The reference scores come from :meth:`materialize` (certified normals, then numpy), not from
either pricing kernel: a swept pass must find every violator with its priority and the largest
score over the whole dictionary, so that the certificate covers every column.
"""

import numpy as np
import pytest

from ganet.estimators.two_layer import _check_pass_work
from ganet.numeric.oracles.streaming import StreamingDictionary, pass_costs
from ganet.numeric.oracles.sweep import _angle_order


def _data(kind, n, d, rng):
    if kind == "gaussian":
        return rng.normal(size=(n, d))
    if kind == "grid":  # many exactly collinear and coplanar points, exact ties in the sweep
        return rng.integers(-2, 3, size=(n, d)).astype(float)
    if kind == "far":  # far from the origin: the bias-free families are nearly degenerate
        return rng.normal(size=(n, d)) + 40.0
    X = rng.normal(size=(n, d))  # duplicates and near-duplicates: degenerate and uncertain normals
    X[n // 2:] = X[: n - n // 2] + (1e-9 if kind == "near" else 0.0) * rng.normal(size=(n - n // 2, d))
    return X


def _materialized_pass(D, R, lam):
    """max score, and {column: priority} of the violators, from the materialized dictionary."""
    K = D.materialize()
    R2 = R.reshape(len(R), -1)
    scores = np.linalg.norm(K.T @ R2, axis=1)
    norms = np.linalg.norm(K, axis=0)
    viol = np.flatnonzero((scores > lam) & (norms > 0))
    return scores.max(), dict(zip(viol, (scores[viol] - lam) / norms[viol]))


CASES = [(kind, d, reg, bias) for kind in ("gaussian", "grid", "far", "duplicates", "near")
         for d in (2, 3, 4) for reg in ("l1", "l2") for bias in (True, False)]


@pytest.mark.parametrize("kind,d,reg,bias", CASES)
def test_a_swept_pass_scores_every_column_as_the_materialized_dictionary(kind, d, reg, bias):
    rng = np.random.default_rng(CASES.index((kind, d, reg, bias)))
    n = {2: 48, 3: 30, 4: 16}[d]
    X = _data(kind, n, d, rng)
    outputs = 2 if kind == "gaussian" and bias else 1
    R = rng.normal(size=(n, outputs)) if outputs > 1 else rng.normal(size=n)
    D = StreamingDictionary(X, reg, bias, pricing="sweep", n_groups=1)
    assert D.pricing == "sweep"
    lam = 0.6 * _materialized_pass(D, R, 0.0)[0]
    top, expected = _materialized_pass(D, R, lam)
    swept = D.price(R, lam, k=D.n_columns)
    assert swept.full
    assert swept.max_score == pytest.approx(top, rel=1e-12)
    found = dict(zip(swept.columns, swept.priorities))
    assert set(found) == set(expected)
    for j, priority in expected.items():
        assert found[j] == pytest.approx(priority, rel=1e-9, abs=1e-12)


@pytest.mark.parametrize("reg,bias", [("l2", True), ("l1", False), ("l1", True)])
def test_sweep_and_scan_agree_on_a_larger_pass_with_the_round_robin(reg, bias):
    rng = np.random.default_rng(4)
    X = rng.normal(size=(260, 2 if bias and reg == "l2" else 3))
    R = rng.normal(size=260)
    swept = StreamingDictionary(X, reg, bias, pricing="sweep")
    scanned = StreamingDictionary(X, reg, bias, pricing="scan", cell_grid=None)
    lam = 0.8 * scanned.price(R).max_score
    a, b = swept.price(R, lam, k=300), scanned.price(R, lam, k=300)
    assert a.max_score == pytest.approx(b.max_score, rel=1e-12)
    assert a.visited == b.visited
    assert np.array_equal(np.sort(a.columns), np.sort(b.columns))
    np.testing.assert_allclose(np.sort(a.priorities), np.sort(b.priorities), rtol=1e-9)


def test_angle_order_sorts_exactly_spread_and_clustered_keys():
    rng = np.random.default_rng(0)
    for keys in (rng.uniform(0, 2, 500), np.r_[np.full(200, 1.0), rng.uniform(0, 2, 50)],
                 np.round(rng.uniform(0, 2, 300), 2), np.array([2.0, 0.0, 1.0])):
        k = len(keys)
        order, start = np.empty(k, np.int64), np.empty(k + 1, np.int64)
        _angle_order(keys, k, order, start)
        assert np.array_equal(np.sort(order), np.arange(k))
        assert np.all(np.diff(keys[order]) >= 0)


def test_auto_sweeps_where_it_is_cheaper_and_raises_the_pass_limit():
    # the swept pass of 10,000 points in 3-D (5·10⁷ hyperplanes, no bias) costs a fraction of a scan
    scan_ns, sweep_ns = pass_costs(10_000, 3, "l1", False)
    assert sweep_ns < 0.2 * scan_ns
    _check_pass_work(10_000, 3, "l1", False)  # refused before the sweep (5·10¹¹ products)
    _check_pass_work(1000, 4, "l1", False)  # 1.7·10⁸ hyperplanes: about 45 s per pass, accepted
    _check_pass_work(1400, 4, "l1", False)  # about 113 s: within the two minutes
    # refused passes say how long they would take (pass_costs' rates), not "hours" for minutes
    with pytest.raises(ValueError, match=r"would take about 3 min on two idle cores"):
        _check_pass_work(1600, 4, "l1", False)
    with pytest.raises(ValueError, match=r"would take about \d+ h on two idle cores"):
        _check_pass_work(1000, 4, "l1", True)
    rng = np.random.default_rng(1)
    assert StreamingDictionary(rng.normal(size=(40, 2)), "l2", True).pricing == "scan"  # small n
    # d = 4, n = 500: one pass measured 8.8 s scanned, 6.5 s swept (the d ≤ 3 scan rate chose the scan)
    assert StreamingDictionary(rng.normal(size=(500, 4)), "l1", False).pricing == "sweep"
    assert StreamingDictionary(rng.normal(size=(900, 2)), "l2", True).pricing == "sweep"
    assert StreamingDictionary(rng.normal(size=(30, 1)), "l2", True, pricing="sweep").pricing == "scan"  # d = 1
    with pytest.raises(ValueError, match="pricing"):
        StreamingDictionary(rng.normal(size=(30, 2)), pricing="fast")


@pytest.mark.parametrize("reg,bias,grid", [("l2", True, False), ("l1", True, True), ("l1", False, False)])
def test_a_fit_priced_by_sweeps_reaches_the_optimum_of_the_exact_dictionary(reg, bias, grid):
    from ganet.numeric.solvers.lasso_working_set import solve_lasso

    from .reference import exact_dictionary, independent_gap, lasso_reference

    rng = np.random.default_rng(7)
    d = 2 if bias else 3
    X = rng.integers(-3, 4, size=(24, d)).astype(float) if grid else rng.normal(size=(24, d))
    y = np.sin(2 * X.sum(axis=1)) + 0.1 * rng.normal(size=24)
    lam = 1e-2
    D = StreamingDictionary(X, reg, bias, pricing="sweep")
    res = solve_lasso(D, y, lam, fit_intercept=bias, tol=1e-9)
    assert res.converged and all(p.seconds >= 0 for p in D.passes) and D.pricing == "sweep"
    K = exact_dictionary(X, 1 if reg == "l1" else 2, bias)  # every hyperplane, in exact arithmetic
    p_star = lasso_reference(K, y, lam, bias)
    assert res.objective == pytest.approx(p_star, rel=1e-6)
    residual = y - D.transform(X, res.columns) @ res.coef[:, 0] - (res.intercept[0] if bias else 0.0)
    assert independent_gap(K, y, lam, residual, res.objective, bias) <= 1e-7 * res.objective
