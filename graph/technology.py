"""Technologies in the graph: the taxonomy's nodes and edges, and the ABOUT edges
that say which documents are about which technology.

(:Technology {key, name, name_ja, description, terms_en, terms_ja, version, domain, current})
  -[:CHILD_OF]->(:Technology)
  -[:IN_LIST {verified}]->(:ListItem {key, list, item_id, name, name_ja, verified, out_of_scope,
                                      list_name, list_name_ja, jurisdiction, list_date})-[:PART_OF]->(:ListItem)
  -[:DEPENDS_ON {basis, note}]->(:Material {key})
(:Work|:Patent|:PolicyDocument|:PolicyPassage)-[:ABOUT {score, method, direct, version}]->(:Technology)

Loading a taxonomy replaces the taxonomy's own edges (CHILD_OF between technologies,
IN_LIST, DEPENDS_ON), so a version that drops a mapping drops the edge. A technology
missing from the loaded version keeps its node (keys are never reused) with
``current = false`` and no taxonomy edges. Material nodes are only MERGEd by key:
their names belong to graph/material.py.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any

import neo4j

from graph.store import Store

if TYPE_CHECKING:
    from ingest.taxonomy import Taxonomy

# Document labels that can be ABOUT a technology, with their text properties
# (title, then the body properties tried in order), as graph/vectors.py embeds them.
DOCUMENTS: dict[str, tuple[str, tuple[str, ...]]] = {
    "Work": ("title", ("abstract",)),
    "Patent": ("title", ("abstract",)),
    "PolicyDocument": ("title", ("text", "summary", "abstract")),
    "PolicyPassage": ("heading", ("text",)),
}

MERGE_TECH = """
UNWIND $rows AS t
MERGE (n:Technology {key: t.key})
SET n += t.props, n.version = $version, n.current = true
"""

RETIRE_TECH = """
MATCH (n:Technology) WHERE NOT n.key IN $keys
SET n.current = false
WITH n
OPTIONAL MATCH (n)-[r:CHILD_OF|IN_LIST|DEPENDS_ON]->()
DELETE r
"""

DROP_TAXONOMY_EDGES = """
MATCH (n:Technology)-[r:CHILD_OF|IN_LIST|DEPENDS_ON]->()
DELETE r
"""

LINK_PARENTS = """
UNWIND $rows AS t
MATCH (c:Technology {key: t.key}) MATCH (p:Technology {key: t.parent})
MERGE (c)-[:CHILD_OF]->(p)
"""

MERGE_ITEMS = """
UNWIND $rows AS i
MERGE (n:ListItem {key: i.key})
SET n += i.props
"""

LINK_ITEM_PARENTS = """
UNWIND $rows AS i
MATCH (c:ListItem {key: i.key}) MATCH (p:ListItem {key: i.parent})
MERGE (c)-[:PART_OF]->(p)
"""

LINK_LISTS = """
UNWIND $rows AS r
MATCH (t:Technology {key: r.tech}) MATCH (i:ListItem {key: r.item})
MERGE (t)-[e:IN_LIST]->(i)
SET e.verified = r.verified
"""

LINK_MATERIALS = """
UNWIND $rows AS r
MATCH (t:Technology {key: r.tech})
MERGE (m:Material {key: r.material})
MERGE (t)-[e:DEPENDS_ON]->(m)
SET e.basis = r.basis, e.note = r.note
"""


def _strip(d: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in d.items() if v is not None}


def taxonomy_rows(tax: Taxonomy) -> dict[str, list[dict[str, Any]]]:
    techs = [{"key": t.key, "parent": t.parent, "props": {
        "name": t.name, "name_ja": t.name_ja, "description": t.description, "terms_en": list(t.terms_en),
        "terms_ja": list(t.terms_ja), "domain": t.domain}} for t in tax.technologies]
    items = []
    for lst in tax.lists:
        for i in lst.items:
            items.append({"key": i.key, "parent": i.parent, "props": _strip({
                "list": lst.id, "item_id": i.id, "name": i.name, "name_ja": i.name_ja, "verified": i.verified,
                "out_of_scope": i.out_of_scope, "list_name": lst.name, "list_name_ja": lst.name_ja,
                "jurisdiction": lst.jurisdiction, "list_date": lst.date, "list_complete": lst.complete})})
    memberships = [{"tech": t.key, "item": m.item, "verified": m.verified} for t in tax.technologies for m in t.lists]
    deps = [{"tech": t.key, "material": d.key, "basis": d.basis, "note": d.note} for t in tax.technologies for d in t.materials]
    return {"techs": techs, "items": items, "memberships": memberships, "deps": deps}


def write_taxonomy(store: Store, tax: Taxonomy) -> dict[str, int]:
    """Load a taxonomy version in one transaction; rerunning it changes nothing."""
    rows = taxonomy_rows(tax)

    def work(tx: neo4j.ManagedTransaction) -> None:
        tx.run(MERGE_TECH, rows=rows["techs"], version=tax.version).consume()
        tx.run(RETIRE_TECH, keys=[t["key"] for t in rows["techs"]]).consume()
        tx.run(DROP_TAXONOMY_EDGES).consume()
        tx.run(LINK_PARENTS, rows=[t for t in rows["techs"] if t["parent"]]).consume()
        tx.run(MERGE_ITEMS, rows=rows["items"]).consume()
        tx.run(LINK_ITEM_PARENTS, rows=[i for i in rows["items"] if i["parent"]]).consume()
        tx.run(LINK_LISTS, rows=rows["memberships"]).consume()
        tx.run(LINK_MATERIALS, rows=rows["deps"]).consume()

    store.execute_write(work)
    return {"technologies": len(rows["techs"]), "list_items": len(rows["items"]),
            "in_list": len(rows["memberships"]), "depends_on": len(rows["deps"])}


def loaded_version(store: Store) -> str | None:
    rows = store.read("MATCH (t:Technology) WHERE t.current RETURN t.version AS v LIMIT 1")
    return rows[0]["v"] if rows else None


# ---------------------------------------------------------------- documents and ABOUT

def present_document_labels(store: Store) -> list[str]:
    """Document labels with at least one node (db.labels() also lists labels that were
    used once and are now empty)."""
    have = {r["label"] for r in store.read("CALL db.labels() YIELD label RETURN label")}
    return [label for label in DOCUMENTS
            if label in have and store.read(f"MATCH (n:`{label}`) RETURN n.key AS k LIMIT 1")]


def count_documents(store: Store, label: str) -> int:
    return store.read(f"MATCH (n:`{label}`) RETURN count(n) AS n")[0]["n"]


def documents(store: Store, label: str, page: int = 2000, model: str | None = None) -> Iterator[list[dict[str, Any]]]:
    """Pages of {key, title, body, language, path, embedding?} for one document label, in key order.
    ``embedding`` is returned only where it was computed by ``model``."""
    if label not in DOCUMENTS:
        raise ValueError(f"not a document label: {label}")
    title, body = DOCUMENTS[label]
    body_expr = "coalesce(" + ", ".join(f"n.`{p}`" for p in body) + ")" if len(body) > 1 else f"n.`{body[0]}`"
    cypher = (f"MATCH (n:`{label}`) WHERE n.key > $after "
              f"RETURN n.key AS key, n.`{title}` AS title, {body_expr} AS body, n.language AS language, "
              "n.path_or_url AS path, "
              "CASE WHEN $model IS NOT NULL AND n.embedding_model = $model THEN n.embedding END AS embedding "
              "ORDER BY n.key LIMIT $page")
    after = ""
    while True:
        rows = store.read(cypher, after=after, page=page, model=model)
        if not rows:
            return
        yield rows
        after = rows[-1]["key"]


def write_about(store: Store, label: str, keys: Sequence[str], edges: Sequence[dict[str, Any]], method: str,
                version: str) -> int:
    """Replace the ABOUT edges of ``method`` from these documents with ``edges``
    ({doc, tech, score, direct}); edges of other methods are left alone."""
    if label not in DOCUMENTS:
        raise ValueError(f"not a document label: {label}")

    def work(tx: neo4j.ManagedTransaction) -> int:
        tx.run(f"UNWIND $keys AS k MATCH (d:`{label}` {{key: k}})-[r:ABOUT {{method: $method}}]->(:Technology) DELETE r",
               keys=list(keys), method=method).consume()
        if not edges:
            return 0
        c = tx.run(f"UNWIND $rows AS r MATCH (d:`{label}` {{key: r.doc}}) MATCH (t:Technology {{key: r.tech}}) "
                   "CREATE (d)-[e:ABOUT]->(t) SET e.score = r.score, e.method = $method, e.direct = r.direct, "
                   "e.version = $version", rows=list(edges), method=method, version=version).consume().counters
        return c.relationships_created

    return store.execute_write(work)


def about_counts(store: Store, method: str | None = None) -> list[dict[str, Any]]:
    """Documents per technology (and label), for reports."""
    return store.read(
        "MATCH (d)-[r:ABOUT]->(t:Technology) WHERE $method IS NULL OR r.method = $method "
        "RETURN t.key AS technology, labels(d)[0] AS label, count(*) AS documents ORDER BY technology, label",
        method=method)
