"""``interlayer simulate``: run a physics model locally; one module per model holds its command."""

from __future__ import annotations

import typer

from .simulate_czm import czm_command
from .simulate_phasefield import phasefield_command

simulate_app = typer.Typer(help="Run a physics model on a recipe or a film.", no_args_is_help=True)
simulate_app.command("czm")(czm_command)
simulate_app.command("phasefield")(phasefield_command)
