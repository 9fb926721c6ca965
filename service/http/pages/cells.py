"""The campaign page's cell forms: one measurement, a CSV upload (all rows or none), a running cell's new hours.

Each goes through the same use case as the API; a refusal comes back on the page beside its field
(or, for an upload, row by row) with status 422, and nothing is stored.
"""

from __future__ import annotations

import re

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response
from pydantic import ValidationError

from interlayer.models.errors import InterlayerError

from ...errors import NotFound, ServiceInputError
from ...schemas import RECORD_FIELDS, CellRecord, MeasurementIn, MeasurementPatch
from ...settings import Settings
from ...usecases import measurements
from ..deps import AppSettings
from ..uploads import csv_rows, parse_rows
from .campaign import RECORD_INPUTS, render_campaign
from .forms import CONDITION_FIELDS, field_errors, filled, row_errors
from .render import not_found, page, see_other
from .session import CheckedIn, PageSession, SignedIn

router = APIRouter(prefix="/campaigns/{campaign_id}/measurements", include_in_schema=False)

ROW_PREFIX = re.compile(r"^row \d+: ")
MEASUREMENT_FIELDS = ("proposal_id", "recipe", "lifetime_h", "state", "failure_reason", "overpotential_mv", "cell_id",
                      *CONDITION_FIELDS, *RECORD_FIELDS)


def measurement_row(values: dict[str, str]) -> MeasurementIn:
    row: dict = {name: values[name] for name in MEASUREMENT_FIELDS if name in values and name not in CONDITION_FIELDS}
    condition = {name: values[name] for name in CONDITION_FIELDS if name in values}
    if condition:
        row["condition"] = condition
    return MeasurementIn.model_validate(row)


@router.post("")
async def add_measurement(campaign_id: str, request: Request, session: CheckedIn,
                          settings: AppSettings) -> Response:
    form = await request.form()
    values = filled(form, MEASUREMENT_FIELDS)
    form_id = form.get("form_id") if isinstance(form.get("form_id"), str) else None
    try:
        row = measurement_row(values)
        await run_in_threadpool(measurements.add_measurements, settings, session.owner, campaign_id, [row], ["form"], form_id)
    except NotFound:
        return not_found(request, session)
    except (ValidationError, ServiceInputError, InterlayerError) as error:
        errors = await run_in_threadpool(_every_error, settings, session.owner, campaign_id, values, error)
        return await run_in_threadpool(render_campaign, request, session, settings, campaign_id, 422,
                                       measure_values=values, measure_errors=errors)
    return see_other(f"/campaigns/{campaign_id}#cells")


def _every_error(settings: Settings, owner: str, campaign_id: str, values: dict[str, str], error: Exception) -> dict[str, str]:
    """Every field's error at once, each beside its field, without the "row 1" a one-cell form does not need:
    those of the fields' types (``error``) and, when those refused the row, the campaign's checks of its
    recipe (proposal, metal, design space), run on the recipe alone as a running 1 h report that no type refuses."""
    errors = {name: ROW_PREFIX.sub("", message) for name, message in field_errors(error).items()}
    if not isinstance(error, ValidationError):
        return errors
    identity = {name: values[name] for name in ("recipe", "proposal_id") if name in values and name not in errors}
    try:
        row = measurement_row(identity | {"lifetime_h": "1", "state": "running"})
        measurements.check_measurements(settings, owner, campaign_id, [row], ["form"])
    except (ValidationError, ServiceInputError, InterlayerError, NotFound) as more:
        errors = {name: ROW_PREFIX.sub("", message) for name, message in field_errors(more).items()} | errors
    return errors


@router.post("/upload")
async def upload_measurements(campaign_id: str, request: Request, session: CheckedIn,
                              settings: AppSettings) -> Response:
    upload = (await request.form()).get("file")
    try:
        if upload is None or isinstance(upload, str):
            raise ServiceInputError("choose a CSV file to upload", ["file"])
        text = (await upload.read()).decode("utf-8-sig", errors="replace")
        rows = parse_rows(csv_rows(text), ["file", "row"])
        await run_in_threadpool(measurements.add_measurements, settings, session.owner, campaign_id, rows,
                                ["file", "row"], None)
    except NotFound:
        return not_found(request, session)
    except ServiceInputError as error:
        return await run_in_threadpool(render_campaign, request, session, settings, campaign_id, 422,
                                       upload_errors=row_errors(error))
    return see_other(f"/campaigns/{campaign_id}#cells")


@router.post("/{measurement_id}")
async def update_running_cell(campaign_id: str, measurement_id: str, request: Request,
                              session: CheckedIn,
                              settings: AppSettings) -> Response:
    """A running cell's newer hours (they may only rise), or its end."""
    values = filled(await request.form(), ("lifetime_h", "state"))
    try:
        update = MeasurementPatch.model_validate(values)
        await run_in_threadpool(measurements.update_measurement, settings, session.owner, campaign_id, measurement_id, update)
    except NotFound:
        return not_found(request, session)
    except (ValidationError, ServiceInputError) as error:
        errors = {f"{measurement_id}.{name}": message for name, message in field_errors(error).items()}
        return await run_in_threadpool(render_campaign, request, session, settings, campaign_id, 422, measure_errors=errors)
    return see_other(f"/campaigns/{campaign_id}#cells")


def _record_page(request: Request, session: PageSession, settings: Settings, campaign_id: str, measurement_id: str,
                 values: dict | None = None, errors: dict | None = None, status: int = 200) -> Response:
    cell = next((m for m in measurements.list_measurements(settings, session.owner, campaign_id) if m["id"] == measurement_id), None)
    if cell is None:
        return not_found(request, session)
    return page(request, "record.html", {"session": session, "campaign_id": campaign_id, "cell": cell,
                                         "record_inputs": RECORD_INPUTS, "values": cell if values is None else values,
                                         "errors": errors or {}}, status)


@router.get("/{measurement_id}/record")
def record_form(campaign_id: str, measurement_id: str, request: Request, session: SignedIn,
                settings: AppSettings) -> Response:
    """A cell's record on a page of its own (a form per row would quadruple a 500-cell campaign page)."""
    try:
        return _record_page(request, session, settings, campaign_id, measurement_id)
    except NotFound:
        return not_found(request, session)


@router.post("/{measurement_id}/record")
async def edit_record(campaign_id: str, measurement_id: str, request: Request, session: CheckedIn,
                      settings: AppSettings) -> Response:
    """A cell's record as the form leaves it: an emptied field is cleared."""
    form = await request.form()
    values = {name: value.strip() or None for name in RECORD_FIELDS if isinstance(value := form.get(name), str)}
    try:
        record = CellRecord.model_validate(values)
        await run_in_threadpool(measurements.update_record, settings, session.owner, campaign_id, measurement_id, record)
    except NotFound:
        return not_found(request, session)
    except ValidationError as error:
        return await run_in_threadpool(_record_page, request, session, settings, campaign_id, measurement_id, values,
                                       field_errors(error), 422)
    return see_other(f"/campaigns/{campaign_id}#cells")
