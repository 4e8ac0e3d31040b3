"""What the ingest pipeline reads: an input (a file or a live request) yields raw items,
each with the parser that turns it into a typed record. Parsing failures become
RecordErrors naming the source and record, to be quarantined, never raised.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from core.errors import RecordError
from ingest.raw import Item, Raw, Skip

Parser = Callable[[Raw], Any]


@dataclass(frozen=True)
class Input:
    key: str                      # the Source node's key
    location: str                 # path or URL, for people
    fingerprint: str | None       # content hash of a file; None for live requests (always re-read)
    items: Callable[[], Iterator[tuple[Item, Parser]]]


def file_fingerprint(path: Path) -> str:
    h = hashlib.blake2b(digest_size=16)
    with open(path, "rb") as f:
        while chunk := f.read(1 << 20):
            h.update(chunk)
    return h.hexdigest()


def file_input(path: Path, reader: Callable[[Path], Iterator[tuple[Item, Parser]]]) -> Input:
    p = path.resolve()
    return Input(key=f"file:{p}", location=str(p), fingerprint=file_fingerprint(p), items=lambda: reader(p))


def parse(item: Item, parser: Parser) -> Any:
    if isinstance(item, RecordError):
        return item
    try:
        return parser(item)
    except Skip:
        return None
    except RecordError as e:
        return e
    except (ValidationError, ValueError, TypeError, KeyError, AttributeError, IndexError) as e:
        reason = str(e).splitlines()[0] if str(e) else type(e).__name__
        return RecordError(item.source, item.locator, f"cannot parse: {reason[:300]}")


