"""Which corpora a technology's documents come from: per kind (works, patents) the sources
(files or requests) their records were read from, so a panel can say when its evidence is
one narrow corpus rather than the technology's literature or patenting."""

from __future__ import annotations

from typing import Any

from graph.store import Store

TECH_SOURCES = """
MATCH (t:Technology {key: $tech})<-[:ABOUT]-(d)
WHERE d:Work OR d:Patent
WITH d, CASE WHEN d:Work THEN 'works' ELSE 'patents' END AS kind
OPTIONAL MATCH (d)-[:FROM]->(s:Source)
WITH kind, s, count(DISTINCT d) AS documents
RETURN kind, s.kind AS source_kind, s.location AS location, documents
ORDER BY kind, documents DESC, location
"""

TECH_DOCUMENTS = """
MATCH (t:Technology {key: $tech})<-[:ABOUT]-(d)
WHERE d:Work OR d:Patent
RETURN CASE WHEN d:Work THEN 'works' ELSE 'patents' END AS kind, count(DISTINCT d) AS documents
"""


def technology_sources(store: Store, tech: str) -> dict[str, dict[str, Any]]:
    """{kind: {"documents": n, "sources": [{kind, location, documents}, …]}}; a document read
    from two sources counts for both, so the sources may sum to more than ``documents``."""
    out: dict[str, dict[str, Any]] = {k: {"documents": 0, "sources": []} for k in ("works", "patents")}
    for r in store.read(TECH_DOCUMENTS, tech=tech):
        out[r["kind"]]["documents"] = r["documents"]
    for r in store.read(TECH_SOURCES, tech=tech):
        out[r["kind"]]["sources"].append({"kind": r["source_kind"], "location": r["location"],
                                          "documents": r["documents"]})
    return out
