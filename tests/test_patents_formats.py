"""Each patent format parses into typed Patent records (no database needed);
malformed documents are reported while their neighbours parse; entities are
mapped but never expanded."""

from __future__ import annotations

from pathlib import Path

import pytest

from core.patent import Patent, class_chain, class_code, publication_number
from ingest import patentsview
from ingest.patent_xml import safe_root
from ingest.patents import family, reader
from ingest.raw import Skip
from core.errors import RecordError
from tests.conftest import FIXTURES

PAT = FIXTURES / "patents"
MAX = 8 * 1024 * 1024


def parse(path: Path) -> tuple[list[Patent], list[RecordError], int]:
    patents, errors, skipped = [], [], 0
    items = patentsview.read_dir(path) if path.is_dir() else reader(path, MAX)
    for item, parser in items:
        if isinstance(item, RecordError):
            errors.append(item)
            continue
        try:
            patents.append(parser(item))
        except Skip:
            skipped += 1
        except RecordError as e:
            errors.append(e)
    return patents, errors, skipped


def one(path: Path) -> Patent:
    patents, errors, _ = parse(path)
    assert not errors and len(patents) == 1
    return patents[0]


def test_concatenated_weekly_file_reports_the_bad_document_and_keeps_the_rest():
    patents, errors, skipped = parse(PAT / "ipg_weekly.xml")
    assert [p.key for p in patents] == ["pat:US7999001B2", "pat:US9999003B2"]
    assert len(errors) == 1 and errors[0].locator.startswith("document 2 ")
    assert errors[0].source.endswith("ipg_weekly.xml") and "malformed XML" in errors[0].reason
    assert skipped == 1  # the sequence listing is not a patent

    v42, v45 = patents
    assert v42.title == "Wafer with a “gallium” nitride layer at 300° C"
    assert v42.abstract == "A wafer carries a gallium nitride layer grown at 300° C."
    assert (v42.application_number, v42.application_date, v42.priority_date, v42.publication_date) == \
        ("12345678", "2008-03-04", "2007-03-06", "2011-08-16")
    assert v42.ipc == ("H01L21/02",) and v42.cpc == ()
    assert [(a.name, a.country, a.organization) for a in v42.applicants] == [("Kizashi Semiconductor Co., Ltd.", "JP", True)]
    assert [(i.name, i.country) for i in v42.inventors] == [("Hiroshi Tanaka", "JP"), ("Anna Smith", "US")]

    assert v45.cpc == ("G06N10/00", "H01L21/02")
    # A US assignee given only a state (role 02) is in the US.
    assert [(a.name, a.country) for a in v45.applicants] == [("Horizon Quantum Inc.", "US"), ("Kizashi Semiconductor Co., Ltd.", "JP")]
    assert [i.country for i in v45.inventors] == ["CZ", "US", "US"]


def test_patdoc_sgml_grant_with_ndata_entities_and_iso_names():
    p = one(PAT / "patdoc_grant.xml")
    assert p.key == "pat:US6999001B1"
    assert p.title == "Lithium battery with “solid” electrolyte — θ-phase"
    assert p.ipc == ("H01M10/04", "H01M4/02")   # fixed-width "H01M 1004", "H01M  402"
    assert (p.application_date, p.priority_date) == ("1999-09-21", "1998-09-22")
    assert [(a.name, a.country) for a in p.applicants] == [("Hanbit Energy Co., Ltd.", "KR")]
    assert [(i.name, i.country) for i in p.inventors] == [("Jin Park", "KR"), ("Mary Jones", "US")]


def test_pap_pre_grant_publication():
    p = one(PAT / "pap_application.xml")
    assert p.key == "pat:US2003000123A1"   # DOCDB form of US20030000123
    assert p.ipc == ("G06N3/08",) and p.priority_date == "2001-05-18"
    assert [(a.name, a.country, a.organization) for a in p.applicants] == [("Neuronik GmbH", "DE", True)]
    assert p.abstract == "A neural network is trained with fewer labelled examples."


def test_declared_entities_are_refused_and_never_expanded():
    for name in ("xxe_external.xml", "xxe_laughs.xml"):
        patents, errors, _ = parse(PAT / name)
        assert errors and "declares entities" in errors[0].reason
        assert all("root:" not in (p.title or "") and "lol" not in (p.title or "") for p in patents)
    # An undeclared name is neither resolved nor fatal: it stays visible as text.
    patents, _, _ = parse(PAT / "xxe_laughs.xml")
    assert [p.title for p in patents] == ["Undeclared &xxe; stays text"]
    with pytest.raises(RecordError):
        safe_root(b'<!DOCTYPE a [<!ENTITY % p SYSTEM "http://example.org/x.dtd"> %p;]><a/>', "inline")


def test_epo_ops_biblio_and_family():
    p = one(PAT / "ops_biblio.xml")
    assert (p.key, p.family_id, p.family_key) == ("pat:EP3500001A1", "61234567", "docdb:61234567")
    assert p.title == "SOLID ELECTROLYTE" and p.abstract.startswith("A sulfide solid electrolyte")
    assert p.cpc == ("H01M10/0562",) and p.ipc == ("H01M10/0562",)
    assert [(a.name, a.country) for a in p.applicants] == [("TOYOKAWA DENKI KK", "JP"), ("UNIV LEUVEN KATH", "BE")]
    assert (p.application_date, p.priority_date) == ("2017-11-20", "2016-11-22")

    members, errors, _ = parse(PAT / "ops_family.xml")
    assert not errors
    assert [(m.key, m.family_id) for m in members] == [("pat:EP3500001A1", "61234567"), ("pat:JP2018081234A", "61234567")]


def test_docdb_fragment_with_undeclared_namespace_and_entities():
    p = one(PAT / "docdb_fragment.xml")
    assert (p.key, p.family_id, p.publication_date) == ("pat:WO2021001234A1", "70012345", "2021-01-07")
    assert p.cpc == ("C22B59/00",)
    assert [(a.name, a.country) for a in p.applicants] == [("POLITECHNIKA WARSZAWSKA", "PL")]
    assert [i.name for i in p.inventors] == ["WIŚNIEWSKI TOMASZ"]


def test_ep_publication_server_document_and_a_malformed_one():
    p = one(PAT / "ep_grant.xml")
    assert p.key == "pat:EP3600001B1" and p.title == "UNMANNED AERIAL VEHICLE"
    assert p.application_number == "18123456" and p.priority_date == "2017-05-19"
    # Proprietors of a granted patent are its owners.
    assert [(a.name, a.country) for a in p.applicants] == [("Droni Italia S.p.A.", "IT"), ("Aero Holdings Ltd", "GB")]
    patents, errors, _ = parse(PAT / "ep_malformed.xml")
    assert patents == [] and len(errors) == 1
    assert errors[0].source.endswith("ep_malformed.xml") and errors[0].locator == "document"


def test_patent_public_search_page_and_documents():
    hits, errors, _ = parse(PAT / "ppubs_search.json")
    assert not errors
    assert [(h.key, h.family_id) for h in hits] == [("pat:US11900001B2", "78123456"), ("pat:US2024001234A1", None)]
    assert hits[0].cpc == ("G06N10/70", "H03M13/15") and hits[0].application_number == "17461234"
    doc = one(PAT / "ppubs_documents.json")
    assert doc.key == "pat:US6800001B1" and doc.abstract == "A germanium photodetector on silicon."
    # "N/A" country with a state is a US address.
    assert [(a.name, a.country) for a in doc.applicants] == [("Lumen Photonics, Inc.", "US"), ("Nordlys AS", "NO")]
    assert [(i.name, i.country) for i in doc.inventors] == [("Berg, Ola", "NO"), ("Chen, Wei", "US")]


def test_patentsview_tables_join_by_patent_id():
    patents, errors, _ = parse(PAT / "patentsview")
    assert not errors
    by = {p.key: p for p in patents}
    assert set(by) == {"pat:US11000001B2", "pat:USD900001S1", "pat:US11000002B1"}
    p = by["pat:US11000001B2"]
    assert p.cpc == ("H01M4/505", "Y02E60/10")
    assert [(a.name, a.country, a.organization) for a in p.applicants] == [
        ("Samsung SDI Co., Ltd.", "KR", True), ("Umicore", "BE", True), ("Jane Doe", None, False)]
    assert by["pat:US11000002B1"].applicants == ()


def test_file_families_are_recognised_by_content():
    assert family(PAT / "ipg_weekly.xml") == "uspto"
    assert family(PAT / "patdoc_grant.xml") == "uspto"
    assert family(PAT / "ops_family.xml") == "epo_ops"
    assert family(PAT / "docdb_fragment.xml") == "docdb"
    assert family(PAT / "ep_grant.xml") == "ep"
    assert family(PAT / "ppubs_documents.json") == "ppubs"


@pytest.mark.parametrize("text,code", [
    ("H01L 21/02", "H01L21/02"), ("C10L   1/    00", "C10L1/00"), ("A41B001/00", "A41B1/00"),
    (" 7C 07C 29/44 A", "C07C29/44"), ("G06F 1516", "G06F15/16"), ("A45F  504", "A45F5/04"),
    ("H01F 27/14 20060101AFI20171122BHEP", "H01F27/14"), ("D 1128", None)])
def test_class_codes(text, code):
    assert class_code(text) == code


def test_identifiers_and_hierarchy():
    assert publication_number("US", "D0656296") == "D656296"
    assert publication_number("US", "20050004437") == "2005004437"
    assert publication_number("EP", "0874807") == "0874807"
    assert class_chain("H01L21/02") == [("H", "section"), ("H01", "class"), ("H01L", "subclass"),
                                        ("H01L21/00", "group"), ("H01L21/02", "subgroup")]
    assert class_chain("G06N10/00")[-1] == ("G06N10/00", "group")


def test_lens_publication_export():
    patents, errors, _ = parse(PAT / "lens_export.csv")
    assert not errors
    p, corrected = patents
    assert (p.key, p.publication_date, p.application_date, p.priority_date) == ("pat:US2016123456A1", "2016-05-05", "2015-11-01", "2014-11-03")
    assert p.priority_countries == ("FR", "US") and p.cpc == ("B64C39/024", "B64C2201/027")
    assert [a.name for a in p.applicants] == ["PARROT", "DRONE LABS INC"] and all(a.country is None for a in p.applicants)
    # A correction's number carries its date; a two-digit year takes the century before the publication year.
    assert (corrected.key, corrected.application_date, corrected.applicants) == ("pat:EP2135119B8", "1998-03-19", ())


def test_derwent_record_yields_one_patent_per_family_member():
    patents, errors, _ = parse(PAT / "derwent_export.ciw")
    assert not errors
    assert [(p.key, p.publication_date, p.family_key) for p in patents] == [
        ("pat:US2016123456A1", "2016-05-05", "derwent:201631234X"), ("pat:FR3027999A1", "2016-05-06", "derwent:201631234X"),
        ("pat:RU2432999C2", "2011-10-27", "derwent:2011N12345")]
    us = patents[0]
    assert [(a.name, a.organization) for a in us.applicants] == [("PARROT", True), ("DUPONT J", False)]
    assert us.ipc == ("B64C39/02", "B64C27/08") and us.priority_countries == ("FR", "US")
    assert us.abstract.startswith("NOVELTY - The frame") and us.application_number == "US930001"
    # The year 1225 upstream is no date at all, not a wrong one.
    assert patents[2].priority_date is None and patents[2].application_date is None


def test_over_long_documents_are_reported_and_the_rest_split(tmp_path: Path):
    from ingest.patent_xml import documents

    sizes = [(d[0], len(d[1])) if isinstance(d, tuple) else d for d in documents(PAT / "ipg_weekly.xml", 2500)]
    errors = [d for d in sizes if isinstance(d, RecordError)]
    assert [e.locator for e in errors] == ["document 1 (line 1)", "document 4 (line 108)"]
    assert [s[0] for s in sizes if isinstance(s, tuple)] == ["document 2 (line 87)", "document 3 (line 102)"]
    # A truncated gzip loses the rest of the file, and says so.
    import gzip

    data = gzip.compress((PAT / "ipg_weekly.xml").read_bytes())
    cut = tmp_path / "cut.xml.gz"
    cut.write_bytes(data[: len(data) // 2])
    items = list(documents(cut, MAX))
    assert isinstance(items[-1], RecordError) and "truncated" in items[-1].reason


def test_formats_dispatch_through_the_registry(tmp_path: Path):
    from ingest import patent_formats
    from ingest.patent_formats import PatentFormat, register

    # Every kind family() can report has a reader, and each XML root belongs to one kind.
    kinds = {f.kind for f in patent_formats.formats()}
    assert {"uspto", "ep", "docdb", "epo_ops", "ppubs", "lens", "derwent", "patentsview",
            "assignment", "classification"} <= kinds
    assert patent_formats.by_root("us-patent-grant").kind == "uspto"
    assert patent_formats.by_root("exchange-documents").kind == "docdb"
    # A second module claiming a kind or a root is refused, not silently overriding the first.
    def other(path: Path, max_bytes: int):
        yield from ()
    other.__module__ = "somewhere.else"
    with pytest.raises(ValueError, match="registered twice"):
        register(PatentFormat("uspto", other))
    with pytest.raises(ValueError, match="claimed by"):
        register(PatentFormat("not-uspto", other, roots=("PATDOC",)))
    assert patent_formats.get("not-uspto") is None and patent_formats.by_root("PATDOC").kind == "uspto"
    # The dispatcher reads whatever registers: a new format needs no edit of ingest.patents.
    seen = []

    def read_demo(path: Path, max_bytes: int):
        seen.append(path.name)
        yield from ()
    register(PatentFormat("demo-format", read_demo, roots=("demo-patents",)))
    try:
        f = tmp_path / "x.xml"
        f.write_bytes(b"<?xml version='1.0'?><demo-patents/>")
        assert family(f) == "demo-format"
        assert list(reader(f, MAX)) == [] and seen == ["x.xml"]
    finally:
        patent_formats._FORMATS.pop("demo-format")
        patent_formats._ROOTS.pop("demo-patents")
