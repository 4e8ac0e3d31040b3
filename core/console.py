"""Shared terminal output: one rich console, tables, JSON."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

from rich.console import Console
from rich.table import Table

console = Console(stderr=False)
err = Console(stderr=True)


def print_json(data: Any) -> None:
    print(json.dumps(data, ensure_ascii=False, indent=2, default=str))


def table(rows: Iterable[Mapping[str, Any]], title: str | None = None) -> None:
    rows = list(rows)
    t = Table(title=title, show_lines=False)
    cols = list(rows[0].keys()) if rows else []
    for c in cols:
        t.add_column(str(c))
    for r in rows:
        t.add_row(*("" if r.get(c) is None else str(r.get(c)) for c in cols))
    console.print(t if rows else "(no rows)")
