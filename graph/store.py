"""The connection to Neo4j, and the one place where driver errors become ours."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import neo4j
from neo4j import exceptions as nx

from core.errors import QueryRefused, StoreError, StoreUnavailable
from graph import server
from graph.connection import Connection
from core.settings import Settings


@contextmanager
def translate() -> Iterator[None]:
    """Map neo4j driver exceptions onto Kizashi's error tree."""
    try:
        yield
    except (nx.ServiceUnavailable, nx.SessionExpired) as e:
        raise StoreUnavailable(f"Neo4j is not reachable: {e}") from e
    except nx.AuthError as e:
        raise StoreUnavailable(f"Neo4j refused the credentials: {e.message}") from e
    except (nx.CypherSyntaxError, nx.CypherTypeError, nx.ClientError) as e:
        raise QueryRefused(f"{e.code}: {e.message}") from e
    except nx.Neo4jError as e:
        raise StoreError(f"{e.code}: {e.message}") from e
    except nx.DriverError as e:
        raise StoreError(str(e)) from e


def connection(settings: Settings) -> Connection:
    """Where Neo4j is: the configured URI, or the local server Kizashi runs."""
    if settings.neo4j_uri:
        pw = settings.neo4j_password.get_secret_value() if settings.neo4j_password else ""
        return Connection(settings.neo4j_uri, settings.neo4j_user, pw, settings.neo4j_database)
    return server.connection(settings)


def open_driver(conn: Connection, **config: Any) -> neo4j.Driver:
    # Transient failures (leader switch, a restart mid-ingest) are retried by the
    # driver's managed transactions for up to this long before we give up.
    config.setdefault("max_transaction_retry_time", 120.0)
    config.setdefault("connection_acquisition_timeout", 30.0)
    driver = neo4j.GraphDatabase.driver(conn.uri, auth=(conn.user, conn.password), **config)
    with translate():
        driver.verify_connectivity()
    return driver


class Store:
    """A driver bound to one database, with read/write helpers that raise our errors."""

    def __init__(self, driver: neo4j.Driver, database: str = "neo4j") -> None:
        self.driver = driver
        self.database = database

    @classmethod
    def connect(cls, settings: Settings) -> Store:
        conn = connection(settings)
        return cls(open_driver(conn), conn.database)

    def close(self) -> None:
        self.driver.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def read(self, cypher: str, timeout: float | None = None, **params: Any) -> list[dict[str, Any]]:
        """Run a query in a read transaction; writes are refused by the server."""
        return self._read(cypher, params, timeout, lambda keys, r: r.data())

    def read_plain(self, cypher: str, **params: Any) -> list[dict[str, Any]]:
        """``read`` for results of scalars and lists only (no nodes, relationships or paths).

        Skips the driver's per-value export, which walks every list element in Python: for
        a page of 512-float vectors it costs seven times the transfer itself (bench/driver.py)."""
        return self._read(cypher, params, None, lambda keys, r: dict(zip(keys, r.values())))

    def _read(self, cypher: str, params: dict[str, Any], timeout: float | None,
              row: Callable[[list[str], neo4j.Record], dict[str, Any]]) -> list[dict[str, Any]]:
        @neo4j.unit_of_work(timeout=timeout)
        def work(tx: neo4j.ManagedTransaction) -> list[dict[str, Any]]:
            result = tx.run(cypher, params)
            keys = result.keys()
            return [row(keys, r) for r in result]

        with translate(), self.driver.session(database=self.database, default_access_mode=neo4j.READ_ACCESS) as s:
            return s.execute_read(work)

    def write(self, cypher: str, **params: Any) -> neo4j.SummaryCounters:
        def work(tx: neo4j.ManagedTransaction) -> neo4j.SummaryCounters:
            return tx.run(cypher, params).consume().counters

        with translate(), self.driver.session(database=self.database) as s:
            return s.execute_write(work)

    def execute_write(self, fn: Any, *args: Any) -> Any:
        with translate(), self.driver.session(database=self.database) as s:
            return s.execute_write(fn, *args)

    def autocommit(self, cypher: str, **params: Any) -> neo4j.SummaryCounters:
        """For ``CALL { … } IN TRANSACTIONS``, which needs an implicit transaction."""
        with translate(), self.driver.session(database=self.database) as s:
            return s.run(cypher, params).consume().counters

    def server_version(self) -> str:
        with translate():
            return self.driver.get_server_info().agent
