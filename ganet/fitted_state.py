"""A failed or interrupted fit leaves an estimator exactly as it was."""

from contextlib import contextmanager

__all__ = ["FittedStateMixin"]


class FittedStateMixin:
    """``with self._keeping_state_on_failure(): …`` around a fit: if anything in it raises
    (a refused size, bad labels, Ctrl-C), every attribute is put back as it was before the call.

    scikit-learn's ``validate_data`` sets ``n_features_in_`` at the start of a fit and a
    classifier sets ``classes_`` before it can refuse one class, so without this a failed refit
    left a model that could no longer predict on its own training data."""

    @contextmanager
    def _keeping_state_on_failure(self):
        saved = dict(self.__dict__)  # shallow: fitted arrays are replaced by a fit, never mutated
        try:
            yield
        except BaseException:
            self.__dict__.clear()
            self.__dict__.update(saved)
            raise
