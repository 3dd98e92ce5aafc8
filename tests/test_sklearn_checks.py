"""scikit-learn's estimator checks; the expected failures carry their reasons."""

from sklearn.utils.estimator_checks import parametrize_with_checks

from ganet import ConvexReLU, ConvexReLUClassifier

# The dictionary has ~2·C(n + d, d − 1) columns: exponential in d. scikit-learn's generic check
# data has 10–20 features, so those checks would need 10⁹+ columns; ganet refuses them with a
# clear memory error before allocating (and tests small-d behaviour itself).
_HIGH_DIMENSIONAL = "scikit-learn's check data has many features; the wedge dictionary is exponential in d"

_CHECKS_WITH_MANY_FEATURES = [
    "check_positive_only_tag_during_fit", "check_dtype_object", "check_regressors_train",
    "check_regressors_train(readonly_memmap=True)",
    "check_regressors_train(readonly_memmap=True,X_dtype=float32)", "check_regressor_data_not_an_array",
    "check_regressors_int", "check_non_transformer_estimators_n_iter",
]
# The checked estimators use p = 2 (the p = 1 dictionary of the check's 30-feature data is ~10¹⁶
# columns). The p = 2 dictionary (affine hulls of data points) is a sub-library that depends on
# which points exist: a zero-weight point keeps its hyperplanes, removing it drops them, so the
# optima differ. The exact (p = 1) case is tested in tests/test_weights_and_probabilities.py.
_ZERO_WEIGHTS = ("zero weights keep a point's hyperplanes in the p = 2 sub-library (see "
                 "test_weights_and_probabilities.py for the exact p = 1 equivalence)")
EXPECTED_FAILURES = {
    "ConvexReLU": {**{name: _HIGH_DIMENSIONAL for name in _CHECKS_WITH_MANY_FEATURES},
                   "check_sample_weight_equivalence_on_dense_data": _ZERO_WEIGHTS},
    "ConvexReLUClassifier": {**{name: _HIGH_DIMENSIONAL for name in [
        "check_positive_only_tag_during_fit", "check_dtype_object", "check_non_transformer_estimators_n_iter"]},
        "check_sample_weight_equivalence_on_dense_data": _ZERO_WEIGHTS},
}


def _expected(estimator):
    return EXPECTED_FAILURES.get(type(estimator).__name__, {})


# dictionary="stored": the checks exercise the sklearn API; with "auto" their 10–20-feature data
# would switch to hour-long streaming passes instead of the clear refusal tested here
@parametrize_with_checks([ConvexReLU(lam=1e-1, reg="l2", bias=True, memory_limit=2 ** 28, dictionary="stored"),
                          ConvexReLUClassifier(lam=1.0, reg="l2", bias=True, memory_limit=2 ** 28,
                                               dictionary="stored")],
                         expected_failed_checks=_expected)
def test_sklearn_compatible(estimator, check):
    check(estimator)
