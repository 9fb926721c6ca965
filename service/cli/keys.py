"""``interlayer keys create``: API keys, stored hashed; the secret is printed once."""

from __future__ import annotations

import typer

from ..db import migrate
from ..keys import create_key
from ..settings import load_settings

keys_app = typer.Typer(help="API keys for the HTTP API.", no_args_is_help=True)


@keys_app.command("create")
def create_command(owner: str = typer.Option(..., help="Who the key belongs to; campaigns belong to their key's owner.")) -> None:
    """Create a key for OWNER in INTERLAYER_DATABASE_URL's database and print it (only this once)."""
    settings = load_settings()
    migrate(settings.database_url)
    print(create_key(settings.database_url, owner))
