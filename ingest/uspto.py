"""USPTO full-text XML, every generation: us-patent-grant / us-patent-application
v4.0–4.5 (2005–), PAP v1.5/1.6 pre-grant publications (2001–2004) and PATDOC
SGML-in-XML grants (ST.32 v2.4/2.5, 2001–2004). Weekly bulk files concatenate
thousands of such documents; each becomes one record.

Owners are the assignees; a patent with none is owned by its applicants (in
v4.0–4.2 these are the inventors themselves). A US address often has a state but
no country, and assignee role codes 02/04/06 mean a US company, person or
government: both are read as US.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from lxml import etree

from core.patent import Party, Patent, class_code, publication_number
from ingest.patent_fields import country_code, earliest, iso_date
from ingest.patent_formats import PatentFormat, register
from ingest.patent_xml import documents, raw_text, safe_root, text
from ingest.raw import Item, Raw, Skip, fingerprint
from core.errors import RecordError

SOURCE = "uspto"
_US_ROLES = {"02", "04", "06"}


def read_file(path: Path, max_bytes: int) -> Iterator[tuple[Item, object]]:
    src = str(path)
    for doc in documents(path, max_bytes):
        if isinstance(doc, RecordError):
            yield doc, to_patent
        else:
            locator, data = doc
            yield Raw(src, locator, data, fingerprint(data)), to_patent


def to_patent(raw: Raw) -> Patent:
    root = safe_root(raw.data, raw.source, raw.locator)
    kind = {"us-patent-grant": _v4, "us-patent-application": _v4, "PATDOC": _patdoc,
            "patent-application-publication": _pap}.get(root.tag)
    if kind is None:
        # Sequence listings (sequence-cwu) and anything else that is not a patent.
        raise Skip(root.tag)
    patent = kind(root, raw.fingerprint)
    if not patent.number:
        raise ValueError("no publication number")
    return patent


def _countries(values) -> tuple[str, ...]:
    return tuple(dict.fromkeys(c for c in (country_code(v) for v in values) if c))


def _f(el: etree._Element | None, path: str) -> str | None:
    return text(el.find(path)) if el is not None else None


def _v4_party(el: etree._Element, us_role: bool = False) -> Party | None:
    book = el.find("addressbook")
    book = book if book is not None else el
    name = _f(book, "orgname")
    person = name is None
    if person:
        name = " ".join(p for p in (_f(book, "first-name"), _f(book, "last-name")) if p) or None
    if not name:
        return None
    country = country_code(_f(book, "address/country")) or country_code(_f(el, "residence/country"))
    if not country and (_f(book, "address/state") or (us_role and _f(book, "role") in _US_ROLES)):
        country = "US"
    return Party(name=name, country=country, organization=not person)


def _classes(bib: etree._Element, path: str) -> list[str]:
    out = []
    for c in bib.iterfind(path):
        parts = [_f(c, p) or "" for p in ("section", "class", "subclass", "main-group", "subgroup")]
        code = class_code(f"{parts[0]}{parts[1]}{parts[2]}{parts[3]}/{parts[4]}") if all(parts) else None
        if code:
            out.append(code)
    return out


def _v4(root: etree._Element, fp: str) -> Patent:
    bib = root.find("us-bibliographic-data-grant")
    if bib is None:
        bib = root.find("us-bibliographic-data-application")
    if bib is None:
        raise ValueError("no bibliographic data")
    pub = bib.find("publication-reference/document-id")
    country = country_code(_f(pub, "country")) or "US"
    ipc = _classes(bib, "classifications-ipcr/classification-ipcr")
    for path in ("classification-ipc/main-classification", "classification-ipc/further-classification"):
        ipc += [c for c in (class_code(raw_text(e)) for e in bib.iterfind(path)) if c]
    parties = bib.find("us-parties")
    if parties is None:
        parties = bib.find("parties")
    applicants = [] if parties is None else (parties.findall("us-applicants/us-applicant") or parties.findall("applicants/applicant"))
    inventors = [] if parties is None else parties.findall("inventors/inventor")
    if not inventors:
        inventors = [a for a in applicants if "inventor" in a.get("app-type", "")]
    owners = [p for p in (_v4_party(a, us_role=True) for a in bib.iterfind("assignees/assignee")) if p]
    if not owners:
        owners = [p for p in (_v4_party(a) for a in applicants) if p]
    app = bib.find("application-reference/document-id")
    return Patent(
        source=SOURCE, country=country,
        number=publication_number(country, _f(pub, "doc-number") or ""), kind=_f(pub, "kind"),
        title=_f(bib, "invention-title"), abstract=text(root.find("abstract")),
        application_number=_f(app, "doc-number"), application_date=iso_date(_f(app, "date")),
        priority_date=earliest([iso_date(_f(p, "date")) for p in bib.iterfind("priority-claims/priority-claim")]),
        priority_countries=_countries(_f(p, "country") for p in bib.iterfind("priority-claims/priority-claim")),
        publication_date=iso_date(_f(pub, "date")),
        cpc=tuple(dict.fromkeys(_classes(bib, "classifications-cpc//classification-cpc"))), ipc=tuple(dict.fromkeys(ipc)),
        applicants=tuple(owners), inventors=tuple(p for p in (_v4_party(i) for i in inventors) if p), fingerprint=fp)


def _patdoc_party(el: etree._Element, assignee: bool) -> Party | None:
    party = el.find("PARTY-US")
    party = party if party is not None else el
    org = _f(party, "NAM/ONM")
    name = org or " ".join(p for p in (_f(party, "NAM/FNM"), _f(party, "NAM/SNM")) if p)
    if not name:
        return None
    country = country_code(_f(party, "ADR/CTRY"))
    if not country and _f(party, "ADR/STATE"):
        country = "US"
    return Party(name=name, country=country, organization=bool(org) or assignee and not _f(party, "NAM/FNM"))


def _patdoc(root: etree._Element, fp: str) -> Patent:
    b = root.find("SDOBI")
    if b is None:
        raise ValueError("no SDOBI bibliographic block")
    country = country_code(_f(b, "B100/B190")) or "US"
    ipc = [c for c in (class_code(raw_text(e)) for e in (*b.iterfind("B500/B510/B511"), *b.iterfind("B500/B510/B512"))) if c]
    owners = [p for p in (_patdoc_party(e, True) for e in b.iterfind("B700/B730/B731")) if p]
    inventors = [p for p in (_patdoc_party(e, False) for e in b.iterfind("B700/B720/B721")) if p]
    return Patent(
        source=SOURCE, country=country,
        number=publication_number(country, _f(b, "B100/B110") or ""), kind=_f(b, "B100/B130"),
        title=_f(b, "B500/B540"), abstract=text(root.find("SDOAB")),
        application_number=_f(b, "B200/B210"), application_date=iso_date(_f(b, "B200/B220")),
        priority_date=earliest([iso_date(text(e)) for e in b.iterfind("B300/B320")]),
        priority_countries=_countries(text(e) for e in b.iterfind("B300/B330")),
        publication_date=iso_date(_f(b, "B100/B140")), ipc=tuple(dict.fromkeys(ipc)),
        applicants=tuple(owners or [p for p in inventors]), inventors=tuple(inventors), fingerprint=fp)


def _pap_party(el: etree._Element) -> Party | None:
    name = " ".join(p for p in (_f(el, "name/given-name"), _f(el, "name/middle-name"), _f(el, "name/family-name")) if p)
    if not name:
        return None
    country = country_code(_f(el, "residence//country-code"))
    if not country and el.find("residence/residence-us") is not None:
        country = "US"
    return Party(name=name, country=country, organization=False)


def _pap(root: etree._Element, fp: str) -> Patent:
    b = root.find("subdoc-bibliographic-information")
    if b is None:
        raise ValueError("no subdoc-bibliographic-information")
    tech = b.find("technical-information")
    ipc = [c for c in (class_code(raw_text(e)) for e in (tech.iterfind(".//classification-ipc//ipc") if tech is not None else ())) if c]
    owners = []
    for a in b.iterfind("assignee"):
        name = _f(a, "organization-name") or " ".join(p for p in (_f(a, "name/given-name"), _f(a, "name/family-name")) if p)
        if name:
            country = country_code(_f(a, "address/country/country-code")) or country_code(_f(a, "address/country"))
            if not country and (_f(a, "address/state") or _f(a, "assignee-type") in _US_ROLES):
                country = "US"
            owners.append(Party(name=name, country=country, organization=_f(a, "organization-name") is not None))
    inventors = [p for p in (_pap_party(e) for e in (*b.iterfind("inventors/first-named-inventor"), *b.iterfind("inventors/inventor"))) if p]
    return Patent(
        source=SOURCE, country="US",
        number=publication_number("US", _f(b, "document-id/doc-number") or ""), kind=_f(b, "document-id/kind-code"),
        title=_f(tech, "title-of-invention"), abstract=text(root.find("subdoc-abstract")),
        application_number=_f(b, "domestic-filing-data/application-number/doc-number"),
        application_date=iso_date(_f(b, "domestic-filing-data/filing-date")),
        priority_date=earliest([iso_date(_f(e, "filing-date")) for e in b.iterfind("foreign-priority-data")]),
        priority_countries=_countries(_f(e, "country-code") for e in b.iterfind("foreign-priority-data")),
        publication_date=iso_date(_f(b, "document-id/document-date")), ipc=tuple(dict.fromkeys(ipc)),
        applicants=tuple(owners or inventors), inventors=tuple(inventors), fingerprint=fp)


register(PatentFormat("uspto", read_file, roots=("us-patent-grant", "us-patent-application", "PATDOC",
                                                  "patent-application-publication", "sequence-cwu")))
