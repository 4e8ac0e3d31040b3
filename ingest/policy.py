"""Policy documents: PDF, HTML and plain text (English or Japanese, UTF-8 or
CP932/Shift-JIS), Federal Register JSON Lines, the export-controls reference
YAML, and live URLs.

Each file is one record (the JSONL and YAML hold many); parsing a record means
extracting its text, metadata and language, then its mentions and export-control
events (ingest/mentions.py, ingest/controls.py), so the batch writer receives
complete ``PolicyDocument``s.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from core.policy import PolicyDocument
from ingest import controls
from ingest.mentions import aggregate, extractor
from ingest.raw import Item, Raw, fingerprint, open_binary, read_jsonl
from ingest.text import HTML_SUFFIXES, decode, extract_text, html_text, kind_of, text_of  # noqa: F401 - decode, html_text, text_of: callers read them from here
from core.errors import InputError, RecordError

Parser = Callable[[Raw], Any]

# Publisher codes used in file names (2025-11-14_cas_…): issuer, issuing country.
PUBLISHERS: dict[str, tuple[str, str]] = {
    "cas": ("内閣官房 (Cabinet Secretariat)", "JP"),
    "cao": ("内閣府 (Cabinet Office)", "JP"),
    "meti": ("経済産業省 (METI)", "JP"),
    "mofa": ("外務省 (MOFA)", "JP"),
    "mext": ("文部科学省 (MEXT)", "JP"),
    "mod": ("防衛省 (Ministry of Defense)", "JP"),
    "ldp": ("自由民主党 (LDP)", "JP"),
    "nedo": ("NEDO", "JP"),
    "jst": ("科学技術振興機構 (JST)", "JP"),
    "jogmec": ("JOGMEC", "JP"),
    "rieti": ("RIETI", "JP"),
    "fr": ("US Federal Register", "US"),
    "bis": ("Bureau of Industry and Security", "US"),
    "ostp": ("White House OSTP", "US"),
    "mofcom": ("Ministry of Commerce (MOFCOM)", "CN"),
}
# Issuers recognised in the first lines of a document without a telling file name.
ISSUERS_IN_TEXT: tuple[tuple[str, str], ...] = (("内閣官房", "cas"), ("内閣府", "cao"), ("経済産業省", "meti"),
                                                ("外務省", "mofa"), ("文部科学省", "mext"), ("自由民主党", "ldp"))

_NAME = re.compile(r"^(?P<date>\d{4}(?:-\d{2}(?:-\d{2})?)?(?:-\d{4})?)_(?P<pub>[a-z]+)_(?P<slug>.+)$")
_JA_DATE = re.compile(r"(?:(?P<y>\d{4})|令和\s*(?P<r>\d{1,2}|元))\s*年\s*(?P<m>\d{1,2})\s*月\s*(?P<d>\d{1,2})\s*日")
_JA_CHAR = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff\uff66-\uff9f]")


def find_files(path: Path) -> list[Path]:
    if path.is_file():
        if kind_of(path) is None:
            raise InputError(f"{path}: not a policy document format (PDF, HTML, text, JSONL, YAML)")
        return [path]
    if path.is_dir():
        # A folder's own notes (README.md, PROVENANCE.md) are not policy documents.
        return sorted(p for p in path.rglob("*") if p.is_file() and kind_of(p) is not None
                      and not p.name.upper().startswith(("README", "PROVENANCE", "LICENSE")))
    raise InputError(f"{path}: no such file or directory")


# ---- language (bytes to text is ingest/text.py) ----------------------------------------------

def language(text: str) -> str:
    """"ja" when Japanese characters make up more than a fifth of the letters, else "en"."""
    sample = text[:20000]
    letters = sum(1 for ch in sample if ch.isalpha())
    if not letters:
        return "en"
    return "ja" if len(_JA_CHAR.findall(sample)) / letters > 0.2 else "en"


# ---- metadata --------------------------------------------------------------------------------

def _title_from_text(text: str) -> str | None:
    lines = [line.strip().lstrip("#").strip().strip("*").strip() for line in text.splitlines()[:40]]
    lines = [line for line in lines if line and not _JA_DATE.search(line)]
    if not lines:
        return None
    # Slide titles come broken over short lines: 経済安全保障 / グローバルフォーラム・ / ウィークス.
    title, rest = lines[0], lines[1:]
    while rest and (len(title) < 8 or title.endswith(("・", "、", "-"))):
        title += rest.pop(0)
    return title[:200]


def _date_from_text(text: str) -> str | None:
    m = _JA_DATE.search(text[:1500])
    if not m:
        return None
    y = int(m.group("y")) if m.group("y") else 2018 + (1 if m.group("r") == "元" else int(m.group("r")))
    return f"{y:04d}-{int(m.group('m')):02d}-{int(m.group('d')):02d}"


def metadata(name: str, text: str) -> dict[str, Any]:
    """Issuer, country, date and title from the file name (``<date>_<publisher>_<slug>``) and the text."""
    meta: dict[str, Any] = {"issuer": None, "country": None, "date": None, "title": _title_from_text(text)}
    stem = name.split(".")[0]
    m = _NAME.match(stem)
    pub = None
    if m:
        pub = m.group("pub")
        d = m.group("date")
        meta["date"] = d if re.fullmatch(r"\d{4}-\d{2}-\d{2}", d) else None
        meta["year_range"] = d
    if pub is None or pub not in PUBLISHERS:
        head = text[:1500]
        pub = next((code for word, code in ISSUERS_IN_TEXT if word in head), pub)
    if pub in PUBLISHERS:
        meta["issuer"], meta["country"] = PUBLISHERS[pub]
    elif pub:
        meta["issuer"] = pub
    if meta["date"] is None:
        meta["date"] = _date_from_text(text) or (meta.get("year_range") or "")[:4] or None
    meta.pop("year_range", None)
    return meta


# ---- documents -------------------------------------------------------------------------------

def analyse(key: str, text: str, meta: dict[str, Any], path_or_url: str, fp: str, lang: str | None = None,
            abstract: str | None = None, ner: bool = True) -> PolicyDocument:
    """Mentions and export-control events of a document's text, into a PolicyDocument."""
    lang = lang or language(text)
    ex = extractor(lang, ner)
    hits = ex.hits(text)
    gazetteer_hits = [h for h in hits if h.method == "gazetteer"]
    return PolicyDocument(key=key, title=meta.get("title"), issuer=meta.get("issuer"), country=meta.get("country"),
                          date=meta.get("date"), language=lang, path_or_url=path_or_url, chars=len(text),
                          abstract=abstract, mentions=aggregate(hits), export_controls=tuple(controls.extract(text, gazetteer_hits)),
                          fingerprint=fp)


def to_document(raw: Raw, ner: bool = True) -> PolicyDocument:
    d = raw.data
    text, found = extract_text(d["bytes"], d["kind"], raw.source)
    meta = metadata(d["name"], text)
    meta.update({k: v for k, v in found.items() if k == "title" or meta.get(k) is None})
    return analyse(d["key"], text, meta, d["where"], raw.fingerprint, ner=ner)


def fr_to_document(raw: Raw) -> PolicyDocument:
    """A Federal Register document (its official abstract): issuer US Federal Register, country US."""
    r = raw.data
    number = r.get("document_number")
    if not number or not isinstance(number, str):
        raise RecordError(raw.source, raw.locator, "no document_number")
    title = r.get("title") or None
    abstract = r.get("abstract") or None
    text = "\n".join(t for t in (title, abstract) if t)
    if not text:
        raise RecordError(raw.source, raw.locator, "neither title nor abstract")
    meta = {"title": title, "issuer": "US Federal Register", "country": "US", "date": r.get("publication_date")}
    return analyse(f"fr:{number}", text, meta, r.get("html_url") or raw.source, raw.fingerprint, lang="en", abstract=abstract)


def _document_key(path: Path) -> str:
    return f"doc:{path.name.split('.')[0]}"


def read_file(path: Path, max_bytes: int, ner: bool = True) -> Iterator[tuple[Item, Parser]]:
    """(raw record, parser) pairs of one file: one per document, line or measure."""
    kind = kind_of(path)
    src = str(path)
    if kind == "jsonl":
        for item in read_jsonl(path, max_bytes):
            yield item, fr_to_document
        return
    if kind == "yaml":
        try:
            measures = list(controls.reference_documents(path))
        except (ValueError, OSError) as e:
            yield RecordError(src, "document", str(e)), to_document
            return
        except Exception as e:  # yaml.YAMLError: the module is imported lazily
            yield RecordError(src, "document", f"invalid YAML: {e}"[:300]), to_document
            return
        for locator, m in measures:
            data = repr(sorted(m.items())).encode()
            yield Raw(src, locator, m, fingerprint(data)), lambda raw: controls.measure_to_document(raw.data, raw.source)
        return
    with open_binary(path) as f:
        data = f.read(max_bytes + 1)
    if len(data) > max_bytes:
        yield RecordError(src, "document", f"document longer than {max_bytes} bytes"), to_document
        return
    raw = Raw(src, "document", {"bytes": data, "kind": kind, "name": path.name, "key": _document_key(path), "where": src},
              fingerprint(data))
    yield raw, (to_document if ner else lambda r: to_document(r, ner=False))


# ---- live URLs -------------------------------------------------------------------------------

def url_kind(url: str, content_type: str | None) -> str:
    ct = (content_type or "").lower()
    if "pdf" in ct or url.lower().endswith(".pdf"):
        return "pdf"
    if "html" in ct or url.lower().endswith(HTML_SUFFIXES_TUPLE):
        return "html"
    return "text"


HTML_SUFFIXES_TUPLE = tuple(HTML_SUFFIXES)


def fetch_url(url: str, save: Path | None, retries: int, timeout: float) -> Iterator[tuple[Item, Parser]]:
    """One live document; with ``save``, its bytes are kept there to be re-read offline as a file."""
    from core.errors import FetchError
    from ingest.http import Client

    try:
        with Client(timeout=timeout, retries=retries) as http:
            resp = http.get(url)
    except FetchError as e:
        yield RecordError(url, "document", str(e)), to_document
        return
    kind = url_kind(url, resp.headers.get("content-type"))
    data = resp.content
    name = Path(urlparse(url).path).name or urlparse(url).netloc
    if save is not None:
        save.mkdir(parents=True, exist_ok=True)
        stem = re.sub(r"[^\w.-]+", "_", name.rsplit(".", 1)[0])[:80] or "document"
        (save / f"{stem}.{ 'htm' if kind == 'html' else 'pdf' if kind == 'pdf' else 'txt'}").write_bytes(data)
    raw = Raw(url, "document", {"bytes": data, "kind": kind, "name": name, "key": f"url:{url}", "where": url}, fingerprint(data))
    yield raw, to_document


def inputs(args: list[str], max_bytes: int, save: Path | None = None, ner: bool = True, retries: int = 3,
           timeout: float = 30.0) -> list[Any]:
    """Pipeline inputs for paths (files, directories) and http(s) URLs."""
    from ingest.inputs import Input, file_input

    out: list[Input] = []
    for a in args:
        if a.startswith(("http://", "https://")):
            out.append(Input(key=a, location=a, fingerprint=None,
                             items=lambda u=a: fetch_url(u, save, retries, timeout)))
            continue
        out += [file_input(f, lambda f: read_file(f, max_bytes, ner)) for f in find_files(Path(a))]
    return out
