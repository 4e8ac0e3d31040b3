"""Small helpers shared by tests: run an ingest the way the CLI does."""

from __future__ import annotations

from pathlib import Path

from graph.store import Store
from ingest import arxiv as ax
from ingest import openalex as oa
from ingest.pipeline import Report, file_input, ingest
from ingest.quarantine import Quarantine

MAX = 8 * 1024 * 1024


def openalex_input(path: Path, max_bytes: int = MAX):
    return file_input(path, lambda f: ((i, oa.to_work) for i in oa.read_file(f, max_bytes)))


def arxiv_input(path: Path, max_bytes: int = MAX):
    return file_input(path, lambda f: ax.read_file(f, max_bytes))


def load(store: Store, kind: str, paths: list[Path], tmp: Path, batch_size: int = 500, force: bool = False) -> tuple[Report, Quarantine]:
    make = openalex_input if kind == "openalex" else arxiv_input
    files = [f for p in paths for f in (oa.find_files(p) if kind == "openalex" else ax.find_files(p))]
    q = Quarantine(tmp / f"quarantine-{kind}.jsonl")
    try:
        report = ingest(store, [make(f) for f in files], kind, batch_size=batch_size, quarantine=q, show_progress=False, force=force)
    finally:
        q.close()
    return report, q


def counts(store: Store) -> dict[str, int]:
    from graph.queries import counts as c

    data = c(store)
    return {**data["nodes"], **{f"rel:{k}": v for k, v in data["relationships"].items()}}


def stable_counts(store: Store) -> dict[str, int]:
    """Counts of the graph's content, without the per-run provenance nodes."""
    return {k: v for k, v in counts(store).items() if k not in ("IngestRun", "rel:READ")}
