"""``/v1/campaigns/{id}/proposals``: ask for a batch (a job) and list what was proposed."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from ...schemas import ProposalsIn
from ...schemas.responses import JobOut, ProposalsOut
from ...usecases import proposals
from ..deps import AppSettings, IdempotencyKey, Owner
from ..responses import accepted

router = APIRouter(prefix="/v1/campaigns/{campaign_id}/proposals", tags=["proposals"])


@router.post("", status_code=202, response_model=JobOut)
def create_proposals(campaign_id: str, key: IdempotencyKey, owner: Owner, settings: AppSettings,
                     body: ProposalsIn = ProposalsIn()) -> JSONResponse:
    return accepted(proposals.request_proposals(settings, owner, campaign_id, body, key))


@router.get("", response_model=ProposalsOut)
def list_proposals(campaign_id: str, owner: Owner, settings: AppSettings,
                   status: Literal["pending", "measured"] | None = None) -> dict:
    return {"proposals": proposals.list_proposals(settings, owner, campaign_id, status)}
