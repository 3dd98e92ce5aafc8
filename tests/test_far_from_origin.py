"""Issue 21: the arrangement programs and the bias-free three-layer family far from the origin.

Every expected value here comes from an independent program (tests/reference.py: cvxpy over all
sign patterns, or the rational vertex enumeration of the three-layer family), never from ganet.
A certified fit must have objective − gap ≤ the reference optimum ≤ objective."""

import warnings

import numpy as np
import pytest

import ganet
from tests.reference import lasso_reference, pilanci_ergen, relu3_dictionary


def _brackets(model, reference, rel=1e-8):
    """objective_ − dual_gap_ ≤ reference ≤ objective_, up to rounding of the reference."""
    slack = rel * max(1.0, abs(reference))
    assert model.objective_ - model.dual_gap_ <= reference + slack
    assert reference <= model.objective_ + slack


@pytest.mark.parametrize("seed", [1, 2, 3])
@pytest.mark.parametrize("shift", [0.0, 1e4, 1e6])
def test_exact_patterns_certify_the_true_optimum_at_any_translation(seed, shift):
    rng = np.random.default_rng(seed)
    X = rng.uniform(-1, 1, (9, 1))
    y = rng.standard_normal(9)
    reference = pilanci_ergen(X, y, 0.01, p=2, bias=True)  # the optimum is translation invariant
    model = ganet.ArrangementReLU(patterns="exact", lam=0.01, bias=True).fit(X + shift, y)
    assert model.certificate_ == "global" and model.n_patterns_ == 18  # (was 2 at 1e6: 16 lost)
    _brackets(model, reference, rel=1e-7)


@pytest.mark.parametrize("shift", [1e4, 1e6])
def test_exact_patterns_in_two_dimensions_far_away(shift):
    rng = np.random.default_rng(1)
    X = rng.uniform(-1, 1, (8, 2))
    y = rng.standard_normal(8)
    reference = pilanci_ergen(X, y, 0.01, p=2, bias=True)
    model = ganet.ArrangementReLU(patterns="exact", lam=0.01, bias=True).fit(X + shift, y)
    assert model.certificate_ == "global"  # (was "not converged", at 0.1015 against 0.0492)
    _brackets(model, reference, rel=1e-7)


@pytest.mark.parametrize("shift", [1e4, 1e8])
def test_the_network_reproduces_the_objective_far_from_the_origin(shift):
    rng = np.random.default_rng(1)
    X = rng.uniform(-1, 1, (8, 2)) + shift
    y = rng.standard_normal(8)
    model = ganet.ArrangementReLU(patterns="exact", lam=1e-5, bias=True).fit(X, y)  # 1e8: brentq crashed
    assert model.network_objective(X, y) == pytest.approx(model.objective_, rel=1e-8)  # (was 32.3 / 0.0006)
    assert 0.5 * np.sum((model.predict(X) - y) ** 2) <= model.objective_
    net = model.network()  # in the user's units: the first layer's kinks pass through the data
    assert net["W1"].shape == (2, len(model.neurons_))


def test_a_gated_model_without_neurons_predicts():
    X = np.random.default_rng(0).uniform(-1, 1, (8, 2))
    model = ganet.ArrangementReLU(patterns="exact", gated=True, lam=0.01).fit(X, np.full(8, 3.0))
    assert model.neurons_ == []
    np.testing.assert_allclose(model.predict(X), 3.0)
    net = model.network()
    assert net["W1"].shape == (2, 0) and net["gates"].shape == (3, 0)


@pytest.mark.parametrize("shift", [0.0, 1e3, 1e6])
def test_bias_free_three_layer_relu_far_from_the_origin(shift):
    rng = np.random.default_rng(0)
    X = rng.uniform(-1, 1, (6, 2)) + shift
    y = rng.standard_normal(6)
    reference = lasso_reference(relu3_dictionary(X), y, 0.1, intercept=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = ganet.ThreeLayerReLU(lam=0.1, bias=False).fit(X, y)
    assert model.certificate_ == "global"
    _brackets(model, reference, rel=1e-8)  # at 1e6 the lower bound was 0.60542 > 0.60292
    assert model.network_objective(X, y) == pytest.approx(model.objective_, rel=1e-8)
