"""``interlayer keys create | list | revoke``: API keys, stored hashed; the secret is printed once."""

from __future__ import annotations

import typer

from ..errors import NotFound
from ..settings import Settings
from ..store.db import migrate
from ..usecases.keys import create_key, list_keys, revoke_key

keys_app = typer.Typer(help="API keys for the HTTP API.", no_args_is_help=True)


@keys_app.command("create")
def create_command(owner: str = typer.Option(..., help="Who the key belongs to; campaigns belong to their key's owner."),
                   expires_in_days: float = typer.Option(None, help="Days until the key stops working (default: never).")
                   ) -> None:
    """Create a key for OWNER in INTERLAYER_DATABASE_URL's database and print it (only this once)."""
    settings = Settings()
    migrate(settings)
    print(create_key(settings, owner, expires_in_days))


@keys_app.command("list")
def list_command() -> None:
    """Every key's id, owner, creation, last use, expiry and revocation (never a secret)."""
    settings = Settings()
    migrate(settings)
    def when(moment) -> str:
        return moment.strftime("%Y-%m-%d %H:%M") if moment else "-"
    print(f"{'id':<26} {'owner':<20} {'created':<16} {'last used':<16} {'expires':<16} revoked")
    for key in list_keys(settings):
        print(f"{key['id']:<26} {key['owner'][:20]:<20} {when(key['created_at']):<16} {when(key['last_used_at']):<16} "
              f"{when(key['expires_at']):<16} {when(key['revoked_at'])}")


@keys_app.command("revoke")
def revoke_command(key_id: str = typer.Argument(..., help="The key's id, as `interlayer keys list` shows it.")) -> None:
    """Revoke a key; every API process refuses it within a second."""
    settings = Settings()
    migrate(settings)
    try:
        revoke_key(settings, key_id)
    except NotFound as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(2) from None
    typer.echo(f"revoked {key_id}", err=True)
