"""Policy documents: readers, encodings, mentions with offsets, export-control events,
and loading into the real Neo4j."""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
from pathlib import Path

import pytest

from graph.policy import write_policy
from ingest import controls
from ingest import policy as pol
from ingest.mentions import Extractor, extractor
from graph.pipeline import ingest
from ingest.quarantine import Quarantine
from core.errors import RecordError
from tests.conftest import FIXTURES, require
from tests.helpers import stable_counts

FIX = FIXTURES / "policy"
JA_NOTE = FIX / "2024-05-01_meti_critical-minerals-note.txt"
MAX = 8 * 1024 * 1024


def tiny_pdf(text: str, title: str) -> bytes:
    """A one-page PDF with one line of Helvetica text, built by hand (offsets and all)."""
    stream = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode()
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>",
               b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
               b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
               b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
               b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
               f"<< /Title ({title}) /CreationDate (D:20240917120000Z) >>".encode()]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for i, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R /Info 6 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def parse_one(path: Path, ner: bool = False):
    [(item, parser)] = list(pol.read_file(path, MAX, ner=ner))
    return parser(item)


def load(store, paths: list[Path], tmp: Path, ner: bool = False, force: bool = False):
    q = Quarantine(tmp / "quarantine-policy.jsonl")
    inputs = pol.inputs([str(p) for p in paths], MAX, ner=ner)
    try:
        report = ingest(store, inputs, "policy", batch_size=50, quarantine=q, show_progress=False, force=force,
                        writer=write_policy, link=False)
    finally:
        q.close()
    return report, q


# ---- readers ---------------------------------------------------------------------------------

def test_cp932_text_is_decoded_and_named_from_its_file_name():
    data = JA_NOTE.read_bytes()
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    text, enc = pol.decode(data, str(JA_NOTE))
    assert enc == "cp932" and "ガリウム及びゲルマニウム" in text
    doc = parse_one(JA_NOTE)
    assert doc.key == "doc:2024-05-01_meti_critical-minerals-note"
    assert (doc.language, doc.date, doc.country) == ("ja", "2024-05-01", "JP")
    assert doc.issuer.startswith("経済産業省") and doc.title == "重要鉱物をめぐる最近の動き"


def test_utf8_bom_and_declared_shift_jis():
    assert pol.decode("\ufeff米国".encode("utf-8"), "x") == ("米国", "utf-8-sig")
    assert pol.decode("黒鉛".encode("cp932"), "x", declared="Shift_JIS") == ("黒鉛", "cp932")


def test_html_drops_script_style_and_noscript():
    text, title = pol.html_text((FIX / "minerals_page.html").read_bytes(), "page")
    assert title == "Critical minerals and export controls"
    assert "graphite" in text and "germanium" not in text and "console" not in text and "bismuth" not in text
    doc = parse_one(FIX / "minerals_page.html")
    keys = {(m.label, m.key) for m in doc.mentions}
    assert ("Material", "graphite") in keys and ("Material", "Ge") not in keys and ("Country", "JP") in keys
    assert doc.language == "en" and doc.title == title


def test_pdf_text_title_and_date(tmp_path: Path):
    path = tmp_path / "gallium_brief.pdf"
    path.write_bytes(tiny_pdf("Export controls on gallium and germanium by China", "Gallium brief"))
    doc = parse_one(path)
    assert doc.title == "Gallium brief" and doc.date == "2024-09-17" and doc.language == "en"
    assert {m.key for m in doc.mentions if m.label == "Material"} == {"Ga", "Ge"}


def test_a_non_pdf_named_pdf_is_a_record_error():
    with pytest.raises(RecordError, match="not a PDF"):
        parse_one(FIX / "not_really.pdf")


def test_text_of_a_stored_path_is_the_text_offsets_point_into():
    doc = parse_one(JA_NOTE)
    text = pol.text_of(str(JA_NOTE))
    ga = next(m for m in doc.mentions if m.key == "Ga")
    assert text[ga.offsets[0]:ga.offsets[0] + ga.lengths[0]] == "ガリウム"
    assert pol.text_of(str(FIX / "not_really.pdf")) is None and pol.text_of("https://example.org/a.pdf") is None


def test_language_share_of_japanese_characters():
    assert pol.language("経済安全保障に関する AI と量子") == "ja"
    assert pol.language("Economic security and 量子") == "en"


# ---- mentions --------------------------------------------------------------------------------

def test_japanese_gazetteer_mentions_carry_offsets_not_text():
    text = "米国と中国、そして日米豪印。タイプの違うタイ。インド太平洋。JSTとJSTOR。ガリウム・ゲルマニウム、黒鉛、半導体。"
    mentions = {(m.label, m.key): m for m in extractor("ja", ner=False).mentions(text, ner=False)}
    us = mentions[("Country", "US")]
    assert us.count == 2 and [text[o:o + n] for o, n in zip(us.offsets, us.lengths)] == ["米国", "日米豪印"]
    assert mentions[("Country", "TH")].count == 1                       # タイ, not タイプ
    assert [text[o:o + n] for o, n in zip(mentions[("Country", "IN")].offsets, mentions[("Country", "IN")].lengths)] == ["日米豪印"]
    jst = mentions[("Organization", "name:japan science and technology agency")]
    assert jst.count == 1                                                # JST, not JSTOR
    assert {k for (label, k) in mentions if label == "Material"} == {"Ga", "Ge", "graphite"}
    assert ("Technology", "tech:semiconductors") in mentions


def test_english_phrase_matching_is_case_aware():
    text = "The U.S. and the PRC restrict Gallium; US persons and GaN. Thus us and gan are words."
    found = {(m.label, m.key): m for m in extractor("en").mentions(text)}
    assert found[("Country", "US")].count == 2 and found[("Country", "CN")].count == 1
    assert found[("Material", "Ga")].offsets == (text.index("Gallium"),)
    assert found[("Technology", "tech:semi-wide-bandgap")].count == 1


def test_technology_terms_are_a_parameter():
    from ingest.mentions import TechTerms

    ex = Extractor("ja", terms=(TechTerms("tech:test", "Test", "テスト", ("widget",), ("ウィジェット",)),), ner=False)
    tech = [m for m in ex.mentions("ウィジェットと半導体") if m.label == "Technology"]
    assert [(m.key, m.count) for m in tech] == [("tech:test", 1)]


@pytest.fixture(scope="session")
def ginza_ja() -> Extractor:
    pytest.importorskip("ja_ginza")
    ex = Extractor("ja", ner=True)
    ex.mentions("経済産業省")      # loads GiNZA once for the session
    return ex


def test_ginza_adds_organizations_the_gazetteer_lacks(ginza_ja: Extractor):
    text = "国際協力銀行と経済産業省は、フィンランドの国家緊急供給庁と協力する。"
    found = {(m.label, m.key): m for m in ginza_ja.mentions(text)}
    assert found[("Organization", "name:ministry of economy trade and industry")].method == "gazetteer+ginza"
    assert ("Organization", "name:国際協力銀行") in found and found[("Organization", "name:国際協力銀行")].method == "ginza"
    assert found[("Country", "FI")].count == 1


# ---- export controls -------------------------------------------------------------------------

def events(text: str, lang: str = "ja") -> list[tuple[str, str | None, str | None]]:
    ex = extractor(lang, ner=False)
    return [(e.key, e.announced, e.effective) for e in controls.extract(text, ex.hits(text, ner=False))]


def test_prose_and_flattened_timelines_give_the_same_kind_of_events():
    prose = "中国は2023年8月にガリウム及びゲルマニウムの輸出管理を開始し、同12月には黒鉛の輸出規制を導入した。\n"
    assert events(prose) == [("ec:CN:Ga:2023-08", None, "2023-08"), ("ec:CN:Ge:2023-08", None, "2023-08"),
                             ("ec:CN:graphite:2023-12", None, "2023-12")]
    timeline = ("中国による主な輸出管理措置\n"
                "2024年 輸出管理措置開始 9月 (アンチモン・超硬材料) 対米輸出管理措置強化 同12月 (ガリウム・アンチモン) "
                "2025年 輸出管理措置発表 同10月 (ホルミウム等レアアース)\n")
    assert events(timeline) == [("ec:CN:Sb:2024-09", None, "2024-09"), ("ec:CN:superhard-materials:2024-09", None, "2024-09"),
                                ("ec:CN:Ga:2024-12", None, "2024-12"), ("ec:CN:Sb:2024-12", None, "2024-12"),
                                ("ec:CN:Ho:2025-10", "2025-10", None), ("ec:CN:rare-earths:2025-10", "2025-10", None)]


def test_no_event_without_a_date_a_material_or_a_controlling_country():
    assert events("ガリウムの輸出管理が強化された。\n") == []
    assert events("中国は2023年8月に輸出管理法を改正した。\n") == []
    assert events("2023年8月にガリウムの輸出管理が始まった。\n") == []
    assert events("The United States announced export controls on gallium in October 2023, effective December 2023.", "en") == \
        [("ec:US:Ga:2023-12", "2023-10", "2023-12")]


def test_reference_measures_become_exact_events():
    items = list(pol.read_file(FIX / "export_controls_sample.yaml", MAX))
    docs, errors = [], []
    for item, parser in items:
        try:
            docs.append(parser(item))
        except ValueError as e:
            errors.append(str(e))
    assert [d.key for d in docs] == ["ref:test-ga-ge", "ref:test-ree"] and len(errors) == 1
    ga = docs[0].export_controls[0]
    assert (ga.key, ga.announced, ga.effective, ga.exact) == ("ec:CN:Ga:2023-08", "2023-07-03", "2023-08-01", True)
    assert [e.material for e in docs[1].export_controls] == ["Sm", "Dy", "rare-earths"]


# ---- into the graph --------------------------------------------------------------------------

def test_fixtures_load_with_mentions_events_and_quarantine(store, tmp_path: Path):
    pdf = tmp_path / "brief.pdf"
    pdf.write_bytes(tiny_pdf("China restricts graphite exports", "Brief"))
    paths = [FIX, pdf]
    report, q = load(store, paths, tmp_path)
    # 3 single documents + 2 good FR lines + 2 good YAML measures; the fake PDF, a truncated
    # JSON line, a line without document_number and a measure without minerals are quarantined.
    assert report.loaded == 7 and report.quarantined == 4
    reasons = q.path.read_text(encoding="utf-8")
    assert "not a PDF" in reasons and "invalid JSON" in reasons and "no document_number" in reasons
    note = store.read("""MATCH (d:PolicyDocument {key: 'doc:2024-05-01_meti_critical-minerals-note'})-[m:MENTIONS]->(x)
                         RETURN labels(x)[0] AS label, coalesce(x.key, x.code) AS key, m.count AS n, m.offsets AS offsets""")
    by = {(r["label"], r["key"]): r for r in note}
    assert by[("Country", "CN")]["n"] == 2 and by[("Material", "Ga")]["n"] == 1 and len(by[("Material", "Ga")]["offsets"]) == 1
    assert ("Organization", "name:japan organization for metals and energy security") in by
    assert ("Technology", "tech:batteries") in by
    cn = store.read("MATCH (c:Country {code: 'CN'}) RETURN c.name AS en, c.name_ja AS ja")
    assert cn == [{"en": "China", "ja": "中国"}]
    ev = store.read("""MATCH (e:ExportControl)-[:BY]->(:Country {code: 'CN'}) MATCH (e)-[:CONTROLS]->(m:Material)
                       MATCH (e)-[:STATED_IN]->(d) RETURN e.key AS key, e.basis AS basis, e.effective AS eff,
                       collect(d.key) AS docs ORDER BY key""")
    got = {r["key"]: r for r in ev}
    # The text's 2023-08 Ga event and the reference measure are one node with exact dates.
    assert got["ec:CN:Ga:2023-08"]["eff"] == "2023-08-01" and sorted(got["ec:CN:Ga:2023-08"]["basis"]) == ["reference", "text"]
    assert sorted(got["ec:CN:Ga:2023-08"]["docs"]) == ["doc:2024-05-01_meti_critical-minerals-note", "ref:test-ga-ge"]
    assert {"ec:CN:graphite:2023-12", "ec:CN:Sb:2024-09", "ec:CN:W:2025-02", "ec:CN:Te:2025-02",
            "ec:CN:Dy:2025-04"} <= set(got)
    parts = store.read("MATCH (:Material {key: 'Dy'})-[:PART_OF]->(g:Material) RETURN g.key AS g")
    assert parts == [{"g": "rare-earths"}]
    fr = store.read("MATCH (d:PolicyDocument {key: 'fr:2099-00001'}) RETURN d.issuer AS i, d.country AS c, d.date AS dt, d.path_or_url AS u")
    assert fr == [{"i": "US Federal Register", "c": "US", "dt": "2099-01-02",
                   "u": "https://www.federalregister.gov/documents/2099/01/02/2099-00001/additions"}]


def test_loading_twice_changes_nothing_and_changed_documents_replace_their_edges(store, tmp_path: Path):
    src = tmp_path / "2024-06-01_cas_note.txt"
    src.write_text("中国は2023年8月にガリウムの輸出管理を開始した。米国も注視。\n", encoding="utf-8")
    load(store, [src, FIX / "federal_register_sample.jsonl"], tmp_path)
    first = stable_counts(store)
    again, _ = load(store, [src, FIX / "federal_register_sample.jsonl"], tmp_path)
    assert stable_counts(store) == first and again.sources_unchanged == 2 and again.loaded == 0
    forced, _ = load(store, [src], tmp_path, force=True)
    assert stable_counts(store) == first and forced.loaded == 1
    src.write_text("豪州はレアアースの供給を拡大する。\n", encoding="utf-8")
    load(store, [src], tmp_path)
    rows = store.read("MATCH (:PolicyDocument {key: 'doc:2024-06-01_cas_note'})-[:MENTIONS]->(x) RETURN coalesce(x.code, x.key) AS k ORDER BY k")
    assert [r["k"] for r in rows] == ["AU", "rare-earths", "tech:critical-minerals"]
    stated = store.read("MATCH (:ExportControl)-[:STATED_IN]->(:PolicyDocument {key: 'doc:2024-06-01_cas_note'}) RETURN count(*) AS n")
    assert stated == [{"n": 0}] and store.read("MATCH (e:ExportControl) RETURN count(e) AS n") == [{"n": 0}]


def test_live_url_is_fetched_saved_and_replayable(store, tmp_path: Path):
    import functools
    import threading
    from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

    handler = functools.partial(SimpleHTTPRequestHandler, directory=str(FIX))
    handler.log_message = lambda *a: None  # type: ignore[method-assign]
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        q = Quarantine(tmp_path / "q.jsonl")
        found = pol.inputs([f"{base}/minerals_page.html", f"{base}/missing.html"], MAX, save=tmp_path / "saved", retries=0)
        report = ingest(store, found, "policy", batch_size=10, quarantine=q, show_progress=False, writer=write_policy, link=False)
        q.close()
    finally:
        server.shutdown()
    assert report.loaded == 1 and report.quarantined == 1 and "404" in q.path.read_text()
    doc = store.read("MATCH (d:PolicyDocument) RETURN d.key AS k, d.title AS t")
    assert doc == [{"k": f"url:{base}/minerals_page.html", "t": "Critical minerals and export controls"}]
    saved = sorted((tmp_path / "saved").iterdir())
    assert [p.name for p in saved] == ["minerals_page.htm"] and parse_one(saved[0]).title == doc[0]["t"]


def test_cli_loads_policy_files(store, cli_env, tmp_path: Path):
    out = subprocess.run([sys.executable, "-m", "cli.main", "ingest", "policy", "--no-ner", str(JA_NOTE)],
                         env=cli_env, capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, out.stderr
    assert "loaded 1" in out.stdout and "Export-control events" in out.stdout
    assert store.read("MATCH (e:ExportControl) RETURN count(e) AS n")[0]["n"] >= 5
    assert store.read("MATCH (c:Country {code: 'AU'}) RETURN c.name_ja AS ja") == [{"ja": "オーストラリア"}]


# ---- the real documents ----------------------------------------------------------------------

REAL_JA = ("2023-03-28_ldp_es-policy-recommendations.txt", "2023-2024_meti_es-industrial-technology-action-plan.txt",
           "2025-11-14_cas_es-legislation-expert-meeting.txt", "2025-11-27_cas_es-thinktank-and-public-private-council.txt",
           "2025-12-15_meti_economic-security-forum-tokyo-report.txt")


@pytest.mark.shared_data
def test_real_japanese_documents_and_the_cabinet_secretariat_timeline(store, shared_data: Path, tmp_path: Path):
    files = [require(shared_data / "policy" / "ja" / name) for name in REAL_JA]
    reference = require(shared_data.parent / "reference" / "export_controls_minerals.yaml")
    report, q = load(store, [*files, reference], tmp_path)
    assert report.quarantined == 0 and report.loaded == 5 + 8
    rows = store.read("""MATCH (d:PolicyDocument) WHERE d.key STARTS WITH 'doc:'
                         OPTIONAL MATCH (d)-[m:MENTIONS]->(x)
                         RETURN d.key AS key, d.language AS lang, d.country AS country, d.issuer AS issuer,
                                collect(DISTINCT labels(x)[0]) AS labels, collect(DISTINCT x.code) AS countries""")
    assert len(rows) == 5
    for r in rows:
        assert r["lang"] == "ja" and r["country"] == "JP" and r["issuer"]
        assert {"Country", "Technology", "Organization"} <= set(r["labels"]) and r["countries"]
    minerals = store.read("""MATCH (d:PolicyDocument)-[:MENTIONS]->(m:Material) WHERE d.key STARTS WITH 'doc:'
                             RETURN count(DISTINCT d) AS docs, collect(DISTINCT m.key) AS keys""")[0]
    assert minerals["docs"] >= 4 and {"Ga", "Ge", "graphite", "Sb", "W", "Sm", "rare-earths"} <= set(minerals["keys"])
    cas = "doc:2025-11-14_cas_es-legislation-expert-meeting"
    timeline = store.read("""MATCH (e:ExportControl)-[s:STATED_IN]->(:PolicyDocument {key: $doc})
                             MATCH (e)-[:BY]->(c:Country) MATCH (e)-[:CONTROLS]->(m:Material)
                             RETURN c.code AS by, m.key AS material, e.month AS month, e.basis AS basis""", doc=cas)
    got = {(r["material"], r["month"]) for r in timeline}
    assert {r["by"] for r in timeline} == {"CN"}
    assert {("Ga", "2023-08"), ("Ge", "2023-08"), ("graphite", "2023-12"), ("Sb", "2024-09"), ("W", "2025-02"),
            ("Te", "2025-02"), ("Sm", "2025-04"), ("Gd", "2025-04"), ("rare-earths", "2025-04"),
            ("rare-earths", "2025-10")} <= got
    # Every event read from the text is also a measure of the reference list: one node, both bases.
    assert all(sorted(r["basis"]) == ["reference", "text"] for r in timeline)


@pytest.mark.shared_data
def test_real_federal_register_abstracts(store, shared_data: Path, tmp_path: Path):
    path = require(shared_data / "policy" / "federal_register_critical_tech_abstracts.jsonl.gz")
    report, _ = load(store, [path], tmp_path)
    assert report.read == 768 and report.quarantined == 0 and report.loaded + report.unchanged == 768
    docs = store.read("MATCH (d:PolicyDocument) WHERE d.key STARTS WITH 'fr:' RETURN count(d) AS n, collect(DISTINCT d.country) AS c")[0]
    with gzip.open(path, "rt", encoding="utf-8") as f:
        numbers = {json.loads(line)["document_number"] for line in f if line.strip()}
    # Some documents appear twice in the file: one node each.
    assert docs["n"] == len(numbers) and docs["c"] == ["US"]
    china = store.read("MATCH (d:PolicyDocument)-[:MENTIONS]->(:Country {code: 'CN'}) WHERE d.key STARTS WITH 'fr:' RETURN count(d) AS n")
    assert china[0]["n"] > 50
