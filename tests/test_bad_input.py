"""A file mixing good and malformed records loads every good record and reports every bad one."""

import gzip
import json
from pathlib import Path

from ingest import arxiv as ax
from ingest.raw import xml_root
from core.errors import RecordError
from tests.conftest import FIXTURES
from tests.helpers import MAX, load

GOOD = (FIXTURES / "openalex_works.jsonl").read_bytes().splitlines()


def _reasons(q) -> list[dict]:
    return [json.loads(line) for line in q.path.read_text().splitlines()] if q.path.exists() else []


def test_mixed_jsonl_loads_good_and_quarantines_bad(store, tmp_path: Path):
    f = tmp_path / "mixed.jsonl"
    deep = b"[" * 100_000 + b"]" * 100_000
    lines = [GOOD[0], b'{"id": "https://openalex.org/W1", "title": "trunc', b"\xff\xfe not utf-8 \x81",
             GOOD[1], b'["an array"]', deep, b'{"title": "no identifiers at all"}', GOOD[2]]
    f.write_bytes(b"\n".join(lines) + b"\n")
    report, q = load(store, "openalex", [f], tmp_path)
    assert report.loaded == 3
    bad = _reasons(q)
    assert [b["locator"] for b in bad] == ["line 2", "line 3", "line 5", "line 6", "line 7"]
    assert all(b["source"] == str(f.resolve()) for b in bad)
    assert "invalid JSON" in bad[0]["reason"] and "not UTF-8" in bad[1]["reason"]
    assert "expected a JSON object" in bad[2]["reason"] and "nested too deeply" in bad[3]["reason"]
    assert store.read("MATCH (w:Work) RETURN count(w) AS n") == [{"n": 3}]


def test_oversized_line_is_skipped_without_reading_it_whole(store, tmp_path: Path):
    f = tmp_path / "big.jsonl"
    with open(f, "wb") as out:
        out.write(GOOD[0] + b"\n")
        out.write(b'{"id": "https://openalex.org/W2", "title": "' + b"x" * (50 * 1024 * 1024) + b'"}\n')
        out.write(GOOD[1] + b"\n")
    from tests.helpers import openalex_input
    from graph.pipeline import ingest
    from ingest.quarantine import Quarantine

    q = Quarantine(tmp_path / "q.jsonl")
    report = ingest(store, [openalex_input(f, max_bytes=1024 * 1024)], "openalex", batch_size=10, quarantine=q, show_progress=False)
    q.close()
    assert report.loaded == 2
    (bad,) = _reasons(q)
    assert bad["locator"] == "line 2" and "longer than 1048576 bytes" in bad["reason"]


def test_truncated_gzip_keeps_records_before_the_break(store, tmp_path: Path):
    whole = gzip.compress(b"\n".join(GOOD * 200) + b"\n")
    f = tmp_path / "cut.jsonl.gz"
    f.write_bytes(whole[: len(whole) // 2])
    report, q = load(store, "openalex", [f], tmp_path)
    (bad,) = _reasons(q)
    assert "truncated or corrupt" in bad["reason"]
    assert report.loaded == 3  # the three distinct works, all before the cut


def test_wrong_field_types_are_reported_per_record(store, tmp_path: Path):
    f = tmp_path / "kaggle.jsonl"
    good = (FIXTURES / "arxiv_kaggle.jsonl").read_text().splitlines()
    bad = json.dumps({"id": "2301.00001", "title": ["not", "a", "string"], "categories": "cs.LG"})
    f.write_text("\n".join([good[0], bad, good[1]]) + "\n")
    report, q = load(store, "arxiv", [f], tmp_path)
    assert report.loaded == 2
    (rec,) = _reasons(q)
    assert rec["locator"] == "line 2" and "'title' should be a string" in rec["reason"]


BOMB = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<feed xmlns="http://www.w3.org/2005/Atom"><entry><id>http://arxiv.org/abs/2401.00009</id><title>&lol3;</title></entry></feed>"""

XXE = b"""<?xml version="1.0"?>
<!DOCTYPE feed [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<feed xmlns="http://www.w3.org/2005/Atom"><entry><id>http://arxiv.org/abs/2401.00010</id><title>&xxe;</title></entry></feed>"""


def test_xml_bomb_and_external_entity_are_refused(store, tmp_path: Path):
    for name, body in (("bomb.xml", BOMB), ("xxe.xml", XXE)):
        (tmp_path / name).write_bytes(body)
    good = tmp_path / "good.xml"
    good.write_bytes((FIXTURES / "arxiv_feed.xml").read_bytes())
    report, q = load(store, "arxiv", [tmp_path / "bomb.xml", good, tmp_path / "xxe.xml"], tmp_path)
    assert report.loaded == 2
    bad = _reasons(q)
    assert {Path(b["source"]).name for b in bad} == {"bomb.xml", "xxe.xml"}
    assert all("declares entities" in b["reason"] for b in bad)
    titles = [r["t"] for r in store.read("MATCH (w:Work) RETURN w.title AS t")]
    assert not any("root:" in (t or "") or "lollol" in (t or "") for t in titles)


def test_undeclared_entity_never_reads_local_files():
    # Even without a DOCTYPE the parser must not fetch anything: entities stay unresolved.
    body = b'<feed xmlns="http://www.w3.org/2005/Atom"><title>ok</title></feed>'
    assert xml_root(body, "x").findtext("{http://www.w3.org/2005/Atom}title") == "ok"


def test_malformed_feed_is_one_error_not_a_crash(tmp_path: Path):
    f = tmp_path / "broken.xml"
    f.write_bytes((FIXTURES / "arxiv_feed.xml").read_bytes()[:700])
    items = [i for i, _ in ax.read_file(f, MAX)]
    assert len(items) == 1 and isinstance(items[0], RecordError) and "malformed XML" in items[0].reason


def test_quarantine_is_summed_up_not_printed_per_record(tmp_path: Path, cli_env) -> None:
    import subprocess
    import sys

    f = tmp_path / "untitled.jsonl"
    rows = [GOOD[0]] + [json.dumps({"title": f"no ids {i}"}).encode() for i in range(12)] + [b"{broken"]
    f.write_bytes(b"\n".join(rows) + b"\n")
    out = subprocess.run([sys.executable, "-m", "cli.main", "ingest", "openalex", str(f)], env=cli_env,
                         capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    text = out.stdout + out.stderr
    assert "quarantined 13" in text and "12 × " in text and "1 × invalid JSON" in text
    assert text.count("skipped") == 0                 # no line per bad record
    assert ".jsonl" in text.split("quarantined:")[1]   # names the file that lists each one
