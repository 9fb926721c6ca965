"""``/campaigns/{id}``: the recommendation, the next batch (propose, worksheet), the cells and the plots."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError

from ...errors import NotFound
from ...schemas import ProposalsIn
from ...settings import Settings
from ...usecases import dashboard, jobs, proposals
from ..deps import AppSettings
from .figures import campaign_figures
from .forms import field_errors
from .render import not_found, page, see_other
from .session import CheckedIn, PageSession, SignedIn
from .worksheet import worksheet_csv, worksheet_rows

router = APIRouter(include_in_schema=False)


def campaign_context(state: dict[str, Any]) -> dict[str, Any]:
    """What the campaign page and the report render: the state, its figures and its worksheet."""
    return {"state": state, "campaign": state["campaign"], "recommendation": state["recommendation"],
            "figures": campaign_figures(state), "worksheet": worksheet_rows(state["proposals"]),
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


@router.get("/campaigns/{campaign_id}/worksheet.csv")
def worksheet(campaign_id: str, request: Request, session: SignedIn,
              settings: AppSettings) -> Response:
    try:
        pending = proposals.list_proposals(settings, session.owner, campaign_id, "pending")
    except NotFound:
        return not_found(request, session)
    return Response(worksheet_csv(worksheet_rows(pending)), media_type="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="worksheet-{campaign_id}.csv"'})
