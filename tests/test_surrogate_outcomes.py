"""Cells as labs record them: states, failures, overpotential, conditions, Pareto and constrained decisions."""

from __future__ import annotations

import math

import numpy as np
import pytest

from interlayer.models.recipe import Recipe
from interlayer.surrogate import Campaign, DesignSpace, Measurement, MeasurementError
from interlayer.surrogate.condition import Condition, ConditionError
from interlayer.surrogate.feasibility import probability_feasible
from interlayer.surrogate.fit import CampaignError
from interlayer.surrogate.measurement import merge_reports
from interlayer.surrogate.objective import Objective, ObjectiveError, OutcomeConstraint
from interlayer.surrogate.pareto import expected_improvement, front, greedy_subset, hypervolume

RECIPE = Recipe.parse("Na@(1ALD-1MLD)10")


def test_front_and_hypervolume():
    points = np.array([[1.0, 3.0], [2.0, 2.0], [3.0, 1.0], [1.5, 1.5]])
    assert sorted(front(points).tolist()) == [0, 1, 2]
    # staircase above (0, 0): 3·1 + 2·1 + 1·1
    assert hypervolume(points, (0.0, 0.0)) == pytest.approx(6.0)
    assert hypervolume(np.zeros((0, 2)), (0.0, 0.0)) == 0.0
    assert greedy_subset(points, (0.0, 0.0), 1) == [1]


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_ehvi_is_exact_against_monte_carlo(seed):
    rng = np.random.default_rng(seed)
    points = rng.uniform(0, 1, (6, 2))
    reference = (-0.2, -0.1)
    mean = rng.uniform(-0.2, 1.2, (5, 2))
    sd = rng.uniform(0.05, 0.5, (5, 2))
    exact = expected_improvement(mean, sd, points, reference)
    base = hypervolume(points, reference)
    draws = 40000
    for j in range(len(mean)):
        samples = mean[j] + sd[j] * rng.standard_normal((draws, 2))
        # HVI by the closed form per sample (checked against hypervolume on a few samples)
        values = np.array([hypervolume(np.vstack([points, s]), reference) - base for s in samples[:4000]])
        assert exact[j] == pytest.approx(values.mean(), abs=4 * values.std() / math.sqrt(len(values)) + 1e-4)


def test_states_and_censored_compatibility():
    assert Measurement(RECIPE, 500.0, censored=True).state == "running"
    assert Measurement(RECIPE, 500.0).state == "shorted"
    stopped = Measurement(RECIPE, 500.0, state="stopped")
    assert stopped.censored and stopped.as_dict()["state"] == "stopped"
    failed = Measurement(RECIPE, None, state="failed", failure_reason="no growth")
    assert not failed.censored and failed.failed
    # today's cells keep today's fingerprint keys
    assert set(Measurement(RECIPE, 500.0).as_dict()) == {"recipe", "lifetime_h", "censored", "overpotential_mv", "cell_id"}
    running = Measurement(RECIPE, 500.0, state="running", cell_id="c")
    merged = merge_reports([running], [Measurement(RECIPE, 900.0, state="stopped", cell_id="c")])
    with pytest.raises(MeasurementError, match="already stopped"):
        merge_reports(merged, [Measurement(RECIPE, 1000.0, state="running", cell_id="c")])


@pytest.mark.parametrize("kwargs, field", [
    ({"lifetime_h": 500.0, "overpotential_mv": 0.0}, "overpotential_mv"),
    ({"lifetime_h": 500.0, "overpotential_mv": -5.0}, "overpotential_mv"),
    ({"lifetime_h": 500.0, "overpotential_mv": float("nan")}, "overpotential_mv"),
    ({"lifetime_h": 500.0, "overpotential_mv": float("inf")}, "overpotential_mv"),
    ({"lifetime_h": 500.0, "state": "exploded"}, "state"),
    ({"lifetime_h": 500.0, "state": "failed"}, "lifetime_h"),
    ({"lifetime_h": None, "state": "shorted"}, "lifetime_h"),
    ({"lifetime_h": 500.0, "condition": {"current_ma_cm2": 0.0, "capacity_mah_cm2": 1.0}}, "condition.current_ma_cm2"),
    ({"lifetime_h": 500.0, "condition": {"current_ma_cm2": 1.0, "capacity_mah_cm2": -1.0}}, "condition.capacity_mah_cm2"),
])
def test_bad_cells_are_typed_errors_naming_the_field(kwargs, field):
    with pytest.raises(MeasurementError) as error:
        Measurement(RECIPE, **kwargs)
    assert error.value.field == field


def test_bad_objectives_and_conditions():
    with pytest.raises(ObjectiveError) as error:
        Objective.parse("lifetime,cost")
    assert error.value.field == "objectives"
    with pytest.raises(ObjectiveError) as error:
        Objective.parse("lifetime", "capacity_fade<=3")
    assert error.value.field == "constraint"
    assert OutcomeConstraint.parse("overpotential_mv <= 60").satisfied(59.0)
    with pytest.raises(ConditionError):
        Condition(float("nan"), 1.0)
    with pytest.raises(ConditionError):
        Condition.parse("3")
    with pytest.raises(CampaignError):
        Campaign(DesignSpace("Na"), physics=None, objective="lifetime,speed")


def test_a_bad_row_leaves_the_campaign_unchanged():
    campaign = Campaign(DesignSpace("Na"), physics=None)
    campaign.tell([Measurement(RECIPE, 900.0)])
    with pytest.raises(MeasurementError):
        campaign.tell([Measurement(Recipe.parse("Na@(1ALD-1MLD)12"), 800.0),
                       Measurement(Recipe.parse("Na@(1ALD-1MLD)13"), 800.0, overpotential_mv=-1.0)])
    assert len(campaign.measurements) == 1


def _cells(recipes, hours, mv=None):
    return [Measurement(Recipe.parse(r), h, overpotential_mv=None if mv is None else m) for r, h, m in
            zip(recipes, hours, mv or [None] * len(recipes))]


RECIPES = ["Na@(1ALD-1MLD)4", "Na@(1ALD-1MLD)10", "Na@(1ALD-1MLD)20", "Na@(2ALD-2MLD)10", "Na@(4ALD-4MLD)8",
           "Na@(1ALD-1MLD)40", "Na@(3ALD-1MLD)10", "Na@(1ALD-3MLD)10"]
HOURS = [600.0, 2200.0, 1500.0, 1400.0, 700.0, 500.0, 1100.0, 900.0]
MV = [22.0, 30.0, 45.0, 40.0, 60.0, 110.0, 38.0, 35.0]


def test_pareto_campaign_proposes_and_recommends_a_set():
    campaign = Campaign(DesignSpace("Na"), physics=None, objective="lifetime,overpotential")
    campaign.tell(_cells(RECIPES, HOURS, MV))
    batch = campaign.ask(4)
    assert len({p.recipe for p in batch}) == 4
    best = campaign.recommend()
    assert 1 <= len(best.pareto) <= 12
    for entry in best.as_dict()["pareto"]:
        low, high = entry["interval_h"]
        assert low < entry["predicted_lifetime_h"] < high
        low, high = entry["overpotential_interval_mv"]
        assert low < entry["predicted_overpotential_mv"] < high
    lifetimes = [e["predicted_lifetime_h"] for e in best.pareto]
    overpotentials = [e["predicted_overpotential_mv"] for e in best.pareto]
    # a front: longer life costs overpotential
    assert lifetimes == sorted(lifetimes, reverse=True) and overpotentials == sorted(overpotentials, reverse=True)


def test_constrained_recommendation_is_predicted_to_satisfy_the_constraint():
    campaign = Campaign(DesignSpace("Na"), physics=None, objective=Objective.parse("lifetime", "overpotential_mv<=35"))
    campaign.tell(_cells(RECIPES, HOURS, MV))
    best = campaign.recommend().as_dict()
    assert best["constraint"] == "overpotential_mv<=35"
    assert best["constraint_probability"] >= 0.9 and best["constraint_confident"]
    assert best["predicted_overpotential_mv"] < 35.0


def test_failed_neighbourhood_is_neither_proposed_nor_recommended():
    space = DesignSpace("Na")
    campaign = Campaign(space, physics=None)
    bad = ["Na@(1ALD-1MLD)9", "Na@(1ALD-1MLD)10", "Na@(1ALD-1MLD)11", "Na@(1ALD-1MLD)12"]
    campaign.tell(_cells([r for r in RECIPES if r not in bad], [h for r, h in zip(RECIPES, HOURS) if r not in bad]))
    campaign.tell([Measurement(Recipe.parse(r), None, state="failed", failure_reason="did not coat") for r in bad])
    best = campaign.recommend()
    assert best.as_dict()["probability_feasible"] >= 0.5
    assert str(best.recipe) not in bad
    near = {str(p.recipe) for p in campaign.ask(4)}
    assert not near & set(bad)
    features = space.features
    cells = features[[space.index_of(Recipe.parse(r)) for r in bad]]
    p = probability_feasible(cells, cells, np.ones(len(bad), dtype=bool), np.full(4, 0.1))
    assert (p < 0.5).all()


def test_conditions_enter_as_related_data_and_recommend_at_another_condition():
    target, other = Condition(3.0, 1.0), Condition(1.0, 1.0)
    campaign = Campaign(DesignSpace("Na"), physics=None, condition=target)
    campaign.tell([Measurement(Recipe.parse(r), h, condition=other) for r, h in zip(RECIPES, HOURS)])
    campaign.tell([Measurement(Recipe.parse("Na@(1ALD-1MLD)10"), 700.0, condition=target),
                   Measurement(Recipe.parse("Na@(1ALD-1MLD)30"), 300.0)])
    observations = campaign.observations()
    assert observations.n_tasks == 2 and observations.features.shape[1] == 6
    at_target = campaign.recommend()
    assert at_target.as_dict()["condition"] == target.as_dict()
    at_other = campaign.recommend(condition=other)
    assert at_other.as_dict()["condition"] == other.as_dict()
    assert at_other.predicted_lifetime_h > 0
    assert len(campaign.ask(4)) == 4
    with pytest.raises(CampaignError):
        campaign.recommend(condition={"current_ma_cm2": -1, "capacity_mah_cm2": 1})
