"""Kizashi's one exception tree.

    KizashiError
    ├── ConfigError           settings are missing or contradictory (e.g. offline with no data)
    ├── InputError            a source cannot be read at all (missing file, unknown format)
    │   └── RecordError       one record is malformed; names the source, the record and why
    ├── FetchError            a live source failed after its retries
    ├── StoreError            Neo4j refused or failed an operation
    │   ├── StoreUnavailable  Neo4j cannot be reached or authentication failed
    │   └── QueryRefused      a query was rejected (syntax, a write in a read-only call, limits)
    └── ServerError           the local Neo4j could not be started or stopped

Lower-level errors (neo4j driver, httpx, lxml) are translated into these in one
place each: ``graph.store.translate`` for the driver and ``ingest.http`` for HTTP.
"""

from __future__ import annotations


class KizashiError(Exception):
    """Base of every error Kizashi raises on purpose."""


class ConfigError(KizashiError):
    pass


class InputError(KizashiError):
    pass


class RecordError(InputError):
    """A malformed record. It is reported, quarantined and skipped; the run goes on."""

    def __init__(self, source: str, locator: str, reason: str, excerpt: str = "") -> None:
        self.source = source
        self.locator = locator
        self.reason = reason
        self.excerpt = excerpt
        super().__init__(f"{source}:{locator}: {reason}")


class FetchError(KizashiError):
    pass


class StoreError(KizashiError):
    pass


class StoreUnavailable(StoreError):
    pass


class QueryRefused(StoreError):
    pass


class ServerError(KizashiError):
    pass
