"""Independent reference programs for the tests (no ganet code): the Pilanci–Ergen convex program
of a two-layer ReLU network over all sign patterns of its hyperplane arrangement, and the Lasso
on an explicit matrix, both solved by cvxpy + Clarabel at tight tolerance."""

from fractions import Fraction
from itertools import combinations, product

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


def pilanci_ergen(X, y, lam, p, bias, weights=None):
    """min ½‖Σ_D D X̃(v_D − w_D) + t1 − y‖² + λ Σ_D (‖v_D‖_p + ‖w_D‖_p)
    s.t. (2D − I) X̃ v_D ≥ 0 and (2D − I) X̃ w_D ≥ 0 for every sign pattern D,

    with X̃ = [X, 1] and an unpenalized bias entry when ``bias`` (then also the intercept t);
    with ``weights`` c the loss is ½Σᵢ cᵢ(fᵢ − yᵢ)².
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
    root = 1.0 if weights is None else np.sqrt(np.asarray(weights, dtype=float))
    prob = cp.Problem(cp.Minimize(0.5 * cp.sum_squares(cp.multiply(root, pred + t - y)) + lam * pen), cons)
    prob.solve(**TIGHT)
    return prob.value


def lasso_reference(K, y, lam, intercept):
    """min ½‖Kz + t − y‖² + λ‖z‖₁ by Clarabel, over unit-norm columns (z'ⱼ = ‖Kⱼ‖zⱼ with weights
    λ/‖Kⱼ‖: the same problem, better scaled for an interior point). A target with max|yᵢ| = s < 1
    is solved as y/s, λ/s (the optimum is s² times that one's): TIGHT's absolute gap tolerance
    1e-12 is loose relative to a tiny problem (y ~ 5·10⁻⁴ with an optimum of 1.8·10⁻⁷, found by
    the fuzz test in test_reliability.py, came back 7·10⁻⁷ above ganet's objective unscaled and
    within 3·10⁻¹⁴ of it scaled). None if Clarabel fails, or reports an inaccurate solution whose
    own duality gap exceeds 10⁻⁷ of its value."""
    norms = np.linalg.norm(K, axis=0)
    keep = norms > 0
    K, norms = K[:, keep] / norms[keep], norms[keep]
    s = min(float(np.abs(y).max()), 1.0) or 1.0
    z = cp.Variable(K.shape[1])
    t = cp.Variable() if intercept else 0.0
    prob = cp.Problem(cp.Minimize(0.5 * cp.sum_squares(K @ z + t - y / s)
                                  + (lam / s) * cp.norm1(cp.multiply(1 / norms, z))))
    try:
        prob.solve(**TIGHT)
    except cp.error.SolverError:
        return None
    if prob.status == cp.OPTIMAL_INACCURATE:
        # Clarabel (0.11.1 here) stops "inaccurate" on some small degenerate dictionaries at
        # TIGHT's tolerances (test_sweep's 24 Gaussian points, p = 2 with bias, 1,099 columns:
        # its value 1.8e-8 above ganet's, at 1e-12 and at 1e-9 alike). Its point is then used only
        # with the gap of its own residual, computed here: a value certified to 1e-7 relative
        residual = y / s - K @ z.value - (float(t.value) if intercept else 0.0)
        value = 0.5 * float(residual @ residual) + (lam / s) * float(np.sum(np.abs(z.value) / norms))
        gap = independent_gap(K * norms, y / s, lam / s, residual, value, intercept)
        return value * s * s if gap <= 1e-7 * value else None
    return prob.value * s * s if prob.status == cp.OPTIMAL else None


def group_lasso_reference(K, Y, lam, intercept):
    Z = cp.Variable((K.shape[1], Y.shape[1]))
    t = cp.Variable((1, Y.shape[1])) if intercept else np.zeros((1, Y.shape[1]))
    obj = 0.5 * cp.sum_squares(K @ Z + np.ones((len(Y), 1)) @ t - Y) + lam * cp.sum(cp.norm(Z, 2, axis=1))
    prob = cp.Problem(cp.Minimize(obj))
    prob.solve(**TIGHT)
    return prob.value


def _exact_det(M):
    """Determinant of a square list of lists of Fractions (Gaussian elimination)."""
    M = [row[:] for row in M]
    det = Fraction(1)
    for c in range(len(M)):
        p = next((r for r in range(c, len(M)) if M[r][c] != 0), None)
        if p is None:
            return Fraction(0)
        if p != c:
            M[c], M[p] = M[p], M[c]
            det = -det
        det *= M[c][c]
        for r in range(c + 1, len(M)):
            f = M[r][c] / M[c][c]
            M[r] = [a - f * b for a, b in zip(M[r], M[c])]
    return det


def exact_dictionary(X, p, bias):
    """Every non-zero column of the two-layer dictionary, enumerated independently of ganet.

    Anchors (the origin, or each point), every (d − 1)-subset of the generators ({xᵢ − a}, plus
    the axes for p = 1), the normal w = cofactors of the generator matrix in exact rational
    arithmetic on the float values of X, both signs; columns (±(X − 1aᵀ)w)₊/‖w‖_p in float64.
    For p = 2 and (affinely) rank-deficient X, the data are first reduced by an SVD (Lemma 23).
    """
    X = np.asarray(X, dtype=float)
    if p == 2:
        Xc = X - X.mean(axis=0) if bias else X
        _, s, Vt = np.linalg.svd(Xc, full_matrices=False)
        r = int(np.sum(s > 1e-10 * max(s[0], 1e-300))) if s.size else 0
        if r < X.shape[1]:
            X = Xc @ Vt[:r].T
    n, d = X.shape
    if d == 0:
        return np.zeros((n, 0))
    F = [[Fraction(float(v)) for v in row] for row in X]
    axes = [[Fraction(int(i == j)) for j in range(d)] for i in range(d)] if p == 1 else []
    columns = []
    for a in (range(n) if bias else [None]):
        base = F[a] if bias else [Fraction(0)] * d
        gens = [[u - v for u, v in zip(F[i], base)] for i in range(n) if i != a] if bias else F
        for S in combinations(gens + axes, d - 1):
            w = [(-1) ** q * _exact_det([[row[j] for j in range(d) if j != q] for row in S])
                 for q in range(d)] if d > 1 else [Fraction(1)]
            if all(c == 0 for c in w):
                continue
            wf = np.array([float(c) for c in w])
            wf /= np.abs(wf).sum() if p == 1 else np.linalg.norm(wf)
            z = (X - (X[a] if bias else 0.0)) @ wf
            columns += [np.maximum(z, 0.0), np.maximum(-z, 0.0)]
    return np.array(columns).T if columns else np.zeros((n, 0))


def independent_gap(K, y, lam, residual, objective, intercept):
    """The certificate of a solution with this residual and objective over the columns K:
    θ = r/s, s = max(1, ‖Kᵀr‖∞/λ), gap = objective − (⟨θ, y_c⟩ − ½‖θ‖²)."""
    r = residual - residual.mean() if intercept else residual
    yc = y - y.mean() if intercept else y
    s = max(1.0, float(np.abs(K.T @ r).max(initial=0.0)) / lam)
    theta = r / s
    return objective - (float(theta @ yc) - 0.5 * float(theta @ theta))


def _solve_exact(rows, rhs):
    """The unique solution of a square Fraction system, or None if it is singular."""
    k = len(rows)
    M = [list(r) + [b] for r, b in zip(rows, rhs)]
    for c in range(k):
        p = next((r for r in range(c, k) if M[r][c] != 0), None)
        if p is None:
            return None
        M[c], M[p] = M[p], M[c]
        for r in range(k):
            if r != c and M[r][c] != 0:
                f = M[r][c] / M[c][c]
                M[r] = [a - f * b for a, b in zip(M[r], M[c])]
    return tuple(M[r][k] / M[r][r] for r in range(k))


def deep_abs_1d_dictionary(x, depth):
    """Every candidate feature |…||x − c| − δ₂| … − δ_{L−1}| of the depth-L narrow |·| network in 1-D.

    Written without ganet. ‖w‖₁ = 1 in 1-D means w = ±1, and |·| is even, so w = 1. The dual
    objective Σₖ vₖ f(xₖ; π) is piecewise linear in π = (c, δ₂, …) on the arrangement of the
    conditions "a layer's pre-activation vanishes at a point": a₁ = xₖ − c and
    a_l = s·a_{l−1} − δ_l for every sign s of the previous layer's argument, i.e. the affine
    forms xₖ − c − Σ ±δ. Every vertex of the arrangement solves L − 1 of these equations;
    solving every (L − 1)-subset exactly gives a superset of the vertices, where the maximum of
    |vᵀf| is attained (on the unbounded cells too, since 1ᵀv = 0 and the features at infinity are
    those of smaller depth, already vertices). Returns (K, params) with K of shape n × candidates.
    """
    xs = [Fraction(float(v)) for v in np.ravel(x)]
    q = depth - 1
    forms = []  # (coefficients of (c, δ₂, …), constant): the form is const + coeffs·π
    for xk in xs:
        for layer in range(1, depth):
            for signs in product((1, -1), repeat=layer - 1):
                coeffs = [Fraction(-1)] + [Fraction(0)] * (q - 1)
                const = xk
                for l, s in enumerate(signs, start=1):  # a_{l+1} = s·a_l − δ_{l+1}
                    coeffs = [s * c for c in coeffs]
                    const = s * const
                    coeffs[l] -= 1
                forms.append((tuple(coeffs), const))
    forms = sorted(set(forms))
    params = set()
    for chosen in combinations(forms, q):
        p = _solve_exact([f[0] for f in chosen], [-f[1] for f in chosen])
        if p is not None:
            params.add(p)
    params = sorted(params)
    X = np.array([float(v) for v in xs])
    K = np.empty((len(X), len(params)))
    for j, p in enumerate(params):
        h = np.abs(X - float(p[0]))
        for delta in p[1:]:
            h = np.abs(h - float(delta))
        K[:, j] = h
    return K, params


def _null_vector(rows):
    """A nonzero rational null vector of a k × (k + 1) Fraction matrix of rank k, else None."""
    k, m = len(rows), len(rows[0])
    M = [list(r) for r in rows]
    pivots, r = [], 0
    for c in range(m):
        p = next((i for i in range(r, k) if M[i][c] != 0), None)
        if p is None:
            continue
        M[r], M[p] = M[p], M[r]
        M[r] = [a / M[r][c] for a in M[r]]
        for i in range(k):
            if i != r and M[i][c] != 0:
                M[i] = [a - M[i][c] * b for a, b in zip(M[i], M[r])]
        pivots.append(c)
        r += 1
    if r < m - 1:
        return None
    free = next(c for c in range(m) if c not in pivots)
    v = [Fraction(0)] * m
    v[free] = Fraction(1)
    for i, c in enumerate(pivots):
        v[c] = -M[i][free]
    return v


def relu3_dictionary(X, bias=False):
    """Every vertex feature of the three-layer ReLU family (h − τ)₊, (τ − h)₊ with
    h = (xᵀw + b)₊ (b = 0 without ``bias``) and ‖w‖₁ = 1, written without ganet.

    A kink is a linear condition on (w, [b,] τ): xᵢᵀw + b = 0 (the first ReLU), xᵢᵀw + b − τ = 0
    (the second), w_k = 0 (a face of the ℓ₁ ball) or τ = 0. Every subset of one fewer conditions
    than unknowns is solved exactly in rationals on the float values of X (no tolerance
    anywhere), each nonzero direction w taken with both signs. Returns K (n × columns)."""
    X = np.asarray(X, dtype=float)
    n, d = X.shape
    one = [Fraction(1)] if bias else []
    xs = [[Fraction(float(v)) for v in row] for row in X]
    conds = [row + one + [Fraction(0)] for row in xs] + [row + one + [Fraction(-1)] for row in xs]
    size = d + 1 + bias
    conds += [[Fraction(int(j == k)) for j in range(size)] for k in list(range(d)) + [size - 1]]
    seen, cols = set(), []
    for chosen in combinations(range(len(conds)), size - 1):
        v = _null_vector([conds[i] for i in chosen])
        if v is None:
            continue
        norm = sum(abs(c) for c in v[:d])
        if norm == 0:
            continue
        for s in (1, -1):
            u = tuple(s * c / norm for c in v)
            if u in seen:
                continue
            seen.add(u)
            offset, tau = (u[d] if bias else 0), u[-1]
            # h − τ at each point exactly: h = max(xᵢᵀw + b, 0) in rationals
            h_minus = [max(sum(a * c for a, c in zip(row, u[:d])) + offset, Fraction(0)) - tau for row in xs]
            cols.append([float(max(t, 0)) for t in h_minus])
            cols.append([float(max(-t, 0)) for t in h_minus])
    return np.array(cols).T


def min_norm_lp(K, y):
    """min ‖z‖₁ s.t. Kz + t1 = y by HiGHS on the explicit matrix (t free)."""
    from scipy.optimize import linprog

    n, m = K.shape
    A = np.hstack([K, -K, np.ones((n, 1)), -np.ones((n, 1))])
    res = linprog(np.r_[np.ones(2 * m), 0.0, 0.0], A_eq=A, b_eq=y, bounds=[(0, None)] * (2 * m + 2),
                  method="highs")
    assert res.status == 0
    return res.fun
