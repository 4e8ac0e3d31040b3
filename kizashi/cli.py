"""The ``kizashi`` command line."""

from __future__ import annotations

import importlib
import logging
import sys
from pathlib import Path
from typing import Annotated, Optional

import typer

from kizashi.console import console, err, print_json, table
from kizashi.errors import ConfigError, KizashiError
from kizashi.settings import get_settings

app = typer.Typer(no_args_is_help=True, add_completion=False, help="Kizashi (兆し): technology horizon scanning for economic security.")
db_app = typer.Typer(no_args_is_help=True, help="The local Neo4j server.")
app.add_typer(db_app, name="db")

from kizashi import ingest_cli  # noqa: E402  (registers `kizashi ingest …`)

app.add_typer(ingest_cli.app, name="ingest")

# Each area adds its commands from its own module, with ``register(app)``.
for _name in ("kizashi.orgs_cli", "kizashi.taxonomy_cli", "kizashi.embed_cli", "kizashi.clusters_cli",
              "kizashi.rank_cli", "kizashi.serve_cli", "kizashi.keys_cli", "kizashi.ui_cli"):
    try:
        importlib.import_module(_name).register(app)
    except ModuleNotFoundError as _e:
        if _e.name != _name:
            raise


def open_store(start: bool = True):
    """A Store on the configured Neo4j, starting the local one if needed."""
    from graph import server
    from graph.schema import ensure_schema
    from graph.store import Store

    settings = get_settings()
    if settings.local and start and not server.running(settings):
        err.print("[dim]starting the local Neo4j…[/dim]")
        server.start(settings)
    store = Store.connect(settings)
    ensure_schema(store)
    return store


@db_app.command("start")
def db_start() -> None:
    """Start Neo4j Community on 127.0.0.1 (idempotent)."""
    from graph import server

    settings = get_settings()
    if not settings.local:
        raise ConfigError(f"NEO4J_URI is set ({settings.neo4j_uri}); Kizashi uses that server and starts none")
    was = server.running(settings)
    uri = server.start(settings)
    console.print(f"Neo4j {'already running' if was else 'started'} at {uri} (data in {settings.home / 'neo4j'})")


@db_app.command("stop")
def db_stop() -> None:
    """Stop the local Neo4j."""
    from graph import server

    console.print("stopped" if server.stop(get_settings()) else "not running")


@db_app.command("status")
def db_status(as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output.")] = False) -> None:
    """Server version and node/relationship counts."""
    from graph import queries, server
    from graph.store import Store

    settings = get_settings()
    if settings.local and not server.running(settings):
        if as_json:
            print_json({"running": False})
        else:
            console.print("local Neo4j is not running (kizashi db start)")
        raise typer.Exit(1)
    from graph.store import connection

    with Store.connect(settings) as store:
        data = {"running": True, "uri": connection(settings).uri, "version": store.server_version(), **queries.counts(store)}
    if as_json:
        print_json(data)
        return
    console.print(f"[bold]{data['version']}[/bold]")
    table(({"label": k, "nodes": v} for k, v in data["nodes"].items()), title="Nodes")
    table(({"type": k, "relationships": v} for k, v in data["relationships"].items()), title="Relationships")


@app.command("query")
def query(cypher: str, as_json: Annotated[bool, typer.Option("--json")] = False,
          timeout: Annotated[float, typer.Option(help="Seconds before the server aborts the query.")] = 60.0) -> None:
    """Run a read-only Cypher query (in a read transaction) and print the rows."""
    with open_store() as store:
        rows = store.read(cypher, timeout=timeout)
    if as_json:
        print_json(rows)
    else:
        table(rows)


@app.command("summary")
def summary(as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Works, organizations, countries, and the top countries by fractional count."""
    from graph import queries

    with open_store() as store:
        data = {**queries.counts(store), "top_countries": queries.top_countries(store, 10)}
    if as_json:
        print_json(data)
        return
    n = data["nodes"]
    console.print(f"[bold]{n.get('Work', 0):,}[/bold] works · {n.get('Organization', 0):,} organizations · "
                  f"{n.get('Country', 0):,} countries · {n.get('Author', 0):,} authors")
    table(data["top_countries"], title="Top countries by fractional count")


@app.command("run")
def run(data: Annotated[Optional[Path], typer.Option(help="Snapshot directory laid out like shared/data (offline).")] = None,
        offline: Annotated[bool, typer.Option(help="Never touch the network.")] = False,
        max_per_query: Annotated[int, typer.Option(help="Live: records per watch-list query and source.")] = 200) -> None:
    """The main job: local Neo4j → ingest (live watch-list, or --data offline) → summary."""
    from ingest import watchlist

    with open_store() as store:
        if data is not None:
            if not data.is_dir():
                raise ConfigError(f"--data {data}: no such directory")
            ingest_cli.ingest_snapshot(store, data)
        elif not offline and watchlist.online(get_settings()):
            ingest_cli.ingest_watchlist(store, max_per_query)
        else:
            raise ConfigError("offline and no data: pass --data DIR, a snapshot directory laid out like shared/data "
                              "(openalex/, arxiv/ …)")
    summary(as_json=False)


def main() -> None:
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    logging.getLogger("neo4j").setLevel(logging.ERROR)
    try:
        app()
    except KizashiError as e:
        err.print(f"[red]error:[/red] {e}")
        sys.exit(1)


if __name__ == "__main__":
    main()
