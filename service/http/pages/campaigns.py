"""``/campaigns``: the owner's campaigns at a glance, and the new-campaign form."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError

from interlayer.models.errors import InterlayerError
from interlayer.surrogate.acquisition import ACQUISITIONS
from interlayer.surrogate.physics import PRIORS

from ...errors import NotFound, RequestRefused
from ...schemas import CampaignIn
from ...settings import Settings
from ...usecases import campaigns, dashboard
from ..deps import AppSettings
from .forms import CONDITION_FIELDS, field_errors, filled
from .render import page, see_other
from .session import CheckedIn, PageSession, SignedIn

router = APIRouter(prefix="/campaigns", include_in_schema=False)

SPACE_FIELDS = ("max_ald_cycles", "max_mld_cycles", "max_supercycles", "max_thickness_nm", "min_thickness_nm")
METALS = ("Li", "Na")
# the form's choice of objectives, as the API's list
OBJECTIVES = {"lifetime": ["lifetime"], "lifetime,overpotential": ["lifetime", "overpotential"]}
FORM_FIELDS = ("name", "metal", "physics", "acquisition", "seed", "related_campaigns", "space.symmetric_only", "objectives",
               "constraint", *(f"space.{name}" for name in SPACE_FIELDS), *(f"condition.{name}" for name in CONDITION_FIELDS))


@router.get("")
def campaign_list(request: Request, session: SignedIn,
                  settings: AppSettings) -> HTMLResponse:
    summaries = dashboard.campaign_summaries(settings, session.owner)
    return page(request, "campaigns.html", {"session": session, "campaigns": summaries})


def _new_form(request: Request, session: PageSession, settings: Settings, values: dict[str, Any],
              errors: dict[str, str], status: int = 200) -> HTMLResponse:
    return page(request, "new_campaign.html", {
        "session": session, "values": values, "errors": errors, "metals": METALS, "physics": list(PRIORS),
        "acquisitions": list(ACQUISITIONS), "space_fields": SPACE_FIELDS, "objectives": list(OBJECTIVES),
        "defaults": CampaignIn.model_fields["space"].default_factory().model_dump(),
        "related": campaigns.list_campaigns(settings, session.owner)}, status)


@router.get("/new")
def new_campaign_form(request: Request, session: SignedIn,
                      settings: AppSettings) -> HTMLResponse:
    return _new_form(request, session, settings, {}, {})


def campaign_body(values: dict[str, str]) -> CampaignIn:
    """The form's fields as the API's request body (validated the same way)."""
    body: dict[str, Any] = {key: values[key] for key in ("name", "metal", "physics", "acquisition", "seed", "constraint")
                            if key in values}
    body["space"] = {name: values[f"space.{name}"] for name in SPACE_FIELDS if f"space.{name}" in values}
    body["space"]["symmetric_only"] = "space.symmetric_only" in values
    if "related_campaigns" in values:
        body["related_campaigns"] = [values["related_campaigns"]]
    if "objectives" in values:
        # an unknown choice goes to the API's validation as it is, and is refused beside the field
        body["objectives"] = OBJECTIVES.get(values["objectives"], [values["objectives"]])
    condition = {name: values[f"condition.{name}"] for name in CONDITION_FIELDS if f"condition.{name}" in values}
    if condition:
        body["condition"] = condition
    return CampaignIn.model_validate(body)


@router.post("/new")
async def create_campaign(request: Request, session: CheckedIn,
                          settings: AppSettings) -> Response:
    form = await request.form()
    values = filled(form, FORM_FIELDS)
    try:
        created = await run_in_threadpool(campaigns.create_campaign, settings, session.owner, campaign_body(values), None)
    except NotFound as error:  # the related campaign: not the owner's, or gone
        return await run_in_threadpool(_new_form, request, session, settings, values, {"related_campaigns": str(error)}, 422)
    except (ValidationError, RequestRefused, InterlayerError) as error:
        errors = field_errors(error)
        return await run_in_threadpool(_new_form, request, session, settings, values, errors, 422)
    return see_other(f"/campaigns/{created['id']}")
