"""Issue 23: max_seconds is kept inside pricing passes, not only between them.

Each fit below has a first pricing pass (or first certificate check) that alone takes well over
its 1 s budget here (10–30 s idle). The fit must stop at the budget — checked only loosely, well
below the time of that pass, since these machines are shared — say why (``stopped``), and claim
nothing: not converged, and a gap that is infinite when no pass finished (a cut pass gives
violators, never a certificate). Kernels are compiled first on a tiny problem of the same kind, so
the timing is of the fit, not of numba."""

import time
import warnings

import numpy as np
import pytest

import ganet

BUDGET = 1.0
LOOSE = 8.0  # seconds: far below the 10–30 s the unbounded first pass takes


def _timed_fit(model, X, y):
    start = time.perf_counter()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model.fit(X, y)
    return time.perf_counter() - start, [str(w.message) for w in caught]


def _regression(n, d, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, d))
    return X, np.sin(X[:, 0]) + 0.1 * rng.normal(size=n)


CASES = {
    "streaming squared": (lambda b: ganet.ConvexReLU(lam=1e-2, max_seconds=b), (800, 3), False),
    "streaming logistic": (lambda b: ganet.ConvexReLUClassifier(lam=1e-2, loss="logistic", max_seconds=b),
                           (800, 3), True),
    "streaming hinge": (lambda b: ganet.ConvexReLUClassifier(lam=1e-2, loss="hinge", max_seconds=b),
                        (800, 3), True),
    "lifted deep |·|": (lambda b: ganet.DeepNarrowAbs(depth=3, lam=1e-2, max_seconds=b), (331, 2), False),
    "lifted three-layer": (lambda b: ganet.ThreeLayerReLU(lam=1e-2, bias=True, max_seconds=b), (150, 3), False),
    "arrangement ReLU": (lambda b: ganet.ArrangementReLU(patterns="sampled", n_patterns=400, lam=20.0,
                                                         random_state=0, max_seconds=b), (1500, 64), False),
}


@pytest.mark.parametrize("name", list(CASES))
def test_a_budget_shorter_than_one_pass_is_kept(name):
    make, (n, d), classify = CASES[name]
    X, y = _regression(n, d)
    if classify:
        y = (y > 0).astype(int)
    Xs, ys = _regression(12, d, seed=1)  # compile the kernels on a tiny problem first (with the
    warm = make(None)  # streaming oracle the large one uses, where the model has a choice)
    if "dictionary" in warm.get_params():
        warm.set_params(dictionary="streaming")
    _timed_fit(warm, Xs, (ys > 0).astype(int) if classify else ys)
    model = make(BUDGET)
    seconds, messages = _timed_fit(model, X, y)
    assert seconds < LOOSE, (name, seconds)
    assert model.report_["stopped"] == "max_seconds"
    assert not model.converged_ and model.certificate_ != "global"
    assert model.dual_gap_ == np.inf or model.dual_gap_ >= 0
    assert model.network_objective(X, y) == pytest.approx(model.objective_, rel=1e-8)
    if not name.startswith("arrangement"):  # (the pricing engine's passes: said after one slice)
        assert any(m.startswith("one full pricing pass needs about") for m in messages), messages
        # the first pass stopped at half the budget, and its violators were solved: a network,
        # not the empty one a pass taking the whole budget left
        assert len(model.neurons_) > 0, name


def test_a_pass_that_cannot_finish_says_so_after_its_second_slice():
    """PassSlices: at the second slice's rate (0.02 s of 10 slices: 0.2 s) a pass cannot finish in
    a 0.05 s budget, so it warns once, then stops before a slice would start past the deadline;
    with no deadline, or time enough, it runs every slice and says nothing."""
    from ganet.numeric.oracles.engine import BudgetWarning, PassSlices

    def run(deadline, seconds_per_slice):
        slices, started = PassSlices(size=10, step=1, deadline=deadline), []
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            for s in slices:
                started.append(time.perf_counter())
                time.sleep(seconds_per_slice)
        return slices.complete, started, [w for w in caught if issubclass(w.category, BudgetWarning)]

    deadline = time.perf_counter() + 0.05
    complete, started, warned = run(deadline, 0.02)
    assert not complete and 1 <= len(started) < 10 and len(warned) == 1
    assert all(t <= deadline for t in started[1:])  # (the first slice always runs)
    need = float(str(warned[0].message).split("needs about ")[1].split(" s")[0])
    assert 0.1 <= need <= 2.0  # 10 slices at the first one's ≥ 0.02 s (sleep overshoots, loosely)
    for deadline in (None, time.perf_counter() + 30.0):
        complete, started, warned = run(deadline, 0.001)
        assert complete and len(started) == 10 and not warned
    # a slow first slice alone (0.5 s: the kernel loading) does not make 10 quick slices look
    # like 5 s against a 3 s budget
    slices, caught = PassSlices(size=10, step=1, deadline=time.perf_counter() + 3.0), []
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for s in slices:
            time.sleep(0.5 if s == 0 else 0.001)
    assert slices.complete and not [w for w in caught if issubclass(w.category, BudgetWarning)]
    # a pass that stops after its first slice still says why (at that slice's rate)
    complete, started, warned = run(time.perf_counter() + 0.01, 0.05)
    assert not complete and len(started) == 1 and len(warned) == 1
    # a pass that starts past its deadline says so, not "the 0.0 s left for it"
    complete, started, warned = run(time.perf_counter() - 1.0, 0.01)
    assert not complete and len(started) == 1 and len(warned) == 1
    assert "nothing was left of max_seconds when it started" in str(warned[0].message)


def test_the_cli_keeps_its_budget(tmp_path, capsys):
    from ganet.cli import main

    X, y = _regression(800, 3)
    path = tmp_path / "d.csv"
    path.write_text("a,b,c,y\n" + "\n".join(",".join(repr(float(v)) for v in (*x, t)) for x, t in zip(X, y)))
    Xs, ys = _regression(12, 3, seed=1)
    ganet.ConvexReLU(lam=1e-2, dictionary="streaming").fit(Xs, ys)  # compiled first
    start = time.perf_counter()
    assert main(["fit", str(path), "--target", "y", "--lam", "1e-2", "--max-seconds", "1",
                 "-o", str(tmp_path / "m.npz")]) == 0
    assert time.perf_counter() - start < LOOSE
    err = capsys.readouterr().err
    assert "not converged (global gap)" in err and "pricing pass needs about" in err


def test_a_budgeted_fit_returns_its_best_point_with_a_valid_bound():
    """The working set moves on between full passes; at the budget its latest point (if better
    than the last priced one) is returned against the best dual value of any full pass."""
    X, y = _regression(300, 3)
    optimum = ganet.ConvexReLU(lam=1e-2).fit(X, y).objective_  # certified, unbudgeted
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = ganet.ConvexReLU(lam=1e-2, max_seconds=BUDGET).fit(X, y)
    assert model.objective_ - model.dual_gap_ <= optimum * (1 + 1e-9) <= model.objective_ * (1 + 1e-9) + 1e-12
    assert model.network_objective(X, y) == pytest.approx(model.objective_, rel=1e-8)


def test_progress_lines_forecast_from_measured_passes(capsys):
    from ganet.numeric.solvers.working_set import progress_line

    history = [dict(iteration=1, working_set=10, objective=1.0, gap=1e-1, seconds=3.0),
               dict(iteration=2, working_set=20, objective=1.0, gap=1e-3, seconds=4.0)]
    # the relative gap fell 100× in one pass of 1 s: 10⁴ more to tol = 1e-7 is two such passes
    assert progress_line(history, 1e-7).endswith("ETA ~2 s (2 passes at the rate so far)")
    assert "ETA" not in progress_line(history[:1], 1e-7)  # one pass forecasts nothing
    X, y = _regression(60, 2)
    ganet.ConvexReLU(lam=1e-2, verbose=1).fit(X, y)
    # (one loop for every datafit since issue 22: each line names its problem)
    lines = [l for l in capsys.readouterr().err.splitlines() if l.strip().startswith("squared pass")]
    assert lines and "relative gap" in lines[-1]


def test_compile_time_is_reported_apart(monkeypatch):
    """report_["seconds_compile"] counts numba compilations during the fit (a kernel replaced by
    an uncached copy of itself must be compiled, so it is > 0) and is 0 for a cached run."""
    import numba

    import ganet.numeric.arrangement.program as arrangement

    X = np.random.default_rng(0).normal(size=(30, 2))
    y = X[:, 0] - np.abs(X[:, 1])
    model = ganet.ArrangementReLU(lam=0.1).fit(X, y).fit(X, y)
    assert model.report_["seconds_compile"] == 0.0  # (the second fit: every kernel is compiled)
    monkeypatch.setattr(arrangement, "_lawson_hanson", numba.njit(arrangement._lawson_hanson.py_func))
    compiled = ganet.ArrangementReLU(lam=0.1).fit(X, y)
    assert 0.0 < compiled.report_["seconds_compile"] < compiled.report_["seconds"] + 1.0
    assert np.isclose(compiled.objective_, model.objective_, rtol=1e-9)


def test_the_interior_point_solver_gets_what_is_left_after_compiling(monkeypatch):
    """A conic working set is compiled by cvxpy before Clarabel runs (1–2 s at 20 groups of breast
    cancer); Clarabel was given the whole remaining budget and overran a 10 s fit by 1.4–3 s. Its
    time limit must now leave out the compile time already spent."""
    from cvxpy.reductions.solvers.solving_chain import SolvingChain

    from ganet.numeric.arrangement.program import ArrangementProgram, _conic_subproblem
    from ganet.numeric.solvers.datafits import make_datafit

    X, y = _regression(300, 10)
    masks = np.random.default_rng(0).standard_normal((10, 40)).T @ X.T >= 0
    program = ArrangementProgram(X, masks, np.ones(10, dtype=bool), intercept=False)
    seen, solve = {}, SolvingChain.solve_via_data

    def recorded(chain, problem, data, *args, solver_opts=None, **kwargs):
        seen["spent"] = time.perf_counter() - seen["start"]
        seen["limit"] = solver_opts["time_limit"]
        return solve(chain, problem, data, *args, solver_opts=solver_opts, **kwargs)

    monkeypatch.setattr(SolvingChain, "solve_via_data", recorded)
    seen["start"] = time.perf_counter()
    solved = _conic_subproblem(program, np.arange(40), y, 1.0, make_datafit("squared"), seconds=30.0)
    assert solved is not None and seen["spent"] > 0.0
    assert seen["limit"] <= 30.0 - seen["spent"]


def test_a_solve_cut_by_the_budget_leaves_time_for_a_pass_that_certifies_it():
    """The solves stop 1.5 last passes before the deadline (when twice that is left), so a full
    pass prices the point they reached. Found on scikit-learn's diabetes through the CLI (bmi,
    s5, bp, default λ, 30 s): the first solve ran to the deadline, no pass followed the one at
    z = 0, and the gap reported was 72.1 for the objective 72.2. A program with scripted times
    (passes of 0.2 s, a solve that never finishes before its deadline) keeps this test independent
    of the machine's speed: a fit on real data here passed idle and failed under CI's load."""
    from types import SimpleNamespace

    from ganet.numeric.solvers.working_set import FullPass, solve_working_set

    class ScriptedProgram:
        name = "scripted"

        def __init__(self):
            self.solve_deadlines, self.priced = [], 0

        def begin(self, dictionary, deadline, pass_deadline):
            time.sleep(0.2)  # the first pass

        def solve(self, deadline):
            self.solve_deadlines.append(deadline)
            time.sleep(max(deadline - time.perf_counter(), 0.0))  # works until it is cut

        def local_round(self, dictionary, deadline):
            return False

        def price(self, dictionary, deadline):
            if time.perf_counter() + 0.2 > deadline:
                time.sleep(max(deadline - time.perf_counter(), 0.0))
                return None  # cut by the budget: certifies nothing
            time.sleep(0.2)
            self.priced += 1
            return FullPass(1.0, 0.5, 10, 5)

        def converged(self, tol):
            return False

        def stalled(self):
            return False

        def tighten(self):
            return True

        def grow(self):
            pass

        def result(self, stopped, tol, deadline):
            return SimpleNamespace(converged=False, objective=1.0, gap=0.5)

    program = ScriptedProgram()
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = solve_working_set(None, program, 1e-8, 100, max_seconds=3.0)
    assert res.stopped == "max_seconds"
    assert program.priced >= 1  # the point of a cut solve was priced
    # the first solve left 1.5 passes of the 3 s budget (0.3 s, less what the clock adds)
    assert program.solve_deadlines[0] <= start + 3.0 - 0.25
