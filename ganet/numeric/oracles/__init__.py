"""Column oracles: the dictionaries the solvers price, and the one pricing engine.

* :mod:`.protocol`: :class:`~.protocol.ColumnOracle`, what every dictionary gives a solver, and
  :class:`~.protocol.PricingPass`, what every pricing returns;
* :mod:`.engine`: sliced, budgeted, interruptible passes with progress, Dask and local rounds,
  written once (:class:`~.engine.PricingEngine`); :mod:`.combinations` ranks the subsets it visits;
* the families: two-layer stored (:mod:`.two_layer`), matrix-free (:mod:`.streaming`), sampled
  (:mod:`.sampling`), deep lifted (:mod:`.families`, :mod:`.lifted`), and sample weights over any of
  them (:mod:`.weighted`); :mod:`.distributed` runs a pass on a Dask cluster.
"""
