"""Organization resolution in the graph, kept non-destructive.

Every Organization node stays as its source made it (key, name, country, and its
AFFILIATION / ASSIGNED_TO edges). Resolution adds, and ``kizashi orgs resolve``
replaces on each run:

- ``(:Organization)-[:SAME_AS {method, score, detail}]->(:Organization)`` from each
  variant to its cluster's canonical node (methods: ``name`` — same match form;
  ``fuzzy`` — rapidfuzz ratio over match forms; ``acronym`` — the same name plus a
  trailing acronym; ``override`` — the analyst's table);
- on every node: ``canonical_key`` (its own key when it is canonical),
  ``rollup_key`` (the canonical key of its top parent, following CHILD_OF),
  ``match_form``; on canonical nodes ``resolved_country`` and ``country_basis``;
- ``(:Organization)-[:CHILD_OF {method:'override'}]->(:Organization)`` for parents an
  analyst sets (OpenAlex lineage CHILD_OF edges come from the loader);
- ``name``/``name_ja`` on Country nodes from the bilingual gazetteer.

Count by ``coalesce(o.canonical_key, o.key)`` (or ``rollup_key``) to get one row per
resolved organization.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from graph.store import Store

ORGS = """
MATCH (o:Organization)
RETURN o.key AS key, o.name AS name, o.country AS country, o.ror AS ror, o.openalex_id AS openalex_id,
       o.type AS type, coalesce(o.lineage, []) AS lineage,
       COUNT { (o)<-[:AFFILIATION|ASSIGNED_TO]-() } AS works
"""

PARENTS = """
MATCH (c:Organization)-[r:CHILD_OF]->(p:Organization)
WHERE coalesce(r.method, 'lineage') <> 'override'
RETURN c.key AS child, p.key AS parent
"""

CLEAR = (
    "MATCH ()-[r:SAME_AS]->() CALL (r) { DELETE r } IN TRANSACTIONS OF 10000 ROWS",
    "MATCH ()-[r:CHILD_OF {method: 'override'}]->() CALL (r) { DELETE r } IN TRANSACTIONS OF 10000 ROWS",
    "MATCH (o:Organization) WHERE o.canonical_key IS NOT NULL OR o.resolved_country IS NOT NULL "
    "CALL (o) { REMOVE o.canonical_key, o.rollup_key, o.match_form, o.resolved_country, o.country_basis } "
    "IN TRANSACTIONS OF 10000 ROWS",
)

SET_PROPS = """
UNWIND $rows AS r
MATCH (o:Organization {key: r.key})
SET o.canonical_key = r.canonical, o.rollup_key = r.rollup, o.match_form = r.form
"""

SET_COUNTRY = """
UNWIND $rows AS r
MATCH (o:Organization {key: r.key})
SET o.resolved_country = r.country, o.country_basis = r.basis
WITH o, r WHERE r.basis = 'override'
OPTIONAL MATCH (o)-[old:LOCATED_IN]->(:Country) DELETE old
WITH DISTINCT o, r
MERGE (c:Country {code: r.country})
MERGE (o)-[:LOCATED_IN]->(c)
"""

SAME_AS = """
UNWIND $rows AS r
MATCH (a:Organization {key: r.source}) MATCH (b:Organization {key: r.target})
MERGE (a)-[e:SAME_AS]->(b)
SET e.method = r.method, e.score = r.score, e.detail = r.detail
"""

SET_PARENT = """
UNWIND $rows AS r
MATCH (c:Organization {key: r.child}) MATCH (p:Organization {key: r.parent})
MERGE (c)-[e:CHILD_OF]->(p)
SET e.method = 'override', e.detail = r.detail
"""

COUNTRY_NAMES = """
UNWIND $rows AS r
MERGE (c:Country {code: r.code})
SET c.name = r.name, c.name_ja = r.name_ja
"""

COUNTRIES_PRESENT = "MATCH (c:Country) RETURN c.code AS code"

FIND = """
MATCH (o:Organization)
WHERE o.key = $text OR o.key = $name_key OR toLower(o.name) = toLower($text) OR o.match_form = $form
RETURN o.key AS key
LIMIT 50
"""

EXPLAIN = """
MATCH (o:Organization {key: $key})
WITH o, coalesce(o.canonical_key, o.key) AS ck
MATCH (c:Organization {key: ck})
OPTIONAL MATCH (m:Organization)-[s:SAME_AS]->(c)
WITH o, c, collect(CASE WHEN m IS NULL THEN NULL ELSE {key: m.key, name: m.name, country: m.country,
     method: s.method, score: s.score, detail: s.detail} END) AS members
OPTIONAL MATCH path = (c)-[:CHILD_OF*1..6]->(p:Organization)
WITH o, c, members, [x IN collect(p) | {key: x.key, name: x.name}] AS ancestors
RETURN o {.key, .name, .country, .ror, .openalex_id, .match_form, .canonical_key, .rollup_key} AS org,
       c {.key, .name, .country, .ror, .resolved_country, .country_basis} AS canonical,
       members, ancestors,
       COUNT { (o)<-[:AFFILIATION|ASSIGNED_TO]-() } AS works
"""

RAW_AFFILIATIONS = """
MATCH (:Author)-[au:AUTHORED]->(w:Work)-[af:AFFILIATION]->(o:Organization)
WHERE au.position = af.position AND au.raw_affiliations IS NOT NULL
  AND coalesce(o.resolved_country, o.country) IS NOT NULL
RETURN o.key AS key, o.name AS name, coalesce(o.resolved_country, o.country) AS country,
       au.raw_affiliations AS raw, w.key AS work
LIMIT $limit
"""


def read_orgs(store: Store) -> list[dict[str, Any]]:
    return store.read(ORGS)


def read_parents(store: Store) -> list[tuple[str, str]]:
    return [(r["child"], r["parent"]) for r in store.read(PARENTS)]


def _batches(rows: Sequence[dict[str, Any]], n: int = 5000):
    for i in range(0, len(rows), n):
        yield rows[i:i + n]


def write_resolution(store: Store, props: list[dict[str, Any]], links: list[dict[str, Any]],
                     countries: list[dict[str, Any]], parents: list[dict[str, Any]]) -> None:
    """Replace the previous resolution with this one."""
    for stmt in CLEAR:
        store.autocommit(stmt)
    for cypher, rows in ((SET_PROPS, props), (SAME_AS, links), (SET_COUNTRY, countries), (SET_PARENT, parents)):
        for chunk in _batches(rows):
            store.write(cypher, rows=chunk)


def name_countries(store: Store) -> int:
    """English and Japanese names on every Country node."""
    from ingest.country import name

    rows = [{"code": r["code"], "name": name(r["code"]), "name_ja": name(r["code"], "ja")} for r in store.read(COUNTRIES_PRESENT)]
    if rows:
        store.write(COUNTRY_NAMES, rows=rows)
    return len(rows)


def find(store: Store, text: str, name_key: str, form: str) -> list[str]:
    return [r["key"] for r in store.read(FIND, text=text, name_key=name_key, form=form)]


def explain(store: Store, key: str) -> dict[str, Any] | None:
    rows = store.read(EXPLAIN, key=key)
    return rows[0] if rows else None


def raw_affiliations(store: Store, limit: int = 200_000) -> list[dict[str, Any]]:
    return store.read(RAW_AFFILIATIONS, limit=limit)
