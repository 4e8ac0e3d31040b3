"""Read views for the dashboard (api/ui_routes.py): evidence with titles, the policy
timeline, the cluster map and ego networks. Read-only; every list is bounded."""

from __future__ import annotations

from typing import Any

from graph.store import Store

TECH_WORKS_EVIDENCE = """
MATCH (t:Technology {key: $tech})<-[a:ABOUT]-(w:Work)
WITH w, a ORDER BY coalesce(w.cited_by_count, 0) DESC, w.key LIMIT $limit
RETURN w.key AS key, w.title AS title, w.doi AS doi, w.openalex_id AS openalex_id, w.year AS year,
       coalesce(w.cited_by_count, 0) AS cites, a.score AS score, a.method AS method,
       COLLECT { MATCH (w)-[:IN_COUNTRY]->(c:Country) RETURN DISTINCT c.code } AS countries
"""

# The technology page's time series needs each work's year and country fractions (its
# intervals resample works), but not its organizations: those are summed in the database.
TECH_WORK_COUNTRIES = """
MATCH (t:Technology {key: $tech})<-[:ABOUT]-(w:Work)
WHERE w.year IS NOT NULL AND w.year >= $start AND w.year <= $end
CALL (w) { OPTIONAL MATCH (w)-[e:IN_COUNTRY]->(c:Country)
           WITH c.code AS code, sum(coalesce(e.fraction, 0.0)) AS f WHERE code IS NOT NULL
           RETURN collect([code, f]) AS countries }
RETURN w.year AS year, countries
"""

TECH_WORK_ORGS = """
MATCH (t:Technology {key: $tech})<-[:ABOUT]-(w:Work)-[e:AFFILIATION]->(o:Organization)
WHERE w.year IS NOT NULL AND w.year >= $start AND w.year <= $end AND ($keys IS NULL OR o.key IN $keys)
WITH o, sum(coalesce(e.fraction, 0.0)) AS fractional, count(DISTINCT w) AS papers
ORDER BY fractional DESC, o.key LIMIT $limit
RETURN o.key AS key, fractional, papers
"""

TECH_PATENTS_EVIDENCE = """
MATCH (t:Technology {key: $tech})<-[a:ABOUT]-(p:Patent)
OPTIONAL MATCH (p)-[:IN_FAMILY]->(f:Family)
WITH p, a, f ORDER BY coalesce(p.year, 0) DESC, p.key LIMIT $limit
RETURN p.key AS key, p.title AS title, p.number AS number, p.country AS office, f.key AS family, p.family_id AS family_id,
       p.year AS year, a.score AS score,
       COLLECT { MATCH (p)-[:IN_COUNTRY]->(c:Country) RETURN DISTINCT c.code } AS countries,
       [(p)-[:ASSIGNED_TO]->(o:Organization) | o.name][..3] AS assignees
"""

TECH_POLICY = """
MATCH (t:Technology {key: $tech})<-[m:MENTIONS|ABOUT]-(d:PolicyDocument)
RETURN d.key AS key, d.title AS title, d.issuer AS issuer, d.country AS country, toString(d.date) AS date,
       d.language AS language, d.path_or_url AS path_or_url, max(coalesce(m.count, 1)) AS mentions
ORDER BY date DESC, key LIMIT $limit
"""

CLUSTER_MAP = """
MATCH (c:Cluster) WHERE coalesce(c.current, true)
CALL (c) { OPTIONAL MATCH (c)-[r:RELATED_TO]->(t:Technology)
           WITH t, r ORDER BY r.score DESC
           RETURN collect(CASE WHEN t IS NULL THEN null ELSE {technology: t.key, name: t.name, name_ja: t.name_ja,
                                                              score: r.score} END)[..5] AS technologies }
CALL (c) { OPTIONAL MATCH (d)-[s:IN_CLUSTER]->(c)
           WITH d, s ORDER BY coalesce(s.similarity, 0) DESC, d.key LIMIT 3
           RETURN collect(CASE WHEN d IS NULL THEN null ELSE {key: d.key, title: d.title, year: d.year} END) AS examples }
CALL (c) { OPTIONAL MATCH (w:Work)-[:IN_CLUSTER]->(c)
           OPTIONAL MATCH (w)-[e:IN_COUNTRY]->(k:Country)
           WITH k.code AS code, sum(coalesce(e.fraction, 0.0)) AS f WHERE code IS NOT NULL
           ORDER BY f DESC, code LIMIT 5
           RETURN collect({country: code, fractional: f}) AS countries }
CALL (c) { OPTIONAL MATCH (d)-[:IN_CLUSTER]->(c) RETURN count(d) AS members }
RETURN c {.*, embedding: null} AS cluster, technologies, examples, countries, members
ORDER BY c.key
"""

# Ego networks: the node, its direct non-document neighbours, and its neighbours through
# documents aggregated into weighted edges (a technology has thousands of papers).
EGO_TECHNOLOGY = """
MATCH (t:Technology {key: $key})
CALL (t) { OPTIONAL MATCH (t)-[r]-(m) WHERE NOT (m:Work OR m:Patent OR m:Ranking OR m:PolicyDocument)
           RETURN collect(DISTINCT {key: coalesce(m.key, m.code, elementId(m)), label: head(labels(m)),
                  name: coalesce(m.name, m.label, m.key), rel: type(r), weight: 1.0})[..$limit] AS direct }
CALL (t) { OPTIONAL MATCH (t)<-[:ABOUT]-(:Work)-[e:AFFILIATION]->(o:Organization)
           WITH o, sum(coalesce(e.fraction, 0.0)) AS f WHERE o IS NOT NULL ORDER BY f DESC, o.key LIMIT $limit
           RETURN collect({key: o.key, label: 'Organization', name: o.name, rel: 'PAPERS', weight: f}) AS orgs }
CALL (t) { OPTIONAL MATCH (t)<-[:ABOUT]-(:Work)-[e:IN_COUNTRY]->(c:Country)
           WITH c, sum(coalesce(e.fraction, 0.0)) AS f WHERE c IS NOT NULL ORDER BY f DESC, c.code LIMIT $limit
           RETURN collect({key: c.code, label: 'Country', name: c.name, rel: 'PAPERS', weight: f}) AS countries }
CALL (t) { OPTIONAL MATCH (t)<-[m:MENTIONS|ABOUT]-(d:PolicyDocument)
           WITH d, m ORDER BY d.key LIMIT $limit
           RETURN collect({key: d.key, label: 'PolicyDocument', name: d.title, rel: type(m), weight: 1.0}) AS docs }
RETURN {key: t.key, label: 'Technology', name: t.name, name_ja: t.name_ja} AS center,
       [x IN direct + orgs + countries + docs WHERE x.key IS NOT NULL] AS neighbours
"""

EGO_ORGANIZATION = """
MATCH (o:Organization {key: $key})
CALL (o) { OPTIONAL MATCH (o)-[r]-(m) WHERE NOT (m:Work OR m:Patent OR m:Ranking OR m:Author)
           RETURN collect(DISTINCT {key: coalesce(m.key, m.code, elementId(m)), label: head(labels(m)),
                  name: coalesce(m.name, m.key), rel: type(r), weight: 1.0})[..$limit] AS direct }
CALL (o) { OPTIONAL MATCH (o)<-[e:AFFILIATION]-(:Work)-[:ABOUT]->(t:Technology)
           WITH t, sum(coalesce(e.fraction, 0.0)) AS f WHERE t IS NOT NULL ORDER BY f DESC, t.key LIMIT $limit
           RETURN collect({key: t.key, label: 'Technology', name: t.name, rel: 'PAPERS', weight: f}) AS techs }
CALL (o) { OPTIONAL MATCH (o)<-[:AFFILIATION]-(w:Work)-[:AFFILIATION]->(p:Organization) WHERE p <> o
           WITH p, count(DISTINCT w) AS n WHERE p IS NOT NULL ORDER BY n DESC, p.key LIMIT $limit
           RETURN collect({key: p.key, label: 'Organization', name: p.name, rel: 'CO_AUTHORED', weight: toFloat(n)}) AS partners }
RETURN {key: o.key, label: 'Organization', name: o.name} AS center,
       [x IN direct + techs + partners WHERE x.key IS NOT NULL] AS neighbours
"""

EGO_COUNTRY = """
MATCH (c:Country {code: $key})
CALL (c) { OPTIONAL MATCH (c)<-[e:IN_COUNTRY]-(:Work)-[:ABOUT]->(t:Technology)
           WITH t, sum(coalesce(e.fraction, 0.0)) AS f WHERE t IS NOT NULL ORDER BY f DESC, t.key LIMIT $limit
           RETURN collect({key: t.key, label: 'Technology', name: t.name, rel: 'PAPERS', weight: f}) AS techs }
CALL (c) { OPTIONAL MATCH (o:Organization)-[:LOCATED_IN]->(c)
           OPTIONAL MATCH (o)<-[e:AFFILIATION]-(:Work)
           WITH o, sum(coalesce(e.fraction, 0.0)) AS f WHERE o IS NOT NULL ORDER BY f DESC, o.key LIMIT $limit
           RETURN collect({key: o.key, label: 'Organization', name: o.name, rel: 'LOCATED_IN', weight: f}) AS orgs }
CALL (c) { OPTIONAL MATCH (x:ExportControl)-[:BY]->(c)
           OPTIONAL MATCH (x)-[:CONTROLS]->(m:Material)
           WITH m, count(x) AS n WHERE m IS NOT NULL ORDER BY n DESC, m.key LIMIT $limit
           RETURN collect({key: m.key, label: 'Material', name: m.name, rel: 'CONTROLS', weight: toFloat(n)}) AS mats }
RETURN {key: c.code, label: 'Country', name: c.name, name_ja: c.name_ja} AS center,
       [x IN techs + orgs + mats WHERE x.key IS NOT NULL] AS neighbours
"""

EGO = {"technology": EGO_TECHNOLOGY, "organization": EGO_ORGANIZATION, "country": EGO_COUNTRY}

FIND_NODES = """
CALL () {
  MATCH (t:Technology) WHERE toLower(t.name) CONTAINS $q OR t.name_ja CONTAINS $raw OR toLower(t.key) CONTAINS $q
  RETURN 'technology' AS kind, t.key AS key, t.name AS name LIMIT 10
  UNION ALL
  MATCH (c:Country) WHERE toLower(c.name) CONTAINS $q OR c.name_ja CONTAINS $raw OR toLower(c.code) = $q
  RETURN 'country' AS kind, c.code AS key, c.name AS name LIMIT 10
  UNION ALL
  MATCH (o:Organization) WHERE toLower(o.name) CONTAINS $q
  RETURN 'organization' AS kind, o.key AS key, o.name AS name LIMIT 10
}
RETURN kind, key, name
"""


def works_evidence(store: Store, tech: str, limit: int = 50) -> list[dict[str, Any]]:
    return store.read(TECH_WORKS_EVIDENCE, tech=tech, limit=limit)


def work_countries(store: Store, tech: str, start: int, end: int) -> list[dict[str, Any]]:
    return store.read(TECH_WORK_COUNTRIES, tech=tech, start=start, end=end)


def work_orgs(store: Store, tech: str, start: int, end: int, limit: int,
              keys: list[str] | None = None) -> list[dict[str, Any]]:
    """Organizations by fractional paper count: the top ``limit``, or those named in ``keys``."""
    return store.read(TECH_WORK_ORGS, tech=tech, start=start, end=end, limit=limit, keys=keys)


def patents_evidence(store: Store, tech: str, limit: int = 50) -> list[dict[str, Any]]:
    return store.read(TECH_PATENTS_EVIDENCE, tech=tech, limit=limit)


def policy_documents(store: Store, tech: str, limit: int = 100) -> list[dict[str, Any]]:
    return store.read(TECH_POLICY, tech=tech, limit=limit)


def cluster_map(store: Store) -> list[dict[str, Any]]:
    return store.read(CLUSTER_MAP)


def ego(store: Store, kind: str, key: str, limit: int = 15) -> dict[str, Any] | None:
    rows = store.read(EGO[kind], key=key, limit=limit)
    return rows[0] if rows else None


def find_nodes(store: Store, text: str) -> list[dict[str, Any]]:
    return store.read(FIND_NODES, q=text.lower(), raw=text)
