"""Campaigns: created over a validated design space, listed and shown to their owner only."""

from __future__ import annotations

from typing import Any

from interlayer.models.electrochem import metal as lookup_metal
from interlayer.models.errors import InterlayerError
from interlayer.surrogate.space import DesignSpace

from ..errors import ServiceInputError
from ..schemas import CampaignIn, ReactorSettings
from ..settings import Settings
from ..store import tables
from ..store.campaigns import Campaigns
from ..store.db import Session, transaction
from .idempotency import Written, write_once
from .views import campaign_view


def owned_campaign(session: Session, owner: str, campaign_id: str) -> tables.Campaign:
    """The campaign, if ``owner``'s; another owner's is not found, exactly like a missing one."""
    return Campaigns(session).owned(owner, campaign_id)


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
        campaigns = Campaigns(session)
        for related in body.related_campaigns:
            campaigns.owned(owner, related)
        options = {"seed": body.seed, "physics": body.physics, "acquisition": body.acquisition,
                   "related_campaigns": body.related_campaigns,
                   "condition": body.condition.model_dump(exclude_none=True) if body.condition else None}
        if body.reactor is not None:
            options["reactor"] = body.reactor.model_dump(exclude_none=True)
        if body.objectives != ["lifetime"] or body.constraint is not None:
            # only when set: a lifetime campaign's stored options stay as they were
            options.update(objectives=body.objectives, constraint=body.constraint)
        if body.electrode_area_cm2 is not None:
            options["electrode_area_cm2"] = body.electrode_area_cm2
        row = campaigns.add(tables.Campaign(owner=owner, name=body.name, metal=body.metal, space=space.to_dict(),
                                            options=options, data_version=0, lock_version=0))
        return Written(campaign_view(row))
    return write_once(settings, owner, idempotency_key, ["campaign", body.model_dump()], write).body


def list_campaigns(settings: Settings, owner: str) -> list[dict[str, Any]]:
    with transaction(settings) as session:
        return [campaign_view(row) for row in Campaigns(session).of_owner(owner)]


def show_campaign(settings: Settings, owner: str, campaign_id: str) -> dict[str, Any]:
    """The campaign with its measurement and proposal counts."""
    with transaction(settings) as session:
        campaigns = Campaigns(session)
        row = campaigns.owned(owner, campaign_id)
        return campaign_view(row, campaigns.counts(campaign_id))


def set_reactor(settings: Settings, owner: str, campaign_id: str, reactor: ReactorSettings) -> dict[str, Any]:
    """The campaign's reactor settings, replaced (they change no result: no data version, no refit)."""
    with transaction(settings) as session:
        row = owned_campaign(session, owner, campaign_id)
        # a new dict: the Document column sees the change only on assignment (stored at commit)
        row.options = {**row.options, "reactor": reactor.model_dump(exclude_none=True)}
        return campaign_view(row)
