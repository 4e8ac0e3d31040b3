"""The snapshot stream's rate (works/s) on this machine, against a baseline measured in the same run.

Baseline: a plain single-process Python loop over the same part files with the same per-work
rules (analysis/population_rules.read_part, one record per paper in a dict, analysis.population.count),
no Dask. Stream: analysis.population.stream on Dask's threads and processes schedulers. Each is
run once untimed (the phrase matcher is built once per process: ~2 s), then ``--repeat`` times;
the median is printed. The processes scheduler starts fresh workers on every run, so its figure
includes building the matcher in each worker: on a few hundred works that dominates.

Two snapshots: the shared snapshot sample (27 works in its real layout) and, to get a figure
that is not all start-up, the 1,953 shared OpenAlex works written into the same layout over
``--parts`` partitions in a temporary directory.

    python -m bench.population_stream [--repeat 5] [--parts 4] [--workers 2] [--copies 1]

``--copies 4`` writes every shared work four times, so the per-run start-up weighs less; the
copies are one paper each (kept once), so the counts stay those of 1,953 works.
"""

from __future__ import annotations

import argparse
import gzip
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import SHARED  # noqa: E402

SAMPLE = SHARED / "openalex" / "snapshot_sample"
WORKS = SHARED / "openalex" / "works.jsonl.gz"


def baseline(snapshot: Path) -> tuple[int, dict]:
    """Same rules, one process, no Dask: read every part, keep one record per paper, count."""
    from analysis.population import count
    from analysis.population_rules import find_parts, latest, lowest_id, read_part

    works = [w for p in find_parts(snapshot) for w in read_part(p).works]
    n = len(works)
    for keyfn, pick in ((lambda s: s.wid, latest), (lambda s: s.doi, lowest_id), (lambda s: s.arxiv, lowest_id)):
        won: dict[str, object] = {}
        rest = []
        for w in works:
            k = keyfn(w)
            if k is None:
                rest.append(w)
            else:
                won[k] = pick(won[k], w) if k in won else w
        works = rest + list(won.values())
    acc = count(works, 20)
    return n, acc


def timed(fn, repeat: int) -> tuple[float, object]:
    out = fn()                      # untimed: builds the matcher, fills OS caches
    secs = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        secs.append(time.perf_counter() - t0)
    return statistics.median(secs), out


def layout(dst: Path, parts: int, copies: int) -> Path:
    """Each partition holds its share of the works ``copies`` times (copies are one paper each)."""
    lines = gzip.open(WORKS, "rb").read().splitlines(keepends=True)
    for i in range(parts):
        d = dst / "works" / f"updated_date=2024-01-{i + 1:02d}"
        d.mkdir(parents=True)
        with gzip.open(d / "part_000.gz", "wb") as f:
            f.writelines(lines[i::parts] * copies)
    return dst


def bench(name: str, snapshot: Path, repeat: int, workers: int) -> None:
    from analysis.population import stream

    secs, (n, acc) = timed(lambda: baseline(snapshot), repeat)
    base = n / secs
    print(f"{name}: {n:,} works read, {sum(v[0] for v in acc['totals'].values()):,} technology-year counts")
    print(f"  baseline (one process, plain loop)  {secs:8.3f} s  {base:10,.0f} works/s")
    for sched in ("threads", "processes"):
        s, pop = timed(lambda: stream(snapshot, scheduler=sched, workers=workers), repeat)
        same = {k: v[0] for k, v in acc["totals"].items()} == {(t.technology, t.year): t.works for t in pop.totals}
        print(f"  stream, dask {sched:<10} x{workers}     {s:8.3f} s  {n / s:10,.0f} works/s  "
              f"ratio {n / s / base:5.2f}x baseline  (same totals: {same})")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--parts", type=int, default=4)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--copies", type=int, default=1, help="Write each shared work this many times (records, not papers).")
    a = ap.parse_args()
    if not SAMPLE.is_dir() or not WORKS.is_file():
        sys.exit(f"needs {SAMPLE} and {WORKS}")
    bench("snapshot sample", SAMPLE, a.repeat, a.workers)
    with tempfile.TemporaryDirectory(prefix="kizashi-population-") as tmp:
        bench(f"1,953 shared works x{a.copies} in {a.parts} partitions", layout(Path(tmp), a.parts, a.copies),
              a.repeat, a.workers)


if __name__ == "__main__":
    main()
