"""The physics guard: the physics index stays in the model only while it predicts held-out cells as well."""

import numpy as np

from interlayer.surrogate.acquisition import space_filling_distance
from interlayer.surrogate.gp_prior import Observations
from interlayer.surrogate.guard import HeldOut, physics_guard, physics_order


def cells(physics_peak, true_peak, n=16, seed=0):
    # one feature; the physics index is a bell at physics_peak, the truth a bell at true_peak
    rng = np.random.default_rng(seed)
    x = np.linspace(0.0, 1.0, n)[:, None]
    physics = -2.0 * (1.0 - np.exp(-((x[:, 0] - physics_peak) ** 2) / 0.02))
    y = 5.0 + 2.0 * np.exp(-((x[:, 0] - true_peak) ** 2) / 0.02) + 0.2 * rng.standard_normal(n)
    return Observations(x, np.zeros(n, dtype=int), physics, y, np.zeros(n, dtype=bool))


def test_physics_that_points_at_the_optimum_is_kept():
    decision, model = physics_guard(cells(0.5, 0.5))
    scores = decision.held_out_log_density
    assert decision.keep and scores["with_physics"] >= scores["without_physics"]
    assert model.observations.physics.any()


def test_physics_that_mislocates_the_optimum_is_dropped():
    decision, model = physics_guard(cells(0.1, 0.7))
    assert not decision.keep and "against the data" in decision.reason
    assert decision.misranked_pairs["physics_against"] > decision.misranked_pairs["physics_with"]
    assert not model.observations.physics.any()


def test_physics_that_mislocates_the_optimum_is_dropped_within_two_batches():
    """Eight cells, the physics' optimum at the edge the lab does worst at: dropped on the order alone."""
    decision, _ = physics_guard(cells(0.1, 0.7, n=8))
    assert not decision.keep
    assert physics_guard(cells(0.5, 0.5, n=8))[0].keep


def test_physics_order_counts_pairs_known_in_order_and_ignores_ties():
    # cells: 3.0 finished, 2.0 finished, 2.5 censored; physics 0, −1, −1.02 (the last two tie within 0.05)
    y, censored = np.array([3.0, 2.0, 2.5]), np.array([False, False, True])
    observations = Observations(np.zeros((3, 1)), np.zeros(3, dtype=int), np.array([0.0, -1.0, -1.02]), y, censored)
    # known: 3.0 > 2.0 (physics agrees), 2.5 > 2.0 (physics tie: not counted); 3.0 vs 2.5 unknown
    assert physics_order(observations) == (1, 0)
    reversed_physics = Observations(np.zeros((3, 1)), np.zeros(3, dtype=int), np.array([-1.0, 0.0, -0.5]), y, censored)
    assert physics_order(reversed_physics) == (0, 2)


def test_too_few_cells_keep_the_physics_without_judging():
    decision, model = physics_guard(cells(0.1, 0.7, n=2))
    assert decision.keep and model is None and decision.held_out_log_density == {}


def test_space_filling_starts_in_the_centre_and_avoids_the_edges():
    grid = np.stack(np.meshgrid(np.linspace(0, 1, 11), np.linspace(0, 1, 11), np.linspace(0, 1, 11)), -1).reshape(-1, 3)
    first = int(np.argmax(space_filling_distance(grid, [])))
    assert np.allclose(grid[first], 0.5)
    second = int(np.argmax(space_filling_distance(grid, [first])))
    assert 0.0 < grid[second].min() and grid[second].max() < 1.0


def test_misranked_pairs_count_only_pairs_known_in_order():
    # cells: 3.0 finished, 2.0 finished, 2.5 censored (outlived 2.0, may outlive 3.0)
    y, censored = np.array([3.0, 2.0, 2.5]), np.array([False, False, True])
    right = HeldOut(np.array([3.0, 1.0, 2.0]), np.ones(3), y, censored)
    assert right.misranked_pairs() == 0
    # 2.0 predicted above 3.0 and above the censored 2.5: two known pairs reversed
    assert HeldOut(np.array([1.0, 4.0, 2.0]), np.ones(3), y, censored).misranked_pairs() == 2
    # the censored cell predicted above 3.0 is no error (it may outlive it); a tie with 2.0 is
    assert HeldOut(np.array([3.0, 1.0, 5.0]), np.ones(3), y, censored).misranked_pairs() == 0
    assert HeldOut(np.array([3.0, 2.0, 2.0]), np.ones(3), y, censored).misranked_pairs() == 1
