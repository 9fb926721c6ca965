"""``interlayer demo``: two closed-loop campaigns (Li, Na) against the paper's simulated lab, end to end.

Everything a deployment has, on embedded defaults: a SQLite file in a temporary folder, a loopback
broker, two worker processes and the HTTP API; the demo drives it only through the Python client and
ends by writing each campaign's HTML report (``interlayer report``'s) and printing where.
"""

from __future__ import annotations

import tempfile
import threading
import time
import uuid
from pathlib import Path

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from interlayer.models.recipe import Recipe

from ..client import Client
from ..settings import Settings
from .output import console
from .planner import ApiPlanner
from .report import remote_state, write_report


def _run_campaign(client: Client, metal: str, rounds: int, batch: int, seed: int, progress: Progress, task) -> dict:
    # The surrogate and evaluation stack takes over a second to import: only the demo pays it.
    from interlayer.evaluation.closed_loop import run_loop
    from interlayer.evaluation.labs import paper_lab
    from interlayer.surrogate.space import DesignSpace

    campaign = client.create_campaign(f"demo {metal}", metal, seed=seed)
    planner = ApiPlanner(client, campaign["id"])
    planner.progress = lambda state: progress.update(
        task, completed=2 * planner.rounds + state["progress"], message=f"round {planner.rounds + 1}/{rounds}: {state['message']}")
    for step in run_loop(planner, paper_lab, DesignSpace.from_dict(campaign["space"]), budget=rounds * batch,
                         batch=batch, seed=seed):
        progress.update(task, completed=2 * step.round, message=f"round {step.round}/{rounds}: {len(step.results)} cells measured")
    progress.update(task, completed=2 * rounds, message="recommendation ready")
    return {"campaign": campaign, "recommendation": planner.recommendation}


def demo_command(rounds: int = typer.Option(4, help="Rounds of proposals per metal."),
                 batch: int = typer.Option(4, help="Cells per round."),
                 seed: int = typer.Option(0, help="Seed of the campaigns and of the lab's cell scatter."),
                 workers: int = typer.Option(2, help="Worker processes."),
                 keep: Path = typer.Option(None, help="Keep the SQLite database in this folder instead of a temporary one."),
                 reports: Path = typer.Option(Path("."), help="Folder for the campaigns' HTML reports.")) -> None:
    """Run a Li and a Na campaign against a simulated lab through the API, queue and workers; compare with the truth."""
    from ..stack import LocalStack
    from ..usecases.keys import create_key

    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="interlayer-demo-") as scratch:
        folder = Path(keep or scratch)
        folder.mkdir(parents=True, exist_ok=True)
        settings = Settings(database_url=f"sqlite:///{folder / 'demo.sqlite'}", redis_url=None,
                            queue_prefix=f"demo-{uuid.uuid4().hex[:8]}", heartbeat_s=2.0, simulation_time_limit_s=600)
        console.print(f"[bold]interlayer demo[/]: embedded broker, {workers} worker processes, API and SQLite in {folder}")
        with LocalStack(settings, workers=workers, concurrency=1, log_dir=folder) as stack:
            stack.wait_ready()
            console.print(f"API {stack.api.url}, broker {stack.settings.redis_url} ({stack.broker.kind})")
            key = create_key(stack.settings, "demo-lab")
            results: dict[str, dict] = {}
            errors: list[BaseException] = []
            with Client(stack.api.url, key) as client, Progress(
                    TextColumn("{task.description:>3}"), BarColumn(), TextColumn("{task.percentage:>3.0f}%"),
                    TextColumn("{task.fields[message]}"), TimeElapsedColumn(), console=console) as progress:
                def run(metal: str) -> None:
                    task = progress.add_task(metal, total=2 * rounds, message="starting")
                    try:
                        results[metal] = _run_campaign(client, metal, rounds, batch, seed, progress, task)
                    except BaseException as error:  # reported after both loops end
                        errors.append(error)
                threads = [threading.Thread(target=run, args=(metal,)) for metal in ("Li", "Na")]
                for thread in threads:
                    thread.start()
                for thread in threads:
                    thread.join()
                if errors:
                    raise errors[0]
                written = [write_report(remote_state(client, result["campaign"]["id"]), reports / f"report-demo-{metal}.html")
                           for metal, result in results.items()]
    # A table squeezed into 80 columns truncates the recipes, the point of the demo: print it wider.
    Console(width=max(console.width, 104)).print(_table(results, rounds * batch))
    for path in written:
        console.print(f"report: {path.resolve()}")
    console.print(f"done in {time.monotonic() - started:.0f} s")


def _table(results: dict[str, dict], cells: int) -> Table:
    from interlayer.evaluation.closed_loop import truth_table
    from interlayer.evaluation.labs import paper_lab
    from interlayer.surrogate.space import DesignSpace

    table = Table(title=f"Recommended recipe after {cells} cells per metal, beside the simulated lab's true optimum")
    for column in ("metal", "recommended", "pred. h", "true h", "lab optimum", "opt. h", "reached"):
        table.add_column(column, no_wrap=True)
    for metal, result in results.items():
        recommendation = result["recommendation"]
        space = DesignSpace.from_dict(result["campaign"]["space"])
        truth = truth_table(paper_lab, space)
        best_key = max(truth, key=truth.get)
        chosen = (recommendation["ald_cycles"], recommendation["mld_cycles"], recommendation["supercycles"])
        table.add_row(metal, recommendation["recipe"], f"{recommendation['predicted_lifetime_h']:.0f}",
                      f"{truth[chosen]:.0f}", str(Recipe(metal, *best_key)), f"{truth[best_key]:.0f}",
                      f"{truth[chosen] / truth[best_key]:.0%}")
    return table
