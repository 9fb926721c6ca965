"""Recipes in the paper's notation: parsing, printing, geometry, and the bad input of issue 2."""

import math

import pytest

from interlayer.models.errors import InterlayerError, RecipeError, UnknownMetalError
from interlayer.models.recipe import AL2O3_ALUCONE, Recipe


@pytest.mark.parametrize("text", ["Li@(2ALD-2MLD)25", "Na@(1ALD-1MLD)10", "Li@(5ALD-5MLD)10", "Na@bare", "Li@(0ALD-3MLD)4"])
def test_print_parse_round_trip(text):
    recipe = Recipe.parse(text)
    assert str(recipe) == text
    assert Recipe.parse(str(recipe)) == recipe


def test_metal_given_separately_and_whitespace():
    assert Recipe.parse("(1ALD-1MLD)10", metal="Na") == Recipe("Na", 1, 1, 10)
    assert Recipe.parse("  li @ ( 2ald - 2mld ) 25 ".replace("li", "Li")) == Recipe("Li", 2, 2, 25)


def test_paper_thicknesses():
    # a 1-1 unit grows ≈ 0.4 nm: (1-1)10 ≈ 4 nm, (1-1)50, (2-2)25 and (5-5)10 ≈ 20 nm
    assert Recipe.parse("Na@(1ALD-1MLD)10").thickness_nm == pytest.approx(4.0)
    for text in ("Li@(1ALD-1MLD)50", "Li@(2ALD-2MLD)25", "Li@(5ALD-5MLD)10"):
        assert Recipe.parse(text).thickness_nm == pytest.approx(20.0)
    unit = AL2O3_ALUCONE.inorganic_growth_nm_per_cycle + AL2O3_ALUCONE.organic_growth_nm_per_cycle
    assert Recipe.parse("Li@(1ALD-1MLD)1").unit_period_nm == pytest.approx(unit)


def test_structure_and_fraction():
    assert Recipe.parse("Li@(1ALD-1MLD)50").structure == "nanoalloy"
    assert Recipe.parse("Li@(2ALD-2MLD)25").structure == "nanoalloy"
    assert Recipe.parse("Li@(5ALD-5MLD)10").structure == "nanolaminate"
    assert Recipe.parse("Li@(3ALD-0MLD)10").structure == "single"
    assert Recipe.parse("Na@bare").structure == "bare"
    assert Recipe.parse("Li@(1ALD-1MLD)10").inorganic_fraction == pytest.approx(0.11 / 0.40)
    assert Recipe.parse("Na@bare").thickness_nm == 0.0


@pytest.mark.parametrize("text, error, word", [
    ("(2ALD-MLD)", RecipeError, "malformed"),
    ("Li@(2ALD-MLD)", RecipeError, "malformed"),
    ("Li@(0ALD-0MLD)5", RecipeError, "(0ALD-0MLD)"),
    ("Xe@(1ALD-1MLD)3", UnknownMetalError, "Xe"),
    ("Li@(1ALD-1MLD)0", RecipeError, "supercycle"),
    ("Li@(1ALD-1MLD)", RecipeError, "malformed"),
    ("", RecipeError, "malformed"),
    ("(1ALD-1MLD)10", RecipeError, "names no metal"),
])
def test_bad_recipes_raise_typed_one_line_errors(text, error, word):
    with pytest.raises(error) as caught:
        Recipe.parse(text)
    assert isinstance(caught.value, InterlayerError) and isinstance(caught.value, ValueError)
    message = str(caught.value)
    assert word in message and "\n" not in message


def test_conflicting_metal_and_wrong_counts():
    with pytest.raises(RecipeError, match="names metal"):
        Recipe.parse("Li@(1ALD-1MLD)10", metal="Na")
    with pytest.raises(RecipeError, match="negative"):
        Recipe("Li", -1, 1, 10)
    with pytest.raises(RecipeError, match="whole number"):
        Recipe("Li", 1.5, 1, 10)
    with pytest.raises(RecipeError):
        Recipe.parse(None)
    assert not math.isnan(Recipe.parse("Li@(1ALD-1MLD)10").thickness_nm)
