"""Shared by the benchmarks: a throwaway local Neo4j (or the one NEO4J_URI names), free ports,
percentiles. (Not named neo4j.py: run as a script, it would shadow the driver.)"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np

from graph import server
from graph.server import free_port  # noqa: F401 - the benches import it from here
from graph.schema import ensure_schema
from graph.store import Connection, Store, open_driver
from core.settings import Settings

SHARED = Path(__file__).resolve().parent.parent.parent / "shared" / "data"


@contextmanager
def bench_connection(heap: str = "2g", page_cache_mb: int = 1024) -> Iterator[Connection]:
    """Where the bench's Neo4j is: NEO4J_URI's, or a throwaway local server for the block."""
    if os.environ.get("NEO4J_URI"):
        yield Connection(os.environ["NEO4J_URI"], os.environ.get("NEO4J_USER", "neo4j"), os.environ.get("NEO4J_PASSWORD", ""), "neo4j")
        return
    with tempfile.TemporaryDirectory(prefix="kizashi-bench-") as home:
        settings = Settings(home=Path(home), bolt_port=free_port(), neo4j_heap=heap, neo4j_page_cache_mb=page_cache_mb, neo4j_uri=None)
        server.start(settings)
        try:
            yield server.connection(settings)
        finally:
            server.stop(settings)


@contextmanager
def bench_store(heap: str = "2g", page_cache_mb: int = 1024) -> Iterator[Store]:
    with bench_connection(heap, page_cache_mb) as conn:
        store = Store(open_driver(conn))
        try:
            ensure_schema(store)
            yield store
        finally:
            store.close()


def wipe(store: Store) -> None:
    store.autocommit("MATCH (n) CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS")


def percentile(xs: list[float], p: float) -> float:
    """The p-th percentile (numpy's linear interpolation between closest ranks); NaN for no samples."""
    return float(np.percentile(xs, p)) if len(xs) else float("nan")
