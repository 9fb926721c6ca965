"""Plotly figures of a campaign, built from plain data: the documents the API serves (campaign,
recommendation with its landscape, proposals, measurements). The pages and ``interlayer report`` both
draw these; every number plotted was computed by the surrogate in the refit job, none here.

Figures are Plotly's JSON (``{"data": [...], "layout": {...}}``) for ``Plotly.newPlot``: plain
dictionaries, so a page costs no plotly import and no figure validation per request.
"""

from __future__ import annotations

import math
from functools import lru_cache
from typing import Any

from interlayer.models.recipe import Recipe

Figure = dict[str, Any]
SHORTED = {"symbol": "circle", "size": 9, "color": "#1b1b1b"}
# a censored cell is drawn at its bound, pointing up: it lived at least this long
CENSORED = {"symbol": "triangle-up", "size": 11, "color": "#d6604d", "line": {"width": 1, "color": "#1b1b1b"}}
PALETTE = ("#2166ac", "#1b9e77", "#7570b3", "#e7298a", "#66a61e", "#e6ab02", "#a6761d", "#666666")


def _layout(title: str, x: str, y: str, **extra: Any) -> dict[str, Any]:
    return {"title": {"text": title}, "xaxis": {"title": {"text": x}}, "yaxis": {"title": {"text": y}},
            "margin": {"l": 60, "r": 20, "t": 50, "b": 50},
            # below the x axis's title: Plotly anchors a low legend by its bottom unless told otherwise
            "legend": {"orientation": "h", "y": -0.3, "yanchor": "top"}, **extra}


def _rgba(color: str, alpha: float) -> str:
    red, green, blue = (int(color[i:i + 2], 16) for i in (1, 3, 5))
    return f"rgba({red},{green},{blue},{alpha})"


@lru_cache(maxsize=65536)
def thickness_nm(recipe: str) -> float:
    """A recipe's film thickness; cached, as a page draws the same few hundred cells on every request."""
    return Recipe.parse(recipe).thickness_nm


def _cells(measurements: list[dict], x_of) -> list[dict]:
    """Measured cells as two scatter traces: shorted ones at their lifetime, censored ones as ▲ at their bound."""
    traces = []
    kinds = ((False, "cell (shorted)", SHORTED), (True, "cell ▲ lower bound (running or stopped)", CENSORED))
    for censored, name, marker in kinds:
        chosen = [m for m in measurements if m["censored"] is censored]
        if chosen:
            traces.append({"type": "scatter", "mode": "markers", "name": name, "marker": marker,
                           "x": [x_of(m) for m in chosen], "y": [m["lifetime_h"] for m in chosen],
                           "text": [m["recipe"] for m in chosen], "hovertemplate": "%{text}<br>%{y:.0f} h<extra></extra>"})
    return traces


def lifetime_vs_thickness(landscape: dict, measurements: list[dict]) -> Figure:
    """Predicted median lifetime with its 90 % band against thickness for the best unit structures, and the cells."""
    data = []
    for curve, color in zip(landscape["curves"], PALETTE):
        x = curve["thickness_nm"]
        data.append({"type": "scatter", "mode": "lines", "x": x + x[::-1], "y": curve["high_h"] + curve["low_h"][::-1],
                     "fill": "toself", "fillcolor": _rgba(color, 0.15), "line": {"width": 0}, "hoverinfo": "skip",
                     "showlegend": False, "legendgroup": curve["unit"]})
        data.append({"type": "scatter", "mode": "lines", "name": f"{curve['unit']} median, 90 % band", "x": x,
                     "y": curve["median_h"], "line": {"color": color}, "legendgroup": curve["unit"]})
    data += _cells(measurements, lambda m: thickness_nm(m["recipe"]))
    # both axes in logs: films span 0.4–40 nm, lifetimes an order of magnitude or two
    layout = _layout("Predicted lifetime against thickness, best unit structures", "film thickness (nm)", "lifetime (h)")
    layout["xaxis"]["type"] = layout["yaxis"]["type"] = "log"
    return {"data": data, "layout": layout}


def unit_map(landscape: dict) -> Figure:
    """Best predicted lifetime per unit structure, coloured by its logarithm: one long-lived unit would
    otherwise paint every other one the same colour."""
    grid = landscape["unit_map"]
    shades = [[None if h is None else math.log10(h) for h in row] for row in grid["best_median_h"]]
    ticks = [h for h in (10, 30, 100, 300, 1000, 3000, 10000, 30000) if any(
        v is not None and abs(math.log10(h) - v) < 1.5 for row in shades for v in row)]
    return {"data": [{"type": "heatmap", "x": grid["ald_cycles"], "y": grid["mld_cycles"], "z": shades,
                      "customdata": grid["best_median_h"], "text": grid["best_recipe"], "colorscale": "Viridis",
                      "colorbar": {"title": {"text": "h"}, "tickvals": [math.log10(h) for h in ticks], "ticktext": ticks},
                      "hovertemplate": "%{text}<br>best predicted %{customdata:.0f} h<extra></extra>"}],
            "layout": _layout("Best predicted lifetime of each unit structure", "ALD cycles per unit", "MLD cycles per unit")}


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
             "error_y": {"type": "data", "symmetric": False, "color": _rgba(PALETTE[0], 0.5),
                         "array": [e["interval_h"][1] - m for e, m in zip(history, medians)],
                         "arrayminus": [m - e["interval_h"][0] for e, m in zip(history, medians)]}}]
    shapes = [{"type": "line", "x0": start + 0.5, "x1": start + 0.5, "yref": "paper", "y0": 0, "y1": 1,
               "line": {"dash": "dot", "color": "#999"}} for start in _batch_starts(proposals, measurements)]
    layout = _layout("Progress (dotted: a batch proposed)", "cells measured", "lifetime (h)", shapes=shapes)
    if len(series["cells"]) <= 20:
        layout["xaxis"]["dtick"] = 1  # whole cells, not 0.5
    return {"data": data, "layout": layout}


def survival(landscape: dict) -> Figure:
    """Kaplan–Meier survival of the cells of each recipe, censored cells as ticks on their curve."""
    data = []
    for index, curve in enumerate(landscape["survival"]):
        color = PALETTE[index % len(PALETTE)]
        data.append({"type": "scatter", "mode": "lines", "name": f"{curve['recipe']} ({curve['cells']})",
                     "x": curve["hours"], "y": curve["alive"], "line": {"color": color}, "legendgroup": curve["recipe"]})
        if curve["censored_h"]:
            data.append({"type": "scatter", "mode": "markers", "x": curve["censored_h"], "y": curve["censored_alive"],
                         "marker": {"symbol": "line-ns-open", "size": 14, "color": color}, "showlegend": False,
                         "legendgroup": curve["recipe"], "hovertemplate": "censored at %{x:.0f} h<extra></extra>"})
    layout = _layout("Survival by recipe, the 10 with most cells (Kaplan–Meier; ticks: censored)",
                     "hours cycled", "fraction not shorted")
    layout["yaxis"]["range"] = [0, 1.05]
    layout["legend"]["y"] = -0.35  # up to five rows of recipes below the axis title
    return {"data": data, "layout": layout}


def probability_best(landscape: dict) -> Figure:
    rows = landscape["probability_best"][::-1]
    return {"data": [{"type": "bar", "orientation": "h", "x": [r["probability_best"] for r in rows],
                      "y": [r["recipe"] for r in rows], "marker": {"color": PALETTE[0]},
                      "hovertemplate": "%{y}: %{x:.1%}<extra></extra>"}],
            "layout": _layout("Probability of being the best recipe, top 10", "probability", "",
                              margin={"l": 170, "r": 20, "t": 50, "b": 50}, xaxis={"tickformat": ".0%"})}


def physics_prior(landscape: dict, recommendation: dict, measurements: list[dict]) -> Figure:
    """The physics prior's shape along the best unit against the cells, titled with the guard's decision
    (kept while it predicts this metal's held-out cells at least as well as no physics)."""
    hyper = recommendation.get("hyperparameters", {})
    scores = hyper.get("physics_held_out_log_density") or {}
    prior = landscape.get("prior")
    decision = ("kept" if hyper.get("physics") else "dropped") if prior else "off"
    title = f"Physics prior {decision}: {hyper.get('physics_reason', 'no decision yet')}"
    if scores:
        title += "<br><sub>held-out log density " + ", ".join(f"{name.replace('_', ' ')} {value:.1f}"
                                                              for name, value in scores.items()) + "</sub>"
    layout = _layout(title, "film thickness (nm)", "lifetime (h)", margin={"l": 60, "r": 60, "t": 70, "b": 50})
    layout["xaxis"]["type"] = layout["yaxis"]["type"] = "log"
    data = _cells(measurements, lambda m: thickness_nm(m["recipe"]))
    if prior:
        layout["yaxis2"] = {"title": {"text": "prior lifetime, relative (1: physics optimum)"}, "overlaying": "y",
                            "side": "right", "rangemode": "tozero", "showgrid": False,
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
    measurements = state["measurements"]
    return {"lifetime": lifetime_vs_thickness(landscape, measurements), "unit_map": unit_map(landscape),
            "progress": progress(landscape, recommendation, state["proposals"], measurements),
            "survival": survival(landscape), "probability_best": probability_best(landscape),
            "physics": physics_prior(landscape, recommendation, measurements)}


def simulation_figures(simulation: dict | None) -> dict[str, Figure]:
    """A simulation's stored result drawn: a phase-field run's maps (order parameter, concentration), the
    bump's amplitude over time and the tip-to-valley stress; a CZM run's interface opening along the radius."""
    result = (simulation or {}).get("result") or {}
    if "profile_opening_nm" in result:
        return {"opening": _opening(result)}
    if "amplitude_nm" not in result:
        return {}
    figures = {name: _field_map(result, key, title, scale) for name, key, title, scale in (
        ("order_parameter", "order_parameter_map", "Order parameter ξ at the end (1 metal, 0 electrolyte)", "Greys"),
        ("concentration", "concentration_map", "Li⁺ / Na⁺ concentration c/c0 at the end", "Viridis")) if key in result}
    return figures | {
        "amplitude": {"data": [{"type": "scatter", "mode": "lines", "x": result["time_s"], "y": result["amplitude_nm"],
                                "name": "bump amplitude"}],
                      "layout": _layout("Amplitude of the surface bump while plating", "time (s)", "amplitude (nm)")},
        "stress": {"data": [{"type": "scatter", "mode": "lines", "x": result["profile_distance_nm"],
                             "y": result["profile_stress_mpa"], "name": "interfacial stress"}],
                   "layout": _layout("Film stress from tip to valley", "distance from the tip (nm)", "stress (MPa)")},
        "surface": {"data": [{"type": "scatter", "mode": "lines", "y": result["final_surface_nm"], "name": "surface"}],
                    "layout": _layout("Metal surface at the end", "grid point along the surface", "height (nm)")}}


def _field_map(result: dict, key: str, title: str, colorscale: str) -> Figure:
    return {"data": [{"type": "heatmap", "z": result[key], "x": result["map_x_nm"], "y": result["map_y_nm"],
                      "colorscale": colorscale, "colorbar": {"thickness": 12}}],
            "layout": _layout(title, "x (nm)", "height (nm)", yaxis={"scaleanchor": "x", "title": {"text": "height (nm)"}})}


def _opening(result: dict) -> Figure:
    debond = result.get("debond_length_nm")
    shapes = [] if debond is None else [{"type": "line", "x0": debond, "x1": debond, "yref": "paper", "y0": 0, "y1": 1,
                                         "line": {"dash": "dot", "color": "#888"}}]
    return {"data": [{"type": "scatter", "mode": "lines", "x": result["profile_radius_nm"],
                      "y": result["profile_opening_nm"], "name": "interface opening"}],
            "layout": _layout("Interface opening along the radius (dotted: the debonded zone's edge)",
                              "radius (nm)", "opening (nm)", shapes=shapes)}
