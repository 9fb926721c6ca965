"""Design spaces: enumeration, feasibility, features, JSON round trip, bad input."""

import math

import numpy as np
import pytest

from interlayer.models.errors import InterlayerError, UnknownMetalError
from interlayer.models.recipe import Recipe
from interlayer.surrogate.space import DesignSpace, DesignSpaceError, recipe_features


def test_default_space_enumerates_the_hybrid_recipes_up_to_40_nm():
    space = DesignSpace("Li")
    recipes = space.recipes()
    assert len(recipes) == 2259
    assert len(set(recipes)) == len(recipes)
    assert all(1 <= r.ald_cycles <= 10 and 1 <= r.mld_cycles <= 10 and 1 <= r.supercycles <= 100 for r in recipes)
    assert max(r.thickness_nm for r in recipes) <= 40.0 + 1e-9
    # (1-1) reaches 100 supercycles at exactly 40 nm; (10-10) stops at 10
    assert Recipe("Li", 1, 1, 100) in recipes and Recipe("Li", 10, 10, 10) in recipes
    assert Recipe("Li", 10, 10, 11) not in recipes


def test_band_symmetry_and_contains():
    space = DesignSpace("Na", symmetric_only=True, min_thickness_nm=3.0, max_thickness_nm=5.0)
    recipes = space.recipes()
    assert {(r.ald_cycles == r.mld_cycles) for r in recipes} == {True}
    assert all(3.0 - 1e-9 <= r.thickness_nm <= 5.0 + 1e-9 for r in recipes)
    assert space.contains(Recipe.parse("Na@(1ALD-1MLD)10"))
    assert not space.contains(Recipe.parse("Na@(1ALD-2MLD)5"))     # asymmetric
    assert not space.contains(Recipe.parse("Na@(1ALD-1MLD)20"))    # 8 nm
    assert not space.contains(Recipe.parse("Li@(1ALD-1MLD)10"))    # other metal


def test_large_space_serves_fifty_thousand_recipes():
    space = DesignSpace("Li", max_ald_cycles=40, max_mld_cycles=40, max_supercycles=1000, max_thickness_nm=200.0)
    assert len(space.recipes()) > 50_000
    assert space.features.shape == (len(space.recipes()), 4)


def test_features_are_scaled_and_name_the_structure():
    x = recipe_features([Recipe.parse("Li@(1ALD-1MLD)10"), Recipe.parse("Li@(5ALD-5MLD)10")])
    assert np.all((x >= 0.0) & (x <= 1.0))
    assert x[0, 3] == 1.0 and x[1, 3] == 0.0                          # alloy vs laminate
    assert x[0, 2] == pytest.approx(0.11 / 0.40)                     # inorganic fraction
    assert x[1, 0] - x[0, 0] == pytest.approx(math.log(5.0) / (math.log(200.0) - math.log(0.1)))


def test_dict_round_trip_and_validation():
    space = DesignSpace("Na", max_supercycles=30, symmetric_only=True)
    again = DesignSpace.from_dict(space.to_dict())
    assert again == space and again.recipes() == space.recipes()
    with pytest.raises(DesignSpaceError, match="unknown design-space field"):
        DesignSpace.from_dict({"metal": "Na", "max_cycles": 3})
    with pytest.raises(DesignSpaceError, match="max_supercycles"):
        DesignSpace("Na", max_supercycles=-1)
    with pytest.raises(DesignSpaceError, match="max_thickness_nm"):
        DesignSpace("Na", max_thickness_nm=float("nan"))
    with pytest.raises(DesignSpaceError, match="no feasible recipe"):
        DesignSpace("Na", min_thickness_nm=0.01, max_thickness_nm=0.05)
    with pytest.raises(UnknownMetalError):
        DesignSpace("Kr")
    with pytest.raises(InterlayerError):
        DesignSpace.from_dict(["Na"])


def test_trend_frame_spans_the_space_and_fixed_features_stay_at_zero():
    space = DesignSpace("Na", max_ald_cycles=4, max_mld_cycles=4, max_supercycles=30)
    z = space.trend_frame.scaled(space.features)
    assert z.shape == (len(space.recipes()), 3)
    assert z.min(axis=0) == pytest.approx([-1.0] * 3) and z.max(axis=0) == pytest.approx([1.0] * 3)
    # symmetric units all have the same inorganic fraction: its trend terms vanish
    symmetric = DesignSpace("Na", symmetric_only=True, max_supercycles=30)
    assert np.all(symmetric.trend_frame.scaled(symmetric.features)[:, 2] == 0.0)


def test_broken_limits_name_each_bound_a_recipe_breaks():
    from interlayer.surrogate.limits import broken_limits

    space = DesignSpace("Li", max_ald_cycles=3, max_mld_cycles=3, max_supercycles=100, max_thickness_nm=10.0)
    assert broken_limits(space, Recipe.parse("Li@(2ALD-2MLD)5")) == []
    recipe = Recipe.parse("Li@(4ALD-2MLD)50")
    broken = broken_limits(space, recipe)
    assert broken[0] == "ALD cycles per unit 4 outside the space's 1–3"
    assert broken[1] == f"thickness {recipe.thickness_nm:.1f} nm above the space's limit of 10 nm"
    assert broken_limits(space, Recipe.parse("Na@(1ALD-1MLD)5")) == ["the metal is Na; the space's is Li"]
    assert not space.contains(recipe) and space.contains(Recipe.parse("Li@(2ALD-2MLD)5"))
