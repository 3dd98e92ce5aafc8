"""Never worse than a trained network at its width (issue 24): the best of 5 Adam runs against
the certified ReLU program over that network's own activation patterns (``init=``), and over
them plus as many sampled ones.

Each data set is scikit-learn's bundled copy, split once (25% held out, ``random_state=0``),
features standardized on the training part, targets: diabetes standardized, breast cancer ±1,
wine ±1 (class 0 against the rest). The objective is ganet's, ½‖f(X) − y‖² + (λ/2)Σⱼ(‖uⱼ‖₂² +
αⱼ²), λ = 1, width 20. The trained network is a feasible point of the program over its own
patterns (each neuron is its pattern's ReLU feature), so the certified optimum is at most its
objective — with at most twice as many neurons as patterns used.

Run: .venv/bin/python benchmarks/versus_adam.py [--width 20] [--runs 5] [--steps 4000]
"""

import argparse
import time
import warnings

import numpy as np
from sklearn import datasets
from sklearn.model_selection import train_test_split

import ganet
from ganet.adam import train_adam


def _data(name):
    if name == "diabetes":
        X, y = datasets.load_diabetes(return_X_y=True)
        return X, y, "regression"
    loader = datasets.load_breast_cancer if name == "breast_cancer" else datasets.load_wine
    X, y = loader(return_X_y=True)
    return X, np.where(y == (1 if name == "breast_cancer" else 0), 1.0, -1.0), "classification"


def _score(F, y, kind):
    return 1 - np.mean((F - y) ** 2) / np.var(y) if kind == "regression" else np.mean(np.sign(F) == y)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--width", type=int, default=20)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--steps", type=int, default=4000)
    parser.add_argument("--lam", type=float, default=1.0)
    args = parser.parse_args()
    print(f"{'data':>14} {'model':<44} {'objective':>12} {'neurons':>8} {'held-out':>9} {'s':>7}")
    for name in ("wine", "diabetes", "breast_cancer"):
        X, y, kind = _data(name)
        Xtr, Xte, ytr, yte = train_test_split(X, y, test_size=0.25, random_state=0)
        mu, sd = Xtr.mean(0), Xtr.std(0) + 1e-12
        Xtr, Xte = (Xtr - mu) / sd, (Xte - mu) / sd
        if kind == "regression":
            ym, ys = ytr.mean(), ytr.std()
            ytr, yte = (ytr - ym) / ys, (yte - ym) / ys
        start = time.perf_counter()
        runs = [train_adam(Xtr, ytr, args.width, args.lam, reg="l2", steps=args.steps, seed=s) for s in range(args.runs)]
        adam_seconds = time.perf_counter() - start
        net, history = min(runs, key=lambda r: r[1][-1])
        forward = lambda A: np.maximum(A @ net["W1"] + net["b1"], 0) @ net["W2"][:, 0] + net["b2"][0]  # noqa: E731
        print(f"{name:>14} {'Adam, best of ' + str(args.runs):<44} {history[-1]:12.6g} {args.width:8d} "
              f"{_score(forward(Xte), yte, kind):9.3f} {adam_seconds:7.1f}", flush=True)
        for label, extra in (("ganet ReLU program, its patterns (init=)", None),
                             (f"ganet ReLU program, + {args.width} sampled", args.width)):
            start = time.perf_counter()
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                model = ganet.ArrangementReLU(patterns="sampled", init=net, n_patterns=extra, lam=args.lam,
                                              random_state=0, tol=1e-8).fit(Xtr, ytr)
            print(f"{name:>14} {label:<44} {model.objective_:12.6g} {len(model.neurons_):8d} "
                  f"{_score(model.predict(Xte), yte, kind):9.3f} {time.perf_counter() - start:7.1f}  "
                  f"gap {model.dual_gap_:.1e}", flush=True)


if __name__ == "__main__":
    main()
