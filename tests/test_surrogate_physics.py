"""The CZM prior: a small request set, and the thinnest suppressing film as the physics optimum."""

import math

import numpy as np
import pytest

from interlayer.models.errors import SimulationInputError
from interlayer.models.recipe import Recipe
from interlayer.surrogate.physics import CzmPrior, SimulationRequest
from interlayer.surrogate.space import DesignSpace

PRIOR = CzmPrior()


def results(requests, h0_nm, unit_factor=lambda recipe: 1.0):
    # stand-in CZM: ℓ = f(unit) (h0/h)^1.5, debond length falling with thickness
    out = {}
    for q in requests:
        recipe = Recipe.parse(q.recipe)
        out[q] = {"result": {"normalized_length": unit_factor(recipe) * (h0_nm[q.metal] / recipe.thickness_nm) ** 1.5}}
    return out


def test_requests_are_a_small_hashable_grid_with_the_reference():
    recipes = DesignSpace("Li").recipes()
    requests = PRIOR.requests("Li", recipes)
    assert len(requests) == len(set(requests)) and 20 <= len(requests) <= 70
    assert SimulationRequest("czm", "Na", "Na@(1ALD-1MLD)10", (("fidelity", "reduced"),)) in requests
    assert requests == PRIOR.requests("Li", recipes)
    assert requests[0].parameters_dict() == {"fidelity": "reduced"}
    symmetric = PRIOR.requests("Li", DesignSpace("Li", symmetric_only=True).recipes())
    assert all(Recipe.parse(q.recipe).ald_cycles == Recipe.parse(q.recipe).mld_cycles
               for q in symmetric if q.metal == "Li")


@pytest.mark.parametrize("metal, expected_nm", [("Na", 4.0), ("Li", 20.0)])
def test_index_peaks_at_the_thinnest_suppressing_film(metal, expected_nm):
    recipes = DesignSpace(metal, symmetric_only=True, max_ald_cycles=1, max_mld_cycles=1).recipes()
    h0 = {"Na": 1.0, "Li": 5.0}
    u = PRIOR.index(metal, recipes, results(PRIOR.requests(metal, recipes), h0))
    best = recipes[int(np.argmax(u))]
    assert best.thickness_nm == pytest.approx(expected_nm, rel=0.06)
    assert u.max() == pytest.approx(0.0, abs=0.01) and u.min() < -1.0
    # a factor 2 off in thickness costs ≈ D(1 − exp(−ln²2 / 2w²)) e-folds
    twice = recipes.index(min(recipes, key=lambda r: abs(r.thickness_nm - 2 * expected_nm)))
    expected = -PRIOR.depth * (1 - math.exp(-math.log(recipes[twice].thickness_nm / best.thickness_nm) ** 2
                                             / (2 * PRIOR.width**2)))
    assert u[twice] == pytest.approx(expected, abs=0.05)


def test_units_that_need_thicker_films_rank_lower():
    recipes = DesignSpace("Na").recipes()
    # laminates debond twice as far at equal thickness
    data = results(PRIOR.requests("Na", recipes), {"Na": 1.0}, lambda r: 2.0 if r.structure == "nanolaminate" else 1.0)
    u = PRIOR.index("Na", recipes, data)
    best = {unit: max(ui for ui, r in zip(u, recipes) if (r.ald_cycles, r.mld_cycles) == unit) for unit in ((1, 1), (3, 3))}
    # 2^(2/3) thicker to suppress: κ ln 2^(2/3) lower
    assert best[(1, 1)] - best[(3, 3)] == pytest.approx(PRIOR.unit_cost * math.log(2.0) * 2 / 3, abs=0.02)


def test_missing_or_bad_results_are_typed_errors():
    recipes = DesignSpace("Na", max_supercycles=20).recipes()
    requests = PRIOR.requests("Na", recipes)
    data = results(requests, {"Na": 1.0})
    with pytest.raises(SimulationInputError, match="missing"):
        PRIOR.index("Na", recipes, {q: v for q, v in data.items() if q != requests[0]})
    data[requests[0]] = {"result": {"normalized_length": float("nan")}}
    with pytest.raises(SimulationInputError):
        PRIOR.index("Na", recipes, data)


def test_real_czm_prior_asks_li_for_a_thicker_film_than_na():
    from interlayer.surrogate.campaign import Campaign
    best_nm = {}
    for metal in ("Na", "Li"):
        space = DesignSpace(metal, symmetric_only=True, max_ald_cycles=1, max_mld_cycles=1)
        u = Campaign(space).physics_index()
        best_nm[metal] = space.recipes()[int(np.argmax(u))].thickness_nm
    assert best_nm["Na"] == pytest.approx(4.0, rel=0.06)   # the calibration point
    assert best_nm["Li"] > best_nm["Na"]
