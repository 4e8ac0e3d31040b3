"""Exports into the real Neo4j: records load, bad ones are quarantined, and papers merge
with OpenAlex/arXiv records of the same DOI or arXiv ID."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

from graph.store import Store
from graph.pipeline import Report, ingest
from ingest.quarantine import Quarantine
from graph.load import write_works as writer
from cli.exports import plan
from tests.conftest import FIXTURES, require
from tests.helpers import load

EXPORTS = FIXTURES / "exports"


def load_exports(store: Store, paths: list[Path], tmp: Path, force: bool = False) -> tuple[dict[str, Report], int]:
    inputs, _ = plan(paths)
    reports, bad = {}, 0
    for kind in ("wos", "scopus", "conference"):
        if kind in inputs:
            q = Quarantine(tmp / f"quarantine-{kind}.jsonl")
            try:
                reports[kind] = ingest(store, inputs[kind], kind, batch_size=500, quarantine=q, show_progress=False,
                                       force=force, writer=writer)
            finally:
                q.close()
            bad += q.count
    return reports, bad


def test_fixture_exports_load_and_merge_with_openalex(store: Store, tmp_path: Path):
    load(store, "openalex", [FIXTURES / "openalex_works.jsonl"], tmp_path)
    before = store.read("""MATCH (w:Work {openalex_id: 'W9000000001'})-[e:IN_COUNTRY]->(c)
                           RETURN c.code AS c, sum(e.fraction) AS f ORDER BY c""")
    reports, bad = load_exports(store, [EXPORTS], tmp_path)
    assert bad == 9                                   # every malformed record, each file's good ones loaded
    assert {k: r.loaded for k, r in reports.items()} == {"wos": 4, "scopus": 2, "conference": 4}
    # The WoS record (by DOI) and the conference paper (by arXiv ID) are the OpenAlex work.
    merged = store.read("""MATCH (w:Work {openalex_id: 'W9000000001'})-[:FROM]->(s:Source)
                           RETURN w.key AS key, w.id_wos AS ut, w.id_conference AS conf, count(s) AS sources""")
    assert merged == [{"key": "doi:10.5555/kizashi.qubit.2023", "ut": "WOS:000900000000001",
                       "conf": "iclr2024:abc123", "sources": 3}]
    # OpenAlex had attributed that paper already: no second set of countries or organizations.
    after = store.read("""MATCH (w:Work {openalex_id: 'W9000000001'})-[e:IN_COUNTRY]->(c)
                          RETURN c.code AS c, sum(e.fraction) AS f ORDER BY c""")
    assert after == before
    # Papers only in the exports carry their own organizations and countries.
    kaist = store.read("""MATCH (w:Work {doi: '10.5555/kizashi.genai.2023'})-[e:IN_COUNTRY]->(c)
                          RETURN c.code AS c, round(sum(e.fraction), 4) AS f ORDER BY c""")
    assert kaist == [{"c": "FR", "f": 0.3333}, {"c": "HK", "f": 0.1667}, {"c": "KR", "f": 0.5}]
    inferred = store.read("""MATCH (w:Work {key: 'conference:nips2021:ghi789'})-[e:IN_COUNTRY]->(c)
                             RETURN c.code AS c, e.inferred AS inferred ORDER BY c""")
    assert inferred == [{"c": "IT", "inferred": True}, {"c": "JP", "inferred": True}, {"c": "US", "inferred": True}]
    authors = store.read("MATCH (a:Author)-[:AUTHORED]->(:Work {doi: '10.5555/kizashi.qnlp.2024'}) RETURN a.key AS k ORDER BY k")
    assert [r["k"] for r in authors] == ["scopus:58122558600", "scopus:58511086300"]
    # A second run changes nothing.
    again, bad2 = load_exports(store, [EXPORTS], tmp_path)
    assert all(r.sources_unchanged == r.sources for r in again.values()) and bad2 == 0


def _slice(src: Path, dst: Path, n: int) -> Path:
    """The first n lines of a gzipped JSONL, in a temporary file (never in the repo)."""
    with gzip.open(src, "rt", encoding="utf-8") as f, gzip.open(dst, "wt", encoding="utf-8") as out:
        for i, line in enumerate(f):
            if i >= n:
                break
            out.write(line)
    return dst


def test_real_exports_load_and_merge(store: Store, shared_data: Path, tmp_path: Path):
    root = require(shared_data / "bibliometric_exports")
    oa = require(shared_data / "openalex" / "works.jsonl.gz")
    conf = require(root / "ai_robotics_conference_papers" / "papercopilot_all_venues_slim.jsonl.gz")
    load(store, "openalex", [oa], tmp_path)
    files = [d for d in sorted(root.iterdir()) if d.is_dir() and d.name != "ai_robotics_conference_papers"]
    # The 123k-paper list loads in bench/exports.py; here a deterministic slice of it.
    conf_dir = tmp_path / "conference"
    conf_dir.mkdir()
    _slice(conf, conf_dir / "papercopilot_slice.jsonl.gz", 3000)
    reports, bad = load_exports(store, files + [conf_dir], tmp_path)
    assert bad == 0
    assert reports["wos"].read == 469 + 500 + 800 + 1448 + 1148 + 26
    assert reports["scopus"].read == 276 and reports["conference"].read == 3000
    counts = store.read("""MATCH (w:Work) RETURN
        count(CASE WHEN w.id_wos IS NOT NULL THEN 1 END) AS wos,
        count(CASE WHEN w.id_scopus IS NOT NULL THEN 1 END) AS scopus,
        count(CASE WHEN w.id_conference IS NOT NULL THEN 1 END) AS conference,
        count(CASE WHEN w.id_wos IS NOT NULL AND w.id_scopus IS NOT NULL THEN 1 END) AS wos_and_scopus,
        count(CASE WHEN w.openalex_id IS NOT NULL AND (w.id_wos IS NOT NULL OR w.id_scopus IS NOT NULL) THEN 1 END) AS with_openalex""")[0]
    # WoS: 469 + 500 + 800 text records plus the xls/JSONL/CSV rows; rows of the same UT or DOI
    # are one paper: 2,817 distinct (UT and DOI joined transitively over all six files).
    assert counts["wos"] == 2817 and counts["scopus"] == 276
    assert counts["wos_and_scopus"] >= 23        # the Scopus and WoS quantum-NLP exports share 23 DOIs
    assert counts["with_openalex"] >= 4          # four export papers are also in the OpenAlex sample
    assert counts["conference"] > 2900           # a few records of a venue-year repeat upstream
    share = store.read("""MATCH (w:Work)-[e:IN_COUNTRY]->() WHERE w.id_wos IS NOT NULL OR w.id_scopus IS NOT NULL
                          WITH w, sum(e.fraction) AS f WHERE f > 1.0001 RETURN count(w) AS n""")
    assert share == [{"n": 0}]                   # no paper counted more than once
    top = store.read("""MATCH (w:Work)-[e:IN_COUNTRY]->(c) WHERE w.id_wos IS NOT NULL
                        RETURN c.code AS c, sum(e.fraction) AS f ORDER BY f DESC LIMIT 2""")
    assert {r["c"] for r in top} == {"US", "CN"}


def test_cli_ingest_export(store: Store, cli_env: dict[str, str]):
    import subprocess
    import sys

    out = subprocess.run([sys.executable, "-m", "cli.main", "ingest", "export", str(EXPORTS / "savedrecs.txt"),
                          str(EXPORTS / "scopus.csv")], env={**cli_env, "COLUMNS": "200"}, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert "wos: read 5 · loaded 2" in out.stdout and "quarantined 3" in out.stdout
    assert "scopus: read 4 · loaded 2" in out.stdout
    assert store.read("MATCH (w:Work) WHERE w.id_wos IS NOT NULL OR w.id_scopus IS NOT NULL RETURN count(w) AS n") == [{"n": 4}]
