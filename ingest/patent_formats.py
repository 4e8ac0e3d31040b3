"""The patent formats the ingester knows, each registered by its own module.

A format module (uspto, epo, lens, derwent, ppubs, patentsview) calls
``register`` at import with how to recognise its files and how to read one;
``ingest.patents`` imports the modules and dispatches through this table. The
table sits below both, so no format module needs ``ingest.patents`` and adding a
format is one module plus one import line there.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ingest.raw import Item, Raw, Skip

Reader = Callable[[Path, int], Iterator[tuple[Item, Callable[[Raw], Any]]]]
_LEAD = b"\xef\xbb\xbf \t\r\n"


@dataclass(frozen=True)
class PatentFormat:
    kind: str                                       # what ``ingest.patents.family`` reports
    read: Reader                                    # (path, max_bytes) → (item, parser) pairs
    roots: tuple[str, ...] = ()                     # XML root elements (namespace prefix dropped)
    sniff: Callable[[str, bytes], bool] | None = None   # non-XML: (lower-case file name, first bytes) → mine?


_FORMATS: dict[str, PatentFormat] = {}
_ROOTS: dict[str, str] = {}


def register(fmt: PatentFormat) -> PatentFormat:
    """Add a format; a second module claiming the same kind or root is a bug, refused."""
    old = _FORMATS.get(fmt.kind)
    if old is not None and old.read.__module__ != fmt.read.__module__:
        raise ValueError(f"patent format {fmt.kind!r} registered twice ({old.read.__module__}, {fmt.read.__module__})")
    for root in fmt.roots:
        if _ROOTS.get(root, fmt.kind) != fmt.kind:
            raise ValueError(f"XML root {root!r} claimed by patent formats {_ROOTS[root]!r} and {fmt.kind!r}")
    _FORMATS[fmt.kind] = fmt
    _ROOTS.update((root, fmt.kind) for root in fmt.roots)
    return fmt


def formats() -> tuple[PatentFormat, ...]:
    return tuple(_FORMATS.values())


def get(kind: str) -> PatentFormat | None:
    return _FORMATS.get(kind)


def by_root(name: str) -> PatentFormat | None:
    kind = _ROOTS.get(name)
    return _FORMATS[kind] if kind else None


def lead(head: bytes) -> bytes:
    """The first bytes without a BOM or leading whitespace (what sniffers look at)."""
    return head.lstrip(_LEAD)


def skip(raw: Raw) -> object:
    """The parser of an item that holds no patent (counted as ignored)."""
    raise Skip(raw.locator)
