"""Issue 21: the properties the mathematics guarantees, for every estimator family.

For each model and a few seeded small problems:

* translation of X (with biases): the optimum is unchanged;
* permutation of the samples: unchanged;
* joint scaling X → aX, y → by, λ → λab: the objective scales by b² (the features are positively
  homogeneous of degree one, so a network f becomes b·f(·/a) at the balanced weights);
* ``network_objective`` of the rebuilt network equals ``objective_``;
* an independent enumeration (tests/reference.py: cvxpy over all sign patterns, or the rational
  vertex enumeration of the deep families) is never below a certified lower bound.

Every certified fit is compared through its bracket [objective − gap, objective]: two fits of the
same problem must have overlapping brackets. Runs in well under a minute."""

import warnings

import numpy as np
import pytest

import ganet
from tests.reference import deep_abs_1d_dictionary, lasso_reference, pilanci_ergen, relu3_dictionary

REL = 1e-7


def _quiet_fit(model, X, y):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return model.fit(X, y)


def _same_optimum(a, b, factor=1.0):
    """The brackets [P − gap, P] of two certified fits (b's scaled by ``factor``) overlap."""
    lo_a, hi_a = a.objective_ - a.dual_gap_, a.objective_
    lo_b, hi_b = factor * (b.objective_ - b.dual_gap_), factor * b.objective_
    slack = REL * max(1.0, abs(hi_a))
    assert lo_a <= hi_b + slack and lo_b <= hi_a + slack, (lo_a, hi_a, lo_b, hi_b)


def _problem(seed, n, d):
    rng = np.random.default_rng(seed)
    X = rng.uniform(-1, 1, (n, d))
    y = np.sin(2 * X[:, 0]) + (X[:, 1] if d > 1 else 0) + 0.3 * rng.standard_normal(n)
    return X, y


# (name, factory(λ), n, d, translation invariant, independent reference or None)
MODELS = [
    ("arrangement relu bias", lambda lam: ganet.ArrangementReLU(patterns="exact", lam=lam, bias=True),
     8, 2, True, lambda X, y, lam: pilanci_ergen(X, y, lam, p=2, bias=True)),
    ("arrangement relu no bias", lambda lam: ganet.ArrangementReLU(patterns="exact", lam=lam, bias=False),
     8, 2, False, lambda X, y, lam: pilanci_ergen(X, y, lam, p=2, bias=False)),
    ("arrangement gated no bias", lambda lam: ganet.ArrangementReLU(patterns="exact", gated=True, lam=lam,
                                                                   bias=False), 8, 2, False, None),
    ("three-layer bias", lambda lam: ganet.ThreeLayerReLU(lam=lam, bias=True), 6, 2, True,
     lambda X, y, lam: lasso_reference(relu3_dictionary(X, bias=True), y, lam, True)),
    ("three-layer no bias", lambda lam: ganet.ThreeLayerReLU(lam=lam, bias=False), 6, 2, False,
     lambda X, y, lam: lasso_reference(relu3_dictionary(X), y, lam, True)),
    ("deep abs L=2", lambda lam: ganet.DeepNarrowAbs(depth=2, lam=lam), 8, 1, True,
     lambda X, y, lam: lasso_reference(deep_abs_1d_dictionary(X, 2)[0], y, lam, True)),
    ("deep abs L=3", lambda lam: ganet.DeepNarrowAbs(depth=3, lam=lam), 7, 1, True,
     lambda X, y, lam: lasso_reference(deep_abs_1d_dictionary(X, 3)[0], y, lam, True)),
    ("two-layer p=1 bias", lambda lam: ganet.ConvexReLU(lam=lam, bias=True), 10, 2, True, None),
]


@pytest.mark.parametrize("seed", [0, 1])
@pytest.mark.parametrize("name, make, n, d, invariant, reference", MODELS, ids=[m[0] for m in MODELS])
def test_properties(name, make, n, d, invariant, reference, seed):
    X, y = _problem(seed, n, d)
    lam = 0.05
    base = _quiet_fit(make(lam), X, y)
    assert base.certificate_ == "global", name
    assert base.network_objective(X, y) == pytest.approx(base.objective_, rel=1e-8)
    if reference is not None:
        value = reference(X, y, lam)
        slack = 1e-7 * max(1.0, abs(value))
        assert base.objective_ - base.dual_gap_ <= value + slack  # a lower bound, always
        assert value <= base.objective_ + slack  # the reference is no worse than a feasible point
    perm = np.random.default_rng(seed + 10).permutation(n)
    _same_optimum(base, _quiet_fit(make(lam), X[perm], y[perm]))
    a, b = 2.5, 0.75
    scaled = _quiet_fit(make(lam * a * b), a * X, b * y)
    _same_optimum(base, scaled, factor=1 / b ** 2)
    assert scaled.network_objective(a * X, b * y) == pytest.approx(scaled.objective_, rel=1e-8)
    if invariant:
        shifted = _quiet_fit(make(lam), X + 1e5 * np.arange(1, d + 1), y)
        assert shifted.certificate_ == "global"
        _same_optimum(base, shifted)
        assert shifted.network_objective(X + 1e5 * np.arange(1, d + 1), y) == pytest.approx(
            shifted.objective_, rel=1e-8)


@pytest.mark.parametrize("make", [
    lambda: ganet.ArrangementReLUClassifier(patterns="exact", lam=0.05, loss="logistic"),
    lambda: ganet.ArrangementReLUClassifier(patterns="exact", lam=0.05, loss="hinge"),
    lambda: ganet.ConvexReLUClassifier(lam=0.05, loss="logistic"),
    lambda: ganet.ConvexReLUClassifier(lam=0.05, loss="hinge"),
], ids=["arrangement logistic", "arrangement hinge", "wedge logistic", "wedge hinge"])
def test_classifier_properties(make):
    X, y = _problem(3, 10, 2)
    labels = (y > np.median(y)).astype(int)
    base = _quiet_fit(make(), X, labels)
    assert base.certificate_ == "global"
    assert base.network_objective(X, labels) == pytest.approx(base.objective_, rel=1e-8)
    perm = np.random.default_rng(0).permutation(len(X))
    _same_optimum(base, _quiet_fit(make(), X[perm], labels[perm]))
    shifted = _quiet_fit(make(), X + [3e4, -7e5], labels)  # every model here has biases
    assert shifted.certificate_ == "global"
    _same_optimum(base, shifted)


def test_duplicated_rows_equal_sample_weights():
    X, y = _problem(4, 9, 2)
    twice = np.r_[np.arange(9), [0, 0, 5]]
    weights = np.ones(9)
    weights[0], weights[5] = 3, 2
    a = ganet.ConvexReLU(lam=0.05).fit(X[twice], y[twice])
    b = ganet.ConvexReLU(lam=0.05).fit(X, y, sample_weight=weights)
    _same_optimum(a, b)


@pytest.mark.parametrize("name, make, n, d, invariant, reference",
                         [m for m in MODELS if m[5] is not None], ids=[m[0] for m in MODELS if m[5] is not None])
def test_an_unconverged_gap_is_still_a_bound(name, make, n, d, invariant, reference):
    X, y = _problem(5, n, d)
    model = make(0.01).set_params(max_iter=1)  # stopped early: "not converged (global gap)"
    _quiet_fit(model, X, y)
    value = reference(X, y, 0.01)
    assert model.objective_ - model.dual_gap_ <= value + 1e-7 * max(1.0, abs(value))
    assert model.certificate_ in ("global", "not converged (global gap)")
