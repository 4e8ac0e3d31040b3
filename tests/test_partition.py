"""The same ingest, run over partitions in Dask worker processes, builds the same graph
as the ordinary single-process pipeline (ingest/partition.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from analysis import partition as part
from core.settings import get_settings
from tests.conftest import FIXTURES
from tests.helpers import stable_counts

WIPE = "MATCH (n) CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS"


@pytest.fixture
def env(cli_env: dict[str, str], monkeypatch: pytest.MonkeyPatch):
    for k, v in cli_env.items():
        if k.startswith(("NEO4J_", "KIZASHI_")):
            monkeypatch.setenv(k, v)
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def _content(store) -> dict[str, int]:
    # Sources are per file; everything else must match.
    return {k: v for k, v in stable_counts(store).items() if k not in ("Source", "rel:FROM")}


def test_partitions_on_dask_equal_the_single_process_pipeline(store, env, tmp_path: Path) -> None:
    lines = (FIXTURES / "openalex_works.jsonl").read_bytes().splitlines(keepends=True)
    files = []
    for i in range(2):
        f = tmp_path / f"part_{i:03d}.jsonl"
        f.write_bytes(b"".join(lines[i::2]))
        files.append(f)
    whole = tmp_path / "whole" / "works.jsonl"
    whole.parent.mkdir()
    whole.write_bytes(b"".join(lines))

    single = part.run([part.Partition("openalex", (str(whole),), name="whole")], part.ingest_partition)
    part.link_all()
    expected = _content(store)
    assert single[0].loaded > 0 and expected["Work"] > 0

    store.autocommit(WIPE)
    out = part.run(part.split(files, "openalex", 2), part.ingest_partition, engine="dask", workers=2)
    part.link_all()
    assert sum(o.records for o in out) == single[0].records
    assert _content(store) == expected
    # a rerun of the partitions changes nothing: complete files are skipped by fingerprint
    again = part.run(part.split(files, "openalex", 2), part.ingest_partition, engine="dask", workers=2)
    assert sum(o.loaded for o in again) == 0 and _content(store) == expected


def test_embedding_partitions_write_the_live_model_and_refuse_another(store, env) -> None:
    """embed_partition encodes rows with the configured embedder into the live vectors (same
    hash and model bookkeeping as `kizashi embed`), and refuses to overwrite another live model."""
    from analysis.embed import get_embedder, text_hash
    from graph import vectors as gv

    docs = [("Work", f"test:w{i}", t) for i, t in enumerate(
        ["Quantum key distribution over fibre", "Gallium nitride power transistors",
         "量子コンピュータの誤り訂正", "Solid-state lithium batteries"])]
    store.write("UNWIND $rows AS r MERGE (w:Work {key: r[1]}) SET w.title = r[2]", rows=[list(d) for d in docs])
    parts = [part.Partition("embed", rows=tuple(docs[:2]), name="p0"), part.Partition("embed", rows=tuple(docs[2:]), name="p1")]
    out = part.run(parts, part.embed_partition, engine="local")
    assert [o.loaded for o in out] == [2, 2]
    name = get_embedder().name
    got = store.read("MATCH (w:Work) RETURN w.key AS k, w.title AS t, size(w.embedding) AS d, w.embedding_model AS m, "
                     "w.text_hash AS h ORDER BY k")
    assert all(r["d"] == 512 and r["m"] == name and r["h"] == text_hash(r["t"]) for r in got) and len(got) == 4

    gv.set_live(store, gv.BY_LABEL["Work"], "another-model", 64)
    from core.errors import ConfigError

    with pytest.raises(ConfigError, match="live embedding model is another-model"):
        part.embed_partition(parts[0])
    assert store.read("MATCH (w:Work) WHERE w.embedding_model <> $m RETURN count(w) AS n", m=name) == [{"n": 0}]
