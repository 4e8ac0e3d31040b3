"""The hand-labelled gold set of document → technology labels: tests/gold/tech_labels.csv
stores (source, doc_id) references into the shared data; these readers turn a reference
back into (title, body)."""

from __future__ import annotations

import csv
import gzip
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any


GOLD_FILES = {
    "fedreg": "policy/federal_register_critical_tech_abstracts.jsonl.gz",
    "openalex": "openalex/works.jsonl.gz",
    "arxiv_kaggle": "arxiv/kaggle_arxiv_metadata_sample.jsonl.gz",
    "quantph": "arxiv/quant-ph_oai_dc_extract",
    "robotics": "bibliometric_exports/ai_robotics_conference_papers/papercopilot_robotics_with_abstracts.jsonl.gz",
    "wos_genai": "bibliometric_exports/wos_generative_ai_2023_xls/records_dedup.jsonl.gz",
    "wos_pv": "bibliometric_exports/wos_black_silicon_pv/savedrecs.txt.gz",
    "uspto": "patents/uspto_grant_xml",
    "policy_ja": "policy/ja",
}


def _jsonl(path: Path) -> Iterable[dict[str, Any]]:
    with gzip.open(path, "rt", encoding="utf-8") as f:
        for line in f:
            if line.strip():
                yield json.loads(line)


def _inverted(ix: Any) -> str:
    from ingest.openalex import abstract

    return abstract(ix) or ""


def _wos_plain(path: Path) -> Iterable[dict[str, str]]:
    rec: dict[str, str] = {}
    tag = ""
    with gzip.open(path, "rt", encoding="utf-8-sig") as f:
        for line in f:
            line = line.rstrip("\n")
            if line.startswith("ER"):
                yield rec
                rec, tag = {}, ""
                continue
            if line[:2].strip() and (len(line) < 3 or line[2] == " "):
                tag = line[:2]
                rec[tag] = (rec.get(tag, "") + " " + line[3:]).strip()
            elif line.startswith("   ") and tag:
                rec[tag] = rec[tag] + " " + line.strip()


def _strip_tags(s: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", s).split())


def ja_paragraphs(text: str) -> list[str]:
    """Blocks separated by blank lines, whitespace-normalised (the unit labelled in the gold set)."""
    return [" ".join(b.split()) for b in re.split(r"\n\s*\n", text) if b.strip()]


def read_gold_source(shared: Path, source: str) -> dict[str, tuple[str, str]]:
    """doc_id → (title, body) for every document of one gold source."""
    path = shared / GOLD_FILES[source]
    out: dict[str, tuple[str, str]] = {}
    if source == "fedreg":
        for r in _jsonl(path):
            out[r["document_number"]] = (r.get("title") or "", r.get("abstract") or "")
    elif source == "openalex":
        for r in _jsonl(path):
            out[r["id"].rsplit("/", 1)[-1]] = (r.get("title") or r.get("display_name") or "", _inverted(r.get("abstract_inverted_index")))
    elif source == "arxiv_kaggle":
        for r in _jsonl(path):
            out[r["id"]] = (" ".join((r.get("title") or "").split()), " ".join((r.get("abstract") or "").split()))
    elif source == "quantph":
        for f in sorted(path.glob("arXiv-meta-*.xml.gz")):
            with gzip.open(f, "rt", encoding="utf-8") as fh:
                xml = fh.read()
            for m in re.finditer(r"<identifier>oai:arXiv.org:([^<]+)</identifier>.*?<title>(.*?)</title>.*?<description>(.*?)</description>",
                                 xml, re.S):
                out[m.group(1)] = (" ".join(m.group(2).split()), " ".join(m.group(3).split()))
    elif source == "robotics":
        for n, r in enumerate(_jsonl(path)):
            key = f"{r.get('venue')}{r.get('year')}:{r['id']}" if r.get("id") else f"line:{n}"
            out[key] = (r.get("title") or "", r.get("abstract") or "")
    elif source == "wos_genai":
        for r in _jsonl(path):
            out[r["UT (Unique WOS ID)"]] = (r.get("Article Title") or "", r.get("Abstract") or "")
    elif source == "wos_pv":
        for r in _wos_plain(path):
            if "UT" in r:
                out[r["UT"]] = (r.get("TI", ""), r.get("AB", ""))
    elif source == "uspto":
        docs = []
        for f in sorted([*path.glob("ipgxml__*.small.xml.gz"), *path.glob("alchemy__*.xml.gz")]):
            with gzip.open(f, "rt", encoding="utf-8") as fh:
                docs.extend(fh.read().split("<?xml"))
        for d in docs:
            num = re.search(r"<publication-reference>.*?<doc-number>([^<]+)</doc-number>", d, re.S)
            title = re.search(r"<invention-title[^>]*>(.*?)</invention-title>", d, re.S)
            if num and title:
                ab = re.search(r"<abstract[^>]*>(.*?)</abstract>", d, re.S)
                out[num.group(1)] = (_strip_tags(title.group(1)), _strip_tags(ab.group(1)) if ab else "")
    elif source == "policy_ja":
        for f in sorted(path.glob("*.txt")):
            for i, p in enumerate(ja_paragraphs(f.read_text(encoding="utf-8"))):
                out[f"{f.stem}#{i}"] = ("", p)
    else:
        raise ValueError(f"unknown gold source {source}")
    return out


@dataclass(frozen=True)
class GoldDoc:
    source: str
    doc_id: str
    lang: str
    title: str
    body: str
    labels: frozenset[str]


def read_gold(csv_path: Path, shared: Path) -> list[GoldDoc]:
    rows = list(csv.DictReader(csv_path.open(encoding="utf-8")))
    texts: dict[str, dict[str, tuple[str, str]]] = {}
    out = []
    for r in rows:
        src = r["source"]
        if src not in texts:
            texts[src] = read_gold_source(shared, src)
        title, body = texts[src][r["doc_id"]]
        labels = frozenset(x.strip() for x in r["labels"].split(";") if x.strip())
        out.append(GoldDoc(src, r["doc_id"], r["lang"], title, body, labels))
    return out
