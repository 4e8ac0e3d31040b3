"""``kizashi ingest export PATH…``: analysts' bibliographic exports (Web of Science
plain text / Excel / CSV, Scopus CSV, conference paper lists). Each file's format
is recognised from its name and first bytes; records become Works that merge with
OpenAlex/arXiv records of the same paper by DOI or arXiv ID.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Annotated, Any, Optional

import typer

from graph.load import write_works
from ingest import conference, scopus, wos
from ingest.inputs import Input, file_input
from graph.pipeline import Report, ingest
from ingest.raw import open_binary
from core.console import console
from core.errors import InputError
from core.settings import get_settings

# Aggregate tables that sit beside paper lists but are not papers.
AGGREGATE_COLUMNS = ({"year", "affiliation", "paper_count"}, {"raw_affiliation", "canonical_affiliation", "country"},
                     {"year", "region", "paper_count"}, {"year", "category", "paper_count"})
KNOWN_INSTITUTIONS = "affiliation_mapping_long.csv"


def _head(path: Path, n: int = 8192) -> bytes:
    with open_binary(path) as f:
        return f.read(n).lstrip(b"\xef\xbb\xbf")


def kind_of(path: Path) -> str | None:
    """wos / scopus / conference, 'aggregate' for a table of counts, None for anything else."""
    name = path.name.lower().removesuffix(".gz")
    if name.endswith((".xls", ".zip")):
        return "wos"
    if name.endswith(".txt"):
        head = _head(path, 64)
        return "wos" if head.startswith((b"FN ", b"VR ", b"PT ")) else None
    if name.endswith(".csv"):
        header = _head(path).split(b"\n", 1)[0].decode("utf-8", "replace")
        cols = {c.strip().strip('"') for c in header.split(",")}
        if "EID" in cols and "Authors with affiliations" in cols:
            return "scopus"
        if any(c.startswith("UT (Unique") for c in cols) or {"Article Title", "Addresses"} <= cols:
            return "wos"
        if any(a <= cols for a in AGGREGATE_COLUMNS):
            return "aggregate"
        return None
    if name.endswith((".jsonl", ".json")):
        head = _head(path, 4096)
        if conference.is_conference(head):
            return "conference"
        if b'"UT (Unique' in head or b'"Article Title"' in head:
            return "wos"
    return None


def find_files(paths: list[Path]) -> list[Path]:
    out: list[Path] = []
    for p in paths:
        if not p.exists():
            raise InputError(f"{p}: no such file or directory")
        out += sorted(f for f in p.rglob("*") if f.is_file()) if p.is_dir() else [p]
    return out


def _reader(kind: str, known: conference.Known | None) -> Callable[[Path], Iterator[tuple[Any, Any]]]:
    max_bytes = get_settings().max_record_bytes
    if kind == "wos":
        return lambda f: wos.read(f, max_bytes)
    if kind == "scopus":
        return lambda f: scopus.read(f, max_bytes)
    return lambda f: conference.read(f, max_bytes, known)


def known_institutions(files: list[Path], extra: Path | None) -> conference.Known:
    known = conference.Known()
    for f in files:
        if f.name.removesuffix(".gz") == KNOWN_INSTITUTIONS:
            known.add_table(f)
    if extra is not None:
        known.add_table(extra)
    return known


def plan(paths: list[Path], known_table: Path | None = None) -> tuple[dict[str, list[Input]], list[tuple[Path, str]]]:
    """Inputs per source kind, and the files left out with the reason."""
    files = find_files(paths)
    known = known_institutions(files, known_table)
    inputs: dict[str, list[Input]] = {}
    skipped: list[tuple[Path, str]] = []
    for f in files:
        kind = kind_of(f)
        if kind == "aggregate":
            skipped.append((f, "aggregate counts, not per-paper records" +
                            (" (used as known institution → country table)" if f.name.removesuffix(".gz") == KNOWN_INSTITUTIONS else "")))
        elif kind is None:
            skipped.append((f, "not a bibliographic export this command reads"))
        else:
            inputs.setdefault(kind, []).append(file_input(f, _reader(kind, known)))
    return inputs, skipped


def ingest_exports(store: Any, paths: list[Path], force: bool = False, known_table: Path | None = None) -> dict[str, Report]:
    from cli.ingest import _print, _quarantine

    inputs, skipped = plan(paths, known_table)
    for f, why in skipped:
        console.print(f"[dim]skipped {f}: {why}[/dim]")
    reports = {}
    for kind in ("wos", "scopus", "conference"):
        if kind in inputs:
            q = _quarantine(kind)
            try:
                reports[kind] = ingest(store, inputs[kind], kind, batch_size=get_settings().batch_size, quarantine=q,
                                       args=[str(p) for p in paths], force=force, writer=write_works)
            finally:
                q.close()
            _print(reports[kind], q, kind)
    return reports


def register(app: typer.Typer) -> None:
    @app.command("export")
    def export(paths: list[Path],
               force: Annotated[bool, typer.Option("--force", help="Rewrite records even when unchanged.")] = False,
               known: Annotated[Optional[Path], typer.Option("--known-institutions",
                                help="CSV of institution → country (columns raw_affiliation/canonical_affiliation, country) "
                                     "used to infer missing conference countries.")] = None) -> None:
        """Web of Science (savedrecs.txt, .xls or a .zip of them, CSV), Scopus CSV, and conference
        paper lists (papercopilot JSONL); files or directories."""
        from cli.store import open_store

        with open_store() as store:
            ingest_exports(store, paths, force, known)
