"""The censored GP: exact evidence gradient, Tobit censoring, noise from replicates, calibrated intervals."""

import math

import numpy as np
import pytest

from interlayer.surrogate.gp import LaplaceGP, Observations, _prior_theta, fit, log_predictive_density


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
    mean, _, _ = _prior_theta(2, 2)
    theta = mean + 0.2 * rng.standard_normal(len(mean))
    analytic = LaplaceGP(obs, theta).evidence_gradient()
    for j in range(len(theta)):
        step = np.zeros_like(theta)
        step[j] = 1e-5
        numeric = (LaplaceGP(obs, theta + step).neg_log_evidence - LaplaceGP(obs, theta - step).neg_log_evidence) / 2e-5
        assert analytic[j] == pytest.approx(numeric, rel=1e-4, abs=1e-6)


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
    low = log_predictive_density(model, observations(x[:1], np.log([10.0]), [True]))
    high = log_predictive_density(model, observations(x[:1], np.log([1e5]), [True]))
    assert low > -0.01 and high < -5.0
