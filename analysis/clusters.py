"""Emerging areas: cluster document embeddings, describe and score each cluster, and make
the result a scope's current clusters in the graph.

Method (chosen by measurement; ``python -m bench.clusters --compare 10000`` prints both):
a cosine k-nearest-neighbour graph on the raw vectors (analysis/neighbours.py),
partitioned by Leiden (analysis/communities.py). On 10k real quant-ph abstracts it gave
54 clusters, none unclustered, mean coherence 0.72; HDBSCAN on a 10-d PCA reduction
(UMAP is not installed) gave 2 clusters with 34 % noise (coherence 0.66). Each cluster
gets keywords (analysis/cluster_keywords.py) and its growth, novelty, impact, coherence
and emergence score (analysis/emergence.py).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from analysis.cluster_keywords import keywords
from analysis.cluster_params import Params
from analysis.communities import cluster
from analysis.emergence import Stats, as_of_year, score, stats


def match_ids(new: dict[int, set[str]], old: dict[str, set[str]], next_id: int,
              min_jaccard: float = 0.25) -> tuple[dict[int, str], int]:
    """Give each new cluster the ID of the previous cluster it overlaps most (Jaccard,
    greedy best-first, one-to-one); the rest get fresh IDs, never reused."""
    owner = {k: cid for cid, keys in old.items() for k in keys}
    pairs = []
    for c, keys in new.items():
        inter = Counter(owner[k] for k in keys if k in owner)
        for cid, i in inter.items():
            j = i / (len(keys) + len(old[cid]) - i)
            if j >= min_jaccard:
                pairs.append((j, c, cid))
    ids: dict[int, str] = {}
    taken: set[str] = set()
    for j, c, cid in sorted(pairs, key=lambda t: (-t[0], t[1], t[2])):
        if c not in ids and cid not in taken:
            ids[c] = cid
            taken.add(cid)
    for c in sorted(new):
        if c not in ids:
            ids[c] = f"C{next_id:05d}"
            next_id += 1
    return ids, next_id


def technology_text(t: dict[str, Any]) -> tuple[str, str]:
    """English and Japanese descriptions of a Technology node, embedded separately and averaged."""
    en = ". ".join(p for p in [t.get("name"), t.get("description"), ", ".join(t.get("terms_en") or [])] if p)
    ja = "。".join(p for p in [t.get("name_ja"), "、".join(t.get("terms_ja") or [])] if p)
    return en, ja


def related(centroids: np.ndarray, tech_vecs: np.ndarray, top: int, min_score: float) -> list[list[tuple[int, float]]]:
    if not len(tech_vecs) or not len(centroids):
        return [[] for _ in range(len(centroids))]
    s = centroids @ tech_vecs.T
    out = []
    for row in s:
        order = np.argsort(-row)[:top]
        out.append([(int(j), float(row[j])) for j in order if row[j] >= min_score])
    return out


@dataclass
class Analysis:
    labels: np.ndarray
    clusters: list[Stats]
    as_of: int | None


def analyse(x: np.ndarray, years: np.ndarray, texts: Sequence[str], cites: np.ndarray | None = None,
            params: Params = Params(), as_of: int | None = None) -> Analysis:
    """Cluster, describe and score one corpus of unit vectors."""
    labels = cluster(x, params)
    as_of = as_of or as_of_year(np.asarray(years))
    cl = stats(x, labels, years, cites, as_of, params)
    kw = keywords(texts, labels, params.n_keywords)
    for s in cl:
        s.keywords_en, s.keywords_ja = kw.get(s.label, ([], []))
    return Analysis(labels, score(cl), as_of)


# ------------------------------------------------------------------ the run: graph in, clusters out


@dataclass
class RunReport:
    scope: str
    run: str
    docs: int
    clusters: int
    unclustered: int
    kept_ids: int
    new_ids: int
    related: int
    as_of: int | None
    seconds: dict[str, float] = field(default_factory=dict)


def run(store, scope: str = "works", labels: Sequence[str] = ("Work",), source: str | None = None,
        params: Params = Params(), as_of: int | None = None, embedder=None, fail_before_swap: bool = False) -> RunReport:
    """Cluster the embedded documents of ``labels`` (optionally only those FROM a Source whose
    key contains ``source``) and make the result the scope's current clusters.

    ``fail_before_swap`` raises after writing, before the swap (to test crash safety)."""
    import time
    from datetime import datetime, timezone

    from analysis.embed import document_text, get_embedder
    from graph import clusters as gc
    from graph import vectors as gv
    from core.errors import InputError

    t = {"start": time.perf_counter()}
    emb = embedder or get_embedder()
    keys: list[str] = []
    doc_label: list[str] = []
    vecs, years, cites, texts = [], [], [], []
    where = "EXISTS { (n)-[:FROM]->(s:Source) WHERE s.key CONTAINS $source }" if source else ""
    for e in gv.present_labels(store, list(labels)):
        for page in gv.vectors(store, e, emb.name, where=where, source=source):
            for r in page:
                keys.append(r["key"])
                doc_label.append(e.label)
                vecs.append(r["v"])
                years.append(r["year"] or 0)
                cites.append(np.nan if r["cites"] is None else float(r["cites"]))
                texts.append(document_text(r["title"], r["body"]))
    if len(keys) < 20:
        raise InputError(f"only {len(keys)} documents with {emb.name} embeddings in scope {scope!r}: "
                         "run `kizashi embed` first (clustering needs at least 20)")
    x = np.asarray(vecs, dtype=np.float32)
    x /= np.maximum(np.linalg.norm(x, axis=1, keepdims=True), 1e-12)
    yrs = np.asarray(years, dtype=np.int64)
    cit = np.asarray(cites, dtype=float)
    t["read"] = time.perf_counter()

    a = analyse(x, yrs, texts, None if np.isnan(cit).all() else cit, params, as_of)
    t["analyse"] = time.perf_counter()

    gc.purge(store, scope)  # abandoned runs of an earlier crash
    old, next_id = gc.previous(store, scope)
    new = {s.label: {keys[i] for i in np.flatnonzero(a.labels == s.label)} for s in a.clusters}
    ids, next_id = match_ids(new, old, next_id, params.match_jaccard)

    run_id = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S%fZ")
    gc.open_run(store, scope, run_id, emb.name, {**params.__dict__, "labels": list(labels), "source": source})
    rows = []
    for s in a.clusters:
        props = s.row()
        props["label"] = " / ".join((s.keywords_en or s.keywords_ja)[:3])
        # Kept for the dashboard's cluster map (a PCA of centroids), not for search: no index on it.
        props["centroid"] = [round(float(v), 5) for v in s.centroid]
        rows.append({"id": ids[s.label], "props": props})
    gc.write_clusters(store, scope, run_id, rows)
    centroids = np.stack([s.centroid for s in a.clusters])
    for lb in sorted(set(doc_label)):
        sel = [i for i in np.flatnonzero(a.labels >= 0) if doc_label[i] == lb]
        gc.write_members(store, scope, run_id, lb, ({"key": keys[i], "id": ids[int(a.labels[i])],
                                                     "similarity": float(x[i] @ centroids[a.labels[i]])} for i in sel))
    techs = gc.technologies(store)
    rel_rows = []
    if techs:
        en, ja = zip(*(technology_text(tch) for tch in techs))
        tv = emb.encode(list(en))
        has_ja = [bool(j) for j in ja]
        if any(has_ja):
            jv = emb.encode([j for j in ja if j])
            tv[np.flatnonzero(has_ja)] += jv
        tv /= np.maximum(np.linalg.norm(tv, axis=1, keepdims=True), 1e-12)
        for s, links in zip(a.clusters, related(centroids, tv, params.related_top, params.related_min)):
            rel_rows += [{"id": ids[s.label], "tech": techs[j]["key"], "score": sc, "rank": r + 1}
                         for r, (j, sc) in enumerate(links)]
        gc.write_related(store, scope, run_id, rel_rows)
    t["write"] = time.perf_counter()
    if fail_before_swap:
        raise RuntimeError("failing before the swap, as asked")
    kept = sum(1 for v in ids.values() if v in old)
    gc.swap(store, scope, run_id, {"as_of": a.as_of, "n_docs": len(keys), "n_clusters": len(a.clusters),
                                   "next_id": next_id})
    gc.purge(store, scope, keep_run=run_id)
    t["swap"] = time.perf_counter()
    secs = {k: round(t[k] - t[p], 2) for p, k in zip(["start", "read", "analyse", "write"], ["read", "analyse", "write", "swap"])}
    return RunReport(scope, run_id, len(keys), len(a.clusters), int((a.labels < 0).sum()), kept, len(ids) - kept,
                     len(rel_rows), a.as_of, secs)
