"""Campaigns: created over a validated design space, listed and shown to their owner only."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from interlayer.models.electrochem import metal as lookup_metal
from interlayer.models.errors import InterlayerError
from interlayer.surrogate.space import DesignSpace

from ..errors import NotFound, ServiceInputError
from ..schemas import CampaignIn, ReactorSettings
from ..settings import Settings
from ..store import tables
from ..store.db import transaction
from .idempotency import Written, write_once
from .views import campaign_view


def owned_campaign(session: Session, owner: str, campaign_id: str) -> tables.Campaign:
    """The campaign, if ``owner``'s; another owner's is not found, exactly like a missing one."""
    row = session.get(tables.Campaign, campaign_id)
    if row is None or row.owner != owner:
        raise NotFound(f"campaign {campaign_id} not found")
    return row


def create_campaign(settings: Settings, owner: str, body: CampaignIn, idempotency_key: str | None) -> dict[str, Any]:
    try:
        lookup_metal(body.metal)
    except InterlayerError as error:
        raise ServiceInputError(str(error), ["body", "metal"]) from None
    try:
        space = DesignSpace(metal=body.metal, **body.space.model_dump())
    except InterlayerError as error:
        raise ServiceInputError(str(error), ["body", "space"]) from None

    def write(session: Session) -> Written:
        for related in body.related_campaigns:
            owned_campaign(session, owner, related)
        options = {"seed": body.seed, "physics": body.physics, "acquisition": body.acquisition,
                   "related_campaigns": body.related_campaigns,
                   "condition": body.condition.model_dump(exclude_none=True) if body.condition else None}
        if body.reactor is not None:
            options["reactor"] = body.reactor.model_dump(exclude_none=True)
        if body.objectives != ["lifetime"] or body.constraint is not None:
            # only when set: a lifetime campaign's stored options stay as they were
            options.update(objectives=body.objectives, constraint=body.constraint)
        row = tables.Campaign(owner=owner, name=body.name, metal=body.metal, space=space.to_dict(), options=options,
                              data_version=0, lock_version=0)
        session.add(row)
        session.flush()
        return Written(201, campaign_view(row))
    return write_once(settings, owner, idempotency_key, ["campaign", body.model_dump()], write).body


def list_campaigns(settings: Settings, owner: str) -> list[dict[str, Any]]:
    with transaction(settings) as session:
        rows = session.scalars(select(tables.Campaign).where(tables.Campaign.owner == owner)
                               .order_by(tables.Campaign.created_at))
        return [campaign_view(row) for row in rows]


def show_campaign(settings: Settings, owner: str, campaign_id: str) -> dict[str, Any]:
    """The campaign with its measurement and proposal counts."""
    with transaction(settings) as session:
        row = owned_campaign(session, owner, campaign_id)
        counts = {
            "measurements": session.scalar(select(func.count()).select_from(tables.Measurement)
                                           .where(tables.Measurement.campaign_id == campaign_id)),
            "proposals": session.scalar(select(func.count()).select_from(tables.Proposal)
                                        .where(tables.Proposal.campaign_id == campaign_id)),
        }
        return campaign_view(row, counts)


def set_reactor(settings: Settings, owner: str, campaign_id: str, reactor: ReactorSettings) -> dict[str, Any]:
    """The campaign's reactor settings, replaced (they change no result: no data version, no refit)."""
    with transaction(settings) as session:
        row = owned_campaign(session, owner, campaign_id)
        # a new dict: the Document column sees the change only on assignment
        row.options = {**row.options, "reactor": reactor.model_dump(exclude_none=True)}
        session.flush()
        return campaign_view(row)
