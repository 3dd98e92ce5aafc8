"""sample_weight (a weighted Lasso, checked against repeated rows) and predict_proba."""

import numpy as np
import pytest

import ganet
from ganet import ConvexReLU, ConvexReLUClassifier

RNG = np.random.default_rng(0)
X = RNG.normal(size=(25, 2))
Y = np.sin(X.sum(axis=1))
W = RNG.integers(0, 4, size=25).astype(float)


@pytest.mark.parametrize("bias,reg,w", [(True, "l1", W), (False, "l1", W), (True, "l2", W + 1)])
def test_integer_weights_equal_repeated_rows(bias, reg, w):
    """p = 1 is exact, so zero weights (points absent from the repeated set) change nothing. The
    p = 2 dictionary (affine hulls of data points) depends on which points exist: a zero-weight
    point adds hyperplanes, and the weighted value is then lower (0.03807 against 0.03830 here),
    so p = 2 is compared with positive weights."""
    XR, YR = np.repeat(X, w.astype(int), axis=0), np.repeat(Y, w.astype(int))
    weighted = ConvexReLU(lam=0.01, bias=bias, reg=reg).fit(X, Y, sample_weight=w)
    repeated = ConvexReLU(lam=0.01, bias=bias, reg=reg).fit(XR, YR)
    assert weighted.converged_ and repeated.converged_ and weighted.certificate_ == "global"
    assert weighted.objective_ == pytest.approx(repeated.objective_, rel=1e-9)
    # the weighted network attains it on the weighted data, and on the repeated rows
    assert weighted.network_objective(X, Y, sample_weight=w) == pytest.approx(weighted.objective_, rel=1e-9)
    assert weighted.network_objective(XR, YR) == pytest.approx(repeated.objective_, rel=1e-9)
    # certify re-prices the weighted problem over the full dictionary
    assert weighted.certify(X, Y) <= 1e-8 * weighted.objective_


def test_unit_weights_change_nothing_and_bad_weights_are_refused(tmp_path):
    plain = ConvexReLU(lam=0.01).fit(X, Y)
    ones = ConvexReLU(lam=0.01).fit(X, Y, sample_weight=np.ones(len(X)))
    assert ones.objective_ == pytest.approx(plain.objective_, rel=1e-10)
    for bad in (np.ones(3), -np.ones(len(X)), np.zeros(len(X)), np.full(len(X), np.nan)):
        with pytest.raises(ValueError, match="sample_weight"):
            ConvexReLU(lam=0.01).fit(X, Y, sample_weight=bad)
    for bad in (np.ones(3), -np.ones(len(X))):  # every loss checks its weights (tests/test_weighted_losses.py)
        with pytest.raises(ValueError, match="sample_weight"):
            ConvexReLUClassifier(lam=0.1, loss="logistic").fit(X, Y > 0, sample_weight=bad)
    weighted = ConvexReLU(lam=0.01).fit(X, Y, sample_weight=W)
    weighted.save(tmp_path / "w.npz")
    loaded = ganet.load(tmp_path / "w.npz")
    assert np.array_equal(loaded.predict(X), weighted.predict(X))
    assert loaded.certify(X, Y) == weighted.certify(X, Y)


@pytest.mark.parametrize("loss,labels", [("squared", Y > 0), ("hinge", Y > 0), ("logistic", Y > 0),
                                         ("squared", np.array(list("abcab") * 5)),
                                         ("logistic", np.array(list("abcab") * 5))])
def test_predict_proba_is_a_distribution_consistent_with_predict(loss, labels):
    model = ConvexReLUClassifier(lam=0.05, loss=loss).fit(X, labels)
    P = model.predict_proba(X)
    assert P.shape == (len(X), len(model.classes_))
    assert np.all(P >= 0) and np.allclose(P.sum(axis=1), 1.0)
    top = P.argmax(axis=1)
    clear = np.abs(P.max(axis=1) - np.sort(P, axis=1)[:, -2]) > 1e-9  # no ties
    assert np.array_equal(model.classes_[top][clear], model.predict(X)[clear])
    if loss == "logistic":
        f = model.decision_function(X)
        if f.ndim == 1:
            assert np.allclose(P[:, 1], 1 / (1 + np.exp(-f)))
        else:  # one-vs-rest: each class's σ(f_k), normalized
            sigma = 1 / (1 + np.exp(-f))
            assert np.allclose(P, sigma / sigma.sum(axis=1, keepdims=True))
