"""Command line of ganet (``ganet …`` or ``python -m ganet …``).

::

    ganet fit DATA.csv --target COL [--model relu|relu-classifier|deep-abs|relu3|arrangement|
              arrangement-classifier] [--lam 1e-3] [--depth 3] [--reg l1|l2] [--no-bias]
              [--loss squared|logistic|hinge|huber] [--huber-delta D] [--patterns exact|sampled] [--n-patterns P] [--gated]
              [--features A,B] [--max-seconds S] [--random-state N] [--standardize] [--tol T]
              [--dictionary auto|stored|streaming|sampled] [--sample-weight COLUMN] -o MODEL.npz
    ganet predict MODEL.npz DATA.csv [-o OUT.csv]     # a CSV with a 'prediction' column (stdout)
    ganet report MODEL.npz [--png OUT.png]            # objective, certificate, neurons, a figure (with
                                                      # the targets, when the fitted CSV is still there)
    ganet demo | ganet ga | ganet warmup | ganet --version

Exit status: 0 on success, 1 for bad data or model files (a one-line message on stderr), 2 for
usage errors.
"""

import argparse
import csv
import inspect
import os
import re
import sys
import time
import warnings
from contextlib import contextmanager

import numpy as np

_DEFAULT_LAM = 1e-3
MODELS = ("relu", "relu-classifier", "deep-abs", "relu3", "arrangement", "arrangement-classifier")
CLASSIFIERS = ("relu-classifier", "arrangement-classifier")


class CLIError(Exception):
    """A user-facing error: printed as 'ganet: error: …', exit status 1."""


def read_csv(path):
    """(header, rows) of a CSV file with a header line; rows as lists of strings."""
    try:  # (utf-8-sig: a byte-order mark written by spreadsheet programs is not part of a name)
        with open(path, newline="", encoding="utf-8-sig") as f:
            rows = list(csv.reader(f))
    except OSError as exc:
        raise CLIError(f"cannot read {path}: {exc.strerror or exc}") from None
    except (UnicodeDecodeError, csv.Error) as exc:
        raise CLIError(f"{path} is not a text CSV file ({exc})") from None
    rows = [r for r in rows if r and any(c.strip() for c in r)]
    if len(rows) < 2:
        raise CLIError(f"{path} needs a header line and at least one data row")
    header = [h.strip() for h in rows[0]]
    repeated = sorted({h for h in header if header.count(h) > 1})
    if repeated:
        raise CLIError(f"{path}: the header names {', '.join(map(repr, repeated))} more than once")
    for k, r in enumerate(rows[1:], start=2):
        if len(r) != len(header):
            raise CLIError(f"{path}, line {k}: {len(r)} fields, but the header has {len(header)}")
    return header, rows[1:]


def numeric_columns(path, header, rows, names):
    """The named columns as a float matrix, with a clear error for a missing or non-numeric one."""
    missing = [n for n in names if n not in header]
    if missing:
        raise CLIError(f"{path}: no column {', '.join(map(repr, missing))} (columns: {', '.join(header)})")
    idx = [header.index(n) for n in names]
    out = np.empty((len(rows), len(idx)))
    for i, r in enumerate(rows):
        for j, c in enumerate(idx):
            try:
                out[i, j] = float(r[c])
            except ValueError:
                raise CLIError(f"{path}, line {i + 2}, column {names[j]!r}: {r[c]!r} is not a number") from None
    if not np.isfinite(out).all():
        raise CLIError(f"{path}: the features contain NaN or infinite values")
    return out


def targets(path, header, rows, name, labels):
    """The target column: class ``labels`` (strings; numeric ones as numbers, whole ones as
    integers: wine's "0, 1, 2" give "class 1", not "1.0") or numbers."""
    if not labels:
        return numeric_columns(path, header, rows, [name])[:, 0]
    t = header.index(name)
    y = np.array([r[t].strip() for r in rows])
    try:
        values = y.astype(float)
        return values.astype(np.int64) if np.all(values == np.round(values)) else values
    except ValueError:
        return y


def _training_targets(model):
    """The targets of a model fitted by ``ganet fit``, read again from its CSV when that file is
    still there with the same rows (for the report's figure); else None."""
    cli = model.report_.get("cli", {})
    try:
        header, rows = read_csv(cli["data"])
        y = targets(cli["data"], header, rows, cli["target"], hasattr(model, "classes_"))
    except (KeyError, CLIError):
        return None
    return y if len(y) == len(model.training_inputs_) else None


@contextmanager
def _warnings_as_notes():
    """Python warnings of a fit as one 'note: …' line each on stderr, repeats dropped, instead of
    Python's two-line 'file.py:121: SomeWarning: …' format (the source line means nothing to a
    command-line user)."""
    seen = set()

    def show(message, category, *args, **kwargs):
        text = str(message)
        if text not in seen:
            seen.add(text)
            print(f"note: {text}", file=sys.stderr, flush=True)

    with warnings.catch_warnings():
        warnings.simplefilter("always")
        warnings.showwarning = show
        yield


def _lam_option(text):
    """--lam: a number, or 'cv'."""
    if text == "cv":
        return text
    try:
        return float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number or 'cv', got {text!r}") from None


def check_writable(path):
    """Refuse, before any work, an output path that cannot be written."""
    folder = os.path.dirname(os.path.abspath(path))
    if os.path.isdir(path) or not os.path.isdir(folder) or not os.access(folder, os.W_OK) \
            or (os.path.exists(path) and not os.access(path, os.W_OK)):
        raise CLIError(f"cannot write {path}: " + ("it is a folder" if os.path.isdir(path) else
                                                    "no such folder" if not os.path.isdir(folder) else
                                                    "permission denied"))


def _build(args):
    from . import (ArrangementReLU, ArrangementReLUClassifier, ConvexReLU, ConvexReLUClassifier, DeepNarrowAbs,
                   ThreeLayerReLU)

    if args.loss == "huber" and args.model not in ("relu", "arrangement"):
        raise CLIError("--loss huber needs --model relu or arrangement (regression)")
    if args.loss not in ("squared", "huber") and args.model not in CLASSIFIERS:
        raise CLIError(f"--loss {args.loss} needs a classifier model ({' or '.join(CLASSIFIERS)})")
    common = dict(lam=args.lam, max_seconds=args.max_seconds, verbose=int(args.verbose),
                  random_state=args.random_state, standardize=args.standardize)
    if args.tol is not None:
        common["tol"] = args.tol
    if args.dictionary is not None:
        if args.model.startswith("arrangement"):
            raise CLIError("--dictionary applies to the wedge and deep models; arrangement models take --patterns")
        common["dictionary"] = args.dictionary
    grid = {name: value for name, value in (("cv", args.cv), ("n_lams", args.n_lams)) if value is not None}
    if grid and args.lam != "cv":
        flags = " and ".join("--" + name.replace("_", "-") for name in grid)
        raise CLIError(f"{flags} {'need' if len(grid) > 1 else 'needs'} --lam cv")
    if args.lam == "cv":
        from .estimators.cv import (ArrangementReLUClassifierCV, ArrangementReLUCV, ConvexReLUClassifierCV, ConvexReLUCV,
                                    DeepNarrowAbsCV, ThreeLayerReLUCV)

        common.pop("lam")
        common["standardize"] = True  # (the CV grid is relative to unit-variance features)
        # (the estimators' own checks refuse a bad K or N: "cv must be …", "n_lams must be …"; the
        # flags are named as the parameters that CV's budget warning tells the user to lower)
        common.update(grid)
        ArrangementReLU, ArrangementReLUClassifier = ArrangementReLUCV, ArrangementReLUClassifierCV
        DeepNarrowAbs, ThreeLayerReLU = DeepNarrowAbsCV, ThreeLayerReLUCV
    if args.model.startswith("arrangement"):
        cls = ArrangementReLUClassifier if args.model in CLASSIFIERS else ArrangementReLU
        return cls(patterns=args.patterns, n_patterns=args.n_patterns, gated=args.gated, loss=args.loss,
                   bias=not args.no_bias, huber_delta=args.huber_delta, **common)
    if args.lam == "cv" and args.model == "relu":
        return ConvexReLUCV(reg=args.reg, bias=not args.no_bias, loss=args.loss, huber_delta=args.huber_delta,
                            **common)
    if args.lam == "cv" and args.model == "relu-classifier":
        return ConvexReLUClassifierCV(reg=args.reg, bias=not args.no_bias, loss=args.loss, **common)
    if args.model == "relu":
        return ConvexReLU(reg=args.reg, bias=not args.no_bias, loss=args.loss, huber_delta=args.huber_delta,
                          **common)
    if args.model == "relu-classifier":
        return ConvexReLUClassifier(reg=args.reg, bias=not args.no_bias, loss=args.loss, **common)
    if args.model == "deep-abs":
        return DeepNarrowAbs(depth=args.depth, **common)
    return ThreeLayerReLU(bias=not args.no_bias, **common)


def cmd_fit(args):
    from .persistence import save

    check_writable(args.output)
    header, rows = read_csv(args.data)
    if args.target not in header:
        raise CLIError(f"{args.data}: no target column {args.target!r} (columns: {', '.join(header)})")
    if args.sample_weight is not None and args.sample_weight not in header:
        raise CLIError(f"{args.data}: no sample-weight column {args.sample_weight!r} (columns: {', '.join(header)})")
    features = args.features.split(",") if args.features else [h for h in header
                                                                if h not in (args.target, args.sample_weight)]
    if not features:
        raise CLIError(f"{args.data}: no feature columns besides the target")
    X = numeric_columns(args.data, header, rows, features)
    y = targets(args.data, header, rows, args.target, args.model in CLASSIFIERS)
    model = _build(args)
    if X.shape[1] > 5 and not args.model.startswith("arrangement"):
        print(f"note: {X.shape[1]} features; the wedge dictionaries grow like n^d — for wide data use "
              "--model arrangement --patterns sampled --n-patterns P --gated", file=sys.stderr)
    if args.model.startswith("arrangement") and args.patterns == "sampled" and not args.gated \
            and args.max_seconds is None:
        print("note: the sampled ReLU program (cone constraints) can be slow on large data; --gated "
              "solves the gated model fast, --max-seconds S bounds the fit", file=sys.stderr)
    spread = X.std(axis=0)
    spread = spread[spread > 0]
    if not model.standardize and spread.size and spread.max() > 100.0 * spread.min():
        # λ penalizes every feature's weight alike: on raw features of very different scales the
        # penalty (and the program's conditioning) is decided by units (raw breast cancer: the
        # sampled programs' certified gaps stayed at 100% of the objective in 20 s)
        print(f"note: the features' standard deviations range from {spread.min():.3g} to {spread.max():.3g}; "
              "--standardize fits on unit-variance features (the saved model still takes raw ones)",
              file=sys.stderr)
    print(f"fitting {type(model).__name__} on {X.shape[0]} rows × {X.shape[1]} features "
          f"({_listing(features)}) …", file=sys.stderr, flush=True)
    start = time.perf_counter()
    try:
        fit_args = {}
        if args.sample_weight is not None:
            if "sample_weight" not in inspect.signature(model.fit).parameters:
                raise CLIError(f"--sample-weight: {type(model).__name__} takes no sample weights "
                               "(the relu, relu-classifier and arrangement models do, with any loss)")
            fit_args["sample_weight"] = numeric_columns(args.data, header, rows, [args.sample_weight])[:, 0]
        with _warnings_as_notes():
            model.fit(X, y, **fit_args)
    except (ValueError, MemoryError, OverflowError, FloatingPointError) as exc:
        advice = str(exc or type(exc).__name__)
        for python, flags in _ADVICE_IN_FLAGS:
            advice = advice.replace(python, flags)
        raise CLIError(f"cannot fit: {advice}") from None
    if args.lam == _DEFAULT_LAM and model.converged_ and len(model.neurons_) > len(X) / 4:
        # a certified fit gives no other sign of it (diabetes' bmi alone, deep-abs: 162 neurons
        # through 442 rows, λ = 1e-8·λ_max; an uncertified one names λ_max itself)
        print(f"note: {len(model.neurons_)} neurons for {len(X)} rows: at the default --lam {_DEFAULT_LAM:g} the "
              "network nearly interpolates the data (λ is in the units of ½‖f(X) − y‖²); a larger --lam gives "
              "a smoother one" + (", and --lam cv chooses it" if model._cross_validated else ""),
              file=sys.stderr)
    model.report_["cli"] = {"features": features, "target": args.target, "data": str(args.data)}
    save(model, args.output)
    print(f"objective {model.objective_:.10g}, certificate {model.certificate_}, duality gap "
          f"{model.dual_gap_:.3g}, converged {model.converged_}, {len(model.neurons_)} neurons, "
          f"{time.perf_counter() - start:.1f} s{_compile_note(model)}; saved to {args.output}", file=sys.stderr)
    return 0


# The library's advice names Python parameters; the command line says it in its own flags
# (max_patterns has no flag: the sampled program is the way out there).
_ADVICE_IN_FLAGS = (("dictionary='sampled'", "--dictionary sampled"),
                    ("ArrangementReLU(patterns='sampled')", "--model arrangement --patterns sampled"),
                    ("patterns='sampled' with n_patterns=P", "--patterns sampled --n-patterns P"),
                    (", or raise max_patterns", ""))


def _listing(names, what="features", at_most=8):
    """Names joined by commas; a longer list is cut to its first and last ones and counted
    (digits' 64 pixel names filled four lines of every fit, and a neuron through 53 samples
    two more of the report)."""
    names = list(names)
    if len(names) <= at_most:
        return ", ".join(names)
    return ", ".join(names[:at_most - 2]) + f", …, {names[-1]} ({len(names)} {what})"


def _compile_note(model):
    """" (of which 12.3 s compiling kernels)" when numba compiled during the fit, else ""."""
    seconds = model.report_.get("seconds_compile", 0.0)
    return f" (of which {seconds:.1f} s compiling kernels; `python -m ganet warmup` caches them)" if seconds >= 0.05 else ""


def _load(path):
    from .persistence import load

    try:
        return load(path)
    except ValueError as exc:
        raise CLIError(str(exc)) from None


def cmd_predict(args):
    if args.output:
        check_writable(args.output)
    model = _load(args.model)
    features = model.report_.get("cli", {}).get("features")
    header, rows = read_csv(args.data)
    if features is None:  # a model saved from Python: take the first n_features_in_ columns
        features = header[:model.n_features_in_]
    X = numeric_columns(args.data, header, rows, features)
    pred = model.predict(X)
    out = open(args.output, "w", newline="") if args.output else sys.stdout
    try:
        # (Unix line ends: the csv module's default \r\n left a \r on every line for awk and cut)
        w = csv.writer(out, lineterminator="\n")
        w.writerow(["prediction"])
        for p in pred:
            w.writerow([repr(float(p)) if np.asarray(pred).dtype.kind == "f" else p])
    finally:
        if args.output:
            out.close()
    return 0


def cmd_report(args):
    from .explain import neuron_table, sample_names
    from .plots import report_figure

    png = args.png or str(args.model).rsplit(".", 1)[0] + ".png"
    check_writable(png)
    model = _load(args.model)
    cli = model.report_.get("cli", {})
    print(f"model        {type(model).__name__} ({args.model})")
    if cli:
        print(f"trained on   {cli.get('data')}: target {cli.get('target')!r}, features {_listing(cli['features'])}")
    print(f"objective    {model.objective_:.12g}")
    print(f"certificate  {model.certificate_}; duality gap {model.dual_gap_:.3g} "
          f"({model.dual_gap_ / max(model.objective_, 1e-300):.2g} relative); converged {model.converged_}")
    if "patterns" in model.report_:
        print(f"patterns     {model.report_['patterns']} ({model.report_['model']} program)")
    else:
        print(f"dictionary   {model.report_.get('dictionary')} with {model.report_.get('n_columns', 0):,} columns")
    rows = neuron_table(model, top=args.top or None)
    print(f"neurons      {len(model.neurons_)}" + (f"; the {len(rows)} largest contributions ‖φⱼ(X)‖ on the "
                                                   "training data:" if len(rows) < len(model.neurons_) else ""))
    print("             (#i: training sample i, row i of the data from 0)")
    for row in rows:
        nu = model.neurons_[row["index"]]
        samples = [f"#{i}" for i in row["samples"]]
        formula = re.sub(r"\b(Aff|Span)\(([^()]*)\)",
                         lambda m: f"{m[1]}({_listing(m[2].split(', '), 'samples')})", row["formula"])
        # (an Aff/Span formula already names the samples its breakplane passes through)
        through = "" if re.search(r"\b(Aff|Span)\(", formula) else _listing(samples, "samples")
        extra = "; ".join(sample_names(name) for name, _ in nu.reflections[:2])
        print(f"  {row['index']:>4}  {100 * row['share']:5.1f}%  {row['expression']}"
              + (f"  = {formula}" if row["formula"] != row["expression"] else "")
              + (f"  (through {through})" if through else "") + (f"  [{extra}]" if extra else ""))
    y = _training_targets(model)
    report_figure(model, model.training_inputs_, y, png)
    print(f"figure       {png}" + ("" if y is None else f" (with the targets of {cli['data']})"))
    return 0


def main(argv=None):
    from ._version import __version__

    parser = argparse.ArgumentParser(prog="ganet", description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__)
    parser.add_argument("--version", action="version", version=f"ganet {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)
    fit = sub.add_parser("fit", help="fit a globally optimal network to a CSV file and save it")
    fit.add_argument("data", help="CSV file with a header line")
    fit.add_argument("--target", required=True, help="name of the target column")
    fit.add_argument("--model", choices=MODELS, default="relu",
                     help="two-layer ReLU on the GA dictionary (regression or classifier), deep narrow |·|, "
                          "three-layer ReLU, or the two-layer arrangement program (wide data)")
    fit.add_argument("--lam", type=_lam_option, default=_DEFAULT_LAM,
                     help="regularization λ (β), default 1e-3; 'cv' chooses it by cross-validation "
                          "(every model)")
    fit.add_argument("--cv", type=int, metavar="K",
                     help="with --lam cv: the number of cross-validation folds (default 5)")
    fit.add_argument("--n-lams", type=int, metavar="N",
                     help="with --lam cv: the number of λ on the grid below λ_max (default 8)")
    fit.add_argument("--depth", type=int, default=3, help="depth L of deep-abs (default 3)")
    fit.add_argument("--reg", choices=("l1", "l2"), default="l1", help="p of the two-layer penalty")
    fit.add_argument("--no-bias", action="store_true", help="no first-layer biases")
    fit.add_argument("--loss", choices=("squared", "logistic", "hinge", "huber"), default="squared",
                     help="loss: squared (default; on ±1 for classifiers), logistic or hinge (classifiers), "
                          "huber (regression, robust to outliers)")
    fit.add_argument("--huber-delta", type=float, default=1.0, help="δ of --loss huber (units of the target)")
    fit.add_argument("--patterns", choices=("exact", "sampled"), default="exact",
                     help="arrangement: every activation pattern (small data) or sampled ones")
    fit.add_argument("--n-patterns", type=int, help="arrangement: number of sampled patterns (default 100)")
    fit.add_argument("--gated", action="store_true", help="arrangement: the gated-ReLU program")
    fit.add_argument("--random-state", type=int, help="seed of sampled dictionaries or patterns")
    fit.add_argument("--features", help="comma-separated feature columns (default: all but the target)")
    fit.add_argument("--max-seconds", type=float, help="time budget; the fit stops uncertified after it")
    fit.add_argument("--standardize", action="store_true",
                     help="fit on standardized features (the saved model still takes raw ones)")
    fit.add_argument("--tol", type=float, help="relative duality gap to certify (default: the model's)")
    fit.add_argument("--dictionary", choices=("auto", "stored", "streaming", "sampled"),
                     help="wedge/deep models: how the dictionary is held (sampled: no global certificate)")
    fit.add_argument("--sample-weight", metavar="COLUMN", help="a column of non-negative sample weights")
    fit.add_argument("-v", "--verbose", action="store_true", help="progress of the solver and pricing")
    fit.add_argument("-o", "--output", required=True, help="where to save the model (.npz)")
    pred = sub.add_parser("predict", help="predict with a saved model; a CSV with a 'prediction' column")
    pred.add_argument("model")
    pred.add_argument("data")
    pred.add_argument("-o", "--output", help="output CSV (default: stdout)")
    rep = sub.add_parser("report", help="objective, certificate, neurons as formulas, and a figure")
    rep.add_argument("model")
    rep.add_argument("--png", help="figure path (default: MODEL with .png)")
    rep.add_argument("--top", type=int, default=12,
                     help="list the K neurons with the largest contributions (default 12; 0: all)")
    demo = sub.add_parser("demo", help="run the main demonstration")
    demo.add_argument("--png", default="ganet_demo.png", help="where to write the decision-region plot")
    sub.add_parser("ga", help="print the paper's §3.4 geometric-algebra worked example")
    sub.add_parser("warmup", help="compile every numba kernel into the on-disk cache (make runs it)")
    args = parser.parse_args(argv)
    try:
        if args.command == "fit":
            return cmd_fit(args)
        if args.command == "predict":
            return cmd_predict(args)
        if args.command == "report":
            return cmd_report(args)
        if args.command == "warmup":
            from .warmup import warm_up

            warm_up()
            return 0
        if args.command == "ga":
            from .worked_example import section_3_4_report

            print(section_3_4_report())
            return 0
        from .demo import run

        run(png=args.png)
        return 0
    except CLIError as exc:
        print(f"ganet: error: {exc}", file=sys.stderr)
        return 1
    except BrokenPipeError:  # e.g. `ganet predict … | head`: the reader left; stop quietly
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


if __name__ == "__main__":
    sys.exit(main())
