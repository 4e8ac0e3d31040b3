"""Embedding benchmarks on the real corpora, and the vector cache the other benches share.

    python -m bench.embed cache [quant-ph|robotics ...]   # encode and cache (resumable)
    python -m bench.embed run [--n 2000]                  # throughput ratio, 1 % re-embed cost, search latency

Vectors are cached under bench/out/vectors/<corpus>/<model>/ in chunks, so an
interrupted run resumes and the clustering and back-test benches are cheap to rerun.
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
DATA = REPO.parent / "shared" / "data"
OUT = REPO / "bench" / "out"
QUANT_PH = DATA / "arxiv" / "quant-ph_oai_dc_extract"
ROBOTICS = DATA / "bibliometric_exports" / "ai_robotics_conference_papers" / "papercopilot_robotics_with_abstracts.jsonl.gz"
CHUNK = 2000

_WS = re.compile(r"\s+")


@dataclass
class Corpus:
    name: str
    ids: list[str]
    titles: list[str]
    bodies: list[str]
    years: np.ndarray
    cites: np.ndarray | None  # citation counts where the source has them

    def texts(self) -> list[str]:
        from analysis.embed import document_text

        return [document_text(t, b) for t, b in zip(self.titles, self.bodies)]

    def __len__(self) -> int:
        return len(self.ids)

    def subset(self, sel: np.ndarray, name: str) -> Corpus:
        sel = np.asarray(sel)
        return Corpus(name, [self.ids[i] for i in sel], [self.titles[i] for i in sel], [self.bodies[i] for i in sel],
                      self.years[sel], None if self.cites is None else self.cites[sel])

    def sample(self, n: int, seed: int = 0) -> Corpus:
        """A fixed random sample in random order, cached under its own name: any cached
        prefix of it is itself a random sample, so a partly encoded cache is usable."""
        sel = np.random.default_rng(seed).permutation(len(self))[:n]
        return self.subset(sel, f"{self.name}-rand{n}")

    def head(self, n: int) -> Corpus:
        """The first n records (the files are in date order), cached under the corpus's own name."""
        c = self.subset(np.arange(min(n, len(self))), self.name)
        return c


def _clean(s: str | None) -> str:
    return _WS.sub(" ", s or "").strip()


def read_quant_ph(root: Path = QUANT_PH) -> Corpus:
    """The arXiv quant-ph OAI-PMH extract: identifier, title, description, date."""
    from lxml import etree

    ids, titles, bodies, years = [], [], [], []
    for f in sorted(root.glob("arXiv-meta-*.xml.gz")):
        with gzip.open(f, "rb") as fh:
            tree = etree.parse(fh, etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True))
        for rec in tree.iter("record"):
            ident = rec.findtext("header/identifier") or ""
            date = rec.findtext("metadata/date") or ""
            if not ident or len(date) < 4:
                continue
            ids.append(ident.removeprefix("oai:arXiv.org:"))
            titles.append(_clean(rec.findtext("metadata/title")))
            bodies.append(_clean(rec.findtext("metadata/description")))
            years.append(int(date[:4]))
    return Corpus("quant-ph", ids, titles, bodies, np.array(years), None)


def read_robotics(path: Path = ROBOTICS) -> Corpus:
    """Paper Copilot robotics venues (ICRA, IROS, CoRL, RSS) with abstracts and Scholar citation counts."""
    ids, titles, bodies, years, cites = [], [], [], [], []
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        for line in fh:
            d = json.loads(line)
            if not d.get("title") or not d.get("year"):
                continue
            ids.append(f"{d['venue']}{d['year']}:{d.get('id') or len(ids)}")
            titles.append(_clean(d["title"]))
            bodies.append(_clean(d.get("abstract") or d.get("tldr")))
            years.append(int(d["year"]))
            c = d.get("gs_citation")
            cites.append(float(c) if isinstance(c, (int, float)) and c >= 0 else np.nan)
    return Corpus("robotics", ids, titles, bodies, np.array(years), np.array(cites))


READERS = {"quant-ph": read_quant_ph, "robotics": read_robotics}


def corpus(name: str) -> Corpus:
    return READERS[name]()


def vectors(c: Corpus, model: str | None = None, quiet: bool = False, cached_only: bool = False,
            chunk: int = CHUNK) -> np.ndarray:
    """The corpus's vectors, encoding only the chunks not cached yet (``cached_only``:
    just the cached leading chunks, which may be fewer than the corpus)."""
    from analysis.embed import get_embedder

    emb = get_embedder(model or "use-multilingual")
    d = OUT / "vectors" / c.name / emb.name.replace("/", "_").replace(":", "_")
    d.mkdir(parents=True, exist_ok=True)
    texts = c.texts()
    parts = []
    t0, done = time.perf_counter(), 0
    for i in range(0, len(texts), chunk):
        f = d / f"chunk_{i:07d}_{min(i + chunk, len(texts)):07d}.npy"
        if f.exists():
            parts.append(np.load(f))
            continue
        if cached_only:
            break
        v = emb.encode(texts[i:i + chunk])
        np.save(f, v)
        parts.append(v)
        done += len(v)
        if not quiet:
            rate = done / (time.perf_counter() - t0)
            print(f"{c.name}: {i + len(v):,}/{len(texts):,} ({rate:.1f}/s)", file=sys.stderr, flush=True)
    return np.concatenate(parts) if parts else np.zeros((0, emb.dim), np.float32)


LOAD_WORKS = "UNWIND $rows AS r MERGE (w:Work {key: r.key}) SET w.title = r.title, w.abstract = r.abstract, w.year = r.year"


def _bench_store(port: int, home: Path):
    """A Neo4j of the bench's own (never the user's), started if needed."""
    from graph import server
    from graph.schema import ensure_schema
    from graph.store import Store
    from core.settings import Settings

    settings = Settings(home=home, bolt_port=port, neo4j_uri=None, neo4j_heap="1g", neo4j_page_cache_mb=512)
    server.start(settings)
    store = Store.connect(settings)
    ensure_schema(store)
    return store, settings


def _pct(xs: list[float], p: float) -> float:
    return float(np.percentile(np.array(xs) * 1000, p))


def run(n: int, port: int, home: Path, queries: int = 50, batch: int = 100) -> dict:
    """Pipeline throughput vs raw encode, the cost of 1 % new documents, search latency."""
    from analysis.embed import embed_nodes, get_embedder, search

    emb = get_embedder()
    c = read_quant_ph()
    sel = np.random.default_rng(1).choice(len(c), n + n // 100, replace=False)
    base, extra = sel[:n], sel[n:]
    rows = lambda idx: [{"key": f"bench:{c.ids[i]}", "title": c.titles[i], "abstract": c.bodies[i],
                         "year": int(c.years[i])} for i in idx]
    from analysis.embed import document_text

    texts = [document_text(c.titles[i], c.bodies[i]) for i in base]
    emb.encode(texts[:50])  # load the model outside the timings
    store, settings = _bench_store(port, home)
    out: dict = {"n": n, "model": emb.name}
    try:
        store.autocommit("MATCH (n) CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS")
        for i in range(0, n, 2000):
            store.write(LOAD_WORKS, rows=rows(base[i:i + 2000]))
        # Raw encode and the pipeline alternate in halves, so a change in machine load hits both.
        half = n // 2
        t = time.perf_counter(); emb.encode(texts[:half]); raw1 = time.perf_counter() - t
        store.write("MATCH (w:Work) WHERE w.key IN $keys SET w.skip = true", keys=[f"bench:{c.ids[i]}" for i in base[half:]])
        store.write("MATCH (w:Work {skip: true}) SET w.hold = w.abstract, w.abstract = null, w.title_hold = w.title, w.title = null")
        t = time.perf_counter(); [r1] = embed_nodes(store, emb, batch=batch); pipe1 = time.perf_counter() - t
        store.write("MATCH (w:Work {skip: true}) SET w.abstract = w.hold, w.title = w.title_hold REMOVE w.hold, w.title_hold, w.skip")
        t = time.perf_counter(); [r2] = embed_nodes(store, emb, batch=batch); pipe2 = time.perf_counter() - t
        t = time.perf_counter(); emb.encode(texts[half:]); raw2 = time.perf_counter() - t
        out["raw_encode_per_s"] = n / (raw1 + raw2)
        out["pipeline_per_s"] = (r1.encoded + r2.encoded) / (pipe1 + pipe2)
        out["throughput_ratio"] = (raw1 + raw2) / (pipe1 + pipe2)
        # Nothing changed: the incremental check alone.
        t = time.perf_counter(); [r3] = embed_nodes(store, emb); out["rescan_unchanged_s"] = time.perf_counter() - t
        out["rescan_encoded"] = r3.encoded
        # 1 % new documents.
        store.write(LOAD_WORKS, rows=rows(extra))
        t = time.perf_counter(); [r4] = embed_nodes(store, emb); out["add_1pct_s"] = time.perf_counter() - t
        out["add_1pct_encoded"] = r4.encoded
        out["full_embed_s"] = pipe1 + pipe2
        out["add_1pct_cost_vs_full"] = out["add_1pct_s"] / out["full_embed_s"]
        # Vector search latency (query encode + index query), English and Japanese queries.
        qs = ["quantum key distribution", "entanglement purification", "量子テレポーテーション", "量子誤り訂正",
              "Bell inequality violation", "trapped ions", "量子鍵配送", "decoherence of qubits", "量子アルゴリズム", "cavity QED"]
        tot, idx_only = [], []
        qv = emb.encode(qs)
        from graph import vectors as gv

        for j in range(queries):
            t = time.perf_counter(); search(store, qs[j % len(qs)], k=10, labels=["Work"]); tot.append(time.perf_counter() - t)
            t = time.perf_counter(); gv.search(store, [(gv.BY_LABEL["Work"], gv.BY_LABEL["Work"].index)], qv[j % len(qs)].tolist(), 10); idx_only.append(time.perf_counter() - t)
        out.update(search_p50_ms=_pct(tot, 50), search_p95_ms=_pct(tot, 95),
                   index_query_p50_ms=_pct(idx_only, 50), index_query_p95_ms=_pct(idx_only, 95))
    finally:
        store.close()
        from graph import server

        server.stop(settings)
    return out


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(prog="bench.embed")
    sub = ap.add_subparsers(dest="cmd", required=True)
    c = sub.add_parser("cache")
    c.add_argument("names", nargs="*", default=list(READERS))
    c.add_argument("--sample", type=int, default=0, help="Encode a fixed random sample of this many records.")
    c.add_argument("--chunk", type=int, default=CHUNK)
    r = sub.add_parser("run")
    r.add_argument("--n", type=int, default=2000)
    r.add_argument("--port", type=int, default=7766)
    r.add_argument("--home", type=Path, default=OUT / "neo4j-embed")
    args = ap.parse_args(argv)
    import logging

    logging.getLogger("neo4j").setLevel(logging.ERROR)
    if args.cmd == "run":
        res = run(args.n, args.port, args.home)
        for k, v in res.items():
            print(f"{k}: {v:.3f}" if isinstance(v, float) else f"{k}: {v}")
        (OUT / "embed.json").write_text(json.dumps(res, indent=1))
        return
    if args.cmd == "cache":
        for n in args.names:
            cor = corpus(n)
            v = vectors(cor.sample(args.sample) if args.sample else cor, chunk=args.chunk)
            print(f"{n}: {v.shape}")


if __name__ == "__main__":
    main()
