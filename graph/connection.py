"""Where a Neo4j is: the one value both the local server launcher and the store use."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Connection:
    uri: str
    user: str
    password: str
    database: str
