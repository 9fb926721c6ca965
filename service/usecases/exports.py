"""A campaign as an electronic lab notebook files it: the cells with their records, the proposals and the
recommendation at each data version, with provenance (who exported what, when, from which service and
under which campaign settings). JSON carries all of it; CSV one table at a time."""

from __future__ import annotations

from datetime import datetime, timezone
from importlib.metadata import PackageNotFoundError, version
from typing import Any

from ..settings import Settings
from ..store.db import transaction
from ..store.recommendation_records import StoredRecommendations
from . import campaigns, measurements, proposals

TABLES = ("cells", "proposals", "recommendations")


def _interlayer_version() -> str:
    try:
        return version("interlayer")
    except PackageNotFoundError:  # run from a source tree without an install
        return "unknown"


def campaign_export(settings: Settings, owner: str, campaign_id: str) -> dict[str, Any]:
    """Everything the lab needs to file the campaign, in one document."""
    campaign = campaigns.show_campaign(settings, owner, campaign_id)
    cells = measurements.list_measurements(settings, owner, campaign_id)
    batch = proposals.list_proposals(settings, owner, campaign_id, None)
    with transaction(settings) as session:
        stored = StoredRecommendations(session).latest(campaign_id)
        document = dict(stored.document) if stored else {}
        computed_at = stored.created_at.isoformat() if stored else None
    history = [dict(entry) for entry in document.get("history", [])]
    if history:  # the last entry is the stored recommendation itself: say when it was computed
        history[-1]["computed_at"] = computed_at
    provenance = {"exported_at": datetime.now(timezone.utc).isoformat(timespec="seconds"), "exported_by": owner,
                  "interlayer_version": _interlayer_version(), "campaign_id": campaign_id,
                  "data_version": campaign["data_version"], "recommendation_data_version": document.get("data_version",
                                                                                                        stored and stored.data_version),
                  "campaign_settings": {key: campaign.get(key) for key in ("metal", "space", "physics", "acquisition", "seed",
                                                                           "objectives", "constraint", "condition",
                                                                           "related_campaigns")}}
    return {"provenance": provenance, "campaign": campaign, "cells": cells, "proposals": batch,
            "recommendations": history}


def _cell_row(cell: dict) -> dict[str, Any]:
    condition = cell.get("condition") or {}
    return {key: value for key, value in cell.items() if key not in ("condition", "campaign_id")} | {
        "current_density_ma_cm2": condition.get("current_density_ma_cm2"), "capacity_mah_cm2": condition.get("capacity_mah_cm2")}


def _proposal_row(proposal: dict) -> dict[str, Any]:
    low, high = proposal.get("interval_h") or (None, None)
    return {"id": proposal["id"], "job_id": proposal["job_id"], "recipe": proposal["recipe"], "status": proposal.get("status"),
            "thickness_nm": proposal.get("thickness_nm"), "predicted_lifetime_h": proposal.get("predicted_lifetime_h"),
            "interval_low_h": low, "interval_high_h": high, "acquisition_value": proposal.get("acquisition_value"),
            "created_at": proposal.get("created_at")}


def _recommendation_row(entry: dict) -> dict[str, Any]:
    low, high = entry.get("interval_h") or (None, None)
    return {"data_version": entry.get("data_version"), "cells": entry.get("cells"), "recipe": entry.get("recipe"),
            "predicted_lifetime_h": entry.get("predicted_lifetime_h"), "interval_low_h": low, "interval_high_h": high,
            "computed_at": entry.get("computed_at")}


def export_rows(document: dict[str, Any], table: str) -> list[dict[str, Any]]:
    """One table of ``campaign_export``'s document as flat rows, each led by the provenance a row needs alone."""
    row_of = {"cells": _cell_row, "proposals": _proposal_row, "recommendations": _recommendation_row}[table]
    provenance = document["provenance"]
    lead = {"campaign_id": provenance["campaign_id"], "data_version": provenance["data_version"],
            "exported_at": provenance["exported_at"], "interlayer_version": provenance["interlayer_version"]}
    return [lead | row_of(item) for item in document[table]]
