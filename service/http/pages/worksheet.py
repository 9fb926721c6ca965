"""The coating worksheet: the pending proposals as a reactor operator reads them, on screen and as CSV, each
with why it is there (exploit, explore, replicate), its predicted lifetime and interval, its expected
improvement over the best cell so far and its distance to the nearest tested cell; optionally the
recommended recipe once more, to replicate it."""

from __future__ import annotations

import csv
import io
from collections import Counter
from typing import Any

from interlayer.models.recipe import Recipe
from interlayer.surrogate.worksheet_reasons import expected_improvement_h, nearest_tested, role

COLUMNS = ("proposal_id", "recipe", "role", "reason", "deposition_sequence", "thickness_nm", "predicted_lifetime_h",
           "interval_low_h", "interval_high_h", "expected_improvement_h", "nearest_tested", "distance_to_tested")


def _reason(kind: str, median_h: float, interval: tuple[float, float], recommended: dict, cells: int) -> str:
    if kind == "replicate":
        return f"{cells} cell(s) of this recipe already: another narrows its lifetime"
    if kind == "exploit":
        return f"predicted near the recommendation's {recommended['predicted_lifetime_h']:,.0f} h"
    return (f"predicted below the recommendation's {recommended['predicted_lifetime_h']:,.0f} h but uncertain "
            f"({interval[1] / interval[0]:,.0f}-fold interval): a cell here teaches the model most")


def _row(proposal: dict, recipe: Recipe, nearest: tuple, cells: int, best_h: float | None,
         recommended: dict | None) -> dict[str, Any]:
    low, high = proposal["interval_h"]
    median = proposal["predicted_lifetime_h"]
    near, distance = nearest
    kind = role(median, recommended["predicted_lifetime_h"], cells) if recommended else ("replicate" if cells else "explore")
    improvement = expected_improvement_h(median, (low, high), best_h)
    return {"proposal_id": proposal.get("id", ""), "recipe": proposal["recipe"], "role": kind,
            "reason": _reason(kind, median, (low, high), recommended, cells) if recommended else "",
            "deposition_sequence": recipe.deposition_sequence, "thickness_nm": round(recipe.thickness_nm, 2),
            "predicted_lifetime_h": round(median), "interval_low_h": round(low), "interval_high_h": round(high),
            "expected_improvement_h": None if improvement is None else round(improvement),
            "nearest_tested": str(near) if near else "", "distance_to_tested": None if distance is None else round(distance, 3)}


def worksheet_rows(proposals: list[dict[str, Any]], measurements: list[dict[str, Any]] = (),
                   recommendation: dict[str, Any] | None = None, replicate: bool = False) -> list[dict[str, Any]]:
    """One row per pending proposal, in the order proposed; with ``replicate``, the recommended recipe last
    (when the batch does not hold it already)."""
    counts = Counter(m["recipe"] for m in measurements)
    tested = [Recipe.parse(text) for text in counts]
    finished = [m["lifetime_h"] for m in measurements if m["lifetime_h"] is not None]
    best_h = max(finished) if finished else None
    chosen = [p for p in proposals if p.get("status") == "pending"]
    if replicate and recommendation and recommendation["recipe"] not in {p["recipe"] for p in chosen}:
        chosen.append({"recipe": recommendation["recipe"], "predicted_lifetime_h": recommendation["predicted_lifetime_h"],
                       "interval_h": recommendation["interval_h"], "replicate": True})
    recipes = [Recipe.parse(p["recipe"]) for p in chosen]
    rows = [_row(p, recipe, nearest, counts[p["recipe"]], best_h, recommendation)
            for p, recipe, nearest in zip(chosen, recipes, nearest_tested(recipes, tested))]
    return [row | {"role": "replicate", "reason": "the recommended recipe, coated again to confirm it"}
            if p.get("replicate") else row for p, row in zip(chosen, rows)]


def worksheet_csv(rows: list[dict[str, Any]]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


