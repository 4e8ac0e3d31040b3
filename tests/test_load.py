"""Loading into the real Neo4j: merging, fractional counting, idempotence."""

from pathlib import Path

import pytest

from tests.conftest import FIXTURES
from tests.helpers import load, stable_counts


def test_same_paper_from_openalex_and_arxiv_is_one_work(store, tmp_path: Path):
    load(store, "arxiv", [FIXTURES / "arxiv_feed.xml", FIXTURES / "arxiv_kaggle.jsonl"], tmp_path)
    load(store, "openalex", [FIXTURES / "openalex_works.jsonl"], tmp_path)
    rows = store.read("MATCH (w:Work) RETURN w.key AS key, w.arxiv_id AS ax, w.openalex_id AS oa ORDER BY key")
    keys = [r["key"] for r in rows]
    # 2305.00001 shares a DOI with W9000000001; 2401.00002 is W9000000003 by its arXiv DOI.
    assert keys == ["arxiv:hep-th/9901001", "doi:10.48550/arxiv.2401.00002", "doi:10.5555/kizashi.magnet.2024",
                    "doi:10.5555/kizashi.qubit.2023", "openalex:W9000000002"]
    merged = next(r for r in rows if r["key"] == "doi:10.48550/arxiv.2401.00002")
    assert merged == {"key": "doi:10.48550/arxiv.2401.00002", "ax": "2401.00002", "oa": "W9000000003"}
    topics = store.read("MATCH (:Work {arxiv_id: '2305.00001'})-[:HAS_TOPIC]->(t) RETURN t.scheme AS s, count(*) AS n ORDER BY s")
    assert topics == [{"s": "arxiv", "n": 2}, {"s": "openalex", "n": 1}]


def test_fractional_and_full_counts(store, tmp_path: Path):
    load(store, "openalex", [FIXTURES / "openalex_works.jsonl"], tmp_path)
    rows = store.read("""MATCH (w:Work {openalex_id: 'W9000000001'})-[e:IN_COUNTRY]->(c)
                         RETURN c.code AS c, sum(e.fraction) AS f ORDER BY c""")
    # 4 authors: Sato (Tokyo + RIKEN, both JP) 1/4; Zhang CN 1/4; Smith US 1/4; one unaffiliated.
    assert {r["c"]: round(r["f"], 6) for r in rows} == {"CN": 0.25, "JP": 0.25, "US": 0.25}
    orgs = store.read("""MATCH (w:Work {openalex_id: 'W9000000001'})-[e:AFFILIATION]->(o)
                         RETURN o.key AS o, e.fraction AS f ORDER BY o""")
    assert {r["o"]: r["f"] for r in orgs} == {"ror:057zh3y96": 0.125, "openalex:I4210096250": 0.125,
                                              "ror:03cve4549": 0.25, "ror:042nb2s44": 0.25}
    # No institution but two listed countries: 1/(n*k) each.
    split = store.read("MATCH (:Work {openalex_id: 'W9000000003'})-[e:IN_COUNTRY]->(c) RETURN c.code AS c, e.fraction AS f ORDER BY c")
    assert split == [{"c": "CN", "f": 0.5}, {"c": "SG", "f": 0.5}]
    full = store.read("MATCH (c:Country {code: 'JP'})<-[:IN_COUNTRY]-(w) RETURN count(DISTINCT w) AS n")
    assert full == [{"n": 2}]
    authored = store.read("MATCH (a:Author)-[e:AUTHORED]->(:Work {openalex_id: 'W9000000001'}) RETURN e.position AS p, e.author_position AS ap ORDER BY p")
    assert [r["p"] for r in authored] == [0, 1, 2, 3] and authored[0]["ap"] == "first"


def test_citations_and_lineage_link_only_present_ends(store, tmp_path: Path):
    load(store, "openalex", [FIXTURES / "openalex_works.jsonl"], tmp_path)
    cites = store.read("MATCH (a:Work)-[:CITES]->(b:Work) RETURN a.openalex_id AS a, b.openalex_id AS b")
    assert cites == [{"a": "W9000000001", "b": "W9000000002"}]
    parents = store.read("MATCH (c:Organization)-[:CHILD_OF]->(p) RETURN c.name AS c, p.name AS p")
    assert parents == [{"c": "RIKEN Center for Quantum Computing", "p": "RIKEN"}]
    work = store.read("MATCH (w:Work {openalex_id: 'W9000000001'}) RETURN w.cby_years AS y, w.cby_counts AS c, w.cited_by_count AS n")
    assert work == [{"y": [2024, 2023], "c": [9, 3], "n": 12}]


def test_loading_twice_changes_nothing(store, tmp_path: Path):
    paths = [FIXTURES / "openalex_works.jsonl", FIXTURES / "openalex_page.json"]
    load(store, "openalex", paths, tmp_path)
    first = stable_counts(store)
    again, _ = load(store, "openalex", paths, tmp_path)
    assert stable_counts(store) == first
    assert again.sources_unchanged == 2 and again.loaded == 0
    forced, _ = load(store, "openalex", paths, tmp_path, force=True)
    assert stable_counts(store) == first and forced.loaded == 5


def test_changed_record_replaces_its_edges(store, tmp_path: Path):
    src = tmp_path / "w.jsonl"
    lines = (FIXTURES / "openalex_works.jsonl").read_text().splitlines()
    src.write_text(lines[0] + "\n")
    load(store, "openalex", [src], tmp_path)
    src.write_text(lines[0].replace('"display_name": "Tsinghua University"', '"display_name": "Tsinghua Univ."')
                   .replace('"https://openalex.org/I99065089"', '"https://openalex.org/I1"').replace('"https://ror.org/03cve4549"', "null") + "\n")
    report, _ = load(store, "openalex", [src], tmp_path)
    assert report.loaded == 1
    orgs = store.read("MATCH (:Work {openalex_id: 'W9000000001'})-[:AFFILIATION]->(o) RETURN o.key AS k ORDER BY k")
    assert "ror:03cve4549" not in [r["k"] for r in orgs] and "openalex:I1" in [r["k"] for r in orgs]


@pytest.mark.parametrize("batch_size", [1, 2, 1000])
def test_batch_size_does_not_change_the_result(store, tmp_path: Path, batch_size: int):
    load(store, "openalex", [FIXTURES / "openalex_works.jsonl"], tmp_path, batch_size=batch_size)
    load(store, "arxiv", [FIXTURES / "arxiv_feed.xml"], tmp_path, batch_size=batch_size)
    c = stable_counts(store)
    assert c["Work"] == 4 and c["rel:IN_COUNTRY"] == 6 and c["rel:AFFILIATION"] == 6


def test_one_source_attributes_each_paper_whichever_order(store, tmp_path: Path):
    """A paper in an export and in OpenAlex is attributed once, by OpenAlex, in either order."""
    from graph.load import write_works
    from core.work import Authorship, Organization, Work

    export = Work(source="wos", doi="10.5555/kizashi.qubit.2023", source_id="WOS:1", title="x", fingerprint="f1",
                  authorships=(Authorship(position=0, name="A. Sato", countries=("JP",),
                                          organizations=(Organization(key="name:univ tokyo", name="Univ Tokyo", country="JP"),)),))
    store.write("MERGE (:Source {key: 's'})")
    for order in ("export-first", "openalex-first"):
        store.autocommit("MATCH (w:Work) DETACH DELETE w")
        if order == "export-first":
            store.execute_write(write_works, [(export, "line 1")], "wos", "s", 1, True)
        load(store, "openalex", [FIXTURES / "openalex_works.jsonl"], tmp_path, force=True)
        if order == "openalex-first":
            store.execute_write(write_works, [(export, "line 1")], "wos", "s", 1, True)
        rows = store.read("""MATCH (w:Work {doi: '10.5555/kizashi.qubit.2023'})-[e:IN_COUNTRY]->(c)
                             RETURN w.attributed_by AS by, c.code AS c, sum(e.fraction) AS f ORDER BY c""")
        assert [(r["by"], r["c"], r["f"]) for r in rows] == [("openalex", "CN", 0.25), ("openalex", "JP", 0.25), ("openalex", "US", 0.25)], order
        assert store.read("MATCH (:Work {doi: '10.5555/kizashi.qubit.2023'})-[:AFFILIATION]->(o) RETURN count(o) AS n") == [{"n": 4}]


def test_duplicate_openalex_works_resolve_to_the_lower_id_whichever_order(store):
    """OpenAlex sometimes holds two works for one paper (one DOI, or one arXiv ID under two DOIs).
    Parallel partitions may deliver them in either order; the graph must be the same: the lower
    W-number is the paper's record, the other's IDs are alternatives."""
    from graph.load import write_works
    from core.work import Authorship, Organization, Work

    def work(oa: str, doi: str | None, title: str, country: str, org: str) -> Work:
        return Work(source="openalex", doi=doi, openalex_id=oa, arxiv_id="2401.00001", source_id=oa, title=title,
                    year=2024, fingerprint=f"fp-{oa}",
                    authorships=(Authorship(position=0, name="A. Author", countries=(country,),
                                            organizations=(Organization(key=org, name=org, country=country),)),))

    store.write("MERGE (:Source {key: 'oa'})")
    cases = {
        "one DOI": (work("W900", "10.5555/dup.a", "Record title", "JP", "name:univ tokyo"),
                    work("W12345", "10.5555/dup.a", "Merged copy", "CN", "name:pku")),
        "two DOIs, one arXiv ID": (work("W900", "10.5555/dup.journal", "Record title", "JP", "name:univ tokyo"),
                                   work("W12345", "10.48550/arxiv.2401.00001", "Preprint", "CN", "name:pku")),
        "the record without a DOI": (work("W900", None, "Record title", "JP", "name:univ tokyo"),
                                     work("W12345", "10.5555/dup.b", "Copy", "CN", "name:pku")),
    }
    for case, (low, high) in cases.items():
        seen = []
        for first, second in ((low, high), (high, low)):
            store.autocommit("MATCH (n) WHERE n:Work OR n:Organization OR n:Country OR n:Author DETACH DELETE n")
            store.execute_write(write_works, [(first, f"record {first.openalex_id}")], "openalex", "oa", 1, False)
            store.execute_write(write_works, [(second, f"record {second.openalex_id}")], "openalex", "oa", 2, True)
            rows = store.read("""MATCH (w:Work) RETURN w.key AS key, w.doi AS doi, w.openalex_id AS oa, w.arxiv_id AS ax,
                                        w.title AS title, w.alt_ids AS alt,
                                        [(w)-[:IN_COUNTRY]->(c) | c.code] AS countries,
                                        [(w)-[:AFFILIATION]->(o) | o.key] AS orgs,
                                        [(w)-[f:FROM]->() | f.locator] AS locators""")
            for r in rows:
                r["alt"] = sorted(r["alt"] or [])
            seen.append(rows)
        assert seen[0] == seen[1], case
        assert len(seen[0]) == 1, case
        r = seen[0][0]
        assert (r["oa"], r["title"], r["countries"], r["orgs"], r["locators"]) == (
            "W900", "Record title", ["JP"], ["name:univ tokyo"], ["record W900"]), case
        assert "openalex_id:W12345" in r["alt"], case
    assert r["key"] == "doi:10.5555/dup.b" and r["doi"] == "10.5555/dup.b"   # the lower record lacked a DOI
