"""Embeddings on nodes and Neo4j vector indexes: the Cypher side.

Each embeddable label stores ``embedding`` (float32 list), ``text_hash`` (of the
text it was computed from) and ``embedding_model``. A vector is current when
both match, so unchanged documents are never re-encoded. Each label has one
cosine vector index named ``<label>_embedding``, sized by the embedder in use;
switching to a model of another size rebuilds it.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from graph.store import Store


@dataclass(frozen=True)
class Embeddable:
    label: str
    title: str                 # property holding the title
    body: tuple[str, ...]      # properties tried in order for the abstract / text span
    key: str = "key"

    @property
    def index(self) -> str:
        return f"{self.label.lower()}_embedding"


# Works and patents: title + abstract. Policy documents: title + their text span;
# PolicyPassage holds one paragraph of a long policy document, when the policy
# ingester splits them.
EMBEDDABLE: tuple[Embeddable, ...] = (
    Embeddable("Work", "title", ("abstract",)),
    Embeddable("Patent", "title", ("abstract",)),
    Embeddable("PolicyDocument", "title", ("text", "summary", "abstract")),
    Embeddable("PolicyPassage", "heading", ("text",)),
)
BY_LABEL = {e.label: e for e in EMBEDDABLE}


def _q(name: str) -> str:
    return "`" + name.replace("`", "``") + "`"


def present_labels(store: Store, labels: Sequence[str] | None = None) -> list[Embeddable]:
    """The embeddable labels that have at least one node."""
    out = []
    for e in EMBEDDABLE:
        if labels and e.label not in labels:
            continue
        if store.read(f"MATCH (n:{_q(e.label)}) RETURN n LIMIT 1"):
            out.append(e)
    return out


def ensure_index(store: Store, e: Embeddable, dim: int) -> bool:
    """Create the label's cosine vector index (rebuild it if its size differs). True if (re)created."""
    rows = store.read("SHOW VECTOR INDEXES YIELD name, options WHERE name = $name RETURN options", name=e.index)
    if rows:
        have = (rows[0]["options"] or {}).get("indexConfig", {}).get("vector.dimensions")
        if have == dim:
            return False
        store.autocommit(f"DROP INDEX {_q(e.index)} IF EXISTS")
    store.autocommit(
        f"CREATE VECTOR INDEX {_q(e.index)} IF NOT EXISTS FOR (n:{_q(e.label)}) ON n.embedding "
        "OPTIONS {indexConfig: {`vector.dimensions`: $dim, `vector.similarity_function`: 'cosine'}}", dim=dim)
    store.autocommit("CALL db.awaitIndexes(300)")
    return True


def texts(store: Store, e: Embeddable, page: int = 5000, mapped_only: bool = False) -> Iterator[list[dict[str, Any]]]:
    """Pages of {key, title, body, hash, model} in key order (index-backed paging);
    ``mapped_only``: only documents already mapped to a technology (ABOUT)."""
    about = " AND EXISTS { (n)-[:ABOUT]->() }" if mapped_only else ""
    body = "coalesce(" + ", ".join(f"n.{_q(p)}" for p in e.body) + ")" if len(e.body) > 1 else f"n.{_q(e.body[0])}"
    cypher = (f"MATCH (n:{_q(e.label)}) WHERE n.{_q(e.key)} > $after{about} "
              f"RETURN n.{_q(e.key)} AS key, n.{_q(e.title)} AS title, {body} AS body, "
              "n.text_hash AS hash, n.embedding_model AS model "
              f"ORDER BY n.{_q(e.key)} LIMIT $page")
    after = ""
    while True:
        rows = store.read(cypher, after=after, page=page)
        if not rows:
            return
        yield rows
        after = rows[-1]["key"]


def write(store: Store, e: Embeddable, model: str, rows: list[dict[str, Any]]) -> None:
    """rows: {key, hash, v}. Stored as a float32 vector property."""
    store.write(
        f"UNWIND $rows AS r MATCH (n:{_q(e.label)} {{{_q(e.key)}: r.key}}) "
        "CALL db.create.setNodeVectorProperty(n, 'embedding', r.v) "
        "SET n.text_hash = r.hash, n.embedding_model = $model",
        rows=rows, model=model)


def clear(store: Store, e: Embeddable, keys: list[str]) -> None:
    """Drop stale vectors of nodes whose text is now empty."""
    store.write(f"UNWIND $keys AS k MATCH (n:{_q(e.label)} {{{_q(e.key)}: k}}) "
                "REMOVE n.embedding, n.text_hash, n.embedding_model", keys=keys)


def count(store: Store, e: Embeddable, model: str) -> dict[str, int]:
    r = store.read(f"MATCH (n:{_q(e.label)}) RETURN count(n) AS nodes, "
                   "count(CASE WHEN n.embedding_model = $model THEN 1 END) AS embedded", model=model)
    return r[0]


SEARCH = """
CALL db.index.vector.queryNodes($index, $k, $v) YIELD node, score
RETURN $label AS label, node[$key] AS key, node[$title] AS title,
       coalesce(node.year, toInteger(substring(toString(node.date), 0, 4))) AS year,
       node.language AS language, score
"""


def query(store: Store, e: Embeddable, vector: list[float], k: int) -> list[dict[str, Any]]:
    return store.read(SEARCH, index=e.index, k=k, v=vector, label=e.label, key=e.key, title=e.title)


def has_index(store: Store, e: Embeddable) -> bool:
    return bool(store.read("SHOW VECTOR INDEXES YIELD name WHERE name = $name RETURN name", name=e.index))


def index_dimensions(store: Store, e: Embeddable) -> int | None:
    rows = store.read("SHOW VECTOR INDEXES YIELD name, options WHERE name = $name RETURN options", name=e.index)
    return (rows[0]["options"] or {}).get("indexConfig", {}).get("vector.dimensions") if rows else None


def vectors(store: Store, e: Embeddable, model: str, page: int = 5000,
            where: str = "", **params: Any) -> Iterator[list[dict[str, Any]]]:
    """Pages of embedded nodes: {key, v, year, cites, title, body}, for clustering.

    ``where`` is an extra Cypher predicate on ``n`` (e.g. a source filter)."""
    body = "coalesce(" + ", ".join(f"n.{_q(p)}" for p in e.body) + ")" if len(e.body) > 1 else f"n.{_q(e.body[0])}"
    cypher = (f"MATCH (n:{_q(e.label)}) WHERE n.{_q(e.key)} > $after AND n.embedding_model = $model "
              + (f"AND ({where}) " if where else "") +
              f"RETURN n.{_q(e.key)} AS key, n.embedding AS v, "
              "coalesce(n.year, toInteger(substring(toString(n.date), 0, 4))) AS year, "
              f"n.cited_by_count AS cites, n.{_q(e.title)} AS title, {body} AS body "
              f"ORDER BY n.{_q(e.key)} LIMIT $page")
    after = ""
    while True:
        rows = store.read(cypher, after=after, page=page, model=model, **params)
        if not rows:
            return
        yield rows
        after = rows[-1]["key"]
