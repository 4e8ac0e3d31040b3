"""Provenance: an IngestRun reads Sources (files or requests); Works point back
to the Source and record they came from. Sources also hold the resume checkpoint.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from graph.store import Store

OPEN_RUN = """
MERGE (r:IngestRun {key: $key})
SET r.kind = $kind, r.args = $args, r.started = datetime(), r.status = 'running'
"""

CLOSE_RUN = """
MATCH (r:IngestRun {key: $key})
SET r += $counts, r.finished = datetime(), r.status = $status
"""

SOURCE_STATE = "MATCH (s:Source {key: $key}) RETURN s.fingerprint AS fingerprint, s.done AS done, s.complete AS complete"

OPEN_SOURCE = """
MERGE (s:Source {key: $key})
ON CREATE SET s.first_seen = datetime()
SET s.kind = $kind, s.location = $location,
    s.done = CASE WHEN s.fingerprint = $fingerprint THEN coalesce(s.done, 0) ELSE 0 END,
    s.complete = CASE WHEN s.fingerprint = $fingerprint THEN coalesce(s.complete, false) ELSE false END,
    s.fingerprint = $fingerprint
WITH s
MATCH (r:IngestRun {key: $run})
MERGE (r)-[:READ]->(s)
"""


@dataclass(frozen=True)
class SourceState:
    fingerprint: str | None
    done: int
    complete: bool


def open_run(store: Store, key: str, kind: str, args: list[str]) -> None:
    store.write(OPEN_RUN, key=key, kind=kind, args=args)


def close_run(store: Store, key: str, counts: dict[str, Any], status: str) -> None:
    store.write(CLOSE_RUN, key=key, counts=counts, status=status)


def source_state(store: Store, key: str) -> SourceState | None:
    rows = store.read(SOURCE_STATE, key=key)
    if not rows:
        return None
    r = rows[0]
    return SourceState(r["fingerprint"], r["done"] or 0, bool(r["complete"]))


def open_source(store: Store, key: str, kind: str, location: str, fingerprint: str | None, run: str) -> None:
    store.write(OPEN_SOURCE, key=key, kind=kind, location=location, fingerprint=fingerprint, run=run)
