"""Campaigns: physics-led first batches, censoring, pending and duplicates, determinism, atomic tell, transfer."""

import json
import math

import numpy as np
import pytest

from interlayer.models.errors import InterlayerError
from interlayer.models.recipe import Recipe
from interlayer.surrogate.acquisition import truncated_mean
from interlayer.surrogate.batch import MIN_SPACING
from interlayer.surrogate.campaign import Campaign
from interlayer.surrogate.fit import CampaignError
from interlayer.surrogate.measurement import Measurement, MeasurementError
from interlayer.surrogate.physics import CzmPrior
from interlayer.surrogate.space import DesignSpace

PRIOR = CzmPrior()
# Stand-in for the CZM: normalized debond length ℓ = (h0/h)^1.5 with Li's h0 five times Na's, so the
# thinnest suppressing film is 4 nm for Na (the reference) and 20 nm for Li.
H0_NM = {"Na": 1.0, "Li": 5.0}


class StandInCzm:
    """A SimulationSource answering every request with the stand-in's normalized length."""

    def results(self, requests):
        return {q: {"result": {"normalized_length": (H0_NM[q.metal] / Recipe.parse(q.recipe).thickness_nm) ** 1.5}}
                for q in requests}


def campaign_for(space, physics=PRIOR, **options):
    return Campaign(space, physics=physics, simulations=StandInCzm(), **options)


def log_truth(recipe, best_nm):
    # a bell in ln thickness around best_nm, alloys (period ≤ 1 nm) better than laminates
    h = recipe.thickness_nm
    return math.log(100.0) + 3.0 * math.exp(-math.log(h / best_nm) ** 2 / 0.5) - 0.5 * (recipe.unit_period_nm > 1.0)


def run_cells(recipes, rng, best_nm, cutoff_h=3000.0, scatter=0.3):
    out = []
    for r in recipes:
        hours = math.exp(log_truth(r, best_nm) + scatter * rng.standard_normal())
        out.append(Measurement(r, min(hours, cutoff_h), censored=hours >= cutoff_h))
    return out


SMALL = dict(max_ald_cycles=5, max_mld_cycles=5, max_supercycles=60)


@pytest.mark.parametrize("metal, best_nm", [("Na", 4.0), ("Li", 20.0)])
def test_first_batch_aims_at_the_physics_thickness_of_each_metal(metal, best_nm):
    space = DesignSpace(metal)
    batch = campaign_for(space).ask(4)
    assert len({p.recipe for p in batch}) == 4
    # picks 1 and 3 follow the prior; 2 and 4 fill the space, far from the picks before them
    for led in (batch[0], batch[2]):
        assert abs(math.log(led.recipe.thickness_nm / best_nm)) < math.log(1.6)
    features = space.features[[space.index_of(p.recipe) for p in batch]]
    assert np.linalg.norm(features[1] - features[0]) > 3.0 * MIN_SPACING


def test_physics_requests_are_few():
    requests = Campaign(DesignSpace("Li"), physics=PRIOR).simulation_requests()
    assert 10 <= len(requests) <= 80
    assert all(q.model == "czm" for q in requests)


def test_finds_the_optimum_the_physics_mislocates():
    # physics says Na wants 4 nm; this lab's Na wants 16 nm
    space = DesignSpace("Na", symmetric_only=True, **SMALL)
    campaign = campaign_for(space, seed=2)
    rng = np.random.default_rng(0)
    for _ in range(7):
        campaign.tell(run_cells([p.recipe for p in campaign.ask(4)], rng, best_nm=16.0))
    best = campaign.recommend().recipe
    true_best = max(space.recipes(), key=lambda r: log_truth(r, 16.0))
    assert log_truth(best, 16.0) > log_truth(true_best, 16.0) - math.log(1.0 / 0.9)


def test_never_proposes_measured_or_pending_recipes_unless_replicates():
    space = DesignSpace("Na", symmetric_only=True, max_ald_cycles=2, max_mld_cycles=2, max_supercycles=8)
    campaign = Campaign(space, physics=None)
    rng = np.random.default_rng(1)
    measured = space.recipes()[:4]
    campaign.tell(run_cells(measured, rng, 4.0))
    pending = space.recipes()[4:8]
    batch = campaign.ask(5, pending=pending)
    chosen = [p.recipe for p in batch]
    assert len(set(chosen)) == 5
    assert not set(chosen) & (set(measured) | set(pending))
    # 16 recipes, 8 measured or pending: only 8 left to propose
    assert len(campaign.ask(12, pending=pending)) == 8
    everything = campaign.ask(30, replicates=True)
    assert len(everything) == 30 and any(p.recipe in measured for p in everything)


def test_a_batch_keeps_its_distance_from_itself_and_from_tested_recipes():
    space = DesignSpace("Li")
    campaign = Campaign(space, physics=None, seed=1)
    rng = np.random.default_rng(3)
    for _ in range(4):
        campaign.tell(run_cells([p.recipe for p in campaign.ask(4)], rng, best_nm=20.0))
    tested = [space.index_of(m.recipe) for m in campaign.measurements]
    chosen = [space.index_of(p.recipe) for p in campaign.ask(4)]
    for i in chosen:
        others = [j for j in tested + chosen if j != i]
        assert np.sqrt(((space.features[others] - space.features[i]) ** 2).sum(axis=1)).min() >= MIN_SPACING


def test_recommends_the_models_best_recipe_even_where_no_cell_was_tested():
    # (2-2) cells at 8, 12, 32 and 40 nm around a truth that peaks at 20 nm: the best lies between them
    space = DesignSpace("Li", symmetric_only=True, **SMALL)
    tested = [Recipe("Li", 2, 2, n) for n in (10, 15, 40, 50)] + [Recipe("Li", 1, 1, 25), Recipe("Li", 4, 4, 12)]
    campaign = Campaign(space, physics=None)
    campaign.tell(run_cells(tested * 2, np.random.default_rng(7), best_nm=20.0, scatter=0.1))
    rec = campaign.recommend()
    assert rec.recipe not in tested
    assert abs(math.log(rec.recipe.thickness_nm / 20.0)) < math.log(1.3)
    assert rec.best_observed.recipe in tested


def test_same_state_and_seed_give_the_same_batch_and_records_provenance():
    space = DesignSpace("Na", **SMALL)
    cells = run_cells(space.recipes()[::97], np.random.default_rng(4), 4.0)
    first, second = Campaign(space, physics=None, seed=7), Campaign(space, physics=None, seed=7)
    first.tell(cells)
    second.tell(list(reversed(cells)))
    for kind in ("ei", "ucb", "thompson"):
        first.acquisition = second.acquisition = kind
        a, b = first.ask(4), second.ask(4)
        assert [p.as_dict() for p in a] == [p.as_dict() for p in b]
    proposal = a[0]
    assert proposal.seed == 7 and proposal.data_fingerprint == first.data_fingerprint
    assert {"length_scales", "signal_sd", "noise_sd", "transfer"} <= set(proposal.hyperparameters)
    assert proposal.code_version.startswith("interlayer")
    low, high = proposal.interval_h
    assert low < proposal.predicted_lifetime_h < high


def test_tell_is_atomic_and_rejects_bad_cells():
    space = DesignSpace("Na", **SMALL)
    campaign = Campaign(space, physics=None)
    good = Measurement(Recipe.parse("Na@(1ALD-1MLD)10"), 1500.0)
    campaign.tell([good])
    before = (campaign.measurements, campaign.data_fingerprint)
    bad_batches = [
        [Measurement(Recipe.parse("Na@(1ALD-1MLD)12"), 900.0), Measurement(Recipe.parse("Na@(1ALD-1MLD)70"), 900.0)],
        [Measurement(Recipe.parse("Na@(1ALD-1MLD)12"), 900.0), Measurement(Recipe.parse("Li@(1ALD-1MLD)12"), 900.0)],
        [Measurement(Recipe.parse("Na@(1ALD-1MLD)12"), 900.0), {"recipe": "Na@(1ALD-1MLD)12", "lifetime_h": 900.0}],
    ]
    for batch in bad_batches:
        with pytest.raises(MeasurementError):
            campaign.tell(batch)
        assert (campaign.measurements, campaign.data_fingerprint) == before
    with pytest.raises(MeasurementError):
        campaign.tell([Measurement(Recipe.parse("Na@(1ALD-1MLD)12"), float("nan"))])
    assert campaign.measurements == before[0]


def test_bad_requests_raise_typed_errors():
    space = DesignSpace("Na", **SMALL)
    with pytest.raises(CampaignError, match="acquisition"):
        Campaign(space, physics=None, acquisition="pi")
    campaign = Campaign(space, physics=None)
    with pytest.raises(CampaignError):
        campaign.ask(0)
    with pytest.raises(CampaignError, match="outside"):
        campaign.ask(2, pending=[Recipe.parse("Na@(9ALD-9MLD)2")])
    assert issubclass(CampaignError, InterlayerError)


def test_running_cell_bound_rises_and_lifts_the_prediction():
    space = DesignSpace("Na", **SMALL)
    campaign = Campaign(space, physics=None)
    recipe = Recipe.parse("Na@(1ALD-1MLD)10")
    campaign.tell(run_cells(space.recipes()[::120], np.random.default_rng(2), 4.0))
    campaign.tell([Measurement(recipe, 300.0, censored=True, cell_id="cell-1")])
    early = campaign.predict([recipe])[0]["predicted_lifetime_h"]
    campaign.tell([Measurement(recipe, 3000.0, censored=True, cell_id="cell-1")])
    assert sum(m.cell_id == "cell-1" for m in campaign.measurements) == 1
    assert campaign.predict([recipe])[0]["predicted_lifetime_h"] > max(early, 3000.0)
    best = campaign.recommend().best_observed
    assert best.recipe == recipe and best.censored and best.as_dict()["lower_bound"]


def test_pending_running_cell_is_fantasized_above_its_bound():
    assert truncated_mean(6.0, 0.5, 7.0) > 7.0
    assert truncated_mean(6.0, 0.5, 2.0) == pytest.approx(6.0, abs=1e-6)


def test_recommendation_is_consistent():
    space = DesignSpace("Na", **SMALL)
    campaign = campaign_for(space)
    rng = np.random.default_rng(5)
    for _ in range(4):
        campaign.tell(run_cells([p.recipe for p in campaign.ask(4)], rng, 4.0))
    rec = campaign.recommend()
    assert 0.0 < rec.probability_best <= 1.0
    assert rec.interval_h[0] < rec.predicted_lifetime_h < rec.interval_h[1]
    assert rec.conservative_lower_h <= rec.predicted_lifetime_h
    assert rec.as_dict()["recipe"] == str(rec.recipe)
    assert json.loads(json.dumps(rec.as_dict())) == rec.as_dict()
    proposal = campaign.ask(1)[0].as_dict()
    assert json.loads(json.dumps(proposal)) == proposal
    assert campaign.recommend().as_dict() == rec.as_dict()


def test_transfer_learns_the_correlation_and_is_judged_on_held_out_cells():
    space = DesignSpace("Na", symmetric_only=True, **SMALL)
    rng = np.random.default_rng(6)
    li_space = DesignSpace("Li", symmetric_only=True, **SMALL)
    alike = run_cells(li_space.recipes()[::3], rng, best_nm=4.0)
    own = run_cells(space.recipes()[::9], rng, best_nm=4.0)

    helped = campaign_for(space, related=alike)
    helped.tell(own)
    decision = helped.recommend().hyperparameters
    assert decision["transfer"] and decision["task_correlation"] > 0.5
    scores = decision["transfer_held_out_log_density"]
    assert scores["multi_task"] > scores["independent"]

    # an unrelated lab (the same hours dealt to the recipes at random) is discounted as noise
    hours = rng.permutation([m.lifetime_h for m in alike])
    unrelated = campaign_for(space, related=[Measurement(m.recipe, float(h)) for m, h in zip(alike, hours)])
    unrelated.tell(own)
    decision = unrelated.recommend().hyperparameters
    assert decision["noise_sd"][1] > 2.0 * decision["noise_sd"][0]


def test_related_cells_enter_on_this_metals_thickness_scale():
    # the stand-in physics asks Li for 5× Na's film: a Li cell at 20 nm sits where a Na film of 4 nm does
    space = DesignSpace("Na", **SMALL)
    li = Measurement(Recipe.parse("Li@(1ALD-1MLD)50"), 800.0)
    na = Measurement(Recipe.parse("Na@(1ALD-1MLD)10"), 2000.0)
    campaign = campaign_for(space, related=[li])
    campaign.tell([na])
    rows = campaign.observations()
    np.testing.assert_allclose(rows.features[rows.task == 1], rows.features[rows.task == 0], atol=1e-12)
    # without physics there is no scale: the Li film is taken at its own 20 nm
    bare = Campaign(space, physics=None, related=[li])
    bare.tell([na])
    rows = bare.observations()
    np.testing.assert_allclose(rows.features[rows.task == 1, 1:], rows.features[rows.task == 0, 1:])
    assert rows.features[rows.task == 1, 0] > rows.features[rows.task == 0, 0]


def test_the_thickness_scales_are_computed_once_per_campaign():
    # each refit places the related cells again; the scales behind the factor are fixed for the campaign
    class CountingPrior(CzmPrior):
        calls = 0

        def thickness_scale_nm(self, metal, recipes, results):
            CountingPrior.calls += 1
            return super().thickness_scale_nm(metal, recipes, results)

    space = DesignSpace("Na", **SMALL)
    li = Measurement(Recipe.parse("Li@(1ALD-1MLD)50"), 800.0)
    campaign = campaign_for(space, physics=CountingPrior(), related=[li])
    placed = []
    for hours in (2000.0, 1500.0, 900.0):
        campaign.tell([Measurement(Recipe.parse(f"Na@(1ALD-1MLD){int(hours) // 100}"), hours)])
        rows = campaign.observations()
        placed.append(rows.features[rows.task == 1])
    np.testing.assert_array_equal(placed[0], placed[-1])
    assert CountingPrior.calls == 2   # this metal's scale and Li's, once
