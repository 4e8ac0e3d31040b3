"""Test fixtures. Every test that touches the graph talks to a real Neo4j: the
one named by NEO4J_URI, or a local Neo4j Community that this session starts on
a free port in a temporary directory and stops at the end.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from graph import server
from graph.schema import ensure_schema
from graph.store import Connection, Store, open_driver
from core.settings import Settings

logging.getLogger("neo4j").setLevel(logging.ERROR)

REPO = Path(__file__).resolve().parent.parent
SHARED_DATA = REPO.parent / "shared" / "data"
FIXTURES = Path(__file__).resolve().parent / "fixtures"


@pytest.fixture(scope="session")
def local_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Settings | None]:
    """Settings of the local Neo4j this session started, or None when NEO4J_URI names one."""
    if os.environ.get("NEO4J_URI"):
        yield None
        return
    settings = Settings(home=tmp_path_factory.mktemp("kizashi-home"), bolt_port=server.free_port(),
                        neo4j_heap="1g", neo4j_page_cache_mb=256, neo4j_uri=None)
    server.start(settings)
    try:
        yield settings
    finally:
        server.stop(settings)


@pytest.fixture(scope="session")
def neo4j_conn(local_server: Settings | None) -> Connection:
    if local_server is None:
        return Connection(os.environ["NEO4J_URI"], os.environ.get("NEO4J_USER", "neo4j"),
                          os.environ.get("NEO4J_PASSWORD", ""), os.environ.get("NEO4J_DATABASE", "neo4j"))
    return server.connection(local_server)


@pytest.fixture(scope="session")
def _session_store(neo4j_conn: Connection) -> Iterator[Store]:
    store = Store(open_driver(neo4j_conn), neo4j_conn.database)
    ensure_schema(store)
    yield store
    store.close()


@pytest.fixture
def store(_session_store: Store) -> Store:
    """The real Neo4j, emptied before each test (vector indexes too: tests embed with models of other sizes)."""
    _session_store.autocommit("MATCH (n) CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS")
    for r in _session_store.read("SHOW VECTOR INDEXES YIELD name RETURN name"):
        _session_store.autocommit(f"DROP INDEX `{r['name']}` IF EXISTS")
    return _session_store


@pytest.fixture
def cli_env(neo4j_conn: Connection, tmp_path: Path) -> dict[str, str]:
    """Environment for running the ``kizashi`` CLI against the test database."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("KIZASHI_", "NEO4J_"))}
    env.update(NEO4J_URI=neo4j_conn.uri, NEO4J_USER=neo4j_conn.user, NEO4J_PASSWORD=neo4j_conn.password,
               KIZASHI_HOME=str(tmp_path / "home"))
    return env


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """../shared/data. Missing in CI is a failure; locally it skips."""
    if not SHARED_DATA.is_dir():
        if os.environ.get("CI"):
            pytest.fail(f"{SHARED_DATA} is missing: CI must have the shared data beside the repo")
        pytest.skip(f"{SHARED_DATA} not present")
    return SHARED_DATA


def require(path: Path) -> Path:
    """A file from shared data that a test needs; missing is a failure in CI."""
    if not path.exists():
        if os.environ.get("CI"):
            pytest.fail(f"missing data file {path}")
        pytest.skip(f"missing data file {path}")
    return path
