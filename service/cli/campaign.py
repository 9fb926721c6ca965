"""``interlayer campaign|propose|measure|recommend``: a campaign through the HTTP API."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from interlayer.surrogate.condition import Condition
from interlayer.surrogate.objective import Objective

from ..client import Client
from .output import announce_job, console, emit, job_page, whole_table

URL_OPTION = typer.Option("http://127.0.0.1:8000", "--url", envvar="INTERLAYER_URL", help="The API.")
KEY_OPTION = typer.Option(None, "--api-key", envvar="INTERLAYER_API_KEY", show_default=False,
                          help="API key (`interlayer keys create` makes one).")
JSON_OPTION = typer.Option(False, "--json", help="Print JSON instead of a table.")

campaign_app = typer.Typer(help="Create, list and show campaigns.", no_args_is_help=True)


def _client(url: str, api_key: str | None) -> Client:
    return Client(url, api_key)


@campaign_app.command("create")
def create_command(name: str = typer.Argument(..., help="A name for people."),
                   metal: str = typer.Option(..., help="Li or Na."),
                   max_ald_cycles: int = typer.Option(10), max_mld_cycles: int = typer.Option(10),
                   max_supercycles: int = typer.Option(100), max_thickness_nm: float = typer.Option(40.0),
                   min_thickness_nm: float = typer.Option(0.0), symmetric_only: bool = typer.Option(False),
                   physics: str = typer.Option("suppression", help="Physics prior: suppression (CZM + phase field), czm or none."),
                   seed: int = typer.Option(0), related: list[str] = typer.Option([], help="Campaign ids to learn from."),
                   objectives: str = typer.Option("lifetime", help="lifetime, or lifetime,overpotential (a Pareto pair)."),
                   constraint: str = typer.Option(None, help="An outcome constraint, e.g. 'overpotential_mv<=60'."),
                   condition: str = typer.Option(None, help="The target test condition CURRENT,CAPACITY (mA/cm2, mAh/cm2)."),
                   url: str = URL_OPTION, api_key: str = KEY_OPTION, as_json: bool = JSON_OPTION) -> None:
    """Create a campaign over a design space of recipes."""
    space = {"max_ald_cycles": max_ald_cycles, "max_mld_cycles": max_mld_cycles, "max_supercycles": max_supercycles,
             "max_thickness_nm": max_thickness_nm, "min_thickness_nm": min_thickness_nm, "symmetric_only": symmetric_only}
    # refused here with the option named (exit 2) before anything is sent
    Objective.parse(objectives, constraint)
    target = Condition.parse(condition) if condition else None
    extra = {"objectives": [n.strip() for n in objectives.split(",")], "constraint": constraint,
             "condition": {"current_density_ma_cm2": target.current_ma_cm2, "capacity_mah_cm2": target.capacity_mah_cm2}
             if target else None}
    with _client(url, api_key) as client:
        campaign = client.create_campaign(name, metal, space=space, physics=physics, seed=seed, related_campaigns=related,
                                          **{k: v for k, v in extra.items() if v is not None and v != ["lifetime"]})
    emit(f"campaign {campaign['id']}", _flat(campaign), as_json)


@campaign_app.command("list")
def list_command(url: str = URL_OPTION, api_key: str = KEY_OPTION, as_json: bool = JSON_OPTION) -> None:
    """The campaigns of this key's owner."""
    with _client(url, api_key) as client:
        campaigns = client.campaigns()
    if as_json:
        print(json.dumps(campaigns))
        return
    table = whole_table(("id", "name", "metal", "physics", "data version", "created"),
                        [(c["id"], c["name"], c["metal"], c["physics"], str(c["data_version"]), c["created_at"][:19])
                         for c in campaigns], whole=("id",))
    console.print(table)


@campaign_app.command("show")
def show_command(campaign_id: str, url: str = URL_OPTION, api_key: str = KEY_OPTION, as_json: bool = JSON_OPTION) -> None:
    """One campaign with its proposal and measurement counts."""
    with _client(url, api_key) as client:
        emit(f"campaign {campaign_id}", _flat(client.campaign(campaign_id)), as_json)


def propose_command(campaign_id: str, count: int = typer.Option(4, "-n", "--count", help="Recipes in the batch."),
                    wait: bool = typer.Option(False, "--wait", help="Wait for the batch, with progress."),
                    url: str = URL_OPTION, api_key: str = KEY_OPTION, as_json: bool = JSON_OPTION) -> None:
    """Ask for the next batch of recipes to coat (a job; --wait shows its progress and the batch)."""
    with _client(url, api_key) as client:
        job = client.propose(campaign_id, count)
        if not wait:
            emit(f"job {job['id']}", {k: job[k] for k in ("id", "kind", "status", "message")} | {"page": job_page(client, job)},
                 as_json)
            return
        announce_job(client, job, as_json)
        job = wait_with_progress(client, job, f"proposing {count}", stderr=as_json)
    if as_json:
        print(json.dumps(job["proposals"]))
        return
    table = whole_table(("proposal", "recipe", "thickness nm", "predicted h", "90% interval h"),
                        [(p["id"], p["recipe"], f"{p['thickness_nm']:.1f}", f"{p['predicted_lifetime_h']:.0f}",
                          f"{p['interval_h'][0]:.0f} – {p['interval_h'][1]:.0f}") for p in job["proposals"]],
                        whole=("proposal", "recipe"), title=f"batch from job {job['id']}")
    console.print(table)


def measure_command(campaign_id: str, file: Path = typer.Argument(..., exists=True, dir_okay=False, help="CSV with a header."),
                    idempotency_key: str = typer.Option(None, help="Repeat a post safely (default: the file's hash)."),
                    url: str = URL_OPTION, api_key: str = KEY_OPTION, as_json: bool = JSON_OPTION) -> None:
    """Post measured lifetimes from a CSV file (recipe or proposal_id, lifetime_h, censored, ...); all rows or none."""
    key = idempotency_key or hashlib.sha256(file.read_bytes()).hexdigest()[:40]
    with _client(url, api_key) as client:
        stored = client.measure(campaign_id, file, idempotency_key=key)
        if stored.get("job"):  # the refit of the new cells
            announce_job(client, stored["job"], as_json)
    emit(f"campaign {campaign_id}", {"stored rows": len(stored["measurements"]), "data version": stored["data_version"]},
         as_json)


def recommend_command(campaign_id: str,
                      condition: str = typer.Option(None, help="Another test condition CURRENT,CAPACITY (mA/cm2, mAh/cm2)."),
                      url: str = URL_OPTION, api_key: str = KEY_OPTION, as_json: bool = JSON_OPTION) -> None:
    """The recipe the surrogate recommends now, with its interval and the best observed cell (and the Pareto set)."""
    at = Condition.parse(condition) if condition else None
    with _client(url, api_key) as client:
        recommendation = client.recommendation(campaign_id, condition=(at.current_ma_cm2, at.capacity_mah_cm2) if at else None)
    if as_json:
        print(json.dumps(recommendation))
        return
    best = recommendation.get("best_observed") or {}
    emit(f"recommendation for {campaign_id}", {
        "recipe": recommendation["recipe"], "predicted lifetime h": recommendation["predicted_lifetime_h"],
        "90% interval h": " – ".join(f"{v:.0f}" for v in recommendation["interval_h"]),
        "probability best": recommendation["probability_best"],
        "conservative recipe": recommendation["conservative_recipe"],
        "best observed": f"{best.get('recipe')} {best.get('lifetime_h', 0):.0f} h" + (" (still running)" if best.get("censored") else "")
        if best else "none yet",
        "data version": recommendation["data_version"]}, False)
    if recommendation.get("pareto"):
        table = whole_table(("recipe", "predicted h", "90% interval h", "predicted mV", "90% interval mV"),
                            [(p["recipe"], f"{p['predicted_lifetime_h']:.0f}", " – ".join(f"{v:.0f}" for v in p["interval_h"]),
                              f"{p['predicted_overpotential_mv']:.0f}",
                              " – ".join(f"{v:.0f}" for v in p["overpotential_interval_mv"])) for p in recommendation["pareto"]],
                            whole=("recipe",), title="predicted Pareto set")
        console.print(table)


def wait_with_progress(client: Client, job: dict, label: str, *, stderr: bool = False, disable: bool = False) -> dict:
    """Poll ``job`` until it finishes, with a progress bar on stdout (or ``stderr``) unless ``disable``."""
    with Progress(TextColumn("{task.description}"), BarColumn(), TextColumn("{task.percentage:>3.0f}%"),
                  TextColumn("{task.fields[message]}"), TimeElapsedColumn(),
                  console=Console(stderr=True) if stderr else console, disable=disable) as progress:
        task = progress.add_task(label, total=1.0, message="queued")
        return client.wait(job, progress=lambda state: progress.update(task, completed=state["progress"],
                                                                      message=state["message"]))


def _flat(values: dict) -> dict:
    return {k: json.dumps(v) if isinstance(v, (dict, list)) else v for k, v in values.items()}
