"""Independent reference programs for the tests (no ganet code): the Pilanci–Ergen convex program
of a two-layer ReLU network over all sign patterns of its hyperplane arrangement, and the Lasso
on an explicit matrix, both solved by cvxpy + Clarabel at tight tolerance."""

from itertools import combinations

import cvxpy as cp
import numpy as np

TIGHT = dict(solver="CLARABEL", tol_gap_abs=1e-12, tol_gap_rel=1e-12, tol_feas=1e-12)


def sign_patterns(A, seed=0):
    """All activation patterns 1[A h > 0] of the central arrangement with normals = rows of A.

    Every cell of an essential arrangement has an extreme ray: the null vector of d − 1 rows.
    Perturbing ± each such ray in random directions reaches every cell around it; random global
    directions are added for good measure.
    """
    rng = np.random.default_rng(seed)
    n, d = A.shape
    dirs = [rng.normal(size=(20000, d))]
    for rows in combinations(range(n), d - 1):
        if d == 1:
            h0 = np.ones(1)
        else:
            _, s, Vt = np.linalg.svd(A[list(rows)])
            h0 = Vt[-1]
        g = rng.normal(size=(16 * 2 ** d, d))
        g *= 1e-4 / np.linalg.norm(g, axis=1, keepdims=True)
        dirs += [h0 + g, -h0 + g]
    H = np.vstack(dirs)
    P = (A @ H.T > 0).T
    return np.unique(P[P.any(axis=1)], axis=0).astype(float)


def pilanci_ergen(X, y, lam, p, bias):
    """min ½‖Σ_D D X̃(v_D − w_D) + t1 − y‖² + λ Σ_D (‖v_D‖_p + ‖w_D‖_p)
    s.t. (2D − I) X̃ v_D ≥ 0 and (2D − I) X̃ w_D ≥ 0 for every sign pattern D,

    with X̃ = [X, 1] and an unpenalized bias entry when ``bias`` (then also the intercept t).
    """
    n, d = X.shape
    A = np.hstack([X, np.ones((n, 1))]) if bias else X
    pred, pen, cons = 0, 0, []
    for D in sign_patterns(A):
        for sgn in (1.0, -1.0):
            v = cp.Variable(A.shape[1])
            Av = A @ v
            cons.append(cp.multiply(2 * D - 1, Av) >= 0)
            pred = pred + sgn * cp.multiply(D, Av)
            pen = pen + cp.norm(v[:d], p)
    t = cp.Variable() if bias else 0.0
    prob = cp.Problem(cp.Minimize(0.5 * cp.sum_squares(pred + t - y) + lam * pen), cons)
    prob.solve(**TIGHT)
    return prob.value


def lasso_reference(K, y, lam, intercept):
    z = cp.Variable(K.shape[1])
    t = cp.Variable() if intercept else 0.0
    prob = cp.Problem(cp.Minimize(0.5 * cp.sum_squares(K @ z + t - y) + lam * cp.norm1(z)))
    prob.solve(**TIGHT)
    return prob.value


def group_lasso_reference(K, Y, lam, intercept):
    Z = cp.Variable((K.shape[1], Y.shape[1]))
    t = cp.Variable((1, Y.shape[1])) if intercept else np.zeros((1, Y.shape[1]))
    obj = 0.5 * cp.sum_squares(K @ Z + np.ones((len(Y), 1)) @ t - Y) + lam * cp.sum(cp.norm(Z, 2, axis=1))
    prob = cp.Problem(cp.Minimize(obj))
    prob.solve(**TIGHT)
    return prob.value
