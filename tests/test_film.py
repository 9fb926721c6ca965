"""Film mechanics from recipes: the paper's AFM trends, overrides and bad values."""

import math

import pytest

from interlayer.models.errors import FilmParameterError
from interlayer.models.film import Film, FilmConstants
from interlayer.models.recipe import Recipe


def film(text: str) -> Film:
    return Film.from_recipe(Recipe.parse(text))


def test_afm_ordering_at_20_nm():
    # at ≈20 nm the alloy (2-2)25 is stiffer and stronger than the alloy (1-1)50 and the laminate (5-5)10
    alloy22, alloy11, laminate = film("Li@(2ALD-2MLD)25"), film("Li@(1ALD-1MLD)50"), film("Li@(5ALD-5MLD)10")
    for other in (alloy11, laminate):
        assert alloy22.modulus_gpa > other.modulus_gpa
        assert alloy22.strength_mpa > other.strength_mpa
    assert laminate.structure == "nanolaminate"
    assert laminate.modulus_in_plane_gpa > laminate.modulus_gpa > laminate.modulus_through_thickness_gpa


def test_thin_films_tougher_per_thickness_and_stiffen_with_thickness():
    films = [film(f"Na@(1ALD-1MLD){n}") for n in (10, 25, 50)]
    toughness_per_nm = [f.fracture_energy_j_m2 / f.thickness_nm for f in films]
    assert toughness_per_nm[0] > toughness_per_nm[1] > toughness_per_nm[2]
    moduli = [f.modulus_in_plane_gpa for f in films]
    assert moduli[0] < moduli[1] < moduli[2]


def test_moduli_within_the_phase_bounds():
    f = film("Li@(1ALD-1MLD)50")
    assert 21.0 < f.modulus_gpa < 165.0
    assert 0.0 < f.poisson_ratio < 0.5


def test_from_thickness_matches_recipe_and_rigidity():
    from_recipe = film("Li@(1ALD-1MLD)25")
    from_thickness = Film.from_thickness(10.0)
    assert from_thickness.modulus_gpa == pytest.approx(from_recipe.modulus_gpa)
    assert from_thickness.fracture_energy_j_m2 == pytest.approx(from_recipe.fracture_energy_j_m2)
    h_m = 10e-9
    expected = from_thickness.modulus_gpa * 1e9 * h_m**3 / (12 * (1 - from_thickness.poisson_ratio**2))
    assert from_thickness.plate_rigidity_n_m == pytest.approx(expected)


def test_overrides_replace_properties():
    f = Film.from_thickness(8.0, modulus_gpa=80.0, strength_mpa=500.0)
    assert f.modulus_gpa == 80.0 and f.strength_mpa == 500.0
    assert Film.from_thickness(8.0, fracture_energy_j_m2=None) == Film.from_thickness(8.0)


@pytest.mark.parametrize("kwargs, word", [
    ({"modulus_gpa": -5.0}, "modulus_gpa"),
    ({"strength_mpa": 0.0}, "strength_mpa"),
    ({"fracture_energy_j_m2": math.nan}, "fracture_energy_j_m2"),
    ({"poisson_ratio": 0.7}, "poisson_ratio"),
    ({"stiffness": 3.0}, "unknown film property"),
])
def test_bad_overrides(kwargs, word):
    with pytest.raises(FilmParameterError, match=word) as caught:
        Film.from_thickness(10.0, **kwargs)
    assert "\n" not in str(caught.value)


@pytest.mark.parametrize("thickness", [-4.0, 0.0, math.nan, math.inf, "thick"])
def test_bad_thickness(thickness):
    with pytest.raises(FilmParameterError, match="thickness_nm"):
        Film.from_thickness(thickness)


def test_bare_recipe_has_no_film_and_constants_are_checked():
    with pytest.raises(FilmParameterError, match="no film"):
        film("Na@bare")
    with pytest.raises(FilmParameterError, match="weibull_modulus"):
        FilmConstants(weibull_modulus=-1.0)
    with pytest.raises(FilmParameterError):
        Film.from_thickness(10.0, ald_cycles=0, mld_cycles=0)
