"""``/campaigns/{id}``: the recommendation, the next batch (propose, worksheet), the cells and the plots."""

from __future__ import annotations

import uuid
from typing import Any, Literal

from fastapi import APIRouter, Form, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError

from ...errors import NotFound
from ...schemas import ProposalsIn, ReactorSettings
from ...settings import Settings
from ...usecases import campaigns, dashboard, exports, jobs, proposals
from ..deps import AppSettings
from ..routes.exports import export_response
from .figures import campaign_figures
from .forms import field_errors, filled
from .render import not_found, page, see_other
from .session import CheckedIn, PageSession, SignedIn
from .worksheet import worksheet_csv, worksheet_rows

router = APIRouter(include_in_schema=False)


# A cell's record as the forms and the cells table show it: field, label, input type.
RECORD_INPUTS = (("electrolyte", "Electrolyte", "text"), ("temperature_c", "Temperature (°C)", "text"),
                 ("built_on", "Built on", "date"), ("tested_on", "Test began", "date"), ("sample_id", "Sample id", "text"),
                 ("note", "Note", "text"))


# The reactor settings' fields as the worksheet shows them: field, label, unit.
REACTOR_FIELDS = (("temperature_c", "deposition temperature", "°C"), ("tma_pulse_s", "TMA pulse", "s"),
                  ("h2o_pulse_s", "H2O pulse", "s"), ("eg_pulse_s", "EG pulse", "s"), ("purge_s", "purge", "s"))


def campaign_context(state: dict[str, Any]) -> dict[str, Any]:
    """What the campaign page and the report render: the state, its figures and its worksheet."""
    return {"state": state, "record_inputs": RECORD_INPUTS, "reactor_fields": REACTOR_FIELDS, "reactor_errors": {}, "campaign": state["campaign"], "recommendation": state["recommendation"],
            "figures": campaign_figures(state),
            "worksheet": worksheet_rows(state["proposals"], state["measurements"], state["recommendation"], replicate=True),
            "pending": [p for p in state["proposals"] if p.get("status") == "pending"]}


def _job_to_follow(settings: Settings, owner: str, job_id: str | None) -> str | None:
    """The job whose bar the page shows: none once it succeeded (its results are on the page already)."""
    if job_id is None:
        return None
    try:
        return None if jobs.show_job(settings, owner, job_id)["status"] == "succeeded" else job_id
    except NotFound:
        return None


def render_campaign(request: Request, session: PageSession, settings: Settings, campaign_id: str,
                    status: int = 200, **forms: Any) -> HTMLResponse:
    """The campaign page; ``forms`` carries a refused form's values and errors back beside its fields."""
    try:
        state = dashboard.campaign_state(settings, session.owner, campaign_id)
    except NotFound:
        return not_found(request, session)
    context = {"session": session, "job_id": _job_to_follow(settings, session.owner, request.query_params.get("job")), "form_id": uuid.uuid4().hex, "measure_values": {},
               "measure_errors": {}, "upload_errors": [], "propose_errors": {}, **campaign_context(state), **forms}
    return page(request, "campaign.html", context, status)


@router.get("/campaigns/{campaign_id}")
def campaign_page(campaign_id: str, request: Request, session: SignedIn,
                  settings: AppSettings) -> HTMLResponse:
    return render_campaign(request, session, settings, campaign_id)


@router.post("/campaigns/{campaign_id}/proposals")
def propose(campaign_id: str, request: Request, session: CheckedIn, settings: AppSettings, count: str = Form(default="4"),
            form_id: str | None = Form(default=None)) -> Response:
    """Ask for a batch: a job; the page comes back showing its progress."""
    try:
        body = ProposalsIn(count=count)
        job = proposals.request_proposals(settings, session.owner, campaign_id, body, form_id)
    except ValidationError as error:
        return render_campaign(request, session, settings, campaign_id, 422, propose_errors=field_errors(error))
    except NotFound:
        return not_found(request, session)
    return see_other(f"/campaigns/{campaign_id}?job={job['id']}#next-batch")


@router.post("/campaigns/{campaign_id}/reactor")
async def reactor(campaign_id: str, request: Request, session: CheckedIn, settings: AppSettings) -> Response:
    """The campaign's reactor settings as the form leaves them (an emptied field is unset)."""
    values = filled(await request.form(), tuple(name for name, _, _ in REACTOR_FIELDS))
    try:
        await run_in_threadpool(campaigns.set_reactor, settings, session.owner, campaign_id,
                                ReactorSettings.model_validate(values))
    except NotFound:
        return not_found(request, session)
    except ValidationError as error:
        return await run_in_threadpool(render_campaign, request, session, settings, campaign_id, 422,
                                       reactor_errors=field_errors(error))
    return see_other(f"/campaigns/{campaign_id}#reactor")


@router.get("/campaigns/{campaign_id}/export")
def export(campaign_id: str, request: Request, session: SignedIn, settings: AppSettings,
           format: Literal["json", "csv"] = "json", table: Literal[exports.TABLES] = "cells") -> Response:
    """The API's export for a signed-in session."""
    try:
        document = exports.campaign_export(settings, session.owner, campaign_id)
    except NotFound:
        return not_found(request, session)
    return export_response(document, campaign_id, format, table)


@router.get("/campaigns/{campaign_id}/worksheet.csv")
def worksheet(campaign_id: str, request: Request, session: SignedIn, settings: AppSettings,
              replicate: bool = False) -> Response:
    """The pending batch as CSV; with ``replicate``, the recommended recipe as a last row."""
    try:
        state = dashboard.campaign_state(settings, session.owner, campaign_id)
    except NotFound:
        return not_found(request, session)
    rows = worksheet_rows(state["proposals"], state["measurements"], state["recommendation"], replicate)
    return Response(worksheet_csv(rows), media_type="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="worksheet-{campaign_id}.csv"'})
