"""Acquisition over the enumerated recipes: EI, UCB and Thompson sampling, in batches with fantasies.

All values are in log-lifetime. A batch is built greedily: after each pick (and first for every
pending experiment) the candidate posterior is conditioned on a fantasy observation, exactly, by a
rank-one update, so the next pick goes elsewhere. A fantasy for a cell still running at bound b is
E[y | y > b]; for a cell not started it is the posterior mean (kriging believer).
"""

from __future__ import annotations

import math

import numpy as np
from scipy.special import log_ndtr, ndtr

from .gp import LaplaceGP
from .space import CONTINUOUS_FEATURES

ACQUISITIONS = ("ei", "ucb", "thompson")
# UCB: μ + β σ with β = 2 (≈ the 98th percentile)
UCB_BETA = 2.0
# Thompson draws are joint over the candidates with the highest UCB (the argmax lies among them).
THOMPSON_CANDIDATES = 500
LOG_2PI = math.log(2.0 * math.pi)


class CandidatePosterior:
    """The joint Gaussian posterior of f over fixed candidates, conditioned on fantasies as they come."""

    def __init__(self, model: LaplaceGP, features: np.ndarray, task: np.ndarray, physics: np.ndarray):
        self.model = model
        self.features, self.task, self.physics = features, task, physics
        self.mean, self._factor = model.cross_terms(features, task, physics)
        self.var = model.posterior_variance(features, physics, self._factor)
        self._updates: list[np.ndarray] = []

    def copy(self) -> "CandidatePosterior":
        """An independent copy to condition on fantasies, leaving this one as it is."""
        twin = object.__new__(CandidatePosterior)
        twin.__dict__.update(self.__dict__, _updates=list(self._updates))
        return twin

    def covariance(self, rows: np.ndarray, columns: np.ndarray) -> np.ndarray:
        """Posterior covariance between candidate sets (given by index arrays)."""
        prior = self.model.prior_covariance(self.features[rows], self.task[rows], self.physics[rows],
                                            self.features[columns], self.task[columns], self.physics[columns])
        cov = prior - self._factor[:, rows].T @ self._factor[:, columns]
        for u in self._updates:
            cov -= np.outer(u[rows], u[columns])
        return cov

    def condition(self, index: int, value: float, noise_var: float) -> None:
        """Observe y = f[index] + ε = value, ε ~ N(0, noise_var): exact Gaussian update of mean and variance."""
        column = self.covariance(np.arange(len(self.mean)), np.array([index]))[:, 0]
        total = column[index] + noise_var
        self.mean = self.mean + column * (value - self.mean[index]) / total
        update = column / math.sqrt(total)
        self.var = np.maximum(self.var - update ** 2, 1e-12)
        self._updates.append(update)

    def sample(self, rows: np.ndarray, count: int, rng: np.random.Generator) -> np.ndarray:
        """``count`` joint draws of f at ``rows`` (count × len(rows))."""
        cov = self.covariance(rows, rows)
        jitter = 1e-9 * (1.0 + np.abs(np.diag(cov)).max())
        # the posterior over many close recipes is near singular: add jitter until it factors
        while True:
            try:
                root = np.linalg.cholesky(cov + jitter * np.eye(len(rows)))
                break
            except np.linalg.LinAlgError:
                jitter *= 10.0
        return self.mean[rows] + rng.standard_normal((count, len(rows))) @ root.T


def expected_improvement(mean: np.ndarray, sd: np.ndarray, incumbent: float) -> np.ndarray:
    # EI = σ (z Φ(z) + φ(z)), z = (μ − τ)/σ
    z = (mean - incumbent) / sd
    return sd * (z * ndtr(z) + np.exp(-0.5 * z * z - 0.5 * LOG_2PI))


def truncated_mean(mean: float, sd: float, bound: float) -> float:
    """E[y | y > bound] for y ~ N(mean, sd²): μ + σ φ(α)/(1 − Φ(α)), α = (bound − μ)/σ."""
    alpha = (bound - mean) / sd
    mills = math.exp(-0.5 * alpha * alpha - 0.5 * LOG_2PI - float(log_ndtr(-alpha)))
    return mean + sd * mills


def scores(posterior: CandidatePosterior, kind: str, available: np.ndarray, incumbent: float,
           rng: np.random.Generator) -> np.ndarray:
    """Acquisition value of every candidate (−inf where not available)."""
    sd = np.sqrt(posterior.var)
    out = np.full(len(posterior.mean), -np.inf)
    if kind == "ei":
        out[available] = expected_improvement(posterior.mean[available], sd[available], incumbent)
    elif kind == "ucb":
        out[available] = posterior.mean[available] + UCB_BETA * sd[available]
    else:
        upper = np.where(available, posterior.mean + UCB_BETA * sd, -np.inf)
        count = min(THOMPSON_CANDIDATES, int(available.sum()))
        rows = np.sort(np.argpartition(-upper, count - 1)[:count])
        out[rows] = posterior.sample(rows, 1, rng)[0]
    return out


def space_filling_distance(features: np.ndarray, chosen: list[int], continuous: int = CONTINUOUS_FEATURES) -> np.ndarray:
    """Distance of every candidate to the nearest chosen one or to the edge of the candidates' box.

    Counting the edge as a chosen point gives a maximin design of the interior: the first pick is
    the centre and no pick lands on a corner, where films are too thin or too thick to teach much.
    Only the first ``continuous`` features have edges (the alloy flag is binary).
    """
    box = features[:, :continuous]
    distance = np.minimum(box - box.min(axis=0), box.max(axis=0) - box).min(axis=1)
    for i in chosen:
        distance = np.minimum(distance, np.sqrt(((features - features[i]) ** 2).sum(axis=1)))
    return distance
