"""``kizashi keys create|revoke|list``: API keys for ``kizashi serve api``."""

from __future__ import annotations

from typing import Annotated

import typer

from core.console import console, err, table
from core.settings import get_settings


def register(app: typer.Typer) -> None:
    keys_app = typer.Typer(no_args_is_help=True, help="API keys (only their hashes are stored).")
    app.add_typer(keys_app, name="keys")

    @keys_app.command("create")
    def create(role: Annotated[str, typer.Option(help="read or admin")] = "read",
               label: Annotated[str, typer.Option(help="Who or what the key is for.")] = "") -> None:
        """Create a key and print it once; it cannot be shown again."""
        from api.keys import KeyStore

        plain, key = KeyStore.at(get_settings().home).create(role, label)
        err.print(f"created {key.role} key {key.id} (store it now; only its hash is kept)")
        print(plain)

    @keys_app.command("revoke")
    def revoke(key_id: Annotated[str, typer.Argument(help="The key id (kz_<id>_…) or the whole key.")]) -> None:
        """Revoke a key; a running server refuses it from the next request."""
        from api.keys import KeyStore

        kid = key_id.split("_")[1] if key_id.startswith("kz_") else key_id
        if not KeyStore.at(get_settings().home).revoke(kid):
            err.print(f"[red]no key {kid}[/red]")
            raise typer.Exit(1)
        console.print(f"revoked {kid}")

    @keys_app.command("list")
    def list_() -> None:
        """Key ids, roles and creation times (never the keys)."""
        from api.keys import KeyStore

        table(({"id": k.id, "role": k.role, "created": k.created, "label": k.label}
               for k in KeyStore.at(get_settings().home).list()), title="API keys")
