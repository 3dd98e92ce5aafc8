"""The ReLU program by ADMM (ganet.numeric.arrangement.splitting, issue 24), for the squared
loss and, split off by their proximal maps, the other losses.

Every check is against an independent computation: the program written out in cvxpy (one
variable per pattern and sign, Clarabel), and each group's exact support value computed by
cvxpy. The iterates are not trusted: what is asserted is that the certified lower bound never
exceeds cvxpy's optimum, at any iteration, and that the solve reaches it."""

import warnings

import cvxpy as cp
import numpy as np
import pytest
from scipy.special import expit

import ganet.numeric.arrangement.program as arrangement
from ganet.numeric.arrangement.patterns import sampled_patterns
from ganet.numeric.arrangement.program import ArrangementProgram, _check, group_bounds, solve_arrangement
from ganet.numeric.arrangement.splitting import ReLUSplitting
from ganet.numeric.solvers.datafits import make_datafit
from tests.test_arrangement import _reference_program
from tests.test_relu_program_bounds import _program, _support


def _data(bias, seed=4, n=150, d=3, P=14):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, d))
    y = np.maximum(X @ rng.standard_normal(d) + 0.3, 0) + 0.1 * rng.standard_normal(n) + 2.0
    Z = np.hstack([X, np.ones((n, 1))]) if bias else X
    masks, _ = sampled_patterns(Z, P, random_state=0)
    penalized = np.arange(Z.shape[1]) < d  # (the bias coordinate is free, as in the estimators)
    return Z, masks, penalized, y


@pytest.mark.parametrize("bias", [False, True])
def test_splitting_then_descent_reaches_the_cvxpy_optimum(bias, monkeypatch):
    """Forced onto the splitting path (the conic limit at 0), with a free bias coordinate and a
    free intercept: the certified optimum equals cvxpy's, and the solve says which path ran."""
    Z, masks, penalized, y = _data(bias)
    program = ArrangementProgram(Z, masks, penalized, gated=False, intercept=True)
    monkeypatch.setattr(arrangement, "_CONIC_LIMIT", 0)
    assert arrangement._splits(program, 1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = solve_arrangement(program, y, 2.0, tol=1e-7, max_iter=4000)
    reference = _reference_program(Z, masks, y, 2.0, penalized, intercept=True)
    assert res.converged and res.dual_gap <= 1e-7 * res.objective
    assert res.objective == pytest.approx(reference, rel=1e-6)
    assert res.objective - res.dual_gap <= reference * (1 + 1e-8)


def test_without_memory_for_the_splitting_the_working_set_method_solves_it(monkeypatch):
    """Where the splitting's n × n matrices would not fit in half the available memory, the
    program goes down the working-set path and still reaches cvxpy's optimum."""
    from ganet.numeric.arrangement.splitting import splitting_bytes

    Z, masks, penalized, y = _data(False)
    program = ArrangementProgram(Z, masks, penalized, gated=False, intercept=True)
    monkeypatch.setattr(arrangement, "_CONIC_LIMIT", 0)
    monkeypatch.setattr(arrangement, "available_bytes", lambda: 2 * splitting_bytes(len(Z), program.n_groups) - 1)
    assert not arrangement._splits(program, 1)
    monkeypatch.setattr(arrangement, "ReLUSplitting", None)  # (it would fail if it were used)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = solve_arrangement(program, y, 2.0, tol=1e-7, max_iter=4000)
    assert res.converged
    assert res.objective == pytest.approx(_reference_program(Z, masks, y, 2.0, penalized, intercept=True), rel=1e-6)


@pytest.mark.parametrize("bias", [False, True])
def test_the_certificate_of_every_admm_iterate_is_a_lower_bound(bias):
    """Early iterates are far from optimal; the gap each check certifies from them (the cone
    multipliers of the iterate, a projection onto the cones, and with ``unprojected_dual`` the
    residual before the projection too) must still bracket cvxpy's optimum, and it must close as
    the iterations go on."""
    Z, masks, penalized, y = _data(bias, seed=5)
    program = ArrangementProgram(Z, masks, penalized, gated=False, intercept=True)
    lam = 2.0
    reference = _reference_program(Z, masks, y, lam, penalized, intercept=True)
    splitting, fit, gaps = ReLUSplitting(program, y, lam), make_datafit("squared"), []
    for target in (3, 30, 300, 3000):
        while splitting.iterations < target:
            splitting.step()
        res = _check(program, fit, y, lam, *splitting.point(), 0.0, cone_mu=splitting.cone_multipliers())
        assert res.objective >= reference * (1 - 1e-9)  # the value of a feasible point
        assert res.objective - res.dual_gap <= reference * (1 + 1e-9)  # a valid lower bound
        gaps.append(res.dual_gap / res.objective)
        # the dual point at the iterate before its projection, priced as well: still a lower bound
        both = _check(program, fit, y, lam, *splitting.point(), 0.0, cone_mu=splitting.cone_multipliers(),
                      unprojected_dual=True)
        assert both.objective == res.objective and both.dual_gap <= res.dual_gap
        assert both.objective - both.dual_gap <= reference * (1 + 1e-9)
    assert gaps[-1] < 1e-3 and gaps[-1] < gaps[0]


def test_a_check_out_of_time_zeroes_the_columns_it_cannot_project():
    """An early ADMM iterate violates most cones, and projecting each column is one NNLS (on
    digits, 10 classes × 200 columns turned a 1 s budget into 22 s). Past ``project_until`` the
    check sets the columns it has not projected to the cones' apex 0, or to a warm start's
    feasible columns: the point stays feasible, its objective is above cvxpy's optimum, and the
    gap still brackets that optimum."""
    Z, masks, penalized, y = _data(True, seed=5)
    program = ArrangementProgram(Z, masks, penalized, gated=False, intercept=True)
    lam, fit = 2.0, make_datafit("squared")
    reference = _reference_program(Z, masks, y, lam, penalized, intercept=True)
    splitting = ReLUSplitting(program, y, lam)
    for _ in range(10):
        splitting.step()
    V, W = splitting.point()
    violating = [(program.S * (Z @ U) < 0).any(axis=0) for U in (V, W)]
    assert all(v.sum() >= 3 for v in violating)  # (the case is one that needs projections)
    in_time = _check(program, fit, y, lam, V, W, 0.0)
    late = _check(program, fit, y, lam, V, W, 0.0, project_until=0.0)  # (perf_counter() > 0 always)
    for U, U_late, bad in zip((V, W), (late.V, late.W), violating):
        assert np.all(U_late[:, bad] == 0.0) and np.array_equal(U_late[:, ~bad], U[:, ~bad])
    assert arrangement.cone_violation(program, late.V) == 0.0 and arrangement.cone_violation(program, late.W) == 0.0
    assert np.any(in_time.V != 0.0)  # (in time, the projections keep something of the violators)
    # a warm start's check takes the last λ's feasible columns instead of the apex (here: the
    # projected point of the check in time, feasible and nonzero)
    fallen = _check(program, fit, y, lam, V, W, 0.0, project_until=0.0, fallback=(in_time.V, in_time.W))
    for U, U_fallen, F, bad in zip((V, W), (fallen.V, fallen.W), (in_time.V, in_time.W), violating):
        assert np.array_equal(U_fallen[:, bad], F[:, bad]) and np.array_equal(U_fallen[:, ~bad], U[:, ~bad])
    # (as feasible as the projections themselves, to rounding: the check gives a finite gap)
    assert np.isfinite(fallen.dual_gap) and all(
        arrangement.cone_violation(program, U) <= arrangement.cone_violation(program, F)
        for U, F in ((fallen.V, in_time.V), (fallen.W, in_time.W)))
    for res in (in_time, late, fallen):
        assert res.objective >= reference * (1 - 1e-9)
        assert res.objective - res.dual_gap <= reference * (1 + 1e-9)


def test_solves_of_one_program_share_the_first_factor_and_iterate_as_alone():
    """A second splitting of the same program (one-vs-rest: the next class) takes the first one's
    n × n factor instead of forming it again, and its iterates are those of a splitting built
    on a fresh copy of the program, which forms its own."""
    Z, masks, penalized, y = _data(True, seed=5)
    program = ArrangementProgram(Z, masks, penalized, gated=False, intercept=True)
    first = ReLUSplitting(program, -y, 2.0)
    for _ in range(20):
        first.step()  # (its ρ may change and refactor: the shared factor is the starting one's)
    second = ReLUSplitting(program, y, 2.0)
    assert second._H is program.shared["splitting factor", second.rho, True][1]
    alone = ReLUSplitting(ArrangementProgram(Z, masks, penalized, gated=False, intercept=True), y, 2.0)
    assert alone._H is not second._H
    for _ in range(60):
        second.step()
        alone.step()
    for a, b in zip(second.point(), alone.point()):
        np.testing.assert_array_equal(a, b)


def test_a_one_vs_rest_admm_fit_keeps_a_short_budget(monkeypatch):
    """Ten one-vs-rest ADMM programs under a 0.5 s budget: each stops at its share
    ("max_seconds"), and the checks project only what their time allows. Before, each program's
    first check projected every column that violated its cone, whatever the budget (768
    projections in all here, 4.6–5.2 s for the fit; now none, and 0.6 s with the shared factor
    of the test above). Loose bounds only: the projections are counted, and the wall time is
    held to 10× the budget."""
    import time

    from ganet import ArrangementReLUClassifier

    rng = np.random.default_rng(0)
    X = rng.standard_normal((1500, 32))
    labels = np.argmax(X[:, :5] @ rng.standard_normal((5, 10)), axis=1)
    stops, projections = [], []
    original, project = arrangement.solve_arrangement, arrangement.project_onto_cone

    def spy(*args, **kwargs):
        res = original(*args, **kwargs)
        stops.append(res.stopped)
        return res

    def counted(*args, **kwargs):
        projections.append(1)
        return project(*args, **kwargs)

    monkeypatch.setattr("ganet.estimators.arrangement.solve_arrangement", spy)
    monkeypatch.setattr(arrangement, "project_onto_cone", counted)
    monkeypatch.setattr(arrangement, "_CONIC_LIMIT", 0)  # (the ADMM path at this size)
    model = ArrangementReLUClassifier(patterns="sampled", n_patterns=100, lam=1.0, max_seconds=0.5, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model.fit(X[:300], labels[:300])  # (warm: the bound below is not for numba's compilation)
        stops.clear()
        projections.clear()
        tic = time.perf_counter()
        model.fit(X, labels)
    assert stops == ["max_seconds"] * len(model.classes_)
    assert len(projections) < 500
    assert time.perf_counter() - tic < 5.0


@pytest.mark.parametrize("seed", [0, 1])
def test_admm_multipliers_give_valid_group_bounds(seed):
    """With the iterate's multipliers as well (``cone_mu``), and no projection allowed (deadline
    passed), each group's bound is still ≥ its exact support value, and never above the
    multiplier-free bound."""
    program, rng = _program(seed)
    y = rng.normal(size=len(program.Z))
    splitting = ReLUSplitting(program, y, 0.5)
    for _ in range(40):
        splitting.step()
    theta = rng.normal(size=len(program.Z))
    mu = splitting.cone_multipliers()
    assert min(float(m.max()) for m in mu) > 0.0  # (the multipliers are not all zero: not vacuous)
    with_mu, _ = group_bounds(program, theta, deadline=0.0, threshold=0.0, cone_mu=mu)
    without, _ = group_bounds(program, theta, deadline=0.0, threshold=0.0)
    assert np.all(with_mu <= without + 1e-12)
    for i in range(program.n_groups):
        g = program.Z.T @ (program.M[:, i] * theta)
        exact = max(_support(program, g, i), _support(program, -g, i))
        assert with_mu[i] >= exact - 1e-6 * max(1.0, exact)


def test_the_fused_cone_step_is_the_admm_s_and_multiplier_update():
    """_cone_steps against the update written out in numpy (Boyd et al.'s over-relaxed S-step and
    scaled multiplier update), on random arrays with the signs of random patterns."""
    from ganet.numeric.arrangement.splitting import _cone_steps

    rng = np.random.default_rng(3)
    n, P, alpha = 37, 5, 1.6
    signs = np.where(rng.random((n, P)) < 0.5, 1.0, -1.0)
    ZU, S, L2 = rng.normal(size=(n, 2 * P)), np.maximum(rng.normal(size=(n, 2 * P)), 0), rng.normal(size=(n, 2 * P))
    A = np.hstack([signs, signs])
    relaxed = alpha * A * ZU + (1 - alpha) * S
    S_new = np.maximum(0.0, relaxed + L2)
    L2_new = L2 + relaxed - S_new
    expected_sums = (np.sum((relaxed - S_new) ** 2), np.sum((S_new - S) ** 2), np.sum(S_new ** 2), np.sum(L2_new ** 2))
    S_old, gap = S.copy(), np.empty_like(S)
    sums = _cone_steps(ZU, signs, alpha, S, L2, gap)
    np.testing.assert_allclose(S, S_new, rtol=1e-15, atol=1e-15)
    np.testing.assert_allclose(L2, L2_new, rtol=1e-14, atol=1e-15)
    np.testing.assert_allclose(gap, A * (S_new - L2_new), rtol=1e-14, atol=1e-15)
    np.testing.assert_allclose(sums, expected_sums, rtol=1e-13)
    assert not np.array_equal(S, S_old)  # (the step moved S: not vacuous)


# the losses other than the plain squared one, each with its cvxpy value (written out here,
# not the library's ``conic``) and the targets it takes
_WEIGHTS = np.random.default_rng(9).uniform(0.0, 2.0, 150)
_LOSSES = {
    "logistic": (lambda: make_datafit("logistic"), lambda y: lambda q: cp.sum(cp.logistic(-cp.multiply(y, q))), True),
    "huber": (lambda: make_datafit("huber", 0.5), lambda y: lambda q: 0.5 * cp.sum(cp.huber(q - y, 0.5)), False),
    "weighted squared": (lambda: make_datafit("squared", weights=_WEIGHTS),
                         lambda y: lambda q: 0.5 * cp.sum(cp.multiply(_WEIGHTS, cp.square(q - y))), False),
    "hinge": (lambda: make_datafit("hinge"), lambda y: lambda q: cp.sum(cp.pos(1 - cp.multiply(y, q))), True),
}


@pytest.mark.parametrize("loss", list(_LOSSES))
def test_other_losses_split_off_reach_the_cvxpy_optimum(loss, monkeypatch):
    """Logistic, Huber, a weighted squared loss and the hinge on the splitting path (the loss
    split off by its proximal map; the hinge certified with the iterate's multipliers), with a
    free bias coordinate and a free intercept: every check's lower bound stays below cvxpy's
    optimum and closes, and the solve certifies it."""
    make, reference_loss, labels = _LOSSES[loss]
    Z, masks, penalized, y = _data(True, seed=7)
    if labels:
        y = np.where(y > np.median(y), 1.0, -1.0)
    program = ArrangementProgram(Z, masks, penalized, gated=False, intercept=True)
    datafit, lam = make(), 1.0
    reference = _reference_program(Z, masks, y, lam, penalized, intercept=True, loss=reference_loss(y))
    splitting = ReLUSplitting(program, y, lam, datafit)
    for target in (10, 100, 1000):
        while splitting.iterations < target:
            splitting.step()
        res = _check(program, datafit, y, lam, *splitting.point(), splitting.t, multipliers=splitting.loss_multipliers(),
                     cone_mu=splitting.cone_multipliers(), unprojected_dual=True)
        assert res.objective >= reference * (1 - 1e-9)
        assert res.objective - res.dual_gap <= reference * (1 + 1e-9)
    # and it closes (the hinge's multipliers with the wrong sign would leave a gap near 100%)
    assert res.dual_gap <= 0.05 * res.objective
    # the splitting path whatever the size, then the hand-over a large program takes: once the
    # support fits one interior-point solve and the gap stops halving, the working-set method
    monkeypatch.setattr(arrangement, "_splits", lambda program, size: True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = solve_arrangement(program, y, lam, loss=datafit.name, tol=1e-7,
                                sample_weight=getattr(datafit, "weights", None),
                                huber_delta=getattr(datafit, "delta", 1.0))
    assert res.converged and res.dual_gap <= 1e-7 * res.objective
    assert res.objective == pytest.approx(reference, rel=1e-6)
    assert res.objective - res.dual_gap <= reference * (1 + 1e-8)


def test_the_hinge_prox_is_cvxpy_s():
    """The hinge's prox (piecewise: no derivative at its corner) against cvxpy's solution of the
    separable program Σ max(0, 1 − yᵢrᵢ) + Σ (rᵢ − vᵢ)²/(2τᵢ), margins on both sides of 1."""
    rng = np.random.default_rng(5)
    n = 200
    y = np.where(rng.random(n) < 0.5, 1.0, -1.0)
    v, tau = 3 * rng.standard_normal(n), rng.uniform(0.05, 5.0, n)
    r = cp.Variable(n)
    cp.Problem(cp.Minimize(cp.sum(cp.pos(1 - cp.multiply(y, r))) + cp.sum(cp.multiply(0.5 / tau, cp.square(r - v))))
               ).solve(solver="CLARABEL", tol_gap_abs=1e-12, tol_gap_rel=1e-12, tol_feas=1e-12)
    ours = make_datafit("hinge").prox(v, y, tau)
    np.testing.assert_allclose(ours, r.value, atol=1e-6)
    margins = y * ours
    assert (margins == 1.0).any() and (margins > 1.0).any() and (margins < 1.0).any()  # (each piece)


@pytest.mark.parametrize("loss", [k for k in _LOSSES if k != "hinge"] + ["squared"])
def test_each_smooth_datafit_prox_is_stationary(loss):
    """prox(v, y, τ) = argmin_r ℓ(r, y) + (r − v)²/(2τ): the derivative of that objective,
    written out here for each loss, vanishes at it, for steps τ from 1e-3 to 1e4; a term of
    weight 0 keeps v."""
    rng = np.random.default_rng(2)
    n = 150
    datafit = make_datafit("squared") if loss == "squared" else _LOSSES[loss][0]()
    y = np.where(rng.random(n) < 0.5, 1.0, -1.0) if loss == "logistic" else 3 * rng.standard_normal(n)
    c = _WEIGHTS if loss == "weighted squared" else np.ones(n)
    derivative = {"logistic": lambda r: -y * expit(-y * r), "huber": lambda r: np.clip(r - y, -0.5, 0.5),
                  "weighted squared": lambda r: c * (r - y), "squared": lambda r: r - y}[loss]
    for tau in (1e-3, 1.0, 1e4):
        v = 20 * rng.standard_normal(n)
        steps = tau * rng.uniform(0.5, 2.0, n)
        r = datafit.prox(v, y, steps)
        np.testing.assert_allclose(derivative(r) + (r - v) / steps, 0.0, atol=1e-12 * (1 + 1 / tau))

    weights = np.r_[0.0, np.ones(n - 1)]
    weighted = make_datafit(datafit.name if loss != "huber" else "huber", 0.5, weights)
    v = 20 * rng.standard_normal(n)
    r = weighted.prox(v, y, np.full(n, 2.0))
    assert r[0] == v[0] and not np.allclose(r[1:], v[1:])


@pytest.mark.parametrize("loss", ["logistic", "hinge"])
def test_a_global_certificate_by_the_splitting_is_the_brute_force_optimum(loss, monkeypatch):
    """"global" on the new path: the exact program (every pattern) of a classifier with the
    logistic or hinge loss, sent through the ADMM whatever its size, certifies the optimum that
    cvxpy finds over every sign vector's pattern (found by brute force over all 2ⁿ of them)."""
    import ganet
    from tests.test_arrangement import _brute_patterns, _design

    rng = np.random.default_rng(11)
    X = rng.standard_normal((8, 2))
    labels = np.where(X[:, 0] * X[:, 1] + 0.3 * rng.standard_normal(8) > 0, 1.0, -1.0)
    used = []
    monkeypatch.setattr(arrangement, "_splits", lambda program, size: used.append(size) or True)
    model = ganet.ArrangementReLUClassifier(loss=loss, lam=0.1, tol=1e-7).fit(X, labels)
    assert used and model.certificate_ == "global"
    Z = _design(X, True)
    patterns = np.array(sorted(_brute_patterns(Z, strict=False)))
    y = np.where(labels == model.classes_[1], 1.0, -1.0)
    loss_value = (lambda q: cp.sum(cp.logistic(-cp.multiply(y, q)))) if loss == "logistic" else (
        lambda q: cp.sum(cp.pos(1 - cp.multiply(y, q))))
    reference = _reference_program(Z, patterns, y, 0.1, np.arange(3) < 2, intercept=True, loss=loss_value)
    assert model.objective_ == pytest.approx(reference, rel=1e-6)
    assert model.objective_ - model.dual_gap_ <= reference * (1 + 1e-7)


@pytest.mark.parametrize("loss, intercept", [(None, False), (None, True), ("logistic", True)])
def test_the_u_step_solves_its_linear_system_with_separate_penalties(loss, intercept):
    """With distinct ρ₁ (U = X), ρ₂ (𝒜U = S) and ρ₃ (FU + t1 = r), the U-step's Woodbury solve
    against the linear system of the module docstring formed densely and solved by numpy:
    (ρ₃FᵀCF + ρ₁I + ρ₂𝒜ᵀ𝒜)u = ρ₃FᵀC(r − Λ₃) + ρ₁(X − Λ₁) + ρ₂𝒜ᵀ(S − Λ₂), with ρ₃FᵀC(r − Λ₃)
    read as FᵀCy for the direct squared loss, from a random state."""
    from ganet.numeric.arrangement.splitting import _signed_difference

    Z, masks, penalized, y = _data(False, seed=5, n=23, d=3, P=4)
    if loss == "logistic":
        y = np.where(y > np.median(y), 1.0, -1.0)
    program = ArrangementProgram(Z, masks, penalized, gated=False, intercept=intercept)
    splitting = ReLUSplitting(program, y, 0.7, None if loss is None else make_datafit(loss))
    rho1, rho2, rho3 = 3.0, 0.25, 0.7
    splitting._factor(rho1, rho2, rho3)
    rng = np.random.default_rng(2)
    n, D = Z.shape
    P = program.n_groups
    splitting.X, splitting.L1 = rng.normal(size=(D, 2 * P)), rng.normal(size=(D, 2 * P))
    splitting.S, splitting.L2 = np.maximum(rng.normal(size=(n, 2 * P)), 0), rng.normal(size=(n, 2 * P))
    splitting.r, splitting.L3 = rng.normal(size=n), rng.normal(size=n)
    signs = np.hstack([program.S, program.S])
    splitting._signed_gap = _signed_difference(program.S, splitting.S, splitting.L2)
    X, L1, S, L2, r, L3 = (np.copy(a) for a in (splitting.X, splitting.L1, splitting.S, splitting.L2,
                                                 splitting.r, splitting.L3))
    splitting.step()
    # u = vec(U) column by column: F's block j is σⱼ diag(mⱼ) Z, 𝒜's is diag(aⱼ) Z
    sigma = np.repeat([1.0, -1.0], P)
    masks2 = np.hstack([program.M, program.M])
    F = np.hstack([sigma[j] * masks2[:, j, None] * Z for j in range(2 * P)])
    A = np.zeros((n * 2 * P, D * 2 * P))
    for j in range(2 * P):
        A[j * n:(j + 1) * n, j * D:(j + 1) * D] = signs[:, j, None] * Z
    C = np.eye(n) - (np.ones((n, n)) / n if intercept else 0.0)
    vec = lambda M: M.T.ravel()  # noqa: E731  (columns stacked)
    rho3, data = (1.0, y) if loss is None else (rho3, r - L3)
    lhs = rho3 * F.T @ C @ F + rho1 * np.eye(D * 2 * P) + rho2 * A.T @ A
    rhs = rho3 * F.T @ C @ data + rho1 * vec(X - L1) + rho2 * A.T @ vec(S - L2)
    expected = np.linalg.solve(lhs, rhs).reshape(2 * P, D).T
    np.testing.assert_allclose(splitting.U, expected, rtol=1e-9, atol=1e-10 * np.abs(expected).max())


@pytest.mark.parametrize("fits", [False, True])
def test_the_hinge_admm_hands_over_at_half_its_iterations_only_when_its_support_fits(fits, monkeypatch):
    """The hinge's working sets have no solver but the interior point: its ADMM hands over to
    them after max_iter // 2 iterations when its support fits one solve (then the working-set
    method certifies it, however few checks a fast machine made before), and otherwise goes
    on to max_iter (breast cancer through the CLI, 100 sampled patterns, stopped at 10,000 of
    20,000 iterations, 8 s before its 30 s budget, when it handed over at half regardless)."""
    Z, masks, penalized, y = _data(True, seed=7)
    y = np.where(y > np.median(y), 1.0, -1.0)
    program = ArrangementProgram(Z, masks, penalized, gated=False, intercept=True)
    monkeypatch.setattr(arrangement, "_splits", lambda program, size: True)
    monkeypatch.setattr(arrangement, "_support_fits", lambda program, res: fits)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = solve_arrangement(program, y, 1.0, loss="hinge", tol=1e-7, max_iter=400)
    if fits:
        assert res.converged and res.n_iter > 200 and res.working_set_size > 0
    else:
        assert not res.converged and res.stopped == "max_iter" and res.n_iter == 400 and res.working_set_size == 0
