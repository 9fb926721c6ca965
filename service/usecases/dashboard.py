"""What the dashboard and the report show, gathered from the stored rows as the API serves them.

No model is fitted here: the recommendation and its landscape come from the refit job (``recommendations``);
these use cases only collect the documents a page needs.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from interlayer.surrogate.fit import CampaignError

from ..errors import NotFound
from ..settings import Settings
from ..store import tables
from ..store.db import transaction
from . import campaigns, measurements, proposals, recommendations


def _activity(session: Session, owner: str) -> dict[str, dict[str, Any]]:
    """Per campaign of ``owner``: cells, censored cells, the last report and the last proposal."""
    owned = select(tables.Campaign.id).where(tables.Campaign.owner == owner)
    cells = session.execute(
        select(tables.Measurement.campaign_id, func.count(), func.sum(case((tables.Measurement.censored, 1), else_=0)),
               func.max(tables.Measurement.updated_at))
        .where(tables.Measurement.campaign_id.in_(owned)).group_by(tables.Measurement.campaign_id)).all()
    proposed = dict(session.execute(
        select(tables.Proposal.campaign_id, func.max(tables.Proposal.created_at))
        .where(tables.Proposal.campaign_id.in_(owned)).group_by(tables.Proposal.campaign_id)).all())
    out: dict[str, dict[str, Any]] = {}
    for campaign_id, count, censored, reported in cells:
        out[campaign_id] = {"cells": count, "censored": int(censored or 0), "last_report": reported}
    for campaign_id, created in proposed.items():
        out.setdefault(campaign_id, {})["last_proposal"] = created
    return out


def campaign_summaries(settings: Settings, owner: str) -> list[dict[str, Any]]:
    """The owner's campaigns with cells measured and censored, best observed cell, current recommendation
    (``stale`` while its refit for newer data is under way) and last activity."""
    with transaction(settings) as session:
        rows = list(session.scalars(select(tables.Campaign).where(tables.Campaign.owner == owner)
                                    .order_by(tables.Campaign.created_at)))
        activity = _activity(session, owner)
        stored = {r.campaign_id: r for r in session.scalars(select(tables.Recommendation).where(
            tables.Recommendation.campaign_id.in_([row.id for row in rows])))}
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
        row = session.get(tables.Campaign, campaign_id)
        if row is None:
            raise NotFound(f"campaign {campaign_id} not found")
        return row.owner


def stored_state(settings: Settings, campaign_id: str) -> dict[str, Any]:
    """For commands run on the database itself (``interlayer report``): the campaign state with the last
    stored recommendation, refitted for the current data or not (``stale``); no job is queued."""
    owner = campaign_owner(settings, campaign_id)
    campaign = campaigns.show_campaign(settings, owner, campaign_id)
    with transaction(settings) as session:
        stored = session.get(tables.Recommendation, campaign_id)
        recommendation = None if stored is None else {
            "campaign_id": campaign_id, "data_version": stored.data_version, "computed_at": stored.created_at.isoformat(),
            "stale": stored.data_version != campaign["data_version"], **stored.document}
    return {"campaign": campaign, "recommendation": recommendation, "refit_job": None, "refit_error": None,
            "proposals": proposals.list_proposals(settings, owner, campaign_id, None),
            "measurements": measurements.list_measurements(settings, owner, campaign_id)}
