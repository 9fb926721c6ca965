"""The dashboard's figures drawn from what the surrogate computes: the Pareto front with the cells, P(feasible)
and failed cells on the unit map, and every cell's test condition (hollow when it is not the target's)."""

from __future__ import annotations

import pytest

from interlayer.models.recipe import Recipe
from interlayer.service.http.pages.figures import campaign_figures, condition_text
from interlayer.service.http.pages.report import render_report
from interlayer.surrogate import Campaign, DesignSpace, Measurement
from interlayer.surrogate.condition import Condition
from interlayer.surrogate.objective import Objective

TARGET = {"current_density_ma_cm2": 3.0, "capacity_mah_cm2": 1.0}
OTHER = {"current_density_ma_cm2": 1.0, "capacity_mah_cm2": 1.0}


def stored(m: Measurement, condition: dict | None = None, order: int = 0) -> dict:
    """A measurement as the API serves it (``measurement_view``)."""
    return {"recipe": str(m.recipe), "lifetime_h": m.lifetime_h, "censored": m.censored, "state": m.state,
            "failure_reason": m.failure_reason, "overpotential_mv": m.overpotential_mv, "condition": condition,
            "cell_id": m.cell_id,
            "created_at": f"2026-12-04T00:00:{order:02d}"}


@pytest.fixture(scope="module")
def pareto_state():
    space = DesignSpace("Li", max_ald_cycles=3, max_mld_cycles=3, max_thickness_nm=20)
    campaign = Campaign(space, seed=0, physics=None, objective="lifetime,overpotential", condition=Condition(3, 1))
    cells = [(Measurement(Recipe.parse(r, metal="Li"), h, censored, op, cell_id=r), condition) for r, h, censored, op, condition in (
        ("Li@(1ALD-1MLD)5", 200.0, False, 30.0, TARGET), ("Li@(2ALD-2MLD)10", 500.0, True, 60.0, TARGET),
        ("Li@(3ALD-3MLD)12", 400.0, False, 90.0, None), ("Li@(1ALD-3MLD)8", 350.0, False, 45.0, OTHER))]
    failed = [Measurement(Recipe.parse("Li@(3ALD-1MLD)6", metal="Li"), None, state="failed", failure_reason="film did not grow",
                          cell_id=f"f{k}") for k in range(3)]
    campaign.tell([m if c is None or c == TARGET else Measurement(m.recipe, m.lifetime_h, m.censored, m.overpotential_mv,
                                                                  m.cell_id, condition=Condition(1, 1))
                   for m, c in cells] + failed)
    recommendation = {**campaign.recommend().as_dict(), "landscape": campaign.landscape()}
    measurements = [stored(m, c, k) for k, (m, c) in enumerate(cells + [(f, None) for f in failed])]
    state = {"campaign": {"condition": TARGET}, "recommendation": recommendation, "proposals": [],
             "measurements": measurements}
    return state, campaign_figures(state)


def test_the_pareto_figure_draws_the_predicted_set_with_both_intervals_and_the_cells(pareto_state):
    state, figures = pareto_state
    entries = sorted(state["recommendation"]["pareto"], key=lambda e: e["predicted_overpotential_mv"])
    front = figures["pareto"]["data"][0]
    assert front["x"] == [e["predicted_overpotential_mv"] for e in entries]
    assert front["y"] == [e["predicted_lifetime_h"] for e in entries]
    # the bars reach each recipe's 90 % intervals
    for k, e in enumerate(entries):
        assert front["x"][k] + front["error_x"]["array"][k] == pytest.approx(e["overpotential_interval_mv"][1])
        assert front["y"][k] - front["error_y"]["arrayminus"][k] == pytest.approx(e["interval_h"][0])
    # the cells, one trace per unit structure: the fill says the state, a dot another test condition
    cells = {trace["name"]: trace for trace in figures["pareto"]["data"][1:]}
    assert set(cells) == {"(1ALD-1MLD) cells", "(1ALD-3MLD) cells", "(2ALD-2MLD) cells", "(3ALD-3MLD) cells"}
    assert (cells["(1ALD-1MLD) cells"]["x"], cells["(1ALD-1MLD) cells"]["marker"]["symbol"]) == ([30.0], ["circle"])
    assert (cells["(2ALD-2MLD) cells"]["y"], cells["(2ALD-2MLD) cells"]["marker"]["symbol"]) == ([500.0], ["circle-open"])
    other = cells["(1ALD-3MLD) cells"]
    assert other["x"] == [45.0] and other["marker"]["symbol"] == ["circle-dot"]
    assert other["text"][0].startswith("cell Li@(1ALD-3MLD)8<br>Li@(1ALD-3MLD)8: 350 h (shorted)") and "1 mA cm⁻², 1 mAh cm⁻²" in other["text"][0]
    # each unit its own colour, the same on every plot of the page
    colours = {name: trace["marker"]["color"] for name, trace in cells.items()}
    assert len(set(colours.values())) == 4
    for figure in ("lifetime", "physics", "survival"):
        drawn = {t["name"]: t["marker"]["color"] for t in figures[figure]["data"] if t.get("name", "").endswith(" cells")}
        assert drawn == {name: colour for name, colour in colours.items() if name in drawn} and drawn, figure
    assert all(figures[name]["caption"] for name in figures)
    # failed cells have no lifetime: on no lifetime axis
    for name in ("pareto", "lifetime", "physics"):
        assert all("3ALD-1MLD" not in text for trace in figures[name]["data"] for text in trace.get("text") or []
                   if isinstance(text, str))


def test_the_unit_map_shows_p_feasible_and_marks_the_failed_cells(pareto_state):
    state, figures = pareto_state
    grid = state["recommendation"]["landscape"]["unit_map"]
    heatmap, *overlays = figures["unit_map"]["data"]
    assert heatmap["texttemplate"] == "%{text}"
    row, column = grid["mld_cycles"].index(1), grid["ald_cycles"].index(3)
    chance = grid["probability_feasible"][row][column]
    assert heatmap["text"][row][column] == f"{'✕ ' if chance < 0.5 else ''}{chance:.2f}"
    assert heatmap["customdata"][row][column] == [grid["best_median_h"][row][column], grid["best_recipe"][row][column]]
    failed = next(trace for trace in overlays if trace["name"] == "failed cell")
    assert (failed["x"], failed["y"]) == ([3, 3, 3], [pytest.approx(0.78)] * 3)  # in the (3-1) square, below its number, inside it
    assert failed["text"][0] == "Li@(3ALD-1MLD)6: film did not grow"
    crossed = {(a, b) for r, b in zip(heatmap["text"], grid["mld_cycles"]) for t, a in zip(r, grid["ald_cycles"]) if t.startswith("✕")}
    assert crossed == {(a, b) for r, b in zip(grid["probability_feasible"], grid["mld_cycles"])
                       for p, a in zip(r, grid["ald_cycles"]) if p < 0.5} and (3, 1) in crossed


def test_a_lifetime_campaign_draws_no_pareto_figure_and_a_condition_reads_as_the_lab_writes_it(pareto_state):
    state, _ = pareto_state
    plain = {**state, "recommendation": {k: v for k, v in state["recommendation"].items()
                                         if k not in ("pareto", "predicted_overpotential_mv", "overpotential_interval_mv")}}
    assert "pareto" not in campaign_figures(plain)
    assert condition_text(TARGET) == "3 mA cm⁻², 1 mAh cm⁻²"
    assert condition_text({"current_ma_cm2": 0.5, "capacity_mah_cm2": 2}) == "0.5 mA cm⁻², 2 mAh cm⁻²"
    assert condition_text(None) == ""


def test_the_report_carries_the_pareto_set_the_states_and_the_conditions(pareto_state):
    state, _ = pareto_state
    campaign = {"id": "cmp_x", "name": "two objectives", "metal": "Li", "physics": "none", "acquisition": "ucb",
                "objectives": ["lifetime", "overpotential"], "condition": TARGET, "measurements": 7, "proposals": 0,
                "data_version": 7}
    html = render_report({**state, "campaign": campaign, "refit_job": None, "refit_error": None})
    pareto = state["recommendation"]["pareto"]
    table = html.split('id="pareto-set"')[1].split("</table>")[0]
    assert [row.split("</td>")[0] for row in table.split("<tr><td>")[1:]] == [e["recipe"] for e in pareto]
    assert 'id="plot-pareto"' in html and "objectives lifetime + overpotential" in html
    assert "target test condition 3 mA cm⁻², 1 mAh cm⁻²" in html
    assert "failed: film did not grow" in html and "1 mA cm⁻², 1 mAh cm⁻²</td>" in html


def test_under_a_constraint_the_figure_draws_its_bound_and_the_recommended_recipe():
    space = DesignSpace("Li", max_ald_cycles=3, max_mld_cycles=3, max_thickness_nm=20)
    campaign = Campaign(space, seed=0, physics=None, objective=Objective.parse("lifetime", "overpotential_mv<=60"))
    rows = (("Li@(1ALD-1MLD)5", 200.0, 30.0), ("Li@(2ALD-2MLD)10", 500.0, 60.0), ("Li@(3ALD-3MLD)12", 400.0, 90.0),
            ("Li@(1ALD-3MLD)8", 350.0, None))
    cells = [Measurement(Recipe.parse(r, metal="Li"), h, False, op) for r, h, op in rows]
    campaign.tell(cells)
    recommendation = {**campaign.recommend().as_dict(), "landscape": campaign.landscape()}
    figure = campaign_figures({"campaign": {}, "recommendation": recommendation, "proposals": [],
                               "measurements": [stored(m, order=k) for k, m in enumerate(cells)]})["pareto"]
    star, *cells = figure["data"]
    assert star["x"] == [recommendation["predicted_overpotential_mv"]] and star["name"].endswith(recommendation["recipe"])
    assert sorted(x for trace in cells for x in trace["x"]) == [30.0, 60.0, 90.0]  # the cell without an overpotential is not on this plot
    assert figure["layout"]["shapes"][0]["x0"] == 60.0 and "overpotential_mv<=60" in figure["layout"]["title"]["text"]


def test_the_strip_plot_shows_every_cell_by_unit_with_one_cell_per_recipe(pareto_state):
    strip = pareto_state[1]["survival"]
    hours = {trace["name"]: trace["x"] for trace in strip["data"]}
    # one cell per recipe, each a mark at its hours on its unit's row (failed cells have none)
    assert hours == {"(1ALD-1MLD) cells": [200.0], "(1ALD-3MLD) cells": [350.0], "(2ALD-2MLD) cells": [500.0],
                     "(3ALD-3MLD) cells": [400.0]}
    assert [trace["y"] for trace in strip["data"]] == [[name.removesuffix(" cells")] for name in hours]
    assert strip["layout"]["xaxis"]["tickvals"] == [100, 200, 300, 500, 700, 1000]
    assert strip["layout"]["xaxis"]["ticktext"] == ["100", "200", "300", "500", "700", "1,000"]


def test_log_axes_label_1_2_5_steps_or_whole_decades():
    from interlayer.service.http.pages.plotting import log_axis

    assert log_axis([3.0, 30.0])["tickvals"] == [2, 3, 5, 7, 10, 20, 30, 50]
    assert log_axis([3.0, 300.0])["tickvals"] == [2, 5, 10, 20, 50, 100, 200, 500]
    assert log_axis([0.5, 4000.0])["tickvals"] == [1, 10, 100, 1000]
    assert log_axis([0.5, 4000.0])["ticktext"] == ["1", "10", "100", "1,000"]
    assert log_axis([None, -1.0]) == {"type": "log"}


def test_past_twelve_units_the_cells_are_one_trace_each_mark_styled_by_its_unit():
    from interlayer.service.http.pages.cell_marks import lifetime_strip

    cells = [{"recipe": f"Li@({a}ALD-{b}MLD)3", "lifetime_h": 100.0 * (a + b), "censored": a == 1, "state": None,
              "condition": None, "cell_id": f"c{a}{b}"} for a in range(1, 5) for b in range(1, 5)]
    (trace,) = lifetime_strip(cells, lambda m: True, lambda m: "")["data"]
    assert len(trace["x"]) == 16 and len(set(trace["marker"]["color"])) == 8  # the palette's eight, then shapes
    assert len({s.removesuffix("-open") for s in trace["marker"]["symbol"]}) == 2
    assert trace["marker"]["symbol"][0] == "circle-open" and trace["text"][0].startswith("cell c11<br>")
