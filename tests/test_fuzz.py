"""Hostile input: every parser, fed mutated versions of real-format records, raises
nothing but Kizashi's own typed errors (``KizashiError``) or the ``Skip`` marker.

Byte-level mutations (cuts, flips, inserted XML/JSON/PDF tokens, duplicated and
deleted spans) run through the same reader + parser pairs the pipeline uses;
JSON parsers also get real records with values replaced by arbitrary JSON. The
pipeline has a safety net for ValueError & co.; these tests hold the parsers to
the contract the pipeline relies on:

- readers (the generators that split a file into raw records) raise nothing but
  ``KizashiError``: they run outside any safety net, so anything else would abort
  the whole ingest;
- a parser's outcome, as the pipeline sees it (``ingest.inputs.parse``), is a
  record, a ``RecordError`` (quarantined with file, record and reason) or None
  (``Skip``). ``parse`` turns the ValueError/TypeError/KeyError family into a
  RecordError "cannot parse: …"; anything else escaping it (RecursionError,
  OverflowError, MemoryError, lxml internals…) is a crash and fails these tests.
"""

from __future__ import annotations

import json
import random
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ingest import arxiv as ax
from ingest import openalex as oa
from ingest import patents, patentsview, policy
from ingest.inputs import parse as pipeline_parse
from ingest.raw import Raw, Skip, fingerprint
from core.errors import KizashiError, RecordError
from core.patent import Patent
from core.policy import PolicyDocument
from core.work import Work
from tests.conftest import FIXTURES

MAX = 2 * 1024 * 1024
ALLOWED = (KizashiError, Skip)
FUZZ = settings(max_examples=150, deadline=None, derandomize=True, database=None,
                suppress_health_check=list(HealthCheck))

# Tokens that break parsers in interesting ways when spliced into a record.
NASTY = [b"<", b">", b"&", b"&amp;", b"&#0;", b"&#xD800;", b"]]>", b"<![CDATA[", b"<!--", b"-->",
         b"<!DOCTYPE x [<!ENTITY e SYSTEM 'file:///etc/passwd'>]>", b"<!ENTITY a 'b'>", b"<?xml version='1.0'?>",
         b"\x00", b"\xff\xfe", b"\xef\xbb\xbf", b"\xc3", b"\xe3\x81", b"\r\n", b"\t", b'"', b"'", b"{", b"}", b"[", b"]",
         b"null", b"-1", b"1e999", b"NaN", b"99999999999999999999", b"0000-00-00", b"29991399", b"%PDF-1.4",
         b"endobj", b"stream\n", b"/Length 999999", b"xref", b"trailer", b"<</Root 1 0 R>>", b"\\u0000",
         b"\xe2\x80\xae", b"\xf0\x9f\x98\x80", "米国".encode(), "株式会社".encode("shift_jis")]

Mutation = tuple[str, float, Any]


@st.composite
def mutations(draw: st.DrawFn) -> list[Mutation]:
    ops = []
    for _ in range(draw(st.integers(1, 4))):
        kind = draw(st.sampled_from(["cut", "flip", "insert", "delete", "dup", "random"]))
        pos = draw(st.floats(0, 1))
        if kind == "flip":
            arg: Any = draw(st.integers(0, 255))
        elif kind == "insert":
            arg = draw(st.sampled_from(NASTY))
        elif kind == "random":
            arg = draw(st.binary(min_size=1, max_size=40))
        else:
            arg = draw(st.integers(1, 400))
        ops.append((kind, pos, arg))
    return ops


def mutate(data: bytes, ops: list[Mutation]) -> bytes:
    for kind, pos, arg in ops:
        i = int(pos * len(data))
        if kind == "cut":
            data = data[:i]
        elif kind == "flip" and data:
            i = min(i, len(data) - 1)
            data = data[:i] + bytes([arg]) + data[i + 1:]
        elif kind in ("insert", "random"):
            data = data[:i] + arg + data[i:]
        elif kind == "delete":
            data = data[:i] + data[i + arg:]
        elif kind == "dup":
            data = data[:i + arg] + data[i:]
    return data


RECORDS = (Work, Patent, PolicyDocument)


def parse(item: Any, parser: Callable[[Raw], Any]) -> Any:
    """The pipeline's own parse step: it must not raise (an exception it does not turn into a
    RecordError escapes and fails the test), and what it returns is nothing (a skipped record),
    a typed record, or a RecordError that names the record's own file and place."""
    out = pipeline_parse(item, parser)
    if isinstance(out, RecordError):
        assert out.source and out.locator and out.reason, out
        if isinstance(item, Raw):
            assert (out.source, out.locator) == (item.source, item.locator), (out, item)
    else:
        assert out is None or isinstance(out, RECORDS), f"{type(out).__name__} is not a typed record: {out!r}"[:500]
    return out


def test_the_parse_check_fails_when_a_parser_misbehaves() -> None:
    raw = Raw("fuzz.jsonl", "line 3", {"id": "W1"}, "fp")

    def leaks(r: Raw) -> Any:
        raise RecursionError("nested too deeply")   # not one the pipeline turns into a RecordError

    def untyped(r: Raw) -> Any:
        return dict(r.data)

    def elsewhere(r: Raw) -> Any:
        raise RecordError("other.jsonl", "line 9", "bad")

    with pytest.raises(RecursionError):
        parse(raw, leaks)
    with pytest.raises(AssertionError, match="not a typed record"):
        parse(raw, untyped)
    with pytest.raises(AssertionError):
        parse(raw, elsewhere)
    bad = parse(raw, lambda r: (_ for _ in ()).throw(ValueError("no title")))
    assert isinstance(bad, RecordError) and (bad.source, bad.locator) == ("fuzz.jsonl", "line 3")


def drain(items: Iterator[tuple[Any, Callable[[Raw], Any]]]) -> int:
    """Run every raw record through its parser as the pipeline does; count the records produced."""
    n = 0
    for item, parser in items:
        assert isinstance(item, (Raw, RecordError)), item
        out = parse(item, parser)
        n += out is not None and not isinstance(out, RecordError)
    return n


def run_file(name: str, data: bytes, read: Callable[[Path], Iterator[tuple[Any, Any]]]) -> int:
    with tempfile.TemporaryDirectory() as d:
        p = Path(d) / name
        p.write_bytes(data)
        try:
            return drain(read(p))
        except ALLOWED:
            return 0


# ------------------------------------------------------------------ JSON record parsers

json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-2**63, 2**63) | st.floats(allow_nan=True) | st.text(max_size=30),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4),
    max_leaves=12)


def _paths(obj: Any, prefix: tuple = ()) -> list[tuple]:
    out = [prefix]
    if isinstance(obj, dict):
        for k, v in obj.items():
            out += _paths(v, prefix + (k,))
    elif isinstance(obj, list):
        for i, v in enumerate(obj):
            out += _paths(v, prefix + (i,))
    return out


def _replace(obj: Any, path: tuple, value: Any) -> Any:
    if not path:
        return value
    head, rest = path[0], path[1:]
    if isinstance(obj, dict):
        return {**obj, head: _replace(obj[head], rest, value)}
    return [(_replace(v, rest, value) if i == head else v) for i, v in enumerate(obj)]


@st.composite
def perturbed(draw: st.DrawFn, records: list[dict[str, Any]]) -> dict[str, Any]:
    """A real record with 1–3 values (anywhere in its tree) replaced by arbitrary JSON."""
    rec = draw(st.sampled_from(records))
    for _ in range(draw(st.integers(1, 3))):
        paths = _paths(rec)
        path = draw(st.sampled_from(paths[1:] or paths))
        rec = _replace(rec, path, draw(json_values))
    return rec


def _jsonl(path: Path) -> list[dict[str, Any]]:
    """The well-formed JSON objects of a fixture (some fixtures hold bad lines on purpose)."""
    out = []
    for line in path.read_bytes().splitlines():
        try:
            obj = json.loads(line)
        except ValueError:
            continue
        if isinstance(obj, dict):
            out.append(obj)
    return out


OPENALEX = _jsonl(FIXTURES / "openalex_works.jsonl") + _jsonl(FIXTURES / "openalex_mixed_entities.jsonl")
KAGGLE = _jsonl(FIXTURES / "arxiv_kaggle.jsonl")
FEDREG = _jsonl(FIXTURES / "policy" / "federal_register_sample.jsonl")
OA_KEYS = sorted({k for r in OPENALEX for k in r})


def _parse_json(parser: Callable[[Raw], Any], obj: Any) -> None:
    parse(Raw("fuzz.jsonl", "line 1", obj, fingerprint(repr(obj).encode())), parser)


@FUZZ
@given(rec=perturbed(OPENALEX))
def test_openalex_to_work_on_perturbed_records(rec: dict[str, Any]) -> None:
    _parse_json(oa.to_work, rec)


@FUZZ
@given(obj=st.dictionaries(st.sampled_from(OA_KEYS) | st.text(max_size=8), json_values, max_size=8))
def test_openalex_to_work_on_arbitrary_objects(obj: dict[str, Any]) -> None:
    _parse_json(oa.to_work, obj)


@FUZZ
@given(rec=perturbed(KAGGLE))
def test_arxiv_metadata_to_work(rec: dict[str, Any]) -> None:
    _parse_json(ax.metadata_to_work, rec)


@FUZZ
@given(rec=perturbed(FEDREG))
def test_federal_register_to_document(rec: dict[str, Any]) -> None:
    _parse_json(policy.fr_to_document, rec)


@FUZZ
@given(ops=mutations())
def test_openalex_jsonl_bytes(ops: list[Mutation]) -> None:
    data = mutate((FIXTURES / "openalex_works.jsonl").read_bytes(), ops)
    run_file("works.jsonl", data, lambda p: ((i, oa.to_work) for i in oa.read_file(p, MAX)))


# ------------------------------------------------------------------ arXiv Atom

ATOM = (FIXTURES / "arxiv_feed.xml").read_bytes()


@FUZZ
@given(ops=mutations())
def test_arxiv_atom_bytes(ops: list[Mutation]) -> None:
    data = mutate(ATOM, ops)
    drain((item, ax.entry_to_work) for item in ax.feed_entries(data, "feed.xml"))
    run_file("feed.xml", data, lambda p: ax.read_file(p, MAX))


# ------------------------------------------------------------------ patents, every format

PATENT_FILES = sorted(p for p in (FIXTURES / "patents").iterdir() if p.is_file())


@pytest.mark.parametrize("fixture", PATENT_FILES, ids=lambda p: p.name)
def test_patent_formats(fixture: Path) -> None:
    base = fixture.read_bytes()
    # the unmutated fixture reads without an unexpected exception too
    run_file(fixture.name, base, lambda p: patents.reader(p, MAX))

    @settings(max_examples=60, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))
    @given(ops=mutations())
    def check(ops: list[Mutation]) -> None:
        run_file(fixture.name, mutate(base, ops), lambda p: patents.reader(p, MAX))

    check()


PV = FIXTURES / "patents" / "patentsview"


@pytest.mark.parametrize("table", sorted(p.name for p in PV.iterdir()))
def test_patentsview_tables(table: str) -> None:
    tables = {p.name: p.read_bytes() for p in PV.iterdir()}

    @settings(max_examples=40, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))
    @given(ops=mutations())
    def check(ops: list[Mutation]) -> None:
        with tempfile.TemporaryDirectory() as d:
            for name, data in tables.items():
                (Path(d) / name).write_bytes(mutate(data, ops) if name == table else data)
            try:
                drain(patentsview.read_dir(Path(d)))
            except ALLOWED:
                pass

    check()


# ------------------------------------------------------------------ policy: text, HTML, PDF, YAML, FR JSON

def minimal_pdf(text: str = "Export controls on gallium and germanium, Japan and China.") -> bytes:
    """A small valid one-page PDF with real text, built by hand (offsets computed)."""
    stream = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode()
    objs = [b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
            b"/Resources << /Font << /F1 5 0 R >> >> >>",
            b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
            b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
            b"<< /Title (Fuzz note) /CreationDate (D:20240501000000) >>"]
    out = b"%PDF-1.4\n"
    offsets = []
    for i, o in enumerate(objs, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + o + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1)
    out += b"".join(b"%010d 00000 n \n" % off for off in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R /Info 6 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, xref)
    return out


POLICY_BASES = {
    "2024-05-01_meti_note.txt": (FIXTURES / "policy" / "2024-05-01_meti_critical-minerals-note.txt").read_bytes(),
    "minerals_page.html": (FIXTURES / "policy" / "minerals_page.html").read_bytes(),
    "not_really.pdf": (FIXTURES / "policy" / "not_really.pdf").read_bytes(),
    "real_note.pdf": minimal_pdf(),
    "controls.yaml": (FIXTURES / "policy" / "export_controls_sample.yaml").read_bytes(),
    "federal_register.jsonl": (FIXTURES / "policy" / "federal_register_sample.jsonl").read_bytes(),
}


def test_minimal_pdf_is_read() -> None:
    doc = run_file("real_note.pdf", POLICY_BASES["real_note.pdf"], lambda p: policy.read_file(p, MAX, ner=False))
    assert doc == 1


@pytest.mark.parametrize("name", sorted(POLICY_BASES))
def test_policy_inputs(name: str) -> None:
    base = POLICY_BASES[name]

    @settings(max_examples=60, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))
    @given(ops=mutations())
    def check(ops: list[Mutation]) -> None:
        run_file(name, mutate(base, ops), lambda p: policy.read_file(p, MAX, ner=False))

    check()


# ------------------------------------------------------------------ specific hostile files, loaded into Neo4j
# Each bad record is quarantined with its file and record; the good records around it load.

BOMB_DOC = b"""<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE us-patent-grant [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;"><!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">]>
<us-patent-grant><us-bibliographic-data-grant><publication-reference><document-id><country>US</country>
<doc-number>08888001</doc-number><kind>B1</kind><date>20110816</date></document-id></publication-reference>
<invention-title>&lol4;</invention-title></us-bibliographic-data-grant></us-patent-grant>
"""

XXE_DOC = b"""<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE us-patent-grant [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<us-patent-grant><us-bibliographic-data-grant><publication-reference><document-id><country>US</country>
<doc-number>08888002</doc-number><kind>B1</kind><date>20110816</date></document-id></publication-reference>
<invention-title>&xxe;</invention-title></us-bibliographic-data-grant></us-patent-grant>
"""


def _weekly_docs() -> list[bytes]:
    data = (FIXTURES / "patents" / "ipg_weekly.xml").read_bytes()
    starts = [i for i in range(len(data)) if data.startswith(b"<?xml", i)]
    return [data[a:b] for a, b in zip(starts, starts[1:] + [len(data)])]


def _load_patents(store, paths: list[Path], tmp: Path, max_bytes: int = 8 * 1024 * 1024):
    from graph.patent import write_patents
    from graph.pipeline import ingest
    from ingest.quarantine import Quarantine

    q = Quarantine(tmp / "quarantine.jsonl")
    try:
        report = ingest(store, patents.inputs(paths, max_bytes), "patents", batch_size=50, quarantine=q,
                        show_progress=False, writer=write_patents, link=False)
    finally:
        q.close()
    bad = [json.loads(line) for line in q.path.read_text().splitlines()] if q.path.exists() else []
    return report, bad


def test_uspto_weekly_file_with_bomb_xxe_and_a_50mb_document(store, tmp_path: Path) -> None:
    docs = _weekly_docs()
    huge = docs[0].replace(b"<abstract", b"<abstract>" + b"x" * (50 * 1024 * 1024) + b"</abstract><abstract", 1)
    f = tmp_path / "ipg240102.xml"
    f.write_bytes(docs[0] + BOMB_DOC + XXE_DOC + huge + b"".join(docs[1:]))
    report, bad = _load_patents(store, [f], tmp_path)
    keys = sorted(r["k"] for r in store.read("MATCH (p:Patent) RETURN p.key AS k"))
    assert keys == ["pat:US7999001B2", "pat:US9999003B2"]
    by_doc = {b["locator"].split(" (")[0]: b for b in bad}
    assert all(b["source"] == str(f.resolve()) for b in bad)
    assert "declares entities" in by_doc["document 2"]["reason"] or "entit" in by_doc["document 2"]["reason"]
    assert "entit" in by_doc["document 3"]["reason"]
    assert "longer than" in by_doc["document 4"]["reason"]
    assert "malformed XML" in by_doc["document 5"]["reason"]     # the fixture's own broken document
    titles = [r["t"] or "" for r in store.read("MATCH (p:Patent) RETURN p.title AS t")]
    assert not any("lollol" in t or "root:" in t for t in titles)


def test_uspto_truncated_gzip_keeps_the_documents_before_the_cut(store, tmp_path: Path) -> None:
    import gzip

    docs = _weekly_docs()
    rng = random.Random(3)
    noise = "".join(rng.choice("abcdefghijklmnopqrstuvwxyz ") for _ in range(1 << 20)).encode()
    filler = b'<?xml version="1.0"?>\n<sequence-cwu><!-- ' + noise + b" --></sequence-cwu>\n"  # incompressible: the cut lands in it
    whole = gzip.compress(docs[0] + filler + b"".join(docs[1:]))
    f = tmp_path / "ipg240109.xml.gz"
    f.write_bytes(whole[: int(len(whole) * 0.6)])
    report, bad = _load_patents(store, [f], tmp_path)
    assert [r["k"] for r in store.read("MATCH (p:Patent) RETURN p.key AS k")] == ["pat:US7999001B2"]
    assert any("truncated or corrupt" in b["reason"] and b["source"] == str(f.resolve()) for b in bad)


def test_policy_folder_with_hostile_files(store, tmp_path: Path) -> None:
    import gzip

    from graph.policy import write_policy
    from graph.pipeline import ingest
    from ingest.quarantine import Quarantine

    d = tmp_path / "policy"
    d.mkdir()
    (d / "2024-05-01_good_note.txt").write_text("China announced export controls on gallium in July 2023.\n", encoding="utf-8")
    (d / "2024-05-02_cp932_note.txt").write_bytes("中国はガリウムの輸出管理を開始した。日本も注視。\n".encode("cp932"))
    (d / "huge.txt").write_bytes(b"gallium " * (50 * 1024 * 1024 // 8 + 1))
    (d / "fake.pdf").write_bytes(b"<html><body>not a PDF at all</body></html>")
    (d / "scripted.html").write_bytes(b"<html><head><title>Rare earths</title><script>document.write('Germany "
                                      b"germanium');</script></head><body><p>Japan and rare earths.</p>"
                                      b"<script src='x.js'></script></body></html>")
    fr = (FIXTURES / "policy" / "federal_register_sample.jsonl").read_bytes()
    (d / "fr.jsonl.gz").write_bytes(gzip.compress(fr + b"\n".join([fr] * 3000))[:-200])
    q = Quarantine(tmp_path / "q.jsonl")
    try:
        report = ingest(store, policy.inputs([str(d)], 8 * 1024 * 1024, ner=False), "policy", batch_size=50,
                        quarantine=q, show_progress=False, writer=write_policy, link=False)
    finally:
        q.close()
    bad = [json.loads(line) for line in q.path.read_text().splitlines()]
    by_file = {}
    for b in bad:
        by_file.setdefault(Path(b["source"]).name, []).append(b["reason"])
    assert any("longer than" in r for r in by_file["huge.txt"])
    assert any("not a PDF" in r for r in by_file["fake.pdf"])
    assert any("truncated or corrupt" in r for r in by_file["fr.jsonl.gz"])
    docs = {r["k"]: r for r in store.read("MATCH (p:PolicyDocument) RETURN p.key AS k, p.title AS t")}
    assert {"doc:2024-05-01_good_note", "doc:2024-05-02_cp932_note", "doc:scripted", "fr:2099-00001"} <= set(docs)
    assert "doc:huge" not in docs and "doc:fake" not in docs
    html = store.read("MATCH (:PolicyDocument {key: 'doc:scripted'})-[:MENTIONS]->(x) RETURN coalesce(x.key, x.code) AS k")
    mentioned = {r["k"] for r in html}
    assert "JP" in mentioned and "DE" not in mentioned and "Ge" not in mentioned   # script text never read


# ------------------------------------------------------------------ arXiv OAI-PMH and bibliographic exports

OAI = """<?xml version="1.0" encoding="UTF-8"?>
<OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/"><responseDate>2024-01-02T00:00:00Z</responseDate>
<ListRecords><record><header><identifier>oai:arXiv.org:quant-ph/9901001</identifier><datestamp>2008-02-03</datestamp>
<setSpec>physics:quant-ph</setSpec></header><metadata>
<oai_dc:dc xmlns:oai_dc="http://www.openarchives.org/OAI/2.0/oai_dc/" xmlns:dc="http://purl.org/dc/elements/1.1/">
<dc:title>Entanglement of trapped ions for sensing</dc:title><dc:creator>Tanaka, Hiroshi</dc:creator>
<dc:creator>Smith, Anna</dc:creator><dc:subject>Quantum Physics</dc:subject>
<dc:description>We show that entangled ions improve magnetic sensing.</dc:description>
<dc:date>1999-01-04</dc:date><dc:type>text</dc:type><dc:identifier>http://arxiv.org/abs/quant-ph/9901001</dc:identifier>
</oai_dc:dc></metadata></record>
<record><header><identifier>oai:arXiv.org:2101.00002</identifier></header><metadata>
<oai_dc:dc xmlns:oai_dc="http://www.openarchives.org/OAI/2.0/oai_dc/" xmlns:dc="http://purl.org/dc/elements/1.1/">
<dc:title>窒化ガリウムの量子センサ</dc:title><dc:creator>山田, 太郎</dc:creator><dc:date>2021-01-01</dc:date>
</oai_dc:dc></metadata></record></ListRecords></OAI-PMH>
""".encode()


def test_arxiv_oai_record_is_read() -> None:
    assert run_file("oai.xml", OAI, lambda p: ax.read_file(p, MAX)) == 2


@FUZZ
@given(ops=mutations())
def test_arxiv_oai_bytes(ops: list[Mutation]) -> None:
    run_file("oai.xml", mutate(OAI, ops), lambda p: ax.read_file(p, MAX))


EXPORTS = sorted(p for p in (FIXTURES / "exports").iterdir() if p.is_file())


@pytest.mark.parametrize("fixture", EXPORTS, ids=lambda p: p.name)
def test_bibliographic_exports(fixture: Path) -> None:
    from ingest import conference, scopus, wos
    from cli.exports import kind_of

    kind = kind_of(fixture)
    if kind is None and fixture.suffix == ".jsonl":
        kind = "conference"
    read = {"wos": wos.read, "scopus": scopus.read, "conference": conference.read}.get(kind)
    if read is None:
        pytest.skip(f"{fixture.name}: not a per-record export ({kind})")
    base = fixture.read_bytes()
    assert run_file(fixture.name, base, lambda p: read(p, MAX)) > 0

    @settings(max_examples=60, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))
    @given(ops=mutations())
    def check(ops: list[Mutation]) -> None:
        run_file(fixture.name, mutate(base, ops), lambda p: read(p, MAX))

    check()
