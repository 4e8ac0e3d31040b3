"""Clarivate Derwent Innovations Index exports (Web of Science tagged text,
``.ciw``): ``PT P`` … ``ER`` blocks, two-letter tags, continuation lines
indented three spaces.

A Derwent record is a family (``GA`` accession): every publication in ``PN``
becomes a Patent of the family ``derwent:<GA>``, with its own date (``PD``) and
application (``AD``). Assignees (``AE``) carry a Derwent code and a type; the
"Individual" type marks a person. There are no addresses, so no applicant
country; priority offices (``PI``) are kept as a property.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

from core.patent import Party, Patent, class_code, publication_number
from ingest.patent_fields import country_code, earliest
from ingest.patent_formats import PatentFormat, lead, register
from ingest.raw import Item, Raw, fingerprint, lines
from core.errors import RecordError

SOURCE = "derwent"
_PN = re.compile(r"([A-Z]{2})(\w+?)-([A-Z]\d?)$")
_DATE = re.compile(r"(\d{1,2} [A-Z][a-z]{2} \d{4})")
_AE = re.compile(r"^(.*?)\s*\(([A-Z0-9]+)-([\w-]+)\)\s*$")


def read_file(path: Path, max_bytes: int) -> Iterator[tuple[Item, object]]:
    """One Raw per publication of each record: data = (fields, index in PN)."""
    src = str(path)
    fields: dict[str, list[str]] = {}
    tag, start, size = "", 0, 0
    for item in lines(path, max_bytes):
        if isinstance(item, RecordError):
            yield item, to_patent
            continue
        n, raw = item
        line = raw.decode("utf-8", errors="replace").rstrip("\r\n")
        if line.startswith("   ") and tag:
            fields[tag].append(line.strip())
            continue
        tag, value = line[:2], line[3:].strip()
        if tag == "PT":
            fields, start, size = {}, n, 0
        size += len(raw)
        if tag == "ER":
            if size > max_bytes:
                yield RecordError(src, f"record at line {start}", f"record longer than {max_bytes} bytes"), to_patent
                continue
            data = repr(sorted(fields.items())).encode()
            members = [p.strip() for v in fields.get("PN", []) for p in v.split(";") if p.strip()]
            if not members:
                yield RecordError(src, f"record at line {start}", "no publication number (PN)"), to_patent
            for i, _ in enumerate(members):
                yield Raw(src, f"record at line {start} member {i + 1}", (fields, i), fingerprint(data + bytes([i % 256]))), to_patent
            tag = ""
            continue
        if tag in ("FN", "VR", "EF") or not tag.strip():
            tag = ""
            continue
        fields.setdefault(tag, []).append(value)


def _date(text: str) -> str | None:
    m = _DATE.search(text)
    if not m:
        return None
    try:
        d = datetime.strptime(m.group(1), "%d %b %Y").date()
    except ValueError:
        return None
    # No patent predates 1790; an impossible year upstream (1225) gives no date rather than a wrong one.
    return d.isoformat() if d.year >= 1790 else None


def _by_number(values: list[str]) -> dict[str, str]:
    return {v.split()[0]: v for v in values if v.split()}


def to_patent(raw: Raw) -> Patent:
    fields, i = raw.data
    f: dict[str, Any] = fields
    members = [p.strip() for v in f.get("PN", []) for p in v.split(";") if p.strip()]
    pn = members[i]
    m = _PN.match(pn)
    if not m:
        raise ValueError(f"unreadable publication number {pn!r}")
    office, number, kind = m.groups()
    pd = _by_number(f.get("PD", [])).get(pn, "")
    ad = _by_number(f.get("AD", [])).get(pn, "")
    ad_parts = ad.split()
    owners = []
    for a in f.get("AE", []):
        am = _AE.match(a)
        name, kind_of = (am.group(1), am.group(3)) if am else (a, "")
        if name:
            owners.append(Party(name=name, organization=kind_of.lower() != "individual"))
    prio = f.get("PI", [])
    ga = " ".join(f.get("GA", [])).split()
    return Patent(
        source=SOURCE, country=office, number=publication_number(office, number), kind=kind,
        title=" ".join(f.get("TI", [])) or None, abstract=" ".join(f.get("AB", [])) or None,
        application_number=ad_parts[1] if len(ad_parts) > 1 else None, application_date=_date(ad),
        publication_date=_date(pd), priority_date=earliest([_date(p) for p in prio]),
        priority_countries=tuple(dict.fromkeys(c for c in (country_code(p[:2]) for p in prio) if c)),
        family_ref=f"derwent:{ga[0]}" if ga else None,
        ipc=tuple(dict.fromkeys(c for v in f.get("IP", []) for c in map(class_code, v.split(";")) if c)),
        applicants=tuple(owners), inventors=tuple(Party(name=a, organization=False) for a in f.get("AU", [])),
        fingerprint=raw.fingerprint)


def _sniff(name: str, head: bytes) -> bool:
    # Web of Science tagged export whose records are patents (PT P), not papers.
    return lead(head).startswith(b"FN ") and b"\nPT P" in head


register(PatentFormat("derwent", read_file, sniff=_sniff))
