"""Two-layer networks to global optimality: dictionaries, certified solver, reconstruction and
estimators, each checked against an independent computation."""

import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.exceptions import ConvergenceWarning

from ganet import ConvexReLU, ConvexReLUClassifier
from ganet.numeric.oracles.two_layer import Dictionary, count_hyperplanes
from ganet.numeric.runtime.memory import MemoryLimitError
from ganet.numeric.solvers.lasso_working_set import solve_lasso

from .reference import group_lasso_reference, independent_gap, lasso_reference, pilanci_ergen


def _data(seed, n, d):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, d))
    y = np.sin(2 * X.sum(axis=1)) + 0.3 * rng.normal(size=n)
    return X, y


# ---- the exact convex program of Pilanci & Ergen --------------------------------------------

@pytest.mark.parametrize("bias", [True, False])
@pytest.mark.parametrize("d, n", [(1, 8), (2, 7), (3, 6)])
@pytest.mark.parametrize("seed", [0, 1])
def test_l1_lasso_equals_the_convex_program_over_all_sign_patterns(d, n, bias, seed):
    X, y = _data(seed, n, d)
    lam = 0.05
    model = ConvexReLU(reg="l1", bias=bias, lam=lam).fit(X, y)
    reference = pilanci_ergen(X, y, lam, p=1, bias=bias)
    assert model.objective_ == pytest.approx(reference, rel=1e-6)


@pytest.mark.parametrize("bias", [True, False])
@pytest.mark.parametrize("d, n", [(2, 7), (3, 6)])
def test_l2_lasso_is_an_upper_bound_of_the_convex_program(d, n, bias):
    X, y = _data(3, n, d)
    lam = 0.05
    model = ConvexReLU(reg="l2", bias=bias, lam=lam).fit(X, y)
    assert model.objective_ >= pilanci_ergen(X, y, lam, p=2, bias=bias) * (1 - 1e-7)


# ---- dictionaries -------------------------------------------------------------------------

def test_one_dimensional_biased_dictionary_is_theorem_1_ramps():
    x = np.array([0.0, 1.0, 2.5, 4.0])
    for reg in ("l1", "l2"):
        D = Dictionary(x[:, None], reg=reg, bias=True)
        K = D.materialize()
        ramps = np.hstack([np.maximum(x[:, None] - x[None, :], 0), np.maximum(x[None, :] - x[:, None], 0)])
        as_set = lambda M: {tuple(np.round(c, 12)) for c in M.T}  # noqa: E731
        assert as_set(K) == as_set(ramps)


@pytest.mark.parametrize("reg, bias, n, d, expected", [
    ("l1", False, 300, 3, 91506 // 2),     # C(n + d, d − 1), docs/conventions.md / issue figures
    ("l2", True, 160, 2, 25440 // 2),      # C(n, d)
])
def test_hyperplane_counts_match_the_documented_sizes(reg, bias, n, d, expected):
    assert count_hyperplanes(n, d, reg, bias) == expected


@pytest.mark.parametrize("reg", ["l1", "l2"])
@pytest.mark.parametrize("bias", [True, False])
def test_pricing_equals_the_materialized_correlations(reg, bias, rng):
    X = rng.normal(size=(12, 3))
    D = Dictionary(X, reg, bias)
    R = rng.normal(size=(12, 2))
    np.testing.assert_allclose(D.correlations(R), D.materialize().T @ R, rtol=1e-10, atol=1e-12)
    result = D.price(R[:, 0], lam=0.0, k=1)
    scores = np.abs(D.materialize().T @ R[:, 0])
    assert result.max_score == pytest.approx(scores.max()) and result.full
    # the one violator returned is the nonzero column nearest to violating: celer's priority
    norms = np.linalg.norm(D.materialize(), axis=0)
    priority = np.where(norms > 0, scores / np.maximum(norms, 1e-300), -np.inf)
    assert priority[result.columns[0]] == pytest.approx(priority.max())


def test_columns_are_distance_features(rng):
    """A p = 2 biased column is dist₊(x, Aff(x_a, x_b)) computed from plain geometry."""
    X = rng.normal(size=(6, 2))
    D = Dictionary(X, "l2", True)
    for j in range(0, D.n_columns, 5):
        h = D.describe(j)
        a, b = h.special_samples
        direction = X[b] - X[a]
        normal = np.array([direction[1], -direction[0]]) / np.linalg.norm(direction)
        dist = (X - X[a]) @ normal
        col = D.materialize([j])[:, 0]
        assert np.allclose(col, np.maximum(dist, 0)) or np.allclose(col, np.maximum(-dist, 0))


@pytest.mark.parametrize("reg", ["l1", "l2"])
@pytest.mark.parametrize("bias", [True, False])
def test_solver_matches_clarabel_on_the_materialized_dictionary(reg, bias):
    X, y = _data(5, 14, 2)
    D = Dictionary(X, reg, bias)
    res = solve_lasso(D, y, 1e-3, fit_intercept=bias)
    assert res.converged and res.gap <= 1e-8 * res.objective
    assert res.objective == pytest.approx(lasso_reference(D.materialize(), y, 1e-3, bias), rel=1e-7)


def test_vector_output_group_lasso_matches_clarabel():
    X, y = _data(6, 12, 2)
    Y = np.column_stack([y, np.cos(X[:, 0])])
    D = Dictionary(X, "l1", True)
    res = solve_lasso(D, Y, 1e-2, fit_intercept=True, tol=1e-9)
    assert res.converged
    assert res.objective == pytest.approx(group_lasso_reference(D.materialize(), Y, 1e-2, True), rel=1e-6)


def test_rank_deficient_data_is_reduced_and_neurons_are_mapped_back(rng):
    Z = rng.normal(size=(10, 2))
    X = Z @ np.array([[1.0, 0.0, 2.0], [0.0, 1.0, -1.0]])  # rank 2 in R^3
    y = np.sin(Z[:, 0])
    model = ConvexReLU(reg="l2", bias=False, lam=1e-2).fit(X, y)
    assert model.dictionary_.Xr.shape[1] == 2
    assert model.network_objective(X, y) == pytest.approx(model.objective_, rel=1e-9)
    for nu in model.neurons_:  # orthogonal to its generator sample, in the original space
        for g in nu.generators:
            assert abs(X[g[1]] @ nu.weight) < 1e-9 * np.linalg.norm(nu.weight) * np.linalg.norm(X[g[1]])


# ---- reconstruction and certificate --------------------------------------------------------

@pytest.mark.parametrize("reg", ["l1", "l2"])
@pytest.mark.parametrize("bias", [True, False])
def test_network_objective_equals_lasso_objective_and_gap_is_certified(reg, bias):
    X, y = _data(7, 20, 2)
    model = ConvexReLU(reg=reg, bias=bias, lam=1e-3).fit(X, y)
    assert model.network_objective(X, y) == pytest.approx(model.objective_, rel=1e-9)
    assert 0 <= model.dual_gap_ <= model.tol * model.objective_
    net = model.network()
    assert set(net) == {"W1", "b1", "W2", "b2"}
    assert net["W1"].shape == (2, len(model.neurons_)) and net["W2"].shape == (len(model.neurons_), 1)
    np.testing.assert_allclose(model.predict(X), np.maximum(X @ net["W1"] + net["b1"], 0) @ net["W2"][:, 0] + net["b2"][0])


_fitted = {}


def _fitted_l1(bias):
    if bias not in _fitted:
        X, y = _data(8, 12, 2)
        _fitted[bias] = (X, y, ConvexReLU(reg="l1", bias=bias, lam=1e-2).fit(X, y))
    return _fitted[bias]


@settings(max_examples=25)
@given(seed=st.integers(0, 10 ** 6), bias=st.booleans(), scale=st.sampled_from([1e-3, 1e-2, 1e-1]))
def test_random_perturbations_never_lower_the_network_objective(seed, bias, scale):
    X, y, model = _fitted_l1(bias)
    net = model.network()
    base = model.network_objective(X, y)
    rng = np.random.default_rng(seed)
    pert = {k: v + scale * rng.normal(size=v.shape) * (k != "b1" or bias) * (k != "b2" or bias)
            for k, v in net.items()}
    F = np.maximum(X @ pert["W1"] + pert["b1"], 0) @ pert["W2"] + pert["b2"]
    value = 0.5 * np.sum((F[:, 0] - y) ** 2) + 0.5 * model.lam * (
        np.sum(np.abs(pert["W1"]).sum(axis=0) ** 2) + np.sum(pert["W2"] ** 2))
    assert value >= base - 1e-9 * base


def test_early_stop_warns_and_is_not_reported_converged():
    X, y = _data(9, 25, 2)
    with pytest.warns(ConvergenceWarning, match="duality gap"):
        model = ConvexReLU(lam=1e-4, max_iter=1).fit(X, y)
    assert not model.converged_ and model.dual_gap_ > model.tol * model.objective_


def test_the_warning_names_what_would_help_by_why_the_fit_stopped():
    """scikit-learn's linnerud (20 rows, raw features, Weight) at the default λ = 1e-3 nearly
    interpolates and stops at float64's rounding floor, where more passes change nothing: the
    warning says to raise tol (above the gap it states) or λ, not max_iter. Cut by max_iter, it says
    max_iter."""
    from sklearn.datasets import load_linnerud

    X, Y = load_linnerud(return_X_y=True)
    with pytest.warns(ConvergenceWarning, match="more passes would not change it: raise tol") as caught:
        model = ConvexReLU().fit(X, Y[:, 0])
    assert model.report_["stopped"] == "rounding" and not model.converged_
    rel = model.dual_gap_ / model.objective_
    stopped = [str(w.message) for w in caught if "solver stopped after" in str(w.message)]
    assert len(stopped) == 1 and f"relative gap {rel:.2g}" in stopped[0] and "max_iter" not in stopped[0]
    # λ = 1e-3 is 7e-8·λ_max here: the fit also names λ_max
    assert any("·λ_max (λ_max = " in str(w.message) for w in caught)
    with pytest.warns(ConvergenceWarning, match=r"raise max_iter \(or tol\)"):
        ConvexReLU(lam=1.0, max_iter=1).fit(X, Y[:, 0])


def test_corrupted_solution_has_a_larger_certified_gap():
    X, y = _data(10, 15, 2)
    D = Dictionary(X, "l1", True)
    res = solve_lasso(D, y, 1e-2)
    K = D.materialize(res.columns)
    from ganet.numeric.solvers.lasso_working_set import dual_gap

    coef = res.coef * 1.05
    R = (y - y.mean())[:, None] - (K - K.mean(0)) @ coef
    _, _, gap = dual_gap((y - y.mean())[:, None], R, coef, 1e-2, np.abs(D.correlations(R)).max())
    assert gap > 100 * max(res.gap, 1e-14)


# ---- the neurons' geometry --------------------------------------------------------------------

def test_bias_free_l1_neurons_are_orthogonal_to_their_generator_samples():
    X, y = _data(11, 20, 3)
    model = ConvexReLU(reg="l1", bias=False, lam=1e-3).fit(X, y)
    for nu in model.neurons_:
        assert nu.anchor is None and nu.bias == 0.0
        for g in nu.generators:
            v = X[g[1]] if g[0] == "x" else np.eye(3)[g[1] - 1]
            assert abs(v @ nu.weight) <= 1e-10 * np.linalg.norm(nu.weight) * np.linalg.norm(v)
        assert nu.formula.lstrip("−").startswith("⋆")


@pytest.mark.parametrize("reg", ["l1", "l2"])
def test_biased_breakplanes_pass_through_their_special_samples(reg):
    X, y = _data(12, 20, 2)
    model = ConvexReLU(reg=reg, bias=True, lam=1e-3).fit(X, y)
    for nu in model.neurons_:
        for i in nu.special_samples:
            assert abs(X[i] @ nu.weight + nu.bias) <= 1e-10 * (1 + np.abs(X[i]).max()) * np.linalg.norm(nu.weight)
        assert nu.anchor in nu.special_samples


# ---- classifiers ----------------------------------------------------------------------------

@pytest.mark.parametrize("loss", ["logistic", "hinge"])
def test_convex_losses_are_certified_by_their_fenchel_duals(loss):
    X, _ = _data(13, 16, 2)
    y = np.where(X[:, 0] * X[:, 1] > 0, "a", "b")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf = ConvexReLUClassifier(loss=loss, lam=1e-2).fit(X, y)
    assert 0 <= clf.dual_gap_ <= 1e-6 * clf.objective_
    assert clf.network_objective(X, y) == pytest.approx(clf.objective_, rel=1e-9)
    assert set(clf.predict(X)) <= {"a", "b"} and clf.score(X, y) > 0.9


def test_multiclass_squared_loss_uses_vector_outputs():
    X, _ = _data(14, 18, 2)
    y = np.digitize(np.arctan2(X[:, 1], X[:, 0]), [-1.0, 1.0])
    clf = ConvexReLUClassifier(lam=1e-2).fit(X, y)
    assert clf.network()["W2"].shape[1] == 3 and clf.converged_
    assert clf.network_objective(X, y) == pytest.approx(clf.objective_, rel=1e-9)
    assert clf.score(X, y) > 0.9


# ---- errors ---------------------------------------------------------------------------------

@pytest.mark.parametrize("kwargs, X, y, match", [
    ({}, [[0.0], [np.nan]], [1.0, 2.0], "NaN|infinity"),
    ({}, [[0.0], [np.inf]], [1.0, 2.0], "NaN|infinity"),
    ({}, [[0.0], [1.0]], [1.0, 2.0, 3.0], "inconsistent|samples"),
    ({}, [[0.0]], [1.0], "at least 2"),
    ({"lam": 0.0}, [[0.0], [1.0]], [1.0, 2.0], "lam"),
    ({"lam": -1.0}, [[0.0], [1.0]], [1.0, 2.0], "lam"),
    ({"reg": "l3"}, [[0.0], [1.0]], [1.0, 2.0], "reg"),
    ({"loss": "cubic"}, [[0.0], [1.0]], [1.0, 2.0], "loss"),
])
def test_bad_input_raises_value_error(kwargs, X, y, match):
    with pytest.raises(ValueError, match=match):
        ConvexReLU(**kwargs).fit(np.array(X), np.array(y))


def test_memory_limit_is_checked_before_allocating():
    X = np.random.default_rng(0).normal(size=(200, 4))
    with pytest.raises(MemoryLimitError, match=r"columns.*bytes") as info:
        ConvexReLU(memory_limit=10 ** 6, dictionary="stored").fit(X, X[:, 0])
    assert "1,000,000" in str(info.value)
    with pytest.raises(ValueError, match="materializing"):
        Dictionary(X[:30, :2], memory_limit=10 ** 5).materialize()


@pytest.mark.parametrize("reg, bias", [("l1", True), ("l2", True), ("l1", False)])
def test_reported_gap_is_the_certificate_of_the_returned_solution(reg, bias):
    """Recompute P and D from the materialized dictionary and the returned (z, t) alone.

    The solver certifies the returned solution from its last full pricing pass plus a rigorous
    bound on how far the returned residual moved from the priced one (no extra pass), so the
    reported gap is an upper bound of the recomputed certificate, within tol of the objective."""
    X, y = _data(15, 30, 2)
    model = ConvexReLU(reg=reg, bias=bias, lam=1e-3).fit(X, y)
    K = model.dictionary_.materialize()
    z = np.zeros(K.shape[1])
    z[model.columns_] = model.coef_[:, 0]
    r = y - K @ z - model.intercept_[0]
    P = 0.5 * r @ r + model.lam * np.abs(z).sum()
    theta = r / max(1.0, np.abs(K.T @ r).max() / model.lam)
    yc = y - y.mean() if bias else y
    D = 0.5 * yc @ yc - 0.5 * (yc - theta) @ (yc - theta)
    assert model.objective_ == pytest.approx(P, rel=1e-12)
    # D is a difference of two numbers of size ½‖y‖², and the pricing kernel and numpy's matmul sum
    # in different orders: both certificates are valid up to ~1e-11 of that scale
    rounding = 1e-11 * max(P, 0.5 * yc @ yc)
    assert model.converged_ and model.dual_gap_ <= model.tol * model.objective_
    assert model.dual_gap_ >= P - D - rounding
    assert P - D >= -rounding


def test_the_certificate_keeps_the_priced_dual_point_when_the_returned_residual_is_a_worse_one():
    """Any dual point priced over every column bounds P* from below. The returned solution's own
    residual r can be a much worse dual point than the one the pass priced (on the n = 3200 spirals
    rounding moved it enough to turn a certified gap of 6.7e-10·P into 2.5e-8·P). Here the
    returned z is the optimum moved by ε along its support: P(z) − P* is O(ε²) (no sign flips),
    while r = θ* − εKη violates the dual constraints by O(ε). The certificate must keep θ*'s
    value, and that value must stay below Clarabel's optimum."""
    from ganet.numeric.solvers.lasso_working_set import _certified_solution

    X, y = _data(5, 14, 2)
    D = Dictionary(X, "l1", False)
    lam = 1e-2
    res = solve_lasso(D, y, lam, fit_intercept=False, tol=1e-10)
    K_all = D.materialize()
    p_star = lasso_reference(K_all, y, lam, False)
    assert res.converged and res.objective == pytest.approx(p_star, rel=1e-8)
    columns, z = res.columns, res.coef[:, 0]
    theta = y - D.materialize(columns) @ z
    score = float(np.abs(K_all.T @ theta).max())
    eta = np.random.default_rng(0).normal(size=len(z))
    eps = 1e-6 * np.abs(z).min()
    snapshot = (columns, (z + eps * eta)[:, None], theta[:, None], score)
    *_, P, D_value, gap = _certified_solution(D, y[:, None], lam, snapshot, False, tol=1e-8)
    r = y - D.materialize(columns) @ (z + eps * eta)
    own = independent_gap(K_all, y, lam, r, 0.5 * r @ r + lam * np.abs(z + eps * eta).sum(), False)
    assert own > 1e-6 * P  # the returned residual alone would not certify
    assert D_value >= -independent_gap(K_all, y, lam, theta, 0.0, False) - 1e-12 * P  # (gap at P = 0 is −D)
    assert D_value <= p_star * (1 + 1e-9)
    assert gap <= 1e-8 * P


def test_an_uncertified_fit_at_a_tiny_lam_names_lam_max():
    """A fit stopped short of its certificate at λ < 10⁻³ λ_max says so and names λ_max, which
    must equal maxⱼ|K_jᵀ(y − ȳ)| over the whole materialized dictionary (numpy, not the pass)."""
    import re

    rng = np.random.default_rng(11)
    X = rng.normal(size=(30, 2))
    y = np.sin(3 * X[:, 0]) + 0.3 * rng.normal(size=30)
    K = Dictionary(X, "l1", True).materialize()
    lam_max = float(np.abs((K - K.mean(axis=0)).T @ (y - y.mean())).max())
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model = ConvexReLU(lam=1e-4 * lam_max, max_iter=1, dictionary="stored").fit(X, y)
    assert not model.converged_
    advice = [str(w.message) for w in caught if issubclass(w.category, ConvergenceWarning) and "λ_max" in str(w.message)]
    assert len(advice) == 1 and "ConvexReLUCV" in advice[0]
    named = float(re.search(r"λ_max = ([0-9.e+-]+)", advice[0]).group(1))
    assert named == pytest.approx(lam_max, rel=1e-3)
    with warnings.catch_warnings(record=True) as caught:  # a certified fit gives no advice
        warnings.simplefilter("always")
        assert ConvexReLU(lam=1e-4 * lam_max, dictionary="stored").fit(X, y).converged_
    assert not [w for w in caught if "λ_max" in str(w.message)]
