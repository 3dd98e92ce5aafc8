"""Logistic and hinge losses: the proximal Newton and LP working-set solvers against independent
programs (cvxpy + Clarabel), and the certificate re-derived here from the dual point over the
whole enumerated dictionary."""

import time
import warnings

import cvxpy as cp
import numpy as np
import pytest
from scipy.special import xlogy
from sklearn.exceptions import ConvergenceWarning

from ganet import ConvexReLUClassifier
from ganet.numeric.oracles.two_layer import Dictionary
from ganet.numeric.solvers.loss_working_set import HingeProgram
from ganet.numeric.solvers.prox_newton import logistic_lasso

from .reference import TIGHT


def _reference(K, y, lam, loss, intercept):
    """The program solved by cvxpy + Clarabel at tight tolerances (None when Clarabel fails)."""
    u = cp.Variable(K.shape[1])
    t = cp.Variable() if intercept else 0.0
    q = K @ u + t
    fit = cp.sum(cp.logistic(-cp.multiply(y, q))) if loss == "logistic" else cp.sum(cp.pos(1 - cp.multiply(y, q)))
    problem = cp.Problem(cp.Minimize(fit + lam * cp.norm1(u)))
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            problem.solve(**TIGHT)
    except cp.error.SolverError:
        return None
    return problem.value if problem.status == "optimal" else None


def _coherent_block(rng, n, m):
    """ReLU-like columns (a few nearly equal): the block structure the solvers meet."""
    X = rng.normal(size=(n, 2))
    W = rng.normal(size=(2, m))
    W[:, m // 2:] = W[:, :m - m // 2][:, : m // 2] + 1e-3 * rng.normal(size=(2, m // 2))
    return np.maximum(X @ W + rng.normal(size=m), 0.0), X


@pytest.mark.parametrize("intercept", [True, False])
@pytest.mark.parametrize("lam", [0.05, 1.0])
def test_prox_newton_meets_an_independent_conic_solve(intercept, lam):
    rng = np.random.default_rng(int(lam * 100) + intercept)
    K, X = _coherent_block(rng, 50, 40)
    y = np.where(X[:, 0] + 0.8 * rng.normal(size=50) > 0, 1.0, -1.0)  # not separable
    z, t, gap = logistic_lasso(K, y, lam, intercept, tol=1e-13)
    P = float(np.sum(np.logaddexp(0.0, -y * (K @ z + t)))) + lam * np.abs(z).sum()
    ref = _reference(K, y, lam, "logistic", intercept)
    assert ref is not None
    assert 0 <= gap <= 1e-11 * P
    assert P - gap <= ref + 1e-9 * ref  # the certificate is a true lower bound ...
    assert P <= ref + 1e-8 * ref  # ... and the point is at least as good as Clarabel's


def test_each_newton_subproblem_stops_at_the_deadline_too(monkeypatch):
    """A budgeted logistic fit ran 10.2 s of an 8 s budget on scikit-learn's breast cancer (two
    raw features, through the CLI): the deadline stopped the Newton steps but not the weighted
    Lasso inside each, one of which took up to 5 s. Every active-set solve of a step now gets the
    fit's deadline (recorded here, so the check needs no timing), and the fit is unchanged when
    the deadline is far away."""
    from ganet.numeric.solvers.active_set import DualActiveSet

    rng = np.random.default_rng(3)
    K, X = _coherent_block(rng, 50, 40)
    y = np.where(X[:, 0] + 0.8 * rng.normal(size=50) > 0, 1.0, -1.0)
    deadlines, solve = [], DualActiveSet.solve

    def spy(self, K, ids, tol=1e-10, batch=64, max_rounds=10_000, deadline=None):
        deadlines.append(deadline)
        return solve(self, K, ids, tol=tol, batch=batch, max_rounds=max_rounds, deadline=deadline)

    monkeypatch.setattr(DualActiveSet, "solve", spy)
    far = time.perf_counter() + 3600.0
    z, t, gap = logistic_lasso(K, y, 0.05, True, tol=1e-13, deadline=far)
    assert deadlines and all(d == far for d in deadlines)
    monkeypatch.setattr(DualActiveSet, "solve", solve)
    z0, t0, gap0 = logistic_lasso(K, y, 0.05, True, tol=1e-13)
    assert np.array_equal(z, z0) and t == t0 and gap == gap0


@pytest.mark.parametrize("intercept", [True, False])
def test_hinge_program_meets_an_independent_conic_solve(intercept):
    rng = np.random.default_rng(5 + intercept)
    K, X = _coherent_block(rng, 50, 40)
    K = np.asfortranarray(K)  # (the layout of materialize(): slices of it are contiguous column blocks)
    given = K.copy()
    y = np.where(X[:, 0] + 0.8 * rng.normal(size=50) > 0, 1.0, -1.0)
    lp = HingeProgram(y, 0.2, intercept)
    lp.add(K[:, :25])  # grown by column generation, warm-started from the first vertex
    lp.solve()
    lp.add(K[:, 25:])
    z, t, mu = lp.solve()
    lp.add(K[:, :5], ids=np.arange(40, 45), signs=-np.ones(5))  # (one given sign: no stacked copy)
    assert np.array_equal(K, given)  # add() signs a copy, never the caller's block
    P = float(np.sum(np.maximum(0.0, 1 - y * (K @ z + t)))) + 0.2 * np.abs(z).sum()
    assert P == pytest.approx(_reference(K, y, 0.2, "hinge", intercept), rel=1e-9)
    # the multipliers are a dual optimum: feasible, and their dual value is P
    theta = y * mu
    assert np.all((0 <= mu) & (mu <= 1)) and np.abs(K.T @ theta).max() <= 0.2 * (1 + 1e-9)
    assert not intercept or abs(theta.sum()) <= 1e-9
    assert mu.sum() == pytest.approx(P, rel=1e-9)


def _independent_gap(X, y01, model, lam):
    """P − D from the model's dual point over every column of the enumerated dictionary,
    computed here: θ rebalanced so that 1ᵀθ = 0, scaled into |K_jᵀθ| ≤ λ, D = Σ H(yθ)."""
    y = np.where(y01 == model.classes_[1], 1.0, -1.0)
    full = Dictionary(X, model.reg, model.bias)
    K = full.materialize(np.arange(full.n_columns))
    theta = np.asarray(model.dual_coef_, dtype=float)
    if model.bias:
        pos, neg = theta[y > 0].sum(), -theta[y < 0].sum()
        theta = np.where(y > 0, theta * min(1.0, neg / pos), theta * min(1.0, pos / neg))
    theta = theta / max(1.0, np.abs(K.T @ theta).max() / lam)
    u = np.clip(y * theta, 0.0, 1.0)
    D = -float(np.sum(xlogy(u, u) + xlogy(1 - u, 1 - u)))
    net = model.network()  # the network's own forward pass and penalty, computed here
    f = (np.maximum(X @ net["W1"] + net["b1"], 0.0) @ net["W2"])[:, 0] + net["b2"][0]
    penalty = 0.5 * lam * (np.sum(np.abs(net["W1"]).sum(axis=0) ** 2) + np.sum(net["W2"] ** 2))
    return float(np.sum(np.logaddexp(0.0, -y * f))) + penalty, D


@pytest.mark.parametrize("seed", range(4))
def test_logistic_with_bias_certifies_to_tol_on_separable_sets(seed):
    """These sets made Clarabel fail or stall (relative gaps 1e-8 … 2e-7 after 2–4 s): the
    proximal Newton working set certifies them to tol, with no warning reaching the user."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(60, 2))
    y = (X[:, 0] + 0.5 * X[:, 1] > 0).astype(int)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        model = ConvexReLUClassifier(loss="logistic", lam=1e-2, bias=True, tol=1e-8).fit(X, y)
    assert model.converged_ and model.certificate_ == "global"
    assert 0 <= model.dual_gap_ <= 1e-8 * model.objective_
    P, D = _independent_gap(X, y, model, 1e-2)
    assert P == pytest.approx(model.objective_, rel=1e-10)
    assert P - D <= 1e-8 * P
    assert (model.predict(X) == y).all()
    # when Clarabel does solve the whole program, it finds no better point
    full = Dictionary(X, "l1", True)
    ref = _reference(full.materialize(np.arange(full.n_columns)), np.where(y == 1, 1.0, -1.0), 1e-2,
                     "logistic", True)
    if ref is not None:
        assert model.objective_ <= ref * (1 + 1e-8)


@pytest.mark.parametrize("loss", ["logistic", "hinge"])
def test_a_sampled_dictionary_never_claims_a_global_certificate(loss):
    """It did: a hinge fit on 5 sampled hyperplanes said "global" at objective 9.6 where the
    optimum is 0.82."""
    rng = np.random.default_rng(0)
    X = rng.normal(size=(40, 2))
    y = (X[:, 0] * X[:, 1] > 0).astype(int)
    sampled = ConvexReLUClassifier(loss=loss, lam=1e-2, dictionary="sampled", n_sampled=5,
                                   random_state=0).fit(X, y)
    full = ConvexReLUClassifier(loss=loss, lam=1e-2).fit(X, y)
    assert full.certificate_ == "global" and full.converged_
    assert sampled.certificate_.startswith("sampled") and sampled.objective_ > 2 * full.objective_
    again = ConvexReLUClassifier(loss=loss, lam=1e-2, dictionary="sampled", n_sampled=5,
                                 random_state=0).fit(X, y)
    assert again.objective_ == sampled.objective_  # random_state fixes the sample


@pytest.mark.parametrize("loss", ["logistic", "hinge"])
def test_streaming_and_stored_dictionaries_give_the_same_optimum(loss):
    rng = np.random.default_rng(2)
    X = rng.normal(size=(80, 2))
    y = (X[:, 0] ** 2 + X[:, 1] ** 2 < 1.3).astype(int)
    fits = [ConvexReLUClassifier(loss=loss, lam=0.05, dictionary=kind).fit(X, y) for kind in ("stored", "streaming")]
    assert all(f.converged_ for f in fits)
    a, b = fits
    assert a.objective_ == pytest.approx(b.objective_, rel=1e-8)
    assert max(a.objective_ - a.dual_gap_, b.objective_ - b.dual_gap_) <= min(a.objective_, b.objective_)


@pytest.mark.parametrize("loss, budget", [("logistic", 0.3), ("hinge", 0.3), ("hinge", 1e-3)])
def test_fit_stops_at_max_seconds_with_an_honest_gap(loss, budget):
    """(A budget of 1 ms ends inside the first pass or linear program.) Since issue 23 a pass is
    cut at the budget too: the gap is that of the last full pass — finite when one finished (the
    first prices z = 0) — and infinite when none did, never the result of a pass run past it."""
    rng = np.random.default_rng(0)
    X = rng.normal(size=(1000, 2))
    y = (np.sum(X ** 2, axis=1) < 1.2).astype(int)
    tic = time.perf_counter()
    with pytest.warns(ConvergenceWarning, match="max_seconds"):
        model = ConvexReLUClassifier(loss=loss, lam=0.1, max_seconds=budget).fit(X, y)
    # a loose functional bound, not a race (unbudgeted: ~3 s logistic, ~12 s hinge here); the
    # reason the fit stopped is checked below
    assert time.perf_counter() - tic < 10.0
    assert not model.converged_ and model.certificate_ == "not converged (global gap)"
    assert model.report_["stopped"] == "max_seconds"
    assert model.dual_gap_ > 0
    assert np.isfinite(model.dual_gap_) == (model.report_["pricing_passes"] >= 1)
    assert model.network_objective(X, y) == pytest.approx(model.objective_, rel=1e-9)


def test_verbose_reports_each_pass(capsys):
    rng = np.random.default_rng(1)
    X = rng.normal(size=(30, 2))
    y = (X[:, 0] > 0).astype(int)
    ConvexReLUClassifier(loss="logistic", lam=0.1, verbose=1).fit(X, y)
    assert "logistic pass   1" in capsys.readouterr().err


def test_labels_must_be_both_signs():
    from ganet.numeric.solvers.loss_working_set import solve_convex_loss

    X = np.random.default_rng(0).normal(size=(10, 2))
    for y in (np.ones(10), np.r_[np.ones(5), np.zeros(5)]):  # one class; labels not ±1
        with pytest.raises(ValueError, match="both present"):
            solve_convex_loss(Dictionary(X, "l1", True), y, 0.1, "logistic")


@pytest.mark.parametrize("intercept", [True, False])
def test_the_datafit_driven_loop_takes_the_squared_loss_too(intercept):
    """The loop names no loss (issue 22): the squared datafit, which it was never written for,
    runs through it and meets the dual active-set solver and an independent cvxpy solve."""
    from ganet.numeric.solvers.lasso_working_set import solve_lasso
    from ganet.numeric.solvers.loss_working_set import solve_convex_loss

    rng = np.random.default_rng(11)
    X = rng.normal(size=(60, 2))
    y = np.sin(2 * X[:, 0]) + 0.1 * rng.normal(size=60)
    dictionary = Dictionary(X, "l1", True)
    res = solve_convex_loss(dictionary, y, 0.05, "squared", fit_intercept=intercept, tol=1e-10)
    assert res.converged and res.gap <= 1e-10 * res.objective
    assert res.objective == pytest.approx(solve_lasso(dictionary, y, 0.05, fit_intercept=intercept,
                                                      tol=1e-10).objective, rel=1e-9)
    K = dictionary.materialize(np.arange(dictionary.n_columns))
    u = cp.Variable(K.shape[1])
    t = cp.Variable() if intercept else 0.0
    problem = cp.Problem(cp.Minimize(0.5 * cp.sum_squares(K @ u + t - y) + 0.05 * cp.norm1(u)))
    problem.solve(**TIGHT)
    assert res.objective == pytest.approx(problem.value, rel=1e-7)


def _hinge_fit_recording_prunings(monkeypatch, X, y, prune_below):
    """A hinge fit with HingeProgram.prune_below set; returns the model, the LP objective at each
    pruning that removed columns, and the largest number of columns the LP held."""
    monkeypatch.setattr(HingeProgram, "prune_below", prune_below)
    prunings, sizes = [], []
    original = HingeProgram._prune_mask

    def recording(self, z, scores):
        keep = original(self, z, scores)
        sizes.append(self.n_columns)
        if not keep.all():
            prunings.append(self.highs.getInfo().objective_function_value)
        return keep

    monkeypatch.setattr(HingeProgram, "_prune_mask", recording)
    model = ConvexReLUClassifier(loss="hinge", lam=0.05, bias=True, tol=1e-8).fit(X, y)
    return model, prunings, max(sizes)


@pytest.mark.parametrize("prune_below", [0.5, 0.95])
def test_hinge_pruning_finds_the_optimum_and_prunes_only_when_the_objective_falls(monkeypatch, prune_below):
    """Pruning leaves the optimum (that of the LP that keeps every column, and of Clarabel over
    the whole enumerated dictionary) and happens only at strictly falling LP objectives: the
    rule that makes a cycle impossible (HingeProgram's docstring)."""
    rng = np.random.default_rng(3)
    X = rng.normal(size=(120, 2))
    y = (np.sum(X ** 2, axis=1) < 1.2).astype(int)
    y = np.where(rng.random(120) < 0.05, 1 - y, y)
    pruned, prunings, pruned_size = _hinge_fit_recording_prunings(monkeypatch, X, y, prune_below)
    kept_all, none, full_size = _hinge_fit_recording_prunings(monkeypatch, X, y, -np.inf)
    assert pruned.converged_ and kept_all.converged_ and pruned.certificate_ == "global"
    assert prunings and not none
    assert all(later < earlier for earlier, later in zip(prunings, prunings[1:]))
    assert pruned_size < full_size
    assert pruned.objective_ == pytest.approx(kept_all.objective_, rel=1e-9)
    full = Dictionary(X, "l1", True)
    ref = _reference(full.materialize(np.arange(full.n_columns)), np.where(y == 1, 1.0, -1.0), 0.05,
                     "hinge", True)
    assert ref is not None and pruned.objective_ <= ref * (1 + 1e-8)
    assert pruned.objective_ - pruned.dual_gap_ <= ref * (1 + 1e-9)


def test_hinge_block_follows_the_working_set_by_ids():
    """solve_block brings the LP to the given ids (dropping and adding signed columns) and returns z in
    the order of the ids; each solve meets Clarabel on exactly those columns."""
    rng = np.random.default_rng(7)
    K, X = _coherent_block(rng, 60, 40)
    y = np.where(X[:, 0] + 0.8 * rng.normal(size=60) > 0, 1.0, -1.0)
    lp = HingeProgram(y, 0.1, True)
    for ids in (np.arange(25), rng.permutation(40), np.array([30, 3, 17, 8, 39, 22, 11])):
        z, t, mu = lp.solve_block(K[:, ids], ids, None, 0.0, 1e-10)
        assert np.array_equal(np.unique(lp.ids), np.sort(ids))  # (one or both signs of each)
        P = float(np.sum(np.maximum(0.0, 1 - y * (K[:, ids] @ z + t)))) + 0.1 * np.abs(z).sum()
        assert P == pytest.approx(_reference(K[:, ids], y, 0.1, "hinge", True), rel=1e-9)
        assert mu.sum() == pytest.approx(P, rel=1e-9)  # the multipliers' dual value


@pytest.mark.parametrize("intercept", [True, False])
def test_hinge_rows_leave_and_return_and_each_block_solve_is_the_whole_lp(intercept, monkeypatch):
    """Row generation (HingeProgram's docstring): points far beyond the margin leave the LP and
    violated ones join again, and every block solve still meets scipy's interior-point LP over
    all the points, with multipliers that are a dual optimum over all of them (0 for the points
    outside the LP)."""
    rng = np.random.default_rng(8 + intercept)
    K, X = _coherent_block(rng, 150, 60)
    y = np.where(X[:, 0] + 0.3 * rng.normal(size=150) > 0, 1.0, -1.0)
    lam = 0.05
    lp = HingeProgram(y, lam, intercept)
    joined = []
    original = HingeProgram._add_rows
    monkeypatch.setattr(HingeProgram, "_add_rows", lambda self, points, *a: joined.append(len(points))
                        or original(self, points, *a))
    smallest = len(y)
    for ids in (np.arange(10), np.arange(60), rng.permutation(60)[:25], np.arange(30, 60), np.arange(60)):
        z, t, mu = lp.solve_block(K[:, ids], ids, None, 0.0, 1e-10)
        smallest = min(smallest, len(lp.rows))
        margins = y * (K[:, ids] @ z + t)
        P = float(np.sum(np.maximum(0.0, 1 - margins))) + lam * np.abs(z).sum()
        assert P == pytest.approx(_hinge_by_interior_point(K[:, ids], y, lam, intercept), rel=1e-8)
        outside = np.setdiff1d(np.arange(len(y)), lp.rows)
        assert np.all(mu[outside] == 0) and np.all(margins[outside] >= 1 - 1e-9)
        theta = y * mu
        assert np.all((0 <= mu) & (mu <= 1)) and np.abs(K[:, ids].T @ theta).max() <= lam * (1 + 1e-7)
        assert not intercept or abs(theta.sum()) <= 1e-9
        assert mu.sum() == pytest.approx(P, rel=1e-8)  # the multipliers' dual value
    assert smallest < 0.7 * len(y) and sum(joined) > 0  # rows did leave, and some came back


def test_a_hinge_block_solve_gets_its_own_seconds_however_long_earlier_runs_took():
    """HiGHS compares its time_limit with the run time summed over every run() of one Highs
    object. Once earlier solves have used 1 s in total, a solve given 0.5 s that needs a few
    milliseconds must still finish (a plain time_limit = seconds stopped it at once, and the CLI
    said the budget ran out after 18 s of 30)."""
    rng = np.random.default_rng(3)
    K, X = _coherent_block(rng, 400, 1200)
    y = np.where(X[:, 0] + 0.8 * rng.normal(size=400) > 0, 1.0, -1.0)
    lp = HingeProgram(y, 0.05, True)
    while lp.highs.getRunTime() < 1.0:  # solves from scratch, each taking a while
        ids = rng.choice(K.shape[1], 600, replace=False)
        lp.solve_block(K[:, ids], ids, None, 0.0, 1e-10)
        lp.delete(np.arange(len(lp.ids)))
    ids = np.arange(50)
    z, t, mu = lp.solve_block(K[:, ids], ids, None, 0.0, 1e-10, deadline=time.perf_counter() + 0.5)
    P = float(np.sum(np.maximum(0.0, 1 - y * (K[:, ids] @ z + t)))) + 0.05 * np.abs(z).sum()
    assert P == pytest.approx(_hinge_by_interior_point(K[:, ids], y, 0.05), rel=1e-7)


def _hinge_by_interior_point(K, y, lam, intercept=True):
    """min Σξ + λ1ᵀ(z⁺ + z⁻) s.t. ξᵢ + yᵢ(K_i(z⁺ − z⁻) + t) ≥ 1, written out for scipy's
    interior-point LP solver (a formulation and an algorithm of its own); t = 0 without an
    intercept."""
    from scipy.optimize import linprog

    n, m = K.shape
    YK = y[:, None] * K
    A = -np.hstack([YK, -YK, np.eye(n), y[:, None]])
    cost = np.concatenate([np.full(2 * m, lam), np.ones(n), [0.0]])
    bounds = [(0, None)] * (2 * m + n) + [(None, None) if intercept else (0, 0)]
    res = linprog(cost, A_ub=A, b_ub=-np.ones(n), bounds=bounds, method="highs-ipm")
    assert res.status == 0
    return res.fun


@pytest.mark.slow
def test_hinge_certifies_where_the_default_highs_tolerance_stalled(monkeypatch):
    """With HiGHS's default dual feasibility tolerance (1e-7) this fit (disc, n = 2000, pruning
    at 0.98λ, 2048 violators per pass) stopped at a relative gap of 4.4e-7: working-set columns
    had |K_jᵀθ| = λ(1 + 4.4e-7) and no violator was left outside the working set. Measured
    ~35 s."""
    rng = np.random.default_rng(0)
    X = rng.normal(size=(2000, 2))
    y = (np.sum(X ** 2, axis=1) < 1.2).astype(int)
    y = np.where(rng.random(2000) < 0.03, 1 - y, y)
    monkeypatch.setattr(HingeProgram, "prune_below", 0.98)
    original = HingeProgram.__init__

    def offering_2048(self, *args, **kwargs):
        original(self, *args, **kwargs)
        self.default_min_add = 2048

    monkeypatch.setattr(HingeProgram, "__init__", offering_2048)
    model = ConvexReLUClassifier(loss="hinge", lam=0.1, bias=True, tol=1e-8).fit(X, y)
    assert model.converged_ and model.certificate_ == "global"
    assert model.dual_gap_ <= 1e-8 * model.objective_
