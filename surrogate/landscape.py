"""What a campaign's model and cells say, as plain numbers to draw: lifetime against thickness per unit
structure, the best predicted lifetime per unit, who may be best, survival by recipe, progress.

Pure functions of a fitted posterior (log-lifetime mean and variance over the space's recipes) and of
the measurements; ``landscape(fit, seed)`` gathers them for a Fit. Censored cells stay lower bounds throughout.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

import numpy as np

from interlayer.models.recipe import Recipe

from .fit import Z90, Fit
from .measurement import Measurement
from .recommendation import best_draws

# Unit structures whose lifetime-vs-thickness curves are drawn (the best by predicted median).
CURVE_UNITS = 5
# Recipes listed with their probability of being best.
TOP_RECIPES = 10
# Points per curve: a unit can have a thousand thicknesses, more than a plot resolves (and a report carries).
CURVE_POINTS = 120
# Recipes whose survival is drawn: those with the most cells.
SURVIVAL_RECIPES = 10


def _hours(values) -> list[float]:
    # to 0.1 h: what a plot shows, and a third of the JSON of full floats
    return [round(float(v), 1) for v in values]


def _thinned(rows: list[int], keep: int) -> list[int]:
    """At most ``CURVE_POINTS`` of ``rows`` (sorted by thickness), evenly spread, always with row ``keep``."""
    if len(rows) <= CURVE_POINTS:
        return rows
    picks = set(np.linspace(0, len(rows) - 1, CURVE_POINTS).round().astype(int).tolist())
    return [row for position, row in enumerate(rows) if position in picks or row == keep]


def _interval_h(mean: np.ndarray, sd: np.ndarray, z90: float) -> tuple[np.ndarray, np.ndarray]:
    return np.exp(mean - z90 * sd), np.exp(mean + z90 * sd)


def unit_curves(recipes: Sequence[Recipe], mean: np.ndarray, sd: np.ndarray, z90: float,
                units: int = CURVE_UNITS) -> list[dict[str, Any]]:
    """Predicted median and 90 % interval of a new cell against thickness, for the ``units`` best unit structures."""
    by_unit: dict[tuple[int, int], list[int]] = defaultdict(list)
    for index, recipe in enumerate(recipes):
        by_unit[(recipe.ald_cycles, recipe.mld_cycles)].append(index)
    ranked = sorted(by_unit, key=lambda unit: -float(mean[by_unit[unit]].max()))[:units]
    low, high = _interval_h(mean, sd, z90)
    curves = []
    for ald, mld in ranked:
        members = by_unit[(ald, mld)]
        best = members[int(np.argmax(mean[members]))]
        rows = _thinned(sorted(members, key=lambda i: recipes[i].thickness_nm), best)
        curves.append({"ald_cycles": ald, "mld_cycles": mld, "unit": f"({ald}ALD-{mld}MLD)",
                       "thickness_nm": [recipes[i].thickness_nm for i in rows],
                       "median_h": _hours(np.exp(mean[rows])), "low_h": _hours(low[rows]), "high_h": _hours(high[rows])})
    return curves


def prior_shape(recipes: Sequence[Recipe], physics_index: np.ndarray, unit: tuple[int, int]) -> dict[str, Any]:
    """The physics prior's lifetime shape along thickness for one unit structure: exp(u), 1 at the physics optimum."""
    members = [i for i, r in enumerate(recipes) if (r.ald_cycles, r.mld_cycles) == unit]
    rows = _thinned(sorted(members, key=lambda i: recipes[i].thickness_nm), members[int(np.argmax(physics_index[members]))])
    return {"unit": f"({unit[0]}ALD-{unit[1]}MLD)", "thickness_nm": [recipes[i].thickness_nm for i in rows],
            "relative_lifetime": [round(float(v), 4) for v in np.exp(physics_index[rows])]}


def unit_map(recipes: Sequence[Recipe], mean: np.ndarray, feasible: np.ndarray | None = None) -> dict[str, Any]:
    """For every unit structure (ALD × MLD cycles) the best predicted median lifetime over its thicknesses,
    and, once a cell has failed, that recipe's probability of being made and tested at all."""
    best: dict[tuple[int, int], int] = {}
    for index, recipe in enumerate(recipes):
        unit = (recipe.ald_cycles, recipe.mld_cycles)
        if unit not in best or mean[index] > mean[best[unit]]:
            best[unit] = index
    ald = sorted({a for a, _ in best})
    mld = sorted({b for _, b in best})
    # None where the space has no recipe of that unit
    lifetime = [[round(math.exp(float(mean[best[(a, b)]]))) if (a, b) in best else None for a in ald] for b in mld]
    recipe = [[str(recipes[best[(a, b)]]) if (a, b) in best else None for a in ald] for b in mld]
    out = {"ald_cycles": ald, "mld_cycles": mld, "best_median_h": lifetime, "best_recipe": recipe}
    if feasible is not None:
        out["probability_feasible"] = [[round(float(feasible[best[(a, b)]]), 3) if (a, b) in best else None for a in ald]
                                       for b in mld]
    return out


def probability_best(recipes: Sequence[Recipe], rows: np.ndarray, winners: np.ndarray, mean: np.ndarray,
                     top: int = TOP_RECIPES) -> list[dict[str, Any]]:
    """The ``top`` recipes by their share of joint posterior draws in which they are best."""
    counts = {int(row): int(np.sum(winners == row)) for row in rows}
    ranked = sorted(counts, key=lambda row: (-counts[row], -float(mean[row])))[:top]
    return [{"recipe": str(recipes[row]), "probability_best": counts[row] / len(winners),
             "median_h": math.exp(float(mean[row]))} for row in ranked]


def kaplan_meier(measurements: Sequence[Measurement], recipes: int = SURVIVAL_RECIPES) -> list[dict[str, Any]]:
    """Survival of cells grouped by recipe, for the ``recipes`` recipes with the most cells (then the
    longest-lived): the Kaplan–Meier step curve (hours, fraction alive) and the hours at which cells were
    censored (still running or stopped), each at its curve's level there."""
    groups: dict[str, list[Measurement]] = defaultdict(list)
    for measurement in measurements:
        groups[str(measurement.recipe)].append(measurement)
    chosen = sorted(groups, key=lambda r: (-len(groups[r]), -max(m.lifetime_h for m in groups[r]), r))[:recipes]
    curves = []
    for recipe, cells in sorted((r, groups[r]) for r in chosen):
        hours, alive = [0.0], [1.0]
        censored_h, censored_level = [], []
        at_risk, level = len(cells), 1.0
        # at tied hours, deaths come before censoring (the usual convention)
        for cell in sorted(cells, key=lambda m: (m.lifetime_h, m.censored)):
            if cell.censored:
                censored_h.append(float(cell.lifetime_h))
                censored_level.append(level)
            else:
                hours.append(float(cell.lifetime_h))
                alive.append(level)
                level *= 1.0 - 1.0 / at_risk
                hours.append(float(cell.lifetime_h))
                alive.append(level)
            at_risk -= 1
        end = max(float(cell.lifetime_h) for cell in cells)
        hours.append(end)
        alive.append(level)
        curves.append({"recipe": recipe, "cells": len(cells), "hours": hours, "alive": alive,
                       "censored_h": censored_h, "censored_alive": censored_level})
    return curves


def progress(measurements: Sequence[Measurement]) -> dict[str, Any]:
    """The best cell so far against cells measured, in the order they were reported; a best that is
    censored is a lower bound."""
    best_h: list[float] = []
    best_censored: list[bool] = []
    top: Measurement | None = None
    for measurement in measurements:
        if top is None or (measurement.lifetime_h, measurement.censored) > (top.lifetime_h, top.censored):
            top = measurement
        best_h.append(float(top.lifetime_h))
        best_censored.append(top.censored)
    return {"cells": list(range(1, len(measurements) + 1)), "best_observed_h": best_h,
            "best_observed_censored": best_censored}


def landscape(fit: Fit, seed: int) -> dict[str, Any]:
    """What to draw: lifetime against thickness for the best units, the physics prior's shape along the
    best unit, the best lifetime per unit (with P(feasible) once a cell failed), the probability of being
    best of the top recipes, survival by recipe and the best cell so far."""
    posterior, recipes = fit.posterior, fit.recipes
    # a new cell's spread: the model's uncertainty and the cell-to-cell scatter, as in the proposals
    sd = np.sqrt(posterior.var + fit.model.noise_sd(0) ** 2)
    rows, winners = best_draws(fit, posterior, seed)
    best = recipes[int(np.argmax(posterior.mean))]
    prior = None if fit.inputs.physics is None else prior_shape(recipes, fit.view.space_index,
                                                                (best.ald_cycles, best.mld_cycles))
    # failed cells say nothing of a lifetime
    lifetimes = [m for m in fit.inputs.measurements if not m.failed]
    return {"curves": unit_curves(recipes, posterior.mean, sd, Z90), "prior": prior,
            "unit_map": unit_map(recipes, posterior.mean, fit.extras.feasible),
            "probability_best": probability_best(recipes, rows, winners, posterior.mean),
            "survival": kaplan_meier(lifetimes), "progress": progress(lifetimes)}
