"""``interlayer keys create``: API keys, stored hashed; the secret is printed once."""

from __future__ import annotations

import typer

from ..settings import Settings
from ..store.db import migrate
from ..usecases.keys import create_key

keys_app = typer.Typer(help="API keys for the HTTP API.", no_args_is_help=True)


@keys_app.command("create")
def create_command(owner: str = typer.Option(..., help="Who the key belongs to; campaigns belong to their key's owner.")) -> None:
    """Create a key for OWNER in INTERLAYER_DATABASE_URL's database and print it (only this once)."""
    settings = Settings()
    migrate(settings)
    print(create_key(settings, owner))
