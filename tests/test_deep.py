"""Deep networks: the lifted families against their sympy closed forms, against an independent 1-D
enumeration and a Lasso reference, against many non-convex Adam restarts, and the paper's figures."""

from fractions import Fraction

import numpy as np
import pytest
import sympy as sp

from ganet import DeepNarrowAbs, ThreeLayerReLU
from ganet.adam import deep_abs_objective, relu3_objective, train_deep_abs, train_relu3
from ganet.numeric.oracles.families import abs_chain, lifted_family, relu3
from ganet.numeric.oracles.lifted import LiftedDictionary
from ganet.symbolic.deep import deep_family, lifted_generators, reflection_feature

from .reference import deep_abs_1d_dictionary, independent_gap, lasso_reference

FAMILIES = ["abs2", "abs3", "abs4", "relu3", "relu3_bias"]


def _dyadic(rng, shape, scale=8):
    """Random multiples of 1/4 (exact in float64 and as sympy Rationals)."""
    return rng.integers(-scale * 4, scale * 4 + 1, size=shape) / 4.0


@pytest.mark.parametrize("name", FAMILIES + ["abs5", "abs6"])
def test_kink_types_derived_from_the_closed_form_are_the_numeric_tables(name):
    kappas, axes = deep_family(name).kink_types()
    fam = lifted_family(name)
    numeric = sorted(tuple(sp.Rational(int(v)) for v in row) for row in fam.kappa)
    assert kappas == numeric
    # the numeric tables may add the conditions δ_l = 0 of a degenerate layer (its shallower
    # features, more columns, never fewer): every axis the closed form derives must be there
    assert set(axes) <= set(fam.param_axes)


@pytest.mark.parametrize("name", FAMILIES + ["abs5"])
def test_compiled_phi_equals_the_sympy_closed_form(name):
    rng = np.random.default_rng(0)
    sym, fam = deep_family(name), lifted_family(name)
    t = sp.Symbol("t", real=True)
    for kind in range(fam.kinds):
        expr = sym.phi(kind)
        for _ in range(40):
            tv, pv = _dyadic(rng, ()), _dyadic(rng, fam.q)
            subs = {t: sp.Rational(tv)} | {sp.Symbol(f"p{i}", real=True): sp.Rational(v) for i, v in enumerate(pv)}
            assert fam.feature(float(tv), pv, kind) == float(expr.xreplace(subs))


@pytest.mark.parametrize("d", [1, 2, 3])
@pytest.mark.parametrize("name", FAMILIES)
def test_lifted_kernel_equals_symbolic_wedge_form(name, d):
    """Each column's values (numba kernel, centred and scaled data) equal the exact closed form
    φ(xᵀw; π), (w, π) = ⋆(g₁ ∧ ⋯ ∧ g_{D−1})/‖w‖₁, evaluated in rational arithmetic."""
    rng = np.random.default_rng(d)
    fam, sym = lifted_family(name), deep_family(name)
    X = _dyadic(rng, (4 if d < 3 else 3, d), scale=3)
    D = LiftedDictionary(X, fam)
    T = _dyadic(rng, (5, d), scale=4)
    x = sp.symbols(f"x_1:{d + 1}", real=True)
    exprs = [sym.feature(d, kind) for kind in range(fam.kinds)]
    checked = 0
    for t in rng.permutation(D.n_subsets)[:6]:
        gens = D.describe(int(2 * fam.kinds * t)).generators
        G = lifted_generators(X, fam.kappa, fam.param_names, gens)
        for kind in range(fam.kinds):
            cols = [2 * fam.kinds * t + s * fam.kinds + kind for s in (0, 1)]
            numeric = D.transform(T, cols)
            if not np.any(numeric):
                continue  # a dependent subset: no direction, zero column (sympy: 0/0)
            # the two signed columns are the two orientations ±(w, π) of the same normal
            exact = np.array(_orientation_values(exprs[kind], G, x, T)).T
            scale = 1.0 + np.abs(exact).max()
            err = min(np.abs(numeric - exact).max(), np.abs(numeric - exact[:, ::-1]).max())
            assert err <= 1e-12 * scale
            checked += 1
    assert checked >= 3


def _orientation_values(expr, G, x, T):
    """The closed form with generators G at the rows of T, for both orientations (w, π) and
    −(w, π) (negating the first generator negates the wedge product)."""
    out = []
    for orient in (1, -1):
        subs = {sp.Symbol(f"g_{{{r + 1},{k + 1}}}", real=True): (orient if r == 0 else 1) * G[r][k]
                for r in range(len(G)) for k in range(len(G[0]))}
        e = expr.xreplace(subs)
        out.append([float(e.xreplace(dict(zip(x, [sp.Rational(v) for v in p])))) for p in T])
    return out


@pytest.mark.parametrize("d", [1, 2, 3])
@pytest.mark.parametrize("average", [False, True])
def test_reflection_feature_vol_form_equals_distance_to_reflection_planes(d, average):
    """Theorem 4.3: ||⋆((x − x′) ∧ Δ)| − |⋆((x_{j₀} − x′) ∧ Δ)||/‖Δ‖₁ = r(w)·min(dist(x, 𝓗), dist(x, 𝓗_R)),
    exactly, at random rational points (the square roots cancel)."""
    rng = np.random.default_rng(10 * d + average)
    X = [[Fraction(int(v), 3) for v in row] for row in rng.integers(-9, 10, size=(5, d))]
    gens = [[a - b for a, b in zip(X[2 + k], X[1])] for k in range(d - 1)]
    f = reflection_feature(X, 0, 1, gens, average=average)
    x = sp.symbols(f"x_1:{d + 1}", real=True)
    for _ in range(12):
        p = {xi: sp.Rational(int(v), 7) for xi, v in zip(x, rng.integers(-30, 31, size=d))}
        a, b = f.wedge_form.xreplace(p), f.distance_form.xreplace(p)
        assert a.is_Rational and sp.simplify(b) == a
    # the reflected point lies on 𝓗_R: the feature vanishes there, and at x_{j₀}
    for point in (f.reflected, X[1]):
        assert f.wedge_form.xreplace(dict(zip(x, point))) == 0
    if not average:
        assert f.name == "R(x1, x0) = 2·x0 − x1"
        assert f.reflected == [2 * b - a for a, b in zip(X[1], X[0])]


@pytest.mark.parametrize("d", [1, 2])
def test_theorem_4_1_features_are_columns_of_the_depth_3_dictionary(d):
    """Every feature of Theorem 4.1's index set appears among the abs3 columns, up to a positive
    scale: base x′ ∈ {x_{j₋₁}, (x_{j₋₁} + x_{j₀})/2}, and in 2-D the generator x_{j₂} − x″ with
    x″ ∈ {x′, R(x_{j₀}, x′)} ∪ {x_{j₂} − e_l}."""
    rng = np.random.default_rng(d)
    X = rng.integers(-6, 7, size=(5, d)) / 2.0
    D = LiftedDictionary(X, abs_chain(3))
    K = D.materialize()
    K = K[:, np.abs(K).max(axis=0) > 0]
    K /= np.linalg.norm(K, axis=0)
    x = sp.symbols(f"x_1:{d + 1}", real=True)
    Xe = [[sp.Rational(v) for v in row] for row in X]
    found = 0
    for jm1 in range(5):
        for j0 in range(5):
            for average in (False, True):
                base = [(a + b) / 2 for a, b in zip(Xe[jm1], Xe[j0])] if average else Xe[jm1]
                others = [base, [2 * b - a for a, b in zip(Xe[j0], base)]]
                axes = [[[int(k == l) for k in range(d)]] for l in range(d)]  # x_{j₂} − (x_{j₂} − e_l)
                gen_sets = [[]] if d == 1 else [[[u - v for u, v in zip(Xe[j2], o)]] for j2 in range(5)
                                                  for o in others] + axes
                for gens in gen_sets:
                    if d == 2 and not any(gens[0]):
                        with pytest.raises(ValueError, match="dependent"):
                            reflection_feature(Xe, jm1, j0, gens, average=average)
                        continue
                    f = reflection_feature(Xe, jm1, j0, gens, average=average)
                    col = np.array([float(f.wedge_form.xreplace(dict(zip(x, row)))) for row in Xe])
                    if not col.any():
                        continue
                    col /= np.linalg.norm(col)
                    assert np.abs(K.T @ col).max() >= 1 - 1e-12, (jm1, j0, gens, average)
                    found += 1
    assert found > 20


def _fit_1d(depth, seed, n):
    rng = np.random.default_rng(seed)
    x = np.round(rng.uniform(-2, 2, size=n), 3)
    y = np.round(np.sin(2 * x) + 0.3 * rng.normal(size=n), 3)
    return x, y


@pytest.mark.parametrize("depth,n", [(2, 12), (3, 9), (4, 6)])
def test_1d_optimum_matches_an_independent_vertex_enumeration(depth, n):
    """The library's certified optimum equals the Lasso over an independently enumerated 1-D
    dictionary (every vertex of the dual's arrangement, in exact arithmetic) to 1e-8 relative:
    the library's residual is a dual certificate there, and Clarabel's value agrees."""
    for seed in range(2):
        x, y = _fit_1d(depth, seed, n)
        lam = 0.05
        model = DeepNarrowAbs(depth=depth, lam=lam).fit(x[:, None], y)
        assert model.converged_ and model.certificate_ == "global"
        K, _ = deep_abs_1d_dictionary(x, depth)
        residual = y - model.predict(x[:, None])
        assert independent_gap(K, y, lam, residual, model.objective_, True) <= 1e-8 * model.objective_
        reference = lasso_reference(K, y, lam, True)
        assert reference is not None
        assert abs(model.objective_ - reference) <= 1e-8 * reference
        # the reconstructed L-layer network attains it (eq. 2, evaluated independently)
        objective = deep_abs_objective(model.network(), x[:, None], y, lam)
        assert abs(objective - model.objective_) <= 1e-9 * model.objective_


def _perturbed(net, rng, size, fixed=("xi", "b")):
    """The weights plus Gaussian noise (the output offsets and any ``fixed`` entries kept)."""
    return {k: (np.asarray(v) + size * rng.normal(size=np.shape(v)) if k not in fixed else v)
            for k, v in net.items()}


@pytest.mark.parametrize("depth", [2, 3])
def test_no_deep_abs_network_trained_by_adam_beats_the_lasso(depth):
    """Many random restarts (Adam, then a cosine-decayed polish) and restarts from a perturbed
    optimum: none reaches below the certified Lasso value by more than 1e-6 relative."""
    rng = np.random.default_rng(depth)
    X = rng.normal(size=(10, 2))
    y = np.sin(2 * X[:, 0]) - X[:, 1] ** 2 + 0.1 * rng.normal(size=10)
    lam = 0.05
    model = DeepNarrowAbs(depth=depth, lam=lam).fit(X, y)
    assert model.converged_
    best = model.objective_
    net = model.network()
    assert abs(deep_abs_objective(net, X, y, lam) - best) <= 1e-9 * best
    values = []
    for seed in range(8):
        _, history = train_deep_abs(X, y, depth, width=8, lam=lam, steps=1500, lr=2e-2, seed=seed)
        values.append(history.min())
    for seed in range(4):
        _, history = train_deep_abs(X, y, depth, width=0, lam=lam, steps=800, lr=1e-3, seed=seed,
                                    init=_perturbed(net, rng, 1e-2))
        values.append(history.min())
    assert min(values) >= best * (1 - 1e-6)


@pytest.mark.parametrize("bias", [False, True])
def test_no_three_layer_relu_network_trained_by_adam_beats_the_lasso(bias):
    rng = np.random.default_rng(7 + bias)
    X = rng.normal(size=(10, 2))
    y = np.abs(X[:, 0] - X[:, 1]) - 0.5 * X[:, 1] + 0.1 * rng.normal(size=10)
    lam = 0.05
    model = ThreeLayerReLU(lam=lam, bias=bias).fit(X, y)
    assert model.converged_ and model.certificate_ == "global"
    net = model.network()
    assert abs(relu3_objective(net, X, y, lam) - model.objective_) <= 1e-9 * model.objective_
    assert abs(model.network_objective(X, y) - model.objective_) <= 1e-9 * model.objective_
    values = []
    for seed in range(8):
        values.append(train_relu3(X, y, width=8, lam=lam, bias=bias, steps=1500, lr=2e-2, seed=seed)[1].min())
    for seed in range(4):
        values.append(train_relu3(X, y, width=0, lam=lam, bias=bias, steps=800, lr=1e-3, seed=seed,
                                  init=_perturbed(net, rng, 1e-2, fixed=("b",) if bias else ("b", "b1")))[1].min())
    assert min(values) >= model.objective_ * (1 - 1e-6)


def _first_layer_lines(D, bias):
    """The distinct first-layer breaklines xᵀw + b = 0 of the dictionary's nonzero columns,
    normalized (largest |wₖ| = 1, first nonzero wₖ positive)."""
    K = D.materialize()
    lines = set()
    for j in np.flatnonzero(np.abs(K).max(axis=0) > 0):
        f = D.describe(int(j))
        v = np.r_[f.direction, f.params[0] if bias else 0.0]
        v = v / np.abs(f.direction).max()
        v = v * np.sign(v[np.flatnonzero(np.abs(v[:-1]) > 1e-12)[0]])
        lines.add(tuple(np.round(v, 9) + 0.0))
    return lines


def test_figure_7_first_layer_neurons_of_three_layer_networks():
    """P23 Figure 7 on x = (±1, 0), (0, ±1). (b), no bias: the four lines through the
    origin along the data and the translations of Aff(x1, x2), Aff(x2, x3). (d), with bias: the six
    affine hulls Aff(xᵢ, xⱼ) and their translations to every data point. The caption counts 12
    lines in (d); the translations add x = ±1 and y = ±1 to the six hulls, 10 distinct lines
    (the others coincide with hulls). Completeness: a dense random search never beats the
    dictionary's maximum dual correlation (test below)."""
    X = np.array([[1.0, 0.0], [0.0, 1.0], [-1.0, 0.0], [0.0, -1.0]])
    b = _first_layer_lines(LiftedDictionary(X, relu3(False)), False)
    assert b == {(1.0, 0.0, 0.0), (0.0, 1.0, 0.0), (1.0, 1.0, 0.0), (1.0, -1.0, 0.0)}
    d = _first_layer_lines(LiftedDictionary(X, relu3(True)), True)
    hulls = {(1.0, 0.0, 0.0), (0.0, 1.0, 0.0), (1.0, 1.0, -1.0), (1.0, 1.0, 1.0), (1.0, -1.0, -1.0),
             (1.0, -1.0, 1.0)}
    translations = {(1.0, 0.0, -1.0), (1.0, 0.0, 1.0), (0.0, 1.0, -1.0), (0.0, 1.0, 1.0)}
    assert d == hulls | translations


@pytest.mark.parametrize("name", ["relu3", "relu3_bias", "abs3", "abs4"])
def test_no_random_neuron_beats_the_dictionary_maximum(name):
    """max over the dictionary of |vᵀf(X)| (1ᵀv = 0) is never exceeded by 20,000 random neurons
    (w on the ℓ₁ sphere, parameters spread over the data's range)."""
    rng = np.random.default_rng(3)
    fam = lifted_family(name)
    X = np.vstack([np.array([[1.0, 0.0], [0.0, 1.0], [-1.0, 0.0], [0.0, -1.0]]), rng.normal(size=(4, 2))])
    D = LiftedDictionary(X, fam)
    for _ in range(3):
        v = rng.normal(size=len(X))
        v -= v.mean()
        best = D.price(v).max_score
        W = rng.laplace(size=(20_000, 2))
        W /= np.abs(W).sum(axis=1, keepdims=True)
        P = rng.uniform(-3, 3, size=(20_000, fam.q))
        kinds = rng.integers(fam.kinds, size=20_000)
        scores = [abs(v @ fam.evaluate(X, w, p, k)) for w, p, k in zip(W, P, kinds)]
        assert max(scores) <= best * (1 + 1e-12)


def test_reconstruction_names_reflection_points():
    x = np.array([0.0, 1.0, 2.0, 4.0, 5.0, 7.0])
    y = np.array([0.0, 1.0, 0.0, 1.0, 0.0, 1.0])
    model = DeepNarrowAbs(depth=3, lam=1e-3).fit(x[:, None], y)
    names = [name for nu in model.neurons_ for name, _ in nu.reflections]
    assert names, "expected reflected or averaged points on some neuron's kink planes"
    for nu in model.neurons_:
        planes = [v for v, _ in nu.feature.kink_planes]
        for name, point in nu.reflections:
            assert name.startswith(("R(", "avg(")) and " = " in name
            assert min(abs(float(point @ nu.feature.direction) - v) for v in planes) <= 1e-9


def test_minimum_norm_interpolation_matches_a_linear_program():
    """β → 0 (problem 14): min ‖z‖₁ s.t. Kz + ξ1 = y over the independent 1-D dictionary."""
    import cvxpy as cp

    x, y = _fit_1d(3, 0, 7)
    model = DeepNarrowAbs(depth=3, lam=0.0).fit(x[:, None], y)
    assert model.converged_
    assert np.abs(model.predict(x[:, None]) - y).max() <= 1e-8
    K, _ = deep_abs_1d_dictionary(x, 3)
    z, xi = cp.Variable(K.shape[1]), cp.Variable()
    cp.Problem(cp.Minimize(cp.norm1(z)), [K @ z + xi == y]).solve(solver="CLARABEL")
    ref = float(np.abs(z.value).sum())
    assert abs(model.objective_ - ref) <= 1e-6 * ref
    assert abs(model.network_objective(x[:, None], y) - ref) <= 1e-6 * ref


@pytest.mark.parametrize("params,message", [
    (dict(depth=1), "depth"), (dict(depth=2.5), "depth"), (dict(depth=True), "depth"),
    (dict(depth=3, lam=-1.0), "lam"), (dict(depth=3, dictionary="stored"), "streamed"),
])
def test_bad_deep_parameters_are_refused(params, message):
    with pytest.raises(ValueError, match=message):
        DeepNarrowAbs(**params).fit(np.zeros((5, 1)) + np.arange(5)[:, None], np.arange(5.0))


def test_three_layer_relu_needs_positive_beta_and_an_oversized_dictionary_is_refused():
    X, y = np.arange(10.0)[:, None], np.arange(10.0)
    with pytest.raises(ValueError, match="lam"):
        ThreeLayerReLU(lam=0.0).fit(X, y)
    rng = np.random.default_rng(0)
    with pytest.raises(ValueError, match="hours"):
        DeepNarrowAbs(depth=4, lam=0.1).fit(rng.normal(size=(300, 6)), rng.normal(size=300))


def _exact_eq2(res, X, y, lam, depth):
    """Eq. (2) of the exact reconstructed network, evaluated with 60 digits."""
    net = res.network
    total = 0
    for xi, yi in zip(X, y):
        if "inner" in net:
            h = [abs(sum(sp.Rational(a) * net["W1"][k, j] for k, a in enumerate(xi)) + net["biases"][j, 0])
                 for j in range(net["W1"].shape[1])]
            for l in range(1, depth - 1):
                h = [abs(h[j] * net["inner"][j, l - 1] + net["biases"][j, l]) for j in range(len(h))]
            f = sum(a * hj for a, hj in zip(net["alpha"], h)) + net["xi"]
        else:
            h = [sp.Max(0, sum(sp.Rational(a) * net["W1"][k, j] for k, a in enumerate(xi)) + net["b1"][j])
                 for j in range(net["W1"].shape[1])]
            f = sum(a * sp.Max(0, w2 * hj + b2) for a, w2, b2, hj in zip(net["alpha"], net["w2"], net["b2"], h)) + net["b"]
        total += (f - yi) ** 2 / 2
    l1 = [sum(abs(v) for v in net["W1"][:, j]) for j in range(net["W1"].shape[1])]
    pen = sum(abs(a) ** depth for a in net["alpha"]) + sum(v ** depth for v in l1)
    pen += sum(abs(v) ** depth for v in (net["inner"] if "inner" in net else net["w2"]))
    return (total + sp.Rational(lam) * pen / depth).evalf(60)


@pytest.mark.parametrize("depth,network,bias", [(2, "abs", False), (3, "abs", False), (3, "relu3", False),
                                                (3, "relu3", True)])
def test_exact_deep_derivation_verifies_kkt_and_its_network_attains_it(depth, network, bias):
    from ganet.symbolic import ExactVerificationError, derive_deep

    X = [[0], [1], [2], [4], [5], [7]] if network == "abs" else [[1, 0], [0, 1], [-1, 0], [0, -1], [1, 1]]
    y = [0, 1, 0, 1, 0, 1] if network == "abs" else [1, -1, 1, -1, "1/2"]
    res = derive_deep(X, y, depth=depth, network=network, bias=bias, lam="1/20")
    lam = sp.Rational(1, 20)
    assert res.conditions["max_abs_correlation"] <= lam
    model = (DeepNarrowAbs(depth=depth, lam=0.05) if network == "abs" else ThreeLayerReLU(lam=0.05, bias=bias))
    Xf, yf = np.array(X, dtype=float), np.array([float(sp.Rational(v)) for v in y])
    model.fit(Xf, yf)
    assert abs(float(res.objective) - model.objective_) <= 1e-9 * model.objective_
    # the exact network of Definition E.2 attains the exact optimum of eq. (2)
    assert abs(_exact_eq2(res, X, [sp.Rational(v) for v in y], lam, depth) - res.objective.evalf(60)) < 1e-40
    assert res.latex().startswith("f(x) = ")
    j, zj = next(iter(res.z.items()))  # a wrong support (one column, wrong sign) is caught exactly
    with pytest.raises(ExactVerificationError):
        derive_deep(X, y, depth=depth, network=network, bias=bias, lam="1/20", support=[(j, -int(sp.sign(zj)))])


def test_exact_deep_derivation_names_reflections_and_refuses_large_problems():
    from ganet.symbolic import derive_deep

    res = derive_deep([[0], [1], [2], [4], [5], [7]], [0, 1, 0, 1, 0, 1], depth=3, lam="1/100")
    names = [name for nu in res.neurons for name, _ in nu["reflections"]]
    assert any(name.startswith("R(") and "= 2·" in name for name in names)
    assert any(name.startswith("avg(") for name in names)
    with pytest.raises(ValueError, match="exact evaluations"):
        derive_deep(np.arange(60.0).reshape(30, 2), np.arange(30.0), depth=3)
    with pytest.raises(ValueError, match="network"):
        derive_deep([[0], [1]], [0, 1], network="relu4")


@pytest.mark.parametrize("name", ["abs3", "relu3_bias"])
def test_lifted_generators_are_the_numeric_neurons_kink_conditions(name):
    """Each exact generator row g of a column satisfies g·(w, π) = 0 for the neuron the numeric
    dictionary describes (w and π in the units of X, found by the kernel independently)."""
    rng = np.random.default_rng(5)
    fam = lifted_family(name)
    X = _dyadic(rng, (5, 2), scale=3)
    D = LiftedDictionary(X, fam)
    checked = 0
    for j in rng.permutation(D.n_columns)[:40]:
        f = D.describe(int(j))
        if not np.any(f.direction):
            continue
        rows = np.array(lifted_generators(X, fam.kappa, fam.param_names, f.generators), dtype=float)
        v = np.r_[f.direction, f.params]
        assert np.abs(rows @ v).max() <= 1e-12 * (1 + np.abs(rows).max() * np.abs(v).max())
        checked += 1
    assert checked >= 10


def test_nested_reflection_names_split_at_the_top_level_comma():
    from ganet.estimators.reflections import _reflection_name

    assert _reflection_name("R(x1, R(x1, x0))") == "R(x1, R(x1, x0)) = 2·R(x1, x0) − x1"
    assert _reflection_name("R(R(x0, x1), x2)") == "R(R(x0, x1), x2) = 2·x2 − R(x0, x1)"
    assert _reflection_name("avg(x1, x3)") == "avg(x1, x3) = (x1 + x3)/2"


def test_local_rounds_of_a_deep_dictionary_price_the_subsets_one_generator_away():
    """The engine's local rounds on a lifted dictionary: the neighbours are the subsets of the same
    block that exchange one lifted generator or one axis (checked by decoding every subset), and
    every violator among them is found (checked against the materialized columns)."""
    from itertools import combinations as subsets

    rng = np.random.default_rng(5)
    X = rng.normal(size=(40, 2))
    D = LiftedDictionary(X, lifted_family("abs3"))
    ix = D.index
    decoded = {}
    def colex(n, k):  # colex order: by the largest element first
        return sorted(subsets(range(n), k), key=lambda c: c[::-1])

    for m, b in zip(ix.ms, ix.bs):  # enumerate every subset independently of the ranking
        for P in colex(ix.n_generators, int(m)):
            for B in colex(ix.n_axes, int(b)):
                decoded[len(decoded)] = (set(P), set(B))
    assert len(decoded) == D.n_subsets
    t = 1234
    P0, B0 = decoded[t]
    expected = sorted(s for s, (P, B) in decoded.items()
                      if len(P) == len(P0) and len(B) == len(B0) and s != t
                      and len(P ^ P0) + len(B ^ B0) == 2)
    assert ix.neighbors([t]).tolist() == expected
    y = np.abs(X[:, 0]) - X[:, 1]
    around = np.array([t * D.columns_per_subset])
    near = D.local_violators(y, 1e-3, 10_000, around=around)
    columns = (np.repeat(np.array(expected) * D.columns_per_subset, D.columns_per_subset)
               + np.tile(np.arange(D.columns_per_subset), len(expected)))
    scores = np.abs(D.materialize(columns).T @ y)
    assert len(near) and set(near.tolist()) == set(columns[scores > 1e-3 * (1 + 1e-12)].tolist()) - {around[0]}
    D.sample = np.arange(0, D.n_subsets, 7)  # a sampled dictionary searches its sample only
    assert D.local_violators(y, 1e-3, 10, around=around) is None


@pytest.mark.parametrize("name", FAMILIES + ["abs5"])
def test_a_pricing_pass_agrees_with_the_materialized_columns(name):
    """The pass's fused sums (φ, ‖v‖² and vᵀr in one sweep for one output; φ stored, then one
    product per output for two) against K = materialize() evaluated through the scalar φ, which
    test_compiled_phi_equals_the_sympy_closed_form checks against sympy: the largest score
    max_j ‖K_jᵀR‖ over every column, and each returned violator above λ."""
    rng = np.random.default_rng(11)
    fam = lifted_family(name)
    d = 1 if fam.q > 3 else 2
    X = rng.normal(size=(4 if d == 1 else 9, d))  # (abs5 in 1-D: 635,376 subsets at n = 4)
    D = LiftedDictionary(X, fam)
    K = D.materialize()
    for R in (rng.normal(size=len(X)), rng.normal(size=(len(X), 2))):
        scores = np.linalg.norm((K.T @ R).reshape(K.shape[1], -1), axis=1)
        lam = 0.8 * scores.max()
        result = D.price(R, lam, 10)
        assert result.complete
        assert abs(result.max_score - scores.max()) <= 1e-12 * scores.max()
        assert len(result.columns) > 0 and np.all(scores[result.columns] > lam)


@pytest.mark.parametrize("code", [1, 4, 6, 99])  # abs3, abs6, relu3_bias and the generic |·| chain
def test_fused_phi_sums_equal_the_scalar_phi(code):
    """phi_dot's (Σφ², Σφ·r) against the scalar φ summed point by point (for code 99, the |·|
    chain ||flip·t − p₀| − p₁| … written out here), for both orientations and every kind."""
    from ganet.numeric.geometry import phi, phi_dot

    rng = np.random.default_rng(code)
    t, r = rng.normal(size=37), rng.normal(size=37)
    params = rng.normal(size={1: 2, 4: 5, 6: 2, 99: 6}[code])
    for flip in (1.0, -1.0):
        for kind in range(2 if code == 6 else 1):
            if code == 99:
                v = np.abs(flip * t - params[0])
                for p in params[1:]:
                    v = np.abs(v - p)
            else:
                v = np.array([phi(code, flip * ti, params, kind) for ti in t])
            vv, vr = phi_dot(code, t, flip, params, kind, r)
            assert vv == pytest.approx(v @ v, rel=1e-13) and vr == pytest.approx(v @ r, rel=1e-12, abs=1e-13)
