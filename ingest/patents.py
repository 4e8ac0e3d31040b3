"""Patent files of every family, read safely: which reader a file needs, how
concatenated weekly XML splits into documents, and how DTD-era XML is made
parseable without ever expanding a declared or external entity.

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

from ingest.raw import Item, Raw, _CORRUPT, excerpt, fingerprint, open_binary
from core.errors import InputError, RecordError

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


# --- which reader a file needs -----------------------------------------------

def _head(path: Path) -> bytes:
    with open_binary(path) as f:
        try:
            return f.read(65536)
        except _CORRUPT:
            return b""


def _root_name(head: bytes) -> str:
    body = _COMMENT.sub(b"", head)
    # The DOCTYPE names the root, and its entity list can push the root past the sniffed head.
    m = re.search(rb"<!DOCTYPE\s+([A-Za-z][\w:.-]*)", body)
    if m and m.group(1).decode("ascii", "replace").split(":")[-1] in FAMILIES:
        return m.group(1).decode("ascii", "replace").split(":")[-1]
    for m in re.finditer(rb"<([A-Za-z][\w:.-]*)", body):
        name = m.group(1).decode("ascii", "replace")
        if name != "DOCTYPE":
            return name.split(":")[-1]
    return ""


FAMILIES = {
    "us-patent-grant": "uspto", "us-patent-application": "uspto", "PATDOC": "uspto",
    "patent-application-publication": "uspto", "sequence-cwu": "uspto",
    "ep-patent-document": "ep",
    "exchange-document": "docdb", "exchange-documents": "docdb",
    "world-patent-data": "epo_ops",
    "response": "assignment",
    "class-scheme": "classification", "CPCMasterClassificationFile": "classification",
}


def family(path: Path) -> str:
    """Which kind of patent file this is, from its name and first bytes."""
    name = path.name.lower()
    if name.startswith("g_") and (".tsv" in name):
        return "patentsview"
    head = _head(path)
    stripped = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if stripped.startswith((b"{", b"[")):
        return "ppubs"
    first = stripped.split(b"\n", 1)[0]
    if b"publication_number" in first and (b"lens_id" in first or b"applicants_useme" in first):
        return "lens"
    if stripped.startswith(b"FN ") and b"\nPT P" in head:
        return "derwent"
    if stripped.startswith(b"<"):
        return FAMILIES.get(_root_name(head), "unknown-xml")
    return "unknown"


def find_files(path: Path) -> list[Path]:
    if path.is_file():
        return [path]
    if not path.is_dir():
        raise InputError(f"{path}: no such file or directory")
    return sorted(p for p in path.rglob("*") if p.is_file() and not p.name.startswith("."))


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


# --- small field helpers shared by the readers -----------------------------------

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


def iso_date(value: str | None) -> str | None:
    """20050104 / 2005-01-04T00:00:00Z → 2005-01-04; a day or month of 00 is dropped."""
    if not value:
        return None
    d = re.sub(r"\D", "", value)[:8]
    if len(d) < 4 or not d.startswith(("1", "2")):
        return None
    if len(d) < 8 or d[4:6] == "00":
        return d[:4]
    if d[6:8] == "00":
        return f"{d[:4]}-{d[4:6]}"
    return f"{d[:4]}-{d[4:6]}-{d[6:8]}"


def earliest(dates: list[str | None]) -> str | None:
    known = sorted(d for d in dates if d)
    return known[0] if known else None


def country_code(value: str | None) -> str | None:
    """A two-letter office/country code, or None (USPTO writes 'N/A', 'XX' for unknown)."""
    if not value:
        return None
    v = value.strip().upper()
    return v if re.fullmatch(r"[A-Z]{2}", v) and v not in ("XX", "NA") else None


# --- from paths to pipeline inputs ------------------------------------------------

def _not_a_patent(raw: Raw) -> object:
    from ingest.raw import Skip

    raise Skip(raw.locator)


def _whole_as_ignored(path: Path, what: str) -> Iterator[tuple[Item, object]]:
    # Files of the patent folders that hold no patent records (USPTO assignment
    # search responses, CPC scheme files) count once as ignored, not silently.
    yield Raw(str(path), what, None, ""), _not_a_patent


def reader(path: Path, max_bytes: int):
    """The (item, parser) generator for one file, chosen by its content."""
    from ingest import derwent, epo, lens, ppubs, uspto

    kind = family(path)
    if kind == "uspto":
        return uspto.read_file(path, max_bytes)
    if kind == "ep":
        return epo.read_ep(path, max_bytes)
    if kind == "docdb":
        return epo.read_docdb(path, max_bytes)
    if kind == "epo_ops":
        return epo.read_ops(path, max_bytes)
    if kind == "ppubs":
        return ppubs.read_file(path, max_bytes)
    if kind == "lens":
        return lens.read_file(path, max_bytes)
    if kind == "derwent":
        return derwent.read_file(path, max_bytes)
    if kind == "patentsview":
        return iter([(RecordError(str(path), "file", "PatentsView table without a g_patent table beside it: nothing to join to"),
                      _not_a_patent)])
    if kind == "assignment":
        return _whole_as_ignored(path, "USPTO assignment response (ownership transfers, not patents)")
    if kind == "classification":
        return _whole_as_ignored(path, "CPC classification scheme (not patents)")
    return iter([(RecordError(str(path), "file", f"unrecognised patent file format ({kind})", excerpt(_head(path))), _not_a_patent)])


def inputs(paths: list[Path], max_bytes: int) -> list:
    """Pipeline inputs for files and directories: one per file, and one per
    PatentsView directory (its g_* tables load together)."""
    from ingest import patentsview
    from ingest.inputs import file_input

    out = []
    for path in paths:
        for d in patentsview.find_dirs(path):
            out.append(patentsview.directory_input(d))
        for f in find_files(path):
            if f.name.startswith("g_") and patentsview.table(f.parent, "g_patent") is not None:
                continue  # loaded with its directory
            out.append(file_input(f, lambda p: reader(p, max_bytes)))
    return out
