"""Web of Science export files into raw records: the tagged plain text
(``savedrecs.txt``: ``PT … ER`` blocks), Excel (``.xls``, alone or inside a ``.zip`` of
exports) and CSV with long column names. ingest/wos.py turns the records into works.
"""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from core.errors import RecordError
from ingest.raw import Item, Raw, excerpt, fingerprint, lines, open_binary

_TAG = re.compile(r"^([A-Z][A-Z0-9]) (.*)$")


def read_text(path: Path, max_bytes: int) -> Iterator[Item]:
    """``PT … ER`` blocks of a tagged export; each block is one Raw of [tag, [lines]] entries."""
    src = str(path)
    block: list[list[Any]] | None = None
    start = 0
    buf: list[bytes] = []
    problem: str | None = None
    for item in lines(path, max_bytes):
        if isinstance(item, RecordError):
            yield item
            continue
        n, data = item
        bad = None
        try:
            line = data.decode("utf-8").lstrip("\ufeff").rstrip("\r\n")
        except UnicodeDecodeError as e:
            line = data.decode("utf-8", errors="replace").rstrip("\r\n")
            bad = f"line {n}: not UTF-8 (byte {e.start})"
        tag = line[:2]
        if block is None:
            if tag in ("FN", "VR", "EF") or not line.strip():
                continue
            if tag != "PT":
                yield RecordError(src, f"line {n}", "text outside a PT … ER record", line[:300])
                continue
            block, start, buf, problem = [], n, [], None
        problem = problem or bad
        buf.append(data)
        if tag == "ER":
            loc = f"record at line {start}"
            if problem:
                yield RecordError(src, loc, problem, excerpt(b"".join(buf)))
            else:
                yield Raw(src, loc, block, fingerprint(b"".join(buf)))
            block, problem = None, None
            continue
        if line.startswith("   ") and block:
            block[-1][1].append(line[3:].strip())
        elif m := _TAG.match(line):
            block.append([m.group(1), [m.group(2).strip()]])
        elif tag in ("PT", "ER") or line.strip() in ("PT", "ER"):
            block.append([line.strip()[:2], []])
        else:
            problem = problem or f"line {n}: not a WoS field line: {line[:60]!r}"
    if block is not None:
        yield RecordError(src, f"record at line {start}", "record is not terminated by ER (file truncated?)", excerpt(b"".join(buf)))


def _xls_rows(data: bytes, src: str) -> Iterator[Item]:
    import xlrd  # only needed for Excel exports

    try:
        book = xlrd.open_workbook(file_contents=data, on_demand=True)
    except Exception as e:  # xlrd raises bare XLRDError/struct errors on a damaged workbook
        yield RecordError(src, "workbook", f"not a readable .xls workbook: {type(e).__name__}: {e}")
        return
    sheet = book.sheet_by_index(0)
    if sheet.nrows == 0:
        return
    header = [str(h).strip() for h in sheet.row_values(0)]
    for r in range(1, sheet.nrows):
        values = sheet.row_values(r)
        row = {h: v for h, v in zip(header, values) if h and v not in ("", None)}
        loc = f"row {r + 1}"
        if not row:
            continue
        yield Raw(src, loc, row, fingerprint(json.dumps(row, sort_keys=True, default=str).encode()))


def read_xls(path: Path, max_bytes: int) -> Iterator[Item]:
    """An Excel export, or a .zip holding several (read in place, never extracted)."""
    if path.suffix.lower() == ".zip":
        try:
            z = zipfile.ZipFile(path)
        except zipfile.BadZipFile as e:
            yield RecordError(str(path), "archive", f"not a readable zip: {e}")
            return
        with z:
            for info in sorted(z.infolist(), key=lambda i: i.filename):
                if not info.filename.lower().endswith(".xls"):
                    continue
                src = f"{path}!{info.filename}"
                if info.file_size > 64 * max_bytes:
                    yield RecordError(src, "workbook", f"member larger than {64 * max_bytes} bytes")
                    continue
                yield from _xls_rows(z.read(info), src)
        return
    with open_binary(path) as f:
        yield from _xls_rows(f.read(), str(path))


def read_csv(path: Path, max_bytes: int) -> Iterator[Item]:
    """A CSV export with WoS (or Scopus) long column names; one Raw per row."""
    src = str(path)
    csv.field_size_limit(max_bytes)
    with open_binary(path) as f:
        text = io.TextIOWrapper(f, encoding="utf-8-sig", errors="replace", newline="")
        reader = csv.DictReader(text)
        n = 1
        while True:
            try:
                row = next(reader)
            except StopIteration:
                return
            except csv.Error as e:
                yield RecordError(src, f"row {n + 1}", f"malformed CSV: {e}")
                n += 1
                continue
            n += 1
            loc = f"row {n}"
            if None in row:
                yield RecordError(src, loc, f"row has {len(row) - 1 + len(row[None])} cells, the header {len(reader.fieldnames or [])}",
                                  json.dumps(row, ensure_ascii=False, default=str)[:300])
                continue
            clean = {k: v for k, v in row.items() if v not in ("", None)}
            if clean:
                yield Raw(src, loc, clean, fingerprint(json.dumps(clean, sort_keys=True).encode()))


def is_text_export(path: Path) -> bool:
    with open_binary(path) as f:
        head = f.read(64).lstrip(b"\xef\xbb\xbf")
    return head.startswith((b"FN ", b"PT ", b"VR "))
