"""OpenAlex: snapshot JSONL (incl. the ``works/updated_date=…/part_*.gz`` layout),
saved API pages, and a live API client. Fetching yields raw records; ``to_work``
turns one into a typed ``Work``.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import httpx

from core.work import Authorship, Organization, TopicRef, Work
from ingest import ids
from ingest.http import get_with_retries
from ingest.raw import Item, Raw, Skip, fingerprint, json_object, read_json, read_jsonl
from core.errors import RecordError

# ---------------------------------------------------------------- parsing


class NotAWork(Skip):
    """An OpenAlex entity of another type (institution, author…) met in a works stream."""


def _s(v: object) -> str | None:
    return v.strip() or None if isinstance(v, str) else None


def _i(v: object) -> int | None:
    if isinstance(v, bool):
        return None
    if isinstance(v, int):
        return v
    if isinstance(v, str) and v.strip().lstrip("-").isdigit():
        return int(v)
    return None


def _l(v: object) -> list[Any]:
    return v if isinstance(v, list) else []


def _d(v: object) -> dict[str, Any]:
    return v if isinstance(v, dict) else {}


def abstract(inverted: object) -> str | None:
    """Rebuild an abstract from OpenAlex's ``abstract_inverted_index`` (word -> positions)."""
    if not isinstance(inverted, dict) or not inverted:
        return None
    slots: dict[int, str] = {}
    for word, positions in inverted.items():
        for p in _l(positions):
            if isinstance(p, int) and 0 <= p < 100_000:
                slots[p] = word
    return " ".join(slots[i] for i in sorted(slots)) or None


def organization(inst: dict[str, Any]) -> Organization | None:
    oa = ids.openalex(inst.get("id"))
    ror = ids.ror(inst.get("ror"))
    if not oa and not ror:
        return None
    return Organization(
        key=f"ror:{ror}" if ror else f"openalex:{oa}",
        name=_s(inst.get("display_name")),
        ror=ror,
        openalex_id=oa,
        type=_s(inst.get("type")),
        country=ids.country(inst.get("country_code")),
        lineage=tuple(x for x in (ids.openalex(i) for i in _l(inst.get("lineage"))) if x),
    )


def _authorship(i: int, a: dict[str, Any]) -> Authorship:
    author = _d(a.get("author"))
    orgs = tuple(o for o in (organization(_d(x)) for x in _l(a.get("institutions"))) if o)
    raw = [s for s in (_s(x) for x in _l(a.get("raw_affiliation_strings"))) if s]
    if not raw and _s(a.get("raw_affiliation_string")):
        raw = [a["raw_affiliation_string"].strip()]
    aid = ids.openalex(author.get("id"))
    return Authorship(
        position=i,
        name=_s(author.get("display_name")) or _s(a.get("raw_author_name")),
        author_id=f"openalex:{aid}" if aid else None,
        orcid=_s(author.get("orcid")),
        author_position=_s(a.get("author_position")),
        corresponding=a.get("is_corresponding") if isinstance(a.get("is_corresponding"), bool) else None,
        organizations=orgs,
        countries=tuple(dict.fromkeys(c for c in (ids.country(x) for x in _l(a.get("countries"))) if c)),
        raw_affiliations=tuple(dict.fromkeys(raw)),
    )


def _topics(rec: dict[str, Any]) -> tuple[TopicRef, ...]:
    out: dict[str, TopicRef] = {}
    for t in _l(rec.get("topics")) or ([rec["primary_topic"]] if isinstance(rec.get("primary_topic"), dict) else []):
        t = _d(t)
        tid = ids.openalex(t.get("id"))
        if not tid:
            continue
        parent = None
        for level in ("domain", "field", "subfield"):
            node = _d(t.get(level))
            nid = _s(node.get("id"))
            if nid:
                key = "openalex:" + nid.replace("https://openalex.org/", "")
                parent = TopicRef(key=key, name=_s(node.get("display_name")), level=level, scheme="openalex", parent=parent)
        score = t.get("score")
        out[tid] = TopicRef(key=f"openalex:{tid}", name=_s(t.get("display_name")), level="topic", scheme="openalex",
                            score=float(score) if isinstance(score, (int, float)) else None, parent=parent)
    return tuple(out.values())


def _arxiv_id(rec: dict[str, Any], doi: str | None) -> str | None:
    found = ids.arxiv_from_doi(doi) or ids.arxiv(_d(rec.get("ids")).get("arxiv"))
    if found:
        return found
    for loc in _l(rec.get("locations")):
        found = ids.arxiv(_d(loc).get("landing_page_url"))
        if found:
            return found
    return None


def to_work(raw: Raw) -> Work:
    rec = raw.data
    oa = ids.openalex(rec.get("id"))
    if oa and not oa.startswith("W"):
        raise NotAWork(oa)
    doi = ids.doi(rec.get("doi")) or ids.doi(_d(rec.get("ids")).get("doi"))
    if not (oa or doi):
        raise RecordError(raw.source, raw.locator, "work has neither an OpenAlex ID nor a DOI")
    venue = _d(_d(rec.get("primary_location")).get("source")).get("display_name") or _d(rec.get("host_venue")).get("display_name")
    cby = tuple(
        (y, c) for y, c in ((_i(_d(x).get("year")), _i(_d(x).get("cited_by_count"))) for x in _l(rec.get("counts_by_year")))
        if y is not None and c is not None
    )
    authorships = tuple(_authorship(i, _d(a)) for i, a in enumerate(_l(rec.get("authorships"))))
    return Work(
        source="openalex",
        doi=doi,
        openalex_id=oa,
        arxiv_id=_arxiv_id(rec, doi),
        title=_s(rec.get("title")) or _s(rec.get("display_name")),
        abstract=abstract(rec.get("abstract_inverted_index")),
        year=_i(rec.get("publication_year")),
        date=_s(rec.get("publication_date")),
        type=_s(rec.get("type")),
        language=_s(rec.get("language")),
        venue=_s(venue),
        cited_by_count=_i(rec.get("cited_by_count")),
        counts_by_year=cby,
        referenced_works=tuple(x for x in (ids.openalex(r) for r in _l(rec.get("referenced_works"))) if x),
        authors=tuple(a.name or "" for a in authorships),
        authorships=authorships,
        topics=_topics(rec),
        keywords=tuple(k for k in (_s(_d(x).get("display_name")) for x in _l(rec.get("keywords"))) if k),
        fingerprint=raw.fingerprint,
    )


# ---------------------------------------------------------------- files


def page_records(page: dict[str, Any], source: str, page_label: str = "page") -> Iterator[Item]:
    results = page.get("results")
    if not isinstance(results, list):
        yield RecordError(source, page_label, "not an OpenAlex list response (no 'results' array)")
        return
    for i, r in enumerate(results):
        loc = f"{page_label} result {i}"
        if isinstance(r, dict):
            yield Raw(source, loc, r, fingerprint(json.dumps(r, sort_keys=True).encode()))
        else:
            yield RecordError(source, loc, f"expected a JSON object, got {type(r).__name__}")


def read_file(path: Path, max_bytes: int) -> Iterator[Item]:
    """A snapshot part / JSONL file (one work per line) or a saved API page."""
    name = path.name.removesuffix(".gz")
    if name.endswith(".json"):
        try:
            yield from page_records(read_json(path, max_bytes), str(path))
        except RecordError as e:
            yield e
    else:
        yield from read_jsonl(path, max_bytes)


def find_files(root: Path) -> list[Path]:
    """Work files under a directory: JSONL, saved pages, and snapshot ``works/`` parts."""
    if root.is_file():
        return [root]
    found = []
    for p in sorted(root.rglob("*")):
        if not p.is_file() or "manifest" in p.name or "merged_ids" in p.parts:
            continue
        snapshot_entity = next((part for part in p.parts if part.startswith("updated_date=")), None)
        if snapshot_entity is not None:
            if p.parent.parent.name == "works":
                found.append(p)
        elif p.name.endswith((".jsonl", ".jsonl.gz", ".json", ".json.gz")):
            found.append(p)
    return found


# ---------------------------------------------------------------- live API


class Client:
    """The OpenAlex REST API.

    Polite defaults: at most ``requests_per_second`` (5) requests a second,
    pages of 200 with cursor paging, up to 5 retries with exponential backoff on
    429/5xx (honouring Retry-After). OpenAlex has required an API key since
    February 2026; pass ``api_key``. ``save_dir`` keeps every raw page so a live
    run can be replayed offline with ``read_file``.
    """

    def __init__(self, base_url: str = "https://api.openalex.org", api_key: str | None = None,
                 mailto: str | None = None, per_page: int = 200, requests_per_second: float = 5.0,
                 retries: int = 5, timeout: float = 30.0, save_dir: Path | None = None,
                 http: httpx.Client | None = None) -> None:
        self.base_url = base_url.rstrip("/")
        self.api_key = api_key
        self.mailto = mailto
        self.per_page = per_page
        self.min_interval = 1.0 / requests_per_second if requests_per_second > 0 else 0.0
        self.retries = retries
        self.save_dir = save_dir
        self.http = http or httpx.Client(timeout=timeout, headers={"User-Agent": "kizashi (+https://github.com/kizashi)"})
        self._last = 0.0

    def _wait(self) -> None:
        delay = self._last + self.min_interval - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        self._last = time.monotonic()

    def public_url(self, entity: str, params: dict[str, str]) -> str:
        return f"{self.base_url}/{entity}?{urlencode(params)}"

    def fetch_pages(self, entity: str = "works", max_records: int | None = None, **params: str) -> Iterator[tuple[str, bytes]]:
        """Yield (public URL, raw body) for each page, following ``next_cursor``."""
        query = {k: v for k, v in params.items() if v}
        query["per-page"] = str(self.per_page)
        cursor, seen, page = "*", 0, 0
        while cursor:
            query["cursor"] = cursor
            url = self.public_url(entity, query)
            secret = dict(query)
            if self.api_key:
                secret["api_key"] = self.api_key
            if self.mailto:
                secret["mailto"] = self.mailto
            self._wait()
            body = get_with_retries(self.http, f"{self.base_url}/{entity}", secret, self.retries)
            page += 1
            if self.save_dir is not None:
                self.save_dir.mkdir(parents=True, exist_ok=True)
                (self.save_dir / f"openalex-{entity}-{fingerprint(url.encode())}-p{page:05d}.json").write_bytes(body)
            yield url, body
            data = json_object(body, url, f"page {page}")
            results = _l(data.get("results"))
            seen += len(results)
            meta = _d(data.get("meta"))
            cursor = meta.get("next_cursor")
            total = _i(meta.get("count"))
            if not results or (max_records is not None and seen >= max_records) or (total is not None and seen >= total):
                break

    def fetch_works(self, max_records: int | None = None, **params: str) -> Iterator[Item]:
        """Raw work records of a query (``search=…``, ``filter=…``)."""
        n = 0
        for page_no, (url, body) in enumerate(self.fetch_pages("works", max_records, **params), 1):
            try:
                page = json_object(body, url, f"page {page_no}")
            except RecordError as e:
                yield e
                continue
            for item in page_records(page, url, f"page {page_no}"):
                if max_records is not None and n >= max_records:
                    return
                n += 1
                yield item
