"""Raw records read from files, and the safe readers that produce them.

Readers never raise on a bad record: they yield a ``RecordError`` in its place
and go on, so one malformed line cannot cost the good records around it.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from lxml import etree

from core.errors import InputError, RecordError


@dataclass(frozen=True, slots=True)
class Raw:
    source: str        # file path or request URL
    locator: str       # where in the source: "line 12", "page 3 result 7", "entry 4"
    data: Any          # a JSON object, or an lxml element
    fingerprint: str   # hash of the raw bytes: unchanged records are not rewritten


Item = Raw | RecordError


def fingerprint(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=12).hexdigest()


def excerpt(data: bytes, n: int = 300) -> str:
    return data[:n].decode("utf-8", errors="replace")


def open_binary(path: Path) -> BinaryIO:
    if not path.exists():
        raise InputError(f"{path}: no such file")
    if path.suffix == ".gz":
        return gzip.open(path, "rb")  # type: ignore[return-value]
    return open(path, "rb")


_CORRUPT = (EOFError, gzip.BadGzipFile, zlib.error, OSError)


def lines(path: Path, max_bytes: int) -> Iterator[tuple[int, bytes] | RecordError]:
    """Lines of a (gzipped) text file; an over-long line or a truncated gzip becomes an error."""
    src = str(path)
    n = 0
    with open_binary(path) as f:
        while True:
            try:
                line = f.readline(max_bytes + 1)
            except _CORRUPT as e:
                yield RecordError(src, f"line {n + 1}", f"file is truncated or corrupt ({type(e).__name__}: {e}); later records are lost")
                return
            if not line:
                return
            n += 1
            if len(line) > max_bytes and not line.endswith(b"\n"):
                head = line[:300]
                try:
                    while chunk := f.readline(1 << 20):
                        if chunk.endswith(b"\n"):
                            break
                except _CORRUPT:
                    pass
                yield RecordError(src, f"line {n}", f"record longer than {max_bytes} bytes", excerpt(head))
                continue
            if line.strip():
                yield n, line


def json_object(data: bytes, source: str, locator: str) -> dict[str, Any]:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        raise RecordError(source, locator, f"not UTF-8 (byte {e.start}: {data[e.start:e.start + 4]!r})", excerpt(data)) from None
    try:
        obj = json.loads(text)
    except json.JSONDecodeError as e:
        raise RecordError(source, locator, f"invalid JSON: {e.msg} at column {e.colno}", excerpt(data)) from None
    except RecursionError:
        raise RecordError(source, locator, "JSON nested too deeply", excerpt(data)) from None
    if not isinstance(obj, dict):
        raise RecordError(source, locator, f"expected a JSON object, got {type(obj).__name__}", excerpt(data))
    return obj


def read_jsonl(path: Path, max_bytes: int) -> Iterator[Item]:
    """One JSON object per line (OpenAlex snapshot parts, Kaggle arXiv metadata)."""
    src = str(path)
    for item in lines(path, max_bytes):
        if isinstance(item, RecordError):
            yield item
            continue
        n, line = item
        locator = f"line {n}"
        try:
            yield Raw(src, locator, json_object(line, src, locator), fingerprint(line))
        except RecordError as e:
            yield e


def read_json(path: Path, max_bytes: int) -> dict[str, Any]:
    """A whole JSON document (a saved API page)."""
    with open_binary(path) as f:
        try:
            data = f.read(max_bytes + 1)
        except _CORRUPT as e:
            raise RecordError(str(path), "byte 0", f"file is truncated or corrupt ({e})") from None
    if len(data) > max_bytes:
        raise RecordError(str(path), "byte 0", f"document longer than {max_bytes} bytes")
    return json_object(data, str(path), "document")


# External entities and entity expansion are both off: a hostile feed can
# neither read local files nor expand a billion laughs.
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False, remove_comments=True)


def xml_root(data: bytes, source: str, locator: str = "document") -> etree._Element:
    head = data[:4096]
    if b"<!ENTITY" in head or b"<!entity" in head:
        raise RecordError(source, locator, "XML declares entities (possible entity-expansion or external-entity attack)", excerpt(data))
    try:
        root = etree.fromstring(data, _PARSER)
    except etree.XMLSyntaxError as e:
        raise RecordError(source, locator, f"malformed XML: {e}", excerpt(data)) from None
    if root is None:
        raise RecordError(source, locator, "empty XML document")
    return root


class Skip(Exception):
    """A well-formed record of a kind this ingester does not load (counted, not quarantined)."""
