"""Patent files of every family: which reader a file needs, and pipeline inputs
for files and folders.

Each format module registers itself in ``ingest.patent_formats`` (how its files
look, how to read one); this module imports them all and dispatches through that
table, so the formats never import this module back.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from core.errors import InputError, RecordError
from ingest import derwent, epo, lens, patentsview, ppubs, uspto  # noqa: F401 — each registers its formats
from ingest.inputs import Input, file_input
from ingest.patent_formats import PatentFormat, by_root, formats, get, lead, register, skip
from ingest.raw import _CORRUPT, Item, Raw, excerpt, open_binary

_COMMENT = re.compile(rb"<!--.*?-->", re.S)


def _ignored(what: str):
    # Files of the patent folders that hold no patent records (USPTO assignment
    # search responses, CPC scheme files) count once as ignored, not silently.
    def read(path: Path, max_bytes: int) -> Iterator[tuple[Item, object]]:
        yield Raw(str(path), what, None, ""), skip
    return read


register(PatentFormat("assignment", _ignored("USPTO assignment response (ownership transfers, not patents)"),
                      roots=("response",)))
register(PatentFormat("classification", _ignored("CPC classification scheme (not patents)"),
                      roots=("class-scheme", "CPCMasterClassificationFile")))


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
    if m and by_root(m.group(1).decode("ascii", "replace").split(":")[-1]) is not None:
        return m.group(1).decode("ascii", "replace").split(":")[-1]
    for m in re.finditer(rb"<([A-Za-z][\w:.-]*)", body):
        name = m.group(1).decode("ascii", "replace")
        if name != "DOCTYPE":
            return name.split(":")[-1]
    return ""


def family(path: Path) -> str:
    """Which kind of patent file this is, from its name and first bytes."""
    name = path.name.lower()
    head = _head(path)
    for fmt in formats():
        if fmt.sniff is not None and fmt.sniff(name, head):
            return fmt.kind
    if lead(head).startswith(b"<"):
        fmt = by_root(_root_name(head))
        return fmt.kind if fmt else "unknown-xml"
    return "unknown"


def find_files(path: Path) -> list[Path]:
    if path.is_file():
        return [path]
    if not path.is_dir():
        raise InputError(f"{path}: no such file or directory")
    return sorted(p for p in path.rglob("*") if p.is_file() and not p.name.startswith("."))


# --- from paths to pipeline inputs ------------------------------------------------

def reader(path: Path, max_bytes: int) -> Iterator[tuple[Item, object]]:
    """The (item, parser) generator for one file, chosen by its content."""
    kind = family(path)
    fmt = get(kind)
    if fmt is None:
        return iter([(RecordError(str(path), "file", f"unrecognised patent file format ({kind})", excerpt(_head(path))), skip)])
    return fmt.read(path, max_bytes)


def inputs(paths: list[Path], max_bytes: int) -> list[Input]:
    """Pipeline inputs for files and directories: one per file, and one per
    PatentsView directory (its g_* tables load together)."""
    out = []
    for path in paths:
        for d in patentsview.find_dirs(path):
            out.append(patentsview.directory_input(d))
        for f in find_files(path):
            if f.name.startswith("g_") and patentsview.table(f.parent, "g_patent") is not None:
                continue  # loaded with its directory
            out.append(file_input(f, lambda p: reader(p, max_bytes)))
    return out
