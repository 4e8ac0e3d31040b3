"""Lens.org patent exports (CSV): the publication-level export (snake_case
headers, ``;;``-separated lists, dd/mm/yy dates) and the family-level cleaned
form (one row per family, ``;``-separated lists, ``applicants_useme``).

Lens exports carry no applicant address, so these patents get owners but no
applicant country; the priority filing offices are kept as a property.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from pathlib import Path

from core.patent import Party, Patent, class_code, publication_number
from ingest.patent_fields import country_code, earliest, iso_date
from ingest.patent_formats import PatentFormat, lead, register
from ingest.raw import _CORRUPT, Item, Raw, fingerprint, open_binary
from core.errors import RecordError

SOURCE = "lens"
_PUB = re.compile(r"([A-Z]{2})\s+(.+?)\s+([A-Z]\d?)(?:\s+\d{8})?$")   # a correction (B8, B9) ends with its date


def read_file(path: Path, max_bytes: int) -> Iterator[tuple[Item, object]]:
    src = str(path)
    with open_binary(path) as f:
        text = io.TextIOWrapper(f, encoding="utf-8", errors="replace", newline="")
        # Surplus cells of a ragged row go under "_extra" (the default None key breaks sorting).
        reader = csv.DictReader(text, skipinitialspace=True, restkey="_extra")
        n = 1
        while True:
            try:
                row = next(reader)
            except StopIteration:
                return
            except (csv.Error, *_CORRUPT) as e:
                yield RecordError(src, f"line {reader.line_num}", f"unreadable CSV ({e}); later rows are lost"), to_patent
                return
            n += 1
            data = repr(sorted(row.items())).encode()
            if len(data) > max_bytes:
                yield RecordError(src, f"line {reader.line_num}", f"record longer than {max_bytes} bytes"), to_patent
                continue
            yield Raw(src, f"line {reader.line_num}", row, fingerprint(data)), to_patent


def _split(value: str | None, sep: str) -> list[str]:
    if not value or value.strip() in ("NA", ""):
        return []
    return [v.strip() for v in value.split(sep) if v.strip() and v.strip() != "NA"]


def _dmy(value: str | None, year: int | None) -> str | None:
    """dd/mm/yy, with the century that puts the date at or before ``year``."""
    m = re.fullmatch(r"(\d{1,2})/(\d{1,2})/(\d{2})", (value or "").strip())
    if not m:
        return None
    d, mo, yy = (int(x) for x in m.groups())
    ref = year or 2099
    y = (ref // 100) * 100 + yy
    if y > ref:
        y -= 100
    return f"{y:04d}-{mo:02d}-{d:02d}"


def _ymd(value: str | None) -> str | None:
    m = re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})", (value or "").strip())
    return f"{m.group(1)}-{int(m.group(2)):02d}-{int(m.group(3)):02d}" if m else iso_date(value)


def _unmangle(s: str | None) -> str | None:
    """Titles double-encoded upstream (UTF-8 read as Latin-1: "GerÃ¤t") are repaired."""
    if s and ("Ã" in s or "Â" in s):
        try:
            return s.encode("latin-1").decode("utf-8")
        except (UnicodeDecodeError, UnicodeEncodeError):
            return s
    return s or None


def _publication(value: str) -> tuple[str, str, str | None]:
    m = _PUB.match(value.strip())
    if not m:
        raise ValueError(f"unreadable publication number {value!r}")
    office, number, kind = m.groups()
    return office, publication_number(office, number), kind


def to_patent(raw: Raw) -> Patent:
    r = raw.data
    if "jurisdiction" in r:
        return _publication_row(r, raw.fingerprint)
    if "applicants_useme" in r:
        return _family_row(r, raw.fingerprint)
    raise ValueError("neither a Lens publication export nor a Lens family export row")


def _publication_row(r: dict[str, str], fp: str) -> Patent:
    office, number, kind = _publication(r["publication_number"])
    year = int(r["publication_year"]) if (r.get("publication_year") or "").isdigit() else None
    prio = [p.split() for p in _split(r.get("priority_numbers"), ";;")]
    app = (r.get("application_number") or "").split()
    return Patent(
        source=SOURCE, country=office, number=number, kind=kind or r.get("kind") or None,
        title=_unmangle(r.get("title")), application_number=publication_number(office, app[1]) if len(app) > 1 else None,
        application_date=_dmy(r.get("application_date"), year), publication_date=_dmy(r.get("publication_date"), year),
        priority_date=earliest([iso_date(p[-1]) for p in prio if p]),
        priority_countries=tuple(dict.fromkeys(c for c in (country_code(p[0]) for p in prio if p) if c)),
        cpc=tuple(dict.fromkeys(c for c in map(class_code, _split(r.get("cpc_classifications"), ";;")) if c)),
        ipc=tuple(dict.fromkeys(c for c in map(class_code, _split(r.get("ipcr_classifications"), ";;")) if c)),
        applicants=tuple(Party(name=a) for a in _split(r.get("applicants"), ";;")),
        inventors=tuple(Party(name=i, organization=False) for i in _split(r.get("inventors"), ";;")),
        fingerprint=fp)


def _family_row(r: dict[str, str], fp: str) -> Patent:
    office, number, kind = _publication(r["publication_number"])
    orgs = set(_split(r.get("applicants_organisations_only"), ";"))
    lens_id = (r.get("url") or "").rstrip("/").rsplit("/", 1)[-1]
    return Patent(
        source=SOURCE, country=office, number=number, kind=kind, title=_unmangle(r.get("title")),
        publication_date=_ymd(r.get("publication_date")),
        priority_date=earliest([iso_date(d) for d in _split(r.get("priority_date"), ";")]),
        priority_countries=tuple(dict.fromkeys(c for c in map(country_code, _split(r.get("priority_country_codes"), ";")) if c)),
        family_ref=f"lens-family:{lens_id}" if lens_id else None,
        cpc=tuple(dict.fromkeys(c for c in map(class_code, _split(r.get("cpc_codes_useme"), ";")) if c)),
        ipc=tuple(dict.fromkeys(c for c in map(class_code, _split(r.get("ipc_codes"), ";")) if c)),
        applicants=tuple(Party(name=a, organization=a in orgs) for a in _split(r.get("applicants_useme"), ";")),
        inventors=tuple(Party(name=i, organization=False) for i in _split(r.get("inventors_useme"), ";")),
        fingerprint=fp)


def _sniff(name: str, head: bytes) -> bool:
    # Lens exports name their columns in the header: publication number beside the Lens ID
    # (patent search) or the family export's applicants column.
    first = lead(head).split(b"\n", 1)[0]
    return b"publication_number" in first and (b"lens_id" in first or b"applicants_useme" in first)


register(PatentFormat("lens", read_file, sniff=_sniff))
