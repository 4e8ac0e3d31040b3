"""Conference paper lists in the papercopilot JSON Lines form (one paper a line:
``venue, year, id, title, author, aff, aff_domain, aff_unique_norm,
aff_unique_index, aff_country_unique, aff_country_unique_index, arxiv…``;
multi-valued fields are ``;``-separated with one slot per author, ``+`` between
an author's several affiliations).

Countries come from the normalized ``aff_country_unique`` where it can be tied to
the authors. Where it cannot (older upstream files have no normalized country,
and some index lists skip authors), the country is inferred, and marked so, from
(1) the same institution's country elsewhere in the file or in a known-institution
table, then (2) the author's e-mail domain's country-code TLD.
"""

from __future__ import annotations

import csv
import gzip
import hashlib
import io
import re
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ingest.country import to_iso
from ingest.orgkey import name_key, normalize, usable
from core.work import Authorship, Organization, Work
from ingest import ids
from ingest.raw import Item, Raw, read_jsonl
from core.errors import RecordError

SOURCE = "conference"

# Country-code TLDs used as generic names (.ai, .io…) say nothing about where an author works.
_GENERIC_CCTLD = frozenset({"ai", "io", "co", "me", "tv", "cc", "ly", "gg", "to", "cx", "ws", "fm", "am", "la", "so", "sh", "ac", "nu", "tk", "ml", "ga", "cf", "gq", "su"})
_US_TLD = frozenset({"edu", "gov", "mil"})   # restricted to US institutions
_NO_INSTITUTION = frozenset({"", "independent researcher", "independent", "unknown", "unknown institution", "none", "n/a", "na"})


def domain_country(domain: str) -> str | None:
    d = domain.strip().lower().rstrip(".")
    if "." not in d:
        return None
    tld = d.rsplit(".", 1)[1]
    if tld in _US_TLD:
        return "US"
    if tld == "uk":
        return "GB"
    if len(tld) == 2 and tld not in _GENERIC_CCTLD:
        return to_iso(tld.upper())
    return None


def _slots(v: Any) -> list[str]:
    return [s.strip() for s in v.split(";")] if isinstance(v, str) and v.strip() else []


def _plus(v: str) -> list[str]:
    return [s.strip() for s in v.split("+")]


@dataclass(frozen=True)
class Paper:
    """One record's per-author institutions, e-mail domains and stated countries."""
    authors: list[str]
    institutions: list[list[str]]        # per author, normalized names where available
    domains: list[list[str]]
    stated: list[list[str]]              # per author, ISO codes from aff_country_unique (may be empty)


def paper(rec: dict[str, Any]) -> Paper:
    authors = [a for a in _slots(rec.get("author"))]
    aff = _slots(rec.get("aff"))
    # IEEE-derived venues list every author twice
    half = len(authors) // 2
    if authors and len(authors) % 2 == 0 and len(aff) == half and authors[:half] == authors[half:]:
        authors = authors[:half]
    n = len(authors)
    norm = [s.strip() for s in rec.get("aff_unique_norm", "").split(";")] if isinstance(rec.get("aff_unique_norm"), str) else []
    ui = _slots(rec.get("aff_unique_index"))
    institutions: list[list[str]] = [[] for _ in range(n)]
    if len(aff) == n:
        for i, a in enumerate(aff):
            institutions[i] = [x for x in _plus(a) if x.casefold() not in _NO_INSTITUTION]
    if len(ui) == n and norm:
        for i, slot in enumerate(ui):
            names = []
            for x in _plus(slot):
                if x.isdigit() and int(x) < len(norm) and norm[int(x)].casefold() not in _NO_INSTITUTION:
                    names.append(norm[int(x)])
            if names or not institutions[i]:
                institutions[i] = names
    dom = _slots(rec.get("aff_domain"))
    domains = [[d for d in _plus(s) if d] for s in dom] if len(dom) == n else [[] for _ in range(n)]
    stated: list[list[str]] = [[] for _ in range(n)]
    countries = [to_iso(c) if c else None for c in rec.get("aff_country_unique", "").split(";")] if isinstance(rec.get("aff_country_unique"), str) else []
    ci = _slots(rec.get("aff_country_unique_index"))
    if countries and ci:
        # The index list has a slot per author, or skips the authors that have no country.
        with_aff = [i for i in range(n) if institutions[i]]
        targets = list(range(n)) if len(ci) == n else with_aff if len(ci) == len(with_aff) else []
        for i, slot in zip(targets, ci):
            stated[i] = list(dict.fromkeys(c for c in (countries[int(x)] if x.isdigit() and int(x) < len(countries) else None
                                                         for x in _plus(slot)) if c))
            # upstream files Hong Kong and Macau under China; ISO (and OpenAlex, WoS) keep them apart
            if stated[i] == ["CN"] and len(institutions[i]) == 1:
                stated[i] = [_sar(institutions[i][0]) or "CN"]
    return Paper(authors, institutions, domains, stated)


def _sar(institution: str) -> str | None:
    low = institution.casefold()
    if "shenzhen" in low or "guangzhou" in low or "mainland" in low:
        return None
    return "HK" if "hong kong" in low else "MO" if "macau" in low or "macao" in low else None


class Known:
    """Institution → country, learned from the papers whose countries are stated,
    plus an optional table (e.g. the NeurIPS affiliation→country mapping)."""

    def __init__(self) -> None:
        self.votes: dict[str, Counter[str]] = defaultdict(Counter)

    def learn(self, p: Paper) -> None:
        for inst, ctry in zip(p.institutions, p.stated):
            if len(inst) == 1 and len(ctry) == 1:
                self.votes[normalize(inst[0])][ctry[0]] += 1

    def add_table(self, path: Path) -> int:
        """A CSV with ``raw_affiliation``/``canonical_affiliation`` and ``country`` columns."""
        opener = gzip.open if path.suffix == ".gz" else open
        n = 0
        with opener(path, "rb") as f:
            for row in csv.DictReader(io.TextIOWrapper(f, encoding="utf-8-sig")):
                code = to_iso(row.get("country") or "")
                if not code:
                    continue
                for col in ("raw_affiliation", "canonical_affiliation", "affiliation"):
                    if row.get(col):
                        self.votes[normalize(row[col])][code] += 2
                        n += 1
        return n

    def country(self, institution: str) -> str | None:
        votes = self.votes.get(normalize(institution))
        if not votes:
            return None
        code, top = votes.most_common(1)[0]
        return code if top >= 2 and top >= 0.8 * sum(votes.values()) else None


def _source_id(rec: dict[str, Any], title: str) -> str:
    venue = str(rec.get("venue") or "unknown").strip().lower()
    year = rec.get("year")
    pid = str(rec.get("id") or "").strip()
    if not pid:
        pid = "t" + hashlib.blake2b(normalize(title).encode(), digest_size=8).hexdigest()
    return f"{venue}{year}:{pid}"


def to_work(raw: Raw, known: Known | None = None) -> Work:
    rec = raw.data
    title = rec.get("title")
    if not isinstance(title, str) or not title.strip():
        raise RecordError(raw.source, raw.locator, "paper has no title", str(rec)[:300])
    title = title.strip()
    year = rec.get("year") if isinstance(rec.get("year"), int) else None
    p = paper(rec)
    authorships = []
    for i, name in enumerate(p.authors):
        inst = p.institutions[i]
        countries = p.stated[i]
        inferred = False
        if not countries and inst:
            found = [c for c in ((known.country(x) if known else None) for x in inst) if c]
            if found:
                countries, inferred = list(dict.fromkeys(found)), True
        if not countries:
            found = [c for c in (domain_country(d) for d in p.domains[i]) if c]
            if found:
                countries, inferred = list(dict.fromkeys(found)), True
        # An institution's own country only when the author's country list is unambiguous.
        orgs = {}
        for x in inst:
            k = name_key(x)
            if usable(x):
                c = countries[0] if len(countries) == 1 and not inferred else (known.country(x) if known else None)
                orgs.setdefault(k, Organization(key=k, name=x, country=c))
        authorships.append(Authorship(position=i, name=name, organizations=tuple(orgs.values()),
                                      countries=tuple(countries), countries_inferred=inferred))
    abstract = rec.get("abstract") if isinstance(rec.get("abstract"), str) and rec["abstract"].strip() else None
    kw = [k.strip() for k in (rec.get("keywords") or "").split(";") if k.strip()] if isinstance(rec.get("keywords"), str) else []
    cites = rec.get("gs_citation")
    return Work(
        source=SOURCE, arxiv_id=ids.arxiv(rec.get("arxiv")), source_id=_source_id(rec, title), title=title,
        abstract=abstract.strip() if abstract else None, year=year, type="conference-paper",
        venue=f"{str(rec.get('venue') or '').upper()} {year or ''}".strip() or None,
        cited_by_count=cites if isinstance(cites, int) and cites >= 0 else None,
        authors=tuple(p.authors), authorships=tuple(authorships), keywords=tuple(dict.fromkeys(kw)),
        fingerprint=raw.fingerprint,
    )


def learn(path: Path, max_bytes: int, known: Known | None = None) -> Known:
    """First pass over a file: what each institution's stated country is."""
    known = known or Known()
    for item in read_jsonl(path, max_bytes):
        if isinstance(item, Raw):
            try:
                known.learn(paper(item.data))
            except (AttributeError, TypeError, ValueError):
                continue
    return known


def read(path: Path, max_bytes: int, known: Known | None = None) -> Iterator[tuple[Item, Any]]:
    known = learn(path, max_bytes, known)
    for item in read_jsonl(path, max_bytes):
        yield item, (lambda raw: to_work(raw, known))


_PAPERCOPILOT_KEYS = re.compile(rb'"venue"\s*:.*"(aff|author)"\s*:')


def is_conference(head: bytes) -> bool:
    return bool(_PAPERCOPILOT_KEYS.search(head))
