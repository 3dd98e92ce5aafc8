r"""Estimators on activation patterns: the Pilanci–Ergen arrangement programs, exact or sampled.

``ArrangementReLU`` fits a two-layer ReLU (or gated-ReLU) network with the p = 2 weight decay of
the network itself, ½‖f(X) − y‖² + (λ/2)Σⱼ(‖uⱼ‖₂² + αⱼ²), through the convex program over
activation patterns (see :mod:`ganet.numeric.arrangement.program`). With ``patterns="exact"`` every
chamber of the arrangement is a group, so the certificate is global for the network problem;
with ``patterns="sampled"`` the program — and its certificate — is over the sampled patterns
only, which scales to wide data (tens to thousands of features).

Unlike the wedge dictionaries of :class:`ganet.ConvexReLU` (whose p = 2 Lasso is an upper bound
p̂ ≥ p*), the exact program attains p*: :func:`certified_ratio` reports p̂/p* with both gaps.
"""

import numbers
import time

import numpy as np
from sklearn.utils.validation import check_is_fitted

from ..numeric.arrangement.patterns import GATE_METHODS, exact_patterns, sampled_patterns
from ..numeric.arrangement.program import ArrangementProgram, solve_arrangement
from ..numeric.geometry.normalization import Normalization, normalization
from ..numeric.oracles.weighted import check_sample_weight
from ..numeric.runtime.memory import available_bytes
from ..numeric.solvers.datafits import make_datafit
from .base import (ConvexNetworkEstimator, NetworkClassifierMixin, NetworkRegressorMixin, advise_on_lam,
                   one_note_for_the_classes)
from .neurons import ArrangementNeuron
from .standardize import StandardizeMixin

__all__ = ["ArrangementReLU", "ArrangementReLUClassifier", "certified_ratio"]

# Gates drawn by patterns="sampled" when n_patterns is not given. Gated programs, standardized,
# 70% of the data, 60 s budget: every fit certified, in 1.4 s (wine), 2.9 s (breast cancer) and
# 4.6 s (diabetes) at 100 gates; 400 gates lowered the objective by 8% (wine), 9% (breast cancer)
# and 27% (diabetes) for 1.1–3.3× the time (2026-12-07).
DEFAULT_N_PATTERNS = 100


class _ArrangementBase(ConvexNetworkEstimator):
    """Shared fitting of the arrangement estimators.

    Two coordinate systems are used, both fixed by the training X (:mod:`ganet.numeric.geometry.normalization`):

    * the **pattern coordinates** Xr = (X − c)/σ (centred when there are biases): the chambers of
      [Xr, 1] are those of [X, 1] (an invertible linear map of the neurons), and enumerating
      them there is well conditioned at any translation or scale;
    * the **program coordinates**, the same Xr for every model whose penalty allows it. A neuron
      (u′, b′) on Xr is (u′/σ, b′ − cᵀu′/σ) on X with ‖u‖₂ = ‖u′‖₂/σ, so the program at λ on X
      is the program at λ/σ on Xr (the bias is free, so the shift costs nothing). The gated
      program with a bias penalizes ‖(u, b)‖, which the shift would change: it is solved on
      [X, 1] itself (X far from the origin is then an ill-conditioned program, honestly so).
    """

    def __init__(self, patterns="exact", n_patterns=None, gated=False, lam=1e-3, bias=True,
                 loss="squared", gates="gaussian", sketch_dim=None, max_patterns=10_000, tol=1e-6,
                 max_iter=20_000, max_seconds=None, random_state=None, verbose=False, standardize=False,
                 init=None, huber_delta=1.0, warm_start=False):
        self.warm_start = warm_start
        self.standardize = standardize
        self.huber_delta = huber_delta
        self.init = init
        self.patterns = patterns
        self.n_patterns = n_patterns
        self.gated = gated
        self.lam = lam
        self.bias = bias
        self.loss = loss
        self.gates = gates
        self.sketch_dim = sketch_dim
        self.max_patterns = max_patterns
        self.tol = tol
        self.max_iter = max_iter
        self.max_seconds = max_seconds
        self.random_state = random_state
        self.verbose = verbose

    def _check_program(self, n, d):
        """Refuse bad parameters, and a program of n samples in d dimensions too large for memory."""
        if self.patterns not in ("exact", "sampled"):
            raise ValueError(f"patterns must be 'exact' or 'sampled', got {self.patterns!r}")
        lam = self._lam_param()
        if not (isinstance(lam, numbers.Real) and np.isfinite(lam) and lam > 0):
            raise ValueError(f"lam must be a positive number, got {lam!r}")
        make_datafit(self.loss, self.huber_delta)  # (refuses an unknown loss, checks huber_delta)
        given = not isinstance(self.gates, str) or self.init is not None
        if isinstance(self.gates, str) and self.gates not in GATE_METHODS:
            raise ValueError(f"gates must be one of {GATE_METHODS} or a (d + bias) × k array, got {self.gates!r}")
        if given and self.patterns != "sampled":
            raise ValueError("given gates or init= need patterns='sampled' (their patterns are a sample)")
        if not (isinstance(self.max_patterns, numbers.Integral) and self.max_patterns > 0):
            raise ValueError(f"max_patterns must be a positive integer, got {self.max_patterns!r}")
        if self.patterns == "sampled" and not (given and self.n_patterns is None):
            k = self._n_drawn(given)
            if not (isinstance(k, numbers.Real) and not isinstance(k, bool) and np.isfinite(k)
                    and int(k) == k and k > 0):
                raise ValueError(f"n_patterns must be a positive integer with patterns='sampled', got {k!r}")
            # masks, signs, products and multipliers: about six n × P float arrays; and each
            # coordinate-descent block keeps its pattern's rows of Z (about n/2 × (d + 1) each:
            # 6.1 GiB of the 6.5 GiB peak measured at n = 10,000, d = 3072, 50 patterns)
            need = 6 * 8 * n * int(k) + 8 * n * (d + 1) * (1 + int(k) // 2)
            if need > available_bytes():
                raise MemoryError(f"n = {n}, n_patterns = {k} needs about {need / 2**30:.1f} GiB "
                                  f"(available {available_bytes() / 2**30:.1f} GiB); "
                                  "use fewer patterns")

    def _n_drawn(self, given):
        """How many gates to draw: ``n_patterns``, or by default none beside given gates (or
        ``init``) and ``DEFAULT_N_PATTERNS`` without them."""
        if self.n_patterns is None:
            return 0 if given else DEFAULT_N_PATTERNS
        return self.n_patterns

    def _lam_param(self):
        """The λ to fit (the CV estimators supply the one they chose)."""
        return self.lam

    def _design(self, X):
        return np.hstack([X, np.ones((len(X), 1))]) if self.bias else X

    def _normalizations(self, X):
        """(pattern coordinates, program coordinates) of the training X (see the class docstring)."""
        inputs = normalization(X, centre=self.bias)
        if self.gated and self.bias:
            if not 2.0 ** -400 < float(np.abs(X).max(initial=1.0)) < 2.0 ** 400:
                raise ValueError("the gated program with bias penalizes the bias, so it is solved in "
                                 f"X's own units; max |x| = {np.abs(X).max():.3g} would overflow "
                                 "there. Rescale X (or use the ReLU program, gated=False)")
            return inputs, Normalization(np.zeros(X.shape[1]), 1.0)
        return inputs, inputs

    def _fit_network(self, X, T, sample_weight, fitted):
        """Oracle → solve → assign: the activation-pattern program for the targets T (n × c: one
        program per column, over the same patterns — one-vs-rest for several classes), its loss
        terms weighted by ``sample_weight``; ``fitted`` is assigned with the rest."""
        n, d = X.shape
        self._check_program(n, d)
        sw = None if sample_weight is None else check_sample_weight(sample_weight, n)
        T = np.asarray(T, dtype=float).reshape(n, -1)
        start, results, parts = time.perf_counter(), [], []
        # (warm_start: the last fit's program, and its solutions when the targets are the same)
        built, previous = self._warm_state(X, T, sw)
        program, gates, (inputs, program_coords) = built or self._program(X)
        masks, Z, penalized = program.M.T.astype(bool), program.Z, program.penalized
        with one_note_for_the_classes(results, T.shape[1]):
            for k in range(T.shape[1]):
                budget = None if self.max_seconds is None else max(
                    self.max_seconds - (time.perf_counter() - start), 1e-3) / (T.shape[1] - k)
                res = solve_arrangement(program, T[:, k], float(self._lam_param()) / program_coords.scale,
                                        self.loss, self.tol, self.max_iter, budget, self.verbose, sample_weight=sw,
                                        huber_delta=self.huber_delta,
                                        warm_start=None if previous is None else previous[k])
                results.append(res)
                parts.append(self._local_neurons(Z, res, penalized, gates, program_coords.scale, output=k))
        self._warm = ({"key": self._warm_key(X), "X": X, "program": (program, gates, (inputs, program_coords)),
                       "results": results, "targets": (T, sw, (self.loss, self.huber_delta))}
                      if self.warm_start else {})
        local = {key: (parts[0][key] if key == "gates" else
                       sum((p[key] for p in parts), []) if key == "special" else
                       np.concatenate([p[key] for p in parts], axis=-1))
                 for key in parts[0]}
        exact = self.patterns == "exact"
        converged = all(r.converged for r in results)
        certificate = ("global" if exact and converged else
                       "not converged (global gap)" if exact else "sampled: no global certificate")
        # the programs are separate, so their objectives and certified gaps add up
        objective, gap = float(sum(r.objective for r in results)), float(sum(r.dual_gap for r in results))
        intercepts = np.array([r.t for r in results], dtype=float)
        sweeps = int(sum(r.n_iter for r in results))
        if not converged:
            self._advise_on_lam(program, T, program_coords, sw)
        self._assign(X, masks, gates, local, dict(
            **fitted, objective_=objective, dual_gap_=gap, converged_=converged, n_iter_=sweeps,
            intercept_=intercepts,
            lam_=float(self._lam_param()), certificate_=certificate, n_patterns_=len(masks),
            report_={"model": "gated ReLU" if self.gated else "ReLU",
                     "patterns": f"{self.patterns} ({len(masks)} distinct)",
                     "objective": objective, "dual_gap": gap, "relative_gap": gap / max(objective, 1e-300),
                     "certificate": certificate, "neurons": len(local["alpha"]),
                     "sweeps": sweeps, "working_set": int(sum(r.working_set_size for r in results)),
                     "seconds": time.perf_counter() - start,
                     "stopped": results[0].stopped if len(results) == 1 else [r.stopped for r in results],
                     **({"one_vs_rest": True} if len(results) > 1 else {})}), (inputs, program_coords))
        return self

    # the state a warm start reads (set by each fit with warm_start=True; never saved)
    _warm = {}

    def _warm_key(self, X):
        """The parameters that build the program (gates given as an array and ``init`` networks
        compared by identity); with the training inputs, what a warm start's program must share."""
        return sorted((k, id(v) if isinstance(v, np.ndarray) or k == "init" else v) for k, v in self.get_params().items()
                      if k not in ("lam", "loss", "huber_delta", "tol", "max_iter", "max_seconds", "verbose",
                                   "warm_start"))

    def _warm_state(self, X, T, sample_weight):
        """(the last fit's program, its per-target results or None) when ``warm_start`` and that
        fit had the same inputs and program parameters (the results only for the same targets,
        weights and loss); else (None, None)."""
        warm = self._warm
        if not (self.warm_start and warm and warm["key"] == self._warm_key(X) and np.array_equal(warm["X"], X)):
            return None, None
        T0, w0, loss = warm["targets"]
        same = (T0.shape == T.shape and np.array_equal(T0, T) and loss == (self.loss, self.huber_delta)
                and (w0 is None) == (sample_weight is None) and (w0 is None or np.array_equal(w0, sample_weight)))
        return warm["program"], warm["results"] if same else None

    def _program(self, X):
        """(the program of X in program coordinates, the gates on the pattern coordinates, the
        (pattern, program) normalizations)."""
        inputs, program_coords = self._normalizations(X)
        Zr = self._design(inputs.apply(X))
        if self.patterns == "exact":
            masks, gates = exact_patterns(Zr, self.max_patterns)
            gates = gates.T
        else:
            masks, gates = self._sampled_patterns(X, Zr, inputs)
        Z = self._design(program_coords.apply(X))
        penalized = np.ones(Z.shape[1], dtype=bool)
        if self.bias and not self.gated:
            penalized[-1] = False  # the bias is free, as in the network's weight decay
        program = ArrangementProgram(Z, masks, penalized, gated=self.gated, intercept=self.bias)
        return program, gates, (inputs, program_coords)

    def _lambda_max(self, X, T, deadline=None):
        r"""The smallest λ at which the constant model is optimal, for each target column the
        largest dual bound of the groups at the constant model's dual point θ₀ (the centred
        target y − ȳ for the squared loss; the loss's −∇ℓ at the best constant in general),
        max_i sup{θ₀ᵀDᵢZv : v ∈ Kᵢ, ‖Πv‖ ≤ 1} (gated: ‖ZᵀDᵢθ₀‖), in the user's units (σ times
        the program's); for the ReLU program the bound is the certificate's, an upper bound
        (looser when ``deadline`` cuts its tightening short, see :meth:`_largest_bound`)."""
        n, d = X.shape
        self._check_program(n, d)
        program, _, (_, program_coords) = self._program(X)
        return self._largest_bound(program, T, program_coords, deadline=deadline)[0]

    def _largest_bound(self, program, T, coords, sample_weight=None, deadline=None, above=0.0):
        """(λ_max of :meth:`_lambda_max` on the built ``program``, whether it is exact). The dual
        point of the constant model is the datafit's at its best constant (with the weighted
        squared loss Σᵢcᵢ(fᵢ − yᵢ)²/2, c ⊙ (y − weighted mean)); the hinge's, the subgradient at
        the constant 0 rebalanced, is one of its optimal dual points, so its λ_max is an upper
        bound. Groups whose bound is at most ``above`` are not tightened (so a maximum at most
        ``above`` is an upper bound), nor are those not reached by ``deadline`` (the target
        columns share the time left equally): the result is then an upper bound too, and
        reported as not exact."""
        from ..numeric.arrangement.program import group_bounds

        datafit = make_datafit(self.loss, self.huber_delta, sample_weight)
        T = np.asarray(T, dtype=float).reshape(len(program.Z), -1)
        tops = []
        for k, y in enumerate(T.T):
            constant = datafit.intercept(np.zeros(len(y)), y) if self.bias and datafit.smooth else 0.0
            theta = datafit.dual_point(np.full(len(y), constant), y)
            theta = datafit.center(theta, y) if self.bias else theta
            until = None if deadline is None else (
                time.perf_counter() + (deadline - time.perf_counter()) / (T.shape[1] - k))
            tops.append(group_bounds(program, theta, deadline=until, threshold=above / coords.scale,
                                     largest_only=True))
        exact = datafit.smooth and all(e for _, e in tops)
        return coords.scale * max(float(b.max(initial=0.0)) for b, _ in tops), exact

    def _advise_on_lam(self, program, T, coords, sample_weight):
        """After an uncertified fit: warn when λ < 10⁻³ λ_max, naming λ_max. There
        the program nearly interpolates and certifies slowly — breast cancer's first 8 features,
        standardized, 200 sampled gates, 10 s: relative gap 1 at λ = 2·10⁻⁶ λ_max (the default
        λ = 10⁻³), 0.2 at 10⁻³ λ_max, 1.7·10⁻³ at 10⁻² λ_max, converged at 10⁻¹ λ_max in 3 s.
        Only groups whose μ = 0 bound (one GEMM) exceeds 10³λ are tightened, for at most a
        second: most fits are decided by that GEMM alone."""
        lam = float(self._lam_param())
        top, exact = self._largest_bound(program, T, coords, sample_weight, time.perf_counter() + 1.0,
                                         above=1e3 * lam)
        advise_on_lam(self, lam, top, exact)

    def _sampled_patterns(self, X, Zr, inputs):
        """Distinct patterns and their gates (on Zr) of the sampled gates, the given ones and the
        hidden units of ``init``."""
        d = X.shape[1]
        parts = []
        given = self._given_gates(d)
        drawn = self._n_drawn(given is not None)
        if drawn:  # drawn for [X − c, 1] (its σ-multiple): h ~ N(0, I)
            # then weighs the bias as on centred data in the user's units, not as on Xr
            method = self.gates if isinstance(self.gates, str) else "gaussian"
            bias_scale = np.r_[np.ones(d), 1.0 / inputs.scale] if self.bias else np.ones(d)
            _, H = sampled_patterns(Zr * bias_scale, int(drawn), method, self.sketch_dim,
                                    self.random_state)
            parts.append(H * bias_scale[:, None])  # the same gates acting on Zr
        if given is not None:  # (g, c) acting on [X, 1] as a gate of [Xr, 1]
            parts.append(_normalized_gates(inputs, given, self.bias))
        H = np.hstack(parts)
        masks = (Zr @ H >= 0).T
        _, first = np.unique(np.packbits(masks, axis=1), axis=0, return_index=True)
        first = np.sort(first)
        return masks[first], H[:, first]

    def _given_gates(self, d):
        """The user's gates ((d + bias) × k, ``gates=array``) and ``init``'s hidden units (W1, b1)
        as gates on the model's inputs (standardized ones when ``standardize``), or None."""
        from ..polish import network_weights

        cols = []
        if not isinstance(self.gates, str):
            G = np.asarray(self.gates, dtype=float)
            if G.ndim != 2 or G.shape[0] != d + self.bias or not np.all(np.isfinite(G)):
                raise ValueError(f"gates must be a finite (d + bias) × k = {d + self.bias} × k array; "
                                 f"got shape {G.shape}")
            cols.append(G if self.bias else G[:d])
        if self.init is not None:
            net = network_weights(self.init)
            if net["W1"].shape[0] != d:
                raise ValueError(f"init has {net['W1'].shape[0]} inputs; X has {d} features")
            cols.append(np.vstack([net["W1"], net["b1"]]) if self.bias else net["W1"])
        if not cols:
            return None
        G = np.hstack(cols)
        scaling = getattr(self, "input_scaling_", None)
        return G if scaling is None else _normalized_gates(scaling, G, self.bias)

    def _local_neurons(self, Z, res, penalized, gates, sigma, output=0):
        """The nonzero groups as neurons in program coordinates, scaled so that the user-unit
        weights (program weights / σ) have ‖Πuⱼ‖ = |αⱼ| (Π: the penalized coordinates; the
        balance at which (λ/2)(‖Πuⱼ‖² + αⱼ²) is the program's λ‖Πvⱼ‖/σ), with the samples on
        each breakplane."""
        cols, alpha, pattern, special = [], [], [], []
        for sign, U in ((1.0, res.V), (-1.0, res.W)):
            if U is None:
                continue
            for i in np.flatnonzero(np.linalg.norm(U[penalized], axis=0) > 0):
                v = U[:, i]
                scale = np.sqrt(np.linalg.norm(v[penalized]) / sigma)
                on = np.abs(Z @ v) <= 1e-9 * np.linalg.norm(Z, axis=1) * np.linalg.norm(v)
                cols.append(v / scale)
                alpha.append(sign * scale)
                pattern.append(int(i))
                special.append([] if self.gated else [int(j) for j in np.flatnonzero(on)])
        return {"weights": np.array(cols, dtype=float).reshape(len(cols), Z.shape[1]).T,
                "alpha": np.array(alpha, dtype=float), "pattern": np.array(pattern, dtype=np.int64),
                "output": np.full(len(alpha), output, dtype=np.int64), "special": special, "gates": gates}

    def _assign(self, X, masks, gates, local, fitted, coords):
        """Set every fitted attribute at once (after the fit has succeeded): the neurons in the
        user's units for reading, their program-coordinate weights for evaluating. ``coords``:
        the (pattern, program) normalizations of the fit."""
        inputs, program_coords = coords
        d = X.shape[1]
        W, alpha = local["weights"], local["alpha"]
        u, b = program_coords.raw_neuron(W[:d].T, W[d] if self.bias else np.zeros(len(alpha)))
        gu, gb = inputs.raw_neuron(gates[:d].T, gates[d] if self.bias else np.zeros(gates.shape[1]))
        raw_gates = np.vstack([gu.T, gb[None, :]]) if self.bias else gu.T
        local.setdefault("output", np.zeros(len(alpha), dtype=np.int64))  # (files with one output)
        neurons = [ArrangementNeuron(u[j], float(b[j]) if self.bias else None, float(alpha[j]),
                                     int(local["pattern"][j]), local["special"][j],
                                     raw_gates[:, local["pattern"][j]] if self.gated else None,
                                     int(local["output"][j]))
                   for j in range(len(alpha))]
        for name, value in fitted.items():
            setattr(self, name, value)
        self.n_features_in_ = d
        self.training_inputs_ = X  # for saving, for figures and for the neurons' contributions
        self.masks_, self.gates_ = masks, raw_gates
        self._local, self._coords = local, (inputs, program_coords)
        self.neurons_ = neurons

    # ---- saving (the protocol of ganet.persistence.SaveMixin) --------------------------------
    def __ganet_state__(self):
        """("arrangement", the training X, patterns, gates and neurons — the program is not
        re-solved on loading —, the intercept(s) and each neuron's special samples)."""
        neurons, d = self.neurons_, self.n_features_in_
        local = self._local
        arrays = {"X": np.asarray(self.training_inputs_, dtype=np.float64), "masks_": np.asarray(self.masks_),
                  "gates_": np.asarray(self.gates_, dtype=np.float64),
                  "neuron_weight": np.array([nu.weight for nu in neurons], dtype=np.float64).reshape(-1, d),
                  "neuron_bias": np.array([np.nan if nu.bias is None else nu.bias for nu in neurons],
                                          dtype=np.float64),
                  "neuron_alpha": np.array([nu.alpha for nu in neurons], dtype=np.float64),
                  "neuron_pattern": np.array([nu.pattern for nu in neurons], dtype=np.int64),
                  "neuron_output": np.array([nu.output for nu in neurons], dtype=np.int64),
                  # the neurons and gates in the fit's normalized coordinates (recomputed from X
                  # on loading), which predict without cancellation far from the origin
                  "program_weights": np.asarray(local["weights"], dtype=np.float64),
                  "program_gates": np.asarray(local["gates"], dtype=np.float64)}
        if hasattr(self, "classes_"):
            arrays["classes_"] = np.asarray(self.classes_)
        return "arrangement", arrays, {"intercept_": self.intercept_,  # (one per output)
                                       "neuron_special_samples": [nu.special_samples for nu in neurons]}

    def __ganet_restore__(self, kind, arrays, attributes, meta):
        """Set the fitted state from a file's arrays, checking their shapes. Files without
        ``program_weights`` (written before the fits were normalized) were solved in the user's
        coordinates: their neurons are used as they are."""
        if kind != "arrangement":
            raise ValueError(f"an arrangement model with a {kind!r} state")
        X, masks, gates = arrays["X"], arrays["masks_"], arrays["gates_"]
        W, b, alpha, pattern = (arrays[k] for k in ("neuron_weight", "neuron_bias", "neuron_alpha",
                                                    "neuron_pattern"))
        special = attributes.pop("neuron_special_samples")
        n, d = X.shape
        m, P = len(alpha), len(masks)
        D = d + bool(self.bias)
        self._check_program(n, d)
        if "program_weights" in arrays:
            local_w, local_g = arrays["program_weights"], arrays["program_gates"]
            coords = self._normalizations(X)
        else:
            local_w = np.vstack([W.T, b[None, :]]) if self.bias else W.T
            local_g, identity = gates, Normalization(np.zeros(d), 1.0)
            coords = (identity, identity)
        if (masks.dtype != bool or masks.shape != (P, n) or gates.shape != (D, P) or local_g.shape != (D, P)
                or W.shape != (m, d) or b.shape != (m,) or pattern.shape != (m,) or len(special) != m
                or local_w.shape != (D, m) or alpha.shape != (m,)
                or d != attributes.get("n_features_in_") or (m and (pattern.min() < 0 or pattern.max() >= P))):
            raise ValueError("arrays of inconsistent shapes")
        # one output, or one per class (one-vs-rest); files before multiclass have no neuron_output
        # (files before 2026-12 hold a float for one output: it is read as one intercept)
        intercept = np.atleast_1d(np.asarray(attributes.get("intercept_", 0.0), dtype=float))
        attributes["intercept_"] = intercept
        outputs = intercept.size
        output = arrays.get("neuron_output", np.zeros(m, dtype=np.int64))
        if output.shape != (m,) or (m and (output.min() < 0 or output.max() >= outputs)):
            raise ValueError("neuron_output does not fit the intercepts")
        if "classes_" in arrays:
            classes = arrays["classes_"]
            if len(classes) < 2 or outputs != (1 if len(classes) == 2 else len(classes)):
                raise ValueError("an arrangement classifier has one output for two classes, else one per class")
            self.classes_ = classes
        elif outputs != 1:
            raise ValueError("an arrangement regressor has one output")
        local = {"weights": local_w, "alpha": alpha, "pattern": pattern, "output": output,
                 "special": [[int(i) for i in s] for s in special], "gates": local_g}
        self._assign(X, masks, local_g, local, attributes, coords)

    def network(self):
        """``W1`` (d × m), ``b1`` (m,), ``W2`` (m,), ``b2``; for gated models also ``gates``
        ((d + bias) × m): f(x) = Σⱼ W2ⱼ·act(xᵀW1ⱼ + b1ⱼ) + b2, in the user's units.

        Far from the origin xᵀW1ⱼ and b1ⱼ nearly cancel; :meth:`predict` evaluates the same
        network in the fit's normalized coordinates instead, without that cancellation."""
        return StandardizeMixin.network(self)

    def _model_network(self):
        check_is_fitted(self, "neurons_")
        d, m = self.n_features_in_, len(self.neurons_)
        net = {"W1": np.array([nu.weight for nu in self.neurons_], dtype=float).T.reshape(d, m),
               "b1": np.array([nu.bias or 0.0 for nu in self.neurons_], dtype=float).reshape(m),
               "W2": self._output_weights(np.array([nu.alpha for nu in self.neurons_], dtype=float).reshape(m),
                                          np.array([nu.output for nu in self.neurons_], dtype=np.int64)),
               "b2": self.intercept_}
        if self.gated:
            net["gates"] = np.array([nu.gate for nu in self.neurons_], dtype=float).T.reshape(d + self.bias, m)
        return net

    def _forward(self, X):
        """f(X) (n × c) on validated inputs in the user's units."""
        act = self._activations(self._model_inputs(X))
        W2 = self._output_weights(self._local["alpha"], self._local["output"])
        return act @ W2.reshape(len(W2), np.size(self.intercept_)) + self.intercept_

    def neuron_outputs(self, X=None):
        """Every neuron's term of the output, φⱼ(x) = αⱼ·act(xᵀuⱼ + bⱼ), as an n × m matrix.

        Parameters
        ----------
        X : ndarray, shape (n, d), optional
            Inputs in the model's units (standardized ones when ``standardize=True``, as
            ``training_inputs_``); by default the training inputs.
        """
        check_is_fitted(self, "neurons_")
        X = self.training_inputs_ if X is None else np.asarray(X, dtype=np.float64)
        return self._activations(X) * self._local["alpha"]

    def _activations(self, X):
        """The hidden layer (n × m) on inputs X in the model's units, in its normalized coordinates."""
        inputs, program_coords = self._coords
        local = self._local
        pre = self._design(program_coords.apply(X)) @ local["weights"]
        if self.gated:
            gates = local["gates"][:, local["pattern"]]
            return (self._design(inputs.apply(X)) @ gates >= 0) * pre
        return np.maximum(pre, 0.0)

    def _output_weights(self, alpha, output):
        """The second layer: α (m,) for one output; for c outputs the m × c matrix with αⱼ in
        column outputⱼ (each one-vs-rest neuron feeds its own class)."""
        c = np.size(self.intercept_)
        if c == 1:
            return alpha
        A = np.zeros((len(alpha), c))
        A[np.arange(len(alpha)), output] = alpha
        return A

    def network_objective(self, X, y, sample_weight=None):
        """ℓ(f(X), y) + (λ/2)Σⱼ(‖uⱼ‖₂² + αⱼ²) of the fitted network (biases unpenalized; for gated
        models the gate's linear part carries its bias in the penalty, as in the program); with
        ``sample_weight`` c, the weighted loss Σᵢ cᵢℓ(f(xᵢ), yᵢ)."""
        F = self._outputs(X)
        net = self._model_network()
        sq = np.sum(net["W1"] ** 2, axis=0)
        if self.gated and self.bias:
            sq = sq + net["b1"] ** 2
        w = None if sample_weight is None else check_sample_weight(sample_weight, len(F))
        datafit = make_datafit(self.loss, self.huber_delta, w)
        T = self._targets(y)
        if len(T) != len(F):
            raise ValueError(f"X has {len(F)} samples but y has {len(T)}")
        return datafit.value(F, T) + 0.5 * self.lam_ * float(
            np.sum(sq) + np.sum(net["W2"] ** 2))


class ArrangementReLU(NetworkRegressorMixin, _ArrangementBase):
    """Two-layer ReLU regression by the arrangement program (exact or sampled patterns).

    Parameters
    ----------
    patterns : {"exact", "sampled"}
        ``"exact"``: every chamber of the arrangement of X (or [X, 1]); refused with a clear
        error when Cover's bound exceeds ``max_patterns``. ``"sampled"``: ``n_patterns`` gates.
    n_patterns : int or None
        Number of sampled gates (``patterns="sampled"``); None draws ``DEFAULT_N_PATTERNS`` (100),
        or none when ``gates`` is an array or ``init`` is given.
    gated : bool
        The gated-ReLU program (no cone constraints) instead of the ReLU one.
    lam : float
        λ in ½‖f(X) − y‖² + (λ/2)Σⱼ(‖uⱼ‖₂² + αⱼ²).
    bias : bool
        First-layer biases (free, not penalized, for ReLU) and a free output intercept.
    loss : {"squared", "logistic", "hinge", "huber"}
        Regressors use "squared" or "huber" (Σ h_δ(f − y), robust to outliers); classifiers
        "squared", "logistic" or "hinge".
    huber_delta : float, default 1.0
        δ of the Huber loss.
    gates : {"gaussian", "anchored", "sketch"} or array of shape (d + bias, k)
        How sampled gates are drawn (see :func:`ganet.numeric.arrangement.patterns.sampled_patterns`), or the
        gates themselves, (g, c) acting on the user's x as 1[xᵀg + c ≥ 0] (with ``n_patterns``,
        Gaussian gates are added). Needs ``patterns="sampled"``.
    init : trained network, optional
        A dict ``{W1, b1, W2, b2}``, a fitted one-hidden-layer ReLU ``MLPRegressor`` /
        ``MLPClassifier`` or a torch ``Sequential(Linear, ReLU, Linear)`` state dict (as
        :func:`ganet.polish` takes): its hidden units' activation patterns join the program
        (``patterns="sampled"``). The network is a feasible point of the program over its own
        patterns, so the certified optimum is at most its objective.
    sketch_dim : int or None
        Dimension of the JL sketch for ``gates="sketch"``.
    max_patterns, tol, max_iter, max_seconds, random_state, verbose
        Limits and solver control; ``tol`` is the relative certified gap.
    warm_start : bool, default False
        As in scikit-learn: a fit on the same X with the same program parameters reuses the last
        fit's program (patterns, factors) and, for the same targets, starts from its solutions
        (the ADMM from its whole state) — for a path in λ, largest first
        (``set_params(lam=…).fit(X, y)``). :class:`ArrangementReLUCV` walks its grid so.

    Attributes
    ----------
    objective_, dual_gap_, converged_, certificate_, neurons_, report_, n_patterns_,
    masks_ (P × n), gates_ (D × P), intercept_ (one per output, as in the other models: shape (1,)
    for a regressor or a two-class classifier), training_inputs_ (n × d, in the model's units:
    standardized ones when ``standardize=True``); each neuron's term of the output on any inputs
    by :meth:`neuron_outputs`.
    """

    def _check_params(self):
        if self.loss not in ("squared", "huber"):
            raise ValueError("ArrangementReLU fits the squared or Huber loss; use ArrangementReLUClassifier "
                             "for logistic or hinge")

    def _targets(self, y, classes=None):
        return np.asarray(y, dtype=float).reshape(len(y), 1)


class ArrangementReLUClassifier(NetworkClassifierMixin, _ArrangementBase):
    """Classification by the arrangement program: the squared loss on ±1 targets, or
    ``loss="logistic"`` / ``"hinge"``; the same parameters as :class:`ArrangementReLU`.

    With more than two classes the model is **one-vs-rest**: one program per class (its ±1
    targets: this class against the others) over the same patterns, each certified; the network
    has one output per class, each neuron feeding one of them (``neuron.output``), and
    ``objective_`` / ``dual_gap_`` are the sums over the classes (the programs are separate).
    """

    def _targets(self, y, classes=None):
        """±1 targets: one column for two classes (+1 for ``classes_[1]``), else one per class."""
        classes = self.classes_ if classes is None else classes
        y = np.asarray(y)
        if len(classes) == 2:
            return np.where(y == classes[1], 1.0, -1.0)[:, None]
        return np.where(y[:, None] == classes[None, :], 1.0, -1.0)


def _normalized_gates(norm, G, bias):
    """Gates G ((d + bias) × k, (g, c) acting as xᵀg + c) of the raw inputs as gates of the
    normalized ones (:meth:`~ganet.numeric.geometry.normalization.Normalization.normalized_neuron`)."""
    d = len(norm.shift)
    h, c = norm.normalized_neuron(G[:d].T, G[d] if bias else np.zeros(G.shape[1]))
    return np.vstack([h.T, c[None, :]]) if bias else h.T


def certified_ratio(X, y, lam, bias=True, tol=1e-6, max_patterns=10_000):
    r"""The p = 2 GA Lasso value p̂ (``ConvexReLU(reg="l2")``) over the exact network optimum p*
    (``ArrangementReLU(patterns="exact")``), with both certificates.

    Returns
    -------
    dict with ``ga``, ``exact``, ``ratio`` = p̂/p*, and ``ratio_interval`` = [(p̂ − gap̂)/p*,
    p̂/(p* − gap*)], which contains the ratio of the true optima.
    """
    from .two_layer import ConvexReLU

    ga = ConvexReLU(reg="l2", bias=bias, lam=lam, tol=tol).fit(X, y)
    ex = ArrangementReLU(patterns="exact", bias=bias, lam=lam, tol=tol,
                         max_patterns=max_patterns).fit(X, y)
    return {"ga": ga.objective_, "exact": ex.objective_, "ratio": ga.objective_ / ex.objective_,
            "ratio_interval": ((ga.objective_ - ga.dual_gap_) / ex.objective_,
                               ga.objective_ / max(ex.objective_ - ex.dual_gap_, 1e-300)),
            "ga_model": ga, "exact_model": ex}
