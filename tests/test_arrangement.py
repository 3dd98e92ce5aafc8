"""Arrangement programs (issue 12): patterns, the exact and sampled programs, whitened closed
form, chamber diameters — each against an independent computation."""

import itertools
import warnings

import cvxpy as cp
import numpy as np
import pytest
from scipy.optimize import linprog

import ganet
from ganet.numeric.arrangement.chambers import chamber_diameter
from ganet.numeric.arrangement.patterns import exact_patterns, pattern_count_bound, sampled_patterns
from ganet.numeric.arrangement.program import ArrangementProgram, solve_arrangement


def _lp_feasible(Z, signs, strict):
    """Is there u with sᵢzᵢᵀu > 0 (strict) — or zᵢᵀu ≥ 0 for sᵢ = + and < 0 for sᵢ = − (the
    paper's 1[Zu ≥ 0]) — by an LP with margins (the conditions are homogeneous)?"""
    n, D = Z.shape
    A, b = [], []
    for z, s in zip(Z, signs):
        if not z.any():
            continue
        if s > 0 and not strict:
            A.append(-z)
            b.append(0.0)
        else:
            A.append(-s * z)
            b.append(-1.0)
    if not A:
        return True
    res = linprog(np.zeros(D), A_ub=np.array(A), b_ub=np.array(b), bounds=[(None, None)] * D,
                  method="highs")
    return res.status == 0


def _brute_patterns(Z, strict=True):
    out = set()
    for s in itertools.product([1, -1], repeat=len(Z)):
        if _lp_feasible(Z, s, strict):
            out.add(tuple((np.array(s) > 0) | ~Z.any(axis=1)))
    return out


def _design(X, bias):
    return np.hstack([X, np.ones((len(X), 1))]) if bias else X


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("bias", [False, True])
def test_exact_patterns_are_every_chamber(seed, bias):
    rng = np.random.default_rng(seed)
    n, d = int(rng.integers(3, 7)), int(rng.integers(1, 4))
    X = rng.standard_normal((n, d))
    if seed % 2:
        X[1] = -2.5 * X[0]  # parallel rows
    if seed % 3 == 0:
        X[-1] = 0.0  # a point at the origin
    Z = _design(X, bias)
    masks, witnesses = exact_patterns(Z)
    assert set(map(tuple, masks)) == _brute_patterns(Z)
    assert len(masks) <= pattern_count_bound(n, Z.shape[1])
    # every witness is strictly inside its chamber
    S = Z @ witnesses.T
    nz = Z.any(axis=1)
    assert np.all((S[nz] > 0) == masks.T[nz]) and np.all(S[nz] != 0)


def _reference_program(Z, masks, y, lam, penalized, gated=False, intercept=True, loss=None):
    """The arrangement program written out in cvxpy, one variable per pattern and sign; ``loss``
    maps the scores (a cvxpy expression) to the datafit's value, ½‖q − y‖² when None."""
    n, D = Z.shape
    F, penalty, constraints = 0, 0, []
    for m in masks:
        Dm = np.diag(m.astype(float))
        for sign in ((1,) if gated else (1, -1)):
            v = cp.Variable(D)
            F = F + sign * (Dm @ Z @ v)
            penalty = penalty + cp.norm(v[penalized], 2)
            if not gated:
                constraints.append((2 * Dm - np.eye(n)) @ Z @ v >= 0)
    t = cp.Variable() if intercept else 0.0
    datafit = 0.5 * cp.sum_squares(F + t - y) if loss is None else loss(F + t)
    prob = cp.Problem(cp.Minimize(datafit + lam * penalty), constraints)
    # tight tolerances where Clarabel reaches them (the ADMM tests compare feasible values with it
    # at 1e-9, and its defaults left one 1.2e-9 above the optimum); else its defaults, since an
    # "inaccurate" status means only its looser reduced tolerances were met
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        prob.solve(solver="CLARABEL", tol_gap_abs=1e-12, tol_gap_rel=1e-12, tol_feas=1e-12)
    if prob.status != cp.OPTIMAL:
        prob = cp.Problem(prob.objective, prob.constraints)  # (a new problem: no state carried over)
        prob.solve(solver="CLARABEL")
    return prob.value


@pytest.mark.parametrize("bias", [False, True])
def test_exact_program_equals_brute_force_over_all_sign_vectors(bias):
    """The paper's pattern set {1[Zu ≥ 0]} (faces included, found by LP over all 2ⁿ sign
    vectors) gives the same optimum as the chambers alone."""
    rng = np.random.default_rng(3)
    X = rng.standard_normal((7, 2))
    y = rng.standard_normal(7)
    Z = _design(X, bias)
    all_patterns = np.array(sorted(_brute_patterns(Z, strict=False)))
    pen = np.arange(Z.shape[1]) < 2
    reference = _reference_program(Z, all_patterns, y, 0.1, pen, intercept=bias)
    model = ganet.ArrangementReLU(lam=0.1, bias=bias, tol=1e-7).fit(X, y)
    assert len(all_patterns) >= model.n_patterns_
    assert model.certificate_ == "global"
    assert model.objective_ == pytest.approx(reference, rel=1e-6)
    assert model.objective_ - model.dual_gap_ <= reference * (1 + 1e-7)
    # the network rebuilt from the program attains the program's value
    assert model.network_objective(X, y) == pytest.approx(model.objective_, rel=1e-10)


def test_one_dimensional_exact_equals_both_ga_lassos():
    """In 1-D ‖u‖₁ = ‖u‖₂: the exact program, the p = 1 and the p = 2 GA Lassos coincide."""
    rng = np.random.default_rng(0)
    X = rng.standard_normal((25, 1))
    y = np.abs(X[:, 0]) + 0.1 * rng.standard_normal(25)
    exact = ganet.ArrangementReLU(lam=0.05, tol=1e-8).fit(X, y).objective_
    p1 = ganet.ConvexReLU(reg="l1", lam=0.05).fit(X, y).objective_
    p2 = ganet.ConvexReLU(reg="l2", lam=0.05).fit(X, y).objective_
    assert exact == pytest.approx(p1, rel=1e-6)
    assert exact == pytest.approx(p2, rel=1e-6)


@pytest.mark.parametrize("bias", [False, True])
def test_ga_lasso_bounds_the_exact_optimum_and_the_ratio_is_the_quotient(bias):
    rng = np.random.default_rng(1)
    X = rng.standard_normal((12, 2))
    y = np.sin(2 * X[:, 0]) + X[:, 1]
    r = ganet.certified_ratio(X, y, 0.05, bias=bias)
    assert r["ga"] >= r["exact"] * (1 - 1e-7)
    assert r["ratio"] == r["ga"] / r["exact"]
    lo, hi = r["ratio_interval"]
    assert lo <= r["ratio"] <= hi and lo >= 1 - 1e-6


def test_whitened_closed_form_equals_the_numeric_optimum():
    rng = np.random.default_rng(2)
    X = ganet.whiten(rng.standard_normal((6, 9)))
    assert np.allclose(X @ X.T, np.eye(6), atol=1e-12)
    for lam in (0.05, 0.4, 0.9, 5.0):
        y = rng.standard_normal(6)
        closed = ganet.whitened_closed_form(X, y, lam)
        model = ganet.ArrangementReLU(lam=lam, bias=False, tol=1e-10).fit(X, y)
        assert closed["objective"] == pytest.approx(model.objective_, rel=1e-8)
        # the closed-form network evaluated as a network
        f = np.maximum(X @ closed["W1"], 0) @ closed["W2"]
        value = 0.5 * np.sum((f - y) ** 2) + 0.5 * lam * (np.sum(closed["W1"] ** 2) + np.sum(closed["W2"] ** 2))
        assert value == pytest.approx(closed["objective"], rel=1e-12)


def test_paper_whitened_weights_need_the_balancing_rescale():
    """Eq. (2.15) prints unit-norm first layers; they are optimal only after balancing."""
    rng = np.random.default_rng(5)
    X = ganet.whiten(rng.standard_normal((5, 8)))
    y = rng.standard_normal(5) * 3
    lam = 0.2
    closed = ganet.whitened_closed_form(X, y, lam)
    U = closed["W1"] / np.linalg.norm(closed["W1"], axis=0)
    alpha = closed["W2"] * np.linalg.norm(closed["W1"], axis=0)  # same function, ‖u‖ = 1
    f = np.maximum(X @ U, 0) @ alpha
    unbalanced = 0.5 * np.sum((f - y) ** 2) + 0.5 * lam * (np.sum(U ** 2) + np.sum(alpha ** 2))
    assert np.allclose(f, closed["fit"])
    assert unbalanced > closed["objective"] + 1e-6


def test_whiten_refuses_tall_data():
    with pytest.raises(ValueError, match="n ≤ d"):
        ganet.whiten(np.ones((5, 3)))
    with pytest.raises(ValueError, match="not whitened"):
        ganet.whitened_closed_form(np.ones((2, 3)), np.ones(2), 0.1)


@pytest.mark.parametrize("gated", [False, True])
@pytest.mark.parametrize("gates", ["gaussian", "anchored", "sketch"])
def test_sampled_gap_is_real_and_never_global(gated, gates):
    rng = np.random.default_rng(4)
    X = rng.standard_normal((15, 3))
    y = X[:, 0] * X[:, 1] + 0.1 * rng.standard_normal(15)
    model = ganet.ArrangementReLU(patterns="sampled", n_patterns=30, gated=gated, gates=gates,
                                  sketch_dim=2, lam=0.05, random_state=0).fit(X, y)
    assert model.certificate_ == "sampled: no global certificate"
    pen = np.ones(4, dtype=bool) if gated else np.arange(4) < 3
    reference = _reference_program(_design(X, True), model.masks_, y, 0.05, pen, gated=gated)
    assert model.objective_ - model.dual_gap_ <= reference * (1 + 1e-7)
    assert model.objective_ >= reference * (1 - 1e-7)
    assert model.network_objective(X, y) == pytest.approx(model.objective_, rel=1e-9)


def test_sampled_patterns_draw_a_hundred_gates_unless_gates_are_given():
    """patterns="sampled" without n_patterns: 100 Gaussian gates (a first sampled fit failed on
    the missing count), and with given gates only those."""
    rng = np.random.default_rng(8)
    X = rng.standard_normal((60, 4))
    y = np.abs(X[:, 0]) + X[:, 1]
    params = dict(patterns="sampled", gated=True, lam=0.1, random_state=0)
    default = ganet.ArrangementReLU(**params).fit(X, y)
    explicit = ganet.ArrangementReLU(n_patterns=100, **params).fit(X, y)
    assert np.array_equal(default.masks_, explicit.masks_)
    assert 90 <= default.n_patterns_ <= 100  # (distinct patterns of the 100 draws)
    gates = rng.standard_normal((5, 3))
    given = ganet.ArrangementReLU(gates=gates, **params).fit(X, y)
    assert given.n_patterns_ == 3
    assert np.array_equal(given.masks_, (np.hstack([X, np.ones((60, 1))]) @ gates >= 0).T)


@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("loss", ["logistic", "hinge"])
def test_classifier_gaps_are_real(loss, weighted):
    """Against cvxpy, with and without sample weights (a weighted hinge fit raised
    AttributeError until the solver read the datafit's ``smooth`` instead of probing for an
    intercept method)."""
    rng = np.random.default_rng(6)
    X = rng.standard_normal((14, 2))
    labels = (X[:, 0] * X[:, 1] > 0)
    c = rng.uniform(0.5, 2.0, size=14) if weighted else np.ones(14)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = ganet.ArrangementReLUClassifier(loss=loss, lam=0.1).fit(X, labels,
                                                                        sample_weight=c if weighted else None)
    y = np.where(labels, 1.0, -1.0)
    Z = _design(X, True)
    n, D = Z.shape
    F, penalty, cons = 0, 0, []
    for m in model.masks_:
        Dm = np.diag(m.astype(float))
        for sign in (1, -1):
            v = cp.Variable(D)
            F = F + sign * (Dm @ Z @ v)
            penalty = penalty + cp.norm(v[:2], 2)
            cons.append((2 * Dm - np.eye(n)) @ Z @ v >= 0)
    t = cp.Variable()
    q = F + t
    fit = c @ cp.logistic(-cp.multiply(y, q)) if loss == "logistic" else c @ cp.pos(1 - cp.multiply(y, q))
    reference = cp.Problem(cp.Minimize(fit + 0.1 * penalty), cons).solve(solver="CLARABEL")
    assert model.objective_ - model.dual_gap_ <= reference * (1 + 1e-6)
    assert model.objective_ >= reference * (1 - 1e-6)
    assert model.certificate_ in ("global", "not converged (global gap)")
    assert (model.certificate_ == "global") == model.converged_
    assert model.score(X, labels) >= 0.9


def test_free_bias_relu_and_exact_logistic_certify_tightly():
    """Both stopped at Clarabel's default accuracy once (relative gaps 7.5e-6 and 7e-6, so
    ``converged_`` was False at tol = 1e-6); they must reach tol = 1e-8, with real gaps."""
    rng = np.random.default_rng(1)
    X = rng.normal(size=(60, 8))
    y = np.maximum(X[:, 0] + X[:, 1], 0.0)
    model = ganet.ArrangementReLU(patterns="sampled", n_patterns=40, random_state=0, lam=0.01,
                                  tol=1e-8).fit(X, y)
    assert model.converged_ and model.dual_gap_ <= 1e-8 * model.objective_
    reference = _reference_program(_design(X, True), model.masks_, y, 0.01, np.arange(9) < 8)
    assert model.objective_ - model.dual_gap_ <= reference * (1 + 1e-7)
    assert model.objective_ >= reference * (1 - 1e-7)
    labels = X[:14, 0] * X[:14, 1] > 0
    logistic = ganet.ArrangementReLUClassifier(loss="logistic", lam=0.05, tol=1e-8).fit(X[:14, :2], labels)
    assert logistic.converged_ and logistic.certificate_ == "global"


def test_large_scale_sampled_descent_certifies():
    """The coordinate-descent path (no conic solver) on a program too big for it."""
    import ganet.numeric.arrangement.program as arrangement

    rng = np.random.default_rng(7)
    X = rng.standard_normal((400, 5))
    y = np.maximum(X @ rng.standard_normal(5), 0) + 0.1 * rng.standard_normal(400)
    masks, _ = sampled_patterns(X, 40, random_state=0)
    for gated in (True, False):
        program = ArrangementProgram(X, masks, np.ones(5, dtype=bool), gated=gated, intercept=False)
        limit = arrangement._CONIC_LIMIT
        arrangement._CONIC_LIMIT = 0
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                res = solve_arrangement(program, y, 1.0, tol=1e-6, max_iter=3000)
        finally:
            arrangement._CONIC_LIMIT = limit
        reference = _reference_program(X, masks, y, 1.0, np.ones(5, dtype=bool), gated=gated,
                                       intercept=False)
        assert res.objective - res.dual_gap <= reference * (1 + 1e-7)
        assert res.objective >= reference * (1 - 1e-7)
        assert res.dual_gap <= 1e-4 * res.objective


def test_neurons_name_their_special_samples():
    rng = np.random.default_rng(8)
    X = rng.standard_normal((10, 2))
    y = np.abs(X[:, 0] - X[:, 1])
    model = ganet.ArrangementReLU(lam=0.1).fit(X, y)
    big = max(model.neurons_, key=lambda nu: abs(nu.alpha))
    for i in big.special_samples:
        assert abs(X[i] @ big.weight + big.bias) <= 1e-7 * (np.linalg.norm(X[i]) + 1) * np.linalg.norm(big.weight)
    assert big.formula.startswith(("Aff(", "general"))
    w, v = big.breakplane  # the kink xᵀu + b = 0 as xᵀw = v: its special samples lie on it
    assert np.allclose(X[big.special_samples] @ w, v, atol=1e-7 * np.linalg.norm(w))
    gated = ganet.ArrangementReLU(patterns="sampled", n_patterns=8, gated=True, lam=0.1, random_state=0).fit(X, y)
    for nu in gated.neurons_:  # a gated neuron breaks on its gate: its output jumps there
        w, v = nu.breakplane
        on = (X @ w >= v)
        assert np.array_equal(on, gated.masks_[nu.pattern])


def test_bad_input_is_refused_before_work():
    X = np.random.default_rng(0).standard_normal((200, 6))
    y = X[:, 0]
    with pytest.raises(ValueError, match="activation patterns"):
        ganet.ArrangementReLU(patterns="exact").fit(X, y)
    for k in (0, -3, 2.5, True):
        with pytest.raises(ValueError, match="n_patterns"):
            ganet.ArrangementReLU(patterns="sampled", n_patterns=k).fit(X, y)
    with pytest.raises(MemoryError, match="GiB"):
        ganet.ArrangementReLU(patterns="sampled", n_patterns=10**9).fit(X, y)
    with pytest.raises(ValueError, match="patterns must be"):
        ganet.ArrangementReLU(patterns="all").fit(X, y)
    with pytest.raises(ValueError, match="at least 2 classes"):  # (several: one-vs-rest, tested
        ganet.ArrangementReLUClassifier().fit(X[:9], np.zeros(9))  # in test_multiclass_arrangement)


def _chamber_diameter_2d(X):
    """In the plane: the chambers are arcs between consecutive lines xᵢ⊥ on the circle; an
    arc of angle φ has chord 2 sin(φ/2)."""
    angles = np.mod(np.concatenate([np.arctan2(X[:, 1], X[:, 0]) + np.pi / 2,
                                    np.arctan2(X[:, 1], X[:, 0]) - np.pi / 2]), 2 * np.pi)
    angles = np.sort(angles)
    gaps = np.diff(np.concatenate([angles, [angles[0] + 2 * np.pi]]))
    return 2 * np.sin(gaps.max() / 2)


def test_chamber_diameter_exact_in_the_plane_and_the_estimate_is_below():
    rng = np.random.default_rng(9)
    X = rng.standard_normal((40, 2))
    exact = chamber_diameter(X, method="exact")
    assert exact["kind"] == "exact"
    assert exact["diameter"] == pytest.approx(_chamber_diameter_2d(X), rel=1e-10)
    est = chamber_diameter(X, method="estimate", n_samples=3000, random_state=0)
    assert est["diameter"] <= exact["diameter"] + 1e-12
    assert est["diameter"] >= 0.5 * exact["diameter"]
    assert exact["bound"] == pytest.approx(1 / (1 - exact["diameter"]))


def test_chamber_diameter_shrinks_like_lemma_7():
    rng = np.random.default_rng(10)
    small = chamber_diameter(rng.standard_normal((20, 3)))["diameter"]
    large = chamber_diameter(rng.standard_normal((120, 3)))["diameter"]
    assert large < small
    assert large <= 9 * (3 / 120) ** 0.25  # Lemma 7's bound (it holds with high probability)


def test_wedge_lines_are_the_normalized_hodge_duals():
    """Against numpy: each line is a unit null vector of its rows (SVD), oriented so that
    det[line; rows] > 0 (x·×(V) = det[x; V]); dependent subsets are flagged and zero."""
    from ganet.numeric.arrangement.patterns import wedge_lines

    rng = np.random.default_rng(11)
    for r in (2, 3, 4, 7):
        Z = rng.standard_normal((6, r))
        Z[5] = 2 * Z[0]  # (0, 5) and any subset holding both are dependent
        subsets = list(itertools.combinations(range(6), r - 1))
        lines, independent = wedge_lines(Z, subsets)
        for s, line, ok in zip(subsets, lines, independent):
            rows = Z[list(s)]
            dependent = np.linalg.matrix_rank(rows) < r - 1
            assert ok == (not dependent)
            if dependent:
                assert not line.any()
                continue
            null = np.linalg.svd(rows)[2][-1]
            assert abs(abs(line @ null) - 1) <= 1e-12
            assert np.linalg.det(np.vstack([line, rows])) > 0


def test_nonnegative_least_squares_meets_the_kkt_conditions_on_degenerate_cones():
    """scipy.optimize.nnls (SciPy ≥ 1.12) returns non-optimal points on these cones (17 of 40
    such points in a check with SciPy 1.17.1), so the "projection" of a point on a face left the
    cone by up to 40× its norm, and the primal value of the certificate was not that of a
    feasible point. Points on faces of the ReLU program's cones for standardized breast-cancer
    data (correlated columns, 20–27 rows active); the projection must agree with a QP."""
    from sklearn.datasets import load_breast_cancer

    from ganet.numeric.arrangement.program import (_project_columns, cone_violation, nonnegative_least_squares,
                                           project_onto_cone)

    X = load_breast_cancer().data
    X = (X - X.mean(0)) / X.std(0)
    rng = np.random.default_rng(0)
    for trial in range(12):
        h = rng.standard_normal(30)
        Zs = np.where(X @ h >= 0, 1.0, -1.0)[:, None] * X
        v = cp.Variable(30)
        start = rng.standard_normal(30)
        cp.Problem(cp.Minimize(cp.sum_squares(v - start)), [Zs @ v >= 0]).solve(solver="CLARABEL")
        a = v.value
        on = np.flatnonzero(Zs @ a < 1e-6)  # snap onto the face exactly, then perturb by rounding
        a = a - np.linalg.pinv(Zs[on]) @ (Zs[on] @ a) + (trial % 2) * 1e-15 * rng.standard_normal(30)
        if trial % 3 == 0:
            a = start  # a point well outside the cone
        p, rows, mu = project_onto_cone(Zs, a)
        w = cp.Variable(30)
        cp.Problem(cp.Minimize(cp.sum_squares(w - a)), [Zs @ w >= 0]).solve(solver="CLARABEL")
        assert (Zs @ p).min() >= -1e-12 * np.linalg.norm(Zs, axis=1).max() * np.linalg.norm(a)
        assert np.linalg.norm(p - a) <= np.linalg.norm(w.value - a) + 1e-6
        assert np.all(mu > 0) and np.allclose(a + Zs[rows].T @ mu, p, atol=1e-12)
        program = ArrangementProgram(Zs, np.ones((1, len(X)), dtype=bool), np.ones(30, dtype=bool))
        assert cone_violation(program, _project_columns(program, a[:, None])) <= 1e-12
    B = rng.standard_normal((8, 30))
    reference = cp.Variable(30, nonneg=True)
    b = B[:, :5] @ rng.random(5)
    mu = nonnegative_least_squares(B, b)
    best = cp.Problem(cp.Minimize(cp.sum_squares(B @ reference - b))).solve(solver="CLARABEL")
    assert np.all(mu >= 0) and np.sum((B @ mu - b) ** 2) <= best + 1e-8


def test_cone_projection_agrees_with_a_quadratic_program_from_any_warm_start():
    """The projection onto a narrow cone {v : (2D − I)Zv ≥ 0} (a sampled gate's chamber, 600 rows
    in 12 dimensions: hundreds of rows violated, about D active) starts from at most D of the most
    violated rows and a warm start of active rows that may be wrong, and its NNLS factors its
    passive set incrementally; the point must equal Clarabel's QP projection, and the multipliers
    must reproduce it."""
    from ganet.numeric.arrangement.program import project_onto_cone

    rng = np.random.default_rng(3)
    Z = rng.standard_normal((600, 12))
    checked = 0
    for trial in range(8):
        Zs = np.where(Z @ rng.standard_normal(12) >= 0, 1.0, -1.0)[:, None] * Z
        a = rng.standard_normal(12) * 10
        w = cp.Variable(12)
        cp.Problem(cp.Minimize(cp.sum_squares(w - a)), [Zs @ w >= 0]).solve(solver="CLARABEL")
        # cold; warm from random rows; warm from the answer's own rows
        cold = project_onto_cone(Zs, a)
        hints = (rng.choice(600, 20, replace=False), cold[1])
        for p, r, mu in [cold] + [project_onto_cone(Zs, a, hint) for hint in hints]:
            assert np.linalg.norm(p - w.value) <= 1e-6 * max(np.linalg.norm(a), 1.0)
            assert (Zs @ p).min() >= -1e-10 * np.linalg.norm(a)
            assert np.all(mu > 0) and np.allclose(a + Zs[r].T @ mu, p, atol=1e-10)
            checked += 1
        assert 12 < int(np.sum(Zs @ a < 0))  # (more rows violated than the first candidates)
    assert checked == 24


def test_step_sizes_of_wide_blocks_bound_the_spectral_norm_tightly():
    """Above D = 500 the block step used the Frobenius bound, ~1000× too short at D = 3073; the
    Lanczos value must bound ‖A‖₂² from above, within 0.2%."""
    from ganet.numeric.arrangement.program import _spectral2

    rng = np.random.default_rng(2)
    for shape in ((700, 600), (400, 900)):
        A = rng.standard_normal(shape) + 0.5 * (rng.random(shape[1]) < 0.1)
        exact = np.linalg.norm(A, 2) ** 2
        assert exact <= _spectral2(A) <= 1.002 * exact


def test_memory_check_counts_the_rows_each_block_keeps(monkeypatch):
    """At n = 10,000, d = 3072, 50 patterns the fit peaked at 6.5 GiB while the check counted
    0.3 GiB (the masks and Z only, not each block's copy of its pattern's rows)."""
    import ganet.estimators.arrangement

    X = np.zeros((2000, 1000))
    monkeypatch.setattr(ganet.estimators.arrangement, "available_bytes", lambda: 0.2 * 2**30)
    with pytest.raises(MemoryError, match="GiB"):  # about 0.39 GiB needed
        ganet.ArrangementReLU(patterns="sampled", n_patterns=50, gated=True).fit(X, np.zeros(2000))


def test_forward_is_the_sum_of_the_masked_products_in_either_orientation():
    """Σᵢ DᵢZ(vᵢ − wᵢ), computed by the program as an n × P or an n × D product (whichever is
    smaller), against the sum written out pattern by pattern."""
    rng = np.random.default_rng(7)
    for D, P in ((40, 6), (5, 30)):  # D > P, D ≤ P
        Z = rng.standard_normal((50, D))
        masks = rng.random((P, 50)) < 0.5
        V, W = rng.standard_normal((D, P)), rng.standard_normal((D, P))
        program = ArrangementProgram(Z, masks, np.ones(D, dtype=bool))
        expected = sum(masks[i] * (Z @ (V[:, i] - W[:, i])) for i in range(P))
        assert np.allclose(program.forward(V, W), expected, rtol=1e-12, atol=1e-12)
        assert np.allclose(program.forward(V), sum(masks[i] * (Z @ V[:, i]) for i in range(P)), rtol=1e-12, atol=1e-12)
