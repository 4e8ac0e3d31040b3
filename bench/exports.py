"""Throughput of `kizashi ingest export` on the real exports (all of
../shared/data/bibliometric_exports, incl. the 123k-paper conference list), and of
`kizashi orgs resolve` on what they load.

    KIZASHI_HOME=/tmp/kz-bench KIZASHI_BOLT_PORT=7744 .venv/bin/python bench/exports.py [PATH…] [--fresh]

Uses the configured Neo4j (the local one is started if needed). --fresh empties it
first: do not point this at a database you care about. Prints parse-only and
parse+load rates per file and the resolution time, as JSON.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from graph.pipeline import ingest  # noqa: E402
from ingest.quarantine import Quarantine  # noqa: E402
from graph.load import write_works as writer  # noqa: E402
from cli.exports import plan  # noqa: E402
from core.settings import get_settings  # noqa: E402

DEFAULT = REPO.parent / "shared" / "data" / "bibliometric_exports"


def main(argv: list[str]) -> dict:
    from cli.store import open_store
    from cli.orgs import resolve_graph

    fresh = "--fresh" in argv
    paths = [Path(a) for a in argv if not a.startswith("--")] or [DEFAULT]
    inputs, skipped = plan(paths)
    out: dict = {"files": [], "skipped": [f"{p.name}: {why}" for p, why in skipped]}
    with open_store() as store:
        if fresh:
            store.autocommit("MATCH (n) CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS")
        for kind, items in inputs.items():
            for inp in items:
                t0 = time.perf_counter()
                n = bad = 0
                for item, parser in inp.items():
                    n += 1
                    try:
                        parser(item)
                    except Exception:
                        bad += 1
                parse = time.perf_counter() - t0
                q = Quarantine(Path(get_settings().home) / "bench-quarantine.jsonl")
                t1 = time.perf_counter()
                try:
                    rep = ingest(store, [inp], kind, batch_size=get_settings().batch_size, quarantine=q,
                                 show_progress=False, force=True, writer=writer)
                finally:
                    q.close()
                total = time.perf_counter() - t1
                row = {"file": inp.location.split("bibliometric_exports/")[-1], "kind": kind, "records": n,
                       "parse_s": round(parse, 2), "parse_per_s": round(n / parse) if parse else None,
                       "ingest_s": round(total, 2), "ingest_per_s": round(n / total) if total else None,
                       "loaded": rep.loaded, "quarantined": rep.quarantined}
                out["files"].append(row)
                print(json.dumps(row), flush=True)
        t2 = time.perf_counter()
        summary = resolve_graph(store)
        out["resolve"] = {"seconds": round(time.perf_counter() - t2, 2), **{k: summary[k] for k in
                          ("organizations", "resolved", "merged", "by_method", "country_disagreements")}}
        print(json.dumps(out["resolve"]), flush=True)
    return out


if __name__ == "__main__":
    main(sys.argv[1:])
