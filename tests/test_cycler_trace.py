"""The symmetric-cell trace analysis on generated traces with known truth (evaluation/symmetric_cell.py)."""

from __future__ import annotations

import numpy as np
import pytest

from interlayer.evaluation.symmetric_cell import SymmetricCell, generate
from interlayer.models.cycler_trace import ProtocolRefused, TraceError, analyse_trace


def _analyse(cell: SymmetricCell, seed: int = 0, **options):
    t, current, voltage, truth = generate(cell, np.random.default_rng(seed))
    return analyse_trace(t, current, voltage, cell.area_cm2, **options), truth


def test_an_intact_cell_runs_censored_at_its_last_hour_with_its_condition_and_overpotential():
    cell = SymmetricCell("Li", current_density_ma_cm2=2.0, capacity_mah_cm2=1.5, rest_s=600.0)
    result, truth = _analyse(cell)
    assert (result.state, result.censored, result.short) == ("running", True, None)
    assert result.lifetime_h == pytest.approx(truth["duration_h"], rel=0.01)
    assert result.current_density_ma_cm2 == pytest.approx(2.0, rel=0.01)
    assert result.capacity_mah_cm2 == pytest.approx(1.5, rel=0.02)
    assert result.overpotential_mv == pytest.approx(truth["overpotential_mv"], rel=0.02)
    assert len(result.cycles["overpotential_mv"]) == cell.cycles


def test_a_file_that_says_the_test_ended_is_stopped():
    result, _ = _analyse(SymmetricCell("Na", 1.0, 1.0, cycles=12), test_ended=True)
    assert (result.state, result.censored) == ("stopped", True)


@pytest.mark.parametrize("kind, level, words", [("soft", 0.3, "for 3 cycles"), ("hard", 0.5, "a resistor")])
def test_a_short_is_found_within_one_cycle_with_the_rule_that_fired(kind, level, words):
    cell = SymmetricCell("Li", 1.0, 1.0, cycles=30, short_kind=kind, short_cycle=14.3, short_level=level)
    result, truth = _analyse(cell)
    assert (result.state, result.censored, result.short["kind"]) == ("shorted", False, kind)
    assert abs(result.short["time_h"] - truth["short_h"]) <= truth["cycle_h"]
    assert result.lifetime_h == result.short["time_h"]
    assert words in result.short["rule"]
    assert [d["rule"] for d in result.decisions] == [f"{kind}_short"]


def test_a_drop_that_recovers_within_a_cycle_is_not_a_short_and_is_explained():
    result, _ = _analyse(SymmetricCell("Li", 1.0, 1.0, cycles=20, dip_cycle=9, dip_level=0.3))
    assert result.short is None
    assert [(d["rule"], d["cycle"]) for d in result.decisions] == [("transient_drop", 10)]
    assert "recovered at cycle 11" in result.decisions[0]["detail"]


def test_a_missing_half_cycle_and_a_restarted_clock_are_noted_and_the_short_still_found():
    cell = SymmetricCell("Na", 0.5, 0.5, cycles=30, missing_half_cycle=11, restart_cycle=8, short_kind="soft",
                         short_cycle=20.6)
    result, truth = _analyse(cell)
    rules = [d["rule"] for d in result.decisions]
    assert rules == ["restart", "missing_half_cycle", "soft_short"]
    assert abs(result.short["time_h"] - truth["short_h"]) <= truth["cycle_h"]


def test_a_changed_current_restarts_the_baseline_and_keeps_the_first_condition():
    cell = SymmetricCell("Li", 1.0, 1.0, cycles=30, current_change_cycle=12, current_change_factor=3.0)
    result, truth = _analyse(cell)
    # at x3 the overpotential rises well over double: no short, the baseline follows the new current
    assert result.short is None
    assert [(d["rule"], d["cycle"]) for d in result.decisions] == [("current_change", 13)]
    assert result.current_density_ma_cm2 == pytest.approx(1.0, rel=0.01)
    assert result.cycles["current_density_ma_cm2"][-1] == pytest.approx(3.0, rel=0.01)
    assert result.overpotential_mv == pytest.approx(truth["overpotential_mv"], rel=0.02)


def _trace():
    t, current, voltage, _ = generate(SymmetricCell("Li", 1.0, 1.0, cycles=6), np.random.default_rng(0))
    return t.copy(), current.copy(), voltage.copy()


def test_nan_a_backwards_clock_and_a_zero_area_are_refused_naming_the_field():
    t, current, voltage = _trace()
    voltage[100] = np.nan
    with pytest.raises(TraceError, match="voltage_v is not a finite number at data row 101") as error:
        analyse_trace(t, current, voltage, 1.0)
    assert error.value.field == "voltage_v"
    t, current, voltage = _trace()
    t[200] = t[199] - 500.0
    with pytest.raises(TraceError, match="backwards at data row 201") as error:
        analyse_trace(t, current, voltage, 1.0)
    assert error.value.field == "time_s"
    with pytest.raises(TraceError, match="area") as error:
        analyse_trace(*_trace(), 0.0)
    assert error.value.field == "area_cm2"


def test_a_full_cell_constant_voltage_steps_and_one_way_current_are_refused_with_the_reason():
    t, current, voltage = _trace()
    with pytest.raises(ProtocolRefused, match="full or half cell"):
        analyse_trace(t, current, 3.7 + 0.1 * np.sign(current), 1.0)  # a Li-ion cell: 3.6-3.8 V both ways
    tapering = current * np.where(current < 0, np.exp(-(np.arange(t.size) % 120) / 30.0), 1.0)  # CC-CV: current decays
    with pytest.raises(ProtocolRefused, match="not galvanostatic"):
        analyse_trace(t, tapering, voltage, 1.0)
    with pytest.raises(ProtocolRefused, match="never reverses"):
        analyse_trace(t, np.abs(current), voltage, 1.0)


def test_a_short_just_after_a_current_change_is_found_against_the_carried_bound():
    # halved current, shorted in the next cycle: the new current has no baseline of its own yet
    cell = SymmetricCell("Na", 2.0, 1.0, cycles=30, current_change_cycle=14, current_change_factor=0.5, short_kind="hard",
                         short_cycle=14.6, short_level=0.3)
    result, truth = _analyse(cell)
    assert result.short["kind"] == "hard"
    assert abs(result.short["time_h"] - truth["short_h"]) <= truth["cycle_h"]


def test_a_drop_the_trace_ends_in_censors_the_running_cell_where_it_began():
    # a soft short 1.6 cycles before the file ends: not yet confirmed, so not a short; the hours stop at the drop
    cell = SymmetricCell("Li", 1.0, 1.0, cycles=20, short_kind="soft", short_cycle=18.4, short_level=0.3)
    result, truth = _analyse(cell)
    assert (result.state, result.short) == ("running", None)
    assert result.decisions[-1]["rule"] == "transient_drop" and "the trace ends first" in result.decisions[-1]["detail"]
    assert result.lifetime_h == pytest.approx(result.decisions[-1]["time_h"])
    assert abs(result.lifetime_h - truth["short_h"]) <= truth["cycle_h"]
    assert result.duration_h - result.lifetime_h > 0.5 * truth["cycle_h"]  # before the file's last hour
