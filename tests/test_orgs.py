"""Organization resolution: name forms, merge rules, overrides, the gold set, and the
resolution written to (and explained from) the real Neo4j."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from analysis import orgs as ao
from analysis.org_gold import evaluate, read_gold
from analysis.org_overrides import read_overrides
from analysis.org_places import address_country, country_in_name
from ingest.orgkey import match_form, name_key, strip_legal
from core.errors import InputError
from cli.orgs import GOLD, raw_disagreements, resolve_graph
from tests.conftest import FIXTURES
from tests.helpers import load
from tests.test_exports_graph import load_exports


@pytest.mark.parametrize("a, b", [
    ("Sony Corporation", "SONY CORP"),
    ("Toyota Jidosha Kabushiki Kaisha", "トヨタ自動車株式会社"),
    ("株式会社日立製作所", "Hitachi, Ltd."),
    ("Siemens Aktiengesellschaft", "SIEMENS AG"),
    ("Univ Calif Berkeley", "University of California, Berkeley"),
    ("Ludwig Maximilians Univ Munchen", "Ludwig-Maximilians-Universität München"),
    ("東京大学", "The University of Tokyo"),
    ("Hong Kong Univ Sci & Technol", "The Hong Kong University of Science and Technology"),
    ("Huawei Technologies Co., Ltd.", "HUAWEI TECH CO LTD"),
    ("The Regents of the University of Michigan", "Univ Michigan"),
    ("Nanyang Technological University, Singapore", "Nanyang Technol Univ"),
    ("Swiss Federal Institute of Technology in Lausanne (EPFL)", "Ecole Polytech Fed Lausanne"),
])
def test_same_match_form(a, b):
    assert match_form(a) == match_form(b)


@pytest.mark.parametrize("a, b", [
    ("Univ Technol Sydney", "Univ Sydney"),
    ("Univ Chinese Acad Sci", "Chinese Acad Sci"),
    ("University of California, San Diego", "University of California, Berkeley"),
    ("Tokyo Inst Technol", "Univ Tokyo"),
    ("Microsoft Research Asia", "Microsoft"),
    ("Google DeepMind", "Google"),
])
def test_different_match_form(a, b):
    assert match_form(a) != match_form(b)


def test_legal_forms_and_keys():
    assert strip_legal("Toshiba Corporation") == "toshiba"
    assert strip_legal("有限公司华为技术") == "华为技术"
    assert name_key("Stanford Univ.") == "name:stanford univ"          # keys stay light and stable


def _orgs(*rows):
    return [ao.Org(key=k, name=n, country=c, ror=r) for k, n, c, r in rows]


def test_merge_rules_and_their_reasons():
    orgs = _orgs(("ror:1", "Technical University of Munich", "DE", "1"), ("name:a", "Tech Univ Munich", "DE", None),
                 ("name:b", "Tech Univ Munich TUM", "DE", None), ("name:c", "Ludwig Maximilian University of Munich", "DE", None),
                 ("name:d", "Ludwig Maximilians Univ Munchen", "DE", None), ("name:e", "Univ Technol Sydney", "AU", None),
                 ("name:f", "Univ Sydney", "AU", None))
    res = ao.resolve(orgs)
    assert res.canonical["name:a"] == res.canonical["name:b"] == "ror:1"
    assert res.joined_by["name:a"].method == "name" and res.joined_by["name:b"].method == "acronym"
    assert res.canonical["name:c"] == res.canonical["name:d"] and res.joined_by[
        "name:c" if res.canonical["name:c"] != "name:c" else "name:d"].method == "fuzzy"
    assert res.canonical["name:e"] != res.canonical["name:f"]
    assert res.country["ror:1"] == ("DE", "identifier")


def test_records_of_different_countries_never_merge_automatically():
    res = ao.resolve(_orgs(("name:1", "Ministry of Education", "CN", None), ("name:2", "Ministry of Education", "KR", None),
                           ("name:3", "Ministry of Education", "CN", None)))
    assert res.canonical["name:1"] == res.canonical["name:3"] != res.canonical["name:2"]


def test_overrides(tmp_path: Path):
    table = tmp_path / "org_overrides.csv"
    table.write_text("action,name,target,country,note\n"
                     "merge,Beijing University of Aeronautics and Astronautics,Beihang University,,BUAA renamed 2002\n"
                     "split,Tech Univ Munich,,,\n"
                     "country,Beihang University,,CN,\n"
                     "parent,RIKEN Center for Quantum Computing,RIKEN,,\n"
                     "merge,Nowhere Institute,Beihang University,,\n", encoding="utf-8")
    ovr = read_overrides(table)
    orgs = _orgs(("name:buaa", "Beijing University of Aeronautics and Astronautics", None, None),
                 ("name:beihang", "Beihang University", None, None), ("name:tum", "Tech Univ Munich", "DE", None),
                 ("name:tum2", "Technical University of Munich", "DE", None), ("oa:riken", "RIKEN", "JP", None),
                 ("oa:cqc", "RIKEN Center for Quantum Computing", "JP", None))
    res = ao.resolve(orgs, parents=[], overrides=ovr)
    assert res.canonical["name:buaa"] == "name:beihang" and res.joined_by["name:buaa"].method == "override"
    assert "BUAA renamed 2002" in res.joined_by["name:buaa"].detail
    assert res.canonical["name:tum"] == "name:tum" != res.canonical["name:tum2"]
    assert res.country["name:beihang"] == ("CN", "override")
    assert res.rollup["oa:cqc"] == "oa:riken"
    assert [o.line for o in res.overrides_unmatched] == [6]


def test_bad_override_table_names_the_line(tmp_path: Path):
    table = tmp_path / "org_overrides.csv"
    table.write_text("action,name,target,country,note\nmerge,A,B,,\nrename,A,B,,\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"org_overrides.csv:3: unknown action 'rename'"):
        read_overrides(table)
    table.write_text("action,name\nparent,A\n", encoding="utf-8")
    with pytest.raises(InputError, match="parent needs name and target"):
        read_overrides(table)
    assert read_overrides(tmp_path / "missing.csv") == []


def test_gold_set_meets_the_targets():
    gold = read_gold(GOLD)
    assert len(gold) >= 150 and len({r["source"] for r in gold}) >= 5
    score = evaluate(gold)
    assert score.precision >= 0.95, score.false_merges
    assert score.recall >= 0.90, score.missed[:20]


def test_gold_command_prints_the_measure():
    out = subprocess.run([sys.executable, "-m", "cli.main", "orgs", "gold", "--json"], capture_output=True, text=True,
                         check=True, cwd=Path(__file__).resolve().parent.parent)
    data = json.loads(out.stdout)
    assert data["names"] >= 150 and data["precision"] >= 0.95 and data["recall"] >= 0.90


def test_resolution_in_the_graph(store, tmp_path: Path, cli_env: dict[str, str]):
    extra = tmp_path / "more" / "papers.jsonl"
    extra.parent.mkdir()
    extra.write_text(json.dumps({"venue": "icra", "year": 2001, "id": "1", "title": "Hover control of a small helicopter",
                                 "author": "Wei Zhang", "aff": "Beijing University of Aeronautics and Astronautics",
                                 "aff_unique_norm": "Beijing University of Aeronautics and Astronautics",
                                 "aff_unique_index": "0", "aff_country_unique": "China", "aff_country_unique_index": "0"}) + "\n",
                     encoding="utf-8")
    # exports first, so that their organizations sit beside OpenAlex's on the same papers
    load_exports(store, [FIXTURES / "exports", extra.parent], tmp_path)
    # One work of our own whose raw affiliation texts are checked against institution countries below:
    # a US institution whose author wrote a Japanese address (a disagreement), and a Hong Kong
    # institution whose author wrote China (filing Hong Kong under China is no disagreement).
    mine = tmp_path / "oa" / "works.jsonl"
    mine.parent.mkdir()
    mine.write_text(json.dumps({"id": "https://openalex.org/W9000000777", "title": "Raw affiliations that disagree",
                                "publication_year": 2022, "type": "article", "authorships": [
        {"author_position": "first", "author": {"id": "https://openalex.org/A7771", "display_name": "Kenji Mori"},
         "institutions": [{"id": "https://openalex.org/I7770001", "display_name": "Kizashi Test Laboratories",
                           "ror": None, "country_code": "US", "type": "company", "lineage": ["https://openalex.org/I7770001"]}],
         "raw_affiliation_strings": ["Kizashi Test Laboratories, Nara, Japan"]},
        {"author_position": "last", "author": {"id": "https://openalex.org/A7772", "display_name": "Mei Chan"},
         "institutions": [{"id": "https://openalex.org/I7770002", "display_name": "Kizashi Harbour Institute",
                           "ror": None, "country_code": "HK", "type": "education", "lineage": ["https://openalex.org/I7770002"]}],
         "raw_affiliation_strings": ["Kizashi Harbour Institute, Kowloon, China"]}]}) + "\n", encoding="utf-8")
    load(store, "openalex", [FIXTURES / "openalex_works.jsonl", mine], tmp_path)
    table = tmp_path / "org_overrides.csv"
    table.write_text("action,name,target,country,note\n"
                     "merge,Beijing University of Aeronautics and Astronautics,Beihang University,,BUAA\n", encoding="utf-8")
    summary = resolve_graph(store, table)
    assert summary["by_method"].get("override") == 1 and summary["overrides_unmatched"] == []
    same = store.read("""MATCH (a:Organization)-[r:SAME_AS]->(b:Organization)
                         RETURN a.name AS a, b.key AS b, r.method AS m ORDER BY a""")
    assert {"a": "Univ Tokyo", "b": "ror:057zh3y96", "m": "name"} in same
    assert {"a": "Tsinghua University", "b": "ror:03cve4549", "m": "name"} in same
    assert {"a": "Beijing University of Aeronautics and Astronautics", "b": "name:beihang university", "m": "override"} in same
    # OpenAlex lineage: RIKEN Center for Quantum Computing rolls up to RIKEN
    roll = store.read("""MATCH (o:Organization {openalex_id: 'I4210096250'}), (p:Organization {openalex_id: 'I1327163397'})
                         RETURN o.rollup_key = p.key AS up, o.canonical_key = o.key AS own""")
    assert roll == [{"up": True, "own": True}]
    jp = store.read("MATCH (c:Country {code: 'JP'}) RETURN c.name AS en, c.name_ja AS ja")
    assert jp == [{"en": "Japan", "ja": "日本"}]
    # resolving again gives the same graph
    assert resolve_graph(store, table)["merged"] == summary["merged"]
    assert store.read("MATCH ()-[r:SAME_AS]->() RETURN count(r) AS n") == [{"n": summary["merged"]}]
    # raw affiliation strings against institution countries (OpenAlex authorships carry both): of the
    # fixture's authorships with raw texts (Tokyo/Japan, Beijing/China, Cambridge MA/USA, NUS Singapore;
    # Fudan, China with no institution) and ours, only ours at the US institution states another country.
    assert raw_disagreements(store) == [{"organization": "openalex:I7770001", "name": "Kizashi Test Laboratories",
                                         "country": "US", "raw_countries": ["JP"],
                                         "raw": "Kizashi Test Laboratories, Nara, Japan", "work": "openalex:W9000000777"}]
    # the CLI explains a merge
    out = subprocess.run([sys.executable, "-m", "cli.main", "orgs", "explain", "Univ Tokyo", "--json"],
                         env=cli_env, capture_output=True, text=True, check=True)
    found = json.loads(out.stdout)
    assert found[0]["canonical"]["key"] == "ror:057zh3y96"
    member = next(m for m in found[0]["members"] if m["name"] == "Univ Tokyo")
    assert member["method"] == "name" and "same match form" in member["detail"]


@pytest.mark.parametrize("text, code", [
    ("School of X, University of North Carolina Chapel Hill, Chapel Hill, NC 27599", "US"),
    ("Brown University, Providence, Rhode Island", "US"),
    ("Ibm Quantum, Haryana, Gurugram, India", "IN"),
    ("Dept. of Physics, Univ. of Tokyo, Tokyo, Japan.", "JP"),
    ("IBM Quantum", None),
])
def test_country_a_raw_affiliation_names(text, code):
    assert address_country(text) == code


@pytest.mark.parametrize("name, code", [("THALES NEDERLAND BV", "NL"), ("SHARP LABORATORIES OF AMERICA INC", "US"),
                                        ("Univ Georgia", None), ("Indian Inst Technol", None), ("Sony", None)])
def test_country_stated_in_a_name(name, code):
    assert country_in_name(name) == code
