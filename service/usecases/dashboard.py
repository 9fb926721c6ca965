"""What the dashboard and the report show, gathered from the stored rows as the API serves them.

No model is fitted here: the recommendation and its landscape come from the refit job (``recommendations``);
these use cases only collect the documents a page needs.
"""

from __future__ import annotations

from typing import Any

from interlayer.surrogate.fit import CampaignError

from ..errors import NotFound
from ..settings import Settings
from ..store.campaigns import Campaigns
from ..store.db import transaction
from ..store.recommendations import Recommendations
from . import campaigns, measurements, proposals, recommendations


def campaign_summaries(settings: Settings, owner: str) -> list[dict[str, Any]]:
    """The owner's campaigns with cells measured and censored, best observed cell, current recommendation
    (``stale`` while its refit for newer data is under way) and last activity."""
    with transaction(settings) as session:
        campaigns_of = Campaigns(session)
        rows = campaigns_of.of_owner(owner)
        activity = campaigns_of.activity(owner)
        stored = Recommendations(session).of_campaigns([row.id for row in rows])
        out = []
        for row in rows:
            seen = activity.get(row.id, {})
            recommendation = stored.get(row.id)
            times = [t for t in (row.created_at, seen.get("last_report"), seen.get("last_proposal")) if t is not None]
            out.append({"id": row.id, "name": row.name, "metal": row.metal, "cells": seen.get("cells", 0),
                        "censored": seen.get("censored", 0),
                        "best_observed": recommendation.document.get("best_observed") if recommendation else None,
                        "recommended": recommendation.document["recipe"] if recommendation else None,
                        "stale": recommendation is not None and recommendation.data_version != row.data_version,
                        "last_activity": max(times).isoformat()})
        return out


def campaign_state(settings: Settings, owner: str, campaign_id: str) -> dict[str, Any]:
    """The campaign, its recommendation (or the refit job computing it, or why the refit failed), its
    proposals and its measurements: the documents the API serves, together."""
    campaign = campaigns.show_campaign(settings, owner, campaign_id)
    try:
        answer = recommendations.current_recommendation(settings, owner, campaign_id)
        recommendation, refit, refit_error = answer.document, answer.job, None
    except CampaignError as error:
        recommendation, refit, refit_error = None, None, str(error)
    return {"campaign": campaign, "recommendation": recommendation, "refit_job": refit, "refit_error": refit_error,
            "proposals": proposals.list_proposals(settings, owner, campaign_id, None),
            "measurements": measurements.list_measurements(settings, owner, campaign_id)}


def campaign_owner(settings: Settings, campaign_id: str) -> str:
    """Who owns the campaign: for commands run on the database itself (``interlayer report``), which hold no key."""
    with transaction(settings) as session:
        row = Campaigns(session).get(campaign_id)
        if row is None:
            raise NotFound(f"campaign {campaign_id} not found")
        return row.owner


def stored_state(settings: Settings, campaign_id: str) -> dict[str, Any]:
    """For commands run on the database itself (``interlayer report``): the campaign state with the last
    stored recommendation, refitted for the current data or not (``stale``); no job is queued."""
    owner = campaign_owner(settings, campaign_id)
    campaign = campaigns.show_campaign(settings, owner, campaign_id)
    with transaction(settings) as session:
        stored = Recommendations(session).get(campaign_id)
        recommendation = None if stored is None else {
            "campaign_id": campaign_id, "data_version": stored.data_version, "computed_at": stored.created_at.isoformat(),
            "stale": stored.data_version != campaign["data_version"], **stored.document}
    return {"campaign": campaign, "recommendation": recommendation, "refit_job": None, "refit_error": None,
            "proposals": proposals.list_proposals(settings, owner, campaign_id, None),
            "measurements": measurements.list_measurements(settings, owner, campaign_id)}
