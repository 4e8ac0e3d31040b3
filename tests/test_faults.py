"""Faults: kill -9 in the middle of ingests, a Neo4j restart in the middle of an
ingest (with the API answering 503 meanwhile), and crashed analysis runs. After
each, the graph holds exactly what a clean run gives, or the previous results.

Covered elsewhere, not repeated: the API's 503 and recovery through a TCP proxy
cut (tests/test_api.py::test_neo4j_outage_gives_503_and_recovers); a clustering
run failing before its swap (tests/test_clusters.py::test_crash_before_swap_keeps_previous_clusters).
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import re
import signal
import time
from pathlib import Path

import numpy as np
import pytest
from fastapi.testclient import TestClient

from graph import server
from tests.conftest import require
from tests.helpers import stable_counts
from tests.test_resume import _cli, _done

WIPE = "MATCH (n) CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS"


def _finish(args: list[str], env: dict[str, str], timeout: float = 900) -> str:
    p = _cli(args, env)
    out, _ = p.communicate(timeout=timeout)
    assert p.returncode == 0, out
    return out


def _kill_five_times(store, args: list[str], env: dict[str, str], total: int, seed: int) -> int:
    """Start the ingest five times, each killed with SIGKILL at a random record count; return kills."""
    rng = random.Random(seed)
    killed = 0
    for i in range(5):
        done = _done(store)
        # spread the kill points over what is left, so the fifth still lands before the end
        room = max(1, (total - done) // (6 - i))
        stop_at = done + rng.randrange(1, room + 1)
        proc = _cli(args, env)
        deadline = time.monotonic() + 300
        while proc.poll() is None and _done(store) < stop_at and time.monotonic() < deadline:
            time.sleep(0.02)
        if proc.poll() is None:
            os.kill(proc.pid, signal.SIGKILL)
            killed += 1
        proc.wait()
    return killed


@pytest.mark.parametrize("kind", ["openalex", "patents"])
def test_five_kills_then_resume_equals_a_clean_run(kind: str, store, cli_env, shared_data: Path) -> None:
    if kind == "openalex":
        path = require(shared_data / "openalex" / "works.jsonl.gz")
        batch = "50"
    else:
        path = require(shared_data / "patents" / "drones_lens_derwent" / "lens_drones_2017.csv.gz")
        batch = "20"
    env = {**cli_env, "KIZASHI_BATCH_SIZE": batch}
    args = ["ingest", kind, str(path)]
    _finish(args, env)
    expected = stable_counts(store)
    total = _done(store)
    assert total > 500 and (expected.get("Work", 0) or expected.get("Patent", 0)) > 300

    store.autocommit(WIPE)
    killed = _kill_five_times(store, args, env, total, seed=17 if kind == "openalex" else 29)
    assert killed == 5
    assert 0 < _done(store) < total
    out = _finish(args, env)
    assert re.search(r"([\d,]+) records resumed past", out), out
    assert _done(store) == total
    assert stable_counts(store) == expected


def test_neo4j_restart_mid_ingest_retries_without_losing_or_duplicating(store, cli_env, local_server, neo4j_conn,
                                                                        shared_data: Path, tmp_path: Path) -> None:
    if local_server is None:
        pytest.skip("restarting needs the session's own local Neo4j")
    from api.app import create_app
    from api.keys import KeyStore
    from tests.test_api import make_settings

    works = require(shared_data / "openalex" / "works.jsonl.gz")
    env = {**cli_env, "KIZASHI_BATCH_SIZE": "50"}
    args = ["ingest", "openalex", str(works)]
    _finish(args, env)
    expected = stable_counts(store)
    total = _done(store)
    store.autocommit(WIPE)

    key, _ = KeyStore.at(tmp_path).create("read")
    h = {"X-API-Key": key}
    proc = _cli(args, env)
    # Response cache off: this is about the store path (tests/test_api.py covers cached answers in an outage).
    with TestClient(create_app(make_settings(tmp_path, api_cache_seconds=0), neo4j_conn)) as api:
        assert api.get("/technologies", headers=h).status_code == 200
        deadline = time.monotonic() + 300
        while proc.poll() is None and _done(store) < total // 3 and time.monotonic() < deadline:
            time.sleep(0.02)
        assert proc.poll() is None, "the ingest finished before the restart; nothing was tested"
        before = _done(store)
        server.stop(local_server)
        # Neo4j is down: the API says so clearly, and the ingest is waiting, not dead.
        r = api.get("/technologies", headers=h)
        assert r.status_code == 503 and r.json()["error"]["code"] == "store_unavailable", r.text
        assert "unavailable" in r.json()["error"]["message"] and r.headers.get("Retry-After")
        time.sleep(2)
        assert proc.poll() is None, proc.communicate()[0]
        server.start(local_server)
        # the API recovers without a restart of its own
        deadline = time.monotonic() + 60
        while api.get("/technologies", headers=h).status_code != 200 and time.monotonic() < deadline:
            time.sleep(0.5)
        assert api.get("/technologies", headers=h).status_code == 200
    out, _ = proc.communicate(timeout=900)
    assert proc.returncode == 0, out
    assert before < total
    assert _done(store) == total
    assert stable_counts(store) == expected


# ---------------------------------------------------------------- analysis: previous results survive a crash

def _ranking_state(store) -> dict[tuple, tuple]:
    rows = store.read("MATCH (r:Ranking) RETURN r.technology AS t, r.by AS b, r.window AS w, r.counting AS c, "
                      "r.profile AS p, r.key AS k, r.rows_json AS rows, r.summary_json AS s")
    out = {}
    for r in rows:
        ident = (r["t"], r["b"], r["w"], r["c"], r["p"])
        assert ident not in out, f"two rankings for {ident}"
        out[ident] = (r["k"], json.loads(r["rows"]), json.loads(r["s"]))
    return out


def test_crashed_ranking_run_leaves_every_previous_ranking_whole(store, neo4j_conn, tmp_path: Path, monkeypatch) -> None:
    from analysis import rank
    from api.service import Service, StoreHolder
    from tests.test_api import make_settings, stored_rankings
    from tests.test_rank_seed import seed

    seed(store)
    settings = make_settings(tmp_path)
    stored_rankings(store, settings)
    before = _ranking_state(store)
    assert len(before) >= 4 and all(rows for _, rows, _ in before.values())

    # The graph changes (new data), then a run that recomputes everything dies on the second technology.
    store.write("MATCH (w:Work) WITH w LIMIT 1 SET w.cited_by_count = coalesce(w.cited_by_count, 0) + 1000")
    real = rank.rank_technology
    calls = {"n": 0}

    def dies_midway(*a, **kw):
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("simulated crash in the middle of a ranking run")
        return real(*a, **kw)

    monkeypatch.setattr(rank, "rank_technology", dies_midway)
    from analysis import profiles
    from analysis.rank_runs import params_from

    with pytest.raises(RuntimeError, match="simulated crash"):
        rank.compute(store, None, "country", params_from(settings, "all", "fractional"), profiles.load(), save=True)
    monkeypatch.setattr(rank, "rank_technology", real)

    after = _ranking_state(store)
    # every ranking is still there, exactly once, complete (rows and summary parse); at most the one
    # finished before the crash has been replaced, by a complete new one
    assert set(after) == set(before)
    changed = [k for k in before if after[k][0] != before[k][0]]
    assert len(changed) <= 1
    for ident, (key, rows, summary) in after.items():
        assert rows and summary and {r["id"] for r in rows} == {r["id"] for r in before[ident][1]}
    # and the API serves them as stored results
    holder = StoreHolder(settings, neo4j_conn)
    svc = Service(settings, holder)
    try:
        for (t, b, w, c, p) in before:
            got = svc.ranking(t, b, w, c)
            assert got["source"] == "stored" and got["rows"]
    finally:
        holder.close()


class HashEmbedder:
    """A tiny deterministic embedder (hashed word counts) behind the Embedder interface,
    so that an embedding run can be crashed at a chosen batch without a model."""

    def __init__(self, name: str = "hash-test", dim: int = 64, fail_after: int | None = None) -> None:
        self.name, self.dim, self.fail_after, self.calls = name, dim, fail_after, 0

    def encode(self, texts: list[str]) -> np.ndarray:
        self.calls += 1
        if self.fail_after is not None and self.calls > self.fail_after:
            raise RuntimeError("simulated crash while encoding")
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for i, t in enumerate(texts):
            for w in re.findall(r"\w+", t.lower()):
                out[i, int.from_bytes(hashlib.blake2b(w.encode(), digest_size=4).digest(), "little") % self.dim] += 1.0
        n = np.linalg.norm(out, axis=1, keepdims=True)
        return out / np.where(n == 0, 1.0, n)


def _embedded(store) -> dict[str, tuple[str, str]]:
    return {r["k"]: (r["h"], r["m"]) for r in store.read(
        "MATCH (w:Work) WHERE w.embedding IS NOT NULL RETURN w.key AS k, w.text_hash AS h, w.embedding_model AS m")}


def test_crashed_embedding_run_leaves_every_vector_whole_and_search_working(store, tmp_path: Path) -> None:
    from analysis.embed import embed_nodes, search
    from tests.conftest import FIXTURES
    from tests.helpers import load

    load(store, "arxiv", [FIXTURES / "embed_works.jsonl"], tmp_path)
    n = store.read("MATCH (w:Work) RETURN count(w) AS n")[0]["n"]
    assert n >= 10
    emb = HashEmbedder()
    embed_nodes(store, emb, labels=["Work"], batch=4)
    first = _embedded(store)
    assert len(first) == n
    hits = search(store, "quantum", k=3, labels=["Work"], embedder=emb)
    assert hits

    # Every abstract changes; the re-embedding run dies after its first batch.
    store.write("MATCH (w:Work) SET w.abstract = coalesce(w.abstract, '') + ' revised'")
    with pytest.raises(RuntimeError, match="simulated crash"):
        embed_nodes(store, HashEmbedder(fail_after=1), labels=["Work"], batch=4)
    mid = _embedded(store)
    assert set(mid) == set(first)                             # no node lost its vector
    redone = [k for k in mid if mid[k] != first[k]]
    assert 0 < len(redone) <= 4                               # only the batch that committed
    dims = store.read("MATCH (w:Work) RETURN collect(DISTINCT size(w.embedding)) AS d")[0]["d"]
    assert dims == [64]
    assert search(store, "quantum", k=3, labels=["Work"], embedder=emb)   # the index still answers

    # the rerun finishes only what is left
    reports = embed_nodes(store, HashEmbedder(), labels=["Work"], batch=4)
    assert reports[0].encoded == n - len(redone) and reports[0].unchanged == len(redone)


def _vector_state(store) -> dict:
    return store.read(
        "MATCH (w:Work) RETURN collect(DISTINCT size(w.embedding)) AS dims, collect(DISTINCT w.embedding_model) AS models, "
        "count(w.embedding_next) AS staged")[0]


def test_crashed_embedding_model_switch_keeps_the_previous_index(store, tmp_path: Path) -> None:
    from analysis.embed import embed_nodes, search
    from graph import vectors as gv
    from tests.conftest import FIXTURES
    from tests.helpers import load

    load(store, "arxiv", [FIXTURES / "embed_works.jsonl"], tmp_path)
    n = store.read("MATCH (w:Work) RETURN count(w) AS n")[0]["n"]
    old, new = HashEmbedder(), HashEmbedder(name="hash-32", dim=32)
    embed_nodes(store, old, labels=["Work"], batch=4)
    with pytest.raises(RuntimeError, match="simulated crash"):
        embed_nodes(store, HashEmbedder(name="hash-32", dim=32, fail_after=1), labels=["Work"], batch=4)
    mid = _vector_state(store)
    assert (mid["dims"], mid["models"], mid["staged"]) == ([64], ["hash-test"], 4)   # live vectors untouched
    assert search(store, "quantum", k=3, labels=["Work"], embedder=old)
    assert search(store, "quantum", k=3, labels=["Work"], embedder=new) == []         # nothing half-built is served

    # The rerun continues the staged work, then swaps.
    [rep] = embed_nodes(store, new, labels=["Work"], batch=4)
    assert (rep.encoded, rep.unchanged, rep.replaced) == (n - 4, 4, "hash-test")
    done = _vector_state(store)
    assert (done["dims"], done["models"], done["staged"]) == ([32], ["hash-32"], 0)
    e = gv.BY_LABEL["Work"]
    assert gv.serving(store)["Work"] == (e.index, 32)
    assert not store.read("SHOW VECTOR INDEXES YIELD name WHERE name ENDS WITH '_next' RETURN name")
    assert search(store, "quantum", k=3, labels=["Work"], embedder=new)
    assert search(store, "quantum", k=3, labels=["Work"], embedder=old) == []
    [rep] = embed_nodes(store, new, labels=["Work"], batch=4)
    assert (rep.encoded, rep.unchanged, rep.replaced) == (0, n, None)


def test_crash_during_the_swap_serves_the_staged_model_and_resumes(store, tmp_path: Path, monkeypatch) -> None:
    from analysis.embed import embed_nodes, search
    from graph import vectors as gv
    from tests.conftest import FIXTURES
    from tests.helpers import load

    load(store, "arxiv", [FIXTURES / "embed_works.jsonl"], tmp_path)
    n = store.read("MATCH (w:Work) RETURN count(w) AS n")[0]["n"]
    embed_nodes(store, HashEmbedder(), labels=["Work"], batch=4)
    new = HashEmbedder(name="hash-32", dim=32)
    real = gv.ensure_index

    def dies_rebuilding_the_live_index(store, e, dim, slot=gv.LIVE):
        if slot == gv.LIVE:
            raise RuntimeError("simulated crash while swapping")
        return real(store, e, dim, slot)

    monkeypatch.setattr(gv, "ensure_index", dies_rebuilding_the_live_index)
    with pytest.raises(RuntimeError, match="simulated crash while swapping"):
        embed_nodes(store, new, labels=["Work"], batch=4)
    monkeypatch.setattr(gv, "ensure_index", real)
    assert gv.state(store, gv.BY_LABEL["Work"]).phase == "promoting"
    assert gv.serving(store)["Work"][1] == 32                        # the complete staged index answers
    assert search(store, "quantum", k=3, labels=["Work"], embedder=new)

    [rep] = embed_nodes(store, new, labels=["Work"], batch=4)        # finishes the swap, encodes nothing
    assert (rep.encoded, rep.unchanged) == (0, n)
    done = _vector_state(store)
    assert (done["dims"], done["models"], done["staged"]) == ([32], ["hash-32"], 0)
    assert gv.serving(store)["Work"] == (gv.BY_LABEL["Work"].index, 32)


def test_going_back_to_the_live_model_drops_a_half_staged_switch(store, tmp_path: Path) -> None:
    from analysis.embed import embed_nodes
    from graph import vectors as gv
    from tests.conftest import FIXTURES
    from tests.helpers import load

    load(store, "arxiv", [FIXTURES / "embed_works.jsonl"], tmp_path)
    n = store.read("MATCH (w:Work) RETURN count(w) AS n")[0]["n"]
    old = HashEmbedder()
    embed_nodes(store, old, labels=["Work"], batch=4)
    with pytest.raises(RuntimeError, match="simulated crash"):
        embed_nodes(store, HashEmbedder(name="hash-32", dim=32, fail_after=1), labels=["Work"], batch=4)
    [rep] = embed_nodes(store, old, labels=["Work"], batch=4)
    assert (rep.encoded, rep.unchanged) == (0, n)
    after = _vector_state(store)
    assert (after["dims"], after["models"], after["staged"]) == ([64], ["hash-test"], 0)
    st = gv.state(store, gv.BY_LABEL["Work"])
    assert (st.model, st.dim, st.next_model, st.phase) == ("hash-test", 64, None, None)
