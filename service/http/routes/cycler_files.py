"""``/v1/campaigns/{id}/measurements/.../files``: a battery tester's file for a cell (multipart), for a cell
already reported or for a new cell created from the file; analysed by a job (202); listed, shown with the
downsampled trace, and its detection rejected by the scientist (issue 27)."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, File, Form, UploadFile
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from ...settings import Settings
from ...usecases import cycler_files
from ..deps import AppSettings, Owner
from ..responses import Problem

router = APIRouter(prefix="/v1/campaigns/{campaign_id}/measurements", tags=["cycler files"])


class CellFileOut(BaseModel):
    """A stored tester file: provenance, the analysis, the cell's earlier (hand) values and which the model uses."""

    id: str
    campaign_id: str
    measurement_id: str | None
    recipe: str | None
    filename: str
    content_sha256: str
    size_bytes: int
    instrument: str
    reader: str
    area_cm2: float
    test_ended: bool
    uploader: str
    uploaded_at: str
    job_id: str | None
    status: Literal["queued", "analysed", "refused", "rejected"]
    analysis: dict[str, Any] | None
    hand_values: dict[str, Any] | None
    model_uses: Literal["file", "hand"]
    trace: dict[str, list[float]] | None = None


class FileAccepted(BaseModel):
    file: CellFileOut
    job: dict[str, Any]


class CellFiles(BaseModel):
    files: list[CellFileOut]


FILE_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {"model": FileAccepted, "description": "The same bytes were stored for this cell already: nothing changed"},
    415: {"model": Problem, "description": "A format no supported reader handles; the message names the export to use"},
}
_AREA = Form(None, gt=0, allow_inf_nan=False, description="electrode area (cm2); else the campaign's electrode_area_cm2")
_ENDED = Form(False, description="the test has ended (a cell without a short is then stopped, not running)")


async def _accepted(settings: Settings, owner: str, campaign_id: str, measurement_id: str | None, upload: UploadFile,
                    **fields: Any) -> JSONResponse:
    cell_file = cycler_files.CellFile(filename=upload.filename or "upload", data=await upload.read(), **fields)
    created, body = await run_in_threadpool(cycler_files.upload_file, settings, owner, campaign_id, measurement_id, cell_file)
    headers = {"Location": f"/v1/jobs/{body['job']['id']}"} if created else None
    return JSONResponse(status_code=202 if created else 200, content=body, headers=headers)


@router.post("/files", status_code=202, response_model=FileAccepted, responses=FILE_RESPONSES)
async def upload_new_cell(campaign_id: str, owner: Owner, settings: AppSettings, file: UploadFile = File(...),
                          recipe: str = Form(..., min_length=1, max_length=64),
                          cell_id: str | None = Form(None, min_length=1, max_length=200), area_cm2: float | None = _AREA,
                          test_ended: bool = _ENDED) -> JSONResponse:
    """A new cell from its tester's file (or, for a cell id already reported, the file of that cell)."""
    return await _accepted(settings, owner, campaign_id, None, file, area_cm2=area_cm2, test_ended=test_ended,
                           recipe=recipe, cell_id=cell_id)


@router.post("/{measurement_id}/files", status_code=202, response_model=FileAccepted, responses=FILE_RESPONSES)
async def upload_cell_file(campaign_id: str, measurement_id: str, owner: Owner, settings: AppSettings,
                           file: UploadFile = File(...), area_cm2: float | None = _AREA,
                           test_ended: bool = _ENDED) -> JSONResponse:
    """The tester's file of a reported cell (a growing file again as the test runs: hours only rise)."""
    return await _accepted(settings, owner, campaign_id, measurement_id, file, area_cm2=area_cm2, test_ended=test_ended)


@router.get("/{measurement_id}/files", response_model=CellFiles)
def list_cell_files(campaign_id: str, measurement_id: str, owner: Owner, settings: AppSettings) -> dict:
    return {"files": cycler_files.list_files(settings, owner, campaign_id, measurement_id)}


@router.get("/{measurement_id}/files/{file_id}", response_model=CellFileOut)
def show_cell_file(campaign_id: str, measurement_id: str, file_id: str, owner: Owner, settings: AppSettings) -> dict:
    """The file with its analysis and the voltage trace downsampled for a browser."""
    return cycler_files.show_file(settings, owner, campaign_id, file_id)


@router.post("/{measurement_id}/files/{file_id}/rejection", response_model=CellFileOut)
def reject_detection(campaign_id: str, measurement_id: str, file_id: str, owner: Owner, settings: AppSettings) -> dict:
    """The scientist rejects the file's detection: the cell goes back to its values before the file."""
    return cycler_files.reject_detection(settings, owner, campaign_id, file_id)
