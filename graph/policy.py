"""Policy documents, what they mention, and the export-control events they state.

    (:PolicyDocument {key, title, issuer, country, date, language, path_or_url})
        -[:MENTIONS {count, offsets, lengths, method}]->(:Country|:Organization|:Material|:Technology)
    (:ExportControl {key, country, material, month, measure, announced, effective, status, basis})
        -[:BY]->(:Country), -[:CONTROLS]->(:Material), -[:STATED_IN {basis, offset}]->(:PolicyDocument)

An ExportControl is keyed by (controlling country, material, yyyy-mm), so the same
measure read from a document's text and from the reference YAML is one node.
Offsets are character offsets into the document's extracted text; no text is copied.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import neo4j

from ingest import country as gaz
from ingest import material as mat

from core.policy import MENTION_LABELS, ExportControl, Mention, PolicyDocument

RESOLVE = "UNWIND $keys AS k MATCH (d:PolicyDocument {key: k}) RETURN d.key AS key, d.fingerprint AS fp"

DROP_OWNED = """
UNWIND $keys AS k MATCH (d:PolicyDocument {key: k})
CALL (d) { MATCH (d)-[r:MENTIONS]->() DELETE r }
CALL (d) { MATCH (d)<-[r:STATED_IN]-(e) DELETE r
           WITH e WHERE NOT (e)-[:STATED_IN]->() DETACH DELETE e }
"""

MERGE_DOCS = """
UNWIND $rows AS row
MERGE (d:PolicyDocument {key: row.key})
SET d += row.props
WITH d, row
MATCH (s:Source {key: $source})
MERGE (d)-[f:FROM]->(s)
SET f.locator = row.locator
"""

MERGE_COUNTRIES = """
UNWIND $rows AS c
MERGE (n:Country {code: c.code})
SET n.name = coalesce(c.name, n.name), n.name_ja = coalesce(c.name_ja, n.name_ja)
"""

MERGE_MATERIALS = """
UNWIND $rows AS m
MERGE (n:Material {key: m.key})
SET n.name = m.name, n.name_ja = m.name_ja, n.symbol = m.symbol, n.group = m.group
WITH n, m WHERE m.group IS NOT NULL
MERGE (g:Material {key: m.group})
MERGE (n)-[:PART_OF]->(g)
"""

# Organizations and technologies belong to other loaders; a mention only creates a stub.
MERGE_ORGS = "UNWIND $rows AS o MERGE (n:Organization {key: o.key}) ON CREATE SET n.name = o.name"
MERGE_TECHS = "UNWIND $rows AS t MERGE (n:Technology {key: t.key}) ON CREATE SET n.name = t.name"

MENTIONS = {
    label: f"""
UNWIND $rows AS r
MATCH (d:PolicyDocument {{key: r.doc}}) MATCH (x:{label} {{{'code' if label == 'Country' else 'key'}: r.key}})
MERGE (d)-[e:MENTIONS]->(x)
SET e.count = r.count, e.offsets = r.offsets, e.lengths = r.lengths, e.method = r.method
""" for label in MENTION_LABELS
}

# Exact dates (reference list) replace approximate ones (yyyy-mm from text), never the reverse.
MERGE_CONTROLS = """
UNWIND $rows AS r
MERGE (e:ExportControl {key: r.key})
SET e.country = r.country, e.material = r.material, e.month = r.month,
    e.announced = CASE WHEN r.exact OR e.announced IS NULL OR size(e.announced) < size(coalesce(r.announced, ''))
                       THEN coalesce(r.announced, e.announced) ELSE e.announced END,
    e.effective = CASE WHEN r.exact OR e.effective IS NULL OR size(e.effective) < size(coalesce(r.effective, ''))
                       THEN coalesce(r.effective, e.effective) ELSE e.effective END,
    e.measure = CASE WHEN r.exact OR e.measure IS NULL THEN coalesce(r.measure, e.measure) ELSE e.measure END,
    e.status = coalesce(r.status, e.status),
    e.target = coalesce(r.target, e.target),
    e.basis = CASE WHEN r.basis IN coalesce(e.basis, []) THEN e.basis ELSE coalesce(e.basis, []) + r.basis END
WITH e, r
MATCH (c:Country {code: r.country}) MATCH (m:Material {key: r.material}) MATCH (d:PolicyDocument {key: r.doc})
MERGE (e)-[:BY]->(c)
MERGE (e)-[:CONTROLS]->(m)
MERGE (e)-[s:STATED_IN]->(d)
SET s.basis = r.basis, s.offset = r.offset
"""

CHECKPOINT = "MATCH (s:Source {key: $source}) SET s.done = $done, s.complete = $complete, s.updated = datetime()"

EVENTS = """
MATCH (e:ExportControl)-[:BY]->(c:Country)
WHERE $country IS NULL OR c.code = $country
MATCH (e)-[:CONTROLS]->(m:Material)
OPTIONAL MATCH (e)-[:STATED_IN]->(d:PolicyDocument)
RETURN e.key AS key, c.code AS country, m.key AS material, e.month AS month, e.announced AS announced,
       e.effective AS effective, e.measure AS measure, e.status AS status, e.basis AS basis, collect(d.key) AS documents
ORDER BY month, material
"""


@dataclass
class Outcome:
    written: int = 0
    unchanged: int = 0
    ambiguous: int = 0


def doc_props(d: PolicyDocument) -> dict[str, Any]:
    props = {"title": d.title, "issuer": d.issuer, "country": d.country, "date": d.date, "language": d.language,
             "path_or_url": d.path_or_url, "chars": d.chars, "abstract": d.abstract, "fingerprint": d.fingerprint}
    return {k: v for k, v in props.items() if v is not None}


def _country_row(code: str) -> dict[str, Any]:
    return {"code": code, "name": gaz.name(code, "en"), "name_ja": gaz.name(code, "ja")}


def _material_row(key: str) -> dict[str, Any]:
    m = mat.BY_KEY.get(key)
    if m is None:
        return {"key": key, "name": key, "name_ja": None, "symbol": None, "group": None}
    return {"key": m.key, "name": m.name, "name_ja": m.name_ja, "symbol": m.symbol, "group": m.group}


def write_policy(tx: neo4j.ManagedTransaction, batch: Sequence[tuple[PolicyDocument, str]], source_kind: str,
                 source_key: str, done: int, complete: bool, force: bool = False) -> Outcome:
    """Write one batch (PolicyDocument, locator) and advance the source checkpoint, in one transaction."""
    out = Outcome()
    latest: dict[str, tuple[PolicyDocument, str]] = {}
    for d, loc in batch:            # within a batch, the last record for a document wins
        latest[d.key] = (d, loc)
    out.unchanged += len(batch) - len(latest)   # repeats of a document within the batch
    stored = {r["key"]: r["fp"] for r in tx.run(RESOLVE, keys=list(latest))}
    docs: list[tuple[PolicyDocument, str]] = []
    for key, (d, loc) in latest.items():
        if key in stored and stored[key] == d.fingerprint and d.fingerprint is not None and not force:
            out.unchanged += 1
            continue
        docs.append((d, loc))
    out.written = len(docs)
    changed = [d.key for d, _ in docs if d.key in stored]
    if changed:
        tx.run(DROP_OWNED, keys=changed).consume()   # an event no document states any more goes too
    if docs:
        tx.run(MERGE_DOCS, rows=[{"key": d.key, "props": doc_props(d), "locator": loc} for d, loc in docs],
               source=source_key).consume()

    countries: set[str] = set()
    materials: set[str] = set()
    orgs: dict[str, str | None] = {}
    techs: dict[str, str | None] = {}
    edges: dict[str, list[dict[str, Any]]] = {label: [] for label in MENTION_LABELS}
    controls: list[dict[str, Any]] = []
    for d, _ in docs:
        for m in d.mentions:
            if m.label == "Country":
                countries.add(m.key)
            elif m.label == "Material":
                materials.add(m.key)
            elif m.label == "Organization":
                orgs.setdefault(m.key, m.name)
            elif m.label == "Technology":
                techs.setdefault(m.key, m.name)
            else:
                continue
            edges[m.label].append({"doc": d.key, "key": m.key, "count": m.count, "offsets": list(m.offsets),
                                   "lengths": list(m.lengths), "method": m.method})
        for e in d.export_controls:
            countries.add(e.country)
            materials.add(e.material)
            controls.append({"key": e.key, "doc": d.key, "country": e.country, "material": e.material, "month": e.month,
                             "announced": e.announced, "effective": e.effective, "measure": e.measure,
                             "status": e.status, "target": e.target, "basis": e.basis, "exact": e.exact,
                             "offset": e.offset})
    groups = {mat.BY_KEY[k].group for k in materials if k in mat.BY_KEY and mat.BY_KEY[k].group}
    materials |= {g for g in groups if g}
    if countries:
        tx.run(MERGE_COUNTRIES, rows=[_country_row(c) for c in sorted(countries)]).consume()
    if materials:
        tx.run(MERGE_MATERIALS, rows=[_material_row(k) for k in sorted(materials)]).consume()
    if orgs:
        tx.run(MERGE_ORGS, rows=[{"key": k, "name": v} for k, v in orgs.items()]).consume()
    if techs:
        tx.run(MERGE_TECHS, rows=[{"key": k, "name": v} for k, v in techs.items()]).consume()
    for label, rows in edges.items():
        if rows:
            tx.run(MENTIONS[label], rows=rows).consume()
    if controls:
        tx.run(MERGE_CONTROLS, rows=controls).consume()
    tx.run(CHECKPOINT, source=source_key, done=done, complete=complete).consume()
    return out


def export_controls(store: Any, country: str | None = None) -> list[dict[str, Any]]:
    """Every ExportControl event, by month: what the graph knows of who controls which material when."""
    return store.read(EVENTS, country=country)
