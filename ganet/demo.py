"""The main job (``python -m ganet demo``): globally optimal networks on a two-spiral set and on
scikit-learn's diabetes data, their certificates and wedge-formula neurons, an Adam-trained network
of the same width for comparison, and a PNG of the decision regions with the optimal breaklines."""

import time

import numpy as np

from .adam import train_adam
from .datasets import two_spirals
from .estimators.two_layer import ConvexReLU, ConvexReLUClassifier


def _report(title, model, X, y, adam_steps, seconds):
    print(f"\n== {title}")
    print(f"   dictionary: {model.dictionary_.n_columns:,} columns (never materialized whole); "
          f"solved in {seconds:.1f} s, {model.n_iter_} pricing rounds"
          + (f" (of which {model.report_['seconds_compile']:.1f} s compiling kernels, once)"
             if model.report_.get("seconds_compile", 0.0) >= 0.05 else ""))
    print(f"   global optimum (Lasso objective) {model.objective_:.8g}")
    print(f"   certificate: duality gap {model.dual_gap_:.2e} "
          f"({model.dual_gap_ / model.objective_:.1e} relative), converged: {model.converged_}")
    print(f"   network objective of the reconstructed weights {model.network_objective(X, y):.8g}")
    print(f"   {len(model.neurons_)} neurons; the largest ones:")
    order = np.argsort([-abs(np.atleast_1d(nu.alpha)).max() * np.linalg.norm(nu.weight) for nu in model.neurons_])
    for nu in [model.neurons_[i] for i in order[:6]]:
        through = ", ".join(f"x{i}" for i in nu.special_samples)
        print(f"     {nu.formula:<28} breakplane through {through:<14} alpha {float(np.atleast_1d(nu.alpha)[0]):+.3f}")
    width = len(model.neurons_)
    targets = model._targets(y)[:, 0]
    _, history = train_adam(X, targets, width, model.lam, model.reg, model.bias, steps=adam_steps)
    print(f"   Adam, same width {width}, {adam_steps} steps: objective {history[-1]:.8g}  "
          f"(global optimum {model.objective_:.8g}, Adam / optimum = {history[-1] / model.objective_:.3f})")
    return history


def _breakline(ax, u, b, lo, hi, **style):
    """Draw uᵀx + b = 0 across the box [lo, hi]."""
    if abs(u[1]) > abs(u[0]):
        xs = np.array([lo[0], hi[0]])
        ax.plot(xs, -(b + u[0] * xs) / u[1], **style)
    else:
        ys = np.array([lo[1], hi[1]])
        ax.plot(-(b + u[1] * ys) / u[0], ys, **style)


def _plot(clf, X, y, histories, reg, Xd, yd, path, largest=10):
    """Three panels: the spirals' decision regions with the largest neurons' breaklines through
    their special samples, the diabetes fit, and Adam against the certified optimum."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 3, figsize=(17, 5.6))
    ax = axes[0]
    lo, hi = X.min(axis=0) - 0.3, X.max(axis=0) + 0.3
    g1, g2 = np.meshgrid(np.linspace(lo[0], hi[0], 300), np.linspace(lo[1], hi[1], 300))
    scores = clf.decision_function(np.column_stack([g1.ravel(), g2.ravel()])).reshape(g1.shape)
    ax.contourf(g1, g2, scores, levels=[-1e9, 0, 1e9], colors=["#f4c7c3", "#c6dbef"], alpha=0.8)
    ax.contour(g1, g2, scores, levels=[0], colors="k", linewidths=1)
    size = [float(np.abs(np.atleast_1d(nu.alpha)).max() * np.linalg.norm(nu.weight)) for nu in clf.neurons_]
    for rank, k in enumerate(np.argsort(size)[::-1][:largest]):
        nu = clf.neurons_[k]
        _breakline(ax, nu.weight, nu.bias, lo, hi, ls="--", lw=0.9, color=plt.cm.tab10(rank % 10),
                   label=f"{nu.formula}")
        ax.scatter(*X[list(nu.special_samples)].T, s=70, facecolors="none", edgecolors=plt.cm.tab10(rank % 10), lw=1.2)
    ax.scatter(*X[y > 0].T, c="C0", s=14, label="class +1")
    ax.scatter(*X[y < 0].T, c="C3", s=14, label="class −1")
    ax.set_xlim(lo[0], hi[0])
    ax.set_ylim(lo[1], hi[1])
    ax.set_aspect("equal")
    ax.set_xlabel("x1")
    ax.set_ylabel("x2")
    ax.set_title(f"two spirals: decision regions, the {min(largest, len(size))} largest of "
                 f"{len(size)} neurons\n(breaklines through their special samples, circled)", fontsize=9)
    ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=6.5)
    ax = axes[1]
    pred = reg.predict(Xd)
    ax.scatter(yd, pred, s=10, alpha=0.7)
    ax.plot([yd.min(), yd.max()], [yd.min(), yd.max()], "k--", lw=0.8, label="prediction = target")
    ax.set_xlabel("target (standardized disease progression)")
    ax.set_ylabel("certified optimal network")
    ax.set_title(f"diabetes, features bmi and s5: {len(reg.neurons_)} neurons, "
                 f"R² = {reg.score(Xd, yd):.3f}", fontsize=9)
    ax.legend(fontsize=8)
    ax = axes[2]
    for (title, history, model), color in zip(histories, ("C0", "C2")):
        ax.semilogy(history, color=color, label=f"Adam, {title}")
        ax.axhline(model.objective_, color=color, ls="--", lw=1, label=f"certified optimum, {title}")
    ax.set_xlabel("Adam step (same width as the optimum)")
    ax.set_ylabel("training objective")
    ax.set_title("Adam against the certified global optimum", fontsize=9)
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def run(png="ganet_demo.png"):
    """Run the demonstration; prints the comparison and writes ``png``."""
    start = time.perf_counter()
    X, y = two_spirals(n=60, turns=1.25)
    t = time.perf_counter()
    clf = ConvexReLUClassifier(reg="l2", bias=True, lam=1e-3).fit(X, y)
    h_spirals = _report("two spirals, n = 60, d = 2, p = 2 with biases, squared loss on ±1 labels", clf, X, y,
                        4000, time.perf_counter() - t)

    from sklearn.datasets import load_diabetes

    data = load_diabetes()
    cols = [data.feature_names.index("bmi"), data.feature_names.index("s5")]
    Xd = data.data[:, cols]
    Xd = (Xd - Xd.mean(axis=0)) / Xd.std(axis=0)
    yd = (data.target - data.target.mean()) / data.target.std()
    t = time.perf_counter()
    reg = ConvexReLU(reg="l1", bias=True, lam=1.0).fit(Xd, yd)
    h_diabetes = _report("diabetes (scikit-learn), n = 442, features bmi and s5 (standardized), p = 1 with biases",
                         reg, Xd, yd, 4000, time.perf_counter() - t)
    _plot(clf, X, y, [("spirals", h_spirals, clf), ("diabetes", h_diabetes, reg)], reg, Xd, yd, png)
    print(f"\nfigure (decision regions and breaklines, the diabetes fit, Adam against the optimum) "
          f"written to {png}")
    print(f"finished in {time.perf_counter() - start:.1f} s")
