"""Cell bounds in the pricing pass: a skipped hyperplane is provably no violator.

Every check is against brute force: the stored dictionary's columns materialized and scored by
numpy, with no cell logic involved."""

import warnings

import numpy as np
import pytest

from ganet.datasets import two_spirals
from ganet.numeric.oracles.cell_bounds import CellGrid, _children, _parents, cell_key
from ganet.numeric.oracles.streaming import StreamingDictionary
from ganet.numeric.oracles.two_layer import Dictionary
from ganet.numeric.solvers.lasso_working_set import solve_lasso


def _smooth(n, d, seed=0, shift=0.0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, d))
    return X + shift, np.sin(2 * X.sum(axis=1)) + 0.1 * rng.normal(size=n)


def _dual_point(X, y, reg, bias, lam):
    """The residual at the certified optimum (no cell bounds involved)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        D = StreamingDictionary(X, reg, bias, cell_grid=None)
        res = solve_lasso(D, y, lam, fit_intercept=bias, tol=1e-9, max_iter=1000)
    assert res.converged
    return y - D.materialize(res.columns) @ res.coef[:, 0] - res.intercept[0]


def _brute_scores(D, theta):
    """maxₛ |K_(t,s)ᵀθ| of every stored hyperplane t, from the materialized columns."""
    K = D.materialize()
    return np.abs(K.T @ theta).reshape(-1, 2).max(axis=1)


CASES = [  # (name, X, y, reg, bias, λ, G, share of the hyperplanes skipped at the optimum, at least)
    ("smooth d=3, p=1, no bias", *_smooth(300, 3), "l1", False, 0.3, 64, 0.3),
    ("spirals p=2 with bias", *two_spirals(160), "l2", True, 1e-2, 64, 0.3),
    ("smooth d=3, p=1 with bias", *_smooth(40, 3, seed=2), "l1", True, 1.0, 32, 0.3),
    ("d=3, p=2 with bias, far from the origin", *_smooth(60, 3, seed=1, shift=1e3), "l2", True, 1.0, 32, 0.3),
    # without bias, data far from the origin lie in a thin cone of directions that no cell of
    # this grid resolves: the bounds must hold, but skip next to nothing
    ("d=3, p=1, no bias, far from the origin", *_smooth(200, 3, seed=1, shift=1e3), "l1", False, 0.3, 64, 0.0),
]


@pytest.mark.parametrize("name, X, y, reg, bias, lam, G, min_skipped", CASES, ids=[c[0] for c in CASES])
def test_every_column_lies_below_its_cells_bound(name, X, y, reg, bias, lam, G, min_skipped):
    """At the optimum's dual point and at an infeasible one (a third of the way from y), every
    column's brute-force score is at most the bound of its cell, and the bounds skip a real share
    of the dictionary (the test would otherwise prove nothing)."""
    theta_opt = _dual_point(X, y, reg, bias, lam)
    D = Dictionary(X, reg, bias)
    grid = CellGrid(D.Xr, D.p, D.bias, G)
    keys = np.array([cell_key(w, c, grid.G, grid.Gc, grid.C) for w, c in zip(D.W, D.c)])
    assert keys.min() >= 0  # every normal falls in the grid
    skipped = []
    for theta in (theta_opt, theta_opt + (y - theta_opt) / 3):
        scores = _brute_scores(D, theta)
        (_, _, _, bounds), _ = grid.table(theta * D.scale, lam)  # K = scale·K_r, and the bounds are linear in θ
        bound = bounds[keys]
        assert np.all(scores <= bound * (1 + 1e-12)), (scores - bound).max()
        skipped.append(np.mean(bound <= lam))
    assert skipped[0] >= min_skipped, skipped


@pytest.mark.parametrize("name, X, y, reg, bias, lam, G, min_skipped", CASES, ids=[c[0] for c in CASES])
def test_a_pass_with_cell_bounds_agrees_with_brute_force(name, X, y, reg, bias, lam, G, min_skipped):
    """The streaming pass with bounds returns the violators of the pass without them (same
    columns, same order), a max_score that bounds the brute-force maximum, equal to it when a
    column violates, and skips part of the dictionary."""
    theta = _dual_point(X, y, reg, bias, lam)
    brute = _brute_scores(Dictionary(X, reg, bias), theta).max()
    for lam_pass in (lam, 0.999 * brute):  # certifying, and with violators to find
        plain = StreamingDictionary(X, reg, bias, cell_grid=None)
        bounded = StreamingDictionary(X, reg, bias, cell_grid=G)
        bounded.passes.append(plain.price(theta, lam_pass, 50))  # a previous pass: bounds pay now
        a = plain.price(theta, lam_pass, 50)
        b = bounded.price(theta, lam_pass, 50)
        assert b.cells > 0 and b.skipped >= 0.5 * min_skipped * b.visited, (b.cells, b.skipped, b.visited)
        assert np.array_equal(a.columns, b.columns)
        assert b.max_score >= brute * (1 - 1e-12)
        if brute > lam_pass:
            assert b.max_score == pytest.approx(a.max_score, rel=1e-14)
        else:
            assert b.max_score <= lam_pass * (1 + 1e-12)


def test_a_fit_with_cell_bounds_reaches_the_same_certified_optimum():
    X, y = _smooth(300, 3, seed=3)
    results = {}
    for grid in (None, 64):
        D = StreamingDictionary(X, "l1", False, cell_grid=grid)
        results[grid] = (solve_lasso(D, y, 1.0, fit_intercept=False, tol=1e-9), D)
    (plain, _), (bounded, D) = results[None], results[64]
    assert plain.converged and bounded.converged
    assert bounded.objective == pytest.approx(plain.objective, rel=1e-9)
    assert any(p.full and p.skipped > 0 for p in D.passes)


def test_bounds_pause_while_the_dual_point_is_far_from_feasible():
    """The first pass of a fit prices y itself, whose scores are far above λ: no cell is bounded."""
    X, y = _smooth(300, 3, seed=3)
    D = StreamingDictionary(X, "l1", False, cell_grid=64)
    first = D.price(y, 1.0, 10)
    second = D.price(y, 1.0, 10)
    assert first.max_score > 2.0
    assert first.cells == 0 and second.cells == 0 and second.skipped == 0


def test_a_pass_with_bounds_that_skips_little_pauses_them_longer_each_time():
    """After f passes with bounds in a row that skipped too little, the bounds rest for
    4·2^(f − 1) full passes (4, then 8, then 16); a pass that skipped enough resets the count.
    The rule is read from the pass records, so these are set by hand: each full pass is a swept
    one (no cells) unless _cells_pay says to bound."""
    from ganet.numeric.oracles.protocol import PricingPass

    X, _ = _smooth(300, 3, seed=3)
    D = StreamingDictionary(X, "l1", False, cell_grid=64)
    lam = 1.0
    rested, share = [], [0.1, 0.1, 0.1, 0.9, 0.1]  # skipped share of each pass with bounds, in turn

    def full_pass(cells, skipped):  # (a dual point at λ: the bounds are not paused for being far)
        D.passes.append(PricingPass(lam, np.zeros(0, np.int64), np.zeros(0), 1000, 0.1, True, True, skipped, cells))

    while share:
        gap = 0
        while not D._cells_pay(lam / D.scale) and gap < 100:
            full_pass(0, 0)
            gap += 1
        rested.append(gap)
        full_pass(10, int(1000 * share.pop(0)))
    # the first bounds come after one pass (before any pass there is no dual point to judge);
    # after the 0.9 pass the count starts over (the rule before this one rested 4 each time)
    assert rested == [1, 4, 8, 16, 0]
    assert not D._cells_pay(lam / D.scale)  # (the last 0.1 pass: a 4-pass rest again)


def test_a_pass_with_bounds_that_took_longer_than_one_without_did_not_pay():
    """Skipping 90% pays only if the pass was also no slower than the last full pass without
    bounds: at d = 4 a pass with bounds skipped 51% and took 75–85 s against 52 s swept."""
    from ganet.numeric.oracles.protocol import PricingPass

    X, _ = _smooth(300, 3, seed=3)
    D = StreamingDictionary(X, "l1", False, cell_grid=64)
    lam = 1.0

    def full_pass(cells, skipped, seconds):
        D.passes.append(PricingPass(lam, np.zeros(0, np.int64), np.zeros(0), 1000, seconds, True, True, skipped,
                                    cells))

    full_pass(0, 0, 50.0)
    assert D._cells_pay(lam / D.scale)
    full_pass(10, 900, 40.0)  # faster than the pass without bounds: paid, the bounds go on
    assert D._cells_paid(1) and D._cells_pay(lam / D.scale)
    full_pass(10, 900, 75.0)  # the same share, but slower than 50 s: a 4-pass rest
    assert not D._cells_paid(2)
    rest = 0
    while not D._cells_pay(lam / D.scale):
        full_pass(0, 0, 50.0)
        rest += 1
    assert rest == 4
    D.passes.clear()
    full_pass(10, 900, 75.0)  # no pass without bounds to compare with: the share decides
    assert D._cells_paid(0)


@pytest.mark.parametrize("d, bias", [(2, True), (3, False), (3, True), (4, False)])
def test_cells_halve_into_children_whose_parent_is_the_cell(d, bias):
    G = 8
    Gc = G if bias else 1
    n_cells = 2 * d * G ** (d - 1) * Gc
    keys = np.arange(n_cells, dtype=np.int64)
    children = _children(keys, d, G, Gc).reshape(n_cells, -1)
    assert children.shape[1] == 2 ** (d - 1) * (2 if bias else 1)
    parents = _parents(2 * d * (2 * G) ** (d - 1) * (2 * Gc if bias else 1), d, 2 * G, 2 * Gc if bias else 1)
    assert np.array_equal(parents[children], np.repeat(keys[:, None], children.shape[1], axis=1))
    assert np.array_equal(np.sort(children.ravel()), np.arange(children.size))  # a partition


def test_cell_grid_rejects_what_is_not_a_power_of_two():
    X, _ = _smooth(30, 3)
    with pytest.raises(ValueError, match="power of two"):
        StreamingDictionary(X, "l1", False, cell_grid=48)
