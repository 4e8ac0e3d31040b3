from pathlib import Path

import pytest

from ingest import openalex as oa
from ingest.raw import Raw
from core.errors import RecordError
from tests.conftest import FIXTURES
from tests.helpers import MAX


def _works():
    return [oa.to_work(i) for i in oa.read_file(FIXTURES / "openalex_works.jsonl", MAX)]


def test_abstract_is_rebuilt_in_position_order():
    assert oa.abstract({"qubits.": [3], "We": [0], "demonstrate": [1], "surface-code": [2]}) == "We demonstrate surface-code qubits."
    assert oa.abstract({}) is None
    assert oa.abstract("not a dict") is None


def test_work_fields_are_normalized():
    w = _works()[0]
    assert w.doi == "10.5555/kizashi.qubit.2023"
    assert w.key == "doi:10.5555/kizashi.qubit.2023"
    assert w.openalex_id == "W9000000001"
    assert w.arxiv_id == "2305.00001"          # from the arXiv landing page location
    assert w.year == 2023 and w.cited_by_count == 12
    assert w.counts_by_year == ((2024, 9), (2023, 3))
    assert w.referenced_works == ("W9000000002", "W1234567890")
    assert w.venue == "Journal of Imaginary Quantum Devices"
    a0 = w.authorships[0]
    assert [o.key for o in a0.organizations] == ["ror:057zh3y96", "openalex:I4210096250"]
    assert a0.organizations[1].lineage == ("I4210096250", "I1327163397")
    assert a0.raw_affiliations[0].startswith("Dept. of Applied Physics")
    assert {t.level for t in w.topics} == {"topic"}
    assert w.topics[0].parent.parent.parent.key == "openalex:domains/3"


def test_optional_fields_and_legacy_host_venue():
    w = _works()[1]
    assert w.doi is None and w.key == "openalex:W9000000002"
    assert w.venue == "Legacy Venue Letters"
    assert w.title == "Gallium nitride transistors for power conversion"


def test_arxiv_doi_yields_arxiv_id():
    assert _works()[2].arxiv_id == "2401.00002"


def test_non_work_entities_are_skipped_not_quarantined():
    items = list(oa.read_file(FIXTURES / "openalex_mixed_entities.jsonl", MAX))
    assert oa.to_work(items[0]).openalex_id == "W9000000001"
    with pytest.raises(oa.NotAWork):
        oa.to_work(items[1])


def test_work_without_any_identifier_is_a_record_error():
    with pytest.raises(RecordError, match="neither an OpenAlex ID nor a DOI"):
        oa.to_work(Raw("f.jsonl", "line 1", {"title": "x"}, "fp"))


def test_saved_api_page_is_read_as_records():
    items = list(oa.read_file(FIXTURES / "openalex_page.json", MAX))
    assert [i.locator for i in items] == ["page result 0", "page result 1"]


def test_wrong_types_do_not_crash_the_parser():
    w = oa.to_work(Raw("f", "line 1", {"id": "https://openalex.org/W1", "publication_year": "nineteen", "authorships": "x",
                                       "cited_by_count": True, "topics": [None, 3], "counts_by_year": [{"year": "2020"}]}, "fp"))
    assert w.year is None and w.authorships == () and w.cited_by_count is None and w.topics == ()


def test_snapshot_layout_only_reads_works_parts(tmp_path: Path):
    for entity in ("works", "institutions"):
        d = tmp_path / "data" / entity / "updated_date=2024-01-01"
        d.mkdir(parents=True)
        (d / "part_000.gz").write_bytes(b"")
    (tmp_path / "data" / "works" / "manifest").write_text("{}")
    found = oa.find_files(tmp_path)
    assert [p.parent.parent.name for p in found] == ["works"]
