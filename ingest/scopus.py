"""Scopus CSV exports (Authors, Author(s) ID, Title, Year, Source title, Cited by,
DOI, Affiliations, Authors with affiliations, Abstract, … EID).

"Authors with affiliations" gives each author's affiliations as one comma-joined
text ("Kundu D., Dept X, Univ Y, City, PA, United States; Ghosh A., …"); an
author with several affiliations has them run together, so they are cut apart
again with the record's "Affiliations" list. The organization of an affiliation
is its most institution-like comma part, the country its last part.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ingest.country import to_iso
from ingest.orgkey import name_key, usable
from core.work import Authorship, Organization, Work
from ingest import ids
from ingest.raw import Item, Raw
from ingest.wos import read_csv
from core.errors import RecordError

SOURCE = "scopus"

# Words that name a whole institution, and words that name a unit inside one.
_INSTITUTION = re.compile(
    r"\b(univ\w*|universit\w*|institut\w*|academ\w*|college|polytechnic|politecnico|hochschule|ecole|école|"
    r"inc|corp\w*|ltd|limited|gmbh|llc|plc|company|co|s\.?a|ag|laborator\w*|labs|hospital|council|agency|"
    r"ministry|centre national|cnrs|csic|riken|nasa|ibm|google|microsoft|toshiba|fujitsu)\b", re.I)
_UNIT = re.compile(r"^(dept|department|school|faculty|division|div|group|chair|section|unit|program|"
                   r"graduate school|center for|centre for|laboratory (of|for)|lab (of|for)|key lab\w*|"
                   r"state key|college of|institute of .* (department|school))\b", re.I)
_LEGAL_ONLY = re.compile(r"^(inc|ltd|llc|co|corp|plc|gmbh|ag|s\.?a|b\.?v|limited)\.?(\s*\(.*\))?$", re.I)
_POSTCODE = re.compile(r"^[\w\- ]*\d[\w\- ]*$")


def _clean(text: str) -> str:
    return re.sub(r"&\s*amp;", "&", text)


def organization_of(affiliation: str) -> tuple[str | None, str | None]:
    """(organization name, ISO country) of one Scopus affiliation text."""
    parts = [p.strip() for p in affiliation.split(",") if p.strip()]
    if not parts:
        return None, None
    country = to_iso(parts[-1]) if len(parts) > 1 else None
    body = parts[:-1] if country else parts
    body = [p for p in body if not _POSTCODE.match(p)] or body
    joined: list[str] = []
    for p in body:   # "IonQ, Inc." is one name
        if joined and _LEGAL_ONLY.match(p):
            joined[-1] = f"{joined[-1]}, {p}"
        else:
            joined.append(p)
    org = next((p for p in joined if _INSTITUTION.search(p) and not _UNIT.match(p)), None) or joined[0]
    return org, country


def _split_affiliations(text: str, known: list[str]) -> list[str]:
    """One author's run-together affiliations, cut at the record's known affiliation texts."""
    out: list[str] = []
    rest = text.strip()
    for _ in range(20):
        if not rest:
            break
        hit = next((k for k in sorted(known, key=len, reverse=True) if rest.startswith(k)), None)
        if hit is None:
            out.append(rest)
            break
        out.append(hit)
        rest = rest[len(hit):].lstrip(" ,")
    return out


def _int(v: Any) -> int | None:
    s = str(v or "").strip()
    return int(float(s)) if re.fullmatch(r"\d+(?:\.0+)?", s) else None


def to_work(raw: Raw) -> Work:
    row: dict[str, Any] = raw.data
    if not isinstance(row, dict):
        raise RecordError(raw.source, raw.locator, "expected a row of named columns")
    eid = (row.get("EID") or "").strip() or None
    doi = ids.doi(row.get("DOI"))
    if not (eid or doi):
        raise RecordError(raw.source, raw.locator, "row has neither an EID nor a DOI", str(row)[:300])
    title = (row.get("Title") or "").strip() or None
    authors = [a.strip() for a in _clean(row.get("Authors") or "").split(";") if a.strip() and a.strip() != "[No author name available]"]
    if not (title or authors):
        raise RecordError(raw.source, raw.locator, "row has no title and no authors", str(row)[:300])
    full = [re.sub(r"\s*\(\d+\)$", "", a).strip() for a in _clean(row.get("Author full names") or "").split(";") if a.strip()]
    author_ids = [a.strip() for a in (row.get("Author(s) ID") or "").split(";") if a.strip()]
    known = [a.strip() for a in _clean(row.get("Affiliations") or "").split(";") if a.strip()]
    segments = [s.strip() for s in _clean(row.get("Authors with affiliations") or "").split(";") if s.strip()]
    affs: dict[int, list[str]] = {}
    for seg in segments:
        # match the segment to the first author whose short name starts it and is still free
        for i, a in enumerate(authors):
            if i not in affs and (seg == a or seg.startswith(a + ",")):
                affs[i] = _split_affiliations(seg[len(a):].lstrip(" ,"), known)
                break
    names = full if len(full) == len(authors) else authors
    authorships = []
    for i, n in enumerate(names):
        orgs: dict[str, Organization] = {}
        countries: list[str] = []
        for text in affs.get(i, []):
            org, ctry = organization_of(text)
            if ctry:
                countries.append(ctry)
            if usable(org):
                orgs.setdefault(name_key(org), Organization(key=name_key(org), name=org, country=ctry))
        aid = author_ids[i] if len(author_ids) == len(authors) else None
        authorships.append(Authorship(position=i, name=n, author_id=f"scopus:{aid}" if aid else None,
                                      organizations=tuple(orgs.values()), countries=tuple(dict.fromkeys(countries)),
                                      raw_affiliations=tuple(affs.get(i, []))))
    keywords = [k.strip() for k in (row.get("Author Keywords") or "").split(";") if k.strip()]
    return Work(
        source=SOURCE, doi=doi, arxiv_id=ids.arxiv_from_doi(doi), source_id=eid, title=title,
        abstract=(row.get("Abstract") or "").strip() or None, year=_int(row.get("Year")),
        type=(row.get("Document Type") or "").strip().lower() or None,
        language=(row.get("Language of Original Document") or "").strip() or None,
        venue=(row.get("Source title") or "").strip() or None, cited_by_count=_int(row.get("Cited by")),
        authors=tuple(names), authorships=tuple(authorships), keywords=tuple(dict.fromkeys(keywords)),
        fingerprint=raw.fingerprint,
    )


def is_scopus(header: list[str]) -> bool:
    return "EID" in header and "Authors with affiliations" in header


def read(path: Path, max_bytes: int) -> Iterator[tuple[Item, Any]]:
    yield from ((i, to_work) for i in read_csv(path, max_bytes))
