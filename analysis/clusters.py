"""Emerging areas: cluster document embeddings, describe and score each cluster.

Method (chosen by measurement, see bench/clusters.py): a cosine k-nearest-neighbour
graph on the raw vectors, partitioned by Leiden (RB-configuration, fixed seed). On 10k
real quant-ph abstracts it gave 54 clusters, none unclustered, mean coherence 0.72;
HDBSCAN on a 10-d PCA reduction (UMAP is not installed) gave 2 clusters with 34 %
noise (coherence 0.66). Exact kNN up to 15k documents, an inverted-file search above.
Each cluster gets:

- keywords: class-based TF-IDF over English words/bigrams and Japanese
  katakana words / kanji bigrams (no tokeniser model needed);
- growth: CAGR between the baseline and the recent window, and the cluster's
  share of all documents in the recent window against the baseline window;
- novelty: 1 − the highest cosine between the cluster's recent centroid and
  the centroid of any cluster's earlier documents (its own earlier self included);
- impact: mean citations relative to the corpus mean of the same year (where known);
- coherence: mean cosine of members to their centroid.

The emergence score follows Rotolo, Hicks & Martin (2015): radical novelty,
relatively fast growth, coherence and prominent impact are each turned into a
percentile among the clusters and averaged; every part is kept separately.
(Their fifth attribute, uncertainty and ambiguity, is not scored.)
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

NOISE = -1


@dataclass(frozen=True)
class Params:
    k: int = 15                 # neighbours per document in the kNN graph
    resolution: float | None = None  # Leiden RB-configuration resolution (more → smaller clusters); None: by corpus size
    min_size: int = 0           # smaller clusters become unclustered; 0 = max(10, n / 1000)
    recent_years: int = 2       # the "last two years"
    baseline_years: int = 3     # the years before them that growth is measured against
    seed: int = 42
    n_keywords: int = 10
    match_jaccard: float = 0.25  # member overlap that keeps a previous cluster's ID
    related_min: float = 0.30   # cosine of centroid to technology needed for RELATED_TO
    related_top: int = 3

    def size_floor(self, n: int) -> int:
        return self.min_size or max(10, n // 1000)

    def resolution_for(self, n: int) -> float:
        # 4.0 gave 50-60 topical clusters on 16-20k quant-ph abstracts (about 300 documents
        # each); small corpora get a lower value so their clusters stay above size_floor.
        if self.resolution is not None:
            return self.resolution
        return float(np.clip(4.0 * n / 10000, 0.5, 4.0))


# ------------------------------------------------------------------ clustering


def knn(x: np.ndarray, k: int, exact_max: int = 15000, seed: int = 42) -> tuple[np.ndarray, np.ndarray]:
    """Cosine kNN of unit rows (self excluded): exact up to ``exact_max`` rows, else
    an inverted-file search (k-means cells, each probed with its nearest cells)."""
    k = min(k, len(x) - 1)
    if len(x) <= exact_max:
        return _topk(x, x, k, np.arange(len(x)))
    return _ivf_knn(x, k, seed)


def _topk(q: np.ndarray, cand: np.ndarray, k: int, self_pos: np.ndarray | None, block: int = 1024) -> tuple[np.ndarray, np.ndarray]:
    """Top-k of q against cand by dot product; self_pos[i] is q[i]'s row in cand (excluded)."""
    n = len(q)
    idx = np.empty((n, k), dtype=np.int64)
    sim = np.empty((n, k), dtype=np.float32)
    for s in range(0, n, block):
        e = min(s + block, n)
        d = q[s:e] @ cand.T
        if self_pos is not None:
            d[np.arange(e - s), self_pos[s:e]] = -np.inf
        part = np.argpartition(d, d.shape[1] - k, axis=1)[:, -k:]
        ps = np.take_along_axis(d, part, axis=1)
        order = np.argsort(-ps, axis=1)
        idx[s:e] = np.take_along_axis(part, order, axis=1)
        sim[s:e] = np.take_along_axis(ps, order, axis=1)
    return idx, sim


def _spherical_kmeans(x: np.ndarray, m: int, seed: int, iters: int = 8) -> tuple[np.ndarray, np.ndarray]:
    # A few Lloyd steps in plain numpy: the cells only need to be roughly right,
    # and sklearn's KMeans was 100x slower on this shared 2-core machine.
    from scipy import sparse

    rng = np.random.default_rng(seed)
    cen = x[rng.choice(len(x), m, replace=False)].copy()
    for _ in range(iters):
        cell = np.concatenate([np.argmax(x[s:s + 8192] @ cen.T, axis=1) for s in range(0, len(x), 8192)])
        sums = np.asarray(sparse.csr_matrix((np.ones(len(x), np.float32), (cell, np.arange(len(x)))),
                                            shape=(m, len(x))) @ x)
        empty = ~sums.any(axis=1)
        sums[empty] = cen[empty]
        cen = sums / np.maximum(np.linalg.norm(sums, axis=1, keepdims=True), 1e-12)
    cell = np.concatenate([np.argmax(x[s:s + 8192] @ cen.T, axis=1) for s in range(0, len(x), 8192)])
    return cell, cen.astype(np.float32)


def _ivf_knn(x: np.ndarray, k: int, seed: int, probe_factor: int = 32) -> tuple[np.ndarray, np.ndarray]:
    n = len(x)
    cells = max(16, int(math.sqrt(n)))
    cell, cen = _spherical_kmeans(x, cells, seed)
    members = [np.flatnonzero(cell == c) for c in range(cells)]
    near = np.argsort(-(cen @ cen.T), axis=1)
    idx = np.empty((n, k), dtype=np.int64)
    sim = np.empty((n, k), dtype=np.float32)
    want = probe_factor * n // cells
    for c in range(cells):
        q = members[c]
        if not len(q):
            continue
        cand_parts, total = [], 0
        for other in [c, *(o for o in near[c] if o != c)]:
            cand_parts.append(members[other])
            total += len(members[other])
            if total >= max(want, k + 1):
                break
        cand = np.concatenate(cand_parts)
        i, s = _topk(x[q], x[cand], k, np.arange(len(q)))  # the cell itself is cand's first block
        idx[q] = cand[i]
        sim[q] = s
    return idx, sim


def leiden(idx: np.ndarray, sim: np.ndarray, resolution: float, seed: int) -> np.ndarray:
    import igraph as ig
    import leidenalg

    n = len(idx)
    src = np.repeat(np.arange(n), idx.shape[1])
    w = np.clip(sim.ravel(), 1e-6, None).astype(float)
    g = ig.Graph(n=n, edges=np.column_stack([src, idx.ravel()]).tolist(), directed=False)
    g.es["weight"] = w.tolist()
    g.simplify(combine_edges="max")
    part = leidenalg.find_partition(g, leidenalg.RBConfigurationVertexPartition, weights="weight",
                                    resolution_parameter=resolution, seed=seed, n_iterations=2)
    return np.asarray(part.membership, dtype=np.int64)


def cluster(x: np.ndarray, params: Params = Params()) -> np.ndarray:
    """Labels 0..m-1 by decreasing size; documents in too-small clusters get NOISE."""
    n = len(x)
    if n < 3:
        return np.full(n, NOISE)
    idx, sim = knn(x, params.k)
    return drop_small(leiden(idx, sim, params.resolution_for(n), params.seed), params)


def drop_small(raw: np.ndarray, params: Params) -> np.ndarray:
    """Renumber communities by decreasing size; members of too-small ones become NOISE."""
    sizes = Counter(raw.tolist())
    floor = params.size_floor(len(raw))
    keep = [c for c, s in sorted(sizes.items(), key=lambda t: (-t[1], t[0])) if s >= floor]
    remap = {c: i for i, c in enumerate(keep)}
    return np.array([remap.get(c, NOISE) for c in raw.tolist()], dtype=np.int64)


# ------------------------------------------------------------------ keywords

_EN = re.compile(r"[a-z][a-z0-9\-]{2,}")
_KATA = re.compile(r"[\u30a0-\u30ffー]{2,}")
_KANJI = re.compile(r"[\u4e00-\u9fff]{2,}")
_JA = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")
_STOP: frozenset[str] | None = None
_EXTRA_STOP = {"paper", "propose", "proposed", "method", "methods", "results", "show", "based", "using", "approach",
               "present", "study", "new", "also", "can", "use", "used", "two", "one", "well", "work", "problem",
               "paper", "novel", "however", "demonstrate", "different", "provide", "given", "thus", "obtained",
               "find", "found", "shown", "case", "cases", "show", "discuss", "consider", "terms", "order", "general"}


def _stop() -> frozenset[str]:
    global _STOP
    if _STOP is None:
        from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

        _STOP = frozenset(ENGLISH_STOP_WORDS | _EXTRA_STOP)
    return _STOP


def tokens(text: str) -> list[str]:
    """English words and bigrams; Japanese katakana words and kanji bigrams."""
    stop = _stop()
    out: list[str] = []
    words = [w.strip("-") for w in _EN.findall(text.lower())]
    words = [w if w not in stop and len(w) > 2 else "" for w in words]
    out.extend(w for w in words if w)
    out.extend(f"{a} {b}" for a, b in zip(words, words[1:]) if a and b)
    if _JA.search(text):
        out.extend(_KATA.findall(text))
        for run in _KANJI.findall(text):
            out.extend(run[i:i + 2] for i in range(len(run) - 1))
    return out


def keywords(texts: Sequence[str], labels: np.ndarray, n: int = 10) -> dict[int, tuple[list[str], list[str]]]:
    """c-TF-IDF: each cluster's concatenated documents as one class (Grootendorst 2022)."""
    from sklearn.feature_extraction.text import CountVectorizer

    m = int(labels.max()) + 1 if len(labels) and labels.max() >= 0 else 0
    if m == 0:
        return {}
    mask = labels >= 0
    vec = CountVectorizer(analyzer=tokens, min_df=min(3, int(mask.sum())))
    try:
        counts = vec.fit_transform([t for t, keep in zip(texts, mask) if keep])
    except ValueError:  # no tokens at all
        return {c: ([], []) for c in range(m)}
    from scipy import sparse

    onehot = sparse.csr_matrix((np.ones(int(mask.sum())), (labels[mask], np.arange(int(mask.sum())))), shape=(m, counts.shape[0]))
    tf = np.asarray((onehot @ counts).todense(), dtype=float)
    tf_norm = tf / np.maximum(tf.sum(axis=1, keepdims=True), 1)
    avg = tf.sum() / m
    idf = np.log(1 + avg / np.maximum(tf.sum(axis=0), 1))
    score = tf_norm * idf
    vocab = np.array(vec.get_feature_names_out())
    out = {}
    for c in range(m):
        order = np.argsort(-score[c])
        en, ja = [], []
        for t in vocab[order[: 20 * n]]:
            if tf[c, vec.vocabulary_[t]] < 2:
                continue
            (ja if _JA.search(t) else en).append(str(t))
        out[c] = (_dedupe_bigrams(en)[:n], ja[:n])
    return out


def _dedupe_bigrams(terms: list[str]) -> list[str]:
    """Drop a word already covered by a higher-ranked bigram, to keep the list informative."""
    seen: set[str] = set()
    out = []
    for t in terms:
        parts = t.split()
        if len(parts) == 1 and t in seen:
            continue
        seen.update(parts)
        out.append(t)
    return out


# ------------------------------------------------------------------ scores


def as_of_year(years: np.ndarray, window: int = 5, floor: float = 0.4) -> int | None:
    """The latest year that closes a complete window: every year of the window holds at
    least ``floor`` × the window's median count. Drops a partial last year and gaps."""
    ys = years[years > 0]
    if not len(ys):
        return None
    counts = Counter(ys.tolist())
    for y in sorted(counts, reverse=True):
        w = [counts.get(y - i, 0) for i in range(window)]
        if min(w) >= floor * float(np.median(w)) and min(w) > 0:
            return y
    return int(ys.max())


@dataclass
class Stats:
    label: int
    size: int
    centroid: np.ndarray
    counts_by_year: dict[int, int]
    recent: int
    baseline: int
    recent_share: float
    baseline_share: float
    share_growth: float       # recent share / baseline share (smoothed)
    cagr: float
    novelty: float | None
    impact: float | None
    coherence: float
    keywords_en: list[str] = field(default_factory=list)
    keywords_ja: list[str] = field(default_factory=list)
    parts: dict[str, float | None] = field(default_factory=dict)  # percentiles of each attribute
    emergence: float = 0.0

    def row(self) -> dict[str, Any]:
        ys = sorted(self.counts_by_year)
        return {"size": self.size, "recent": self.recent, "baseline": self.baseline,
                "recent_share": self.recent_share, "baseline_share": self.baseline_share,
                "share_growth": self.share_growth, "cagr": self.cagr, "novelty": self.novelty,
                "impact": self.impact, "coherence": self.coherence, "emergence": self.emergence,
                "keywords_en": self.keywords_en, "keywords_ja": self.keywords_ja,
                "years": ys, "year_counts": [self.counts_by_year[y] for y in ys],
                **{f"p_{k}": v for k, v in self.parts.items()}}


def _unit(v: np.ndarray) -> np.ndarray:
    n = np.linalg.norm(v)
    return v / n if n else v


def stats(x: np.ndarray, labels: np.ndarray, years: np.ndarray, cites: np.ndarray | None,
          as_of: int | None, params: Params = Params()) -> list[Stats]:
    """Size, growth, novelty, impact and coherence of every cluster (documents after as_of are ignored for growth)."""
    m = int(labels.max()) + 1 if len(labels) and labels.max() >= 0 else 0
    if m == 0:
        return []
    years = np.asarray(years)
    as_of = as_of or int(years.max())
    r0 = as_of - params.recent_years + 1
    b0 = r0 - params.baseline_years
    in_recent = (years >= r0) & (years <= as_of)
    in_base = (years >= b0) & (years < r0)
    earlier = (years > 0) & (years < r0)
    n_recent, n_base = int(in_recent.sum()), int(in_base.sum())

    rel = None
    if cites is not None:
        cites = np.asarray(cites, dtype=float)
        rel = np.full(len(cites), np.nan)
        for y in np.unique(years):
            sel = (years == y) & ~np.isnan(cites)
            mu = cites[sel].mean() if sel.any() else 0.0
            if mu > 0:
                rel[sel] = cites[sel] / mu

    out: list[Stats] = []
    earlier_centroids = []
    for c in range(m):
        mem = labels == c
        cen = _unit(x[mem].mean(axis=0))
        coh = float((x[mem] @ cen).mean())
        rc, bc = int((mem & in_recent).sum()), int((mem & in_base).sum())
        rs = rc / n_recent if n_recent else 0.0
        bs = bc / n_base if n_base else 0.0
        sg = ((rc + 1) / (n_recent + 1)) / ((bc + 1) / (n_base + 1))
        gap = (params.recent_years + params.baseline_years) / 2
        cagr = ((rc / params.recent_years + 0.5) / (bc / params.baseline_years + 0.5)) ** (1 / gap) - 1
        imp = None
        if rel is not None:
            r = rel[mem & ~np.isnan(rel)]
            imp = float(r.mean()) if len(r) >= max(3, 0.2 * mem.sum()) else None
        early = mem & earlier
        if early.sum() >= 5:
            earlier_centroids.append(_unit(x[early].mean(axis=0)))
        cy = Counter(years[mem & (years > 0)].tolist())
        out.append(Stats(c, int(mem.sum()), cen, {int(k): int(v) for k, v in cy.items()}, rc, bc, rs, bs, sg, cagr,
                         None, imp, coh))
    if earlier_centroids:
        e = np.stack(earlier_centroids)
        for s in out:
            mem = (labels == s.label) & in_recent
            cen = _unit(x[mem].mean(axis=0)) if mem.any() else s.centroid
            s.novelty = float(1 - (e @ cen).max())
    return out


def _percentiles(values: list[float | None]) -> list[float | None]:
    have = [(v, i) for i, v in enumerate(values) if v is not None and not math.isnan(v)]
    out: list[float | None] = [None] * len(values)
    if not have:
        return out
    vals = np.array([v for v, _ in have])
    for v, i in have:
        # mid-rank percentile in [0, 1]; ties share a rank
        out[i] = float(((vals < v).sum() + 0.5 * ((vals == v).sum() - 1)) / max(len(vals) - 1, 1))
    return out


PARTS = ("novelty", "growth", "coherence", "impact")


def score(clusters: list[Stats]) -> list[Stats]:
    """Emergence = mean of the available attribute percentiles (Rotolo et al.), each kept in ``parts``."""
    cols = {
        "novelty": _percentiles([s.novelty for s in clusters]),
        "growth": _percentiles([math.log(s.share_growth) for s in clusters]),
        "coherence": _percentiles([s.coherence for s in clusters]),
        "impact": _percentiles([s.impact for s in clusters]),
    }
    for i, s in enumerate(clusters):
        s.parts = {p: cols[p][i] for p in PARTS}
        have = [v for v in s.parts.values() if v is not None]
        s.emergence = float(np.mean(have)) if have else 0.0
    return clusters


# ------------------------------------------------------------------ stable IDs and technologies


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
