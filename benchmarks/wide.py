"""Sampled gated-ReLU programs: ganet against scnn (pip install pyscnn) on the same gates and λ.

Objective scaling, written out: ganet minimizes  ½‖Σᵢ DᵢXuᵢ − y‖² + λ Σᵢ ‖uᵢ‖₂,
scnn (``ConvexGatedReLU`` + ``NeuronGL1(λ_s)``) minimizes  (1/2n)‖Σᵢ DᵢXuᵢ − y‖² + λ_s Σᵢ ‖uᵢ‖₂
(its squared loss is divided by 2·n·c, c = 1 output). So λ_s = λ/n and ganet's value = n × scnn's.

For each data set: standardized X (no bias column: ``bias=False`` in both), y standardized (a
regression target, or ±1 labels with the squared loss), P Gaussian gates shared by both, λ = 5%
of λ_max = maxᵢ‖XᵀDᵢy‖. The reference value p* is ganet's certified optimum at tol = 1e-9.
"Time to 1e-6" is, for each solver, the time of the first run in an accuracy ladder (ganet: tol
1e-4, 1e-6, 1e-7; scnn R-FISTA: tol 1e-4 … 1e-10) whose objective is within 1e-6·p* of p*.
The second table is S's comparison: the sampled convex ReLU model (``ArrangementReLU``,
P sampled gates, bias, λ = 1 on standardized data, 60 s budget) against the best of 5 Adam runs
(4000 full-batch steps, ``ganet.adam.train_adam``) of a ReLU network of the same width, on the
same objective ½‖f(X) − y‖² + (λ/2)Σⱼ(‖uⱼ‖² + αⱼ²).
The third table (``--relu``; no scnn needed) is the cone-constrained **ReLU program** on digits
and breast cancer (standardized, ±1 targets, no bias, 500 Gaussian gates, λ = λ_s·n): the
objective and relative gap that ``solve_arrangement`` certifies within budgets of 10, 30 and 60 s
(with the squared loss: the ADMM of ``ganet/numeric/arrangement/splitting.py``).
The fourth (``--relu-scnn``, needs pyscnn) puts scnn's ``ConvexReLU`` + ``AL`` (its defaults, in a
child process stopped after 900 s) beside it on the same programs, λ_s = 1e-2 and 1e-3: scnn's
time and objective (its point violates the cones a little, so also its value once projected onto
them), the time ganet's solve first checks a feasible point at or below that projected value
(from its verbose lines, one 120 s solve), and ganet's relative gap at 10, 30 and 60 s.
The fifth (``--gated-scale [seconds]``, no scnn needed) is the gated program at issue 24's scale
targets, n = 50,000, d = 100, 100 patterns and n = 10,000, d = 3072, 50 patterns (synthetic
planted data, λ = 0.05 and 0.005 λ_max, tol 1e-6): the relative gap certified within the budget
(300 s).
The sixth (``--relu-losses [--load]``) is the ReLU program with the logistic, hinge and Huber
losses: ADMM with the loss split off against the working-set path, within 60 s.
Compare code versions by running it from each tree, alternated, warmed first.
Run: ``python benchmarks/wide.py [n_gates]`` (needs the optional extra ``bench``: pyscnn), or
``python benchmarks/wide.py --relu [--load]``, ``--relu-losses [--load]``, ``--relu-scnn [digits|breast]``
or ``--gated-scale [s]``.
"""

import sys
import time
import warnings

import numpy as np
from sklearn.datasets import load_breast_cancer, load_diabetes, load_digits, load_wine

from ganet import ArrangementReLU
from ganet.adam import train_adam
from ganet.numeric.arrangement.program import ArrangementProgram, solve_arrangement


def datasets():
    rng = np.random.default_rng(0)
    d = load_digits()
    yield "digits 1797×64 (≥5 as ±1)", d.data, np.where(d.target >= 5, 1.0, -1.0)
    b = load_breast_cancer()
    yield "breast cancer 569×30 (±1)", b.data, np.where(b.target > 0, 1.0, -1.0)
    yield "diabetes 442×10", *load_diabetes(return_X_y=True)
    X = rng.standard_normal((2000, 50))
    yield "synthetic 2000×50 planted", X, np.maximum(X @ rng.standard_normal(50), 0) + 0.1 * rng.standard_normal(2000)
    X = rng.standard_normal((5000, 20))
    yield "synthetic 5000×20 planted", X, np.abs(X[:, 0]) - np.maximum(X[:, 1], 0) + 0.1 * rng.standard_normal(5000)


def shared_gates(X, n_gates):
    """n_gates Gaussian gates (seed 1) with distinct patterns only, the same set for every solver;
    returns (gates d × P, masks P × n)."""
    G = np.random.default_rng(1).standard_normal((X.shape[1], n_gates))
    _, first = np.unique(X @ G >= 0, axis=1, return_index=True)
    G = G[:, np.sort(first)]
    return G, (X @ G >= 0).T


def scnn_solve(X, y, G, lam, tol):
    from scnn.metrics import Metrics
    from scnn.models import ConvexGatedReLU
    from scnn.optimize import optimize_model
    from scnn.regularizers import NeuronGL1
    from scnn.solvers import RFISTA

    model = ConvexGatedReLU(G, bias=False)
    solver = RFISTA(model, tol=tol, max_iters=100_000)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        start = time.perf_counter()
        model, _ = optimize_model(model, solver, Metrics(), X, y, regularizer=NeuronGL1(lam / len(X)),
                                  unitize_data=False, dtype="float64", verbose=False,
                                  return_convex=True)
        seconds = time.perf_counter() - start
    Gs = np.asarray(model.G)  # scnn keeps the gates it was given, minus repeated patterns
    U = np.asarray(model.parameters[0]).reshape(Gs.shape[1], X.shape[1]).T  # d × P
    return U, (X @ Gs >= 0).astype(float), seconds


def scnn_relu_solve(X, y, G, lam):
    """scnn's ``ConvexReLU`` + ``AL`` (its defaults) on the gates G (distinct patterns); returns
    (V, W) (d × P each, in G's order) and the seconds it took."""
    from scnn.metrics import Metrics
    from scnn.models import ConvexReLU
    from scnn.optimize import optimize_model
    from scnn.regularizers import NeuronGL1
    from scnn.solvers import AL

    model = ConvexReLU(G, bias=False)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        start = time.perf_counter()
        model, _ = optimize_model(model, AL(model), Metrics(), X, y, regularizer=NeuronGL1(lam / len(X)),
                                  unitize_data=False, dtype="float64", verbose=False, return_convex=True)
        seconds = time.perf_counter() - start
    V, W = (np.zeros((X.shape[1], G.shape[1])) for _ in range(2))
    # scnn reorders the gates: put each of its neurons back in the column of the gate in G with
    # its activation pattern (the patterns of G are distinct)
    column = {(X @ g >= 0).tobytes(): j for j, g in enumerate(G.T)}
    order = [column[(X @ g >= 0).tobytes()] for g in np.asarray(model.G).T]
    V[:, order], W[:, order] = (np.asarray(U).reshape(-1, X.shape[1]).T for U in model.parameters)
    return V, W, seconds


def relu_against_scnn(only=None, lam_values=(1e-2, 1e-3), n_gates=500, horizon=120, scnn_cap=900):
    """The ReLU program, ganet against scnn's AL (see the module docstring), on digits and breast
    cancer, or on the one whose name starts with ``only``. scnn runs in a child process stopped
    after ``scnn_cap`` seconds (it has no time limit of its own)."""
    import contextlib
    import io
    import multiprocessing
    import re

    from ganet.numeric.arrangement.program import _project_columns

    print(f"{'data':32s} {'λ_s':>6s} {'scnn s':>7s} {'scnn obj':>10s} {'viol':>7s} {'projected':>10s} "
          f"{'ganet s to it':>13s} {'ratio':>6s} {'gap 10 s':>8s} {'30 s':>8s} {'60 s':>8s}")
    for name, X, y in list(datasets())[:2]:
        if only is not None and not name.startswith(only):
            continue
        X = (X - X.mean(0)) / np.maximum(X.std(0), 1e-12)
        G, masks = shared_gates(X, n_gates)
        program = ArrangementProgram(X, masks, np.ones(X.shape[1], dtype=bool), gated=False, intercept=False)
        for lam_s in lam_values:
            lam = lam_s * len(X)
            value = lambda V, W: (0.5 * float(np.sum((program.forward(V, W) - y) ** 2))  # noqa: E731
                                  + lam * (program.penalty(V) + program.penalty(W)))
            scnn_seconds, scnn_value, violation, target = float("nan"), float("nan"), float("nan"), -np.inf
            with multiprocessing.get_context("fork").Pool(1) as pool:
                try:
                    V, W, scnn_seconds = pool.apply_async(scnn_relu_solve, (X, y, G, lam)).get(scnn_cap)
                    scnn_value = value(V, W)
                    violation = max(float(np.max(-program.S * (X @ U), initial=0.0)) for U in (V, W))
                    # scnn's point violates the cones a little: its value after projecting onto them
                    target = value(_project_columns(program, V), _project_columns(program, W, sign=-1))
                except multiprocessing.TimeoutError:
                    pass  # (scnn s shows > cap)
            out = io.StringIO()
            with warnings.catch_warnings(), contextlib.redirect_stdout(out):
                warnings.simplefilter("ignore")
                solve_arrangement(program, y, lam, tol=1e-9, max_seconds=horizon, verbose=True)
            # the verbose check lines: (elapsed seconds, objective of the feasible point, gap)
            checks = [(float(t), float(f), float(g)) for f, g, t in
                      re.findall(r"objective ([\d.e+-]+)\s+gap ([\d.e+-]+|inf)\s+([\d.]+) s", out.getvalue())]
            reached = next((t for t, f, _ in checks if f <= target), None)
            gaps = [min((g / f for t, f, g in checks if t <= b), default=float("nan")) for b in (10, 30, 60)]
            ratio = f"{scnn_seconds / reached:6.1f}" if reached else "   n/a"
            shown = f"{scnn_seconds:7.1f}" if np.isfinite(scnn_seconds) else f"{'>' + str(scnn_cap):>7s}"
            print(f"{name:32s} {lam_s:6.0e} {shown} {scnn_value:10.6g} {violation:7.1e} {target:10.6g} "
                  f"{reached or float('nan'):13.1f} {ratio} " + " ".join(f"{g:8.2g}" for g in gaps), flush=True)


def gated_lambda_max(X, masks, y):
    """maxᵢ‖XᵀDᵢy‖: above it the gated program's solution is 0."""
    return float(np.linalg.norm(X.T @ (masks.T * y[:, None]), axis=0).max())


def value(X, M, U, y, lam):
    F = np.einsum("np,np->n", M, X @ U)
    return 0.5 * float(np.sum((F - y) ** 2)) + lam * float(np.linalg.norm(U, axis=0).sum())


def main(n_gates=100):
    print(f"{'data':32s} {'P':>4s} {'p*':>12s} {'ganet s':>8s} {'scnn s':>8s} {'ratio':>6s}  notes")
    for name, X, y in datasets():
        X = (X - X.mean(0)) / np.maximum(X.std(0), 1e-12)
        y = (y - y.mean()) / y.std()
        G, masks = shared_gates(X, n_gates)
        lam = 0.05 * gated_lambda_max(X, masks, y)
        program = ArrangementProgram(X, masks, np.ones(X.shape[1], dtype=bool), gated=True, intercept=False)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ref = solve_arrangement(program, y, lam, tol=1e-9, max_seconds=600)
        p_star = ref.objective - ref.dual_gap  # a certified lower bound: errors are not flattered
        ours = None
        for tol in (1e-4, 1e-6, 1e-7):
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                start = time.perf_counter()
                res = solve_arrangement(program, y, lam, tol=tol, max_seconds=600)
                seconds = time.perf_counter() - start
            if res.objective - p_star <= 1e-6 * p_star:
                ours = seconds
                break
        theirs, note = None, ""
        for tol in (1e-4, 1e-6, 1e-8, 1e-10):
            U, Ms, seconds = scnn_solve(X, y, G, lam, tol)
            err = (value(X, Ms, U, y, lam) - p_star) / p_star
            if err <= 1e-6:
                theirs = seconds
                break
        if theirs is None:
            note = f"scnn best relative error {err:.1e} (tol 1e-10, {seconds:.1f} s)"
        ratio = f"{theirs / ours:6.1f}" if ours and theirs else "   n/a"
        print(f"{name:32s} {len(masks):4d} {ref.objective:12.6g} {ours or float('nan'):8.2f} "
              f"{theirs or float('nan'):8.2f} {ratio}  ref gap {ref.dual_gap / ref.objective:.1e} {note}",
              flush=True)


def gated_scale(budget=300, cases=((50_000, 100, 100), (10_000, 3072, 50)), lam_fraction=0.05):
    """The gated program at the issue's scale targets (n, d, patterns), to a relative gap of 1e-6
    within ``budget`` seconds: synthetic planted data (X ~ N(0, I), y = relu(Xw) + noise,
    standardized), Gaussian gates, λ = ``lam_fraction``·λ_max (0.05, as in :func:`main`). Prints
    the certified relative gap after each check, then the result."""
    print(f"{'n':>6s} {'d':>5s} {'P':>4s} {'λ/λ_max':>7s} {'budget':>6s} {'wall':>6s} {'rel gap':>8s} {'sweeps':>6s}  stopped")
    for n, d, n_gates in cases:
        rng = np.random.default_rng(0)
        X = rng.standard_normal((n, d))
        y = np.maximum(X @ rng.standard_normal(d) / np.sqrt(d), 0) + 0.1 * rng.standard_normal(n)
        y = (y - y.mean()) / y.std()
        _, masks = shared_gates(X, n_gates)
        lam = lam_fraction * gated_lambda_max(X, masks, y)
        program = ArrangementProgram(X, masks, np.ones(d, dtype=bool), gated=True, intercept=False)
        start = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            res = solve_arrangement(program, y, lam, tol=1e-6, max_seconds=budget, verbose=True)
        print(f"{n:6d} {d:5d} {len(masks):4d} {lam_fraction:7.2g} {budget:6.0f} {time.perf_counter() - start:6.1f} "
              f"{res.dual_gap / res.objective:8.2g} {res.n_iter:6d}  {res.stopped}", flush=True)


def against_adam(n_gates=20, lam=1.0, seeds=5):
    """The sampled convex ReLU model against Adam at the same width (see the module docstring)."""
    b, w = load_breast_cancer(), load_wine()
    sets = [("wine 178×13 (class 0 as ±1)", w.data, np.where(w.target == 0, 1.0, -1.0), True),
            ("diabetes 442×10", *load_diabetes(return_X_y=True), False),
            ("breast cancer 569×30 (±1)", b.data, np.where(b.target > 0, 1.0, -1.0), True)]
    print(f"\n{'data':32s} {'width':>5s} {'convex obj':>11s} {'rel gap':>8s} {'s':>6s} {'fit':>7s}"
          f" {'Adam best':>11s} {'s':>6s} {'fit':>7s}   (fit: training accuracy, or R²)")
    for name, X, y, labels in sets:
        X = (X - X.mean(0)) / X.std(0)
        y = y if labels else (y - y.mean()) / y.std()
        quality = ((lambda f: float(np.mean(np.sign(f) == y))) if labels else
                   (lambda f: 1.0 - float(np.sum((f - y) ** 2) / np.sum((y - y.mean()) ** 2))))
        start = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            convex = ArrangementReLU(patterns="sampled", n_patterns=n_gates, lam=lam, random_state=0,
                                     max_seconds=60).fit(X, y)
        convex_seconds = time.perf_counter() - start
        width, best = len(convex.neurons_), None
        start = time.perf_counter()
        for seed in range(seeds):
            net, history = train_adam(X, y, width, lam, reg="l2", bias=True, seed=seed)
            f = np.maximum(X @ net["W1"] + net["b1"], 0.0) @ net["W2"][:, 0] + net["b2"][0]
            if best is None or history[-1] < best[0]:
                best = (history[-1], quality(f))
        print(f"{name:32s} {width:5d} {convex.objective_:11.5g} {convex.report_['relative_gap']:8.1e} "
              f"{convex_seconds:6.1f} {quality(convex.predict(X)):7.4f} {best[0]:11.5g} "
              f"{time.perf_counter() - start:6.1f} {best[1]:7.4f}", flush=True)


def relu_program(budgets=(10, 30, 60), lam_s=1e-2, n_gates=500):
    """The ReLU program's certified progress within each budget (see the module docstring)."""
    print(f"{'data':32s} {'λ_s':>6s} {'budget':>6s} {'wall':>6s} {'objective':>11s} {'rel gap':>8s} {'sweeps':>6s}")
    for name, X, y in list(datasets())[:2]:
        X = (X - X.mean(0)) / np.maximum(X.std(0), 1e-12)
        _, masks = shared_gates(X, n_gates)
        program = ArrangementProgram(X, masks, np.ones(X.shape[1], dtype=bool), gated=False, intercept=False)
        for budget in budgets:
            start = time.perf_counter()
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                res = solve_arrangement(program, y, lam_s * len(X), tol=1e-6, max_seconds=budget)
            print(f"{name:32s} {lam_s:6.0e} {budget:6.0f} {time.perf_counter() - start:6.1f} {res.objective:11.6g}"
                  f" {res.dual_gap / res.objective:8.2g} {res.n_iter:6d}", flush=True)


def relu_other_losses(budget=60, n_gates=500):
    """The ReLU program with the logistic and hinge losses (breast cancer, ±1) and the Huber loss
    (diabetes, standardized y, δ = 1), intercept, no bias, 500 gates: ADMM with the loss split off (the path
    since the datafits' proximal maps) against the working-set path (coordinate descent with cone
    projections, the only path for these losses before), alternated in this run."""
    import ganet.numeric.arrangement.program as arrangement

    everything = arrangement._splits
    never = lambda program, size: False  # noqa: E731 (the rule before, for every loss but the squared)
    data = list(datasets())
    cases = [(data[1], "logistic", 1e-2), (data[1], "logistic", 1e-3), (data[1], "hinge", 1e-2),
             (data[2], "huber", 1e-2)]
    print(f"{'data':28s} {'loss':8s} {'λ_s':>6s} {'path':12s} {'wall':>6s} {'objective':>13s} {'rel gap':>8s}")
    for (name, X, y), loss, lam_s in cases:
        X = (X - X.mean(0)) / np.maximum(X.std(0), 1e-12)
        if loss == "huber":
            y = (y - y.mean()) / y.std()
        _, masks = shared_gates(X, n_gates)
        program = ArrangementProgram(X, masks, np.ones(X.shape[1], dtype=bool), gated=False, intercept=True)
        for path, rule in (("working set", never), ("ADMM", everything)):
            arrangement._splits = rule
            start = time.perf_counter()
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                try:
                    res = solve_arrangement(program, y, lam_s * len(X), loss=loss, tol=1e-6, max_seconds=budget)
                    outcome = f" {res.objective:13.10g} {res.dual_gap / res.objective:8.2g}"
                except ValueError as refusal:  # (the hinge's working sets outgrow the interior point)
                    outcome = f"  refused: {str(refusal)[:60]}…"
            print(f"{name:28s} {loss:8s} {lam_s:6.0e} {path:12s} {time.perf_counter() - start:6.1f}{outcome}",
                  flush=True)
        arrangement._splits = everything


if __name__ == "__main__":
    if "--relu-losses" in sys.argv:
        from scale import busy

        with busy("--load" in sys.argv):
            relu_other_losses()
    elif "--relu-scnn" in sys.argv:
        at = sys.argv.index("--relu-scnn") + 1
        relu_against_scnn(sys.argv[at] if at < len(sys.argv) else None)
    elif "--gated-scale" in sys.argv:
        at = sys.argv.index("--gated-scale") + 1
        budget = float(sys.argv[at]) if at < len(sys.argv) and not sys.argv[at].startswith("-") else 300
        for fraction in (0.05, 0.005):
            gated_scale(budget, lam_fraction=fraction)
    elif "--relu" in sys.argv:
        from scale import busy  # (two busy processes beside the run with --load)

        with busy("--load" in sys.argv):
            relu_program()
    else:
        main(int(sys.argv[1]) if len(sys.argv) > 1 else 100)
        against_adam()
