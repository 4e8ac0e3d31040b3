"""Cypher for rankings, the ES-X shortlist and the API's read views.

Materialisation (chosen here, read everywhere else): ``kizashi rank`` writes one
``(:Ranking)`` node per (technology, by, window, counting, profile), linked
``(:Ranking)-[:RANKS]->(:Technology)``. Its rows, evidence and summary are JSON
strings on the node (``rows_json``, ``evidence_json``, ``summary_json``), so one
index lookup returns a whole ranking. ``entities`` lists the ranked ids so that
country and organization pages find their rankings by index. The node's ``key``
is a hash of the reproduction key (``params_json``: data snapshot id, taxonomy
version, profile ident, window, counting, seed, every parameter); recomputing
with the same key on the same snapshot gives identical rows. A newer run of the
same combination replaces the older node.

Also here: the guarded read-only runner behind the analysts' Cypher endpoint.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from graph import queries
from graph.store import Store

RANKING = "Ranking"
RANKS = "RANKS"


# ---------------------------------------------------------------- inputs

TECHNOLOGIES = """
MATCH (t:Technology)
WHERE $keys IS NULL OR t.key IN $keys
OPTIONAL MATCH (t)-[:CHILD_OF]->(p:Technology)
CALL (t) { OPTIONAL MATCH (t)-[:IN_LIST]->(li:ListItem)
           RETURN collect(DISTINCT li.list) AS lists, collect(DISTINCT li {.key, .list, .name, .name_ja, .verified}) AS list_items }
CALL (t) { OPTIONAL MATCH (t)-[:DEPENDS_ON]->(m:Material) RETURN collect(DISTINCT m.key) AS materials }
CALL (t) { OPTIONAL MATCH (w:Work)-[:ABOUT]->(t) RETURN count(DISTINCT w) AS works }
CALL (t) { OPTIONAL MATCH (x:Patent)-[:ABOUT]->(t) RETURN count(DISTINCT x) AS patents }
RETURN t.key AS key, t.name AS name, t.name_ja AS name_ja, t.description AS description, t.domain AS domain,
       t.version AS version, p.key AS parent, lists, list_items, materials, works, patents
ORDER BY key
"""

TECH_WORKS = """
MATCH (t:Technology)<-[a:ABOUT]-(w:Work)
WHERE t.key IN $techs AND coalesce(a.score, 1.0) >= $min_score
  AND w.year IS NOT NULL AND w.year >= $start AND w.year <= $end
CALL (w) { OPTIONAL MATCH (w)-[e:IN_COUNTRY]->(c:Country)
           WITH c.code AS code, sum(coalesce(e.fraction, 0.0)) AS f WHERE code IS NOT NULL
           RETURN collect([code, f]) AS countries }
CALL (w) { OPTIONAL MATCH (w)-[e:AFFILIATION]->(o:Organization)
           WITH o, sum(coalesce(e.fraction, 0.0)) AS f WHERE o IS NOT NULL
           RETURN collect([o.key, f, coalesce(o.country, head([(o)-[:LOCATED_IN]->(oc:Country) | oc.code]))]) AS orgs }
RETURN t.key AS technology, w.key AS key, w.doi AS doi, w.openalex_id AS openalex_id, w.year AS year,
       coalesce(w.cited_by_count, 0) AS cites, countries, orgs
ORDER BY technology, key
"""

TECH_PATENTS = """
MATCH (t:Technology) WHERE t.key IN $techs
MATCH (t)<-[a:ABOUT]-(p:Patent)
WITH t, a, p, coalesce(p.year, toInteger(left(toString(coalesce(p.priority_date, p.application_date, p.publication_date)), 4))) AS year
WHERE coalesce(a.score, 1.0) >= $min_score AND year IS NOT NULL AND year >= $start AND year <= $end
OPTIONAL MATCH (p)-[:IN_FAMILY]->(fam:Family)
CALL (p) { OPTIONAL MATCH (p)-[e:IN_COUNTRY]->(c:Country) WHERE coalesce(e.role, 'applicant') = 'applicant'
           WITH c.code AS code, sum(coalesce(e.fraction, 1.0)) AS f WHERE code IS NOT NULL
           RETURN collect([code, f]) AS countries }
CALL (p) { OPTIONAL MATCH (p)-[e:ASSIGNED_TO]->(o:Organization)
           WITH o, sum(coalesce(e.fraction, 1.0)) AS f WHERE o IS NOT NULL
           RETURN collect([o.key, f, coalesce(o.country, head([(o)-[:LOCATED_IN]->(oc:Country) | oc.code]))]) AS orgs }
RETURN t.key AS technology, p.key AS key, coalesce(fam.key, CASE WHEN p.family_id IS NULL THEN null ELSE 'fam:' + p.family_id END, p.key) AS family,
       year, countries, orgs
ORDER BY technology, key
"""

# Denominators for revealed comparative advantage: every paper with a country, in the window.
BASELINE_COUNTRIES = """
MATCH (w:Work)-[e:IN_COUNTRY]->(c:Country)
WHERE w.year IS NOT NULL AND w.year >= $start AND w.year <= $end
RETURN c.code AS id, sum(coalesce(e.fraction, 0.0)) AS fractional, count(DISTINCT w) AS full
"""

BASELINE_ORGS = """
MATCH (w:Work)-[e:AFFILIATION]->(o:Organization)
WHERE w.year IS NOT NULL AND w.year >= $start AND w.year <= $end
RETURN o.key AS id, sum(coalesce(e.fraction, 0.0)) AS fractional, count(DISTINCT w) AS full
"""

YEAR_RANGE = """
MATCH (t:Technology)<-[:ABOUT]-(d) WHERE (d:Work OR d:Patent)
WITH coalesce(d.year, toInteger(left(toString(coalesce(d.priority_date, d.application_date, d.publication_date)), 4))) AS y
WHERE y IS NOT NULL
RETURN min(y) AS first, max(y) AS last
"""

NAMES_COUNTRIES = "MATCH (c:Country) WHERE c.code IN $ids RETURN c.code AS id, c.name AS name, c.name_ja AS name_ja"
NAMES_ORGS = "MATCH (o:Organization) WHERE o.key IN $ids RETURN o.key AS id, o.name AS name, o.country AS country"

MATERIALS = """
MATCH (t:Technology)-[d:DEPENDS_ON]->(m:Material)
WHERE t.key IN $techs
OPTIONAL MATCH (x:ExportControl)-[:CONTROLS]->(m)
OPTIONAL MATCH (x)-[:BY]->(c:Country)
OPTIONAL MATCH (x)-[:STATED_IN]->(pd:PolicyDocument)
WITH t, d, m, x, c, collect(DISTINCT pd.key) AS docs
RETURN t.key AS technology, m.key AS material, m.name AS name, m.name_ja AS name_ja, d.basis AS basis,
       [ctl IN collect(CASE WHEN x IS NULL THEN null ELSE {control: x.key, by: c.code, measure: x.measure,
              announced: toString(x.announced), effective: toString(x.effective), status: x.status, documents: docs} END)
        WHERE ctl IS NOT NULL] AS controls
ORDER BY technology, material
"""

POLICY = """
MATCH (t:Technology) WHERE t.key IN $techs
CALL (t) { OPTIONAL MATCH (d:PolicyDocument)-[m:MENTIONS|ABOUT]->(t)
           RETURN count(DISTINCT d) AS documents, sum(coalesce(m.count, 1)) AS mentions,
                  collect(DISTINCT d.key) AS document_keys }
RETURN t.key AS technology, documents, mentions, document_keys
"""

CLUSTERS = """
MATCH (c:Cluster)
WHERE $techs IS NULL OR EXISTS { (c)-[:RELATED_TO]->(t:Technology) WHERE t.key IN $techs }
CALL (c) { OPTIONAL MATCH (c)-[r:RELATED_TO]->(t:Technology)
           RETURN collect(CASE WHEN t IS NULL THEN null ELSE {technology: t.key, score: r.score} END) AS technologies }
CALL (c) { OPTIONAL MATCH (w:Work)-[:IN_CLUSTER]->(c) RETURN count(w) AS size }
RETURN c {.*, embedding: null, centroid: null} AS cluster, technologies, size
ORDER BY c.key
"""

LAST_RUN = "MATCH (r:IngestRun) RETURN toString(max(r.finished)) AS last, count(r) AS runs"
TAXONOMY_VERSION = "MATCH (t:Technology) RETURN max(t.version) AS version"
TECHNOLOGY_EXISTS = "MATCH (t:Technology {key: $key}) RETURN count(t) > 0 AS ok"

# ---------------------------------------------------------------- materialised rankings

SAVE_RANKING = """
MERGE (r:Ranking {key: $key})
SET r += $props, r.computed_at = datetime()
WITH r
CALL (r) { MATCH (old:Ranking {technology: r.technology, by: r.by, window: r.window, counting: r.counting, profile: r.profile})
           WHERE old.key <> r.key DETACH DELETE old }
WITH r
OPTIONAL MATCH (t:Technology {key: r.technology})
FOREACH (_ IN CASE WHEN t IS NULL THEN [] ELSE [1] END | MERGE (r)-[:RANKS]->(t))
"""

_RANKING_FIELDS = ("key", "technology", "by", "window", "counting", "profile", "params_json", "data_as_of",
                   "snapshot_id", "taxonomy_version", "rows_json", "row_version", "summary_json", "evidence_json")

FIND_RANKING = """
MATCH (r:Ranking {technology: $technology, by: $by, window: $window, counting: $counting, profile: $profile})
RETURN r {%s} AS r ORDER BY r.computed_at DESC LIMIT 1
""" % ", ".join("." + f for f in _RANKING_FIELDS if f != "evidence_json")

RANKING_BY_KEY = "MATCH (r:Ranking {key: $key}) RETURN r {%s} AS r" % ", ".join("." + f for f in _RANKING_FIELDS)

RANKINGS_FOR = """
MATCH (r:Ranking {by: $by, window: $window, counting: $counting, profile: $profile})
WHERE $technology IS NULL OR r.technology = $technology
RETURN r {.key, .technology, .summary_json, .rows_json, .data_as_of} AS r ORDER BY r.technology
"""

RANKINGS_FULL = """
MATCH (r:Ranking {by: $by, window: $window, counting: $counting, profile: $profile})
RETURN r {%s} AS r ORDER BY r.technology
""" % ", ".join("." + f for f in _RANKING_FIELDS if f != "evidence_json")

RANKINGS_WITH_ENTITY = """
MATCH (r:Ranking {by: $by}) WHERE $id IN r.entities
RETURN r {.key, .technology, .window, .counting, .profile, .rows_json, .row_version} AS r ORDER BY r.technology, r.window
"""

RANKING_COMBOS = """
MATCH (r:Ranking)
RETURN r.by AS by, r.window AS window, r.counting AS counting, r.profile AS profile, count(r) AS technologies
ORDER BY by, window, counting, profile
"""

COUNTRY = """
MATCH (c:Country {code: $code})
CALL (c) { OPTIONAL MATCH (w:Work)-[e:IN_COUNTRY]->(c) RETURN count(DISTINCT w) AS works, sum(e.fraction) AS fractional }
CALL (c) { OPTIONAL MATCH (p:Patent)-[:IN_COUNTRY]->(c) RETURN count(DISTINCT p) AS patents }
CALL (c) { OPTIONAL MATCH (o:Organization) WHERE o.country = c.code
           OPTIONAL MATCH (w:Work)-[e:AFFILIATION]->(o)
           WITH o, sum(e.fraction) AS f WHERE o IS NOT NULL ORDER BY f DESC, o.key LIMIT 10
           RETURN collect({key: o.key, name: o.name, fractional: f}) AS top_organizations }
RETURN c.code AS code, c.name AS name, c.name_ja AS name_ja, works, fractional, patents, top_organizations
"""

ORGANIZATION = """
MATCH (o:Organization {key: $key})
CALL (o) { OPTIONAL MATCH (w:Work)-[e:AFFILIATION]->(o) RETURN count(DISTINCT w) AS works, sum(e.fraction) AS fractional }
CALL (o) { OPTIONAL MATCH (p:Patent)-[:ASSIGNED_TO]->(o) RETURN count(DISTINCT p) AS patents }
OPTIONAL MATCH (o)-[:LOCATED_IN]->(c:Country)
RETURN o.key AS key, o.name AS name, o.type AS type, o.ror AS ror, o.openalex_id AS openalex_id,
       coalesce(o.country, c.code) AS country, works, fractional, patents
"""


def technologies(store: Store, keys: list[str] | None = None) -> list[dict[str, Any]]:
    return store.read(TECHNOLOGIES, keys=keys)


def technology_exists(store: Store, key: str) -> bool:
    return bool(store.read(TECHNOLOGY_EXISTS, key=key)[0]["ok"])


def tech_works(store: Store, techs: list[str], start: int, end: int, min_score: float = 0.0) -> list[dict[str, Any]]:
    return store.read_plain(TECH_WORKS, techs=techs, start=start, end=end, min_score=min_score)


def tech_patents(store: Store, techs: list[str], start: int, end: int, min_score: float = 0.0) -> list[dict[str, Any]]:
    return store.read_plain(TECH_PATENTS, techs=techs, start=start, end=end, min_score=min_score)


def baseline(store: Store, by: str, start: int, end: int) -> list[dict[str, Any]]:
    return store.read(BASELINE_COUNTRIES if by == "country" else BASELINE_ORGS, start=start, end=end)


def year_range(store: Store) -> tuple[int | None, int | None]:
    r = store.read(YEAR_RANGE)[0]
    return r["first"], r["last"]


def names(store: Store, by: str, ids: list[str]) -> dict[str, dict[str, Any]]:
    rows = store.read(NAMES_COUNTRIES if by == "country" else NAMES_ORGS, ids=ids)
    return {r["id"]: r for r in rows}


def materials(store: Store, techs: list[str]) -> list[dict[str, Any]]:
    return store.read(MATERIALS, techs=techs)


def policy(store: Store, techs: list[str]) -> list[dict[str, Any]]:
    return store.read(POLICY, techs=techs)


def clusters(store: Store, techs: list[str] | None = None) -> list[dict[str, Any]]:
    return store.read(CLUSTERS, techs=techs)


def snapshot(store: Store) -> dict[str, Any]:
    """What the data is: a content hash of label/type counts and the last ingest run."""
    c = queries.counts(store)
    c["nodes"].pop(RANKING, None)
    c["relationships"].pop(RANKS, None)
    run = store.read(LAST_RUN)[0]
    tax = store.read(TAXONOMY_VERSION)[0]["version"]
    blob = json.dumps({"counts": c, "last_run": run["last"]}, sort_keys=True)
    return {"snapshot_id": hashlib.sha256(blob.encode()).hexdigest()[:16], "data_as_of": run["last"],
            "taxonomy_version": None if tax is None else str(tax), "counts": c}


def save_ranking(store: Store, props: dict[str, Any]) -> None:
    props = dict(props)
    key = props.pop("key")
    store.write(SAVE_RANKING, key=key, props=props)


def find_ranking(store: Store, technology: str, by: str, window: str, counting: str, profile: str) -> dict[str, Any] | None:
    rows = store.read(FIND_RANKING, technology=technology, by=by, window=window, counting=counting, profile=profile)
    return rows[0]["r"] if rows else None


def ranking_by_key(store: Store, key: str) -> dict[str, Any] | None:
    rows = store.read(RANKING_BY_KEY, key=key)
    return rows[0]["r"] if rows else None


def rankings_for(store: Store, by: str, window: str, counting: str, profile: str,
                 technology: str | None = None) -> list[dict[str, Any]]:
    return [r["r"] for r in store.read(RANKINGS_FOR, by=by, window=window, counting=counting, profile=profile,
                                       technology=technology)]


def rankings_full(store: Store, by: str, window: str, counting: str, profile: str) -> list[dict[str, Any]]:
    """Every stored ranking of a combination, without the (large) evidence."""
    return [r["r"] for r in store.read(RANKINGS_FULL, by=by, window=window, counting=counting, profile=profile)]


def rankings_with_entity(store: Store, by: str, ident: str) -> list[dict[str, Any]]:
    return [r["r"] for r in store.read(RANKINGS_WITH_ENTITY, by=by, id=ident)]


def ranking_combos(store: Store) -> list[dict[str, Any]]:
    return store.read(RANKING_COMBOS)


def country(store: Store, code: str) -> dict[str, Any] | None:
    rows = store.read(COUNTRY, code=code)
    return rows[0] if rows else None


def organization(store: Store, key: str) -> dict[str, Any] | None:
    rows = store.read(ORGANIZATION, key=key)
    return rows[0] if rows else None
