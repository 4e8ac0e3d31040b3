"""Integration: every real patent file in ../shared/data/patents loads into the
real Neo4j, except the four EP documents that are malformed upstream, which are
reported; a reload changes nothing; applicant-country fractions match what the
records say, patent by patent."""

from __future__ import annotations

import json
from pathlib import Path

from dataclasses import replace

from core.patent import Patent
from graph.patent import write_patents
from graph.store import Store
from ingest.patents import inputs
from graph.pipeline import ingest
from ingest.quarantine import Quarantine
from core.errors import RecordError
from tests.conftest import require
from tests.helpers import stable_counts
from tests.test_patents_load import MAX, load

FOLDERS = ("uspto_grant_xml", "uspto_format_samples", "uspto_assignment", "uspto_ppubs_search", "epo_ops", "epo_docdb",
           "epo_publication_server", "drones_lens_derwent")
MALFORMED = {"application__v1-2-A1.xml", "application__v1-4-A1.xml", "application__v1-4-A1-1.xml", "application__v1-5-1-A1-2.xml"}
NOT_PATENTS = {"assignment_1.xml", "assignment_2.xml", "assignment_3.xml.gz", "PatentPublicData__cpcMaster__cpcMaster.xml",
               "PatentPublicData__cpcScheme__cpc-scheme-A01L.xml", "published__test__claims_example.xml",
               "published__test__claims_example_2.xml", "published__test__description_example.xml",
               "published__test__image_example.xml"}


def expected_shares(root: Path) -> dict[str, dict[str, float]]:
    """Parse every record in load order: per patent, the applicant-country shares of
    the last record that names owners."""
    shares: dict[str, dict[str, float]] = {}
    for inp in inputs([root], MAX):
        for item, parser in inp.items():
            if isinstance(item, RecordError):
                continue
            try:
                p: Patent = parser(item)
            except Exception:  # noqa: BLE001 - skipped and malformed records are the load's business
                continue
            if p.applicants:
                share: dict[str, float] = {}
                for a in p.applicants:
                    if a.country:
                        share[a.country] = share.get(a.country, 0.0) + 1 / len(p.applicants)
                shares[p.key] = share
    return shares


def test_every_shared_patent_file_loads(store: Store, shared_data: Path, tmp_path: Path):
    root = require(shared_data / "patents")
    for folder in FOLDERS:
        require(root / folder)
    files = sorted(p for p in root.rglob("*") if p.is_file())

    report, q = load(store, [root], tmp_path, batch_size=1000)
    bad = [json.loads(line) for line in q.path.read_text().splitlines()] if q.path.exists() else []
    assert {Path(b["source"]).name for b in bad} == MALFORMED and len(bad) == 4
    assert all(b["locator"] == "document" and "malformed XML" in b["reason"] for b in bad)

    sources = {Path(r["l"]).name: r["c"] for r in store.read("MATCH (s:Source {kind: 'patents'}) RETURN s.location AS l, s.complete AS c")}
    assert set(sources) == {f.name for f in files} and all(sources.values())
    loaded = {Path(r["l"]).name for r in store.read("MATCH (:Patent)-[:FROM]->(s:Source) RETURN DISTINCT s.location AS l")}
    assert loaded == {f.name for f in files} - MALFORMED - NOT_PATENTS

    n = store.read("MATCH (p:Patent) RETURN count(p) AS n, count(p.title) AS titled")[0]
    assert n["n"] > 12000 and n["titled"] / n["n"] > 0.95
    # USPTO weekly excerpts: 447 patent documents (as the data README counts them), some
    # repeated across excerpts of the same week.
    weekly = [parser(i) for inp in inputs([root / "uspto_grant_xml"], MAX) for i, parser in inp.items()
              if not isinstance(i, RecordError) and b"<sequence-cwu" not in i.data[:400]]
    assert len(weekly) == 447
    keys = [r["k"] for r in store.read("MATCH (p:Patent)-[:FROM]->(s:Source) WHERE s.location CONTAINS 'uspto_grant_xml' "
                                       "RETURN DISTINCT p.key AS k")]
    assert {p.key for p in weekly} == set(keys)
    assert store.read("MATCH (p:Patent) WHERE count { (p)-[:IN_FAMILY]->() } <> 1 RETURN count(p) AS n")[0]["n"] == 0
    assert store.read("MATCH (c:CPC {level: 'subclass'})<-[:PART_OF*]-(:CPC)<-[:CLASSIFIED_AS]-(:Patent) "
                      "RETURN count(DISTINCT c) AS n")[0]["n"] > 100

    # Applicant-country fractions equal the owners' shares in the records, patent by patent.
    got = {r["k"]: {c: f for c, f in zip(r["c"], r["f"])} for r in store.read(
        "MATCH (p:Patent)-[e:IN_COUNTRY {role: 'applicant'}]->(c:Country) RETURN p.key AS k, collect(c.code) AS c, collect(e.fraction) AS f")}
    want = {k: v for k, v in expected_shares(root).items() if v}
    assert set(got) == set(want)
    for k, share in want.items():
        assert got[k].keys() == share.keys(), k
        assert all(abs(got[k][c] - f) < 1e-9 for c, f in share.items()), k
        assert sum(got[k].values()) <= 1 + 1e-9
    assert sum(1 for s in got.values() if abs(sum(s.values()) - 1) < 1e-9) > 0.9 * len(got)
    assert got["pat:US6336130B1"] == {"SE": 1.0}                   # Ericsson, filed at the USPTO
    assert {c: round(f, 6) for c, f in got["pat:EP3782854A1"].items()} == {"CN": 1.0}

    inv = store.read("MATCH (p:Patent)-[e:INVENTOR_COUNTRY]->() WITH p, sum(e.fraction) AS s RETURN max(s) AS mx, count(p) AS n")[0]
    assert inv["mx"] <= 1 + 1e-9 and inv["n"] > 500

    before = stable_counts(store)
    again, _ = load(store, [root], tmp_path, batch_size=1000)
    assert (again.loaded, again.sources_unchanged) == (0, again.sources)
    assert stable_counts(store) == before
    # Record by record (as for inputs without a file fingerprint): nothing is rewritten either.
    one_by_one = ingest(store, [replace(i, fingerprint=None) for i in inputs([root], MAX)], "patents", batch_size=1000,
                        quarantine=Quarantine(tmp_path / "q2.jsonl"), show_progress=False, writer=write_patents, link=False)
    assert (one_by_one.loaded, one_by_one.unchanged) == (0, report.loaded)
    assert stable_counts(store) == before
