"""``/v1/campaigns/{id}/proposals``: ask for a batch (a job) and list what was proposed."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Depends
from fastapi.responses import JSONResponse

from ...schemas import ProposalsIn
from ...settings import Settings
from ...usecases import proposals
from ..deps import idempotency_key, owner_of, settings_of
from ..responses import accepted

router = APIRouter(prefix="/v1/campaigns/{campaign_id}/proposals", tags=["proposals"])


@router.post("", status_code=202)
def create_proposals(campaign_id: str, body: ProposalsIn = ProposalsIn(), key: str | None = Depends(idempotency_key),
                     owner: str = Depends(owner_of), settings: Settings = Depends(settings_of)) -> JSONResponse:
    return accepted(proposals.request_proposals(settings, owner, campaign_id, body, key))


@router.get("")
def list_proposals(campaign_id: str, status: Literal["pending", "measured"] | None = None,
                   owner: str = Depends(owner_of), settings: Settings = Depends(settings_of)) -> dict:
    return {"proposals": proposals.list_proposals(settings, owner, campaign_id, status)}
