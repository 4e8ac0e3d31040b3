"""Web of Science exports: the tagged plain text (``PT … ER`` blocks) and the same records
with long column names (Excel, CSV, JSON Lines of such rows) become one ``Fields`` record,
then a ``Work``. Reading the files is ingest/wos_files.py; addresses (each author's
organization and country) are ingest/wos_address.py.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from core.errors import InputError, RecordError
from core.work import Authorship, Organization, Work
from ingest import ids
from ingest.orgkey import name_key, usable
from ingest.raw import Item, Raw, read_jsonl
from ingest.wos_address import Address, address, country, split_top
from ingest.wos_files import is_text_export, read_csv, read_text, read_xls

__all__ = ["Address", "Fields", "address", "columns_to_work", "country", "fields_from_columns", "fields_from_tags",
           "read", "read_csv", "read_text", "read_xls", "split_top", "text_to_work", "to_work"]

SOURCE = "wos"
POOL_ABOVE = 2000   # author × address pairs beyond which unattributed addresses are pooled


@dataclass
class Fields:
    """One WoS record, whichever export form it came from."""
    ut: str | None = None
    doi: str | None = None
    title: str | None = None
    venue: str | None = None
    abstract: str | None = None
    year: int | None = None
    doc_type: str | None = None
    language: str | None = None
    cited: int | None = None
    authors: list[str] = field(default_factory=list)        # AU: "Euchner, J"
    full_names: list[str] = field(default_factory=list)     # AF: "Euchner, Jim"
    addresses: list[str] = field(default_factory=list)      # C1
    keywords: list[str] = field(default_factory=list)       # DE (+ ID)


def _int(v: Any) -> int | None:
    if isinstance(v, bool):
        return None
    if isinstance(v, (int, float)):
        return int(v)
    if isinstance(v, str):
        s = v.strip()
        if re.fullmatch(r"-?\d+(?:\.0+)?", s):
            return int(float(s))
    return None


def _semi(v: str | None) -> list[str]:
    return [p.strip() for p in (v or "").split(";") if p.strip()]


def _norm_name(n: str) -> str:
    return re.sub(r"[^\w]", "", n).casefold()


def to_work(raw: Raw, f: Fields) -> Work:
    if not (f.ut or f.doi):
        raise RecordError(raw.source, raw.locator, "record has neither a UT (WoS accession number) nor a DOI", _excerpt(raw))
    if not (f.title or f.authors):
        raise RecordError(raw.source, raw.locator, "record has no title and no authors", _excerpt(raw))
    names = f.full_names if len(f.full_names) == len(f.authors) or not f.authors else f.authors
    addrs = [address(a) for a in f.addresses]
    # Which addresses belong to which author: by the bracketed names; an export without
    # them (or an author missing from every bracket) gets all of the record's addresses.
    by_author: dict[int, list[Address]] = {}
    keys = [(_norm_name(n), _norm_name(s)) for n, s in zip(names, f.authors or names)]
    for a in addrs:
        for who in a.authors:
            k = _norm_name(who)
            for i, (full, short) in enumerate(keys):
                if k in (full, short):
                    by_author.setdefault(i, []).append(a)
                    break
    unattributed = bool(addrs) and not any(a.authors for a in addrs)
    if unattributed and len(names) * len(addrs) > POOL_ABOVE:
        # A consortium paper without author brackets: every author has every address, which
        # counts the same as one authorship holding them all, without n×k edges.
        names_for_edges: list[str | None] = [None]
    else:
        names_for_edges = list(names)
    authorships = []
    for i, n in enumerate(names_for_edges):
        mine = addrs if unattributed else by_author.get(i, [])
        orgs = {}
        for a in mine:
            if usable(a.organization):
                key = name_key(a.organization)
                if key not in orgs:
                    orgs[key] = Organization(key=key, name=a.organization, country=a.country)
        authorships.append(Authorship(
            position=i, name=n,
            organizations=tuple(orgs.values()),
            countries=tuple(dict.fromkeys(a.country for a in mine if a.country)),
            raw_affiliations=tuple(dict.fromkeys(a.text for a in mine)),
        ))
    doi = ids.doi(f.doi)
    return Work(
        source=SOURCE, doi=doi, arxiv_id=ids.arxiv_from_doi(doi), source_id=f.ut,
        title=f.title, abstract=f.abstract, year=f.year, type=(f.doc_type or "").lower() or None,
        language=f.language, venue=f.venue, cited_by_count=f.cited,
        authors=tuple(names), authorships=tuple(authorships), keywords=tuple(dict.fromkeys(f.keywords)),
        fingerprint=raw.fingerprint,
    )


def _excerpt(raw: Raw) -> str:
    return json.dumps(raw.data, ensure_ascii=False, default=str)[:300]


# ---------------------------------------------------------------- tagged plain text


def _c1(entries: list[list[str]]) -> list[str]:
    """Addresses of C1: each line starting with "[" or a new C1 tag starts one; other lines
    continue the previous address (wrapped text), unless it already ended with a period."""
    out: list[str] = []
    for entry in entries:
        for i, ln in enumerate(entry):
            if i == 0 or ln.startswith("[") or (out and out[-1].endswith(".")):
                out.append(ln)
            else:
                out[-1] = f"{out[-1]} {ln}"
    return out


def fields_from_tags(block: list[list[Any]]) -> Fields:
    tags: dict[str, list[list[str]]] = {}
    for tag, lns in block:
        tags.setdefault(tag, []).append(lns)

    def joined(tag: str) -> str | None:
        text = " ".join(" ".join(e) for e in tags.get(tag, [])).strip()
        return text or None

    def each_line(tag: str) -> list[str]:
        return [ln for e in tags.get(tag, []) for ln in e if ln]

    return Fields(
        ut=joined("UT"), doi=joined("DI"), title=joined("TI"), venue=joined("SO"), abstract=joined("AB"),
        year=_int(joined("PY")), doc_type=joined("DT"), language=joined("LA"), cited=_int(joined("TC")),
        authors=each_line("AU"), full_names=each_line("AF"), addresses=_c1(tags.get("C1", [])),
        keywords=_semi(joined("DE")) + _semi(joined("ID")),
    )


def text_to_work(raw: Raw) -> Work:
    return to_work(raw, fields_from_tags(raw.data))


# ---------------------------------------------------------------- long column names (xls, csv, jsonl)


def fields_from_columns(row: dict[str, Any]) -> Fields:
    def s(*names: str) -> str | None:
        for n in names:
            v = row.get(n)
            if v is not None and str(v).strip():
                return str(v).strip()
        return None

    return Fields(
        ut=s("UT (Unique WOS ID)", "UT (Unique ID)", "UT"), doi=s("DOI"), title=s("Article Title", "Title"),
        venue=s("Source Title"), abstract=s("Abstract"), year=_int(s("Publication Year")), doc_type=s("Document Type"),
        language=s("Language"), cited=_int(s("Times Cited, WoS Core", "Times Cited, All Databases")),
        authors=_semi(s("Authors")), full_names=_semi(s("Author Full Names")),
        addresses=split_top(s("Addresses") or ""),
        keywords=_semi(s("Author Keywords")) + _semi(s("Keywords Plus")),
    )


def columns_to_work(raw: Raw) -> Work:
    if not isinstance(raw.data, dict):
        raise RecordError(raw.source, raw.locator, "expected a row of named columns")
    return to_work(raw, fields_from_columns(raw.data))


def read(path: Path, max_bytes: int) -> Iterator[tuple[Item, Any]]:
    """Every record of a WoS export file with its parser."""
    name = path.name.lower().removesuffix(".gz")
    if name.endswith((".xls", ".zip")):
        yield from ((i, columns_to_work) for i in read_xls(path, max_bytes))
    elif name.endswith(".csv"):
        yield from ((i, columns_to_work) for i in read_csv(path, max_bytes))
    elif name.endswith((".jsonl", ".json")):
        yield from ((i, columns_to_work) for i in read_jsonl(path, max_bytes))
    elif name.endswith((".txt", ".ciw")) or is_text_export(path):
        yield from ((i, text_to_work) for i in read_text(path, max_bytes))
    else:
        raise InputError(f"{path}: not a Web of Science export this reader knows")
