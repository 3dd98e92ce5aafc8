"""Real-data benchmark: held-out scores and fit times of ganet models against scikit-learn baselines.

Every data set is scikit-learn's bundled copy, split once (25% held out, ``random_state=0``), raw
features standardized inside each model. Baselines: RidgeCV / LogisticRegressionCV and an
MLPRegressor / MLPClassifier (one hidden layer of 100 ReLUs, early stopping), measured in the
same run. ganet models:

* ``ConvexReLUCV`` (p = 2) on the first 3 principal components (the wedge dictionaries grow like
  nᵈ), λ by 5-fold cross-validation, certified (regression); ``ConvexReLUClassifier`` on 2
  components (multiclass);
* ``ArrangementReLUCV`` / ``ArrangementReLUClassifier``: the gated program over sampled patterns
  on all features (no global certificate: the sampled program's gap); λ by 5-fold CV for
  regression, else λ = 10⁻² · n (squared loss; one-vs-rest for several classes) or 10⁻⁴ · n
  (logistic).

Scores: R² (regression), accuracy (classification). ``--max-seconds`` bounds every ganet fit.

Run: .venv/bin/python benchmarks/real_data.py [--max-seconds 120] [--sets diabetes,breast_cancer,wine,digits2,digits10]
"""

import argparse
import os
import time
import warnings

import numpy as np
from sklearn import datasets
from sklearn.decomposition import PCA
from sklearn.linear_model import LogisticRegressionCV, RidgeCV
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPClassifier, MLPRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

import ganet

SETS = {
    "diabetes": (lambda: datasets.load_diabetes(return_X_y=True), "regression"),
    "breast_cancer": (lambda: datasets.load_breast_cancer(return_X_y=True), "binary"),
    "wine": (lambda: datasets.load_wine(return_X_y=True), "multiclass"),
    "digits2": (lambda: (lambda X, y: (X, (y % 2).astype(int)))(*datasets.load_digits(return_X_y=True)), "binary"),
    "digits10": (lambda: datasets.load_digits(return_X_y=True), "multiclass"),
}


def timed(make, X, y):
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = make().fit(X, y)
    return model, time.perf_counter() - start


def models(kind, n, budget):
    lam = 1e-2 * n
    baselines = {
        "regression": [("RidgeCV", lambda: make_pipeline(StandardScaler(), RidgeCV(alphas=np.logspace(-3, 3, 25))), None),
                       ("MLPRegressor", lambda: make_pipeline(StandardScaler(), MLPRegressor(
                           early_stopping=True, max_iter=2000, random_state=0)), None)],
        "binary": [("LogisticRegressionCV", lambda: make_pipeline(StandardScaler(), LogisticRegressionCV(max_iter=5000)), None),
                   ("MLPClassifier", lambda: make_pipeline(StandardScaler(), MLPClassifier(
                       early_stopping=True, max_iter=2000, random_state=0)), None)],
    }
    baselines["multiclass"] = baselines["binary"]
    ours = []
    if kind == "regression":
        ours.append(("ganet ConvexReLUCV p=2 (PCA-3)", lambda: ganet.ConvexReLUCV(
            reg="l2", max_seconds=budget, random_state=0), 3))
        ours.append(("ganet ArrangementReLUCV gated (sampled 300)", lambda: ganet.ArrangementReLUCV(
            patterns="sampled", n_patterns=300, gated=True, n_lams=10, random_state=0,
            max_seconds=budget), None))
    elif kind == "binary":
        ours.append(("ganet ArrangementReLUClassifier gated logistic (sampled 200)",
                     lambda: ganet.ArrangementReLUClassifier(patterns="sampled", n_patterns=200, gated=True,
                                                             loss="logistic", lam=lam * 1e-2, standardize=True,
                                                             random_state=0, max_seconds=budget), None))
    else:
        ours.append(("ganet ConvexReLUClassifier squared (PCA-2)",
                     lambda: ganet.ConvexReLUClassifier(lam=1e-1, standardize=True, max_seconds=budget), 2))
        ours.append(("ganet ArrangementReLUClassifier gated one-vs-rest (sampled 100)",
                     lambda: ganet.ArrangementReLUClassifier(patterns="sampled", n_patterns=100, gated=True,
                                                             lam=lam, standardize=True, random_state=0,
                                                             max_seconds=budget), None))
    return baselines[kind] + ours


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--max-seconds", type=float, default=120.0, help="budget of each ganet fit (a CV "
                        "estimator's folds each get it)")
    parser.add_argument("--sets", default=",".join(SETS))
    args = parser.parse_args()
    print(f"# {os.cpu_count()} CPUs; {time.strftime('%Y-%m-%d %H:%M')}; ganet fits bounded by "
          f"{args.max_seconds:g} s")
    print(f"{'data':>14} {'model':<62} {'held-out':>9} {'fit s':>8}  certificate")
    for name in args.sets.split(","):
        load, kind = SETS[name]
        X, y = load()
        Xtr, Xte, ytr, yte = train_test_split(X, y, test_size=0.25, random_state=0,
                                              stratify=None if kind == "regression" else y)
        for label, make, pcs in models(kind, len(Xtr), args.max_seconds):
            A, B = Xtr, Xte
            if pcs:  # principal components of the standardized training features
                pca = make_pipeline(StandardScaler(), PCA(pcs, random_state=0)).fit(Xtr)
                A, B = pca.transform(Xtr), pca.transform(Xte)
            try:
                model, seconds = timed(make, A, ytr)
            except ValueError as exc:
                print(f"{name:>14} {label:<62} {'refused':>9} {'':>8}  {exc}"[:200])
                continue
            score = model.score(B, yte)
            cert = getattr(model, "certificate_", "")
            print(f"{name:>14} {label:<62} {score:9.3f} {seconds:8.1f}  {cert}", flush=True)


if __name__ == "__main__":
    main()
