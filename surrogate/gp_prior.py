"""The GP's training rows and its priors: what the data look like and what the model believes before them.

``Observations`` are the rows the GP is fitted to; ``TrendFrame`` and ``trend_basis`` the second-order
response surface in the rescaled features, whose coefficients (with the constant and the physics scale)
are integrated out as Gaussian basis functions with the prior ``basis_prior``; ``prior_theta`` the
log-normal priors and bounds of the kernel's hyperparameters. See ``gp.py`` for the model.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np

# Prior of the constant: median lifetime e^C0 ≈ 300 h, give or take a factor e^2 ≈ 7.
C0 = math.log(300.0)
SD_C = 2.0
# Prior of the physics scale ρ: the physics index is taken at face value give or take 60 %.
RHO0 = 1.0
SD_RHO = 0.6
# Log-normal priors of the hyperparameters: (median, sd of the log). Features are scaled to ~[0, 1].
# The cell-to-cell scatter of ln L is ≈ 0.3 (symmetric cells ±30 %), held within a factor ~1.4 so
# that a few lucky cells are not read as signal.
LENGTH_SCALE_PRIOR = (0.15, 1.0)
SIGNAL_SD_PRIOR = (0.7, 0.7)
NOISE_SD_PRIOR = (0.3, 0.35)
# atanh r ~ N(0.5, 0.8): metals are believed mildly alike until the data say otherwise.
CORRELATION_PRIOR = (0.5, 0.8)
# Trend (in z, see the module docstring): the edge of each feature's range lies 1 e-fold below the
# centre, give or take half an e-fold in the curvature; the linear terms move the optimum within the
# space. A looser curvature (sd 1) leaves the corners so uncertain that UCB spends cell after cell on
# 0.4 nm and 40 nm films: on the misleading lab (bench.closed_loop, Li/Na) 18/18 experiments to 90 %
# against 16/16 with sd 0.5 for seeds 0-9, and 26/20 against 12/18 for seeds 10-29.
TREND_EDGE_DROP = 1.0
TREND_LINEAR_SD = 1.0
TREND_QUADRATIC_SD = 0.5
BOUNDS = {"length_scale": (0.03, 10.0), "signal_sd": (0.05, 5.0), "noise_sd": (0.03, 3.0), "correlation": (-2.5, 2.5)}


@dataclass(frozen=True)
class TrendFrame:
    """The design space's box for the trend: z = (x − center) / half_range for the first len(center) features."""

    center: tuple[float, ...]
    half_range: tuple[float, ...]

    def scaled(self, features: np.ndarray) -> np.ndarray:
        return (features[:, :len(self.center)] - np.array(self.center)) / np.array(self.half_range)


def trend_basis(features: np.ndarray, physics: np.ndarray, frame: TrendFrame | None) -> np.ndarray:
    """Rows of the trend's basis functions: [1, u] and, with a frame, [z_i] and [z_i z_j, i ≤ j]."""
    columns = [np.ones(len(physics)), physics]
    if frame is not None:
        z = frame.scaled(features)
        d = z.shape[1]
        columns += [z[:, i] for i in range(d)] + [z[:, i] * z[:, j] for i in range(d) for j in range(i, d)]
    return np.column_stack(columns)


def basis_prior(frame: TrendFrame | None) -> tuple[np.ndarray, np.ndarray]:
    """Prior mean and sd of the trend coefficients, in the order of ``trend_basis``."""
    d = 0 if frame is None else len(frame.center)
    squares = [-TREND_EDGE_DROP if i == j else 0.0 for i in range(d) for j in range(i, d)]
    mean = np.array([C0, RHO0] + [0.0] * d + squares)
    sd = np.array([SD_C, SD_RHO] + [TREND_LINEAR_SD] * d + [TREND_QUADRATIC_SD] * len(squares))
    return mean, sd


@dataclass(frozen=True)
class Observations:
    """Training rows: features, task index, physics index, log lifetime (or log bound) and censoring flag."""

    features: np.ndarray
    task: np.ndarray
    physics: np.ndarray
    log_lifetime: np.ndarray
    censored: np.ndarray
    n_tasks: int = 1
    trend: TrendFrame | None = None

    def __len__(self) -> int:
        return len(self.log_lifetime)

    def subset(self, keep: np.ndarray) -> "Observations":
        return replace(self, features=self.features[keep], task=self.task[keep], physics=self.physics[keep],
                       log_lifetime=self.log_lifetime[keep], censored=self.censored[keep])

    def append(self, features: np.ndarray, task: int, physics: float, log_lifetime: float) -> "Observations":
        """These rows plus one finished (uncensored) row."""
        return replace(self, features=np.vstack([self.features, features[None, :]]), task=np.append(self.task, task),
                       physics=np.append(self.physics, physics), log_lifetime=np.append(self.log_lifetime, log_lifetime),
                       censored=np.append(self.censored, False))


@dataclass(frozen=True)
class Hyperparameters:
    length_scales: tuple[float, ...]
    signal_sd: float
    noise_sd: tuple[float, ...]
    task_correlation: float

    @classmethod
    def from_theta(cls, theta: np.ndarray, n_features: int, n_tasks: int) -> "Hyperparameters":
        d = n_features
        r = math.tanh(theta[d + 1 + n_tasks]) if n_tasks > 1 else 0.0
        return cls(tuple(np.exp(theta[:d]).tolist()), float(np.exp(theta[d])),
                   tuple(np.exp(theta[d + 1:d + 1 + n_tasks]).tolist()), r)

    def as_dict(self) -> dict:
        return {"length_scales": list(self.length_scales), "signal_sd": self.signal_sd,
                "noise_sd": list(self.noise_sd), "task_correlation": self.task_correlation}


def prior_theta(n_features: int, n_tasks: int) -> tuple[np.ndarray, np.ndarray, list[tuple[float, float]]]:
    """Prior mean and sd of θ, and its box bounds."""
    mean = [math.log(LENGTH_SCALE_PRIOR[0])] * n_features + [math.log(SIGNAL_SD_PRIOR[0])] + \
        [math.log(NOISE_SD_PRIOR[0])] * n_tasks
    sd = [LENGTH_SCALE_PRIOR[1]] * n_features + [SIGNAL_SD_PRIOR[1]] + [NOISE_SD_PRIOR[1]] * n_tasks
    bounds = [tuple(map(math.log, BOUNDS["length_scale"]))] * n_features + \
        [tuple(map(math.log, BOUNDS["signal_sd"]))] + [tuple(map(math.log, BOUNDS["noise_sd"]))] * n_tasks
    if n_tasks > 1:
        mean.append(CORRELATION_PRIOR[0])
        sd.append(CORRELATION_PRIOR[1])
        bounds.append(BOUNDS["correlation"])
    return np.array(mean), np.array(sd), bounds
