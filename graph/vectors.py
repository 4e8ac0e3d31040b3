"""Embeddings on nodes and Neo4j vector indexes: the Cypher side.

Each embeddable label stores ``embedding`` (float32 list), ``text_hash`` (of the
text it was computed from) and ``embedding_model``: the live vectors, which every
reader uses, under one cosine vector index named ``<label>_embedding``. A vector is
current when hash and model both match, so unchanged documents are never re-encoded.

Switching a label to another model never touches the live vectors until the new
ones are complete. The new model's vectors go to ``embedding_next`` (+
``text_hash_next``, ``embedding_next_model``) under their own index
``<label>_embedding_next``; one ``(:EmbeddingState {label, model, dim, next_model,
next_dim, phase})`` node per label records which model is live and how far a switch
got. When every node is staged, ``promote`` swaps in three resumable phases:

- ``promoting``: search answers from the complete staging index while the live
  index is dropped, staged vectors are copied to the live property (vectors of the
  old model without a staged one are removed) and the live index is rebuilt;
- ``cleaning``: the new model is live; staging properties and index are removed;
- none: nothing in flight.

A crash in any phase leaves search on one complete model, and the next run resumes
where it stopped: staged vectors whose text is unchanged are kept, not re-encoded.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from graph.names import EMBEDDING_STATE
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


LIVE, NEXT = "embedding", "embedding_next"
# property names: (vector, text hash, model)
PROPS = {LIVE: ("embedding", "text_hash", "embedding_model"),
         NEXT: ("embedding_next", "text_hash_next", "embedding_next_model")}
BATCH = 2000   # rows per transaction when a swap rewrites a whole label


@dataclass(frozen=True)
class State:
    """Which model a label's live vectors come from, and a switch in flight (if any)."""
    model: str | None
    dim: int | None
    next_model: str | None = None
    next_dim: int | None = None
    phase: str | None = None     # None | "staging" | "promoting" | "cleaning"


def _index(e: Embeddable, slot: str) -> str:
    return e.index if slot == LIVE else f"{e.index}_next"


def state(store: Store, e: Embeddable) -> State | None:
    """The label's recorded state; for a graph embedded before states were recorded, the
    model and size of any live vector (None when nothing is embedded)."""
    rows = store.read(f"MATCH (s:{_q(EMBEDDING_STATE)} {{label: $label}}) RETURN s {{.*}} AS s", label=e.label)
    if rows:
        s = rows[0]["s"]
        return State(s.get("model"), s.get("dim"), s.get("next_model"), s.get("next_dim"), s.get("phase"))
    rows = store.read(f"MATCH (n:{_q(e.label)}) WHERE n.embedding IS NOT NULL "
                      "RETURN n.embedding_model AS m, size(n.embedding) AS d LIMIT 1")
    return State(rows[0]["m"], rows[0]["d"]) if rows else None


def _set_state(store: Store, e: Embeddable, **fields: Any) -> None:
    store.write(f"MERGE (s:{_q(EMBEDDING_STATE)} {{label: $label}}) SET s += $fields",
                label=e.label, fields=fields)


def set_live(store: Store, e: Embeddable, model: str, dim: int) -> None:
    """Record ``model`` as the label's live model (vectors written in place)."""
    _set_state(store, e, model=model, dim=dim)


def ensure_index(store: Store, e: Embeddable, dim: int, slot: str = LIVE) -> bool:
    """Create the slot's cosine vector index (rebuild it if its size differs). True if (re)created."""
    name = _index(e, slot)
    have = index_dimensions(store, e, name)
    if have == dim:
        return False
    if have is not None:
        store.autocommit(f"DROP INDEX {_q(name)} IF EXISTS")
    store.autocommit(
        f"CREATE VECTOR INDEX {_q(name)} IF NOT EXISTS FOR (n:{_q(e.label)}) ON n.{_q(PROPS[slot][0])} "
        "OPTIONS {indexConfig: {`vector.dimensions`: $dim, `vector.similarity_function`: 'cosine'}}", dim=dim)
    store.autocommit("CALL db.awaitIndexes(300)")
    return True


def _drop_index(store: Store, name: str) -> None:
    store.autocommit(f"DROP INDEX {_q(name)} IF EXISTS")


def _clear_slot(store: Store, e: Embeddable, slot: str, where: str = "", **params: Any) -> None:
    v, h, m = (_q(p) for p in PROPS[slot])
    store.autocommit(f"MATCH (n:{_q(e.label)}) WHERE n.{v} IS NOT NULL {where} "
                     f"CALL (n) {{ REMOVE n.{v}, n.{h}, n.{m} }} IN TRANSACTIONS OF {BATCH} ROWS", **params)


def begin_staging(store: Store, e: Embeddable, model: str, dim: int) -> None:
    """Stage ``model`` for this label; staged work of another model is dropped first."""
    st = state(store, e)
    if st is None or st.phase != "staging" or (st.next_model, st.next_dim) != (model, dim):
        abandon_staging(store, e)
        _set_state(store, e, next_model=model, next_dim=dim, phase="staging")
    ensure_index(store, e, dim, NEXT)


def abandon_staging(store: Store, e: Embeddable) -> None:
    """Forget a switch that was not promoted: staged vectors, their index, the record of it."""
    _clear_slot(store, e, NEXT)
    _drop_index(store, _index(e, NEXT))
    st = store.read(f"MATCH (s:{_q(EMBEDDING_STATE)} {{label: $label}}) RETURN s.phase AS p", label=e.label)
    if st and st[0]["p"] == "staging":
        _set_state(store, e, next_model=None, next_dim=None, phase=None)


def promote(store: Store, e: Embeddable) -> None:
    """Make the completely staged model live (see the module docstring); safe to re-run after a crash."""
    st = state(store, e)
    if st is None or st.phase is None or st.next_model is None:
        return
    model, dim = st.next_model, st.next_dim
    if st.phase == "staging":
        ensure_index(store, e, dim, NEXT)         # search reads it from the next step on
        _set_state(store, e, phase="promoting")
        st = State(st.model, st.dim, model, dim, "promoting")
    if st.phase == "promoting":
        _drop_index(store, e.index)
        store.autocommit(
            f"MATCH (n:{_q(e.label)}) WHERE n.embedding_next IS NOT NULL AND n.embedding_next_model = $model "
            "AND (n.embedding_model IS NULL OR n.embedding_model <> $model OR n.text_hash IS NULL "
            "     OR n.text_hash <> n.text_hash_next) "
            "CALL (n) { SET n.embedding = n.embedding_next, n.text_hash = n.text_hash_next, "
            f"n.embedding_model = $model }} IN TRANSACTIONS OF {BATCH} ROWS", model=model)
        # Vectors with nothing staged (text now empty, or out of the run's scope) belong to the old model.
        _clear_slot(store, e, LIVE, "AND (n.embedding_model IS NULL OR n.embedding_model <> $model)", model=model)
        ensure_index(store, e, dim, LIVE)
        _set_state(store, e, model=model, dim=dim, phase="cleaning")
    _clear_slot(store, e, NEXT)
    _drop_index(store, _index(e, NEXT))
    _set_state(store, e, next_model=None, next_dim=None, phase=None)


def serving(store: Store) -> dict[str, tuple[str, int]]:
    """label -> (index, dimensions) that search should query: the live index, or the complete
    staging one while a swap rewrites the live vectors. Labels without such an index are absent."""
    promoting = {r["label"] for r in store.read(
        f"MATCH (s:{_q(EMBEDDING_STATE)}) WHERE s.phase = 'promoting' RETURN s.label AS label")}
    dims = {r["name"]: (r["options"] or {}).get("indexConfig", {}).get("vector.dimensions")
            for r in store.read("SHOW VECTOR INDEXES YIELD name, options RETURN name, options")}
    out = {}
    for e in EMBEDDABLE:
        name = _index(e, NEXT) if e.label in promoting else e.index
        if dims.get(name) is not None:
            out[e.label] = (name, dims[name])
    return out


def texts(store: Store, e: Embeddable, page: int = 5000, mapped_only: bool = False) -> Iterator[list[dict[str, Any]]]:
    """Pages of {key, title, body, hash, model, hash_next, model_next} in key order (index-backed paging);
    ``mapped_only``: only documents already mapped to a technology (ABOUT)."""
    about = " AND EXISTS { (n)-[:ABOUT]->() }" if mapped_only else ""
    body = "coalesce(" + ", ".join(f"n.{_q(p)}" for p in e.body) + ")" if len(e.body) > 1 else f"n.{_q(e.body[0])}"
    cypher = (f"MATCH (n:{_q(e.label)}) WHERE n.{_q(e.key)} > $after{about} "
              f"RETURN n.{_q(e.key)} AS key, n.{_q(e.title)} AS title, {body} AS body, "
              "n.text_hash AS hash, n.embedding_model AS model, "
              "n.text_hash_next AS hash_next, n.embedding_next_model AS model_next "
              f"ORDER BY n.{_q(e.key)} LIMIT $page")
    after = ""
    while True:
        rows = store.read_plain(cypher, after=after, page=page)
        if not rows:
            return
        yield rows
        after = rows[-1]["key"]


def write(store: Store, e: Embeddable, model: str, rows: list[dict[str, Any]], slot: str = LIVE) -> None:
    """rows: {key, hash, v}. Stored as a float32 vector property of the live or staging slot."""
    _, h, m = (_q(p) for p in PROPS[slot])
    store.write(
        f"UNWIND $rows AS r MATCH (n:{_q(e.label)} {{{_q(e.key)}: r.key}}) "
        "CALL db.create.setNodeVectorProperty(n, $prop, r.v) "
        f"SET n.{h} = r.hash, n.{m} = $model",
        rows=rows, model=model, prop=PROPS[slot][0])


def clear(store: Store, e: Embeddable, keys: list[str], slot: str = LIVE) -> None:
    """Drop stale vectors of nodes whose text is now empty."""
    v, h, m = (_q(p) for p in PROPS[slot])
    store.write(f"UNWIND $keys AS k MATCH (n:{_q(e.label)} {{{_q(e.key)}: k}}) "
                f"REMOVE n.{v}, n.{h}, n.{m}", keys=keys)


def count(store: Store, e: Embeddable, model: str) -> dict[str, int]:
    r = store.read(f"MATCH (n:{_q(e.label)}) RETURN count(n) AS nodes, "
                   "count(CASE WHEN n.embedding_model = $model THEN 1 END) AS embedded", model=model)
    return r[0]


def _search_union(n: int) -> str:
    """One query over ``n`` indexes (UNION ALL of the per-index search, each keeping its best
    ``$k``), so a search across labels is one round trip instead of one per label."""
    part = ("CALL db.index.vector.queryNodes($index{i}, $candidates, $v) YIELD node, score "
            "RETURN $label{i} AS label, node[$key{i}] AS key, node[$title{i}] AS title, "
            "coalesce(node.year, toInteger(substring(toString(node.date), 0, 4))) AS year, "
            "node.language AS language, score ORDER BY score DESC LIMIT $k")
    return ("CALL () { " + " UNION ALL ".join(part.format(i=i) for i in range(n)) + " } "
            "RETURN label, key, title, year, language, score ORDER BY score DESC LIMIT $k")


def search(store: Store, plan: Sequence[tuple[Embeddable, str]], vector: list[float], k: int,
           candidates: int = 0) -> list[dict[str, Any]]:
    """The k nearest nodes across the (label, index) pairs of ``plan``, best first, in one query."""
    if not plan:
        return []
    params: dict[str, Any] = {"v": vector, "k": k, "candidates": max(k, candidates)}
    for i, (e, index) in enumerate(plan):
        params.update({f"index{i}": index, f"label{i}": e.label, f"key{i}": e.key, f"title{i}": e.title})
    return store.read(_search_union(len(plan)), **params)


def index_dimensions(store: Store, e: Embeddable, name: str | None = None) -> int | None:
    rows = store.read("SHOW VECTOR INDEXES YIELD name, options WHERE name = $name RETURN options", name=name or e.index)
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
        rows = store.read_plain(cypher, after=after, page=page, model=model, **params)
        if not rows:
            return
        yield rows
        after = rows[-1]["key"]
