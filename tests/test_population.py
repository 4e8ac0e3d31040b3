"""The snapshot stream (analysis/population.py): its full counts agree exactly with the Neo4j
ranking of the same works loaded the normal way; and its rules (one record per paper, countries,
lineages, top 10%, evidence, bad records) on a small snapshot fixture in the published layout."""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
from pathlib import Path

import pytest

from analysis import profiles
from analysis.mapping import Mapper
from analysis.population import Population, stream
from analysis.rank import Params, compute
from core.errors import ConfigError
from tests.conftest import FIXTURES, require

SNAPSHOT = FIXTURES / "openalex_snapshot"


def kz(env: dict[str, str], *args: str) -> str:
    out = subprocess.run([sys.executable, "-m", "cli.main", *args], env=env, capture_output=True, text=True, timeout=900)
    assert out.returncode == 0, f"{args}: {out.stderr[-2000:]}"
    return out.stdout


def load_like_the_cli(env: dict[str, str], snapshot: Path) -> None:
    kz(env, "ingest", "openalex", str(snapshot))
    kz(env, "taxonomy", "load")
    kz(env, "map", "--method", "rule", "--label", "Work")


def ranked(store, window: str, techs: list[str] | None = None) -> dict[str, tuple[int, dict[str, int], set[str]]]:
    """technology -> (works in the window, papers_full per country, evidence work keys) from the ranking."""
    out = {}
    for rk in compute(store, techs, "country", Params(window=window, counting="full", bootstrap=10), profiles.load()):
        if rk.summary["documents"]["works"]:
            out[rk.technology] = (rk.summary["documents"]["works"],
                                  {r.id: r.papers_full for r in rk.rows if r.papers_full},
                                  {e[0] for ws in rk.evidence["works"].values() for e in ws})
    return out


def streamed(pop: Population, year: int | None = None) -> dict[str, tuple[int, dict[str, int]]]:
    totals: dict[str, int] = {}
    for t in pop.totals:
        if year is None or t.year == year:
            totals[t.technology] = totals.get(t.technology, 0) + t.works
    by_country = pop.full_counts("country", year)
    return {t: (n, by_country.get(t, {})) for t, n in totals.items()}


def assert_agrees(store, pop: Population) -> None:
    graph = ranked(store, "all")
    mine = streamed(pop)
    assert {t: v[:2] for t, v in graph.items()} == mine
    for tech, per_country in pop.evidence.items():       # drill-down evidence: works the graph ranks too
        for country, works in per_country.items():
            assert {w.key for w in works} <= graph[tech][2], (tech, country)
    years = sorted({t.year for t in pop.totals})
    for y in years:
        techs = sorted({t.technology for t in pop.totals if t.year == y})
        graph_y = {t: v[:2] for t, v in ranked(store, f"{y}-{y}", techs).items()}
        assert graph_y == streamed(pop, y), y
    # The per-year agreement covers every graph work: the years' works add up to the window's.
    assert sum(n for y in years for n, _ in streamed(pop, y).values()) == sum(v[0] for v in graph.values())


@pytest.mark.shared_data
def test_stream_agrees_with_the_graph_on_the_snapshot_sample(store, cli_env, shared_data) -> None:
    snapshot = require(shared_data / "openalex" / "snapshot_sample")
    pop = stream(snapshot, scheduler="threads")
    s = pop.summary
    assert (s.files, s.records_read, s.works, s.quarantined, s.as_of) == (1, 27, 27, 0, "2023-05-16")
    assert s.manifest_mismatches == ()               # the one part present has the manifest's 27 records
    assert s.counted >= 1 and pop.totals
    # These 27 works (EU project records, 2002-2013) carry no authorships: no country to count.
    assert pop.rows == () and s.with_percentile == 0
    load_like_the_cli(cli_env, snapshot)
    assert_agrees(store, pop)


@pytest.mark.shared_data
def test_stream_agrees_with_the_graph_on_real_works_laid_out_as_a_snapshot(store, cli_env, shared_data, tmp_path) -> None:
    """The sample has no authorships, so the same check on 1,953 real works with affiliations,
    written (at test time, not into the repo) in the snapshot layout over three partitions."""
    lines = gzip.open(require(shared_data / "openalex" / "works.jsonl.gz"), "rb").read().splitlines(keepends=True)
    for i, day in enumerate(("2024-01-01", "2024-02-01", "2024-03-01")):
        part = tmp_path / "snap" / "works" / f"updated_date={day}" / "part_000.gz"
        part.parent.mkdir(parents=True)
        with gzip.open(part, "wb") as f:
            f.writelines(lines[i::3])
    pop = stream(tmp_path / "snap", scheduler="processes")
    s = pop.summary
    assert (s.files, s.works, s.quarantined, s.as_of) == (3, 1953, 0, "2024-03-01")
    assert s.duplicates > 0                          # real records sharing a DOI or an arXiv ID
    countries = pop.full_counts("country")
    assert len(countries) >= 20 and sum(len(c) for c in countries.values()) >= 100
    assert pop.full_counts("institution")
    load_like_the_cli(cli_env, tmp_path / "snap")
    assert_agrees(store, pop)


# ---------------------------------------------------------------- rules, on a fixture


def techs_of(title: str, abstract: str = "") -> set[str]:
    return {a.tech for a in Mapper(method="rule").map([title], [abstract])[0]}


def fixture_records() -> list[dict]:
    out = []
    for p in sorted(SNAPSHOT.glob("works/updated_date=*/part_*.gz")):
        for line in gzip.open(p, "rt", encoding="utf-8"):
            try:
                out.append(json.loads(line))
            except json.JSONDecodeError:
                pass          # the fixture's one broken line, on purpose
    return out


@pytest.fixture(scope="module")
def pop() -> Population:
    return stream(SNAPSHOT, scheduler="sync", evidence_k=2)


def test_fixture_summary(pop: Population) -> None:
    s = pop.summary
    assert (s.files, s.as_of, s.records_read, s.ignored, s.quarantined) == (2, "2024-05-02", 10, 1, 1)
    assert pop.problems[0].locator == "line 5" and "invalid JSON" in pop.problems[0].reason
    assert s.duplicates == 2            # W-ID W5 seen twice, and W9 sharing W3's DOI
    assert s.no_year == 1
    assert s.manifest_mismatches == ("updated_date=2024-05-02/part_000.gz: manifest says 5 records, read 4",)


def test_fixture_counts_follow_the_graph_rules(pop: Population) -> None:
    qc = techs_of("Quantum computing with superconducting qubits")
    assert qc, "the fixture's titles must map to a technology"
    counts = pop.full_counts("country")
    for t in qc:
        # W1: JP + US institutions; W2: DE via the authorship's own countries (no institution);
        # W3: GB (W9, same DOI, higher W-ID, is not counted); W5: latest copy says FR, not CN.
        assert counts[t] == {"JP": 1, "US": 1, "DE": 1, "GB": 1, "FR": 1}
        lineage = pop.full_counts("institution")[t]
        assert lineage["I100"] == 1 and lineage["I999"] == 1          # parent from W1's lineage
        assert "I555" not in lineage and "I777" not in lineage        # W9's and W5's stale copy
    total = {(t.technology, t.year): t for t in pop.totals}
    t = sorted(qc)[0]
    assert total[(t, 2021)].works == 2 and total[(t, 2021)].top10 == 1    # W1 true, W2 false
    assert total[(t, 2022)].works == 2 and total[(t, 2022)].top10 is None  # W3, W5: no percentile
    row = next(r for r in pop.rows if (r.technology, r.entity, r.year) == (t, "JP", 2021))
    assert (row.works, row.top10, row.source, row.as_of, row.definition) == (1, 1, "openalex-snapshot",
                                                                           "2024-05-02", f"{t}@1")


def test_evidence_is_bounded_and_most_cited_first(pop: Population) -> None:
    t = sorted(techs_of("Quantum computing with superconducting qubits"))[0]
    assert all(len(v) <= 2 for per in pop.evidence.values() for v in per.values())
    assert [e.openalex_id for e in pop.evidence[t]["JP"]] == ["W1"]
    assert [e.key for e in pop.evidence[t]["GB"]] == ["doi:10.1234/w3"]


def test_local_processes_and_threads_give_the_same_counts(pop: Population) -> None:
    other = stream(SNAPSHOT, scheduler="threads", evidence_k=2)
    assert (other.rows, other.totals, other.evidence) == (pop.rows, pop.totals, pop.evidence)


def test_a_dask_cluster_address_gives_the_same_counts(pop: Population) -> None:
    distributed = pytest.importorskip("dask.distributed")
    with distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=False, dashboard_address=None) as cluster:
        other = stream(SNAPSHOT, scheduler=cluster.scheduler_address, evidence_k=2)
    assert other.summary.scheduler == cluster.scheduler_address
    assert (other.rows, other.totals) == (pop.rows, pop.totals)


def test_cli_stream_prints_and_loads_the_counts(store, cli_env, pop: Population) -> None:
    from graph.counts import read_counts, read_evidence, read_totals

    out = json.loads(kz(cli_env, "population", "stream", str(SNAPSHOT), "--scheduler", "threads", "--evidence", "2",
                        "--json", "--load"))
    assert out["rows"] == [r.model_dump() for r in pop.rows] and out["summary"]["quarantined"] == 1
    assert Path(out["summary"]["quarantine"]).is_file()
    cells = sum(len(per) for per in pop.evidence.values())
    assert out["summary"]["loaded"] == {"counts": len(pop.rows), "totals": len(pop.totals), "evidence": cells}
    key = lambda r: (r.technology, r.entity_kind, r.entity, r.year)   # noqa: E731
    assert sorted(read_counts(store, source="openalex-snapshot"), key=key) == sorted(pop.rows, key=key)
    assert len(read_totals(store, source="openalex-snapshot")) == len(pop.totals)
    # the bounded evidence sample: at most --evidence 2 works per cell, most cited first, as the stream kept them
    tech, per = next(iter(sorted(pop.evidence.items())))
    stored = {e["country"]: e for e in read_evidence(store, tech)}
    assert set(stored) == set(per)
    for c, ws in per.items():
        assert stored[c]["works"] == [w.key for w in ws] and len(ws) <= 2
        assert stored[c]["cites"] == sorted(stored[c]["cites"], reverse=True)


def test_not_a_snapshot_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="no OpenAlex works snapshot"):
        stream(tmp_path)
    (tmp_path / "works" / "updated_date=2024-01-01").mkdir(parents=True)
    with pytest.raises(ConfigError, match="no part_"):
        stream(tmp_path)


def test_fixture_records_are_real_layout() -> None:
    recs = fixture_records()
    assert all(r["id"].startswith("https://openalex.org/") for r in recs)
    assert (SNAPSHOT / "works" / "manifest").is_file()
