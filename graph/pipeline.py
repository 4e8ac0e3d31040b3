"""Drive raw records through parsing into Neo4j in fixed-size batches, with a
checkpoint per source committed in the same transaction as each batch.

Re-running the same inputs resumes where an interrupted run stopped, and skips
files that were loaded completely and have not changed since.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from graph import provenance
from graph.load import LINK_CITES, LINK_LINEAGE, write_works
from graph.store import Store
from ingest.quarantine import Quarantine
from ingest.inputs import Input, parse
from core.errors import RecordError

log = logging.getLogger("kizashi.ingest")

# write(tx, batch of (record, locator), kind, source_key, done, complete, force) -> Outcome-like
Writer = Callable[..., Any]


@dataclass
class Report:
    read: int = 0
    loaded: int = 0
    unchanged: int = 0
    ignored: int = 0
    quarantined: int = 0
    ambiguous: int = 0
    sources: int = 0
    sources_unchanged: int = 0
    resumed_records: int = 0

    def as_dict(self) -> dict[str, int]:
        return asdict(self)


def ingest(store: Store, inputs: Iterable[Input], kind: str, *, batch_size: int, quarantine: Quarantine,
           args: list[str] | None = None, force: bool = False, show_progress: bool = True,
           writer: Writer = write_works, link: bool = True) -> Report:
    """Load every input. ``writer`` writes one batch and its checkpoint in one transaction
    (``graph.load.write_works`` for papers); ``link`` runs the cross-batch linking passes."""
    report = Report()
    run = f"{kind}-{uuid.uuid4().hex[:12]}"
    provenance.open_run(store, run, kind, args or [])
    status = "failed"
    progress = Progress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                        TextColumn("{task.fields[rate]}"), TimeElapsedColumn(), disable=not show_progress, transient=False)
    try:
        with progress:
            for inp in inputs:
                _one(store, inp, kind, batch_size, quarantine, report, run, force, progress, writer)
        if report.loaded and link:
            store.autocommit(LINK_CITES)
            store.autocommit(LINK_LINEAGE)
        status = "complete"
    finally:
        report.quarantined = quarantine.count
        provenance.close_run(store, run, report.as_dict(), status)
    return report


def _one(store: Store, inp: Input, kind: str, batch_size: int, quarantine: Quarantine, report: Report,
         run: str, force: bool, progress: Progress, writer: Writer) -> None:
    report.sources += 1
    state = provenance.source_state(store, inp.key)
    same = state is not None and inp.fingerprint is not None and state.fingerprint == inp.fingerprint
    if same and state.complete and not force:
        report.sources_unchanged += 1
        log.info("unchanged, skipped: %s", inp.location)
        return
    skip = state.done if same and not force else 0
    report.resumed_records += skip
    provenance.open_source(store, inp.key, kind, inp.location, inp.fingerprint, run)
    name = inp.location if len(inp.location) < 60 else "…" + inp.location[-59:]
    task = progress.add_task(name, total=None, rate="")
    batch: list[tuple[Any, str]] = []
    consumed = 0
    started = progress.get_time()

    def flush(complete: bool) -> None:
        out = store.execute_write(writer, batch, kind, inp.key, consumed, complete, force)
        report.loaded += out.written
        report.unchanged += out.unchanged
        report.ambiguous += out.ambiguous
        batch.clear()

    for item, parser in inp.items():
        consumed += 1
        if consumed <= skip:
            continue
        report.read += 1
        parsed = parse(item, parser)
        if isinstance(parsed, RecordError):
            quarantine.add(parsed)
        elif parsed is None:
            report.ignored += 1
        else:
            batch.append((parsed, item.locator))  # type: ignore[union-attr]
        if len(batch) >= batch_size:
            flush(False)
            elapsed = max(progress.get_time() - started, 1e-6)
            progress.update(task, completed=consumed, rate=f"{(consumed - skip) / elapsed:,.0f} rec/s")
    flush(True)
    progress.update(task, completed=consumed, total=consumed)
