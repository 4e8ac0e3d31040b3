"""Read queries used by the CLI, the API and the UI. Routes and pages never hold Cypher."""

from __future__ import annotations

from typing import Any

from graph.store import Store

LABELS = "CALL db.labels() YIELD label RETURN label ORDER BY label"
REL_TYPES = "CALL db.relationshipTypes() YIELD relationshipType RETURN relationshipType AS type ORDER BY type"


def _quote(name: str) -> str:
    return "`" + name.replace("`", "``") + "`"

TOP_COUNTRIES = """
MATCH (w:Work)-[e:IN_COUNTRY]->(c:Country)
WITH c, sum(e.fraction) AS fractional, count(DISTINCT w) AS full
RETURN c.code AS country, c.name AS name, round(fractional, 2) AS fractional, full
ORDER BY fractional DESC, country LIMIT $limit
"""

TOP_ORGANIZATIONS = """
MATCH (w:Work)-[e:AFFILIATION]->(o:Organization)
WITH o, sum(e.fraction) AS fractional, count(DISTINCT w) AS full
RETURN o.key AS key, o.name AS name, o.country AS country, round(fractional, 2) AS fractional, full
ORDER BY fractional DESC, key LIMIT $limit
"""


def counts(store: Store) -> dict[str, dict[str, int]]:
    """Per label and type, from Neo4j's count store (constant time per name)."""
    labels = [r["label"] for r in store.read(LABELS)]
    types = [r["type"] for r in store.read(REL_TYPES)]
    nodes = {lb: store.read(f"MATCH (n:{_quote(lb)}) RETURN count(n) AS n")[0]["n"] for lb in labels}
    rels = {t: store.read(f"MATCH ()-[r:{_quote(t)}]->() RETURN count(r) AS n")[0]["n"] for t in types}
    return {"nodes": {k: v for k, v in nodes.items() if v}, "relationships": {k: v for k, v in rels.items() if v}}


EMBEDDED = "MATCH (n) WHERE n.embedding IS NOT NULL RETURN count(n) AS n"


def embedded(store: Store) -> int:
    """Nodes holding a live embedding (a scan of all nodes: for step tallies, not for pages)."""
    return store.read(EMBEDDED)[0]["n"]


def top_countries(store: Store, limit: int = 10) -> list[dict[str, Any]]:
    return store.read(TOP_COUNTRIES, limit=limit)


def top_organizations(store: Store, limit: int = 10) -> list[dict[str, Any]]:
    return store.read(TOP_ORGANIZATIONS, limit=limit)
