"""Measurements: validation, running cells whose bound rises, order-free fingerprints."""

import pytest

from interlayer.models.recipe import Recipe
from interlayer.surrogate.measurement import Measurement, MeasurementError, fingerprint, merge_reports

RECIPE = Recipe.parse("Na@(1ALD-1MLD)10")


@pytest.mark.parametrize("hours", [float("nan"), float("inf"), -5.0, 0.0, "300", True])
def test_bad_lifetimes_are_rejected(hours):
    with pytest.raises(MeasurementError):
        Measurement(RECIPE, hours)


def test_censored_cell_needs_its_bound():
    with pytest.raises(MeasurementError, match="lower bound"):
        Measurement(RECIPE, None, censored=True)


def test_running_cell_bound_rises_then_it_fails():
    first = Measurement(RECIPE, 500.0, censored=True, cell_id="c1")
    merged = merge_reports([first], [Measurement(RECIPE, 900.0, censored=True, cell_id="c1")])
    assert len(merged) == 1 and merged[0].lifetime_h == 900.0
    merged = merge_reports(merged, [Measurement(RECIPE, 1200.0, cell_id="c1")])
    assert merged[0].censored is False and merged[0].lifetime_h == 1200.0
    with pytest.raises(MeasurementError, match="already failed"):
        merge_reports(merged, [Measurement(RECIPE, 1300.0, cell_id="c1")])
    with pytest.raises(MeasurementError, match="reported 400"):
        merge_reports([first], [Measurement(RECIPE, 400.0, censored=True, cell_id="c1")])
    with pytest.raises(MeasurementError, match="now reported as"):
        merge_reports([first], [Measurement(Recipe.parse("Na@(1ALD-1MLD)11"), 600.0, censored=True, cell_id="c1")])


def test_replicates_without_cell_id_are_separate_cells():
    merged = merge_reports([], [Measurement(RECIPE, 800.0), Measurement(RECIPE, 900.0)])
    assert len(merged) == 2


def test_fingerprint_ignores_order_but_not_values():
    a, b = Measurement(RECIPE, 800.0), Measurement(RECIPE, 1000.0, censored=True)
    assert fingerprint([a, b]) == fingerprint([b, a])
    assert fingerprint([a, b]) != fingerprint([a, Measurement(RECIPE, 1000.0)])


def test_a_campaign_takes_cells_of_its_metal_inside_its_space():
    from interlayer.surrogate.measurement import check_in_space
    from interlayer.surrogate.space import DesignSpace, stored_space

    space = stored_space(DesignSpace("Na", max_supercycles=20).to_dict())
    check_in_space(RECIPE, space)  # Na, (1ALD-1MLD)10: inside
    with pytest.raises(MeasurementError, match="is a Li cell; this campaign is for Na") as other_metal:
        check_in_space(Recipe.parse("Li@(1ALD-1MLD)10"), space)
    with pytest.raises(MeasurementError, match="outside this campaign's design space") as outside:
        check_in_space(Recipe.parse("Na@(1ALD-1MLD)30"), space)
    assert other_metal.value.field == outside.value.field == "recipe"
    # the space of one stored document is built once, however many writes check against it
    assert stored_space(DesignSpace("Na", max_supercycles=20).to_dict()) is space
    assert stored_space(DesignSpace("Na", max_supercycles=21).to_dict()) is not space
