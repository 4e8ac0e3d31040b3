from ingest import arxiv as ax
from tests.conftest import FIXTURES
from tests.helpers import MAX


def test_atom_entries_parse():
    items = [(i, p) for i, p in ax.read_file(FIXTURES / "arxiv_feed.xml", MAX)]
    works = [p(i) for i, p in items]
    assert [w.arxiv_id for w in works] == ["2401.00002", "2402.12345"]
    assert works[0].title == "Solid-state electrolytes: a preprint"
    assert works[0].year == 2024 and works[0].date == "2024-01-01"
    assert works[1].doi == "10.5555/kizashi.magnet.2024"
    assert works[1].authors == ("Hanako Suzuki", "Taro Yamada")
    assert [t.key for t in works[1].topics] == ["arxiv:cond-mat.mtrl-sci", "arxiv:physics.app-ph"]
    assert works[1].topics[0].parent.key == "arxiv:cond-mat"


def test_kaggle_metadata_parse():
    works = [p(i) for i, p in ax.read_file(FIXTURES / "arxiv_kaggle.jsonl", MAX)]
    assert works[0].doi == "10.5555/kizashi.qubit.2023"
    assert works[0].authors == ("Aiko Sato", "Wei Zhang", "John Smith", "Unaffiliated Person")
    assert works[0].date == "2023-05-02" and works[0].title == "Error-corrected superconducting qubits at scale"
    assert works[1].arxiv_id == "hep-th/9901001" and works[1].year == 1999
    assert works[1].topics[0].key == "arxiv:hep-th" and works[1].topics[0].parent is None


def test_api_error_feed_is_a_record_error():
    body = b"""<?xml version='1.0'?><feed xmlns="http://www.w3.org/2005/Atom"><entry>
    <id>https://arxiv.org/api/errors#incorrect_id_format_for_abc</id><title>Error</title>
    <summary>incorrect id format for abc</summary></entry></feed>"""
    (item,) = list(ax.feed_entries(body, "req"))
    assert "incorrect id format" in item.reason
