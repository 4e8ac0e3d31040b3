"""Ingest throughput on the real records in ../shared/data.

Loads every OpenAlex work plus the 139k astro-ph listing records and prints:
- records/s of the batched pipeline (read + parse + UNWIND MERGE, with edges);
- records/s of a naive baseline (the same MERGE statements, one record per
  transaction) on the heaviest OpenAlex records (most edges each), and the batched
  rate on those same records at 500, --batch-size and 5,000 records per transaction;
- the cost of re-ingesting unchanged data as a fraction of the first load,
  both with file-level skipping (the default) and record by record.

    python -m bench.ingest [--naive-sample 5000] [--batch-size 2000]
"""

from __future__ import annotations

import argparse
import itertools
import logging
import time
from dataclasses import replace
from pathlib import Path

from bench.common import SHARED, bench_store, wipe
from graph.load import write_works
from ingest import arxiv as ax
from ingest import openalex as oa
from ingest.inputs import Input, file_input
from graph.pipeline import ingest
from ingest.quarantine import Quarantine

MAX = 8 * 1024 * 1024


def inputs() -> list[Input]:
    works = [file_input(f, lambda f: ((i, oa.to_work) for i in oa.read_file(f, MAX))) for f in oa.find_files(SHARED / "openalex")]
    astro = SHARED / "arxiv" / "arxiv_astro-ph_listings_derived.jsonl.gz"
    if not astro.exists():
        raise SystemExit(f"missing {astro}")
    return works + [file_input(astro, lambda f: ax.read_file(f, MAX))]


def run(store, inps, batch, q, **kw):
    t = time.perf_counter()
    r = ingest(store, inps, "bench", batch_size=batch, quarantine=q, show_progress=False, **kw)
    return r, time.perf_counter() - t


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--batch-size", type=int, default=2000)
    ap.add_argument("--naive-sample", type=int, default=5000)
    a = ap.parse_args()
    logging.getLogger("neo4j").setLevel(logging.ERROR)
    q = Quarantine(Path("/dev/null"))
    inps = inputs()
    with bench_store() as store:
        first, t_first = run(store, inps, a.batch_size, q)
        rels = store.read("MATCH ()-[r]->() RETURN count(r) AS n")[0]["n"]
        print(f"records read {first.read:,} · works loaded {first.loaded:,} · relationships {rels:,}")
        print(f"batched pipeline: {first.read / t_first:,.0f} records/s ({t_first:.1f} s)")

        again, t_skip = run(store, inps, a.batch_size, q)
        live_like = [replace(i, fingerprint=None) for i in inps]   # forces record-by-record comparison
        per_record, t_rec = run(store, live_like, a.batch_size, q)
        assert again.loaded == 0 and per_record.loaded == 0, "re-ingest of unchanged data wrote records"
        print(f"re-ingest, unchanged files skipped: {t_skip:.2f} s = {t_skip / t_first:.1%} of first load")
        print(f"re-ingest, record by record (fingerprints compared): {t_rec:.1f} s = {t_rec / t_first:.1%} of first load")

        # The sample: the heaviest OpenAlex records (most authorships, institutions and
        # topics, so most edges per record), the same records for every variant, each variant
        # into an empty graph.
        parsed = [(w, it.locator) for inp in inps[:-1] for it, p in inp.items() if not hasattr(it, "reason")
                  for w in [_parse(it, p)] if w is not None]
        sample = sorted(parsed, key=lambda wl: -_weight(wl[0]))[:a.naive_sample]
        edges = sum(_weight(w) for w, _ in sample)
        print(f"sample: {len(sample):,} OpenAlex records, the heaviest of {len(parsed):,} (cap {a.naive_sample:,}), "
              f"{edges:,} edges ({edges / len(sample):.0f} per record)")
        rates = {}
        for size in (1, 500, a.batch_size, 5000):
            wipe(store)
            store.write("MERGE (s:Source {key: 'bench'})")
            t = time.perf_counter()
            for i in range(0, len(sample), size):
                store.execute_write(write_works, sample[i:i + size], "bench", "bench", i + size, False)
            rates[size] = len(sample) / (time.perf_counter() - t)
            label = "naive (1 record per transaction)" if size == 1 else f"batched ({size} per transaction)"
            print(f"{label:<36} {rates[size]:>8,.0f} records/s  {rates[size] / rates[1]:>6.1f}x naive")
        print(f"batched / naive = {rates[a.batch_size] / rates[1]:.1f}x (the pipeline's batch of {a.batch_size})")


def _weight(w) -> int:
    """Edges a record writes: authorships, their institutions and countries, topics."""
    return sum(1 + len(a.organizations) + len(a.countries) for a in w.authorships) + len(w.topics)


def _parse(item, parser):
    try:
        return parser(item)
    except Exception:
        return None


if __name__ == "__main__":
    main()
