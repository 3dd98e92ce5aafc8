r"""Semismooth Newton augmented Lagrangian (SSNAL) for the group Lasso on a materialized block.

Solves, for A ∈ ℝ^{n×m}, Y ∈ ℝ^{n×c} and groups of ``group_size`` consecutive rows of X,

.. math::  \min_X\; \tfrac12\|AX - Y\|_F^2 + \lambda \sum_j \|X_{G_j}\|_F ,

(group size 1 and c = 1: the Lasso; group size 1, c outputs: Theorem 14's vector-output penalty;
group size d: the gated-ReLU program). Following Li, Sun & Toh (SIAM J. Optim. 2018), the
augmented Lagrangian of the dual  max −½‖U‖² − ⟨U, Y⟩ s.t. ‖A_{G_j}ᵀU‖_F ≤ λ  is minimized over U
for a fixed multiplier X by a semismooth Newton method on

.. math::  \psi(U) = \tfrac12\|U\|^2 + \langle U, Y\rangle
           + \tfrac1{2\sigma}\|\operatorname{prox}_{\sigma p}(X - \sigma A^\top U)\|^2 ,
           \qquad \nabla\psi(U) = U + Y - A\,\operatorname{prox}_{\sigma p}(X - \sigma A^\top U),

then X ← prox_{σp}(X − σAᵀU) (p = λΣ‖·‖_F, prox the group soft-threshold). The generalized
Hessian is I + σ Σ_{active j} A_j J_j A_jᵀ with J_j = (1 − σλ/‖W_j‖) I + σλ W_j W_jᵀ/‖W_j‖³ on the
groups the prox keeps (W = X − σAᵀU), so each Newton system has the size n·c of the residual, not
the number of columns: the method is made for n ≪ m and for the coherent, nearly interpolating
ReLU dictionaries where coordinate descent stalls. The iteration stops on the duality gap of the
block problem, never on an iteration count alone.
"""

import time

import numpy as np
import scipy.linalg

__all__ = ["group_lasso_ssnal", "group_lasso_gap"]


def _group_norms(X, g):
    """‖X_{G_j}‖_F of the groups of g consecutive rows."""
    return np.sqrt(np.sum(X.reshape(-1, g * X.shape[1]) ** 2, axis=1))


def _prox(W, t, g):
    """Group soft-threshold: each group scaled by max(0, 1 − t/‖W_G‖_F); also returns the norms."""
    norms = _group_norms(W, g)
    shrink = np.maximum(0.0, 1.0 - t / np.maximum(norms, 1e-300))
    return (W.reshape(-1, g * W.shape[1]) * shrink[:, None]).reshape(W.shape), norms


def group_lasso_gap(A, Y, X, lam, g=1, theta=None):
    """Primal value, dual value and gap of the group Lasso on the block A at X.

    The dual point is the residual R = Y − AX (or ``theta``, another estimate of it, when that
    gives the larger dual value) scaled to feasibility, Θ = R / max(1, maxⱼ‖A_jᵀR‖/λ):
    gap = P − (⟨Θ, Y⟩ − ½‖Θ‖²) ≥ P − P*.
    """
    R = Y - A @ X
    P = 0.5 * float(np.sum(R * R)) + lam * float(_group_norms(X, g).sum())
    D = -np.inf
    for T in (R,) if theta is None else (R, theta):
        s = max(1.0, float(_group_norms(A.T @ T, g).max(initial=0.0)) / lam)
        D = max(D, float(np.sum(T * Y)) / s - 0.5 * float(np.sum(T * T)) / s ** 2)
    return P, D, P - D


def _newton_solver(A, W, norms, sigma, lam, g, c, active):
    """A solver for H Δ = r with H[Δ] = Δ + σ Σ_{j active} A_j J_j A_jᵀ Δ (Δ ∈ ℝ^{n×c}).

    With J_j = a_j I + b_j vec(W_j)vec(W_j)ᵀ, H = I_c ⊗ M + V Vᵀ where
    M = I + σ A_S diag(a) A_Sᵀ (n × n, one Cholesky factorization for every output) and
    V = [√(σb_j) vec(A_j W_j)] (n·c × |S|). When |S| < n·c, by Woodbury only M and an |S| × |S|
    capacitance matrix are factorized, never the n·c × n·c matrix H (which is factorized directly
    otherwise). For one output and groups of one column, a_j + b_j W_j² = 1 and
    H = I + σ A_S A_Sᵀ = M.
    """
    n = A.shape[0]
    cols = (active[:, None] * g + np.arange(g)).ravel()
    As = A[:, cols]
    if c == 1 and g == 1:
        a = np.ones(len(active))
        V = None
    else:
        a = 1.0 - sigma * lam / norms[active]
        Ws = W.reshape(-1, g, c)[active]  # (|S|, g, c)
        # the rank-one parts of J_j, scaled by √(σ b_j): H = I_c ⊗ M + V Vᵀ
        V = np.einsum("nsk,skc->scn", As.reshape(n, -1, g), Ws).reshape(len(a), n * c).T
        V *= np.sqrt(sigma * sigma * lam / norms[active] ** 3)
    M = (As * (sigma * np.repeat(a, g))) @ As.T
    M[np.diag_indices_from(M)] += 1.0
    if V is not None and n * c <= V.shape[1]:  # more groups than residual entries: factor H itself
        H = np.kron(np.eye(c), M) if c > 1 else M
        H += V @ V.T
        factor = scipy.linalg.cho_factor(H, check_finite=False)
        return lambda r: scipy.linalg.cho_solve(factor, r.reshape(-1, order="F"),
                                                check_finite=False).reshape(n, c, order="F")
    factor = scipy.linalg.cho_factor(M, check_finite=False)

    def solve_b(R):  # (I_c ⊗ M)⁻¹ on a vec in column-major order, or on an n × k block
        return scipy.linalg.cho_solve(factor, R.reshape(n, -1, order="F"), check_finite=False)

    if V is None:
        return lambda r: solve_b(r)
    BinvV = solve_b(V).reshape(n * c, -1, order="F")
    capacitance = V.T @ BinvV  # I + Vᵀ(I_c ⊗ M)⁻¹V: eigenvalues ≥ 1, so Cholesky is safe
    capacitance[np.diag_indices_from(capacitance)] += 1.0
    cap_factor = scipy.linalg.cho_factor(capacitance, check_finite=False)

    def solve(r):
        x = solve_b(r).reshape(n * c, order="F")
        corr = scipy.linalg.cho_solve(cap_factor, V.T @ x, check_finite=False)
        return (x - BinvV @ corr).reshape(n, c, order="F")

    return solve


def group_lasso_ssnal(A, Y, lam, X0=None, tol=1e-10, group_size=1, max_outer=200, deadline=None):
    """Minimize ½‖AX − Y‖² + λΣⱼ‖X_{G_j}‖_F by SSNAL to a duality gap ≤ tol (absolute).

    Parameters
    ----------
    A : ndarray, shape (n, m)
        The block (m a multiple of ``group_size``).
    Y : ndarray, shape (n, c)
    lam : float
    X0 : ndarray, shape (m, c), optional
        Warm start.
    tol : float
        Absolute duality-gap target.
    deadline : float, optional
        ``time.perf_counter()`` value after which the best iterate so far is returned.

    Returns
    -------
    X : ndarray, shape (m, c)
        The iterate with the smallest gap.
    gap : float
    """
    n, m = A.shape
    c = Y.shape[1]
    g = int(group_size)
    if m % g:
        raise ValueError(f"the number of columns {m} is not a multiple of group_size {g}")
    X = np.zeros((m, c)) if X0 is None else np.array(X0, dtype=float).reshape(m, c)
    if m == 0:
        return X, group_lasso_gap(A, Y, X, lam, g)[2]
    # U is the negated residual at the optimum: U* = AX* − Y
    U = A @ X - Y
    col_norm2 = float(np.max(np.sum(A * A, axis=0)))
    sigma = 1.0 / max(col_norm2, 1e-300)
    best = (np.inf, X.copy())
    for _ in range(max_outer):
        P, D, gap = group_lasso_gap(A, Y, X, lam, g, theta=-U)
        if gap < best[0]:
            best = (gap, X.copy())
        if gap <= tol or (deadline is not None and time.perf_counter() > deadline):
            break
        # inner semismooth Newton on ψ(U): the multiplier update X ← prox(X − σAᵀU) amplifies the
        # error in U by about √σ‖A‖, so the accuracy asked for shrinks with σ (Li–Sun–Toh's (A))
        inner_tol = 0.1 * min(1.0, max(gap, 0.0)) / np.sqrt(max(1.0, sigma * col_norm2))
        for _ in range(50):
            W = X - sigma * (A.T @ U)
            PX, norms = _prox(W, sigma * lam, g)
            grad = U + Y - A @ PX
            gnorm = float(np.sqrt(np.sum(grad * grad)))
            if gnorm <= inner_tol or (deadline is not None and time.perf_counter() > deadline):
                break  # (the budget: one Newton step at most past it, not fifty)
            active = np.flatnonzero(norms > sigma * lam)
            if active.size == 0:
                step = -grad
            else:
                try:
                    step = _newton_solver(A, W, norms, sigma, lam, g, c, active)(-grad)
                except np.linalg.LinAlgError:  # M is I + a PSD matrix: only rounding gets here
                    step = -grad
            # backtracking: Armijo on ψ, or a decrease of ‖∇ψ‖ (near the solution the changes of
            # ψ fall below the rounding of its terms ‖prox‖²/2σ, while ∇ψ stays accurate)
            psi0 = _psi(U, Y, PX, sigma)
            slope = float(np.sum(grad * step))
            t = 1.0
            for _ in range(30):
                Un = U + t * step
                PXn, _ = _prox(X - sigma * (A.T @ Un), sigma * lam, g)
                if _psi(Un, Y, PXn, sigma) <= psi0 + 1e-4 * t * slope:
                    break
                gn = Un + Y - A @ PXn
                if float(np.sqrt(np.sum(gn * gn))) <= (1.0 - 1e-4 * t) * gnorm:
                    break
                t *= 0.5
            U = Un
        X, _ = _prox(X - sigma * (A.T @ U), sigma * lam, g)
        sigma = min(sigma * 3.0, 1e10 / max(col_norm2, 1e-300))
    P, D, gap = group_lasso_gap(A, Y, X, lam, g)
    if gap < best[0]:
        best = (gap, X)
    return best[1], best[0]


def _psi(U, Y, PX, sigma):
    """ψ(U) up to the constant −‖X‖²/(2σ)."""
    return 0.5 * float(np.sum(U * U)) + float(np.sum(U * Y)) + float(np.sum(PX * PX)) / (2.0 * sigma)
