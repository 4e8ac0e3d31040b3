"""arXiv: live search through the ``arxiv`` package, saved Atom feeds, bulk
metadata in the Kaggle ``arxiv-metadata-oai-snapshot`` JSON-lines form (and the
astro-ph listings derived from it), and OAI-PMH ``oai_dc`` extracts.

arXiv has no affiliations, so arXiv Works carry authors by name only. A DOI or
arXiv ID shared with an OpenAlex record makes them one Work at load time.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache
from datetime import datetime
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any

from lxml import etree

from core.work import TopicRef, Work
from ingest import ids
from ingest.raw import Item, Raw, fingerprint, open_binary, read_jsonl, xml_root
from core.errors import InputError, RecordError

ATOM = "{http://www.w3.org/2005/Atom}"
ARXIV = "{http://arxiv.org/schemas/atom}"
OPENSEARCH = "{http://a9.com/-/spec/opensearch/1.1/}"

_SPACE = re.compile(r"\s+")


def _clean(text: object) -> str | None:
    if not isinstance(text, str):
        return None
    return _SPACE.sub(" ", text).strip() or None


@lru_cache(maxsize=4096)
def category(term: str) -> TopicRef:
    """'cs.LG' -> topic cs.LG under archive cs; 'hep-th' is its own archive."""
    archive = term.split(".", 1)[0]
    parent = TopicRef(key=f"arxiv:{archive}", name=archive, level="archive", scheme="arxiv") if archive != term else None
    return TopicRef(key=f"arxiv:{term}", name=term, level="category" if parent else "archive", scheme="arxiv", parent=parent)


def _topics(terms: list[str]) -> tuple[TopicRef, ...]:
    return tuple(category(t) for t in dict.fromkeys(t for t in terms if t and len(t) < 40))


def _split_authors(authors: str) -> tuple[str, ...]:
    text = _clean(authors.replace("\\", "")) or ""
    parts = re.split(r",\s*|\s+and\s+", text)
    return tuple(p.strip() for p in parts if p.strip())


# ---------------------------------------------------------------- Atom


def feed_entries(data: bytes, source: str) -> Iterator[Item]:
    """Entries of one export-API Atom response. An API error feed becomes an error."""
    try:
        root = xml_root(data, source)
    except RecordError as e:
        yield e
        return
    for i, entry in enumerate(root.iter(f"{ATOM}entry")):
        loc = f"entry {i}"
        eid = entry.findtext(f"{ATOM}id") or ""
        if "/api/errors" in eid:
            yield RecordError(source, loc, f"arXiv API error: {_clean(entry.findtext(f'{ATOM}summary'))}")
            continue
        yield Raw(source, loc, entry, fingerprint(etree.tostring(entry)))


def entry_to_work(raw: Raw) -> Work:
    e = raw.data
    aid = ids.arxiv(e.findtext(f"{ATOM}id"))
    if not aid:
        raise RecordError(raw.source, raw.locator, f"entry has no arXiv ID ({e.findtext(f'{ATOM}id')!r})")
    published = e.findtext(f"{ATOM}published") or ""
    primary = e.find(f"{ARXIV}primary_category")
    terms = [primary.get("term", "")] if primary is not None else []
    terms += [c.get("term", "") for c in e.findall(f"{ATOM}category")]
    return Work(
        source="arxiv",
        doi=ids.doi(e.findtext(f"{ARXIV}doi")),
        arxiv_id=aid,
        title=_clean(e.findtext(f"{ATOM}title")),
        abstract=_clean(e.findtext(f"{ATOM}summary")),
        year=int(published[:4]) if published[:4].isdigit() else None,
        date=published[:10] or None,
        type="preprint",
        venue=_clean(e.findtext(f"{ARXIV}journal_ref")),
        authors=tuple(n for n in (_clean(a.findtext(f"{ATOM}name")) for a in e.findall(f"{ATOM}author")) if n),
        topics=_topics(terms),
        fingerprint=raw.fingerprint,
    )


def read_feed(path: Path, max_bytes: int) -> Iterator[Item]:
    with open_binary(path) as f:
        data = f.read(max_bytes + 1)
    if len(data) > max_bytes:
        yield RecordError(str(path), "document", f"feed longer than {max_bytes} bytes")
        return
    yield from feed_entries(data, str(path))


# ---------------------------------------------------------------- Kaggle / listings JSONL


def _date(rec: dict[str, Any]) -> str | None:
    versions = rec.get("versions")
    stamp = versions[0].get("created") if isinstance(versions, list) and versions and isinstance(versions[0], dict) else rec.get("date")
    if isinstance(stamp, str):
        try:
            return parsedate_to_datetime(stamp.split("  ")[0].strip()).date().isoformat()
        except (TypeError, ValueError, IndexError):
            pass
    upd = rec.get("update_date")
    return upd if isinstance(upd, str) and re.match(r"^\d{4}-\d{2}-\d{2}$", upd) else None


def _year_from_id(aid: str) -> int | None:
    m = re.search(r"(\d{2})(\d{2})[.\d]", aid.split("/")[-1])
    if not m:
        return None
    yy = int(m.group(1))
    return (1900 if yy >= 91 else 2000) + yy


def metadata_to_work(raw: Raw) -> Work:
    rec = raw.data
    aid = ids.arxiv(rec.get("id")) if isinstance(rec.get("id"), str) else None
    if not aid:
        raise RecordError(raw.source, raw.locator, f"no valid arXiv id ({str(rec.get('id'))[:60]!r})")
    for field in ("title", "abstract", "authors", "categories", "doi", "journal-ref"):
        if rec.get(field) is not None and not isinstance(rec[field], str):
            raise RecordError(raw.source, raw.locator, f"field {field!r} should be a string, got {type(rec[field]).__name__}")
    parsed = rec.get("authors_parsed")
    if isinstance(parsed, list) and parsed and all(isinstance(p, list) for p in parsed):
        authors = tuple(" ".join(x for x in (p[1] if len(p) > 1 else "", p[0] if p else "") if x).strip() for p in parsed)
    else:
        authors = _split_authors(rec.get("authors") or "")
    date = _date(rec)
    return Work(
        source="arxiv",
        doi=ids.doi(rec.get("doi")),
        arxiv_id=aid,
        title=_clean(rec.get("title")),
        abstract=_clean(rec.get("abstract")),
        year=int(date[:4]) if date else _year_from_id(aid),
        date=date,
        type="preprint",
        venue=_clean(rec.get("journal-ref")),
        authors=tuple(a for a in authors if a),
        topics=_topics((rec.get("categories") or "").split()),
        fingerprint=raw.fingerprint,
    )


# ---------------------------------------------------------------- OAI-PMH oai_dc extracts


def read_oai(path: Path, max_bytes: int) -> Iterator[Item]:
    src = str(path)
    with open_binary(path) as f:
        data = f.read(max_bytes + 1)
    if len(data) > max_bytes:
        yield RecordError(src, "document", f"document longer than {max_bytes} bytes")
        return
    try:
        root = xml_root(data, src)
    except RecordError as e:
        yield e
        return
    for i, rec in enumerate(el for el in root.iter() if isinstance(el.tag, str) and etree.QName(el).localname == "record"):
        yield Raw(src, f"record {i}", rec, fingerprint(etree.tostring(rec)))


def oai_to_work(raw: Raw) -> Work:
    fields: dict[str, list[str]] = {}
    for el in raw.data.iter():
        if isinstance(el.tag, str) and el.text:
            fields.setdefault(etree.QName(el).localname, []).append(el.text)
    aid = ids.arxiv((fields.get("identifier") or [""])[0].replace("oai:arXiv.org:", ""))
    if not aid:
        raise RecordError(raw.source, raw.locator, "record has no arXiv identifier")
    date = next((d for d in fields.get("date", []) if re.match(r"^\d{4}-\d{2}-\d{2}", d)), None)
    archive = aid.split("/")[0] if "/" in aid else None
    return Work(
        source="arxiv",
        arxiv_id=aid,
        title=_clean((fields.get("title") or [None])[0]),
        abstract=_clean((fields.get("description") or [None])[0]),
        year=int(date[:4]) if date else _year_from_id(aid),
        date=date[:10] if date else None,
        type="preprint",
        authors=tuple(a for a in (_clean(c) for c in fields.get("creator", [])) if a),
        topics=_topics([archive] if archive else []),
        fingerprint=raw.fingerprint,
    )


# ---------------------------------------------------------------- files


def read_file(path: Path, max_bytes: int) -> Iterator[tuple[Item, Any]]:
    """Raw records of any arXiv file, each with the function that parses it."""
    name = path.name.removesuffix(".gz")
    if name.endswith((".jsonl", ".json")):
        for item in read_jsonl(path, max_bytes):
            yield item, metadata_to_work
    elif name.endswith(".xml"):
        with open_binary(path) as f:
            head = f.read(512)
        if b"ListRecords" in head or b"OAI-PMH" in head:
            for item in read_oai(path, max_bytes):
                yield item, oai_to_work
        else:
            for item in read_feed(path, max_bytes):
                yield item, entry_to_work
    else:
        raise InputError(f"{path}: not an arXiv file this reader knows (.xml Atom/OAI, .jsonl metadata)")


def find_files(root: Path) -> list[Path]:
    if root.is_file():
        return [root]
    return [p for p in sorted(root.rglob("*")) if p.is_file() and p.name.removesuffix(".gz").endswith((".xml", ".jsonl"))]


# ---------------------------------------------------------------- live API


class Client:
    """Live arXiv search through the ``arxiv`` package.

    Polite defaults, as arXiv's terms ask: one request every 3 seconds, pages
    of 100, 3 retries. ``base_url`` points it elsewhere (a mirror, or a local
    replay server in tests). ``save_dir`` keeps each raw Atom page so the run
    can be replayed offline with ``read_file``.
    """

    def __init__(self, base_url: str = "https://export.arxiv.org/api/query", page_size: int = 100,
                 delay_seconds: float = 3.0, retries: int = 3, save_dir: Path | None = None) -> None:
        import arxiv

        self._arxiv = arxiv
        self.client = arxiv.Client(page_size=page_size, delay_seconds=delay_seconds, num_retries=retries)
        self.client.query_url_format = base_url.rstrip("?") + "?{}"
        self.save_dir = save_dir
        self.pages: list[tuple[str, bytes]] = []
        self.client._session.hooks["response"].append(self._keep)

    def _keep(self, resp: Any, *args: Any, **kwargs: Any) -> None:
        if resp.status_code == 200:
            self.pages.append((resp.url, resp.content))
            if self.save_dir is not None:
                self.save_dir.mkdir(parents=True, exist_ok=True)
                stamp = datetime.now().strftime("%Y%m%dT%H%M%S%f")
                (self.save_dir / f"arxiv-{fingerprint(resp.url.encode())}-{stamp}.xml").write_bytes(resp.content)

    def fetch(self, query: str = "", id_list: list[str] | None = None, max_results: int | None = 100,
              offset: int = 0) -> Iterator[Item]:
        """Raw Atom entries of a search, page by page, in arXiv's order, skipping ``offset``."""
        search = self._arxiv.Search(query=query, id_list=id_list or [], max_results=max_results)
        n = 0
        from core.errors import FetchError

        results = self.client.results(search, offset=offset)
        while True:
            try:
                next(results)
            except StopIteration:
                break
            except Exception as e:  # the arxiv package's HTTPError/ArxivError and requests errors
                raise FetchError(f"arXiv search {query or id_list!r} failed: {e}") from e
            while self.pages:
                url, body = self.pages.pop(0)
                for item in feed_entries(body, url):
                    if max_results is not None and n >= max_results - offset:
                        return
                    n += 1
                    yield item
