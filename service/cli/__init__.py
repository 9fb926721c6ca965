"""The ``interlayer`` command line: one typer app, a module per command group."""

from __future__ import annotations

import sys

import typer

from interlayer.models.errors import InterlayerError

from .recipe import recipe_command
from .simulate import simulate_app

app = typer.Typer(
    name="interlayer",
    help="Design ALD/MLD protective coatings for Li and Na metal anodes.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
app.command("recipe")(recipe_command)
app.add_typer(simulate_app, name="simulate")


def main(argv: list[str] | None = None) -> None:
    """Console entry point: bad input becomes one line on stderr and exit code 2, never a traceback."""
    try:
        app(args=argv, prog_name="interlayer")
    except InterlayerError as error:
        typer.echo(f"error: {error}", err=True)
        sys.exit(2)
