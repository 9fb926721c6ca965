"""``/v1/campaigns/{id}/measurements``: cell reports in (JSON or CSV, all rows or none), listed, updated."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse

from ...schemas import RECORD_FIELDS, MeasurementIn, MeasurementPatch
from ...schemas.responses import MeasurementsOut, MeasurementsWritten, MeasurementUpdated
from ...usecases import measurements
from ..deps import AppSettings, IdempotencyKey, Owner
from ..uploads import CSV_COLUMNS, measurement_rows

router = APIRouter(prefix="/v1/campaigns/{campaign_id}/measurements", tags=["measurements"])

# The body is read by uploads.measurement_rows (JSON, CSV or a multipart CSV file), so it is described here.
_ROW = MeasurementIn.model_json_schema(ref_template="#/components/schemas/{model}")
_ROW.pop("$defs", None)  # ConditionIn: in the document's components already (CampaignIn uses it)
_ROWS = {"type": "array", "items": _ROW}
MEASUREMENTS_BODY = {"requestBody": {"required": True, "content": {
    "application/json": {"schema": _ROWS},
    "text/csv": {"schema": {"type": "string", "description": f"a header naming columns of {', '.join(CSV_COLUMNS)}"}},
}}}


@router.post("", status_code=201, openapi_extra=MEASUREMENTS_BODY, response_model=MeasurementsWritten)
async def post_measurements(campaign_id: str, request: Request, key: IdempotencyKey, owner: Owner,
                            settings: AppSettings) -> JSONResponse:
    rows, prefix = await measurement_rows(request)
    body = await run_in_threadpool(measurements.add_measurements, settings, owner, campaign_id, rows, prefix, key)
    return JSONResponse(status_code=201, content=body)


@router.get("", response_model=MeasurementsOut)
def list_measurements(campaign_id: str, owner: Owner, settings: AppSettings) -> dict:
    return {"measurements": measurements.list_measurements(settings, owner, campaign_id)}


@router.patch("/{measurement_id}", response_model=MeasurementUpdated)
def patch_measurement(campaign_id: str, measurement_id: str, body: MeasurementPatch, owner: Owner,
                      settings: AppSettings) -> JSONResponse:
    if body.model_fields_set and body.model_fields_set <= set(RECORD_FIELDS):  # the lab's record alone: no new result
        return JSONResponse(measurements.update_record(settings, owner, campaign_id, measurement_id, body))
    return JSONResponse(measurements.update_measurement(settings, owner, campaign_id, measurement_id, body))
