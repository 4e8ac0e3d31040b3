"""Patent XML read safely: how DTD-era XML is made parseable without ever
expanding a declared or external entity, how concatenated weekly files split into
documents, and the element helpers the XML formats share.

Old USPTO and EPO documents use named entities from their DTDs (``&ldquo;``,
``&deg;``, ``&SACUTE;``) and declare their images as unparsed (NDATA) entities.
We never load a DTD. Instead the DOCTYPE is removed — after checking that its
internal subset declares nothing but NDATA entities, so no document can
smuggle in an expandable or external entity — and each named reference becomes
the numeric character reference of the HTML/ISO character of that name. A name
we do not know stays visible as literal text.
"""

from __future__ import annotations

import html.entities
import re
from collections.abc import Iterator
from pathlib import Path

from lxml import etree

from core.errors import RecordError
from ingest.raw import _CORRUPT, Item, Raw, excerpt, fingerprint, open_binary

# ISO 8879 Greek names (ISOgrk1) used by USPTO's SGML-era DTDs and missing from HTML.
_GREEK = dict(zip(
    "agr bgr ggr dgr egr zgr eegr thgr igr kgr lgr mgr ngr xgr ogr pgr rgr sgr sfgr tgr ugr phgr khgr psgr ohgr".split(),
    "αβγδεζηθικλμνξοπρσςτυφχψω"))
_GREEK.update({k[0].upper() + k[1:]: v.upper() for k, v in _GREEK.items() if k != "sfgr"})
_PREDEFINED = {"amp", "lt", "gt", "quot", "apos"}
_ENTITY = re.compile(rb"&([A-Za-z][A-Za-z0-9._-]{0,40});")
_NDATA = re.compile(rb"<!ENTITY\s+[^\s>]+\s+(?:SYSTEM\s+(?:\"[^\"]*\"|'[^']*')|PUBLIC\s+(?:\"[^\"]*\"|'[^']*')\s+(?:\"[^\"]*\"|'[^']*'))\s+NDATA\s+[^\s>]+\s*>")
_NOTATION = re.compile(rb"<!NOTATION[^>]*>")
_COMMENT = re.compile(rb"<!--.*?-->", re.S)
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False,
                          remove_comments=True, remove_pis=True)
EXCH = b"http://www.epo.org/exchange"


def _codepoint(name: str) -> str | None:
    # DOCDB writes upper-case names (&SACUTE;) for capitals: try the capitalised form first.
    for n in (name, name.capitalize(), name.lower()):
        if n in _GREEK:
            return _GREEK[n]
        if n in html.entities.name2codepoint:
            return chr(html.entities.name2codepoint[n])
        if n + ";" in html.entities.html5:
            return html.entities.html5[n + ";"]
    return None


def _entity(m: re.Match[bytes]) -> bytes:
    name = m.group(1).decode("ascii")
    if name in _PREDEFINED:
        return m.group(0)
    char = _codepoint(name)
    if char is None:
        return b"&amp;" + m.group(1) + b";"
    return "".join(f"&#{ord(c)};" for c in char).encode("ascii")


def _prolog(data: bytes, source: str, locator: str) -> bytes:
    """The document without its DOCTYPE; refuses any internal subset that declares
    more than unparsed (NDATA) entities and notations."""
    pos, n = 0, len(data)
    while pos < n:
        while pos < n and data[pos] in b" \t\r\n\xef\xbb\xbf":
            pos += 1
        if data.startswith(b"<?", pos):
            end = data.find(b"?>", pos)
            pos = n if end < 0 else end + 2
        elif data.startswith(b"<!--", pos):
            end = data.find(b"-->", pos)
            pos = n if end < 0 else end + 3
        elif data.startswith(b"<!DOCTYPE", pos):
            bracket, close = data.find(b"[", pos), data.find(b">", pos)
            if bracket < 0 or (0 <= close < bracket):
                end = close + 1 if close >= 0 else n
            else:
                m = re.compile(rb"\]\s*>").search(data, bracket)
                end = m.end() if m else n
                subset = data[bracket + 1:(m.start() if m else n)]
                rest = _NOTATION.sub(b"", _NDATA.sub(b"", _COMMENT.sub(b"", subset)))
                if b"<!ENTITY" in rest.upper():
                    raise RecordError(source, locator, "XML declares entities (possible entity-expansion or external-entity attack)",
                                      excerpt(data))
            return data[:pos] + data[end:]
        else:
            return data
    return data


def safe_root(data: bytes, source: str, locator: str = "document") -> etree._Element:
    """Parse one XML document with entities mapped, namespaces dropped, no DTD."""
    body = _ENTITY.sub(_entity, _prolog(data, source, locator))
    if b"exch:" in body[:2000] and b"xmlns:exch" not in body[:2000]:
        # DOCDB fragments use the exch: prefix without declaring it.
        body = re.sub(rb"<(exch:[\w-]+)", lambda m: m.group(0) + b' xmlns:exch="' + EXCH + b'"', body, count=1)
    try:
        root = etree.fromstring(body, _PARSER)
    except etree.XMLSyntaxError as e:
        raise RecordError(source, locator, f"malformed XML: {e}", excerpt(data)) from None
    if root is None:
        raise RecordError(source, locator, "empty XML document")
    if b"xmlns" not in body:
        return root
    for el in root.iter():
        if isinstance(el.tag, str) and el.tag.startswith("{"):
            el.tag = el.tag.split("}", 1)[1]
        for a in [a for a in el.attrib if a.startswith("{")]:
            el.attrib[a.split("}", 1)[1]] = el.attrib.pop(a)
    return root


# --- concatenated weekly files ------------------------------------------------

_DECL = re.compile(rb"<\?xml[\s?]")


def documents(path: Path, max_bytes: int) -> Iterator[tuple[str, bytes] | RecordError]:
    """USPTO weekly files: one ``<?xml …?>`` document after another. Streams the
    file (the buffer holds about one document); yields (locator, bytes) per
    document, or an error for an over-long or truncated one, and goes on."""
    src = str(path)
    buf, line, index, eof = b"", 1, 0, False
    with open_binary(path) as f:
        while True:
            m = _DECL.search(buf, 1)
            if m is None and not eof:
                try:
                    # read1: one read of a gzip stream at most, so a truncated file loses only the
                    # document at the cut, not every document decompressed in the same megabyte.
                    chunk = f.read1(1 << 20)
                except _CORRUPT as e:
                    yield RecordError(src, f"document {index + 1} (line {line})",
                                      f"file is truncated or corrupt ({e}); this and later documents are lost")
                    return
                eof = not chunk
                buf += chunk
                if len(buf) > max_bytes and _DECL.search(buf, 1) is None:
                    index += 1
                    yield RecordError(src, f"document {index} (line {line})", f"document longer than {max_bytes} bytes", excerpt(buf))
                    line += buf.count(b"\n")
                    buf = b""
                    # Skip the rest of this document, up to the next declaration.
                    while chunk := f.read(1 << 20):
                        m2 = _DECL.search(chunk)
                        if m2:
                            line += chunk[:m2.start()].count(b"\n")
                            buf = chunk[m2.start():]
                            break
                        line += chunk.count(b"\n")
                    else:
                        eof = True
                continue
            end = m.start() if m else len(buf)
            doc, buf = buf[:end], buf[end:]
            if doc.strip():
                index += 1
                if len(doc) > max_bytes:
                    yield RecordError(src, f"document {index} (line {line})", f"document longer than {max_bytes} bytes", excerpt(doc))
                else:
                    yield f"document {index} (line {line})", doc
            line += doc.count(b"\n")
            if m is None:
                return


def raw_element(source: str, locator: str, el: etree._Element) -> Raw:
    return Raw(source, locator, el, fingerprint(etree.tostring(el)))


def whole_file(path: Path, max_bytes: int) -> Item:
    """A one-document file as a Raw of its bytes (parsed later, by the parser)."""
    src = str(path)
    with open_binary(path) as f:
        try:
            data = f.read(max_bytes + 1)
        except _CORRUPT as e:
            return RecordError(src, "document", f"file is truncated or corrupt ({e})")
    if len(data) > max_bytes:
        return RecordError(src, "document", f"document longer than {max_bytes} bytes")
    return Raw(src, "document", data, fingerprint(data))


# --- element text ------------------------------------------------------------------

_WS = re.compile(r"\s+")


def text(el: etree._Element | None) -> str | None:
    """All text under an element, whitespace collapsed; None when empty."""
    if el is None:
        return None
    t = _WS.sub(" ", "".join(el.itertext())).strip()
    return t or None


def raw_text(el: etree._Element | None) -> str:
    """Text as written (fixed-width class symbols depend on their spaces)."""
    return "".join(el.itertext()) if el is not None else ""
