"""The ReLU program's dual bounds (issue 24): every group gets the valid bound at μ = 0 at once,
and only groups above λ are tightened by a cone projection, largest first, until a deadline.
Checked against the exact support value sup{gᵀv : v ∈ K, ‖v‖ ≤ 1} computed by cvxpy."""

import time
import warnings
from pathlib import Path

import cvxpy as cp
import numpy as np
import pytest

import ganet
from ganet.numeric.arrangement.program import ArrangementProgram, group_bounds


def _program(seed, n=30, d=3, P=12):
    rng = np.random.default_rng(seed)
    Z = rng.normal(size=(n, d))
    masks = (Z @ rng.normal(size=(d, P)) >= 0).T
    return ArrangementProgram(Z, masks, np.ones(d, dtype=bool), gated=False, intercept=False), rng


def _support(program, g, i):
    """max gᵀv over v in group i's cone {(2Dᵢ − I)Zv ≥ 0} with ‖v‖ ≤ 1 (cvxpy + Clarabel)."""
    v = cp.Variable(program.Z.shape[1])
    cone = cp.multiply(program.S[:, i], program.Z @ v) >= 0
    problem = cp.Problem(cp.Maximize(g @ v), [cone, cp.norm(v, 2) <= 1])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        problem.solve(solver="CLARABEL")
    return problem.value


@pytest.mark.parametrize("seed", [0, 1])
def test_loose_and_tightened_bounds_bracket_the_support_value(seed):
    program, rng = _program(seed)
    theta = rng.normal(size=len(program.Z))
    loose, complete = group_bounds(program, theta, deadline=time.perf_counter() - 1.0, threshold=0.0)
    assert not complete
    tight, complete = group_bounds(program, theta, threshold=0.0)
    assert complete
    G = program.correlations(theta, np.arange(program.n_groups))
    exact = np.array([max(_support(program, G[:, i], i), _support(program, -G[:, i], i))
                      for i in range(program.n_groups)])
    assert np.all(loose >= tight - 1e-12)  # tightening only lowers a bound ...
    assert np.all(tight >= exact - 1e-7)  # ... which stays an upper bound of the support value
    np.testing.assert_allclose(tight, exact, rtol=1e-6, atol=1e-8)  # (exact: every coordinate penalized)
    # a threshold leaves the groups below it at their loose bound, which is already ≤ threshold
    mid = float(np.median(loose))
    partial, complete = group_bounds(program, theta, threshold=mid)
    assert complete and np.all(partial[loose <= mid] == loose[loose <= mid])
    assert np.all(partial[loose > mid] == tight[loose > mid])


def test_a_budgeted_relu_program_starts_sweeping_at_once():
    """Before, the first certificate check projected every group first (60–120 s on digits with
    500 gates): a 2 s budget ended with no sweep and an infinite gap. Now the μ = 0 bounds rank
    the first working set at once."""
    rng = np.random.default_rng(0)
    X = rng.normal(size=(500, 20))
    y = np.maximum(X[:, :3].sum(axis=1), 0) - np.abs(X[:, 3]) + 0.1 * rng.normal(size=500)
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = ganet.ArrangementReLU(patterns="sampled", n_patterns=300, lam=5.0, random_state=0,
                                      max_seconds=2.0).fit(X, y)
    wall = time.perf_counter() - start
    assert wall < 2.0 + 1.0 + 5.0  # a loose functional bound (the stop reason is the budget)
    assert model.report_["stopped"] in ("max_seconds", "converged")
    assert model.n_iter_ > 0 and np.isfinite(model.dual_gap_)
    assert model.objective_ < 0.5 * np.sum((y - y.mean()) ** 2)  # it moved from the constant model


def test_interior_point_rounding_is_not_reported_as_neurons():
    """Clarabel's working-set solutions are not exactly sparse: this fit reported 58 neurons, 47
    of them with |α| ≈ 3e-6 (the largest 4.9). Groups below 1e-9 of the largest are dropped when
    the re-certified point keeps its gap within tol."""
    from sklearn.datasets import load_diabetes

    data = load_diabetes()
    X, y = data.data[:, [2, 8, 3]], data.target
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = ganet.ArrangementReLU(patterns="sampled", n_patterns=50, random_state=0, lam=162.6,
                                      standardize=True).fit(X, y)
    alpha = np.abs([nu.alpha for nu in model.neurons_])
    assert model.converged_ and len(alpha) and alpha.min() > 1e-3 * alpha.max()
    assert model.network_objective(X, y) == pytest.approx(model.objective_, rel=1e-9)


def test_cone_prox_with_a_vanishing_threshold_has_a_root():
    """With a free bias and a threshold c ≈ 0 the root of ‖Πv(s)‖ = s sits at the bracket's end
    up to rounding, and Brent's method refused the bracket (162 of these 1,200 cases raised
    "f(a) and f(b) must have different signs"; seen on breast cancer with init=). The prox is
    then the projection itself."""
    from ganet.numeric.arrangement.program import _cone_prox, project_onto_cone

    rng = np.random.default_rng(0)
    pen = np.array([True, True, True, False])
    for _ in range(300):
        Z = np.hstack([rng.normal(size=(40, 3)), np.ones((40, 1))])
        Zs = np.where(Z @ rng.normal(size=4) >= 0, 1.0, -1.0)[:, None] * Z
        a = rng.normal(size=4)
        p = project_onto_cone(Zs, a)[0]
        for c in (1e-10, 1e-14, 1e-16, 1e-18):
            v, _ = _cone_prox(Zs, a, pen, c, ())
            # (feasible up to rounding at the input's scale: v can be ~1e-16 ‖a‖, the cone's apex)
            assert np.all(Zs @ v >= -1e-9 * np.linalg.norm(Zs, axis=1) * np.linalg.norm(a))
            assert np.linalg.norm(v - p) <= 1e-6 * np.linalg.norm(p) + 1e-12 * np.linalg.norm(a) + 10 * c


def test_cone_prox_of_a_point_in_the_polar_cone():
    """A block step found by the stranger check (breast cancer, standardize=True, 200 sampled
    ReLU patterns, seed 20): a lies in the cone's polar up to rounding, so Π_K(a) is 1.6e-19 and
    the sign of ‖Πv(s)‖ − s at the bracket's ends flipped between evaluations; Brent's method
    raised "f(a) and f(b) must have different signs" out of ArrangementReLUClassifier.fit. The
    step must return the prox, checked here against cvxpy's solution of the same problem."""
    from ganet.numeric.arrangement.program import _cone_prox

    case = np.load(Path(__file__).parent / "data" / "cone_prox_polar_case.npz")
    Zs, a, penalized, c = case["Zs"], case["a"], case["penalized"], float(case["c"])
    v, _ = _cone_prox(Zs, a, penalized, c, list(case["rows"]), Zs * Zs)

    def value(u):
        return 0.5 * float(np.sum((u - a) ** 2)) + c * float(np.linalg.norm(u[penalized]))

    u = cp.Variable(len(a))
    problem = cp.Problem(cp.Minimize(0.5 * cp.sum_squares(u - a) + c * cp.norm(u[penalized], 2)), [Zs @ u >= 0])
    problem.solve(solver="CLARABEL")
    assert np.all(np.isfinite(v)) and np.all(Zs @ v >= -1e-12 * np.linalg.norm(a))
    assert value(v) <= problem.value * (1 + 1e-9)
