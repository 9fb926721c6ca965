"""The coating worksheet: the pending proposals as a reactor operator reads them, on screen and as CSV."""

from __future__ import annotations

import csv
import io
from typing import Any

from interlayer.models.recipe import Recipe

COLUMNS = ("proposal_id", "recipe", "deposition_sequence", "thickness_nm", "predicted_lifetime_h",
           "interval_low_h", "interval_high_h")


def worksheet_rows(proposals: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One row per pending proposal, in the order proposed."""
    rows = []
    for proposal in proposals:
        if proposal.get("status") != "pending":
            continue
        recipe = Recipe.parse(proposal["recipe"])
        low, high = proposal["interval_h"]
        rows.append({"proposal_id": proposal["id"], "recipe": proposal["recipe"],
                     "deposition_sequence": recipe.deposition_sequence, "thickness_nm": round(recipe.thickness_nm, 2),
                     "predicted_lifetime_h": round(proposal["predicted_lifetime_h"]),
                     "interval_low_h": round(low), "interval_high_h": round(high)})
    return rows


def worksheet_csv(rows: list[dict[str, Any]]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()
