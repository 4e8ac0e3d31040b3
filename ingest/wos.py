"""Web of Science exports: the tagged plain text (``savedrecs.txt``: ``PT … ER``
blocks), and the same records with long column names as Excel (``.xls``, alone
or inside a ``.zip`` of exports), CSV, or JSON Lines of such rows.

Both forms become one ``Fields`` record, then a ``Work``. Addresses (``C1``,
"Addresses") give each author's organization (the first comma part, in WoS's
abbreviated form, e.g. "Tech Univ Munich") and country (the last comma part,
with WoS's spellings normalized: "CA 94305 USA", "Peoples R China", England).
"""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ingest.country import to_iso
from ingest.orgkey import name_key, usable
from core.work import Authorship, Organization, Work
from ingest import ids
from ingest.raw import Item, Raw, excerpt, fingerprint, lines, open_binary, read_jsonl
from core.errors import InputError, RecordError

SOURCE = "wos"

# WoS country spellings that are not ordinary country names.
_COUNTRY_VARIANTS = {
    "north ireland": "GB", "u arab emirates": "AE", "byelarus": "BY", "bosnia & herceg": "BA",
    "trinid & tobago": "TT", "papua n guinea": "PG", "cent afr republ": "CF", "dem rep congo": "CD",
    "rep congo": "CG", "sao tome & prin": "ST", "neth antilles": "CW", "st kitts & nevi": "KN",
    "fr polynesia": "PF", "w ind assoc st": "AG", "marshall island": "MH", "guinea bissau": "GW",
    "cote ivoire": "CI", "antigua & barbu": "AG", "st vincent": "VC", "st lucia": "LC", "fr guiana": "GF",
    "equat guinea": "GQ", "solomon islands": "SB", "turks & caicos": "TC", "br virgin isl": "VG",
    "kyrgyzstan": "KG", "macedonia": "MK", "north macedonia": "MK", "serbia monteneg": "RS",
    "palestine": "PS", "timor leste": "TL", "brunei": "BN", "vatican": "VA", "libya": "LY",
    "kosovo": "XK", "turkiye": "TR", "iran": "IR", "syria": "SY", "laos": "LA", "vietnam": "VN",
}
_US_TAIL = re.compile(r"(?:^|\s)(?:[A-Z]{2}\s+)?(?:\d{5}(?:-\d{4})?\s+)?USA$")
_TAG = re.compile(r"^([A-Z][A-Z0-9]) (.*)$")
POOL_ABOVE = 2000   # author × address pairs beyond which unattributed addresses are pooled


def country(text: str) -> str | None:
    """ISO code of a WoS address's country part ("Peoples R China", "CA 94305 USA", "Scotland")."""
    t = text.strip().rstrip(".").strip()
    if not t:
        return None
    if t == "USA" or _US_TAIL.search(t):
        return "US"
    code = to_iso(t) or _COUNTRY_VARIANTS.get(t.casefold().replace(".", ""))
    if code:
        return code
    # "Bern 3012, Switzerland"-style leftovers: drop postal codes and try the last words
    words = [w for w in re.split(r"\s+", t) if not any(ch.isdigit() for ch in w)]
    for n in (3, 2, 1):
        if len(words) >= n:
            tail = " ".join(words[-n:])
            code = to_iso(tail) or _COUNTRY_VARIANTS.get(tail.casefold())
            if code:
                return code
    return None


@dataclass(frozen=True)
class Address:
    authors: tuple[str, ...]      # the bracketed author names, when the export gives them
    organization: str | None
    country: str | None
    text: str                     # the address without the author prefix


def split_top(text: str, sep: str = ";") -> list[str]:
    """Split on ``sep`` outside square brackets ("[A; B] Org, X; [C] Org2" → 2 parts)."""
    out, depth, cur = [], 0, []
    for ch in text:
        if ch == "[":
            depth += 1
        elif ch == "]":
            depth = max(depth - 1, 0)
        if ch == sep and depth == 0:
            out.append("".join(cur).strip())
            cur = []
        else:
            cur.append(ch)
    out.append("".join(cur).strip())
    return [p for p in out if p]


def address(text: str) -> Address:
    t = text.strip().rstrip(".").strip()
    authors: tuple[str, ...] = ()
    if t.startswith("["):
        end = t.find("]")
        if end > 0:
            authors = tuple(a.strip() for a in t[1:end].split(";") if a.strip())
            t = t[end + 1:].strip()
    parts = [p.strip() for p in t.split(",") if p.strip()]
    org = parts[0] if parts else None
    ctry = None
    if len(parts) >= 2:
        ctry = country(parts[-1])
        # WoS files Hong Kong and Macau under China; ISO (and OpenAlex) keep them apart.
        if ctry == "CN" and len(parts) >= 3 and parts[-2].casefold() in ("hong kong", "macau", "macao"):
            ctry = "HK" if parts[-2].casefold() == "hong kong" else "MO"
    return Address(authors, org, ctry, t)


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


# ---------------------------------------------------------------- plain text


def read_text(path: Path, max_bytes: int) -> Iterator[Item]:
    """``PT … ER`` blocks of a tagged export; each block is one Raw of [tag, [lines]] entries."""
    src = str(path)
    block: list[list[Any]] | None = None
    start = 0
    buf: list[bytes] = []
    problem: str | None = None
    for item in lines(path, max_bytes):
        if isinstance(item, RecordError):
            yield item
            continue
        n, data = item
        bad = None
        try:
            line = data.decode("utf-8").lstrip("\ufeff").rstrip("\r\n")
        except UnicodeDecodeError as e:
            line = data.decode("utf-8", errors="replace").rstrip("\r\n")
            bad = f"line {n}: not UTF-8 (byte {e.start})"
        tag = line[:2]
        if block is None:
            if tag in ("FN", "VR", "EF") or not line.strip():
                continue
            if tag != "PT":
                yield RecordError(src, f"line {n}", "text outside a PT … ER record", line[:300])
                continue
            block, start, buf, problem = [], n, [], None
        problem = problem or bad
        buf.append(data)
        if tag == "ER":
            loc = f"record at line {start}"
            if problem:
                yield RecordError(src, loc, problem, excerpt(b"".join(buf)))
            else:
                yield Raw(src, loc, block, fingerprint(b"".join(buf)))
            block, problem = None, None
            continue
        if line.startswith("   ") and block:
            block[-1][1].append(line[3:].strip())
        elif m := _TAG.match(line):
            block.append([m.group(1), [m.group(2).strip()]])
        elif tag in ("PT", "ER") or line.strip() in ("PT", "ER"):
            block.append([line.strip()[:2], []])
        else:
            problem = problem or f"line {n}: not a WoS field line: {line[:60]!r}"
    if block is not None:
        yield RecordError(src, f"record at line {start}", "record is not terminated by ER (file truncated?)", excerpt(b"".join(buf)))


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


def _xls_rows(data: bytes, src: str) -> Iterator[Item]:
    import xlrd  # only needed for Excel exports

    try:
        book = xlrd.open_workbook(file_contents=data, on_demand=True)
    except Exception as e:  # xlrd raises bare XLRDError/struct errors on a damaged workbook
        yield RecordError(src, "workbook", f"not a readable .xls workbook: {type(e).__name__}: {e}")
        return
    sheet = book.sheet_by_index(0)
    if sheet.nrows == 0:
        return
    header = [str(h).strip() for h in sheet.row_values(0)]
    for r in range(1, sheet.nrows):
        values = sheet.row_values(r)
        row = {h: v for h, v in zip(header, values) if h and v not in ("", None)}
        loc = f"row {r + 1}"
        if not row:
            continue
        yield Raw(src, loc, row, fingerprint(json.dumps(row, sort_keys=True, default=str).encode()))


def read_xls(path: Path, max_bytes: int) -> Iterator[Item]:
    """An Excel export, or a .zip holding several (read in place, never extracted)."""
    if path.suffix.lower() == ".zip":
        try:
            z = zipfile.ZipFile(path)
        except zipfile.BadZipFile as e:
            yield RecordError(str(path), "archive", f"not a readable zip: {e}")
            return
        with z:
            for info in sorted(z.infolist(), key=lambda i: i.filename):
                if not info.filename.lower().endswith(".xls"):
                    continue
                src = f"{path}!{info.filename}"
                if info.file_size > 64 * max_bytes:
                    yield RecordError(src, "workbook", f"member larger than {64 * max_bytes} bytes")
                    continue
                yield from _xls_rows(z.read(info), src)
        return
    with open_binary(path) as f:
        yield from _xls_rows(f.read(), str(path))


def read_csv(path: Path, max_bytes: int) -> Iterator[Item]:
    """A CSV export with WoS (or Scopus) long column names; one Raw per row."""
    src = str(path)
    csv.field_size_limit(max_bytes)
    with open_binary(path) as f:
        text = io.TextIOWrapper(f, encoding="utf-8-sig", errors="replace", newline="")
        reader = csv.DictReader(text)
        n = 1
        while True:
            try:
                row = next(reader)
            except StopIteration:
                return
            except csv.Error as e:
                yield RecordError(src, f"row {n + 1}", f"malformed CSV: {e}")
                n += 1
                continue
            n += 1
            loc = f"row {n}"
            if None in row:
                yield RecordError(src, loc, f"row has {len(row) - 1 + len(row[None])} cells, the header {len(reader.fieldnames or [])}",
                                  json.dumps(row, ensure_ascii=False, default=str)[:300])
                continue
            clean = {k: v for k, v in row.items() if v not in ("", None)}
            if clean:
                yield Raw(src, loc, clean, fingerprint(json.dumps(clean, sort_keys=True).encode()))


def is_text_export(path: Path) -> bool:
    with open_binary(path) as f:
        head = f.read(64).lstrip(b"\xef\xbb\xbf")
    return head.startswith((b"FN ", b"PT ", b"VR "))


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
