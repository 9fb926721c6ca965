"""The recommendation: refitted by a job after every change of the measurements, stored with the data
version it was computed from, served from the store. The API process never fits a model."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from interlayer.surrogate.campaign import Campaign
from interlayer.surrogate.condition import Condition
from interlayer.surrogate.fit import CampaignError, Fit, FitCache

from ..errors import NotFound
from ..jobs.lifecycle import Claim, Waiting, create_job, finish
from ..jobs.queue import publish_committed
from ..settings import Settings
from ..store import tables
from ..store.db import Session, transaction
from ..store.jobs import Jobs
from ..store.recommendations import Recommendations
from ..store.vocabulary import JobKind, JobStatus
from .campaign_physics import fitted_campaign
from .campaigns import owned_campaign
from .views import job_view


def with_history(session: Session, campaign_id: str, data_version: int, document: dict) -> dict:
    """``document`` with the model's best at each data version so far, this one last (the progress plot draws it).

    Read from the stored row before the caller's upsert: two refits storing at once may drop one entry of
    the history, never the recommendation itself; the next refit writes the history on.
    """
    stored = Recommendations(session).get(campaign_id)
    earlier = [entry for entry in (stored.document.get("history", []) if stored else []) if entry["data_version"] < data_version]
    cells = len(document["landscape"]["progress"]["cells"])
    entry = {"data_version": data_version, "cells": cells, "recipe": document["recipe"],
             "predicted_lifetime_h": document["predicted_lifetime_h"], "interval_h": document["interval_h"]}
    return {**document, "history": [*earlier, entry]}


def store_recommendation(session: Session, campaign_id: str, data_version: int, document: dict) -> None:
    """Keep the recommendation of the newest data version (an older computation never overwrites a newer one).

    One upsert, so two jobs storing the first recommendation of a campaign at once both succeed.
    """
    Recommendations(session).keep_newest(campaign_id, data_version, document, tables.utcnow())


def recommendation_document(campaign: Campaign, fit: Fit) -> dict[str, Any]:
    """The recommendation as stored and served, with the landscape the dashboard and reports draw."""
    return {**campaign.recommend(fit=fit).as_dict(), "landscape": campaign.landscape(fit=fit)}


def refit(settings: Settings, claimed: Claim, fits: FitCache) -> Waiting | None:
    """The refit job: fit on the stored measurements, keep the recommendation for their data version.

    ``Waiting`` (no model built) while the physics it needs is still being computed.
    """
    fitted = fitted_campaign(settings, claimed.campaign_id, fits)
    if isinstance(fitted, Waiting):
        return fitted
    state, campaign, fit = fitted.state, fitted.campaign, fitted.fit
    document = recommendation_document(campaign, fit)
    # the conditions asked for (GET ...?current_ma_cm2=&capacity_mah_cm2=) beside the target's
    conditions = {key: campaign.recommend(condition=condition_of(key), fit=fit).as_dict()
                  for key in claimed.input.get("conditions", [])}
    if conditions:
        document["by_condition"] = conditions
    with transaction(settings) as session:
        document = with_history(session, state.row.id, state.row.data_version, document)
        store_recommendation(session, state.row.id, state.row.data_version, document)
        finish(session, claimed, JobStatus.SUCCEEDED, result={"data_version": state.row.data_version})
    return None


def condition_key(current_ma_cm2: float, capacity_mah_cm2: float) -> str:
    return f"{current_ma_cm2:g},{capacity_mah_cm2:g}"


def condition_of(key: str) -> Condition:
    return Condition.parse(key)


def queue_refit(session: Session, campaign: tables.Campaign, conditions: tuple[str, ...] = ()) -> tuple[tables.Job, bool]:
    """The refit of the campaign's current data version and whether it is new (the caller publishes a new
    one after commit). Refits coalesce: a refit still waiting in the queue is moved to the current version
    (it reads the data when it runs), so a burst of writes costs one fit, not one per write."""
    # The row lock holds a worker's claim of the waiting job back until this transaction commits.
    waiting = Jobs(session).waiting_refit(campaign.id)
    job_input: dict[str, Any] = {"data_version": campaign.data_version}
    if waiting is not None:
        wanted = sorted(set(waiting.input.get("conditions", [])) | set(conditions))
        waiting.input = job_input | ({"conditions": wanted} if wanted else {})
        return waiting, False
    if conditions:
        job_input["conditions"] = sorted(set(conditions))
    return create_job(session, JobKind.REFIT, campaign.owner, job_input, campaign_id=campaign.id), True


@dataclass
class RecommendationAnswer:
    """Either the stored recommendation of the current data, or the job computing it."""

    document: dict[str, Any] | None = None
    job: dict[str, Any] | None = None


def current_stamp(settings: Settings, owner: str, campaign_id: str) -> tuple[int, str] | None:
    """``(data version, computed_at)`` of the stored recommendation when it is of the campaign's current data,
    None otherwise; the document is not read. A stored recommendation never changes under one stamp (a new one
    is stored with a new ``computed_at``), so what was rendered for a stamp may be served again."""
    with transaction(settings) as session:
        stamp = Recommendations(session).stamp(owner, campaign_id)
    if stamp is None:
        raise NotFound(f"campaign {campaign_id} not found")
    current, stored, computed_at = stamp
    return (stored, computed_at.isoformat()) if stored == current and computed_at is not None else None


def current_recommendation(settings: Settings, owner: str, campaign_id: str, condition: str | None = None) -> RecommendationAnswer:
    """The stored recommendation if it is of the campaign's current data; else the refit job computing it
    (the one under way, or a new one). If the refit of these data failed, the last good recommendation
    with the reason (``refit_error``), or, with none stored, an error naming why.

    ``condition`` (a ``condition_key``) asks for the recommendation at another test condition: stored
    beside the target's by the refit that was asked for it."""
    with transaction(settings) as session:
        campaign = owned_campaign(session, owner, campaign_id)
        stored = Recommendations(session).get(campaign_id)
        document = None if stored is None else {"campaign_id": campaign_id, "data_version": stored.data_version,
                                                "computed_at": stored.created_at.isoformat(), **stored.document}
        if document is not None:
            by_condition = document.pop("by_condition", {})
            if condition is not None:
                document = None if condition not in by_condition else {
                    "campaign_id": campaign_id, "data_version": stored.data_version,
                    "computed_at": stored.created_at.isoformat(), **by_condition[condition]}
        if document is not None and stored.data_version == campaign.data_version:
            return RecommendationAnswer(document=document)
        refits = Jobs(session).recent_refits(campaign_id, limit=20)
        current = [job for job in refits if job.input.get("data_version") == campaign.data_version
                   and (condition is None or condition in job.input.get("conditions", []))]
        if current and current[0].status == JobStatus.FAILED:
            reason = f"the refit of data version {campaign.data_version} failed: {current[0].error}"
            if document is None:
                raise CampaignError(reason)
            return RecommendationAnswer(document=document | {"current_data_version": campaign.data_version,
                                                             "refit_error": reason})
        live = [job for job in current if not job.status.finished]
        job, created = (live[0], False) if live else queue_refit(session, campaign, (condition,) if condition else ())
        answer = RecommendationAnswer(job=job_view(session, job))
    if created:
        publish_committed(settings, JobKind.REFIT, [job.id])
    return answer
