"""``interlayer cells upload FILE``: a battery tester's file for a cell, read and analysed by the service (issue 27)."""

from __future__ import annotations

import json
from pathlib import Path

import typer

from ..client import Client
from .campaign import JSON_OPTION, KEY_OPTION, URL_OPTION
from .output import emit

cells_app = typer.Typer(help="Cells from their battery tester's files.", no_args_is_help=True)


@cells_app.command("upload")
def upload_command(file: Path = typer.Argument(..., exists=True, dir_okay=False,
                                              help="The tester's file: .mpr, .mpt, .nda, .ndax, or a Neware, Arbin, Maccor or Landt text export."),
                   campaign: str = typer.Option(..., "--campaign", help="The campaign's id."),
                   recipe: str = typer.Option(None, "--recipe", help="The cell's recipe (a new cell)."),
                   measurement: str = typer.Option(None, "--measurement", help="A reported cell's measurement id, instead of --recipe."),
                   cell_id: str = typer.Option(None, "--cell-id", help="The new cell's id (default: the file's name)."),
                   area_cm2: float = typer.Option(None, "--area-cm2", help="Electrode area (default: the campaign's)."),
                   ended: bool = typer.Option(False, "--ended", help="The test has ended (a cell without a short is stopped)."),
                   wait: bool = typer.Option(True, help="Wait for the analysis."),
                   url: str = URL_OPTION, api_key: str = KEY_OPTION, as_json: bool = JSON_OPTION) -> None:
    """Upload the file; the service reads the cell's state, hours and overpotential from it."""
    if (recipe is None) == (measurement is None):
        raise typer.BadParameter("give --recipe for a new cell or --measurement for a reported one")
    with Client(url, api_key) as client:
        answer = client.upload_cell_file(campaign, file, measurement_id=measurement, recipe=recipe, cell_id=cell_id,
                                         area_cm2=area_cm2, test_ended=ended)
        job = client.wait(answer["job"]) if wait else answer["job"]
        files = client.cell_files(campaign, job["result"]["measurement_id"]) if wait else [answer["file"]]
    shown = next(f for f in files if f["id"] == answer["file"]["id"])
    if as_json:
        print(json.dumps(shown))
        return
    analysis = shown["analysis"] or {}
    short = analysis.get("short")
    emit(f"{file.name} -> campaign {campaign}", {
        "instrument": shown["instrument"], "reader": shown["reader"], "sha256": shown["content_sha256"][:16],
        "job": f"{job['id']} {job['status']}", "state": analysis.get("state", "queued"),
        "lifetime h": analysis.get("lifetime_h"), "overpotential mV": analysis.get("overpotential_mv"),
        "short": f"{short['kind']} at {short['time_h']:.1f} h (cycle {short['cycle']})" if short else "none",
        "condition": f"{analysis.get('current_density_ma_cm2')} mA/cm2, {analysis.get('capacity_mah_cm2')} mAh/cm2",
        "model uses": shown["model_uses"], "outcome": analysis.get("outcome")}, False)
