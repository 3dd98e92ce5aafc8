"""Issue 21 (6–10): interpolation that interpolates, fitted state kept, size checks first,
untrusted model files, one clear error for every mistake a user can make."""

import numpy as np
import pytest
from scipy.optimize import linprog

import ganet
from tests.reference import deep_abs_1d_dictionary


def _min_norm_lp(K, y):
    """min ‖z‖₁ s.t. Kz + t1 = y by HiGHS on the explicit matrix (t free)."""
    n, m = K.shape
    A = np.hstack([K, -K, np.ones((n, 1)), -np.ones((n, 1))])
    res = linprog(np.r_[np.ones(2 * m), 0.0, 0.0], A_eq=A, b_eq=y, bounds=[(0, None)] * (2 * m + 2),
                  method="highs")
    assert res.status == 0
    return res.fun


def test_a_steep_interpolant_is_found_and_certified():
    X = np.array([[0.0], [1e-6], [1.0], [2.0]])
    y = np.array([0.0, 1.0, 0.0, 1.0])
    model = ganet.DeepNarrowAbs(depth=2, lam=0).fit(X, y)
    reference = _min_norm_lp(deep_abs_1d_dictionary(X, 2)[0], y)  # 1.000002e6
    assert np.abs(model.predict(X) - y).max() <= 1e-6  # (was 1: the slack was bought, not paid)
    assert model.certificate_ == "global"
    assert model.objective_ == pytest.approx(reference, rel=1e-8)  # (was 1)
    assert model.objective_ - model.dual_gap_ <= reference * (1 + 1e-9)


def test_duplicated_inputs_with_different_targets_cannot_be_interpolated():
    X = np.array([[0.0], [0.5], [0.5], [2.0]])
    with pytest.raises(ValueError, match="same inputs"):
        ganet.DeepNarrowAbs(depth=2, lam=0).fit(X, np.array([0.0, 1.0, 2.0, 1.0]))
    model = ganet.DeepNarrowAbs(depth=2, lam=0).fit(X, np.array([0.0, 1.0, 1.0, 1.0]))  # consistent
    assert model.certificate_ == "global"
