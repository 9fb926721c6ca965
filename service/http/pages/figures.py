"""Plotly figures of a campaign, built from plain data: the documents the API serves (campaign,
recommendation with its landscape, proposals, measurements). The pages and ``interlayer report`` both
draw these; every number plotted was computed by the surrogate in the refit job, none here.
"""

from __future__ import annotations

import math
from functools import lru_cache

from interlayer.models.recipe import Recipe
from interlayer.surrogate.feasibility import MIN_FEASIBLE
from interlayer.surrogate.objective import OutcomeConstraint

from .cell_marks import cells_by_unit, lifetime_strip, unit_of, unit_style
from .plotting import PALETTE, Figure, base_layout, log_axis, rgba

CURVE_DASHES = ("solid", "dash", "dot", "dashdot", "longdash")
# a failed cell's mark sits this far below its unit's square centre (squares are one cycle tall)
FAILED_OFFSET = 0.22


# One line under each plot saying how to read it (the page and the report print it as the figure's caption).
CAPTIONS = {
    "lifetime": "Grey lines: the lifetime the model predicts for the five best unit structures (band: 90 % interval "
                "of the best); marks: your cells, coloured and shaped by unit, hollow while still running, dotted at another "
                "test condition.",
    "pareto": "The line joins recipes that no other beats in both lifetime and overpotential (bars: 90 % intervals); "
              "marks: your cells.",
    "unit_map": "Each square is one unit structure (ALD × MLD cycles per unit), coloured by the longest lifetime the "
                "model predicts for it at any thickness.",
    "progress": "Black: the longest-lived cell so far (▲ still running); blue: the model's best predicted lifetime with "
                "its 90 % interval; dotted lines: a batch proposed.",
    "survival": "One mark per cell: filled, it shorted at that hour; hollow, it is still running or was stopped and "
                "lived at least that long; dotted, tested at another condition.",
    "probability_best": "The chance, under the model, that each recipe is the longest-lived of the whole design space.",
    "physics": "Dotted (right axis): the lifetime the physics models alone expect along the best unit, 1 at their "
               "optimum; marks: your cells. The model keeps the physics only while it predicts unseen cells better.",
}


@lru_cache(maxsize=65536)
def thickness_nm(recipe: str) -> float:
    """A recipe's film thickness; cached, as a page draws the same few hundred cells on every request."""
    return Recipe.parse(recipe).thickness_nm


def _condition_values(condition: dict | None) -> tuple[float | None, float | None]:
    """(current density, capacity) of a stored condition, under the service's or the surrogate's key."""
    condition = condition or {}
    return condition.get("current_density_ma_cm2", condition.get("current_ma_cm2")), condition.get("capacity_mah_cm2")


def condition_text(condition: dict | None) -> str:
    """A stored test condition as the lab writes it: "3 mA cm⁻², 1 mAh cm⁻²" ("" for none)."""
    current, capacity = _condition_values(condition)
    parts = [f"{current:g} mA cm⁻²" if current is not None else None, f"{capacity:g} mAh cm⁻²" if capacity is not None else None]
    return ", ".join(part for part in parts if part)


def _at_target(m: dict, target: dict | None) -> bool:
    """A cell tested at the campaign's target condition (or one of them has none, as the model reads it)."""
    return not target or not m.get("condition") or _condition_values(m["condition"]) == _condition_values(target)


def _cells(measurements: list[dict], x_of, y_of=lambda m: m["lifetime_h"], target: dict | None = None) -> list[dict]:
    """Measured cells with a place on both axes, one trace per unit structure (``cell_marks``); failed cells
    have no lifetime: they are drawn on the unit map. Units are styled over every cell with a lifetime, so
    a unit looks the same on each plot of the page."""
    style = unit_style([unit_of(m["recipe"]) for m in measurements if m["lifetime_h"] is not None])
    chosen = [m for m in measurements if m["lifetime_h"] is not None and x_of(m) is not None and y_of(m) is not None]
    return cells_by_unit(chosen, x_of, y_of, lambda m: _at_target(m, target), lambda m: condition_text(m.get("condition")),
                         style)


def lifetime_vs_thickness(landscape: dict, measurements: list[dict], target: dict | None = None) -> Figure:
    """Predicted median lifetime with its 90 % band against thickness for the best unit structures, and the cells."""
    data = []
    # the predictions in grey, told apart by their dashes: colours belong to the cells' units
    for rank, (curve, dash) in enumerate(zip(landscape["curves"], CURVE_DASHES)):
        x = curve["thickness_nm"]
        if rank == 0:  # one band: five overlapping ones (Li's are wide) blur into grey
            data.append({"type": "scatter", "mode": "lines", "x": x + x[::-1], "y": curve["high_h"] + curve["low_h"][::-1],
                         "fill": "toself", "fillcolor": "rgba(0,0,0,0.08)", "line": {"width": 0}, "hoverinfo": "skip",
                         "showlegend": False, "legendgroup": curve["unit"]})
        data.append({"type": "scatter", "mode": "lines", "name": f"{curve['unit']} predicted" + (", 90 % band" if rank == 0 else ""),
                     "x": x, "y": curve["median_h"], "line": {"color": "#333" if rank == 0 else "#888", "dash": dash},
                     "legendgroup": curve["unit"]})
    data += _cells(measurements, lambda m: thickness_nm(m["recipe"]), target=target)
    # both axes in logs: films span 0.4–40 nm, lifetimes an order of magnitude or two
    layout = base_layout("Predicted lifetime against film thickness", "film thickness (nm)", "lifetime (h)")
    layout["xaxis"] |= log_axis([v for trace in data for v in trace["x"]])
    layout["yaxis"] |= log_axis([v for trace in data for v in trace["y"]])
    return {"data": data, "layout": layout}


def unit_map(landscape: dict, measurements: list[dict] = ()) -> Figure:
    """Best predicted lifetime per unit structure, coloured by its logarithm: one long-lived unit would
    otherwise paint every other one the same colour. Once a cell has failed, each unit's P(feasible) is
    written in its square (✕ below 0.5: never recommended) and the failed cells are marked on their unit."""
    grid = landscape["unit_map"]
    shades = [[None if h is None else math.log10(h) for h in row] for row in grid["best_median_h"]]
    ticks = [h for h in (10, 30, 100, 300, 1000, 3000, 10000, 30000) if any(
        v is not None and abs(math.log10(h) - v) < 1.5 for row in shades for v in row)]
    heatmap = {"type": "heatmap", "x": grid["ald_cycles"], "y": grid["mld_cycles"], "z": shades,
               "customdata": grid["best_median_h"], "text": grid["best_recipe"], "colorscale": "Viridis",
               "colorbar": {"title": {"text": "h"}, "tickvals": [math.log10(h) for h in ticks], "ticktext": ticks},
               "hovertemplate": "%{text}<br>best predicted %{customdata:.0f} h<extra></extra>"}
    title = "Best predicted lifetime of each unit structure"
    data = [heatmap]
    feasible = grid.get("probability_feasible")
    if feasible:
        # a heatmap's texttemplate reads only x, y, z and text: P(feasible) goes in text, the recipe in customdata
        heatmap["customdata"] = [[[h, r] for h, r in zip(hours, names)]
                                 for hours, names in zip(grid["best_median_h"], grid["best_recipe"])]
        heatmap["text"] = [[None if p is None else f"{'✕ ' if p < MIN_FEASIBLE else ''}{p:.2f}" for p in row] for row in feasible]
        heatmap["hovertemplate"] = "%{customdata[1]}<br>best predicted %{customdata[0]:.0f} h<br>P(feasible) %{text}<extra></extra>"
        heatmap["texttemplate"] = "%{text}"
        heatmap["textfont"] = {"size": 11}
        title += "<br><sub>in each square P(feasible) of its best recipe (✕ below 0.5: never recommended); × a failed cell</sub>"
    failed = [m for m in measurements if m.get("state") == "failed"]
    if failed:
        units = [Recipe.parse(m["recipe"]) for m in failed]
        # below the square's centre, where its P(feasible) is written
        data.append({"type": "scatter", "mode": "markers", "name": "failed cell", "x": [u.ald_cycles for u in units],
                     "y": [u.mld_cycles - FAILED_OFFSET for u in units],
                     "marker": {"symbol": "x", "size": 9, "color": "#d6604d", "line": {"width": 1, "color": "#fff"}},
                     "text": [f"{m['recipe']}: {m.get('failure_reason') or 'failed'}" for m in failed],
                     "hovertemplate": "%{text}<extra>failed</extra>"})
    return {"data": data, "layout": base_layout(title, "ALD cycles per unit", "MLD cycles per unit",
                                                margin={"l": 60, "r": 20, "t": 70, "b": 50})}


def pareto_front(recommendation: dict, measurements: list[dict], target: dict | None = None) -> Figure:
    """Lifetime against overpotential: the predicted Pareto set (each recipe with both 90 % intervals) and
    the cells that reported an overpotential; under a constraint its bound, dashed, and the recommended recipe."""
    entries = sorted(recommendation.get("pareto") or [], key=lambda e: e["predicted_overpotential_mv"])
    data = []
    if entries:
        op = [e["predicted_overpotential_mv"] for e in entries]
        life = [e["predicted_lifetime_h"] for e in entries]
        data.append({"type": "scatter", "mode": "lines+markers", "name": "predicted Pareto set, 90 % intervals",
                     "x": op, "y": life, "text": [e["recipe"] for e in entries], "line": {"shape": "hv", "color": PALETTE[0]},
                     "marker": {"size": 8, "color": PALETTE[0]},
                     "hovertemplate": "%{text}<br>%{x:.0f} mV, %{y:.0f} h<extra></extra>",
                     "error_x": {"type": "data", "symmetric": False, "color": rgba(PALETTE[0], 0.4),
                                 "array": [e["overpotential_interval_mv"][1] - v for e, v in zip(entries, op)],
                                 "arrayminus": [v - e["overpotential_interval_mv"][0] for e, v in zip(entries, op)]},
                     "error_y": {"type": "data", "symmetric": False, "color": rgba(PALETTE[0], 0.4),
                                 "array": [e["interval_h"][1] - v for e, v in zip(entries, life)],
                                 "arrayminus": [v - e["interval_h"][0] for e, v in zip(entries, life)]}})
    elif "predicted_overpotential_mv" in recommendation:
        data.append({"type": "scatter", "mode": "markers", "name": f"recommended {recommendation['recipe']}",
                     "x": [recommendation["predicted_overpotential_mv"]], "y": [recommendation["predicted_lifetime_h"]],
                     "marker": {"symbol": "star", "size": 14, "color": PALETTE[0]}})
    data += _cells(measurements, lambda m: m["overpotential_mv"], target=target)
    layout = base_layout("Lifetime against overpotential" + (": the predicted Pareto set" if entries else ""),
                         "overpotential (mV)", "lifetime (h)")
    layout["yaxis"] |= log_axis([v for trace in data for v in trace["y"]])
    limit = recommendation.get("constraint")
    if limit:
        # the only outcome a constraint can name besides lifetime is the overpotential: the x axis
        bound = OutcomeConstraint.parse(limit).bound
        layout["shapes"] = [{"type": "line", "x0": bound, "x1": bound, "yref": "paper", "y0": 0, "y1": 1,
                             "line": {"dash": "dash", "color": "#d6604d"}}]
        layout["title"]["text"] += f"<br><sub>dashed: the constraint {limit}</sub>"
        layout["margin"]["t"] = 70
    return {"data": data, "layout": layout}


def _batch_starts(proposals: list[dict], measurements: list[dict]) -> list[int]:
    """Cells measured when each proposal batch was made (a batch is one proposal job)."""
    made: dict[str, str] = {}
    for proposal in proposals:
        made[proposal["job_id"]] = min(made.get(proposal["job_id"], proposal["created_at"]), proposal["created_at"])
    return [sum(m["created_at"] < created for m in measurements) for created in sorted(made.values())]


def progress(landscape: dict, recommendation: dict, proposals: list[dict], measurements: list[dict]) -> Figure:
    """Best observed cell against cells measured (▲ where it is a lower bound), the model's best now, batches marked."""
    series = landscape["progress"]
    symbols = ["triangle-up" if censored else "circle" for censored in series["best_observed_censored"]]
    # the model's best predicted recipe at each data version, with its 90 % interval
    history = recommendation.get("history") or [{**recommendation, "cells": len(series["cells"])}]
    medians = [entry["predicted_lifetime_h"] for entry in history]
    data = [{"type": "scatter", "mode": "lines+markers", "name": "best observed cell (▲: lower bound)",
             "x": series["cells"], "y": series["best_observed_h"], "line": {"shape": "hv", "color": "#1b1b1b"},
             "marker": {"symbol": symbols, "size": 9}},
            {"type": "scatter", "mode": "lines+markers", "name": f"model's best predicted (now {recommendation['recipe']})",
             "x": [entry["cells"] for entry in history], "y": medians, "text": [entry["recipe"] for entry in history],
             "marker": {"color": PALETTE[0], "size": 8}, "line": {"color": PALETTE[0], "dash": "dash"},
             "hovertemplate": "%{text}<br>%{y:.0f} h<extra></extra>",
             "error_y": {"type": "data", "symmetric": False, "color": rgba(PALETTE[0], 0.5),
                         "array": [e["interval_h"][1] - m for e, m in zip(history, medians)],
                         "arrayminus": [m - e["interval_h"][0] for e, m in zip(history, medians)]}}]
    shapes = [{"type": "line", "x0": start + 0.5, "x1": start + 0.5, "yref": "paper", "y0": 0, "y1": 1,
               "line": {"dash": "dot", "color": "#999"}} for start in _batch_starts(proposals, measurements)]
    layout = base_layout("Progress (dotted: a batch proposed)", "cells measured", "lifetime (h)", shapes=shapes)
    if len(series["cells"]) <= 20:
        layout["xaxis"]["dtick"] = 1  # whole cells, not 0.5
    return {"data": data, "layout": layout}


def probability_best(landscape: dict) -> Figure:
    rows = landscape["probability_best"][::-1]
    return {"data": [{"type": "bar", "orientation": "h", "x": [r["probability_best"] for r in rows],
                      "y": [r["recipe"] for r in rows], "marker": {"color": PALETTE[0]},
                      "hovertemplate": "%{y}: %{x:.1%}<extra></extra>"}],
            "layout": base_layout("Probability of being the best recipe, top 10", "probability", "",
                                  margin={"l": 170, "r": 20, "t": 50, "b": 50}, xaxis={"tickformat": ".0%"})}


def physics_prior(landscape: dict, recommendation: dict, measurements: list[dict], target: dict | None = None) -> Figure:
    """The physics prior's shape along the best unit against the cells, titled with the guard's decision
    (kept while it predicts this metal's held-out cells at least as well as no physics)."""
    hyper = recommendation.get("hyperparameters", {})
    scores = hyper.get("physics_held_out_log_density") or {}
    prior = landscape.get("prior")
    decision = ("kept" if hyper.get("physics") else "dropped") if prior else "off"
    title = f"What the physics expects, and the cells (physics {decision})"
    reason = hyper.get("physics_reason", "no decision yet")
    if scores:
        # the guard's held-out log densities: how likely each model found the cells it was not fitted to
        reason += "; fit to unseen cells (higher is better): " + ", ".join(
            f"{name.replace('_', ' ')} {value:.1f}" for name, value in scores.items())
    title += f"<br><sub>{reason}</sub>"
    layout = base_layout(title, "film thickness (nm)", "lifetime (h)", margin={"l": 60, "r": 60, "t": 70, "b": 50})
    data = _cells(measurements, lambda m: thickness_nm(m["recipe"]), target=target)
    layout["xaxis"] |= log_axis([v for trace in data for v in trace["x"]] + ((prior or {}).get("thickness_nm") or []))
    layout["yaxis"] |= log_axis([v for trace in data for v in trace["y"]])
    if prior:
        layout["yaxis2"] = {"title": {"text": "physics' lifetime, relative (1: its optimum)"}, "overlaying": "y",
                            "side": "right", "range": [0, 1.05], "showgrid": False,
                            # its own ticks: Plotly otherwise lines them up with the log axis's, unreadably
                            "tickmode": "linear", "tick0": 0, "dtick": 0.25}
        data.insert(0, {"type": "scatter", "mode": "lines", "name": f"prior shape, {prior['unit']} (right axis)",
                        "x": prior["thickness_nm"], "y": prior["relative_lifetime"], "yaxis": "y2",
                        "line": {"color": PALETTE[1], "dash": "dot"}})
    return {"data": data, "layout": layout}


def campaign_figures(state: dict) -> dict[str, Figure]:
    """Every figure of a campaign page, by name; none until a recommendation (with its landscape) is stored."""
    recommendation = state.get("recommendation")
    landscape = (recommendation or {}).get("landscape")
    if not landscape:
        return {}
    measurements, target = state["measurements"], state["campaign"].get("condition")
    figures = {"lifetime": lifetime_vs_thickness(landscape, measurements, target),
               "unit_map": unit_map(landscape, measurements),
               "progress": progress(landscape, recommendation, state["proposals"], measurements),
               "survival": lifetime_strip(measurements, lambda m: _at_target(m, target),
                                          lambda m: condition_text(m.get("condition"))),
               "probability_best": probability_best(landscape),
               "physics": physics_prior(landscape, recommendation, measurements, target)}
    if "predicted_overpotential_mv" in recommendation:
        figures["pareto"] = pareto_front(recommendation, measurements, target)
    return {name: figure | {"caption": CAPTIONS[name]} for name, figure in figures.items()}
