"""Overpotential: its own GP on log overpotential, heteroscedastic where replicates show it, and the
probability that a recipe satisfies an outcome constraint.

log η(x) = m + g(x) + ε, g ~ GP(0, s² Matern-5/2 ARD), ε ~ N(0, σ² + v_r): σ² a common floor
(learned), v_r the sample variance of the replicates of recipe r where it has two or more (the
replicate-based noise scale). Hyperparameters by maximum marginal likelihood (scikit-learn, one
deterministic L-BFGS-B run from the same start). With no overpotential reported yet the model is the
prior: log η ~ N(ln PRIOR_MV, PRIOR_SD²) everywhere.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
from scipy.special import ndtr
from sklearn.exceptions import ConvergenceWarning
from sklearn.gaussian_process import GaussianProcessRegressor
from sklearn.gaussian_process.kernels import ConstantKernel, DotProduct, Matern, WhiteKernel

from .objective import OutcomeConstraint

PRIOR_MV = 60.0
PRIOR_SD = 1.0
MAX_LENGTH_SCALE = 3.0
# cells of one recipe scatter by at least 5 % in overpotential: a fit never reads them as exact
MIN_NOISE_SD = 0.05
Z90 = 1.6448536269514722


class OverpotentialModel:
    """Log-overpotential GP over recipe features; ``predict`` gives latent mean and sd, ``noise_sd`` the scatter."""

    def __init__(self, features: np.ndarray, overpotential_mv: np.ndarray, groups: np.ndarray):
        y = np.log(np.asarray(overpotential_mv, dtype=float))
        self.n = len(y)
        self.offset = float(y.mean()) if self.n else math.log(PRIOR_MV)
        self.noise_floor = 0.1
        self.regressor = None
        if self.n == 0:
            return
        groups = np.asarray(groups)
        extra = np.zeros(self.n)
        for g in np.unique(groups):
            rows = groups == g
            if rows.sum() >= 2:
                extra[rows] = float(np.var(y[rows], ddof=1))
        d = features.shape[1]
        # a linear trend in the features (Bayesian linear regression as a dot-product kernel) carries the
        # steady rise with thickness beyond the cells; the Matérn part the rest, its length scales capped
        # so that a few cells do not make it confident far from them
        kernel = ConstantKernel(PRIOR_SD**2, (1e-3, 1e2)) * Matern(np.full(d, 0.3), (0.03, MAX_LENGTH_SCALE), nu=2.5) \
            + ConstantKernel(0.1, (1e-3, 10.0)) * DotProduct(1.0, "fixed") + WhiteKernel(0.01, (MIN_NOISE_SD**2, 1.0))
        self.regressor = GaussianProcessRegressor(kernel, alpha=extra + 1e-8, normalize_y=False, optimizer="fmin_l_bfgs_b",
                                                  n_restarts_optimizer=0, random_state=0)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            self.regressor.fit(np.asarray(features, dtype=float), y - self.offset)
        self.noise_floor = math.sqrt(self.regressor.kernel_.k2.noise_level)

    def predict(self, features: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Latent mean and sd of log overpotential (the median in mV is exp(mean))."""
        if self.regressor is None:
            return np.full(len(features), self.offset), np.full(len(features), PRIOR_SD)
        mean, sd = self.regressor.predict(np.asarray(features, dtype=float), return_std=True)
        # return_std includes the white noise: take it out for the latent sd
        latent = np.sqrt(np.maximum(sd**2 - self.noise_floor**2, 1e-10))
        return mean + self.offset, latent

    def interval_mv(self, mean: float, sd: float) -> tuple[float, float]:
        """90 % interval of a new cell's overpotential."""
        total = math.sqrt(sd**2 + self.noise_floor**2)
        return (math.exp(mean - Z90 * total), math.exp(mean + Z90 * total))


def probability_within(constraint: OutcomeConstraint, mean: np.ndarray, sd: np.ndarray) -> np.ndarray:
    """P(the recipe's median overpotential satisfies ``constraint``) under the log-normal posterior."""
    z = (math.log(constraint.bound) - mean) / np.maximum(sd, 1e-9)
    return ndtr(z) if constraint.op == "<=" else ndtr(-z)


def constrained(values: np.ndarray, probability: np.ndarray) -> np.ndarray:
    """Acquisition × probability, with the acquisition shifted to be ≥ 0 over the available candidates."""
    finite = np.isfinite(values)
    if not finite.any():
        return values
    floor = float(values[finite].min())
    return np.where(finite, (np.where(finite, values, floor) - floor + 1e-9) * probability, -np.inf)
