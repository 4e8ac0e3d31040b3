"""Patent ingest throughput on the real files in ../shared/data/patents, by stage.

    python -m bench.patents [--batch-size 2000] [--repeat 3]

Prints documents/s for
- parse, per format family: read the file, split/parse the XML, JSON, CSV or
  tagged text, and build the typed Patent records (best of ``--repeat`` runs);
- load: ``write_patents`` batches of already-parsed records into a throwaway
  Neo4j (nodes, families, organisations, countries, CPC hierarchy, checkpoint);
- end to end: ``kizashi ingest patents``'s path (pipeline with checkpoints,
  quarantine) on every file, into an empty graph;
- re-ingest of unchanged data: whole files skipped, and record by record.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import time
from collections import Counter, defaultdict
from dataclasses import replace
from pathlib import Path

from bench.common import SHARED, bench_store, wipe
from core.patent import Patent
from graph.patent import write_patents
from ingest.patents import family, inputs, reader
from graph.pipeline import ingest
from ingest.quarantine import Quarantine
from ingest.raw import Skip
from core.errors import RecordError

MAX = 8 * 1024 * 1024
ROOT = SHARED / "patents"


def parse_all(files: list[Path]) -> tuple[dict[str, float], Counter, list[tuple[Patent, str]]]:
    seconds: dict[str, float] = defaultdict(float)
    docs: Counter = Counter()
    parsed: list[tuple[Patent, str]] = []
    for f in files:
        kind = family(f)
        t = time.perf_counter()
        for item, parser in reader(f, MAX):
            if isinstance(item, RecordError):
                docs[f"{kind} (malformed)"] += 1
                continue
            try:
                parsed.append((parser(item), item.locator))
                docs[kind] += 1
            except Skip:
                docs[f"{kind} (not patents)"] += 1
            except (RecordError, ValueError) as e:
                docs[f"{kind} (malformed)"] += 1
                del e
        seconds[kind] += time.perf_counter() - t
    return seconds, docs, parsed


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--batch-size", type=int, default=2000)
    ap.add_argument("--repeat", type=int, default=3)
    a = ap.parse_args()
    logging.getLogger("neo4j").setLevel(logging.ERROR)
    logging.getLogger("kizashi.ingest").setLevel(logging.ERROR)
    if not ROOT.is_dir():
        raise SystemExit(f"missing {ROOT}")
    files = sorted(p for p in ROOT.rglob("*") if p.is_file())
    for module in ("derwent", "epo", "lens", "ppubs", "uspto"):
        importlib.import_module(f"ingest.{module}")   # import time is not parse time

    best: dict[str, float] = {}
    for _ in range(a.repeat):
        seconds, docs, parsed = parse_all(files)
        for k, v in seconds.items():
            best[k] = min(best.get(k, v), v)
    print(f"patent files: {len(files)} · records parsed: {len(parsed):,}")
    print("parse (read + split + XML/JSON/CSV/text parse + typed records), best of", a.repeat)
    total_docs = total_s = 0.0
    for kind in sorted(best):
        n = docs[kind]
        total_docs += n
        total_s += best[kind]
        extra = ", ".join(f"{docs[k]} {k.split(' ', 1)[1]}" for k in docs if k.startswith(kind + " "))
        print(f"  {kind:12s} {n:6,} docs  {best[kind]:7.2f} s  {n / best[kind]:9,.0f} docs/s" + (f"  ({extra})" if extra else ""))
    print(f"  {'all':12s} {int(total_docs):6,} docs  {total_s:7.2f} s  {total_docs / total_s:9,.0f} docs/s")

    q = Quarantine(Path("/dev/null"))
    with bench_store() as store:
        store.write("MERGE (s:Source {key: 'bench'})")
        t = time.perf_counter()
        for i in range(0, len(parsed), a.batch_size):
            store.execute_write(write_patents, parsed[i:i + a.batch_size], "patents", "bench", i + a.batch_size, False)
        dt = time.perf_counter() - t
        rels = store.read("MATCH ()-[r]->() RETURN count(r) AS n")[0]["n"]
        print(f"load (write_patents, {a.batch_size} per transaction): {len(parsed):,} records in {dt:.1f} s = "
              f"{len(parsed) / dt:,.0f} docs/s · relationships {rels:,}")

        wipe(store)
        inps = inputs([ROOT], MAX)
        t = time.perf_counter()
        first = ingest(store, inps, "patents", batch_size=a.batch_size, quarantine=q, show_progress=False,
                       writer=write_patents, link=False)
        t_first = time.perf_counter() - t
        print(f"end to end (pipeline, all files): read {first.read:,} · loaded {first.loaded:,} · unchanged {first.unchanged:,} · "
              f"ignored {first.ignored:,} · quarantined {first.quarantined:,} in {t_first:.1f} s = {first.read / t_first:,.0f} docs/s")

        t = time.perf_counter()
        again = ingest(store, inps, "patents", batch_size=a.batch_size, quarantine=q, show_progress=False, writer=write_patents, link=False)
        t_skip = time.perf_counter() - t
        t = time.perf_counter()
        per_record = ingest(store, [replace(i, fingerprint=None) for i in inps], "patents", batch_size=a.batch_size, quarantine=q,
                            show_progress=False, writer=write_patents, link=False)
        t_rec = time.perf_counter() - t
        assert again.loaded == 0 and per_record.loaded == 0, "re-ingest of unchanged data wrote records"
        print(f"re-ingest unchanged, files skipped: {t_skip:.2f} s ({t_skip / t_first:.1%} of first load); "
              f"record by record: {t_rec:.1f} s ({t_rec / t_first:.1%})")


if __name__ == "__main__":
    main()
