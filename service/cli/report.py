"""``interlayer report CAMPAIGN``: the campaign page as one self-contained HTML file, from a service
(``--remote URL``) or from the database of ``INTERLAYER_DATABASE_URL`` itself."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

from ..client import Client
from ..settings import Settings

KEY_OPTION = typer.Option(None, "--api-key", envvar="INTERLAYER_API_KEY", show_default=False,
                          help="API key for --remote (`interlayer keys create` makes one).")


def remote_state(client: Client, campaign_id: str) -> dict[str, Any]:
    """The campaign's documents from the API (waiting for a refit of the current data if one is under way)."""
    return {"campaign": client.campaign(campaign_id), "recommendation": client.recommendation(campaign_id),
            "refit_job": None, "refit_error": None, "proposals": client.proposals(campaign_id),
            "measurements": client.measurements(campaign_id)}


def write_report(state: dict[str, Any], out: Path) -> Path:
    # the pages' modules load Jinja2 and the figures: only this command pays for them
    from ..http.pages.report import render_report
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(render_report(state), encoding="utf-8")
    return out


def report_command(campaign_id: str = typer.Argument(..., help="The campaign's id (cmp_...)."),
                   out: Path = typer.Option(None, "--out", help="The HTML file (default: report-CAMPAIGN.html)."),
                   remote: str = typer.Option(None, "--remote", help="A service's URL; without it, the local database."),
                   api_key: str = KEY_OPTION) -> None:
    """Write the campaign's recommendation, worksheet, cells and plots as one HTML file that opens offline."""
    out = out or Path(f"report-{campaign_id}.html")
    if remote:
        with Client(remote, api_key) as client:
            state = remote_state(client, campaign_id)
    else:
        from ..usecases.dashboard import stored_state
        state = stored_state(Settings(), campaign_id)
    path = write_report(state, out)
    typer.echo(f"{path} ({path.stat().st_size / 1e6:.1f} MB)")
