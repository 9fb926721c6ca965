"""``interlayer demo``: two closed-loop campaigns (Li, Na) against the paper's simulated lab, end to end.

Everything a deployment has, on embedded defaults: a SQLite file in a data folder the user names
(``--data``; default ``~/.local/share/interlayer/demo``, never the current folder), a loopback broker,
two worker processes and the HTTP API. The demo drives it only through the Python client, proposes
each campaign's next batch, writes each campaign's HTML report (``interlayer report``'s) into the data
folder and prints the batch and the commands that serve that data.
"""

from __future__ import annotations

import threading
import time
import uuid
from pathlib import Path

import typer
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from interlayer.models.recipe import Recipe

from ..client import Client
from ..settings import Settings, default_data_dir
from .output import console, whole_table
from .planner import ApiPlanner
from .report import remote_state, write_report

DEMO_OWNER = "demo-lab"


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
    # What a lab wants from the demo: the next batch to coat, proposed on every cell measured.
    progress.update(task, message="proposing the next batch")
    job = client.wait(client.propose(campaign["id"], batch), timeout_s=planner.timeout_s)
    progress.update(task, completed=2 * rounds + 1, message="next batch proposed")
    return {"campaign": campaign, "recommendation": planner.recommendation, "next_batch": job["proposals"], "job": job}


def _shown(path: Path, home: str = "~") -> str:
    """``path`` with the home folder written ``home`` (``~``, or ``$HOME`` inside a URL), as a person types it."""
    path, home_path = path.resolve(), Path.home().resolve()
    return f"{home}/{path.relative_to(home_path)}" if path.is_relative_to(home_path) else str(path)


def demo_command(rounds: int = typer.Option(4, help="Rounds of proposals per metal."),
                 batch: int = typer.Option(4, help="Cells per round."),
                 seed: int = typer.Option(0, help="Seed of the campaigns and of the lab's cell scatter."),
                 workers: int = typer.Option(2, help="Worker processes."),
                 data: Path = typer.Option(None, "--data", "--keep", show_default="~/.local/share/interlayer/demo",
                                           help="Folder for the demo's SQLite database, worker logs and reports (kept)."),
                 reports: Path = typer.Option(None, help="Folder for the campaigns' HTML reports (default: the data folder).")
                 ) -> None:
    """Run a Li and a Na campaign against a simulated lab through the API, queue and workers; compare with the
    truth, propose the next batch and print how to serve the result."""
    started = time.monotonic()
    folder = data or default_data_dir() / "demo"
    folder.mkdir(parents=True, exist_ok=True)
    database = folder / "demo.sqlite"
    console.print(f"[bold]interlayer demo[/]: embedded broker, {workers} worker processes, API; data in {_shown(folder)}")
    results = _run_stack(Settings(database_url=f"sqlite:///{database.resolve()}", redis_url=None,
                                  queue_prefix=f"demo-{uuid.uuid4().hex[:8]}", heartbeat_s=2.0,
                                  simulation_time_limit_s=600), folder, workers, rounds, batch, seed, reports or folder)
    console.print(_table(results, rounds * batch))
    console.print(f"done in {time.monotonic() - started:.0f} s")
    for metal, result in results.items():
        console.print(_batch_table(metal, result))
    console.print(f"Reports: {', '.join(_shown(result['report']) for result in results.values())}",
                  soft_wrap=True, highlight=False)
    console.print("Next: serve the demo's data and sign in (in this shell, with the venv active: "
                  "source .venv/bin/activate)", soft_wrap=True)
    for line in (f"export INTERLAYER_DATABASE_URL=sqlite:///{_shown(database, '$HOME')}",
                 f"interlayer keys create --owner {DEMO_OWNER}   # prints a key: paste it on the sign-in page",
                 "interlayer serve   # then open http://127.0.0.1:8000/"):
        console.print(f"  {line}", soft_wrap=True, highlight=False, markup=False)


def _run_stack(settings: Settings, folder: Path, workers: int, rounds: int, batch: int, seed: int,
               reports: Path) -> dict[str, dict]:
    """Both campaigns on one local stack, side by side; each result gains the path of its report."""
    from ..stack import LocalStack
    from ..usecases.keys import create_key

    with LocalStack(settings, workers=workers, concurrency=1, log_dir=folder) as stack:
        stack.wait_ready()
        console.print(f"API {stack.api.url}, broker {stack.settings.redis_url} ({stack.broker.kind})")
        key = create_key(stack.settings, DEMO_OWNER)
        results: dict[str, dict] = {}
        errors: list[BaseException] = []
        with Client(stack.api.url, key) as client, Progress(
                TextColumn("{task.description:>3}"), BarColumn(), TextColumn("{task.percentage:>3.0f}%"),
                TextColumn("{task.fields[message]}"), TimeElapsedColumn(), console=console) as progress:
            def run(metal: str) -> None:
                task = progress.add_task(metal, total=2 * rounds + 1, message="starting")
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
            for metal, result in sorted(results.items()):
                result["report"] = write_report(remote_state(client, result["campaign"]["id"]),
                                                reports / f"report-demo-{metal}.html")
    return dict(sorted(results.items()))


def _batch_table(metal: str, result: dict) -> Table:
    """The next batch as a coater reads it, ids and recipes whole at any terminal width."""
    return whole_table(("proposal", "recipe", "nm", "predicted h", "90% interval h"),
                       [(p["id"], p["recipe"], f"{p['thickness_nm']:.1f}", f"{p['predicted_lifetime_h']:.0f}",
                         f"{p['interval_h'][0]:.0f}–{p['interval_h'][1]:.0f}") for p in result["next_batch"]],
                       whole=("proposal", "recipe"), title=f"Next batch to coat for {metal} (campaign {result['campaign']['id']})")


def _table(results: dict[str, dict], cells: int) -> Table:
    from interlayer.evaluation.closed_loop import truth_table
    from interlayer.evaluation.labs import paper_lab
    from interlayer.surrogate.space import DesignSpace

    rows = []
    for metal, result in results.items():
        recommendation = result["recommendation"]
        space = DesignSpace.from_dict(result["campaign"]["space"])
        truth = truth_table(paper_lab, space)
        best_key = max(truth, key=truth.get)
        chosen = (recommendation["ald_cycles"], recommendation["mld_cycles"], recommendation["supercycles"])
        rows.append((metal, recommendation["recipe"], f"{recommendation['predicted_lifetime_h']:.0f}",
                     f"{truth[chosen]:.0f}", str(Recipe(metal, *best_key)), f"{truth[best_key]:.0f}",
                     f"{truth[chosen] / truth[best_key]:.0%}"))
    table = whole_table(("metal", "recommended", "pred. h", "true h", "lab optimum", "opt. h", "reached"), rows,
                        whole=("metal", "recommended", "lab optimum", "reached"),
                        title=f"Recommended recipe after {cells} cells per metal, beside the simulated lab's true optimum")
    return table
