"""``kizashi serve api``: the HTTP API (FastAPI on uvicorn)."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from core.console import err
from core.settings import get_settings

serve_app = typer.Typer(no_args_is_help=True, help="Serve Kizashi over HTTP.")


@serve_app.command("api")
def serve_api(host: Annotated[Optional[str], typer.Option(help="Bind address (default: settings.api_host).")] = None,
              port: Annotated[Optional[int], typer.Option(help="Port (default: settings.api_port).")] = None,
              start_db: Annotated[bool, typer.Option(help="Start the local Neo4j first if it is not running.")] = True) -> None:
    """Serve the API; OpenAPI docs at /docs. Requests need a key from `kizashi keys create`."""
    import uvicorn

    from api.app import create_app

    settings = get_settings()
    if start_db and settings.local:
        from graph import server

        if not server.running(settings):
            err.print("[dim]starting the local Neo4j…[/dim]")
            server.start(settings)
    h, p = host or settings.api_host, port or settings.api_port
    err.print(f"Kizashi API on http://{h}:{p} (docs at /docs)")
    uvicorn.run(create_app(settings), host=h, port=p, log_level="warning")


def register(app: typer.Typer) -> None:
    app.add_typer(serve_app, name="serve")
