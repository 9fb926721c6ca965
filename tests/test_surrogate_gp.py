"""The censored GP: exact evidence gradient, Tobit censoring, noise from replicates, calibrated intervals."""

import math

import numpy as np
import pytest

from interlayer.surrogate.acquisition import CandidatePosterior
from interlayer.surrogate.gp import LaplaceGP, fit, log_density, predictive
from interlayer.surrogate.gp_prior import TREND_EDGE_DROP, Observations, TrendFrame, basis_prior, prior_theta, trend_basis


def observations(x, y, censored, task=None, physics=None, n_tasks=1):
    x = np.asarray(x, dtype=float).reshape(len(y), -1)
    return Observations(x, np.zeros(len(y), dtype=int) if task is None else np.asarray(task),
                        np.zeros(len(y)) if physics is None else np.asarray(physics, dtype=float),
                        np.asarray(y, dtype=float), np.asarray(censored, dtype=bool), n_tasks)


def truth(x):
    return 6.0 + 1.2 * np.sin(5.0 * x[:, 0]) - 0.8 * x[:, 1]


def test_evidence_gradient_matches_finite_differences_with_censoring_and_two_tasks():
    rng = np.random.default_rng(3)
    x = rng.random((40, 2))
    task = (rng.random(40) < 0.5).astype(int)
    obs = observations(x, truth(x) + 0.3 * rng.standard_normal(40), rng.random(40) < 0.4, task,
                       -rng.random(40), n_tasks=2)
    mean, _, _ = prior_theta(2, 2)
    theta = mean + 0.2 * rng.standard_normal(len(mean))
    analytic = LaplaceGP(obs, theta).evidence_gradient()
    for j in range(len(theta)):
        step = np.zeros_like(theta)
        step[j] = 1e-5
        numeric = (LaplaceGP(obs, theta + step).neg_log_evidence - LaplaceGP(obs, theta - step).neg_log_evidence) / 2e-5
        assert analytic[j] == pytest.approx(numeric, rel=1e-4, abs=1e-6)


def test_with_finished_cells_the_posterior_is_the_exact_gaussian_one():
    # Gaussian likelihood: the Laplace posterior must equal m* + K*ᵀ(K + Σ)⁻¹(y − m), K** − K*ᵀ(K + Σ)⁻¹K*
    rng = np.random.default_rng(5)
    x, task, physics = rng.random((30, 3)), (rng.random(30) < 0.5).astype(int), -rng.random(30)
    frame = TrendFrame(center=(0.5, 0.5, 0.5), half_range=(0.5, 0.5, 0.5))
    obs = Observations(x, task, physics, truth(x) + 0.3 * rng.standard_normal(30), np.zeros(30, dtype=bool), 2, frame)
    theta = prior_theta(3, 2)[0] + 0.1 * rng.standard_normal(len(prior_theta(3, 2)[0]))
    model = LaplaceGP(obs, theta)
    x_new, task_new, physics_new = rng.random((7, 3)), np.array([0, 1, 0, 1, 0, 0, 1]), -rng.random(7)
    k_star = model.prior_covariance(x_new, task_new, physics_new, x, task, physics)
    k_new = model.prior_covariance(x_new, task_new, physics_new, x_new, task_new, physics_new)
    system = model.K + np.diag(np.array(model.hyper.noise_sd)[task] ** 2)
    prior_mean = basis_prior(frame)[0]
    residual = obs.log_lifetime - trend_basis(x, physics, frame) @ prior_mean
    exact_mean = trend_basis(x_new, physics_new, frame) @ prior_mean + k_star @ np.linalg.solve(system, residual)
    exact_cov = k_new - k_star @ np.linalg.solve(system, k_star.T)
    mean, var = model.predict(x_new, task_new, physics_new)
    assert mean == pytest.approx(exact_mean, abs=1e-8)
    assert var == pytest.approx(np.diag(exact_cov), abs=1e-8)
    candidates = CandidatePosterior(model, x_new, task_new, physics_new)
    assert candidates.covariance(np.arange(7), np.arange(7)) == pytest.approx(exact_cov, abs=1e-8)


def test_censored_cells_push_the_mean_above_their_bound():
    # four cells of one recipe still running at 1000 h, beside finished cells elsewhere
    x = np.array([[0.5, 0.5]] * 4 + [[0.1, 0.5], [0.9, 0.5]])
    y = np.log([1000.0] * 4 + [200.0, 250.0])
    censored = [True] * 4 + [False, False]
    tobit = fit(observations(x, y, censored))
    as_value = fit(observations(x, y, [False] * 6))
    dropped = fit(observations(x[4:], y[4:], [False] * 2))
    at = x[:1]
    zeros = np.zeros(1, dtype=int), np.zeros(1)
    tobit_mean = tobit.predict(at, *zeros)[0][0]
    assert tobit_mean > math.log(1000.0) + 0.1                   # a lower bound, not a value
    assert as_value.predict(at, *zeros)[0][0] < tobit_mean
    assert dropped.predict(at, *zeros)[0][0] < math.log(1000.0)  # dropping forgets the cells outlived 1000 h


def test_noise_is_learned_from_replicates():
    rng = np.random.default_rng(0)
    x = np.repeat(rng.random((6, 2)), 8, axis=0)
    y = truth(x) + 0.3 * rng.standard_normal(len(x))
    model = fit(observations(x, y, np.zeros(len(y), dtype=bool)))
    assert 0.2 < model.hyper.noise_sd[0] < 0.42


def test_ninety_percent_intervals_cover_held_out_cells():
    rng = np.random.default_rng(1)
    x = rng.random((60, 2))
    y = truth(x) + 0.3 * rng.standard_normal(60)
    cutoff = math.log(1200.0)
    censored = y > cutoff
    model = fit(observations(x, np.minimum(y, cutoff), censored))
    x_new = rng.random((400, 2))
    y_new = truth(x_new) + 0.3 * rng.standard_normal(400)
    mean, var = model.predict(x_new, np.zeros(400, dtype=int), np.zeros(400))
    sd = np.sqrt(var + model.hyper.noise_sd[0] ** 2)
    coverage = np.mean(np.abs(y_new - mean) <= 1.6448536 * sd)
    assert 0.80 <= coverage <= 0.97


def test_held_out_density_counts_censored_cells_as_tail_probability():
    x = np.array([[0.2, 0.2], [0.8, 0.8]])
    model = fit(observations(x, np.log([300.0, 400.0]), [False, False]))
    low, high = (log_density(cell.log_lifetime, cell.censored, *predictive(model, cell))[0]
                 for cell in (observations(x[:1], np.log([10.0]), [True]), observations(x[:1], np.log([1e5]), [True])))
    assert low > -0.01 and high < -5.0


def test_trend_prior_expects_an_interior_optimum():
    frame = TrendFrame(center=(0.5, 0.5), half_range=(0.25, 0.25))
    empty = Observations(np.zeros((0, 2)), np.zeros(0, dtype=int), np.zeros(0), np.zeros(0), np.zeros(0, dtype=bool),
                         trend=frame)
    model = LaplaceGP(empty, prior_theta(2, 1)[0])
    points = np.array([[0.5, 0.5], [0.75, 0.5], [0.75, 0.25]])
    mean, var = model.predict(points, np.zeros(3, dtype=int), np.zeros(3))
    # one edge costs TREND_EDGE_DROP e-folds, a corner twice that; the edge is less certain than the centre
    assert mean[0] - mean[1] == pytest.approx(TREND_EDGE_DROP)
    assert mean[0] - mean[2] == pytest.approx(2.0 * TREND_EDGE_DROP)
    assert var[0] < var[1] < var[2]


def test_posterior_mean_peaks_at_an_unmeasured_interior_optimum():
    # cells on a ring around a peak at (0.6, 0.4), none at the peak itself
    def bell(x):
        return 6.0 + 1.5 * np.exp(-((x - [0.6, 0.4]) ** 2).sum(axis=1) / (2 * 0.15**2))

    rng = np.random.default_rng(8)
    angles = np.linspace(0.0, 2.0 * np.pi, 8, endpoint=False)
    x = np.column_stack([0.6 + 0.12 * np.cos(angles), 0.4 + 0.12 * np.sin(angles)])
    x = np.vstack([x, [[0.1, 0.1], [0.9, 0.9], [0.1, 0.9], [0.9, 0.1]]])
    y = bell(x) + 0.1 * rng.standard_normal(len(x))
    obs = Observations(x, np.zeros(len(y), dtype=int), np.zeros(len(y)), y, np.zeros(len(y), dtype=bool),
                       trend=TrendFrame(center=(0.5, 0.5), half_range=(0.5, 0.5)))
    grid = np.array([[a, b] for a in np.linspace(0.0, 1.0, 41) for b in np.linspace(0.0, 1.0, 41)])
    mean, _ = fit(obs).predict(grid, np.zeros(len(grid), dtype=int), np.zeros(len(grid)))
    best = grid[np.argmax(mean)]
    assert np.linalg.norm(best - [0.6, 0.4]) < 0.06
