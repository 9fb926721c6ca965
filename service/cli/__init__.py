"""The ``interlayer`` command line: one typer app, a module per command group."""

from __future__ import annotations

import sys

import typer

from interlayer.models.errors import InterlayerError

from ..errors import RequestRefused
from .campaign import campaign_app, measure_command, propose_command, recommend_command
from .cells import cells_app
from .data import data_app
from .demo import demo_command
from .keys import keys_app
from .recipe import recipe_command
from .report import report_command
from .serve import serve_command, worker_command
from .simulate import simulate_app

app = typer.Typer(
    name="interlayer",
    help="Design ALD/MLD protective coatings for Li and Na metal anodes.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
app.command("recipe")(recipe_command)
app.add_typer(simulate_app, name="simulate")
app.command("serve")(serve_command)
app.command("worker")(worker_command)
app.add_typer(keys_app, name="keys")
app.add_typer(campaign_app, name="campaign")
app.add_typer(cells_app, name="cells")
app.command("propose")(propose_command)
app.command("measure")(measure_command)
app.command("recommend")(recommend_command)
app.command("demo")(demo_command)
app.command("report")(report_command)
app.add_typer(data_app, name="data")


@app.command("closed-loop", add_help_option=False,
             context_settings={"allow_extra_args": True, "ignore_unknown_options": True})
def closed_loop_command(ctx: typer.Context) -> None:
    """Benchmark Interlayer against random search, scikit-optimize and Optuna on a simulated lab (--help for options)."""
    # imported here: the surrogate stack takes over a second to load, which other commands need not pay
    from interlayer.evaluation.runner import main as closed_loop_main
    raise typer.Exit(closed_loop_main(ctx.args))


def main(argv: list[str] | None = None) -> None:
    """Console entry point: bad input becomes one line on stderr and exit code 2, never a traceback."""
    try:
        app(args=argv, prog_name="interlayer")
    except (InterlayerError, RequestRefused) as error:
        typer.echo(f"error: {error}", err=True)
        sys.exit(2)
