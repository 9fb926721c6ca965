"""A Gaussian process on log-lifetime with right-censored cells (Tobit likelihood, Laplace approximation).

Latent log-lifetime of a recipe on task t (a metal, or a related campaign):

    f(x, t) = c_t + ρ_t u_t(x) + Σ_i β_ti z_i + Σ_{i≤j} γ_tij z_i z_j + δ(x, t)

- ``u_t(x)`` is the physics index (0 at the physics optimum, negative elsewhere, in e-folds of
  lifetime); ``c_t ~ N(C0, SD_C²)`` and the scale ``ρ_t ~ N(1, SD_RHO²)`` are integrated out as
  Gaussian basis coefficients (Rasmussen & Williams §2.7), AR(1) co-kriging in spirit: the data
  rescale the physics and ``δ`` learns where it is wrong.
- ``z`` are the continuous features rescaled to [−1, 1] over the design space (``TrendFrame``):
  a second-order response surface, as in classical response-surface designs, whose prior says a
  film has one interior optimum — too thin tears, too thick blocks ions, pure Al2O3 is brittle and
  pure alucone soft — so a film at the edge of a feature's range is expected ``TREND_EDGE_DROP``
  e-folds below the centre. Its coefficients are integrated out like ``c`` and ``ρ``; without a
  frame (``Observations.trend`` None) the trend is only ``c_t + ρ_t u_t``.
- ``δ`` is a GP with an ARD Matérn-5/2 kernel (scikit-learn) times a task matrix B with
  ``B_tt = 1`` and ``B_ts = r`` (intrinsic coregionalization; ``r = 0`` is independent tasks).
- A finished cell observes ``y = f + ε``, ``ε ~ N(0, σ_t²)`` (cell-to-cell scatter per task); a
  censored cell contributes ``P(y > bound) = Φ((f − bound)/σ_t)``, never its bound as a value.

Hyperparameters θ = (log length scales, log signal sd, log noise sd per task, atanh r) are MAP
estimates under weak log-normal priors, with the exact gradient of the Laplace evidence (GPML's
infLaplace, Rasmussen & Nickisch 2010).
"""

from __future__ import annotations

import math
from functools import cached_property

import numpy as np
from scipy.linalg import cho_solve, cholesky, solve_triangular
from scipy.optimize import minimize
from scipy.special import log_ndtr
from sklearn.gaussian_process.kernels import Matern

from .gp_prior import Hyperparameters, Observations, basis_prior, prior_theta, trend_basis

LOG_2PI = math.log(2.0 * math.pi)


def _log_likelihood(f: np.ndarray, y: np.ndarray, censored: np.ndarray, sigma: np.ndarray, *, with_sigma: bool = False):
    """Per-row log p(y|f) and its f-derivatives 1-3; with_sigma adds derivatives by log σ of the first three."""
    z = np.where(censored, (f - y) / sigma, (y - f) / sigma)
    log_cdf = log_ndtr(z)
    # inverse Mills ratio λ = φ(z)/Φ(z), computed in logs so it stays finite far in the tail
    mills = np.exp(-0.5 * z * z - 0.5 * LOG_2PI - log_cdf)
    q = mills * (z + mills)
    t = mills * ((z + mills) * (z + 2.0 * mills) - 1.0)
    lp = np.where(censored, log_cdf, -0.5 * z * z - np.log(sigma) - 0.5 * LOG_2PI)
    dlp = np.where(censored, mills / sigma, z / sigma)
    d2lp = np.where(censored, -q / sigma**2, -1.0 / sigma**2)
    d3lp = np.where(censored, t / sigma**3, 0.0)
    if not with_sigma:
        return lp, dlp, d2lp, d3lp
    lp_s = np.where(censored, -z * mills, z * z - 1.0)
    dlp_s = np.where(censored, (z * q - mills) / sigma, -2.0 * z / sigma)
    d2lp_s = np.where(censored, (2.0 * q - z * t) / sigma**2, 2.0 / sigma**2)
    return lp, dlp, d2lp, d3lp, lp_s, dlp_s, d2lp_s


def task_matrix(task_a: np.ndarray, task_b: np.ndarray, correlation: float) -> np.ndarray:
    return np.where(task_a[:, None] == task_b[None, :], 1.0, correlation)


class LaplaceGP:
    """The Laplace posterior of the latent log-lifetime given ``observations`` and fixed ``theta``."""

    def __init__(self, observations: Observations, theta: np.ndarray, *, start: np.ndarray | None = None):
        self.observations = obs = observations
        self.theta = np.asarray(theta, dtype=float)
        d, T = obs.features.shape[1], obs.n_tasks
        self.hyper = Hyperparameters.from_theta(self.theta, d, T)
        self._kernel = Matern(length_scale=np.array(self.hyper.length_scales), nu=2.5)
        self.sigma = np.array(self.hyper.noise_sd)[obs.task]
        self._basis_mean, self._basis_sd = basis_prior(obs.trend)
        self.basis = trend_basis(obs.features, obs.physics, obs.trend)
        self.mean = self.basis @ self._basis_mean
        self._signal_var = self.hyper.signal_sd**2
        self.K = self._prior_cov(obs.features, obs.task, obs.physics)
        self._find_mode(start)

    def _prior_cov(self, features, task, physics, *, gradient: bool = False):
        obs = self.observations
        if gradient:
            kx, dkx = self._kernel(obs.features, eval_gradient=True)
        else:
            kx = self._kernel(features, obs.features)
        # in place: against 50,000 candidates every temporary is another 40 MB pass
        cov = self._signal_var * kx
        tasks = 1.0
        if obs.n_tasks > 1:
            tasks = task_matrix(task, obs.task, self.hyper.task_correlation)
            cov *= tasks
        cov += self._basis_covariance(task, self._basis(features, physics), obs.task, self.basis)
        return (cov, kx, dkx, tasks) if gradient else cov

    def _basis(self, features: np.ndarray, physics: np.ndarray) -> np.ndarray:
        return trend_basis(features, physics, self.observations.trend)

    def _basis_covariance(self, task_a, basis_a, task_b, basis_b) -> np.ndarray:
        """Covariance of the trend from the Gaussian priors on its coefficients (independent per task)."""
        own = (basis_a * self._basis_sd**2) @ basis_b.T
        if self.observations.n_tasks == 1:
            return own
        return (task_a[:, None] == task_b[None, :]) * own

    def _find_mode(self, start: np.ndarray | None) -> None:
        obs, K, m = self.observations, self.K, self.mean
        n = len(obs)
        if n == 0:
            self.f_mode = self.a = self.dlp = self.sw = self._d3lp = np.zeros(0)
            self.chol = np.zeros((0, 0))
            self.neg_log_evidence = 0.0
            return
        a = np.zeros(n) if start is None or len(start) != n else start.copy()

        def objective(a_vec):
            f = m + K @ a_vec
            lp = _log_likelihood(f, obs.log_lifetime, obs.censored, self.sigma)[0]
            return -0.5 * a_vec @ (f - m) + lp.sum()

        psi = objective(a)
        for _ in range(100):
            f = m + K @ a
            _, dlp, d2lp, _ = _log_likelihood(f, obs.log_lifetime, obs.censored, self.sigma)
            sw = np.sqrt(-d2lp)
            chol = cholesky(np.eye(n) + sw[:, None] * K * sw[None, :], lower=True)
            # Newton step (R&W Algorithm 3.1): a = b − sW B⁻¹ sW K b, b = W (f − m) + ∇log p
            b = -d2lp * (f - m) + dlp
            step = b - sw * cho_solve((chol, True), sw * (K @ b)) - a
            # halve the step until the (concave) objective does not fall
            for _ in range(30):
                psi_new = objective(a + step)
                if psi_new >= psi - 1e-12:
                    break
                step *= 0.5
            a = a + step
            done = abs(psi_new - psi) < 1e-9
            psi = psi_new
            if done:
                break
        f = m + K @ a
        self.f_mode = f
        lp, dlp, d2lp, d3lp = _log_likelihood(f, obs.log_lifetime, obs.censored, self.sigma)
        self.a = a
        self.dlp = dlp
        self.sw = np.sqrt(-d2lp)
        self.chol = cholesky(np.eye(n) + self.sw[:, None] * K * self.sw[None, :], lower=True)
        # −log q(y|θ) = ½ aᵀ(f − m) − Σ log p(y|f) + Σ log diag L
        self.neg_log_evidence = 0.5 * a @ (f - m) - lp.sum() + np.log(np.diag(self.chol)).sum()
        self._d3lp = d3lp

    def evidence_gradient(self) -> np.ndarray:
        """d(−log q(y|θ))/dθ including the implicit change of the mode (GPML infLaplace)."""
        obs = self.observations
        d, T = obs.features.shape[1], obs.n_tasks
        K, a, sw, chol = self.K, self.a, self.sw, self.chol
        _, kx, dkx, tasks = self._prior_cov(obs.features, obs.task, obs.physics, gradient=True)
        # R = sW B⁻¹ sW ; g = ½ diag((K⁻¹ + W)⁻¹)
        R = sw[:, None] * cho_solve((chol, True), np.diag(sw))
        C = solve_triangular(chol, sw[:, None] * K, lower=True)
        g = 0.5 * (np.diag(K) - (C * C).sum(axis=0))
        dfhat = g * self._d3lp

        def implicit(b):
            return -dfhat @ (b - K @ (R @ b))

        grads = []
        covariance_derivatives = [tasks * self._signal_var * dkx[:, :, k] for k in range(d)]
        covariance_derivatives.append(2.0 * tasks * self._signal_var * kx)
        for dK in covariance_derivatives:
            grads.append(0.5 * (R * dK).sum() - 0.5 * a @ dK @ a + implicit(dK @ a))
        _, _, _, _, lp_s, dlp_s, d2lp_s = _log_likelihood(self.f_mode, obs.log_lifetime, obs.censored, self.sigma,
                                                           with_sigma=True)
        for t in range(T):
            rows = obs.task == t
            grads.append(-(g * d2lp_s * rows).sum() - (lp_s * rows).sum() + implicit(K @ (dlp_s * rows)))
        if T > 1:
            r = self.hyper.task_correlation
            dK = np.where(obs.task[:, None] == obs.task[None, :], 0.0, (1.0 - r * r) * self._signal_var * kx)
            grads.append(0.5 * (R * dK).sum() - 0.5 * a @ dK @ a + implicit(dK @ a))
        return np.array(grads)

    def cross_terms(self, features: np.ndarray, task: np.ndarray, physics: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Latent mean at new points and the factor V (n × N) with posterior cov = prior cov − VᵀV."""
        k_star = self._prior_cov(features, task, physics)
        mean = self._basis(features, physics) @ self._basis_mean + k_star @ self.dlp
        if len(self.observations) == 0:
            return mean, np.zeros((0, len(mean)))
        # V = L⁻¹ sW k*ᵀ as one matrix product: L factors I + sW K sW, whose eigenvalues are ≥ 1, so
        # L⁻¹ is bounded and forming it is safe; a product is several times faster than a triangular
        # solve against tens of thousands of columns.
        return mean, self._whitener @ k_star.T

    @cached_property
    def _whitener(self) -> np.ndarray:
        return solve_triangular(self.chol, np.diag(self.sw), lower=True)

    def prior_variance(self, features: np.ndarray, physics: np.ndarray) -> np.ndarray:
        # k(x, x) = s² + Σ_k sd_k² h_k(x)², h the trend's basis functions
        return self._signal_var + (self._basis(features, physics) ** 2 * self._basis_sd**2).sum(axis=1)

    def posterior_variance(self, features: np.ndarray, physics: np.ndarray, factor: np.ndarray) -> np.ndarray:
        """Latent variance at new points from the factor V of ``cross_terms``: prior − diag(VᵀV)."""
        return np.maximum(self.prior_variance(features, physics) - np.einsum("ij,ij->j", factor, factor), 1e-12)

    def predict(self, features: np.ndarray, task: np.ndarray, physics: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Latent mean and variance of f at new points."""
        mean, factor = self.cross_terms(features, task, physics)
        return mean, self.posterior_variance(features, physics, factor)

    def prior_covariance(self, features_a, task_a, physics_a, features_b, task_b, physics_b) -> np.ndarray:
        kx = self._kernel(features_a, features_b)
        return (task_matrix(task_a, task_b, self.hyper.task_correlation) * self._signal_var * kx
                + self._basis_covariance(task_a, self._basis(features_a, physics_a), task_b, self._basis(features_b, physics_b)))

    def noise_sd(self, task: int) -> float:
        return self.hyper.noise_sd[task]


def predictive(model: LaplaceGP, cells: Observations) -> tuple[np.ndarray, np.ndarray]:
    """Mean and sd of new cells' log lifetime at the rows of ``cells``: latent variance plus cell scatter."""
    mean, var = model.predict(cells.features, cells.task, cells.physics)
    return mean, np.sqrt(var + np.array(model.hyper.noise_sd)[cells.task] ** 2)


def log_density(log_lifetime: np.ndarray, censored: np.ndarray, mean: np.ndarray, sd: np.ndarray) -> np.ndarray:
    """log p(y) per cell under N(mean, sd²): finished cells by their density, censored ones by P(y > bound)."""
    z = (log_lifetime - mean) / sd
    return np.where(censored, log_ndtr(-z), -0.5 * z * z - np.log(sd) - 0.5 * LOG_2PI)



def fit(observations: Observations, *, fixed_correlation: float | None = None) -> LaplaceGP:
    """MAP hyperparameters (L-BFGS-B from the prior median) and the Laplace posterior they give."""
    d, T = observations.features.shape[1], observations.n_tasks
    mean, sd, bounds = prior_theta(d, T)
    free = np.ones(len(mean), dtype=bool)
    theta0 = mean.copy()
    if T > 1 and fixed_correlation is not None:
        theta0[-1] = math.atanh(fixed_correlation)
        free[-1] = False
    if len(observations) == 0:
        return LaplaceGP(observations, theta0)
    cache: dict[str, np.ndarray | None] = {"start": None}

    def objective(x):
        theta = theta0.copy()
        theta[free] = x
        model = LaplaceGP(observations, theta, start=cache["start"])
        cache["start"] = model.a
        # −log posterior(θ) = −log q(y|θ) + ½ Σ ((θ − μ)/s)²
        value = model.neg_log_evidence + 0.5 * (((theta - mean) / sd) ** 2).sum()
        grad = model.evidence_gradient() + (theta - mean) / sd**2
        return value, grad[free]

    free_bounds = [b for b, keep in zip(bounds, free) if keep]
    result = minimize(objective, theta0[free], jac=True, method="L-BFGS-B", bounds=free_bounds,
                      options={"maxiter": 200})
    theta = theta0.copy()
    theta[free] = result.x
    return LaplaceGP(observations, theta)
