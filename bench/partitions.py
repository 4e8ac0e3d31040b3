"""Per-document costs, and the same ingest run unchanged over partitions with Dask.

Splits the shared OpenAlex works sample into N part files (the shape of the
OpenAlex snapshot), then, each time into a fresh local Neo4j:
1. parse only (read + to_work, no database): ms per document;
2. ``analysis.partition.run(..., engine="local")``: one process, partitions in order;
3. ``analysis.partition.run(..., engine="dask")``: Dask worker processes;
and checks that 2 and 3 give identical node/relationship counts. Optionally
(``--embed N``) times the configured embedder on N real abstracts.

    python -m bench.partitions [--parts 4] [--workers 2] [--embed 300]
"""

from __future__ import annotations

import argparse
import gzip
import os
import sys
import tempfile
import time
from pathlib import Path
from bench.common import free_port

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
WORKS = ROOT.parent / "shared" / "data" / "openalex" / "works.jsonl.gz"


def write_parts(src: Path, out: Path, n: int) -> list[Path]:
    lines = gzip.open(src, "rb").read().splitlines(keepends=True)
    parts = [out / f"part_{i:03d}.gz" for i in range(n)]
    for i, p in enumerate(parts):
        with gzip.open(p, "wb") as f:
            f.writelines(lines[i::n])
    return parts


def parse_only(parts: list[Path]) -> tuple[int, float]:
    from ingest import openalex as oa
    from ingest.raw import Raw

    t0 = time.perf_counter()
    n = 0
    for p in parts:
        for item in oa.read_file(p, 8 * 1024 * 1024):
            if isinstance(item, Raw):
                try:
                    oa.to_work(item)
                    n += 1
                except Exception:
                    pass
    return n, time.perf_counter() - t0


def embed_rate(n: int) -> tuple[int, float, str]:
    import json

    from analysis.embed import document_text, get_embedder

    texts = []
    with gzip.open(WORKS, "rt", encoding="utf-8") as f:
        from ingest.openalex import abstract

        for line in f:
            w = json.loads(line)
            t = document_text(w.get("title"), abstract(w.get("abstract_inverted_index")))
            if t:
                texts.append(t)
            if len(texts) >= n:
                break
    emb = get_embedder()
    emb.encode(texts[:8])                       # load the model outside the timing
    t0 = time.perf_counter()
    for i in range(0, len(texts), 64):
        emb.encode(texts[i:i + 64])
    return len(texts), time.perf_counter() - t0, emb.name


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--parts", type=int, default=4)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--embed", type=int, default=0, help="Also time the embedder on this many abstracts.")
    a = ap.parse_args()

    import logging

    logging.getLogger("neo4j").setLevel(logging.ERROR)
    tmp = tempfile.TemporaryDirectory(prefix="kz-partitions-")
    home = Path(tmp.name)
    os.environ.update(KIZASHI_HOME=str(home), KIZASHI_BOLT_PORT=str(free_port()), KIZASHI_NEO4J_HEAP="1g",
                      KIZASHI_NEO4J_PAGE_CACHE_MB="256", KIZASHI_BATCH_SIZE="500")
    for k in [k for k in os.environ if k.startswith("NEO4J_")]:
        del os.environ[k]
    from graph import server
    from graph.queries import counts
    from graph.schema import ensure_schema
    from graph.store import Store
    from analysis import partition as part
    from core.settings import get_settings

    settings = get_settings()
    server.start(settings)
    try:
        data = home / "parts"
        data.mkdir()
        files = write_parts(WORKS, data, a.parts)
        n, secs = parse_only(files)
        print(f"parse only (read + to_work): {n:,} works in {secs:.1f} s = {1000 * secs / n:.2f} ms/work, "
              f"{n / secs:,.0f} works/s (one process)")
        parts = part.split(files, "openalex", a.parts)
        results = {}
        for engine in ("local", "dask"):
            with Store.connect(settings) as store:
                store.autocommit("MATCH (n) CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS")
                ensure_schema(store)
            t0 = time.perf_counter()
            out = part.run(parts, part.ingest_partition, engine=engine, workers=a.workers)
            part.link_all()
            wall = time.perf_counter() - t0
            read = sum(o.records for o in out)
            with Store.connect(settings) as store:
                c = counts(store)
            c["nodes"].pop("IngestRun", None)
            c["relationships"].pop("READ", None)
            results[engine] = c
            print(f"ingest engine={engine:5s} partitions={len(parts)} workers={a.workers if engine == 'dask' else 1}: "
                  f"{read:,} records in {wall:.1f} s = {read / wall:,.0f} rec/s, {1000 * wall / read:.2f} ms/record "
                  f"(per partition: {', '.join(f'{o.seconds:.1f}s' for o in out)})")
        same = results["local"] == results["dask"]
        print(f"graph after local == graph after dask: {same} "
              f"({sum(results['dask']['nodes'].values()):,} nodes, {sum(results['dask']['relationships'].values()):,} relationships)")
        if not same:
            print("  local:", results["local"], "\n  dask: ", results["dask"])
        if a.embed:
            n, secs, name = embed_rate(a.embed)
            print(f"embed ({name}, CPU, batch 64): {n} texts in {secs:.1f} s = {1000 * secs / n:.1f} ms/text, "
                  f"{n / secs:.1f} texts/s")
        print(f"machine: {os.cpu_count()} cores, shared with other engineers' jobs while measured")
    finally:
        server.stop(settings)
        tmp.cleanup()


if __name__ == "__main__":
    main()
