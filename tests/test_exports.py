"""Parsing analysts' exports: Web of Science (text, columns, xls in a zip), Scopus CSV,
papercopilot conference lists. No database needed."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from ingest import conference as cf
from ingest import scopus, wos
from ingest.raw import Raw
from core.errors import RecordError
from cli.exports import kind_of, plan
from tests.conftest import FIXTURES, require
from tests.helpers import MAX

EXPORTS = FIXTURES / "exports"


def _parse(items):
    works, errors = [], []
    for item, parser in items:
        if isinstance(item, RecordError):
            errors.append(item)
            continue
        try:
            works.append(parser(item))
        except RecordError as e:
            errors.append(e)
    return works, errors


@pytest.mark.parametrize("text, code", [
    ("USA", "US"), ("Stanford, CA 94305 USA", "US"), ("CA USA", "US"), ("Peoples R China", "CN"), ("England", "GB"),
    ("Scotland", "GB"), ("Wales", "GB"), ("North Ireland", "GB"), ("U Arab Emirates", "AE"), ("South Korea", "KR"),
    ("Bosnia & Herceg", "BA"), ("Japan.", "JP"), ("Atlantis", None), ("", None),
])
def test_wos_country_spellings(text, code):
    assert wos.country(text) == code


def test_wos_address_parts():
    a = wos.address("[Smith, J; Doe, A] Natl Univ Singapore, Dept Comp Sci, Singapore 117417, Singapore.")
    assert a.authors == ("Smith, J", "Doe, A") and a.organization == "Natl Univ Singapore" and a.country == "SG"
    assert wos.address("City Univ Hong Kong, Dept Phys, Hong Kong, Peoples R China").country == "HK"
    assert wos.split_top("[A; B] X, Japan; [C] Y, France") == ["[A; B] X, Japan", "[C] Y, France"]


def test_wos_plain_text_records_and_bad_ones():
    works, errors = _parse(wos.read(EXPORTS / "savedrecs.txt", MAX))
    assert [w.source_id for w in works] == ["WOS:000900000000001", "WOS:000900000000002"]
    w = works[0]
    assert w.doi == "10.5555/kizashi.qubit.2023" and w.key == "doi:10.5555/kizashi.qubit.2023"
    assert w.title == "Gallium nitride power transistors on silicon for high-frequency converters"
    assert w.year == 2023 and w.cited_by_count == 7 and w.keywords == ("GaN", "power electronics", "HEMT")
    tanaka, smith, macleod = w.authorships
    assert tanaka.name == "Tanaka, Hiroshi"
    assert [o.name for o in tanaka.organizations] == ["Univ Tokyo", "Queens Univ Belfast"]
    assert tanaka.countries == ("JP", "GB")
    assert smith.countries == ("US",) and smith.organizations[0].key == "name:stanford univ"
    # the wrapped continuation line ends MacLeod's Edinburgh address
    assert macleod.countries == ("GB",) and macleod.raw_affiliations[0].endswith("Midlothian, Scotland")
    # repeated C1 tags without author brackets: every author gets every address
    li = works[1].authorships[0]
    assert {o.name for o in li.organizations} == {"Sun Yat sen Univ", "Hong Kong Polytech Univ"}
    assert set(li.countries) == {"CN", "HK"}
    reasons = {e.locator: e.reason for e in errors}
    assert len(errors) == 3 and all(e.source.endswith("savedrecs.txt") for e in errors)
    assert any("neither a UT" in r for r in reasons.values())
    assert any("not a WoS field line" in r for r in reasons.values())
    assert any("not terminated by ER" in r for r in reasons.values())


def test_wos_long_columns_csv_and_jsonl():
    works, errors = _parse(wos.read(EXPORTS / "wos_columns.csv", MAX))
    assert len(works) == 1 and len(errors) == 1 and errors[0].locator == "row 3"
    w = works[0]
    assert w.year == 2023 and w.cited_by_count == 4 and w.source_id == "WOS:001000000000001"
    kim, park, dupont = w.authorships
    assert kim.countries == ("KR",) and park.countries == ("KR", "HK") and dupont.countries == ("FR",)
    works2, errors2 = _parse(wos.read(EXPORTS / "wos_records.jsonl", MAX))
    assert [x.key for x in works2] == [w.key] and "invalid JSON" in errors2[0].reason


def test_wos_xls_inside_a_zip(tmp_path: Path, shared_data: Path):
    real = require(shared_data / "bibliometric_exports" / "wos_generative_ai_2023_xls" / "savedrecs_xls_files.zip")
    bad = tmp_path / "exports.zip"
    with zipfile.ZipFile(real) as src, zipfile.ZipFile(bad, "w") as dst:
        first = sorted(n for n in src.namelist() if n.endswith(".xls"))[0]
        dst.writestr(first, src.read(first))
        dst.writestr("excel files/damaged.xls", b"this is not a workbook")
    works, errors = _parse(wos.read(bad, MAX))
    assert len(works) >= 40 and all(w.source_id and w.source_id.startswith("WOS:") for w in works)
    assert any(a.countries for w in works for a in w.authorships)
    assert len(errors) == 1 and errors[0].source.endswith("damaged.xls") and "not a readable .xls" in errors[0].reason


def test_scopus_rows():
    works, errors = _parse(scopus.read(EXPORTS / "scopus.csv", MAX))
    assert len(works) == 2 and len(errors) == 2
    assert any("neither an EID nor a DOI" in e.reason for e in errors)
    assert any("cells" in e.reason for e in errors)
    w = works[0]
    assert w.doi == "10.5555/kizashi.qnlp.2024" and w.source_id == "2-s2.0-85000000001" and w.cited_by_count == 2
    kundu, ghosh = w.authorships
    assert kundu.author_id == "scopus:58511086300" and kundu.name == "Kundu, Debarshi"
    assert [o.name for o in ghosh.organizations] == ["The Pennsylvania State University", "IBM Quantum"]
    assert ghosh.countries == ("US",)
    neto, ardila = works[1].authorships
    assert works[1].key == "scopus:2-s2.0-85000000002"
    assert neto.organizations[0].name == "QuaTI - Quantum Technology & Information" and neto.countries == ("BR",)
    assert ardila.organizations[0].name == "IonQ, Inc."


def test_scopus_organization_of_an_affiliation():
    assert scopus.organization_of("Department of Physics, University of Tokyo, Bunkyo-ku, Tokyo, 113-0033, Japan") == \
        ("University of Tokyo", "JP")
    assert scopus.organization_of("State Key Laboratory of Mathematical Engineering, Henan, Zhengzhou, 450000, China")[0] == \
        "State Key Laboratory of Mathematical Engineering"


@pytest.mark.parametrize("domain, code", [("ox.ac.uk", "GB"), ("tsinghua.edu.cn", "CN"), ("stanford.edu", "US"),
                                          ("gmail.com", None), ("upstage.ai", None), ("polimi.it", "IT"), ("x", None)])
def test_email_domain_countries(domain, code):
    assert cf.domain_country(domain) == code


def test_conference_papers():
    works, errors = _parse(cf.read(EXPORTS / "conference.jsonl", MAX))
    assert len(works) == 4 and len(errors) == 2
    assert any("no title" in e.reason for e in errors) and any("invalid JSON" in e.reason for e in errors)
    w = works[0]
    assert w.key == "arxiv:2305.00001" and w.source_id == "iclr2024:abc123" and w.cited_by_count == 12
    silva, li, wu = w.authorships
    assert silva.countries == ("GB", "US") and not silva.countries_inferred
    assert {o.name for o in silva.organizations} == {"University of Oxford", "Google"}
    assert li.countries == ("CN",) and li.organizations[0].country == "CN"
    assert wu.countries == ("HK",)            # upstream files Hong Kong under China
    # the index list skips the author without an affiliation
    kumar, chien, kimia = works[1].authorships
    assert kumar.countries == () and chien.countries == ("US",) and kimia.countries == ("US",)
    # no normalized country: inferred, and marked so
    sato, rossi, brown = works[2].authorships
    assert (sato.countries, sato.countries_inferred) == (("JP",), True)        # osaka-u.ac.jp
    assert (rossi.countries, rossi.countries_inferred) == (("IT",), True)      # polimi.it
    assert (brown.countries, brown.countries_inferred) == (("US",), True)      # Brown University elsewhere in the file
    # IEEE venues list every author twice
    assert works[3].authors == ("Chaoli Wang", "Dalong Tan")
    assert works[3].key == "conference:iros2000:895227"


def test_conference_record_without_id_gets_a_stable_title_key():
    rec = {"venue": "cvpr", "year": 2020, "title": "A Paper  Title", "author": "A B"}
    w1 = cf.to_work(Raw("f", "line 1", rec, "fp"))
    w2 = cf.to_work(Raw("g", "line 9", {**rec, "title": "a paper title"}, "fp"))
    assert w1.key == w2.key and w1.key.startswith("conference:cvpr2020:t")


def test_export_kinds_are_recognised(shared_data: Path):
    assert kind_of(EXPORTS / "savedrecs.txt") == "wos"
    assert kind_of(EXPORTS / "scopus.csv") == "scopus"
    assert kind_of(EXPORTS / "wos_columns.csv") == "wos"
    assert kind_of(EXPORTS / "conference.jsonl") == "conference"
    root = require(shared_data / "bibliometric_exports")
    inputs, skipped = plan([root])
    assert {k: len(v) for k, v in inputs.items()} == {"wos": 6, "scopus": 1, "conference": 2}
    # the NeurIPS affiliation-count tables are aggregates, not papers
    assert {p.parent.name for p, _ in skipped} == {"neurips_2021_2025_affiliation_counts"}
    assert all("aggregate" in why for _, why in skipped)
