"""The life cycle of a fit: a failed or interrupted fit leaves an estimator exactly as it was,
and a successful one reports how much of its time went to compiling numba kernels."""

from contextlib import contextmanager

from numba.core.event import install_timer

__all__ = ["FittedStateMixin"]


class FittedStateMixin:
    """``with self._fitting(): …`` around a fit.

    * If anything in it raises (a refused size, bad labels, Ctrl-C), every attribute is put back
      as it was before the call. scikit-learn's ``validate_data`` sets ``n_features_in_`` at the
      start of a fit and a classifier sets ``classes_`` before it can refuse one class, so without
      this a failed refit left a model that could no longer predict on its own training data.
    * Otherwise ``report_["seconds_compile"]`` is the wall time numba spent compiling kernels
      during the fit (0 when they all came from its on-disk cache; ``python -m ganet warmup``
      fills it). The other times in ``report_`` include it: a first run's "solve time" is
      mostly compilation, and this says how much.
    """

    @contextmanager
    def _fitting(self):
        saved = dict(self.__dict__)  # shallow: fitted arrays are replaced by a fit, never mutated
        compiled = []
        try:
            # numba's "numba:compile" event fires for real compilations only, not cache loads;
            # the timer counts nested compilations once
            with install_timer("numba:compile", compiled.append):
                yield
        except BaseException:
            self.__dict__.clear()
            self.__dict__.update(saved)
            raise
        if isinstance(getattr(self, "report_", None), dict):
            self.report_ = {**self.report_, "seconds_compile": float(sum(compiled))}
