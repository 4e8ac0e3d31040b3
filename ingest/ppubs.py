"""USPTO Patent Public Search (ppubs.uspto.gov) JSON: a search result page
(``{"numFound", "patents": [...]}``) or a list of full documents.

Saved documents may hold every value as the text of a Python literal
("['Los Gatos']", "None"); both forms are read. USPTO writes "N/A" for the
country of US addresses, so a state without a country means US.
"""

from __future__ import annotations

import ast
import html
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from core.patent import Party, Patent, class_code, publication_number
from ingest.patent_fields import country_code, iso_date
from ingest.patent_formats import PatentFormat, lead, register
from ingest.raw import _CORRUPT, Item, Raw, excerpt, fingerprint, open_binary
from core.errors import RecordError

SOURCE = "ppubs"
_TAG = re.compile(r"<[^>]+>")
_BREAK = re.compile(r"<br\s*/?>|</p>", re.I)
_FAMILY_MAX = 10 ** 9   # DOCDB family IDs; larger ones are USPTO-internal IDs


def read_file(path: Path, max_bytes: int) -> Iterator[tuple[Item, object]]:
    src = str(path)
    with open_binary(path) as f:
        try:
            data = f.read(max_bytes + 1)
        except _CORRUPT as e:
            yield RecordError(src, "document", f"file is truncated or corrupt ({e})"), to_patent
            return
    if len(data) > max_bytes:
        yield RecordError(src, "document", f"document longer than {max_bytes} bytes"), to_patent
        return
    try:
        doc = json.loads(data)
    except (json.JSONDecodeError, UnicodeDecodeError, RecursionError) as e:
        yield RecordError(src, "document", f"invalid JSON: {e}", excerpt(data)), to_patent
        return
    # A search page holds its hits under "patents"; a document download is a bare list.
    items, where = (doc.get("patents"), "patents") if isinstance(doc, dict) else (doc, "documents")
    if not isinstance(items, list):
        yield RecordError(src, "document", "neither a search page nor a list of documents", excerpt(data)), to_patent
        return
    for i, obj in enumerate(items):
        loc = f"{where}[{i}]"
        if not isinstance(obj, dict):
            yield RecordError(src, loc, f"expected an object, got {type(obj).__name__}"), to_patent
            continue
        yield Raw(src, loc, obj, fingerprint(json.dumps(obj, sort_keys=True).encode())), to_patent


def _value(v: Any) -> Any:
    if isinstance(v, str):
        s = v.strip()
        if s in ("None", "", "null"):
            return None
        if s[:1] in "[{" and s[-1:] in "]}":
            try:
                return ast.literal_eval(s)
            except (ValueError, SyntaxError):
                return v
    return v


def _list(v: Any) -> list[str]:
    v = _value(v)
    if v is None:
        return []
    if isinstance(v, list):
        return [str(x) for x in v if x is not None]
    return [str(v)]


def _codes(*values: Any) -> list[str]:
    out = []
    for v in values:
        for item in _list(v):
            for part in item.split(";"):
                if code := class_code(part.split(" ")[0] if re.match(r"^[A-HY]\d\d[A-Z]\d", part) else part):
                    out.append(code)
    return list(dict.fromkeys(out))


def _parties(names: list[str], countries: list[str], states: list[str], organization: bool) -> list[Party]:
    out = []
    for i, name in enumerate(names):
        name = name.replace(";", ",").strip(" ,") if not organization else name.strip()
        if not name or name == "N/A":
            continue
        c = country_code(countries[i]) if i < len(countries) else None
        if not c and i < len(states) and states[i] not in ("N/A", "", None):
            c = "US"
        out.append(Party(name=name, country=c, organization=organization))
    return out


def _plain(value: Any) -> str | None:
    if not isinstance(value, str):
        return None
    t = html.unescape(_TAG.sub("", _BREAK.sub(" ", value)))
    return " ".join(t.split()) or None


def to_patent(raw: Raw) -> Patent:
    d = {k: _value(v) for k, v in raw.data.items()}
    guid = d.get("guid") or ""
    m = re.fullmatch(r"([A-Z]{2})-([A-Z0-9]+)-([A-Z]\d?)", guid)
    if m:
        office, number, kind = m.groups()
    else:
        office = country_code(d.get("country")) or "US"
        number = d.get("publicationReferenceDocumentNumber") or ""
        kind = (_list(d.get("kindCode")) or [None])[0]
    if not number:
        raise ValueError("no publication number")
    family = d.get("familyIdentifierCur")
    family_id = str(family) if family is not None and str(family).isdigit() and int(family) < _FAMILY_MAX else None
    filing = _list(d.get("applicationFilingDate"))
    abstract = d.get("abstractHtml")
    owners = _parties(_list(d.get("assigneeName")), _list(d.get("assigneeCountry")), _list(d.get("assigneeState")), True)
    if not owners:
        owners = _parties(_list(d.get("applicantName")), _list(d.get("applicantCountry")), _list(d.get("applicantState")), True)
    inventors = _parties(_list(d.get("inventorsName")), _list(d.get("inventorCountry")), _list(d.get("inventorState")), False)
    app = d.get("applicationNumber")
    return Patent(
        source=SOURCE, country=office, number=publication_number(office, number), kind=kind,
        title=d.get("inventionTitle"), abstract=_plain(abstract),
        application_number=re.sub(r"\D", "", app) if isinstance(app, str) else None,
        application_date=iso_date(filing[0]) if filing else None,
        priority_date=iso_date((_list(d.get("priorityClaimsDate")) or [None])[0]),
        publication_date=iso_date(d.get("datePublished")), family_id=family_id,
        cpc=tuple(_codes(d.get("cpcInventiveFlattened"), d.get("cpcAdditionalFlattened"))),
        ipc=tuple(_codes(d.get("ipcCodeFlattened"))),
        applicants=tuple(owners), inventors=tuple(inventors), fingerprint=raw.fingerprint)


register(PatentFormat("ppubs", read_file, sniff=lambda name, head: lead(head).startswith((b"{", b"["))))
