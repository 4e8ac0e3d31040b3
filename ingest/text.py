"""Bytes of a document to its text: the format a file name says it is, the encoding
(a BOM, a declared charset, UTF-8, CP932/Shift-JIS, EUC-JP, or the best guess), and the
visible text of HTML and PDF. Shared by the policy ingester and by analysis that reads
documents stored only as a path, so both see the same text."""

from __future__ import annotations

import codecs
import io
import re
import unicodedata
from pathlib import Path
from typing import Any

from core.errors import RecordError
from ingest.raw import excerpt

TEXT_SUFFIXES = {".txt", ".text", ".md"}
HTML_SUFFIXES = {".html", ".htm", ".xhtml"}
PDF_SUFFIXES = {".pdf"}
JSONL_SUFFIXES = (".jsonl", ".jsonl.gz", ".ndjson")
YAML_SUFFIXES = {".yaml", ".yml"}
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([A-Za-z0-9_\-]+)""", re.IGNORECASE)
_BLOCK_TAGS = {"p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "section", "article", "table",
               "ul", "ol", "dd", "dt", "blockquote", "pre", "header", "footer", "td", "th", "title"}


def kind_of(path: Path) -> str | None:
    name = path.name.lower()
    if name.endswith(JSONL_SUFFIXES):
        return "jsonl"
    suffix = path.suffix.lower()
    for kind, suffixes in (("text", TEXT_SUFFIXES), ("html", HTML_SUFFIXES), ("pdf", PDF_SUFFIXES), ("yaml", YAML_SUFFIXES)):
        if suffix in suffixes:
            return kind
    return None


def decode(data: bytes, source: str, declared: str | None = None) -> tuple[str, str]:
    """Text and the encoding it was in: a BOM, a declared charset, UTF-8, CP932, or the best guess."""
    for bom, enc in ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16")):
        if data.startswith(bom):
            return data.decode(enc), enc
    tried = []
    for enc in (declared, "utf-8", "cp932", "euc-jp"):
        if not enc or enc in tried:
            continue
        tried.append(enc)
        try:
            return data.decode(_codec(enc)), _codec(enc)
        except (UnicodeDecodeError, LookupError):
            continue
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is None or best.encoding is None:
        raise RecordError(source, "document", "cannot detect the text encoding", excerpt(data))
    return str(best), best.encoding


def _codec(name: str) -> str:
    n = name.lower().replace("_", "-")
    # Shift_JIS as declared on Japanese web pages is nearly always Microsoft's superset.
    return "cp932" if n in {"shift-jis", "sjis", "x-sjis", "shift-jis-2004", "ms932", "windows-31j"} else n


def html_text(data: bytes, source: str) -> tuple[str, str | None]:
    """Visible text of an HTML page (no script/style), one block per line, and its <title>."""
    import lxml.html
    from lxml import etree

    m = _META_CHARSET.search(data[:4096])
    text, _ = decode(data, source, m.group(1).decode("ascii") if m else None)
    text = re.sub(r"^\s*<\?xml[^>]*\?>", "", text)   # lxml refuses str input with an encoding declaration
    try:
        root = lxml.html.document_fromstring(text)
    except (etree.ParserError, ValueError) as e:
        raise RecordError(source, "document", f"malformed HTML: {e}", excerpt(data)) from None
    for bad in root.xpath("//script|//style|//noscript|//template"):
        bad.drop_tree()
    title_el = root.find(".//title")
    title = _clean(title_el.text_content()) if title_el is not None else None
    for el in root.iter():
        if isinstance(el.tag, str) and el.tag.lower() in _BLOCK_TAGS:
            el.tail = "\n" + (el.tail or "")
    body = root.find("body")
    raw = (body if body is not None else root).text_content()
    lines = [_clean(line) for line in raw.splitlines()]
    return "\n".join(line for line in lines if line), title or None


def pdf_text(data: bytes, source: str) -> tuple[str, str | None, str | None]:
    """Text of a PDF, page by page, with the title and creation date of its metadata."""
    if not data.lstrip()[:5] == b"%PDF-":
        raise RecordError(source, "document", "not a PDF (no %PDF- header)", excerpt(data, 80))
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise RecordError(source, "document", "encrypted PDF")
        pages = [page.extract_text() or "" for page in reader.pages]
        meta = reader.metadata
    except RecordError:
        raise
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, IndexError, OSError) as e:
        raise RecordError(source, "document", f"unreadable PDF: {type(e).__name__}: {e}"[:300]) from None
    title = _clean(str(meta.title)) if meta and meta.title else None
    date = None
    if meta and meta.get("/CreationDate"):
        m = re.match(r"D:(\d{4})(\d{2})?(\d{2})?", str(meta.get("/CreationDate")))
        if m:
            date = "-".join(g for g in m.groups() if g)
    return "\n\n".join(pages), title, date


def _clean(s: str) -> str:
    return re.sub(r"[ \t\u3000]+", " ", s).strip()


def extract_text(data: bytes, kind: str, source: str) -> tuple[str, dict[str, Any]]:
    """The text of one document and what its format says about it (title, date)."""
    found: dict[str, Any] = {}
    if kind == "pdf":
        text, found["title"], found["date"] = pdf_text(data, source)
    elif kind == "html":
        text, found["title"] = html_text(data, source)
    else:
        text, _ = decode(data, source)
    text = unicodedata.normalize("NFC", text).replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        raise RecordError(source, "document", "no text (a scanned PDF needs OCR first)" if kind == "pdf" else "empty document")
    return text, {k: v for k, v in found.items() if v}


def text_of(path_or_url: str | None, max_bytes: int = 64 * 1024 * 1024) -> str | None:
    """The extracted text of a policy document stored as a local path (the text its MENTIONS
    offsets point into): PDF, HTML and CP932 files decoded as at ingest. None for URLs,
    missing files and unreadable documents."""
    if not path_or_url or "://" in path_or_url:
        return None
    p = Path(path_or_url)
    kind = kind_of(p)
    if kind not in ("text", "html", "pdf") or not p.is_file() or p.stat().st_size > max_bytes:
        return None
    try:
        return extract_text(p.read_bytes(), kind, str(p))[0]
    except (RecordError, OSError):
        return None
