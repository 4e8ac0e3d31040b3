"""Bolt client cost of moving embeddings: the driver's pure-Python packstream against
its Rust extension (``neo4j-rust-ext``, a dependency), in the same run on the same server.

The main job writes one 512-float vector per embedded document and the cluster steps read
them all back; both go through the driver's packstream codec, which in pure Python costs
microseconds per float. This bench writes ``--docs`` seeded random vectors with the real
writer (graph/vectors.write, the embedding step's batch size) and reads them back with the
real reader (graph/vectors.vectors, the cluster steps' pages), once per codec. The
pure-Python run is a child process in which ``neo4j._rust`` cannot be imported, which is
exactly the driver's fallback when the extension is not installed.

    python -m bench.driver [--docs 20000]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time


def measure(conn: tuple[str, str, str, str], docs: int, tag: str) -> dict[str, float]:
    import logging

    import numpy as np

    from graph import vectors as gv
    from graph.store import Connection, Store, open_driver

    logging.getLogger("neo4j").setLevel(logging.ERROR)    # the bench nodes lack abstracts: the server says so
    store = Store(open_driver(Connection(*conn)))
    e = next(x for x in gv.EMBEDDABLE if x.label == "Work")
    store.autocommit("MATCH (n:Work) CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS")
    store.write("UNWIND range(0, $n - 1) AS i CREATE (:Work {key: $tag + '-' + right('000000' + toString(i), 7), "
                "title: 'bench ' + toString(i), year: 2020 + i % 5})", n=docs, tag=tag)
    rng = np.random.default_rng(7)
    vecs = rng.standard_normal((docs, 512), dtype=np.float32)
    vecs /= np.linalg.norm(vecs, axis=1, keepdims=True)
    keys = [f"{tag}-{i:07d}" for i in range(docs)]
    t = time.perf_counter()
    for i in range(0, docs, 512):                      # analysis/embed.embed_nodes' batch
        gv.write(store, e, "bench", [{"key": k, "hash": "h", "v": v.tolist()}
                                     for k, v in zip(keys[i:i + 512], vecs[i:i + 512])])
    t_write = time.perf_counter() - t
    out = {"write_s": t_write}
    for name, reader in (("read_export_s", _Exported(store)), ("read_plain_s", store)):
        t = time.perf_counter()
        got = sum(len(page) for page in gv.vectors(reader, e, "bench"))
        out[name] = time.perf_counter() - t
        assert got == docs, f"read {got} of {docs} vectors"
    store.close()
    return out


class _Exported:
    """The reader as it was before Store.read_plain: every row through the driver's export."""

    def __init__(self, store) -> None:
        self.read_plain = store.read


def _child(conn: tuple[str, str, str, str], docs: int) -> dict[str, float]:
    code = ("import sys, json; sys.modules['neo4j._rust'] = None; "
            "from bench.driver import measure; "
            f"print(json.dumps(measure({conn!r}, {docs}, 'py')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         cwd=os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    if out.returncode:
        raise SystemExit(f"the pure-Python run failed:\n{out.stderr}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--docs", type=int, default=20000)
    a = ap.parse_args()
    import neo4j._codec.packstream.v1 as pv1

    from bench.common import bench_connection
    from graph.schema import ensure_schema
    from graph.store import Store, open_driver

    if pv1._rust_pack is None:
        raise SystemExit("neo4j-rust-ext is not installed in this environment")
    with bench_connection() as conn:
        with Store(open_driver(conn)) as store:
            ensure_schema(store)
        pure = _child((conn.uri, conn.user, conn.password, conn.database), a.docs)
        rust = measure((conn.uri, conn.user, conn.password, conn.database), a.docs, "rs")
    floats = a.docs * 512
    print(f"{a.docs:,} vectors of 512 floats ({floats / 1e6:.1f} M floats) each way")
    print(f"{'':<24}{'pure Python':>14}{'Rust ext':>12}{'× pure':>12}")
    rows = (("write_s", "write (UNWIND batches)"), ("read_export_s", "read, driver export"),
            ("read_plain_s", "read, plain values"))
    for k, label in rows:
        print(f"{label:<24}{pure[k]:>12.1f} s{rust[k]:>10.1f} s{pure[k] / rust[k]:>11.2f}×")
    base, now = pure["read_export_s"], rust["read_plain_s"]
    print(f"cluster read as shipped (Rust ext + plain values) against the old reader (pure Python + export): "
          f"{base:.1f} s → {now:.1f} s, {base / now:.1f}× ({a.docs / base:,.0f} → {a.docs / now:,.0f} vectors/s)")


if __name__ == "__main__":
    main()
