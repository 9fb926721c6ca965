"""Cells straight from the cycler (issue 27): a tester's file uploaded for a cell is read and checked at once
(bad data is refused before anything is stored), then analysed by a job (models/cycler_trace.py) that updates
the cell, keeps the cell's earlier values, and queues a refit. A detection the scientist rejects gives the cell
back its earlier values. Each cell keeps every file it was sent, with hash, size, instrument, reader, uploader.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from interlayer.models.cycler_files import Trace, UnreadableFile, UnsupportedFormat, read_trace
from interlayer.models.cycler_trace import ProtocolRefused, TraceError, analyse_trace, continuous_time, downsample
from interlayer.models.errors import InterlayerError
from interlayer.models.recipe import Recipe
from interlayer.surrogate.measurement import Measurement, MeasurementError, check_in_space, merge_reports
from interlayer.surrogate.space import stored_space

from ..errors import NotFound, ServiceInputError, UnsupportedMedia
from ..jobs.lifecycle import Claim, create_job, finish
from ..jobs.queue import publish_committed
from ..settings import Settings
from ..store import tables
from ..store.campaigns import Campaigns
from ..store.cells import Cells
from ..store.cycler_files import CyclerFiles
from ..store.db import Session, transaction
from ..store.vocabulary import JobKind, JobStatus
from .campaigns import owned_campaign
from .recommendations import queue_refit
from .state import surrogate_condition, to_measurement
from .views import job_view

# A 30-day 1 Hz export is 92-128 MB (bench.cycler_ingest); larger files are refused with 413.
MAX_FILE_BYTES = 150_000_000
# The cell page's trace: points sent to the browser
TRACE_POINTS = 4000
_CELL_FIELDS = ("lifetime_h", "censored", "state", "overpotential_mv", "condition")


@dataclass
class CellFile:
    filename: str
    data: bytes
    area_cm2: float | None
    test_ended: bool = False
    recipe: str | None = None
    cell_id: str | None = None


def check_file(upload: CellFile) -> Trace:
    """The file's trace, or the 4xx that names what is wrong with it (nothing is stored before this passes)."""
    if len(upload.data) > MAX_FILE_BYTES:
        raise ServiceInputError(f"the file is {len(upload.data)} bytes; the limit is {MAX_FILE_BYTES}", ["body", "file"])
    try:
        trace = read_trace(upload.filename, upload.data)
        continuous_time(trace.time_s, trace.current_a, trace.voltage_v)
    except UnsupportedFormat as error:
        raise UnsupportedMedia(str(error)) from None
    except UnreadableFile as error:
        raise ServiceInputError(str(error), ["body", "file"]) from None
    except TraceError as error:
        raise ServiceInputError(f"{upload.filename}: {error}", ["body", "file", error.field or "data"]) from None
    return trace


def _area(campaign: tables.Campaign, upload: CellFile) -> float:
    area = upload.area_cm2 if upload.area_cm2 is not None else campaign.options.get("electrode_area_cm2")
    if area is None or not math.isfinite(area) or area <= 0:
        raise ServiceInputError(f"area_cm2 must be the electrode area, a positive number of cm2 (got {area!r})", ["body", "area_cm2"])
    return float(area)


def _new_cell(campaign: tables.Campaign, upload: CellFile) -> tuple[str, str]:
    """The recipe (checked against the campaign) and cell id of a cell created from its file."""
    if not upload.recipe:
        raise ServiceInputError("a new cell needs its recipe", ["body", "recipe"])
    try:
        recipe = Recipe.parse(upload.recipe, metal=campaign.metal)
    except InterlayerError as error:
        raise ServiceInputError(str(error), ["body", "recipe"]) from None
    try:
        check_in_space(recipe, stored_space(campaign.space))
    except MeasurementError as error:
        raise ServiceInputError(str(error), ["body", "recipe"]) from None
    return str(recipe), upload.cell_id or upload.filename.rsplit(".", 1)[0]


def upload_file(settings: Settings, owner: str, campaign_id: str, measurement_id: str | None,
                upload: CellFile) -> tuple[bool, dict[str, Any]]:
    """Store the file for the cell and queue its analysis (True: new), or answer the stored one (False) for the same bytes."""
    trace = check_file(upload)
    digest = hashlib.sha256(upload.data).hexdigest()
    with transaction(settings) as session:
        files = CyclerFiles(session)
        campaign = owned_campaign(session, owner, campaign_id)
        area = _area(campaign, upload)
        if measurement_id is not None:
            cell = files.measurement(campaign_id, measurement_id)
            if cell is None:
                raise NotFound(f"measurement {measurement_id} not found")
            recipe, cell_id = cell.recipe, cell.cell_id or cell.id
        else:
            recipe, cell_id = _new_cell(campaign, upload)
            cell = files.measurement_of_cell(campaign_id, cell_id)
        row = tables.CyclerFile(
            campaign_id=campaign_id, measurement_id=cell.id if cell else None, cell_key=f"{campaign_id}/{cell_id}",
            recipe=recipe, filename=upload.filename[:255], content_sha256=digest, size_bytes=len(upload.data),
            content=upload.data, instrument=trace.instrument, reader=trace.reader, area_cm2=area,
            test_ended=upload.test_ended, uploader=owner, status="queued", uploaded_at=tables.utcnow())
        created = files.add(row)
        if created:
            job = create_job(session, JobKind.CYCLER_FILE, owner, {"file_id": row.id}, campaign_id=campaign_id)
            row.job_id = job.id
        else:
            row = files.by_content(row.cell_key, digest)
            job = session.get(tables.Job, row.job_id)
        body = {"file": file_view(row, cell), "job": job_view(session, job)}
    if created:
        publish_committed(settings, JobKind.CYCLER_FILE, [job.id])
    return created, body


def file_view(row: tables.CyclerFile, cell: tables.Measurement | None, trace: bool = False) -> dict[str, Any]:
    """The file, its analysis (the downsampled trace only when asked) and which values the model uses."""
    result = dict(row.result or {})
    points = result.pop("trace", None)
    applied = result.get("applied_values")
    uses_file = bool(cell is not None and row.status == "analysed" and applied
                     and all(getattr(cell, name) == applied[name] for name in _CELL_FIELDS))
    return {"id": row.id, "campaign_id": row.campaign_id, "measurement_id": row.measurement_id, "recipe": row.recipe,
            "filename": row.filename, "content_sha256": row.content_sha256, "size_bytes": row.size_bytes,
            "instrument": row.instrument, "reader": row.reader, "area_cm2": row.area_cm2, "test_ended": row.test_ended,
            "uploader": row.uploader, "uploaded_at": row.uploaded_at.isoformat(), "job_id": row.job_id,
            "status": row.status, "analysis": result or None, "hand_values": row.previous,
            "model_uses": "file" if uses_file else "hand", **({"trace": points} if trace else {})}


def _values(analysis: dict[str, Any]) -> dict[str, Any]:
    """The cell's stored fields as the file's analysis gives them."""
    return {"lifetime_h": analysis["lifetime_h"], "censored": analysis["censored"], "state": analysis["state"],
            "overpotential_mv": analysis["overpotential_mv"],
            "condition": {"current_density_ma_cm2": analysis["current_density_ma_cm2"],
                          "capacity_mah_cm2": analysis["capacity_mah_cm2"]}}


def _apply(session: Session, campaign: tables.Campaign, row: tables.CyclerFile, values: dict[str, Any]) -> str:
    """Give the cell the file's values where the cell's history allows (hours only rise, a finished cell takes
    no more), creating a new cell; keeps the cell's earlier values on the file. Returns what happened."""
    files = CyclerFiles(session)
    cell_id = row.cell_key.split("/", 1)[1]
    cell = files.measurement(campaign.id, row.measurement_id) if row.measurement_id else files.measurement_of_cell(campaign.id, cell_id)
    recipe = Recipe.parse(row.recipe, metal=campaign.metal)
    report = Measurement(recipe, values["lifetime_h"], values["censored"], values["overpotential_mv"], cell_id,
                         values["state"], None, surrogate_condition(values["condition"]))
    if cell is None:
        cell = tables.Measurement(campaign_id=campaign.id, recipe=str(recipe), cell_id=cell_id, created_at=tables.utcnow())
        Cells(session).add(cell)
        outcome = "the cell was created from the file"
    else:
        before = {name: getattr(cell, name) for name in _CELL_FIELDS}
        if before == values:
            row.measurement_id = cell.id
            return "the cell already has these values"
        try:
            merge_reports([to_measurement(cell, campaign.metal)], [report])
        except MeasurementError as error:
            row.measurement_id = cell.id
            return f"the cell keeps its values: {error}"
        row.previous = before
        outcome = "the cell took the file's values"
    for name in _CELL_FIELDS:
        setattr(cell, name, values[name])
    cell.updated_at = tables.utcnow()
    session.flush()
    row.measurement_id = cell.id
    return outcome


def analyse_file(settings: Settings, claimed: Claim) -> None:
    """The job: read and analyse the stored file, update its cell, queue a refit. A trace that is not symmetric
    plating/stripping fails the job with the reason and leaves the cell alone."""
    with transaction(settings) as session:
        row = CyclerFiles(session).get(claimed.input["file_id"])
        filename, data, area_cm2, ended = row.filename, row.content, row.area_cm2, row.test_ended
    trace = read_trace(filename, data)
    try:
        analysis = analyse_trace(trace.time_s, trace.current_a, trace.voltage_v, area_cm2, test_ended=ended).to_dict()
    except (ProtocolRefused, TraceError) as refused:
        with transaction(settings) as session:
            row = CyclerFiles(session).get(claimed.input["file_id"])
            row.status, row.result = "refused", {"refused": str(refused)}
            finish(session, claimed, JobStatus.FAILED, error=f"{filename}: {refused}")
        return
    time_s, _ = continuous_time(trace.time_s, trace.current_a, trace.voltage_v)
    shown_s, shown_v = downsample(time_s, trace.voltage_v, TRACE_POINTS)
    analysis["trace"] = {"time_h": np.round(shown_s / 3600.0, 5).tolist(), "voltage_v": np.round(shown_v, 6).tolist()}
    with transaction(settings) as session:
        files = CyclerFiles(session)
        campaign = Campaigns(session).bump_data_version(claimed.owner, claimed.campaign_id)
        row = files.get(claimed.input["file_id"])
        values = _values(analysis)
        outcome = _apply(session, campaign, row, values)
        row.status, row.result = "analysed", analysis | {"applied_values": values, "outcome": outcome}
        refit, created = queue_refit(session, campaign)
        finish(session, claimed, JobStatus.SUCCEEDED, message=outcome,
               result={"file_id": row.id, "measurement_id": row.measurement_id, "outcome": outcome, **values})
    if created:
        publish_committed(settings, JobKind.REFIT, [refit.id])


def list_files(settings: Settings, owner: str, campaign_id: str, measurement_id: str) -> list[dict[str, Any]]:
    with transaction(settings) as session:
        owned_campaign(session, owner, campaign_id)
        files = CyclerFiles(session)
        cell = files.measurement(campaign_id, measurement_id)
        if cell is None:
            raise NotFound(f"measurement {measurement_id} not found")
        return [file_view(row, cell) for row in files.of_measurement(measurement_id)]


def show_file(settings: Settings, owner: str, campaign_id: str, file_id: str) -> dict[str, Any]:
    """The file with its analysis and downsampled trace."""
    with transaction(settings) as session:
        owned_campaign(session, owner, campaign_id)
        files = CyclerFiles(session)
        row = files.get(file_id)
        if row is None or row.campaign_id != campaign_id:
            raise NotFound(f"file {file_id} not found")
        cell = files.measurement(campaign_id, row.measurement_id) if row.measurement_id else None
        return file_view(row, cell, trace=True)


def reject_detection(settings: Settings, owner: str, campaign_id: str, file_id: str) -> dict[str, Any]:
    """The scientist rejects what the file's analysis found: the cell goes back to its values before the file
    (a cell created from the file is censored at the file's last hour instead); queues a refit."""
    with transaction(settings) as session:
        files = CyclerFiles(session)
        campaign = Campaigns(session).bump_data_version(owner, campaign_id)
        row = files.get(file_id) if campaign is not None else None
        if row is None or row.campaign_id != campaign_id:
            raise NotFound(f"file {file_id} not found")
        cell = files.measurement(campaign_id, row.measurement_id) if row.measurement_id else None
        if row.status != "analysed" or cell is None:
            raise ServiceInputError(f"file {file_id} is {row.status}: there is no detection to reject", ["path", "file_id"])
        applied = (row.result or {}).get("applied_values") or {}
        if all(getattr(cell, name) == applied.get(name) for name in _CELL_FIELDS):
            restored = row.previous or {**applied, "lifetime_h": row.result["duration_h"], "censored": True, "state": "running"}
            for name in _CELL_FIELDS:
                setattr(cell, name, restored[name])
            cell.updated_at = tables.utcnow()
        row.status = "rejected"
        refit, created = queue_refit(session, campaign)
        body = file_view(row, cell)
    if created:
        publish_committed(settings, JobKind.REFIT, [refit.id])
    return body
