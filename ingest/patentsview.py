"""PatentsView bulk tables (granted US patents): ``g_patent`` joined by
``patent_id`` with ``g_assignee_disambiguated`` (owners), their
``g_location_disambiguated`` rows (country of each assignee's address) and
``g_cpc_current`` (current CPC). Files may be ``.tsv``, ``.tsv.gz`` or the
``.tsv.zip`` PatentsView distributes; the four sit in one directory and load
as one source. The side tables are held in memory, keyed by patent, while
``g_patent`` streams.
"""

from __future__ import annotations

import csv
import gzip
import hashlib
import io
import zipfile
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any, TextIO

from core.patent import Party, Patent, class_code, publication_number
from ingest.patent_fields import country_code, iso_date
from ingest.patent_formats import PatentFormat, register, skip
from ingest.inputs import Input
from ingest.raw import Item, Raw, fingerprint
from core.errors import InputError, RecordError

SOURCE = "patentsview"
TABLES = ("g_patent", "g_assignee_disambiguated", "g_location_disambiguated", "g_cpc_current")

csv.field_size_limit(16 * 1024 * 1024)


def table(directory: Path, name: str) -> Path | None:
    for suffix in (".tsv", ".tsv.gz", ".tsv.zip"):
        p = directory / f"{name}{suffix}"
        if p.exists():
            return p
    return None


def _open(path: Path) -> TextIO:
    if path.suffix == ".zip":
        z = zipfile.ZipFile(path)
        members = [n for n in z.namelist() if n.endswith(".tsv")]
        if not members:
            raise InputError(f"{path}: no .tsv inside")
        return io.TextIOWrapper(z.open(members[0]), encoding="utf-8", newline="")
    if path.suffix == ".gz":
        return gzip.open(path, "rt", encoding="utf-8", newline="")
    return open(path, encoding="utf-8", newline="")


_BROKEN = (csv.Error, UnicodeDecodeError, EOFError, OSError, zlib.error, zipfile.BadZipFile)


def rows(path: Path) -> Iterator[tuple[int, dict[str, str]]]:
    """Rows by line; a corrupt or undecodable table raises RecordError (later rows are lost)."""
    line = 0
    try:
        with _open(path) as f:
            reader = csv.DictReader(f, delimiter="\t", quotechar='"', restkey="_extra")
            for row in reader:
                line = reader.line_num
                yield line, row
    except _BROKEN as e:
        raise RecordError(str(path), f"line {line + 1}", f"unreadable table ({type(e).__name__}: {e}); later rows are lost") from None


def _by_patent(path: Path | None, order: str) -> dict[str, list[dict[str, str]]]:
    out: dict[str, list[dict[str, str]]] = {}
    if path is None:
        return out
    for _, r in rows(path):
        out.setdefault(r.get("patent_id") or "", []).append(r)
    for v in out.values():
        v.sort(key=lambda r: int(r.get(order) or 0) if (r.get(order) or "0").isdigit() else 0)
    return out


def read_dir(directory: Path) -> Iterator[tuple[Item, object]]:
    patents = table(directory, "g_patent")
    if patents is None:
        raise InputError(f"{directory}: no g_patent.tsv")
    try:
        assignees = _by_patent(table(directory, "g_assignee_disambiguated"), "assignee_sequence")
        cpc = _by_patent(table(directory, "g_cpc_current"), "cpc_sequence")
        loc_path = table(directory, "g_location_disambiguated")
        locations = {r.get("location_id") or "": r for _, r in rows(loc_path)} if loc_path else {}
    except RecordError as e:
        # Without a side table every patent would load without owners or classes: load none.
        yield e, to_patent
        return
    src = str(patents)
    try:
        for line, r in rows(patents):
            pid = (r.get("patent_id") or "").strip()
            if not pid:
                yield RecordError(src, f"line {line}", "row without patent_id"), to_patent
                continue
            owners = [{**a, "country": (locations.get(a.get("location_id") or "") or {}).get("disambig_country")}
                      for a in assignees.get(pid, [])]
            data = {"patent": r, "assignees": owners, "cpc": cpc.get(pid, [])}
            yield Raw(src, f"line {line}", data, fingerprint(repr(sorted(data["patent"].items())).encode()
                                                              + repr(owners).encode() + repr(data["cpc"]).encode())), to_patent
    except RecordError as e:
        yield e, to_patent


def to_patent(raw: Raw) -> Patent:
    d: dict[str, Any] = raw.data
    p = d["patent"]
    owners = []
    for a in d["assignees"]:
        org = (a.get("disambig_assignee_organization") or "").strip()
        name = org or " ".join(x for x in (a.get("disambig_assignee_individual_name_first"), a.get("disambig_assignee_individual_name_last")) if x)
        if name.strip():
            owners.append(Party(name=name.strip(), country=country_code(a.get("country")), organization=bool(org)))
    codes = [class_code(c.get("cpc_group") or "") for c in d["cpc"]]
    kind = (p.get("wipo_kind") or "").strip() or None
    return Patent(
        source=SOURCE, country="US", number=publication_number("US", p["patent_id"]), kind=kind,
        title=(p.get("patent_title") or "").strip() or None, abstract=(p.get("patent_abstract") or "").strip() or None,
        publication_date=iso_date(p.get("patent_date")),
        cpc=tuple(dict.fromkeys(c for c in codes if c)), applicants=tuple(owners), fingerprint=raw.fingerprint)


def find_dirs(path: Path) -> list[Path]:
    if path.is_file():
        return [path.parent] if path.name.startswith("g_patent.") else []
    return sorted({p.parent for p in path.rglob("g_patent.tsv*")})


def directory_input(directory: Path) -> Input:
    """All four tables of a directory as one source; its fingerprint covers every table."""
    d = directory.resolve()
    h = hashlib.blake2b(digest_size=16)
    for name in TABLES:
        p = table(d, name)
        if p is not None:
            h.update(name.encode())
            with open(p, "rb") as f:
                while chunk := f.read(1 << 20):
                    h.update(chunk)
    main = table(d, "g_patent")
    return Input(key=f"file:{main}", location=str(main), fingerprint=h.hexdigest(), items=lambda: read_dir(d))


def _lone_table(path: Path, max_bytes: int) -> Iterator[tuple[Item, object]]:
    # A directory's tables load together (directory_input); a g_* file reaching a file reader
    # has no g_patent table beside it.
    yield RecordError(str(path), "file", "PatentsView table without a g_patent table beside it: nothing to join to"), skip


register(PatentFormat("patentsview", _lone_table, sniff=lambda name, head: name.startswith("g_") and ".tsv" in name))
