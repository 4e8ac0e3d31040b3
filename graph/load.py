"""Batched, idempotent loading of Works: ``UNWIND $rows MERGE`` on stable keys,
nodes first, then relationships, with the source checkpoint in the same
transaction, so a batch and its checkpoint commit together or not at all.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import neo4j

from core.work import Work, key_rank

RESOLVE = """
CALL () {
  UNWIND $dois AS v MATCH (w:Work {doi: v}) RETURN 'doi' AS id, v AS value, w.key AS key, w.fps AS fps, [w.doi, w.openalex_id, w.arxiv_id] AS held, w.attributed_by AS attributed
  UNION ALL
  UNWIND $openalex AS v MATCH (w:Work {openalex_id: v}) RETURN 'openalex_id' AS id, v AS value, w.key AS key, w.fps AS fps, [w.doi, w.openalex_id, w.arxiv_id] AS held, w.attributed_by AS attributed
  UNION ALL
  UNWIND $arxiv AS v MATCH (w:Work {arxiv_id: v}) RETURN 'arxiv_id' AS id, v AS value, w.key AS key, w.fps AS fps, [w.doi, w.openalex_id, w.arxiv_id] AS held, w.attributed_by AS attributed
  UNION ALL
  UNWIND $keys AS v MATCH (w:Work {key: v}) RETURN 'key' AS id, v AS value, w.key AS key, w.fps AS fps, [w.doi, w.openalex_id, w.arxiv_id] AS held, w.attributed_by AS attributed
}
RETURN id, value, key, fps, held, attributed
"""

# Authors and topics only some superseded record named go with it: the graph is then the
# one a load of the surviving records alone would make, whatever the order of arrival.
DROP_PEOPLE = """
UNWIND $keys AS k MATCH (w:Work {key: k})
CALL (w) { MATCH (w)<-[r:AUTHORED]-(a) DELETE r
           WITH DISTINCT a WHERE NOT EXISTS { (a)-[:AUTHORED]->() } DETACH DELETE a }
CALL (w) { MATCH (w)-[r:AFFILIATION|IN_COUNTRY]->() DELETE r }
"""

DROP_TOPICS = """
UNWIND $keys AS k MATCH (w:Work {key: k})
CALL (w) { MATCH (w)-[r:HAS_TOPIC]->(t:Topic {scheme: $scheme}) DELETE r
           WITH DISTINCT t WHERE NOT EXISTS { (t)<-[:HAS_TOPIC|PART_OF]-() } DETACH DELETE t }
"""

# Which source's authorships attribute a paper to organizations and countries: one
# source per paper, the first of these that has it, so no paper is counted twice.
ATTRIBUTION = ("openalex", "wos", "scopus", "conference")

MERGE_WORKS = """
UNWIND $rows AS row
MERGE (w:Work {key: row.match})
SET w += row.props, w.key = row.key,
    w.alt_ids = CASE WHEN row.alt IS NULL THEN w.alt_ids
                ELSE [x IN coalesce(w.alt_ids, []) WHERE NOT x IN row.alt] + row.alt END,
    w.fps = [x IN coalesce(w.fps, []) WHERE x <> row.fp][-7..] + [row.fp]
WITH w, row
MATCH (s:Source {key: $source})
MERGE (w)-[f:FROM]->(s)
SET f.locator = CASE WHEN row.keep_locator AND f.locator IS NOT NULL THEN f.locator ELSE row.locator END
"""

MERGE_TOPICS = """
UNWIND $rows AS t
MERGE (n:Topic {key: t.key})
SET n.name = coalesce(t.name, n.name), n.level = t.level, n.scheme = t.scheme
WITH n, t WHERE t.parent IS NOT NULL
MERGE (p:Topic {key: t.parent})
MERGE (n)-[:PART_OF]->(p)
"""

MERGE_COUNTRIES = "UNWIND $codes AS c MERGE (:Country {code: c})"

MERGE_ORGS = """
UNWIND $rows AS o
MERGE (g:Organization {key: o.key})
SET g += o.props
WITH g, o WHERE o.country IS NOT NULL
MATCH (c:Country {code: o.country})
MERGE (g)-[:LOCATED_IN]->(c)
"""

MERGE_AUTHORS = """
UNWIND $rows AS a
MERGE (p:Author {key: a.key})
SET p += a.props
"""

MERGE_AUTHORED = """
UNWIND $rows AS r
MATCH (p:Author {key: r.author}) MATCH (w:Work {key: r.work})
MERGE (p)-[e:AUTHORED]->(w)
SET e += r.props
"""

MERGE_AFFILIATION = """
UNWIND $rows AS r
MATCH (w:Work {key: r.work}) MATCH (g:Organization {key: r.org})
MERGE (w)-[e:AFFILIATION {position: r.position}]->(g)
SET e.fraction = r.fraction
"""

MERGE_IN_COUNTRY = """
UNWIND $rows AS r
MATCH (w:Work {key: r.work}) MATCH (c:Country {code: r.country})
MERGE (w)-[e:IN_COUNTRY {position: r.position}]->(c)
SET e.fraction = r.fraction, e.inferred = r.inferred
"""

MERGE_HAS_TOPIC = """
UNWIND $rows AS r
MATCH (w:Work {key: r.work}) MATCH (t:Topic {key: r.topic})
MERGE (w)-[e:HAS_TOPIC]->(t)
SET e.score = r.score
"""

CHECKPOINT = "MATCH (s:Source {key: $source}) SET s.done = $done, s.complete = $complete, s.updated = datetime()"

# Run after each ingest: edges whose far end may have arrived in a later batch or run.
LINK_CITES = """
MATCH (w:Work) WHERE w.referenced_works IS NOT NULL
CALL (w) {
  UNWIND w.referenced_works AS ref
  MATCH (t:Work {openalex_id: ref})
  MERGE (w)-[:CITES]->(t)
} IN TRANSACTIONS OF 500 ROWS
"""

LINK_LINEAGE = """
MATCH (g:Organization) WHERE size(coalesce(g.lineage, [])) > 1
CALL (g) {
  UNWIND g.lineage AS pid
  MATCH (p:Organization {openalex_id: pid}) WHERE p <> g
  MERGE (g)-[:CHILD_OF]->(p)
} IN TRANSACTIONS OF 500 ROWS
"""


def _props(d: dict[str, Any]) -> dict[str, Any]:
    """Only what this source knows: a missing value never erases another source's."""
    return {k: v for k, v in d.items() if v is not None and v != [] and v != ()}


def work_props(w: Work) -> dict[str, Any]:
    return _props({
        "doi": w.doi, "openalex_id": w.openalex_id, "arxiv_id": w.arxiv_id,
        "title": w.title, "abstract": w.abstract, "year": w.year, "date": w.date, "type": w.type,
        "language": w.language, "venue": w.venue, "cited_by_count": w.cited_by_count,
        "cby_years": [y for y, _ in w.counts_by_year], "cby_counts": [c for _, c in w.counts_by_year],
        "referenced_works": list(w.referenced_works), "authors": list(w.authors), "keywords": list(w.keywords),
        "author_count": len(w.authorships) or len(w.authors) or None,
        f"id_{w.source}": w.source_id,
    })


@dataclass
class Outcome:
    written: int = 0
    unchanged: int = 0
    ambiguous: int = 0


@dataclass
class _Rows:
    works: list[dict[str, Any]] = field(default_factory=list)
    topics: dict[str, dict[str, Any]] = field(default_factory=dict)
    orgs: dict[str, dict[str, Any]] = field(default_factory=dict)
    countries: set[str] = field(default_factory=set)
    authors: dict[str, dict[str, Any]] = field(default_factory=dict)
    authored: list[dict[str, Any]] = field(default_factory=list)
    affiliation: list[dict[str, Any]] = field(default_factory=list)
    in_country: list[dict[str, Any]] = field(default_factory=list)
    has_topic: list[dict[str, Any]] = field(default_factory=list)
    drop_people: list[str] = field(default_factory=list)
    drop_topics: list[str] = field(default_factory=list)


def _add_topic(rows: _Rows, t: Any) -> None:
    while t is not None:
        rows.topics.setdefault(t.key, {"key": t.key, "name": t.name, "level": t.level, "scheme": t.scheme,
                                       "parent": t.parent.key if t.parent else None})
        t = t.parent


def _edges(rows: _Rows, key: str, w: Work) -> None:
    n = len(w.authorships)
    for a in w.authorships:
        if a.author_id:
            rows.authors.setdefault(a.author_id, {"key": a.author_id, "props": _props({"name": a.name, "orcid": a.orcid})})
            rows.authored.append({"author": a.author_id, "work": key, "props": _props({
                "position": a.position, "author_position": a.author_position, "corresponding": a.corresponding,
                "raw_affiliations": list(a.raw_affiliations)})})
        k = len(a.organizations)
        share: dict[str, float] = {}
        for o in a.organizations:
            rows.orgs.setdefault(o.key, {"key": o.key, "country": o.country, "props": _props({
                "name": o.name, "ror": o.ror, "openalex_id": o.openalex_id, "type": o.type,
                "country": o.country, "lineage": list(o.lineage)})})
            rows.affiliation.append({"work": key, "org": o.key, "position": a.position, "fraction": 1.0 / (n * k)})
            if o.country:
                share[o.country] = share.get(o.country, 0.0) + 1.0 / (n * k)
        # An author counts 1/n; split over their institutions' countries, or over the
        # authorship's own country list when no institution carries one.
        inferred = a.countries_inferred
        if not share and a.countries:
            share = {c: 1.0 / (n * len(a.countries)) for c in a.countries}
        for c, f in share.items():
            rows.countries.add(c)
            rows.in_country.append({"work": key, "country": c, "position": a.position, "fraction": f, "inferred": inferred})
    for t in w.topics:
        _add_topic(rows, t)
        rows.has_topic.append({"work": key, "topic": t.key, "score": t.score})


def _oa_order(openalex_id: str) -> tuple[int, str]:
    digits = "".join(ch for ch in openalex_id if ch.isdigit())
    return (int(digits) if digits else 1 << 62, openalex_id)


def _rank(kind: str) -> int:
    return ATTRIBUTION.index(kind) if kind in ATTRIBUTION else len(ATTRIBUTION)


def _rounds(works: Sequence[tuple[Work, str]]) -> list[list[tuple[Work, str]]]:
    """Split a batch so no round holds two records of one paper; later records go later."""
    last: dict[str, int] = {}
    rounds: list[list[tuple[Work, str]]] = []
    for w, loc in works:
        idents = [i for i in (w.doi and f"doi:{w.doi}", w.openalex_id and f"oa:{w.openalex_id}",
                              w.arxiv_id and f"ax:{w.arxiv_id}", f"key:{w.key}") if i]
        r = max((last[i] + 1 for i in idents if i in last), default=0)
        if r == len(rounds):
            rounds.append([])
        rounds[r].append((w, loc))
        for i in idents:
            last[i] = r
    return rounds


def write_works(tx: neo4j.ManagedTransaction, batch: Sequence[tuple[Work, str]], source_kind: str, source_key: str,
                done: int, complete: bool, force: bool = False) -> Outcome:
    """Write one batch (Work, locator) and advance the source checkpoint, in one transaction."""
    out = Outcome()
    for round_ in _rounds(batch):
        _write_round(tx, round_, source_kind, source_key, force, out)
    tx.run(CHECKPOINT, source=source_key, done=done, complete=complete).consume()
    return out


def _write_round(tx: neo4j.ManagedTransaction, batch: Sequence[tuple[Work, str]], source_kind: str, source_key: str,
                 force: bool, out: Outcome) -> None:
    found: dict[tuple[str, str], tuple[str, list[str], list[str | None], str | None]] = {}
    for r in tx.run(RESOLVE, dois=[w.doi for w, _ in batch if w.doi], openalex=[w.openalex_id for w, _ in batch if w.openalex_id],
                    arxiv=[w.arxiv_id for w, _ in batch if w.arxiv_id],
                    keys=[w.key for w, _ in batch if not (w.doi or w.openalex_id or w.arxiv_id)]):
        found[(r["id"], r["value"])] = (r["key"], r["fps"] or [], r["held"], r["attributed"])

    rows = _Rows()
    for w, loc in batch:
        hits = [found.get(("doi", w.doi)) if w.doi else None, found.get(("openalex_id", w.openalex_id)) if w.openalex_id else None,
                found.get(("arxiv_id", w.arxiv_id)) if w.arxiv_id else None, found.get(("key", w.key))]
        existing = [h for h in hits if h]
        props = work_props(w)
        match = key = w.key
        fp = f"{source_kind}:{w.fingerprint}"
        alt: list[str] | None = None
        attributed: str | None = None
        duplicate = won = False
        if existing:
            match, seen, held, attributed = existing[0]
            ambiguous = len({h[0] for h in existing}) > 1
            # OpenAlex holds some papers twice (two W-IDs for one DOI or arXiv ID). The lower
            # W-ID is the paper's record whichever arrives first, so parallel partitions end in
            # the graph a sequential run makes; the other's IDs are kept as alternatives.
            stored_oa = held[1]
            if stored_oa and w.openalex_id and stored_oa != w.openalex_id and not ambiguous:
                won = _oa_order(w.openalex_id) < _oa_order(stored_oa)
                duplicate = not won
            for name, stored in zip(("doi", "openalex_id", "arxiv_id"), held):
                if stored is None or props.get(name) in (None, stored):
                    continue
                # The same paper under a second ID of one kind: one ID is the node's, the other an alternative.
                alt = (alt or []) + [f"{name}:{stored}" if won else f"{name}:{props.pop(name)}"]
            if ambiguous:
                # Two stored nodes claim this paper's IDs; keep the first, drop IDs owned by the other.
                out.ambiguous += 1
                for name, hit in zip(("doi", "openalex_id", "arxiv_id", "key"), hits):
                    if hit and hit[0] != match:
                        props.pop(name, None)
            # A paper can reach us as several raw versions (a snapshot line, an API page); the
            # last few fingerprints are kept so that none of them is rewritten when unchanged.
            if fp in seen and not force:
                out.unchanged += 1
                continue
            if duplicate:
                # Only its IDs (those the paper lacks) and provenance are kept: the paper's
                # properties, topics and attribution stay those of the lower-ID record.
                out.written += 1
                ids = {k: props[k] for k in ("doi", "arxiv_id") if k in props}
                rows.works.append({"match": match, "key": min((match, key), key=key_rank), "props": ids,
                                   "locator": loc, "fp": fp, "alt": alt, "keep_locator": True})
                continue
            if any(x.startswith(f"{source_kind}:") for x in seen):
                rows.drop_topics.append(match)
            # On a tie the first wins: the record's own key when it is the lower W-ID.
            key = min((key, match) if won else (match, key), key=key_rank)
        if w.authorships:
            if attributed is None or _rank(source_kind) < _rank(attributed) or (attributed == source_kind and existing):
                if attributed is not None:
                    rows.drop_people.append(match)
                props["attributed_by"] = source_kind
            else:
                w = w.model_copy(update={"authorships": ()})
        out.written += 1
        rows.works.append({"match": match, "key": key, "props": props, "locator": loc, "fp": fp, "alt": alt,
                           "keep_locator": False})
        _edges(rows, key, w)

    if rows.drop_people:
        tx.run(DROP_PEOPLE, keys=rows.drop_people).consume()
    if rows.drop_topics:
        tx.run(DROP_TOPICS, keys=rows.drop_topics, scheme=source_kind).consume()
    if rows.works:
        tx.run(MERGE_WORKS, rows=rows.works, source=source_key).consume()
    if rows.topics:
        tx.run(MERGE_TOPICS, rows=list(rows.topics.values())).consume()
    rows.countries.update(o["country"] for o in rows.orgs.values() if o["country"])
    if rows.countries:
        tx.run(MERGE_COUNTRIES, codes=sorted(rows.countries)).consume()
    for cypher, data in ((MERGE_ORGS, list(rows.orgs.values())), (MERGE_AUTHORS, list(rows.authors.values())),
                         (MERGE_AUTHORED, rows.authored), (MERGE_AFFILIATION, rows.affiliation),
                         (MERGE_IN_COUNTRY, rows.in_country), (MERGE_HAS_TOPIC, rows.has_topic)):
        if data:
            tx.run(cypher, rows=data).consume()
