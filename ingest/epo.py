"""EPO sources: Open Patent Services (OPS) responses, DOCDB exchange documents,
and European publication-server documents (``ep-patent-document``).

OPS and DOCDB share the exchange-document form. Each party is given in several
data formats; we read the DOCDB one (name plus residence country), else the
EPODOC one (country as a trailing "[NL]"), else the original. OPS family and
search responses carry only numbers, dates and the DOCDB family ID: they become
thin Patent records that merge with fuller ones of the same publication.

EP publication-server documents are one per file. A few are not well-formed
upstream (raw ``&`` or ``<`` in text); they are reported, never salvaged.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from lxml import etree

from core.patent import Party, Patent, class_code, publication_number
from ingest.patent_fields import country_code, earliest, iso_date
from ingest.patent_formats import PatentFormat, register
from ingest.patent_xml import raw_element, safe_root, text, whole_file
from ingest.raw import Item, Raw, Skip
from core.errors import RecordError

_BRACKET = re.compile(r"\s*\[([A-Z]{2})\]\s*$")


def _f(el: etree._Element | None, path: str) -> str | None:
    return text(el.find(path)) if el is not None else None


def _parse_file(path: Path, max_bytes: int) -> etree._Element | RecordError:
    item = whole_file(path, max_bytes)
    if isinstance(item, RecordError):
        return item
    try:
        return safe_root(item.data, item.source, item.locator)
    except RecordError as e:
        return e


# --- exchange documents (OPS, DOCDB) ---------------------------------------------

def _docid(ref: etree._Element | None, kind: str = "docdb") -> etree._Element | None:
    if ref is None:
        return None
    for d in ref.iterfind("document-id"):
        if d.get("document-id-type", "docdb") == kind:
            return d
    return None


def _format(parent: etree._Element | None, tag: str) -> list[etree._Element]:
    """The parties of one data format, best first: docdb, epodoc, original."""
    if parent is None:
        return []
    items = parent.findall(tag)
    for fmt in ("docdb", "epodoc", "original", "docdba"):
        chosen = [p for p in items if p.get("data-format") == fmt]
        if chosen:
            return chosen
    return items


def _exchange_party(el: etree._Element, name_tag: str, organization: bool) -> Party | None:
    name = _f(el, f"{name_tag}/name")
    if not name:
        return None
    country = country_code(_f(el, "residence/country"))
    m = _BRACKET.search(name)
    if m:
        country = country or m.group(1)
        name = name[:m.start()]
    name = name.strip().rstrip(",").strip()
    return Party(name=name, country=country, organization=organization) if name else None


def _title(els: list[etree._Element]) -> str | None:
    by_lang = {e.get("lang", ""): text(e) for e in els}
    return by_lang.get("en") or next((t for t in by_lang.values() if t), None)


def exchange_patent(doc: etree._Element, source: str, fp: str) -> Patent:
    bib = doc.find("bibliographic-data")
    if bib is None:
        raise ValueError("exchange-document without bibliographic-data")
    office = country_code(doc.get("country")) or country_code(_f(_docid(bib.find("publication-reference")), "country"))
    number = doc.get("doc-number") or _f(_docid(bib.find("publication-reference")), "doc-number")
    if not office or not number:
        raise ValueError("no publication number")
    pubs = bib.findall("publication-reference")
    pub_date = doc.get("date-publ") or next((_f(d, "date") for p in pubs for d in p.iterfind("document-id") if _f(d, "date")), None)
    app_ref = next(iter(bib.findall("application-reference")), None)
    apps = bib.findall("application-reference")
    app_date = next((_f(d, "date") for a in apps for d in a.iterfind("document-id") if _f(d, "date")), None)
    app_number = next((_f(_docid(a), "doc-number") for a in apps if _docid(a) is not None), None) or _f(app_ref, "document-id/doc-number")
    claims = bib.findall("priority-claims/priority-claim")
    priority = earliest([iso_date(_f(d, "date")) for p in claims for d in p.iterfind("document-id")])
    # DOCDB ids carry the country; EPODOC numbers start with it ("JP20160227001").
    prio_countries = [country_code(_f(_docid(p), "country")) or country_code((_f(_docid(p, "epodoc"), "doc-number") or "")[:2])
                      for p in claims]
    ipc = [c for c in (class_code(text(e) or "") for e in bib.iterfind("classifications-ipcr/classification-ipcr/text")) if c]
    cpc = []
    for pc in bib.iterfind("patent-classifications/patent-classification"):
        scheme = pc.find("classification-scheme")
        if scheme is not None and not (scheme.get("scheme") or "").upper().startswith("CPC"):
            continue
        sym = _f(pc, "classification-symbol")
        if sym is None:
            parts = [_f(pc, p) or "" for p in ("section", "class", "subclass", "main-group", "subgroup")]
            sym = f"{parts[0]}{parts[1]}{parts[2]}{parts[3]}/{parts[4]}" if all(parts) else ""
        if code := class_code(sym):
            cpc.append(code)
    parties = bib.find("parties")
    applicants = [p for p in (_exchange_party(a, "applicant-name", True) for a in _format(parties.find("applicants") if parties is not None else None, "applicant")) if p]
    inventors = [p for p in (_exchange_party(a, "inventor-name", False) for a in _format(parties.find("inventors") if parties is not None else None, "inventor")) if p]
    abstract = _title(doc.findall("abstract"))
    return Patent(
        source=source, country=office, number=publication_number(office, number), kind=doc.get("kind") or _f(_docid(bib.find("publication-reference")), "kind"),
        title=_title(bib.findall("invention-title")), abstract=abstract,
        application_number=app_number, application_date=iso_date(app_date), priority_date=priority,
        priority_countries=tuple(dict.fromkeys(c for c in prio_countries if c)),
        publication_date=iso_date(pub_date), family_id=doc.get("family-id"),
        cpc=tuple(dict.fromkeys(cpc)), ipc=tuple(dict.fromkeys(ipc)),
        applicants=tuple(applicants), inventors=tuple(inventors), fingerprint=fp)


def _reference_patent(ref: etree._Element, family_id: str | None, source: str, fp: str,
                      member: etree._Element | None = None) -> Patent:
    """A family member or search hit: publication number, dates, family."""
    d = _docid(ref)
    office, number = country_code(_f(d, "country")), _f(d, "doc-number")
    if not office or not number:
        raise ValueError("no DOCDB publication number")
    app = _docid(member.find("application-reference")) if member is not None else None
    prio = [iso_date(_f(_docid(p), "date")) for p in member.iterfind("priority-claim")] if member is not None else []
    return Patent(source=source, country=office, number=publication_number(office, number), kind=_f(d, "kind"),
                  publication_date=iso_date(_f(d, "date")), family_id=family_id,
                  application_number=_f(app, "doc-number"), application_date=iso_date(_f(app, "date")),
                  priority_date=earliest(prio), fingerprint=fp)


def to_ops(raw: Raw) -> Patent:
    return _exchange(raw, "epo_ops")


def to_docdb(raw: Raw) -> Patent:
    return _exchange(raw, "docdb")


def _exchange(raw: Raw, source: str) -> Patent:
    el = raw.data
    if el.tag == "exchange-document":
        return exchange_patent(el, source, raw.fingerprint)
    if el.tag == "family-member":
        doc = el.find(".//exchange-document")
        if doc is not None:
            return exchange_patent(doc, source, raw.fingerprint)
        return _reference_patent(el.find("publication-reference"), el.get("family-id"), source, raw.fingerprint, el)
    if el.tag == "publication-reference":
        return _reference_patent(el, el.get("family-id"), source, raw.fingerprint)
    raise Skip(el.tag)


def read_ops(path: Path, max_bytes: int) -> Iterator[tuple[Item, object]]:
    """OPS responses: biblio (exchange-documents), family and legal (family-members),
    search (publication references). Claims, description and image responses hold
    no bibliographic record: the file counts once as ignored."""
    root = _parse_file(path, max_bytes)
    if isinstance(root, RecordError):
        yield root, to_ops
        return
    src = str(path)
    n = 0
    for tag in ("exchange-document", "family-member", "search-result/publication-reference"):
        for el in root.iterfind(f".//{tag}"):
            if tag == "exchange-document" and el.getparent() is not None and el.getparent().tag == "family-member":
                continue
            n += 1
            yield raw_element(src, f"{tag.split('/')[-1]} {n}", el), to_ops
    if n == 0:
        yield raw_element(src, root[0].tag if len(root) else root.tag, root), _not_bibliographic


def _not_bibliographic(raw: Raw) -> Patent:
    raise Skip("no bibliographic data in this response")


def read_docdb(path: Path, max_bytes: int) -> Iterator[tuple[Item, object]]:
    root = _parse_file(path, max_bytes)
    if isinstance(root, RecordError):
        yield root, to_docdb
        return
    docs = [root] if root.tag == "exchange-document" else root.findall(".//exchange-document")
    for i, el in enumerate(docs, 1):
        yield raw_element(str(path), f"exchange-document {i}", el), to_docdb


# --- EP publication server ---------------------------------------------------------

def _ep_party(el: etree._Element, organization: bool) -> Party | None:
    name = _f(el, "snm")
    if not name:
        return None
    return Party(name=name, country=country_code(_f(el, "adr/ctry")), organization=organization)


def _ep_title(b: etree._Element) -> str | None:
    block = b.find("B500/B540")
    if block is None:
        return None
    titles, lang = {}, ""
    for child in block:
        if child.tag == "B541":
            lang = (text(child) or "").lower()
        elif child.tag == "B542":
            titles[lang] = text(child)
    return titles.get("en") or next((t for t in titles.values() if t), None)


def to_ep(raw: Raw) -> Patent:
    root = safe_root(raw.data, raw.source, raw.locator)
    if root.tag != "ep-patent-document":
        raise Skip(root.tag)
    b = root.find("SDOBI")
    if b is None:
        raise ValueError("no SDOBI bibliographic block")
    office = country_code(root.get("country")) or country_code(_f(b, "B100/B190")) or "EP"
    number = root.get("doc-number") or _f(b, "B100/B110")
    if not number:
        raise ValueError("no publication number")
    ipc = [c for c in (class_code(text(e) or "") for e in (*b.iterfind("B500/B510EP/classification-ipcr/text"),
                                                            *b.iterfind("B500/B510/B511"), *b.iterfind("B500/B510/B512"))) if c]
    cpc = [c for c in (class_code(text(e) or "") for e in b.iterfind("B500/B520EP//text")) if c]
    proprietors = [p for p in (_ep_party(e, True) for e in b.iterfind("B700/B730/B731")) if p]
    applicants = [p for p in (_ep_party(e, True) for e in b.iterfind("B700/B710/B711")) if p]
    inventors = [p for p in (_ep_party(e, False) for e in b.iterfind("B700/B720/B721")) if p]
    abstract = next((text(a) for a in root.iterfind("abstract") if a.get("lang", "en") == "en"), None) or text(root.find("abstract"))
    app_number = _f(b, "B200/B210")
    return Patent(
        source="ep", country=office, number=publication_number(office, number), kind=root.get("kind") or _f(b, "B100/B130"),
        title=_ep_title(b), abstract=abstract,
        application_number=app_number.split(".")[0] if app_number else None, application_date=iso_date(_f(b, "B200/B220/date")),
        priority_date=earliest([iso_date(_f(p, "date")) for p in b.iterfind("B300/B320")]),
        priority_countries=tuple(dict.fromkeys(c for c in (country_code(text(e)) for e in b.iterfind("B300/B330")) if c)),
        publication_date=iso_date(root.get("date-publ") or _f(b, "B100/B140/date")),
        cpc=tuple(dict.fromkeys(cpc)), ipc=tuple(dict.fromkeys(ipc)),
        applicants=tuple(proprietors or applicants), inventors=tuple(inventors), fingerprint=raw.fingerprint)


def read_ep(path: Path, max_bytes: int) -> Iterator[tuple[Item, object]]:
    yield whole_file(path, max_bytes), to_ep


register(PatentFormat("ep", read_ep, roots=("ep-patent-document",)))
register(PatentFormat("docdb", read_docdb, roots=("exchange-document", "exchange-documents")))
register(PatentFormat("epo_ops", read_ops, roots=("world-patent-data",)))
