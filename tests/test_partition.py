"""The same ingest, run over partitions in Dask worker processes, builds the same graph
as the ordinary single-process pipeline (ingest/partition.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from ingest import partition as part
from kizashi.settings import get_settings
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
