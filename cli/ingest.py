"""``kizashi ingest …``: one subcommand per source. An argument that names an
existing file or directory is read offline; anything else is a live query."""

from __future__ import annotations

import importlib
from datetime import datetime
from pathlib import Path
from typing import Annotated, Optional

import typer

from graph.store import Store
from ingest import arxiv as ax
from ingest import openalex as oa
from ingest.inputs import Input, file_input
from graph.pipeline import Report, Writer, ingest
from ingest.quarantine import Quarantine
from core.console import console
from core.settings import get_settings

app = typer.Typer(no_args_is_help=True, help="Load sources into the graph.")

SaveOpt = Annotated[Optional[Path], typer.Option("--save", help="Keep raw live responses here, to replay offline later.")]
ForceOpt = Annotated[bool, typer.Option("--force", help="Rewrite records even when unchanged.")]
MaxOpt = Annotated[int, typer.Option("--max", help="Live queries: at most this many records each.")]


def _quarantine(kind: str) -> Quarantine:
    stamp = datetime.now().strftime("%Y%m%dT%H%M%S")
    return Quarantine(get_settings().quarantine_dir / f"{kind}-{stamp}.jsonl")


def _print(report: Report, q: Quarantine, kind: str) -> None:
    r = report
    console.print(f"[bold]{kind}[/bold]: read {r.read:,} · loaded {r.loaded:,} · unchanged {r.unchanged:,} · "
                  f"ignored {r.ignored:,} · quarantined {r.quarantined:,} · sources {r.sources} "
                  f"({r.sources_unchanged} unchanged, {r.resumed_records:,} records resumed past)")
    if r.quarantined:
        console.print(f"  quarantined: {q.summary()}\n  each one, with its source and record, in {q.path}")


def openalex_inputs(args: list[str], save: Path | None, max_records: int) -> list[Input]:
    s = get_settings()
    inputs: list[Input] = []
    client = None
    for a in args:
        p = Path(a)
        if p.exists():
            inputs += [file_input(f, lambda f: ((i, oa.to_work) for i in oa.read_file(f, s.max_record_bytes))) for f in oa.find_files(p)]
            continue
        client = client or oa.Client(s.openalex_url, s.openalex_api_key.get_secret_value() if s.openalex_api_key else None,
                                     s.openalex_mailto, s.openalex_per_page, s.openalex_requests_per_second,
                                     s.http_retries, s.http_timeout_seconds, save)
        params = {"filter": a[len("filter:"):]} if a.startswith("filter:") else {"search": a}
        inputs.append(Input(key=client.public_url("works", params), location=client.public_url("works", params), fingerprint=None,
                            items=lambda c=client, p=params: ((i, oa.to_work) for i in c.fetch_works(max_records, **p))))
    return inputs


def arxiv_inputs(args: list[str], save: Path | None, max_records: int) -> list[Input]:
    s = get_settings()
    inputs: list[Input] = []
    for a in args:
        p = Path(a)
        if p.exists():
            inputs += [file_input(f, lambda f: ax.read_file(f, s.max_record_bytes)) for f in ax.find_files(p)]
            continue
        client = ax.Client(s.arxiv_url, s.arxiv_page_size, s.arxiv_delay_seconds, s.http_retries, save)
        url = f"{s.arxiv_url}?search_query={a}"
        inputs.append(Input(key=url, location=url, fingerprint=None,
                            items=lambda c=client, q=a: ((i, ax.entry_to_work) for i in c.fetch(q, max_results=max_records))))
    return inputs


def run_source(store: Store, kind: str, inputs: list[Input], args: list[str], force: bool = False,
               writer: Writer | None = None) -> Report:
    """``writer``: the batch writer for non-paper records (e.g. ``graph.patent.write_patents``); no paper linking then."""
    q = _quarantine(kind)
    try:
        extra = {"writer": writer, "link": False} if writer else {}
        report = ingest(store, inputs, kind, batch_size=get_settings().batch_size, quarantine=q, args=args, force=force, **extra)
    finally:
        q.close()
    _print(report, q, kind)
    return report


def _store() -> Store:
    from cli.store import open_store

    return open_store()


@app.command("openalex")
def openalex(paths_or_queries: list[str], save: SaveOpt = None, force: ForceOpt = False, max_records: MaxOpt = 200) -> None:
    """OpenAlex snapshot files/directories, saved API pages, or live queries (``filter:…`` or search text)."""
    with _store() as store:
        run_source(store, "openalex", openalex_inputs(paths_or_queries, save, max_records), paths_or_queries, force)


@app.command("arxiv")
def arxiv(paths_or_queries: list[str], save: SaveOpt = None, force: ForceOpt = False, max_records: MaxOpt = 100) -> None:
    """arXiv Atom feeds, Kaggle-form metadata JSONL, OAI-PMH extracts, or live search queries."""
    with _store() as store:
        run_source(store, "arxiv", arxiv_inputs(paths_or_queries, save, max_records), paths_or_queries, force)


# Further sources live in their own modules, each with ``register(app)``.
for _name in ("cli.patents", "cli.policy", "cli.exports"):
    try:
        importlib.import_module(_name).register(app)
    except ModuleNotFoundError as _e:
        if _e.name != _name:
            raise
