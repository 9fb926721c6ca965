"""A cell from its tester's file on the dashboard (issue 27): the campaign page's file form, the cell's page
(the voltage trace downsampled, the overpotential per cycle, the detected short marked, what was read and by
which reader) and the control that rejects the detection. Each goes through the API's use cases."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, Response

from ...errors import NotFound, ServiceInputError, UnsupportedMedia
from ...usecases import cycler_files, measurements
from ..deps import AppSettings
from .campaign import render_campaign
from .plotting import PALETTE, Figure, base_layout
from .render import not_found, page, see_other
from .session import CheckedIn, SignedIn

router = APIRouter(prefix="/campaigns/{campaign_id}/cells", include_in_schema=False)


def _area(text: str) -> float | None:
    try:
        return float(text) if text.strip() else None
    except ValueError:
        raise ServiceInputError(f"area_cm2 must be a number of cm2, got {text[:40]!r}", ["area_cm2"]) from None


@router.post("/files")
async def upload_cell_file(campaign_id: str, request: Request, session: CheckedIn,
                           settings: AppSettings) -> Response:
    """A new cell (or a known cell id's growing file) from the form; the cell's page follows the analysis."""
    form = await request.form()
    upload = form.get("file")
    text = {name: form.get(name) if isinstance(form.get(name), str) else "" for name in ("recipe", "cell_id", "area_cm2")}
    try:
        if upload is None or isinstance(upload, str) or not upload.filename:
            raise ServiceInputError("choose the tester's file to upload", ["file"])
        cell_file = cycler_files.CellFile(filename=upload.filename, data=await upload.read(), area_cm2=_area(text["area_cm2"]),
                                          test_ended=form.get("test_ended") == "on", recipe=text["recipe"].strip() or None,
                                          cell_id=text["cell_id"].strip() or None)
        _, body = await run_in_threadpool(cycler_files.upload_file, settings, session.owner, campaign_id, None, cell_file)
    except NotFound:
        return not_found(request, session)
    except (ServiceInputError, UnsupportedMedia) as error:
        status = 415 if isinstance(error, UnsupportedMedia) else 422
        location = error.location if isinstance(error, ServiceInputError) else []
        field = next((name for name in ("area_cm2", "recipe", "cell_id") if name in location), "file")
        return await run_in_threadpool(render_campaign, request, session, settings, campaign_id, status,
                                       file_errors={field: str(error)}, file_values=text)
    return see_other(f"/campaigns/{campaign_id}/cells/files/{body['file']['id']}")


def cell_figures(analysis: dict[str, Any] | None, trace: dict[str, list[float]] | None) -> dict[str, Figure]:
    """The voltage trace with the short marked, and the overpotential per cycle with the value the model uses."""
    if not analysis or not trace:
        return {}
    short = analysis.get("short")
    marks = [] if short is None else [{"type": "line", "x0": short["time_h"], "x1": short["time_h"], "yref": "paper",
                                       "y0": 0, "y1": 1, "line": {"dash": "dash", "color": PALETTE[3]}}]
    notes = [] if short is None else [{"x": short["time_h"], "yref": "paper", "y": 1, "showarrow": False, "yanchor": "bottom",
                                       "text": f"{short['kind']} short, cycle {short['cycle']}"}]
    cycles = analysis["cycles"]
    used = analysis.get("overpotential_mv")
    return {
        "trace": {"data": [{"type": "scattergl", "mode": "lines", "x": trace["time_h"], "y": trace["voltage_v"],
                            "name": "cell voltage", "line": {"color": PALETTE[0], "width": 1}}],
                  "layout": base_layout("Voltage trace (each bucket's lowest and highest point)", "time (h)", "voltage (V)",
                                        shapes=marks, annotations=notes)},
        "overpotential": {"data": [{"type": "scatter", "mode": "lines+markers", "x": cycles["t_start_h"],
                                    "y": cycles["overpotential_mv"], "name": "plateau |V| per cycle",
                                    "marker": {"color": PALETTE[1]}}],
                          "layout": base_layout("Overpotential per cycle", "cycle start (h)", "overpotential (mV)",
                                                shapes=marks + ([] if used is None else [
                                                    {"type": "line", "xref": "paper", "x0": 0, "x1": 1, "y0": used, "y1": used,
                                                     "line": {"dash": "dot", "color": PALETTE[7]}}]))}}


@router.get("/files/{file_id}")
def cell_file_page(campaign_id: str, file_id: str, request: Request, session: SignedIn,
                   settings: AppSettings) -> HTMLResponse:
    try:
        shown = cycler_files.show_file(settings, session.owner, campaign_id, file_id)
        cells = measurements.list_measurements(settings, session.owner, campaign_id)
    except NotFound:
        return not_found(request, session)
    cell = next((m for m in cells if m["id"] == shown["measurement_id"]), None)
    return page(request, "cell_file.html", {"session": session, "campaign_id": campaign_id, "file": shown, "cell": cell,
                                            "analysis": shown["analysis"] or {},
                                            "figures": cell_figures(shown["analysis"], shown.get("trace"))})


@router.post("/files/{file_id}/reject")
def reject_detection(campaign_id: str, file_id: str, request: Request, session: CheckedIn,
                     settings: AppSettings) -> Response:
    """The scientist rejects the detection: the cell goes back to its values before the file."""
    try:
        cycler_files.reject_detection(settings, session.owner, campaign_id, file_id)
    except NotFound:
        return not_found(request, session)
    return see_other(f"/campaigns/{campaign_id}/cells/files/{file_id}")
