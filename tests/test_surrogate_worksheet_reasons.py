"""Why a recipe is in a batch: expected improvement of a lognormal lifetime, nearest tested cell, role."""

from __future__ import annotations

import math

import numpy as np
import pytest

from interlayer.models.recipe import Recipe
from interlayer.surrogate.worksheet_reasons import Z90, expected_improvement_h, nearest_tested, role


def test_expected_improvement_matches_sampling_the_lognormal_it_describes():
    median, interval, best = 400.0, (60.0, 2600.0), 700.0
    sigma = (math.log(interval[1]) - math.log(interval[0])) / (2 * Z90)
    samples = np.exp(np.random.default_rng(0).normal(math.log(median), sigma, 2_000_000))
    assert expected_improvement_h(median, interval, best) == pytest.approx(np.maximum(samples - best, 0).mean(), rel=0.01)
    # a certain prediction gains its excess over the best, or nothing
    assert expected_improvement_h(900.0, (900.0, 900.0), best) == 200.0
    assert expected_improvement_h(500.0, (500.0, 500.0), best) == 0.0
    assert expected_improvement_h(median, interval, None) is None


def test_the_nearest_tested_cell_is_another_recipe_and_the_same_film_is_zero_apart():
    tested = [Recipe.parse(r) for r in ("Li@(1ALD-1MLD)10", "Li@(2ALD-2MLD)25", "Li@(1ALD-1MLD)10")]
    asked = [Recipe.parse(r) for r in ("Li@(1ALD-1MLD)11", "Li@(2ALD-2MLD)25", "Li@(5ALD-5MLD)2")]
    (near_a, d_a), (near_b, d_b), (near_c, _) = nearest_tested(asked, tested)
    assert str(near_a) == "Li@(1ALD-1MLD)10" and 0 < d_a < 0.05
    assert str(near_b) == "Li@(1ALD-1MLD)10" and d_b > d_a  # its own recipe is not its nearest other cell
    assert str(near_c) in ("Li@(1ALD-1MLD)10", "Li@(2ALD-2MLD)25")
    assert nearest_tested(asked[:1], tested[:1] * 2) == [(tested[0], pytest.approx(d_a))]
    assert nearest_tested(asked[:1], [asked[0]]) == [(asked[0], 0.0)]
    assert nearest_tested(asked[:2], []) == [(None, None), (None, None)]


def test_roles_exploit_near_the_recommendation_explore_below_replicate_what_was_tested():
    assert role(2000.0, 2482.0, 0) == "exploit"
    assert role(990.0, 2482.0, 0) == "explore"
    assert role(990.0, 2482.0, 2) == "replicate"
