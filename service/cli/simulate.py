"""``interlayer simulate``: run a physics model locally; one module per model registers its command."""

from __future__ import annotations

import typer

simulate_app = typer.Typer(help="Run a physics model on a recipe or a film.", no_args_is_help=True)

from . import (
    simulate_czm,  # noqa: E402,F401  registers the command
    simulate_phasefield,  # noqa: E402,F401  registers the command
)
