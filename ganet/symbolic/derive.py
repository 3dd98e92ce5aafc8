r"""Exact optimal networks for small datasets: numeric support, exact KKT solve, exact verification.

For the Lasso min_{z,t} ½‖Kz + t1 − y‖² + λ‖z‖₁ over the two-layer dictionary, z is optimal iff,
with r = y − Kz − t1,

* 1ᵀr = 0 (when there is an intercept),
* K_jᵀr = λ·sign(z_j) for every active column j, and
* |K_jᵀr| ≤ λ for **every** column j of the dictionary.

:func:`derive` takes the active columns and signs σ from the numeric solver (a basic solution,
so the active columns are linearly independent), solves K_Sᵀ(y − K_S z − t1) = λσ and 1ᵀ(y −
K_S z − t1) = 0 in exact arithmetic, and checks all three conditions exactly over the full
dictionary built from exact cross products. It never returns an unverified answer.
"""

import warnings
from dataclasses import dataclass

import numpy as np
import sympy as sp
from sklearn.exceptions import ConvergenceWarning

from ..numeric.oracles.two_layer import count_hyperplanes
from .algebra import exact
from .features import family

__all__ = ["derive", "Derivation", "ExactVerificationError", "MAX_EXACT_EVALUATIONS"]

# Columns × points evaluated exactly; sympy takes tens of microseconds for each (with the KKT
# checks), so this keeps a derivation within about a minute.
MAX_EXACT_EVALUATIONS = 200_000


class ExactVerificationError(ValueError):
    """An exact KKT condition failed; the message names it and its exact value."""


def _exact_matrix(X, name):
    rows = [list(r) for r in (X.tolist() if isinstance(X, np.ndarray) else X)]
    if not rows or any(len(r) != len(rows[0]) for r in rows):
        raise ValueError(f"{name} must be a non-empty rectangular table")
    return [[exact(v, f"{name}[{i}][{j}]") for j, v in enumerate(r)] for i, r in enumerate(rows)]


def _exact_inputs(X, y, lam):
    """Exact X, y, λ > 0 (and their float copies for the numeric solve), validated."""
    Xe = _exact_matrix(X, "X")
    ye = [exact(v, f"y[{i}]") for i, v in enumerate(list(y))]
    lam_e = exact(lam, "lam")
    if not lam_e.is_positive:
        raise ValueError(f"lam must be positive; got {lam!r}")
    if len(ye) != len(Xe):
        raise ValueError(f"X has {len(Xe)} rows but y has {len(ye)} entries")
    Xf = np.array([[float(v) for v in r] for r in Xe])
    return Xe, ye, lam_e, Xf, np.array([float(v) for v in ye])


def _check_work(work, n, d, estimator):
    if work > MAX_EXACT_EVALUATIONS:
        raise ValueError(f"derive evaluates every column of the dictionary exactly at every point: "
                         f"{work:,} exact evaluations for n = {n}, d = {d}, over the limit of "
                         f"{MAX_EXACT_EVALUATIONS:,} (minutes of sympy arithmetic); use {estimator} for "
                         "a certified floating-point optimum, or fewer points")


@dataclass
class Derivation:
    """Result of :func:`derive`; every number is exact.

    Attributes
    ----------
    z : dict
        Dictionary column → exact coefficient (the active set).
    intercept : sympy expression
    objective : sympy expression
        ½‖Kz + t1 − y‖² + λ‖z‖₁, exact.
    neurons : list of dict
        Per active column: ``neuron`` (exact multivector ⋆(…), signed), ``anchor``, ``generators``,
        ``formula``, ``z``.
    network : dict
        Exact ``W1`` (d × m), ``b1`` (m), ``W2`` (m × 1), ``b2`` (1) as sympy matrices, the same keys
        as ``ConvexReLU.network()``.
    conditions : dict
        The verified KKT quantities: max |K_jᵀr| over the dictionary, 1ᵀr.
    """

    z: dict
    intercept: object
    objective: object
    neurons: list
    network: dict
    conditions: dict
    symbols: tuple
    expression: object

    def latex(self):
        """LaTeX of f(x) = Σⱼ zⱼ (±⋆((x − a) ∧ v₁ ∧ ⋯))₊/‖v₁ ∧ ⋯‖_p + t, written in coordinates."""
        return "f(x) = " + sp.latex(self.expression)


def derive(X, y, reg="l1", bias=True, lam=sp.Rational(1, 100), support=None):
    """Exact globally optimal two-layer network for a small dataset.

    Parameters
    ----------
    X : table of numbers, n × d
        ints, Fractions, sympy Rationals or decimal strings (exact); floats are taken at their
        exact binary values.
    y : sequence of n numbers
    reg : {"l1", "l2"}
        "l1" gives rational columns; "l2" exact square roots.
    bias : bool
    lam : number
        λ > 0, exact.
    support : sequence of (column, sign), optional
        Force the active set instead of taking it from the numeric solver (for testing the
        verification: a wrong support raises).

    Returns
    -------
    Derivation

    Raises
    ------
    ExactVerificationError
        If the exact KKT system is singular or any KKT condition fails, naming the condition and
        its exact value.
    """
    from ..estimators.two_layer import ConvexReLU

    Xe, ye, lam_e, Xf, yf = _exact_inputs(X, y, lam)
    n, d = len(Xe), len(Xe[0])
    _check_work(2 * count_hyperplanes(n, d, reg, bias) * n, n, d, "ConvexReLU")
    with warnings.catch_warnings():  # the exact solve and verification decide, not the float gap
        warnings.simplefilter("ignore", ConvergenceWarning)
        model = ConvexReLU(reg=reg, bias=bias, lam=float(lam_e), tol=1e-11).fit(Xf, yf)
    D = model.dictionary_
    if D.basis is not None:
        raise ValueError("derive needs full-rank data (rank(X) = d, or affine rank d with bias)")
    if support is None:
        support = _numeric_basic_support(D, model, yf, bias)
    fam = family(D.p, bias)
    columns = []
    for j in range(D.n_columns):
        h = D.describe(j)
        columns.append(fam.column(Xe, h.anchor, h.generators, h.sign))
    K = [[col(Xe[i]) for col in columns] for i in range(n)]
    S, sigma, z, t, r, conditions = _certified_kkt(K, ye, support, lam_e, bias,
                                                   lambda j: columns[j].formula)
    objective = sp.simplify(sp.Rational(1, 2) * sum(v ** 2 for v in r) + lam_e * sum(sp.Abs(v) for v in z))
    xs = sp.symbols(f"x_1:{d + 1}", real=True)
    expression = sum(zj * columns[j](xs) for j, zj in zip(S, z)) + t
    neurons, W1, b1, W2 = [], [], [], []
    for j, zj in zip(S, z):
        col = columns[j]
        u = [sp.sqrt(sp.Abs(zj)) * col.sign * wi / col.norm for wi in col.w.vector_coefficients()]
        W1.append(u)
        b1.append(-sum(ai * ui for ai, ui in zip(col.anchor_point, u)))
        W2.append([sp.sign(zj) * sp.sqrt(sp.Abs(zj))])
        neurons.append(dict(neuron=col.neuron, anchor=col.anchor, generators=col.generators,
                            formula=col.formula, z=zj, column=j, feature=col))
    network = {"W1": sp.Matrix(W1).T if W1 else sp.zeros(d, 0), "b1": sp.Matrix(b1) if b1 else sp.zeros(0, 1),
               "W2": sp.Matrix(W2) if W2 else sp.zeros(0, 1), "b2": sp.Matrix([t])}
    return Derivation(z=dict(zip(S, z)), intercept=t, objective=objective, neurons=neurons,
                      network=network, conditions=conditions,
                      symbols=xs, expression=expression)


def _certified_kkt(K, ye, support, lam_e, bias, formula):
    """Solve the KKT system exactly on the support and verify every condition over all columns.

    Returns (S, σ, z, t, r, conditions); raises :class:`ExactVerificationError` naming the
    first condition that fails (``formula(j)`` describes column j in the message).
    """
    n = len(K)
    Y = sp.Matrix(ye)
    ones = sp.ones(n, 1)
    while True:  # exact zeros on the numeric support (degenerate optima) leave it; then re-solve
        S = [j for j, _ in support]
        sigma = [s for _, s in support]
        z, t, KS = _solve_kkt(K, Y, S, sigma, lam_e, bias)
        zero = [k for k, v in enumerate(z) if v == 0]
        if not zero:
            break
        support = [js for k, js in enumerate(support) if k not in zero]
    r = (Y - KS * sp.Matrix(len(z), 1, z) - t * ones).applyfunc(sp.simplify)
    for j, s, zj in zip(S, sigma, z):
        if sp.sign(zj) != s:
            raise ExactVerificationError(f"sign condition fails for column {j}: z = {zj}, expected "
                                         f"sign {s:+d}")
    sum_r = sp.simplify(sum(r))
    if bias and sum_r != 0:
        raise ExactVerificationError(f"intercept condition 1ᵀr = 0 fails: 1ᵀr = {sum_r}")
    worst, worst_j = sp.S.Zero, None
    for j in range(len(K[0]) if n else 0):
        corr = sp.simplify(sum(K[i][j] * r[i] for i in range(n)))
        if j in S:
            expected = lam_e * sigma[S.index(j)]
            if sp.simplify(corr - expected) != 0:
                raise ExactVerificationError(f"stationarity fails for active column {j}: "
                                             f"K_jᵀr = {corr}, expected {expected}")
        elif sp.simplify(sp.Abs(corr) - lam_e).is_positive:
            raise ExactVerificationError(f"dual feasibility |K_jᵀr| ≤ λ fails for column {j} "
                                         f"({formula(j)}): |K_jᵀr| = {sp.Abs(corr)} > λ = {lam_e}")
        if worst_j is None or (sp.Abs(corr) - worst).is_positive:
            worst, worst_j = sp.Abs(corr), j
    return S, sigma, z, t, r, {"max_abs_correlation": worst, "argmax": worst_j, "sum_residual": sum_r}


def _numeric_basic_support(D, model, y, bias):
    """Active columns and signs of a basic optimal solution (independent active columns)."""
    from ..numeric.solvers.basic_solution import basic_solution

    K = D.materialize(model.columns_)
    if bias:
        K = K - K.mean(axis=0)
    z = basic_solution(K, model.coef_[:, 0])
    return [(int(j), int(np.sign(v))) for j, v in zip(model.columns_, z) if v != 0]


def _solve_kkt(K, Y, S, sigma, lam, bias):
    """Solve K_Sᵀ(y − K_S z − t1) = λσ and 1ᵀ(y − K_S z − t1) = 0 exactly."""
    n = len(K)
    KS = sp.Matrix([[K[i][j] for j in S] for i in range(n)]) if S else sp.zeros(n, 0)
    A = KS.row_join(sp.ones(n, 1)) if bias else KS
    b = A.T * Y - sp.Matrix([lam * s for s in sigma] + ([0] if bias else []))
    M = A.T * A
    if M.shape[0] and M.det() == 0:
        raise ExactVerificationError(f"the KKT system of the support {S} is singular (its active "
                                     "columns are linearly dependent together with the intercept)")
    sol = M.LUsolve(b) if M.shape[0] else sp.zeros(0, 1)
    z = [sp.simplify(v) for v in sol[:len(S)]]
    t = sp.simplify(sol[len(S)]) if bias else sp.S.Zero
    return z, t, KS
