r"""Datafits ℓ(q, y) with their Fenchel duals, as skglm splits datafit from penalty.

For the problem min_{z,t} ℓ(Kz + t1, y) + λ‖z‖₁ every θ with ‖Kᵀθ‖∞ ≤ λ (and 1ᵀθ = 0 with an
intercept) gives the lower bound D(θ) = −Σᵢ ℓᵢ*(−θᵢ). From any θ in the domain of ℓ*, the point
θ/s with s = max(1, ‖Kᵀθ‖∞/λ) is feasible, so

.. math::  \mathrm{gap} = \ell(Kz + t1, y) + \lambda\|z\|_1 - D(\theta/s) \ \ge\ P - P^\star .

Each datafit gives its value, the natural dual point θ = −∇ℓ(q) (or, given the solver's
multipliers, yᵢμᵢ for the hinge; the smooth datafits ignore them), D(θ), and a centering that makes 1ᵀθ = 0 while keeping θ in the domain.

======== ======================= ==================== =========================================
datafit  ℓ(q, y)                  θ (dual point)       D(θ) = −Σ ℓᵢ*(−θᵢ), its domain
======== ======================= ==================== =========================================
squared  ½‖q − y‖²                y − q                ⟨θ, y⟩ − ½‖θ‖²
logistic Σ log(1 + e^{−yᵢqᵢ})     yᵢ σ(−yᵢqᵢ)          Σ H(yᵢθᵢ), H the binary entropy; yθ ∈ [0, 1]
hinge    Σ max(0, 1 − yᵢqᵢ)       yᵢ μᵢ                Σ yᵢθᵢ; yθ ∈ [0, 1]
huber    Σ h_δ(qᵢ − yᵢ)           clip(y − q, −δ, δ)   ⟨θ, y⟩ − ½‖θ‖²; |θᵢ| ≤ δ
interp.  0 if q = y, else +∞      the LP's duals ν     ⟨θ, y⟩ (λ = 1: minimum-norm interpolation)
======== ======================= ==================== =========================================

h_δ(r) = ½r² for |r| ≤ δ, δ|r| − ½δ² beyond (robust regression: quadratic near the fit, linear
for outliers). The smooth datafits (squared, logistic, huber) also give their curvature bound,
the Hessian weights of their second-order model, and the best intercept, which is all the
proximal Newton working-set solver and the arrangement solver need.

Each datafit declares what a solver needs to know of it, so that no solver names a loss:

* ``smooth``: True when the solvers above apply; the hinge (False) is piecewise linear and is
  solved as a linear program, whose own intercept and multipliers give the dual point;
* ``labels``: True when y must be ±1 labels (logistic, hinge);
* ``conic(q, y)``: the per-sample terms as a cvxpy expression of the affine expression q, with
  the constraints that define them (the hinge's slacks ξ ≥ 1 − y ⊙ q; their multipliers are its
  dual point), for the exact conic subproblems of the arrangement solver and for references;
* ``prox(v, y, tau)``: argmin_r ℓ(r, y) + ‖r − v‖²/(2τ), per sample, for splitting methods
  (the ADMM of the ReLU arrangement program).

**Sample weights** cᵢ ≥ 0 (:func:`weighted`) scale the terms: ℓ_c(q) = Σ cᵢℓᵢ(qᵢ), whose conjugate
terms are cᵢℓᵢ*(θᵢ/cᵢ). So θ = c ⊙ (the unweighted θ), the domains become yθ ∈ [0, cᵢ] (logistic,
hinge), D(θ) = Σ cᵢH(yᵢθᵢ/cᵢ) (logistic) and Σ yᵢθᵢ (hinge), and a term with cᵢ = 0 has θᵢ = 0.
"""

import numba
import numpy as np
from scipy.optimize import brentq
from scipy.special import expit, xlogy

__all__ = ["Quadratic", "Logistic", "Hinge", "Huber", "Interpolation", "Weighted", "weighted", "restricted", "sample_weights",
           "make_datafit", "DATAFITS", "fenchel_gap"]


class _Sums:
    """value and dual_value as the sums of a (class-level) datafit's per-sample terms."""

    @classmethod
    def value(cls, q, y):
        return float(np.sum(cls.terms(q, y)))

    @classmethod
    def dual_value(cls, theta, y):
        return float(np.sum(cls.dual_terms(theta, y)))


class Quadratic(_Sums):
    """½‖q − y‖²."""

    name = "squared"
    smooth, labels = True, False

    @staticmethod
    def probability(f):
        """P(y = +1) read off a ±1 score: clip((f + 1)/2, 0, 1) — not a calibrated probability."""
        return np.clip(0.5 * (np.asarray(f, dtype=float) + 1.0), 0.0, 1.0)

    @staticmethod
    def terms(q, y):
        return 0.5 * (q - y) ** 2

    @staticmethod
    def dual_point(q, y, multipliers=None):
        return y - q

    @staticmethod
    def conic(q, y):
        import cvxpy as cp

        return 0.5 * cp.square(q - y), []

    @staticmethod
    def dual_terms(theta, y):
        return theta * y - 0.5 * theta * theta

    @staticmethod
    def dual_value(theta, y):
        return float(np.sum(theta * y)) - 0.5 * float(np.sum(theta * theta))

    @staticmethod
    def center(theta, y):
        return theta - theta.mean(axis=0)

    curvature = 1.0

    @staticmethod
    def hessian(q, y):
        return np.ones_like(q)

    @staticmethod
    def intercept(F, y, t0=0.0, weights=None):
        """argmin_t ½Σcᵢ(Fᵢ + t − yᵢ)²: the weighted mean of y − F."""
        return float(np.average(y - F, weights=weights))

    @staticmethod
    def prox(v, y, tau):
        """(v + τy)/(1 + τ)."""
        return (v + tau * y) / (1.0 + tau)


def _root_intercept(slope, t0):
    """The root of a decreasing function ``slope`` of t (Σ of the dual point at intercept t),
    bracketed outward from t0 and found by Brent's method."""
    lo, hi = t0 - 1.0, t0 + 1.0
    while slope(lo) < 0:
        lo -= 2 * (hi - lo)
    while slope(hi) > 0:
        hi += 2 * (hi - lo)
    return brentq(slope, lo, hi, xtol=1e-15, rtol=4 * np.finfo(float).eps)


def _rebalance(theta, y):
    """Scale the larger class's |θ| down so that 1ᵀθ = 0; yθ stays in [0, 1]."""
    theta = theta.copy()
    pos, neg = theta[y > 0].sum(), -theta[y < 0].sum()
    if pos > neg:
        theta[y > 0] *= neg / pos
    elif neg > pos:
        theta[y < 0] *= pos / neg
    return theta


class Logistic(_Sums):
    """Σ log(1 + exp(−yᵢqᵢ)) for yᵢ ∈ {−1, +1}."""

    name = "logistic"
    smooth, labels = True, True

    @staticmethod
    def probability(f):
        """P(y = +1) = σ(f), the model's own (computed as (1 + tanh(f/2))/2: no overflow)."""
        return 0.5 * (1.0 + np.tanh(0.5 * np.asarray(f, dtype=float)))

    @staticmethod
    def terms(q, y):
        return np.logaddexp(0.0, -y * q)

    @staticmethod
    def dual_point(q, y, multipliers=None):
        return y * expit(-y * q)

    @staticmethod
    def conic(q, y):
        import cvxpy as cp

        return cp.logistic(-cp.multiply(y, q)), []

    @staticmethod
    def dual_terms(theta, y):
        u = np.clip(y * theta, 0.0, 1.0)
        return -(xlogy(u, u) + xlogy(1 - u, 1 - u))

    center = staticmethod(_rebalance)

    curvature = 0.25

    @staticmethod
    def hessian(q, y):
        # σ(q)σ(−q), both factors computed directly: s(1 − s) cancels to 0 once s rounds to 1
        return expit(q) * expit(-q)

    @staticmethod
    def intercept(F, y, t0=0.0, weights=None):
        """argmin_t Σcᵢ log(1 + e^{−yᵢ(Fᵢ + t)}): the root of Σcᵢyᵢσ(−yᵢ(Fᵢ + t)), decreasing in t
        (it exists when both labels occur with positive weight)."""
        c = 1.0 if weights is None else weights
        return _root_intercept(lambda t: float(np.sum(c * y * expit(-y * (F + t)))), t0)

    @staticmethod
    def prox(v, y, tau):
        r"""argmin_r log(1 + e^{−yr}) + (r − v)²/(2τ): in the margin u = yr, the root of
        u = yv + τσ(−u) (see :func:`_logistic_prox`). A term with τ = 0 (weight 0) keeps v."""
        w = np.ascontiguousarray(y * v, dtype=float)
        return y * _logistic_prox(w, np.ascontiguousarray(np.broadcast_to(tau, w.shape), dtype=float))


@numba.njit(cache=True)
def _logistic_prox(w, tau):
    r"""The root u of g(u) = (u − w)/τ − σ(−u), increasing, for each entry. It lies in
    [w + τσ(−w − τ), w + τσ(−w)] (σ(−u) falls as u rises from w to w + τ); Newton steps from its
    middle, kept inside the bracket that each step's sign of g shrinks (a bisection otherwise),
    until a step or the bracket is below 4 ulps. τ = 0 leaves u = w."""
    u_out = np.empty_like(w)
    for i in range(len(w)):
        t = tau[i]
        if t <= 0.0:
            u_out[i] = w[i]
            continue
        hi = w[i] + t / (1.0 + np.exp(w[i]))
        lo = w[i] + t / (1.0 + np.exp(w[i] + t))
        u = 0.5 * (lo + hi)
        for _ in range(200):
            s = 1.0 / (1.0 + np.exp(u))  # σ(−u)
            g = (u - w[i]) / t - s
            if g < 0.0:
                lo = u
            elif g > 0.0:
                hi = u
            else:
                break
            step = u - g / (1.0 / t + s * (1.0 - s))
            new = step if lo < step < hi else 0.5 * (lo + hi)
            if abs(new - u) <= 4e-16 * (1.0 + abs(u)) or hi - lo <= 4e-16 * (1.0 + abs(u)):
                u = new
                break
            u = new
        u_out[i] = u
    return u_out


class Hinge(_Sums):
    """Σ max(0, 1 − yᵢqᵢ) for yᵢ ∈ {−1, +1}; the dual point comes from the margin multipliers."""

    name = "hinge"
    smooth, labels = False, True

    probability = Quadratic.probability  # (uncalibrated, as for the squared loss)

    @staticmethod
    def terms(q, y):
        return np.maximum(0.0, 1.0 - y * q)

    @staticmethod
    def dual_point(q, y, multipliers=None):
        """yᵢμᵢ: the given multipliers (clipped to [0, 1]), else the subgradient 1[yᵢqᵢ < 1]."""
        mu = (y * q < 1).astype(float) if multipliers is None else np.clip(multipliers, 0.0, 1.0)
        return y * mu

    @staticmethod
    def conic(q, y):
        """Slacks ξ ≥ 0 with ξ ≥ 1 − y ⊙ q (a linear program); that constraint's multipliers are μ."""
        import cvxpy as cp

        xi = cp.Variable(len(y), nonneg=True)
        return xi, [xi >= 1 - cp.multiply(y, q)]

    @staticmethod
    def dual_terms(theta, y):
        return np.clip(y * theta, 0.0, 1.0)

    center = staticmethod(_rebalance)

    @staticmethod
    def prox(v, y, tau):
        """argmin_r max(0, 1 − yr) + (r − v)²/(2τ): in the margin w = yv, w itself when w ≥ 1,
        w + τ when w ≤ 1 − τ, else 1 (the hinge's corner)."""
        w = y * v
        return y * np.where(w >= 1.0, w, np.minimum(w + tau, 1.0))


class Huber:
    """Σ h_δ(qᵢ − yᵢ), the Huber loss of threshold δ > 0 (see the module docstring)."""

    name = "huber"
    smooth, labels = True, False
    curvature = 1.0

    def __init__(self, delta=1.0):
        if not (np.isfinite(delta) and delta > 0):
            raise ValueError(f"huber_delta must be a positive number; got {delta!r}")
        self.delta = float(delta)

    def terms(self, q, y):
        r = np.abs(q - y)
        return np.where(r <= self.delta, 0.5 * r * r, self.delta * r - 0.5 * self.delta ** 2)

    def value(self, q, y):
        return float(np.sum(self.terms(q, y)))

    def dual_point(self, q, y, multipliers=None):
        return np.clip(y - q, -self.delta, self.delta)

    def conic(self, q, y):
        import cvxpy as cp

        return 0.5 * cp.huber(q - y, self.delta), []  # (cvxpy's huber(r, δ) is 2h_δ(r))

    def dual_terms(self, theta, y):
        theta = np.clip(theta, -self.delta, self.delta)  # (its domain: the caller's θ/s is in it)
        return theta * y - 0.5 * theta * theta

    def dual_value(self, theta, y):
        return float(np.sum(self.dual_terms(theta, y)))

    @staticmethod
    def center(theta, y):
        """1ᵀθ = 0 by scaling the larger-signed side down: |θ| ≤ δ is kept (a shift would not)."""
        return _rebalance(theta, np.sign(theta))

    def hessian(self, q, y):
        """min(1, δ/|q − y|): the weight of the quadratic that majorizes h_δ at q − y (Huber's
        IRLS), so a Newton model step never increases the loss's model; 1 where h_δ is quadratic."""
        r = np.abs(q - y)
        return np.minimum(1.0, self.delta / np.maximum(r, 1e-300))

    def intercept(self, F, y, t0=0.0, weights=None):
        """argmin_t Σ cᵢh_δ(Fᵢ + t − yᵢ): the root of Σ cᵢ clip(yᵢ − Fᵢ − t, ±δ), decreasing in t."""
        c = 1.0 if weights is None else weights
        return _root_intercept(lambda t: float(np.sum(c * np.clip(y - F - t, -self.delta, self.delta))), t0)

    def prox(self, v, y, tau):
        """y + s/(1 + τ) for |s| ≤ δ(1 + τ), else y + s − τδ·sign(s), with s = v − y."""
        s = v - y
        return y + np.where(np.abs(s) <= self.delta * (1.0 + tau), s / (1.0 + tau),
                            s - tau * self.delta * np.sign(s))


class Interpolation:
    """The indicator of q = y: ℓ(q, y) = 0 if q = y, +∞ otherwise — the β → 0 limit of the Lasso
    (minimum-norm interpolation, with λ = 1). Its conjugate term is linear: D(θ) = ⟨θ, y⟩ with no
    domain constraint, so for any ν with 1ᵀν = 0, ν/max(1, ‖Kᵀν‖∞) certifies
    ‖z‖₁ − min ‖z‖₁ ≤ ‖z‖₁ − ⟨ν, y⟩/max(1, ‖Kᵀν‖∞). The dual point is the LP's equality duals."""

    name = "interpolation"
    smooth, labels = False, False

    @staticmethod
    def terms(q, y):
        return np.where(q == y, 0.0, np.inf)

    @staticmethod
    def value(q, y):
        return float(np.sum(Interpolation.terms(q, y)))

    @staticmethod
    def dual_point(q, y, multipliers=None):
        return np.asarray(multipliers, dtype=float)

    @staticmethod
    def dual_value(theta, y):
        return float(theta @ y)

    @staticmethod
    def center(theta, y):
        return theta - theta.mean()

    @staticmethod
    def conic(q, y):
        return 0.0, [q == y]


class Weighted:
    """Σᵢ cᵢℓᵢ(qᵢ): a datafit with sample weights c ≥ 0 (see the module docstring), with the same
    methods as the datafit it weights. Arrays of targets with several columns (n × k) weigh
    each row by cᵢ."""

    def __init__(self, datafit, weights):
        self.datafit, self.name = datafit, datafit.name
        self.smooth, self.labels = datafit.smooth, datafit.labels
        self.weights = np.asarray(weights, dtype=float)
        self.probability = getattr(datafit, "probability", None)
        # (the curvature bound of Σ cᵢℓᵢ: the largest weight times the datafit's)
        self.curvature = getattr(datafit, "curvature", 1.0) * float(self.weights.max(initial=0.0))

    def hessian(self, q, y):
        return self._c(q) * self.datafit.hessian(q, y)

    def intercept(self, F, y, t0=0.0):
        return self.datafit.intercept(F, y, t0, self.weights)

    def prox(self, v, y, tau):
        """The datafit's prox at τcᵢ (a term of weight 0 leaves vᵢ)."""
        return self.datafit.prox(v, y, tau * self.weights)

    def _c(self, a):
        return self.weights.reshape((-1,) + (1,) * (np.ndim(a) - 1))

    def terms(self, q, y):
        return self._c(q) * self.datafit.terms(q, y)

    def value(self, q, y):
        return float(np.sum(self.terms(q, y)))

    def conic(self, q, y):
        import cvxpy as cp

        terms, constraints = self.datafit.conic(q, y)
        return cp.multiply(self.weights, terms), constraints

    def dual_point(self, q, y, multipliers=None):
        """c ⊙ θ(q); for the hinge, yᵢμᵢ from the given multipliers (clipped to [0, cᵢ]: the
        weighted program's margin duals), else cᵢyᵢ1[yᵢqᵢ < 1]."""
        if multipliers is not None and not self.smooth:
            return y * np.clip(multipliers, 0.0, self._c(y))
        return self._c(q) * self.datafit.dual_point(q, y)

    def dual_value(self, theta, y):
        c = self._c(theta)
        scaled = np.divide(theta, c, out=np.zeros_like(theta, dtype=float), where=c > 0)
        return float(np.sum(np.where(c > 0, c * self.datafit.dual_terms(scaled, y), 0.0)))

    def center(self, theta, y):
        # the rebalancing scales one class down: yθ stays in [0, c]
        return self.datafit.center(theta, y)


def weighted(datafit, weights=None):
    """The datafit with sample weights ``weights`` (itself when None)."""
    return datafit if weights is None else Weighted(datafit, weights)


def sample_weights(datafit):
    """The datafit's sample weights, or None."""
    return getattr(datafit, "weights", None)


def restricted(datafit, rows):
    """The datafit of the terms ``rows`` only (their weights, when it has some)."""
    c = sample_weights(datafit)
    return datafit if c is None else Weighted(datafit.datafit, c[rows])


DATAFITS = {fit.name: fit for fit in (Quadratic, Logistic, Hinge, Huber())}  # (Huber at δ = 1)


def make_datafit(loss, huber_delta=1.0, weights=None):
    """The datafit named ``loss`` (with its sample ``weights``; ``huber_delta`` for "huber")."""
    if loss not in DATAFITS:
        raise ValueError(f"loss must be one of {tuple(DATAFITS)}, got {loss!r}")
    return weighted(Huber(huber_delta) if loss == "huber" else DATAFITS[loss], weights)


def fenchel_gap(datafit, q, y, penalty, lam, theta, max_correlation, intercept=True):
    """(P, D, gap) for min ℓ(q, y) + λ‖z‖₁ at the point with scores q and penalty ‖z‖₁.

    Parameters
    ----------
    theta : ndarray
        A dual point in the domain of ℓ* (centered here when there is an intercept).
    max_correlation : callable
        θ ↦ maxⱼ |K_jᵀθ| over every column of the dictionary the certificate is for.
    """
    if intercept:
        theta = datafit.center(theta, y)
    top = float(max_correlation(theta))
    if not np.isfinite(top):
        raise FloatingPointError(f"the largest correlation is {top}: no certificate")
    s = max(1.0, top / lam)
    P = datafit.value(q, y) + lam * float(penalty)
    D = datafit.dual_value(theta / s, y)
    return P, D, P - D
