r"""The ReLU program by ADMM, with the cone constraints split off (as CRONOS does).

With U = [v₁ … v_P, w₁ … w_P] (D × 2P), signs σ = (+1 … +1, −1 … −1), masks mⱼ and cone signs
Aⱼ = 2Dⱼ − I (each repeated for v and w), the program of :mod:`.program` is

.. math::

    \min_{U, X, S}\ \tfrac12\|C(F U - y)\|^2 + \lambda\sum_j \|\Pi x_j\|_2 + \iota_{\ge 0}(S)
    \quad\text{s.t.}\quad U = X,\ \ \mathcal A U = S,

with F U = Σⱼ σⱼ mⱼ ⊙ Z uⱼ, (𝒜U)ⱼ = Aⱼ Z uⱼ and C the centring (I − 11ᵀ/n) when a free intercept
t = mean(y − FU) is fitted, else I. Scaled ADMM (Boyd et al. 2011, §3.1.1) alternates

* the U-step, a linear system: (FᵀCF + ρ₁I + ρ₂𝒜ᵀ𝒜) U = FᵀCy + ρ₁(X − Λ₁) + ρ₂𝒜ᵀ(S − Λ₂).
  Since Aⱼ² = I, 𝒜ᵀ𝒜 acts on every column as ZᵀZ, so B = ρ₁I + ρ₂ZᵀZ is one D × D matrix, and
  by Woodbury the system needs one n × n Cholesky factor, of
  H = I + C(K ⊙ 2MMᵀ)C with K = ZB⁻¹Zᵀ (because F B⁻¹Fᵀ r = Σⱼ mⱼ ⊙ K(mⱼ ⊙ r));
* the X-step, the group soft-threshold of U + Λ₁ at λ/ρ₁ on the penalized coordinates;
* the S-step, max(0, 𝒜U + Λ₂);
* the scaled multipliers Λ₁ += U − X, Λ₂ += 𝒜U − S.

Each iteration costs a few products of Z with D × 2P or n × 2P matrices (no cone projection), so
the first iterations start after the factorization (a fraction of a second on digits).

**Other losses** ℓ (logistic, Huber, hinge, sample weights) are split off as well, with a third
constraint FU + t1 = r and the datafit's proximal map as the r-step:

.. math::

    \min_{U, t, X, S, r}\ \ell(r, y) + \lambda\sum_j \|\Pi x_j\|_2 + \iota_{\ge 0}(S)
    \quad\text{s.t.}\quad U = X,\ \ \mathcal A U = S,\ \ FU + t1 = r .

The (U, t)-step is the system above with ρ₃FᵀCF in place of FᵀCF and FᵀC(r − Λ₃) in place of
FᵀCy (t = mean(r − Λ₃ − FU) is eliminated by the centring), so H = I/ρ₃ + C(K ⊙ 2MMᵀ)C is still
one n × n factor. The r-step is r = prox_{ℓ/ρ₃}(FU + t + Λ₃) (over-relaxed like
the others), and Λ₃ += FU + t − r. (For the plain squared loss the data term stays in the U-step:
one splitting fewer.)

**The certificate comes with the iterates.** μ = max(0, −ρ₂Λ₂) are multipliers of the cone
constraints (at a solution FᵀC(FU − y) + λ∂(Σⱼ‖Πuⱼ‖) − 𝒜ᵀμ ∋ 0 with μ ≥ 0, since the
S-step leaves Λ₂ = min(0, 𝒜U + Λ₂) ≤ 0, in the normal cone of {S ≥ 0}). Any μ ≥ 0 gives a valid bound
‖Π(σⱼgⱼ + ZᵀAⱼμⱼ)‖ of group j's dual constraint, so ``_check`` prices every group with them
(and with μ = 0, and tightens the worst by cone projections), after projecting X exactly onto
the cones: the gap is that of a feasible point and a dual-feasible point, never an estimate.
"""

import numba
import numpy as np
from scipy.linalg import cho_factor, cho_solve

from ..solvers.datafits import Quadratic

__all__ = ["ReLUSplitting", "splitting_bytes"]

_RHO = 10.0  # the starting penalty (standardized digits and breast cancer: 3–30 all within 2× of it)
_ALPHA = 1.6  # over-relaxation
_BALANCE_EVERY = 50  # iterations between residual-balancing decisions (each may refactor H)
# ρ changes when one relative residual exceeds the other this many times. Boyd et al. use 10; the
# ratio stayed near 2 on digits and 1/4 on breast cancer, so 10 never fired, and after 3000
# iterations the gap was 2.4× (digits, ρ 10 → 40) and 2.7× (breast cancer, ρ 10 → 2.5) smaller at 2
_BALANCE_RATIO = 2.0


class ReLUSplitting:
    """ADMM state for one squared-loss ReLU program (see the module docstring).

    Parameters
    ----------
    program : ArrangementProgram
        A ReLU (not gated) program; its n × n Woodbury factor is formed here.
    y : ndarray (n,)
    lam : float
    datafit : datafit or None
        A datafit with a ``prox`` (:mod:`ganet.numeric.solvers.datafits`), split off as in the
        module docstring; None (or the plain squared loss) keeps ½‖C(FU − y)‖² in the U-step.
    rho : float
        The starting penalty of each constraint, ρ₁ (U = X), ρ₂ (𝒜U = S) and ρ₃ (FU + t1 = r, a
        split loss), then each balanced on its own so that the primal and dual residuals of its
        constraint stay within ``_BALANCE_RATIO`` (2×) of each other (Boyd et al. 2011, §3.4.1).
    """

    def __init__(self, program, y, lam, datafit=None, rho=_RHO):
        self.program, self.lam = program, float(lam)
        Z, M = program.Z, program.M
        n, D = Z.shape
        P = M.shape[1]
        self._centre = (lambda v: v - v.mean(axis=0)) if program.intercept else (lambda v: v)
        self.y = np.asarray(y, dtype=float)
        self.datafit = None if datafit is Quadratic else datafit
        # the loss's split: r (the scores FU + t at a solution) and its scaled multiplier Λ₃
        self.r, self.L3 = np.zeros(n), np.zeros(n)
        self.t = 0.0  # the split loss's intercept (the direct squared loss's is C's, left implicit)
        # FᵀCy, the constant part of every U-step's right-hand side (the direct squared loss)
        self._adjoint_y = self._adjoint(self._centre(self.y))
        self._gram_values, self._gram_vectors = np.linalg.eigh(Z.T @ Z)
        self._masks_gram = 2.0 * (M @ M.T)  # Σⱼ mⱼmⱼᵀ over the 2P columns of U
        self.U = np.zeros((D, 2 * P))
        self.X, self.L1 = np.zeros_like(self.U), np.zeros_like(self.U)
        self.S, self.L2 = np.zeros((n, 2 * P)), np.zeros((n, 2 * P))
        self._signed_gap = np.zeros((n, 2 * P))  # 𝒜(S − Λ₂), read by the next U-step
        self.iterations = 0
        # one-vs-rest solves one program per class from the same ρ: the first class's factor
        # serves the others (digits, n = 1797: 0.07 s of a class's 0.2 s floor under a short budget)
        key = ("splitting factor", float(rho), self.datafit is None)
        if key in program.shared:
            self.rho = self.rho2 = self.rho3 = float(rho)
            self._Binv, self._H = program.shared[key]
        else:
            self._factor(rho)
            program.shared[key] = (self._Binv, self._H)

    def _factor(self, rho, rho2=None, rho3=None):
        """B⁻¹ and the Cholesky factor of H for ρ₁ = rho, ρ₂ = rho2 and ρ₃ = rho3 (each ρ₁ when
        not given; one n × n factorization)."""
        self.rho = float(rho)
        self.rho2 = self.rho if rho2 is None else float(rho2)
        self.rho3 = self.rho if rho3 is None else float(rho3)
        E, e = self._gram_vectors, self._gram_values
        self._Binv = (E / (self.rho + self.rho2 * e)) @ E.T
        Z = self.program.Z
        H = (Z @ self._Binv @ Z.T) * self._masks_gram
        if self.program.intercept:
            H = self._centre(self._centre(H).T)
        H[np.diag_indices_from(H)] += 1.0 if self.datafit is None else 1.0 / self.rho3
        self._H = cho_factor(H, overwrite_a=True, check_finite=False)

    def _adjoint(self, r):
        """Fᵀ r: columns σⱼ Zᵀ(mⱼ ⊙ r)."""
        G = self.program.Z.T @ (self.program.M * r[:, None])
        return np.hstack([G, -G])

    def step(self):
        """One ADMM iteration (the U-step by Woodbury, then X, S, r and the multipliers)."""
        Z, pen = self.program.Z, self.program.penalized
        if self.datafit is None:
            data = self._adjoint_y
        else:
            target = self.r - self.L3
            data = self.rho3 * self._adjoint(self._centre(target))
        R = data + self.rho * (self.X - self.L1) + self.rho2 * (Z.T @ self._signed_gap)
        BR = self._Binv @ R
        w = self._centre(cho_solve(self._H, self._centre(self.program.forward(*np.hsplit(BR, 2))), check_finite=False))
        self.U = BR - self._Binv @ self._adjoint(w)
        X_old = self.X
        # over-relaxation (α = 1.6, Boyd et al. §3.4.3): on digits it reached a given objective
        # in fewer iterations than α = 1
        U = _ALPHA * self.U + (1.0 - _ALPHA) * X_old
        V = U + self.L1
        norms = np.linalg.norm(V[pen], axis=0)
        shrink = np.maximum(0.0, 1.0 - (self.lam / self.rho) / np.maximum(norms, 1e-300))
        self.X = V.copy()
        self.X[pen] *= shrink  # (an unpenalized bias coordinate is not shrunk)
        self.X[:, shrink == 0.0] = 0.0
        self.L1 += U - self.X
        # the S-step and Λ₂ in one pass over the n × 2P arrays (as numpy expressions, six
        # passes took a third of a digits iteration), with the sums residual balancing reads
        ZU = Z @ self.U
        cone = _cone_steps(ZU, self.program.S, _ALPHA, self.S, self.L2, self._signed_gap)
        loss = None if self.datafit is None else self._loss_step(ZU, target)
        self.iterations += 1
        if self.iterations % _BALANCE_EVERY == 0:
            self._balance(U, X_old, cone, loss)

    def _loss_step(self, ZU, target):
        """The r-step and Λ₃'s update (module docstring), from ZU = Z·U and the U-step's target
        r − Λ₃. Returns the r-block's parts of the squared norms :meth:`_balance` reads."""
        P = self.program.n_groups
        scores = np.einsum("ij,ij->i", self.program.M, ZU[:, :P] - ZU[:, P:])  # FU
        if self.program.intercept:
            self.t = float(np.mean(target - scores))  # the U-step's eliminated intercept
            scores += self.t
        relaxed = _ALPHA * scores + (1.0 - _ALPHA) * self.r
        r_old = self.r
        self.r = self.datafit.prox(relaxed + self.L3, self.y, 1.0 / self.rho3)
        self.L3 += relaxed - self.r
        return _sq(relaxed - self.r), _sq(self.r - r_old), _sq(self.r), _sq(self.L3)

    def _balance(self, U, X_old, cone, loss):
        """Residual balancing of ρ₁ (U = X), ρ₂ (𝒜U = S) and ρ₃ (FU + t1 = r), each on its own
        constraints: double it when their relative primal residual is 2× the dual one, halve it
        in the opposite case (their scaled multipliers are rescaled with it). ``cone`` and
        ``loss`` are the squared norms that :func:`_cone_steps` and :meth:`_loss_step` return
        (primal residual, dual residual, the split variable, the multiplier).

        One ρ for all three, balanced on their summed residuals, kept ρ₁ = ρ₂ where the separate
        balances settle at ρ₁ ≈ 30ρ₂ on digits (640 and 20 after 1,500 iterations). Separate
        penalties lowered the gap at 60 s in nine of ten runs (digits 0.070 → 0.017 under load,
        the breast cancer hinge 1.0e-3 → 2.5e-4 idle; docs/performance.md)."""
        def factor(primal, dual, norm_split, norm_multiplier):
            primal, dual = np.sqrt(primal / max(norm_split, 1e-300)), np.sqrt(dual / max(norm_multiplier, 1e-300))
            return 2.0 if primal > _BALANCE_RATIO * dual else 0.5 if dual > _BALANCE_RATIO * primal else 1.0

        f1 = factor(_sq(U - self.X), _sq(self.X - X_old), _sq(self.X), _sq(self.L1))
        f2 = factor(*cone)
        f3 = 1.0 if loss is None else factor(*loss)
        if (f1, f2, f3) != (1.0, 1.0, 1.0):
            self.L1 /= f1
            self.L2 /= f2
            self.L3 /= f3
            self._signed_gap = _signed_difference(self.program.S, self.S, self.L2)
            self._factor(self.rho * f1, self.rho2 * f2, self.rho3 * f3)

    def point(self):
        """(V, W): the sparse iterate X split into its v and w halves (not yet on the cones)."""
        P = self.program.n_groups
        return self.X[:, :P].copy(), self.X[:, P:].copy()

    def loss_multipliers(self):
        """μ = −y ⊙ ρ₃Λ₃ (None for the direct squared loss). At a solution ρ₃Λ₃ ∈ ∂ℓ(r), so the
        dual point is θ = −ρ₃Λ₃ = yμ: the hinge's certificate reads μ (for a smooth loss the
        check recomputes θ = −∇ℓ from the scores instead)."""
        return None if self.datafit is None else -self.y * self.rho3 * self.L3

    def cone_multipliers(self):
        """(μ for v, μ for w), each n × P, ≥ 0: μ = max(0, −ρ₂Λ₂)."""
        P = self.program.n_groups
        mu = np.maximum(0.0, -self.rho2 * self.L2)
        return mu[:, :P], mu[:, P:]


def splitting_bytes(n, P):
    """Bytes a :class:`ReLUSplitting` of n samples and P groups holds at its peak: three n × n
    matrices while it factors H (K, 2MMᵀ and H) and about ten n × 2P ones (S, Λ₂, the cone signs
    and an iteration's temporaries): 1.3 GB at n = 6000, P = 500."""
    return 8 * (3 * n * n + 10 * n * 2 * P)


@numba.njit(cache=True)
def _cone_steps(ZU, signs, alpha, S, L2, signed_gap):
    r"""The S-step and the multiplier update of :meth:`ReLUSplitting.step`, in place, for each
    entry of the n × 2P arrays (column c and c + P share the cone signs aᵢ of pattern c):

    .. math:: \hat s = \alpha\,a_i (ZU)_{ic} + (1-\alpha) S_{ic},\quad
              S_{ic} \leftarrow \max(0, \hat s + \Lambda_{ic}),\quad
              \Lambda_{ic} \leftarrow \Lambda_{ic} + \hat s - S_{ic},

    and the next U-step's 𝒜(S − Λ₂) entry a_i(S_{ic} − Λ_{ic}). Returns the squared norms
    residual balancing reads: ‖ŝ − S‖², ‖S − S_old‖², ‖S‖², ‖Λ₂‖²."""
    n, P = signs.shape
    primal = dual = norm_s = norm_l = 0.0
    for i in range(n):
        for c in range(2 * P):
            a = signs[i, c - P] if c >= P else signs[i, c]
            old = S[i, c]
            relaxed = alpha * a * ZU[i, c] + (1.0 - alpha) * old
            new = max(0.0, relaxed + L2[i, c])
            lam = L2[i, c] + relaxed - new
            S[i, c] = new
            L2[i, c] = lam
            signed_gap[i, c] = a * (new - lam)
            primal += (relaxed - new) ** 2
            dual += (new - old) ** 2
            norm_s += new * new
            norm_l += lam * lam
    return primal, dual, norm_s, norm_l


def _signed_difference(signs, S, L2):
    """𝒜(S − Λ₂): the cone signs of each pattern on its v and w columns."""
    return np.hstack([signs, signs]) * (S - L2)


def _sq(A):
    return float(np.vdot(A, A))

