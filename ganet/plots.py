"""Pictures of a fitted model: the function (1-D), its regions and breaklines (2-D), or the
neurons' sizes (any d). Used by ``ganet report``; matplotlib only, written to a file."""

import numpy as np

from .explain import feature_names, neuron_contributions, neuron_table

__all__ = ["breaklines", "report_figure"]


def breaklines(model):
    """The lines xᵀw = v where the fitted network's neurons kink, as (w, v, neuron index).

    Two-layer neurons kink on uᵀx + b = 0 (gated neurons jump on their gate); deep neurons on
    each of their parallel kink planes.
    """
    return [(w, v, k) for k, nu in enumerate(model.neurons_) for w, v in nu.breakplanes]


def _in_user_units(model, X, lines):
    """Training inputs and breaklines in the user's units: a standardized model's neurons live on
    z = (x − μ)/s, where wᵀz = v is the line (w/s)ᵀx = v + (μ/s)ᵀw."""
    scaling = getattr(model, "input_scaling_", None)
    if scaling is None:
        return X, lines
    out = []
    for w, v, k in lines:  # the line wᵀz − v = 0 is the neuron (w, −v) of the model's inputs
        u, b = scaling.raw_neuron(w, -v)
        out.append((u, -float(b), k))
    return X * scaling.scale + scaling.shift, out


def _scores(model, Z):
    return model.decision_function(Z) if hasattr(model, "decision_function") else model.predict(Z)


def _class_colours(n_classes):
    """One colour per class: coolwarm's two ends for two classes (those of the decision
    function's map), tab10's for more."""
    import matplotlib

    if n_classes == 2:
        return [matplotlib.colormaps["coolwarm"](0.0), matplotlib.colormaps["coolwarm"](1.0)]
    return [matplotlib.colormaps["tab10"](k % 10) for k in range(n_classes)]


def _class_regions(ax, g1, g2, winner, n_classes):
    """The regions where each of several classes has the largest score, pale in its colour, and
    their borders."""
    from matplotlib.colors import ListedColormap

    pale = [tuple(0.55 + 0.45 * c for c in colour[:3]) for colour in _class_colours(n_classes)]
    levels = np.arange(n_classes + 1) - 0.5
    ax.contourf(g1, g2, winner, levels, cmap=ListedColormap(pale))
    ax.contour(g1, g2, winner, levels[1:-1], colors="k", linewidths=1.2)
    ax.plot([], [], color="k", lw=1.2, label="decision boundaries")


def report_figure(model, X, y, path, top=12):
    """Write a PNG: for d = 1 the fitted function with the data and kinks, for d = 2 the
    prediction (a classifier's decision function and boundary, or its classes' regions) with the
    breaklines of the ``top`` largest neurons and the data, otherwise a bar chart of the neurons'
    sizes labelled by their formulas; in the user's units (a standardized model's inputs and lines
    mapped back) with the features' names. ``X`` is the training input the model was fitted on;
    ``y`` its targets, or None when they are not at hand (then the points are drawn plain; with
    them, a classifier's points in their class's colour and a regressor's on the fit's colour
    scale). Returns ``path``."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt


    sizes = neuron_contributions(model)
    largest = set(np.argsort(-sizes)[:top].tolist())
    X, lines = _in_user_units(model, np.asarray(X, dtype=float),
                              [line for line in breaklines(model) if line[2] in largest])
    d = X.shape[1]
    names = feature_names(model, d)
    shown = f", kinks of the {len(largest)} largest" if len(largest) < len(model.neurons_) and d <= 2 else ""
    title = (f"{type(model).__name__}: objective {model.objective_:.6g}, {len(model.neurons_)} neurons{shown}\n"
             f"certificate: {model.certificate_} (gap {model.dual_gap_:.1e})")
    if d == 1:
        fig, ax = plt.subplots(figsize=(7, 4), layout="constrained")
        lo, hi = X.min() - 0.1 * np.ptp(X) - 1e-9, X.max() + 0.1 * np.ptp(X) + 1e-9
        grid = np.linspace(lo, hi, 800)[:, None]
        classes = getattr(model, "classes_", None)
        scores = _scores(model, grid).reshape(len(grid), -1)  # (several classes: a score each)
        several = scores.shape[1] > 1
        colours = None if classes is None else _class_colours(len(classes))
        for k in range(scores.shape[1]):
            name = ("fitted network" if classes is None else f"score of {classes[k]}" if several
                    else "decision function")
            ax.plot(grid[:, 0], scores[:, k], color=colours[k] if several else None, label=name)
        if y is None:  # no targets at hand (a saved model): the training inputs on the curve
            if not several:
                ax.scatter(X[:, 0], _scores(model, X), color="k", s=14, zorder=3, label="training inputs")
        elif classes is None:
            ax.scatter(X[:, 0], y, color="k", s=14, zorder=3, label="data")
        else:  # each class at its one-vs-rest target: +1 (two classes: classes_[0] at −1), as data
            for k, label in enumerate(classes):
                mine = np.asarray(y) == label
                level = -1.0 if k == 0 and not several else 1.0
                ax.scatter(X[mine, 0], np.full(np.count_nonzero(mine), level), color=colours[k], edgecolors="k",
                           linewidths=0.5, s=18, zorder=3, label=f"{label} ({np.count_nonzero(mine)}, at {level:+g})")
            if not several:
                ax.axhline(0.0, color="k", lw=0.6)
        for w, v, _ in lines:
            ax.axvline(v / w[0], color="C3", lw=0.6, ls=":")
        ax.plot([], [], color="C3", lw=0.6, ls=":", label="kinks of the neurons")
        ax.set_xlim(lo, hi)  # (a kink far outside the data stretched the axis: diabetes' bmi to 63)
        ax.set_xlabel(names[0])
        ax.set_ylabel("f(x)")
        ax.legend(fontsize=8)
    elif d == 2:
        fig, ax = plt.subplots(figsize=(6.5, 6), layout="constrained")
        lo, hi = X.min(axis=0), X.max(axis=0)
        pad = 0.1 * (hi - lo) + 1e-9
        lo, hi = lo - pad, hi + pad
        g1, g2 = np.meshgrid(np.linspace(lo[0], hi[0], 250), np.linspace(lo[1], hi[1], 250))
        F = _scores(model, np.column_stack([g1.ravel(), g2.ravel()]))
        classes = getattr(model, "classes_", None)
        if classes is not None and F.ndim == 2:  # several classes: the regions where each wins
            _class_regions(ax, g1, g2, F.argmax(axis=1).reshape(g1.shape), len(classes))
        else:
            F = F.reshape(g1.shape)
            im = ax.contourf(g1, g2, F, 20, cmap="coolwarm", alpha=0.8)
            fig.colorbar(im, ax=ax, label="decision function" if classes is not None else "network output")
            if classes is not None:  # where the decision changes
                ax.contour(g1, g2, F, [0.0], colors="k", linewidths=1.6)
                ax.plot([], [], color="k", lw=1.6, label="decision boundary")
        for w, v, _ in lines:
            if abs(w[1]) > abs(w[0]):
                xs = np.array([lo[0], hi[0]])
                ax.plot(xs, (v - w[0] * xs) / w[1], "--", color="0.25", lw=0.6)
            else:
                ys = np.array([lo[1], hi[1]])
                ax.plot((v - w[1] * ys) / w[0], ys, "--", color="0.25", lw=0.6)
        ax.plot([], [], "--", color="0.25", lw=0.6, label="breaklines of the neurons")
        if y is None:
            ax.scatter(*X.T, c="k", s=10, label="training points")
        elif classes is not None:  # each class in its own colour, the regions' (binary: coolwarm's ends)
            colours = _class_colours(len(classes))
            for k, label in enumerate(classes):
                mine = np.asarray(y) == label
                ax.scatter(*X[mine].T, color=colours[k], edgecolors="k", linewidths=0.5, s=18,
                           label=f"{label} ({np.count_nonzero(mine)})")
        else:  # the targets on the same colour scale as the fit: misfits stand out
            ax.scatter(*X.T, c=y, cmap="coolwarm", norm=im.norm, edgecolors="k", linewidths=0.5, s=18,
                       label="training points (colour: target)")
        ax.set_xlim(lo[0], hi[0])
        ax.set_ylim(lo[1], hi[1])
        ax.set_xlabel(names[0])
        ax.set_ylabel(names[1])
        ax.legend(loc="lower right", fontsize=8)
    else:  # the largest contributions, each labelled by its expression in the features' names
        rows = neuron_table(model, names=names, top=top, terms=2)
        fig, ax = plt.subplots(figsize=(11, 0.4 * len(rows) + 1.8), layout="constrained")
        classes = getattr(model, "classes_", None)
        outputs = [model.neurons_[r["index"]].output for r in rows]
        if classes is not None and len(classes) > 2 and None not in outputs:  # one-vs-rest: by class
            colours = _class_colours(len(classes))
            ax.barh(range(len(rows)), [100 * r["share"] for r in rows], color=[colours[k] for k in outputs])
            from matplotlib.patches import Patch

            ax.legend(handles=[Patch(color=colours[k], label=f"→ class {classes[k]}") for k in sorted(set(outputs))],
                      loc="lower right", fontsize=8)
        else:
            ax.barh(range(len(rows)), [100 * r["share"] for r in rows], color="C0")
        ax.set_yticks(range(len(rows)), [r["expression"] for r in rows], fontsize=7)
        ax.invert_yaxis()
        ax.set_xlabel("share of Σⱼ‖φⱼ(X)‖ (%): each neuron's term on the training data")
    fig.suptitle(title, fontsize=9)  # (constrained layout keeps long labels and the title inside)
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path
