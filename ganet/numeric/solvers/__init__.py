"""Solvers over a column oracle, each ending in a certificate of global optimality.

* :mod:`.lasso_working_set`: the squared loss's working set (dual active set :mod:`.active_set`,
  SSNAL :mod:`.ssnal`, exact basic solutions :mod:`.basic_solution`);
* :mod:`.loss_working_set`: the working set for the other losses, certified by their Fenchel duals
  (:mod:`.datafits`: logistic, hinge, Huber, sample weights), inner solver :mod:`.prox_newton`;
* :mod:`.interpolation`: minimum-norm interpolation (λ → 0).
"""
