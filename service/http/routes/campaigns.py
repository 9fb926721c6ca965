"""``/v1/campaigns``: create, list, show; and the campaign's current recommendation."""

from __future__ import annotations

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse, Response

from ...errors import ServiceInputError
from ...schemas import CampaignIn
from ...schemas.responses import CampaignOut, CampaignsOut, JobOut, RecommendationOut
from ...usecases import campaigns, recommendations
from ..deps import AppSettings, IdempotencyKey, Owner
from ..responses import accepted

router = APIRouter(prefix="/v1/campaigns", tags=["campaigns"])


@router.post("", status_code=201, response_model=CampaignOut)
def create_campaign(body: CampaignIn, key: IdempotencyKey, owner: Owner, settings: AppSettings) -> JSONResponse:
    return JSONResponse(status_code=201, content=campaigns.create_campaign(settings, owner, body, key))


@router.get("", response_model=CampaignsOut)
def list_campaigns(owner: Owner, settings: AppSettings) -> dict:
    return {"campaigns": campaigns.list_campaigns(settings, owner)}


@router.get("/{campaign_id}", response_model=CampaignOut)
def get_campaign(campaign_id: str, owner: Owner, settings: AppSettings) -> dict:
    return campaigns.show_campaign(settings, owner, campaign_id)


@router.get("/{campaign_id}/recommendation", response_model=RecommendationOut,
            responses={202: {"model": JobOut, "description": "Not computed for the current data yet: the job "
                                                             "computing it (poll its Location, then ask again)."}})
def get_recommendation(campaign_id: str, request: Request, owner: Owner, settings: AppSettings,
                       current_ma_cm2: float | None = Query(default=None, gt=0, allow_inf_nan=False,
                                                            description="another test condition's current density"),
                       capacity_mah_cm2: float | None = Query(default=None, gt=0, allow_inf_nan=False,
                                                              description="another test condition's areal capacity"),
                       ) -> Response:
    condition = None
    if current_ma_cm2 is not None or capacity_mah_cm2 is not None:
        if current_ma_cm2 is None or capacity_mah_cm2 is None:
            missing = "current_ma_cm2" if current_ma_cm2 is None else "capacity_mah_cm2"
            raise ServiceInputError("a condition needs both current_ma_cm2 and capacity_mah_cm2", ["query", missing])
        condition = recommendations.condition_key(current_ma_cm2, capacity_mah_cm2)
    rendered = request.app.state.rendered_recommendations
    stamp = recommendations.current_stamp(settings, owner, campaign_id)
    body = None if stamp is None else rendered.get(campaign_id, condition, stamp)
    if body is not None:
        return Response(body, media_type="application/json")
    answer = recommendations.current_recommendation(settings, owner, campaign_id, condition)
    if answer.document is None:
        return accepted(answer.job)
    response = JSONResponse(answer.document)
    if "refit_error" not in answer.document:  # of the campaign's current data: the same bytes until a refit
        rendered.put(campaign_id, condition, (answer.document["data_version"], answer.document["computed_at"]),
                     response.body)
    return response
