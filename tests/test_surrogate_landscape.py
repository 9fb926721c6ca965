"""What the dashboard draws comes from the surrogate: curves, unit map, probability of best, survival, progress."""

from __future__ import annotations

import pytest

from interlayer.models.recipe import Recipe
from interlayer.surrogate import Campaign, DesignSpace, Measurement
from interlayer.surrogate.landscape import kaplan_meier, progress


def cell(recipe: str, hours: float, censored: bool = False) -> Measurement:
    return Measurement(Recipe.parse(recipe, metal="Na"), hours, censored)


def test_kaplan_meier_steps_down_at_shorts_and_ticks_censored_cells_at_their_level():
    (curve,) = kaplan_meier([cell("(1ALD-1MLD)10", 100), cell("(1ALD-1MLD)10", 150, censored=True),
                             cell("(1ALD-1MLD)10", 200), cell("(1ALD-1MLD)10", 300, censored=True)])
    assert curve["cells"] == 4
    # 4 at risk: the short at 100 h leaves 3/4; the censored cell leaves 2 at risk, the short at 200 h half of them
    assert curve["alive"] == pytest.approx([1.0, 1.0, 0.75, 0.75, 0.375, 0.375])
    assert curve["hours"] == [0.0, 100.0, 100.0, 200.0, 200.0, 300.0]
    assert curve["censored_h"] == [150.0, 300.0] and curve["censored_alive"] == pytest.approx([0.75, 0.375])


def test_survival_is_drawn_for_the_recipes_with_the_most_cells():
    cells = [cell(f"(1ALD-1MLD){n}", 100 + n) for n in range(1, 13)] + [cell("(1ALD-1MLD)1", 300)]
    curves = kaplan_meier(cells)
    assert len(curves) == 10 and curves[0]["recipe"] == "Na@(1ALD-1MLD)1" and curves[0]["cells"] == 2
    # then the longest-lived: the two shortest-lived single cells are left out
    assert {"Na@(1ALD-1MLD)2", "Na@(1ALD-1MLD)3"}.isdisjoint(c["recipe"] for c in curves)


def test_progress_keeps_the_best_cell_so_far_and_flags_a_censored_best():
    series = progress([cell("(1ALD-1MLD)10", 100), cell("(2ALD-2MLD)5", 400, censored=True), cell("(1ALD-1MLD)4", 300)])
    assert series == {"cells": [1, 2, 3], "best_observed_h": [100.0, 400.0, 400.0],
                      "best_observed_censored": [False, True, True]}


def test_the_landscape_agrees_with_the_recommendation():
    campaign = Campaign(DesignSpace("Na", max_ald_cycles=3, max_mld_cycles=3, max_thickness_nm=20), seed=0, physics=None)
    batch = campaign.ask(3)
    campaign.tell([Measurement(p.recipe, hours, censored) for p, hours, censored in
                   zip(batch, (800.0, 1500.0, 400.0), (False, True, False))])
    recommendation, landscape = campaign.recommend(), campaign.landscape()
    top = landscape["probability_best"]
    assert len(top) <= 10 and top[0]["probability_best"] >= top[-1]["probability_best"]
    assert {"recipe": str(recommendation.recipe), "probability_best": recommendation.probability_best} \
        .items() <= next(row for row in top if row["recipe"] == str(recommendation.recipe)).items()
    best_curve = landscape["curves"][0]
    assert (best_curve["ald_cycles"], best_curve["mld_cycles"]) == (recommendation.recipe.ald_cycles,
                                                                    recommendation.recipe.mld_cycles)
    assert max(best_curve["median_h"]) == pytest.approx(recommendation.predicted_lifetime_h, abs=0.05)
    assert all(lo < mid < hi for lo, mid, hi in zip(best_curve["low_h"], best_curve["median_h"], best_curve["high_h"]))
    grid = landscape["unit_map"]
    assert grid["ald_cycles"] == [1, 2, 3] and len(grid["best_median_h"]) == len(grid["mld_cycles"])
    assert landscape["progress"]["best_observed_censored"][-1] is True


def test_a_deposition_sequence_is_written_out_for_the_reactor():
    assert Recipe.parse("Li@(2ALD-2MLD)25").deposition_sequence == "25 × [2 × (TMA/H2O), 2 × (TMA/EG)]"
    assert Recipe.parse("Na@(0ALD-3MLD)5").deposition_sequence == "5 × [3 × (TMA/EG)]"


def test_the_unit_map_carries_p_feasible_once_a_cell_failed():
    space = DesignSpace("Na", max_ald_cycles=3, max_mld_cycles=3, max_thickness_nm=20)
    campaign = Campaign(space, seed=0, physics=None)
    batch = campaign.ask(3)
    campaign.tell([Measurement(p.recipe, 500.0 + 100 * k, False) for k, p in enumerate(batch)])
    assert "probability_feasible" not in campaign.landscape()["unit_map"]
    failing = Recipe.parse("Na@(3ALD-1MLD)4")
    campaign.tell([Measurement(failing, None, state="failed", failure_reason="no growth", cell_id=f"f{k}") for k in range(3)])
    grid = campaign.landscape()["unit_map"]
    chances = {(a, b): grid["probability_feasible"][row][column]
               for row, b in enumerate(grid["mld_cycles"]) for column, a in enumerate(grid["ald_cycles"])}
    assert set(chances) == {(a, b) for a in (1, 2, 3) for b in (1, 2, 3)}
    # the failing unit's best recipe is the least likely to coat; the unit farthest from it is untouched
    assert min(chances, key=chances.get) == (3, 1)
    assert chances[(1, 3)] > 0.9 > chances[(3, 1)]
