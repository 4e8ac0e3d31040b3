"""The analyst's table of organization decisions: CSV with columns
action,name,target,country,note, where action is merge / split / country / parent."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from core.errors import InputError

ACTIONS = ("merge", "split", "country", "parent")


@dataclass(frozen=True)
class Override:
    line: int
    action: str            # merge / split / country / parent
    name: str              # an organization key, or a name (matched by key, name key or match form)
    target: str | None = None
    country: str | None = None
    note: str = ""


def read_overrides(path: Path) -> list[Override]:
    """The analyst's table: CSV with columns action,name,target,country,note."""
    if not path.exists():
        return []
    out = []
    with open(path, encoding="utf-8-sig", newline="") as f:
        reader = csv.DictReader(f)
        missing = {"action", "name"} - set(reader.fieldnames or [])
        if missing:
            raise InputError(f"{path}: override table needs columns action,name,target,country,note (missing {sorted(missing)})")
        for n, row in enumerate(reader, start=2):
            action = (row.get("action") or "").strip().lower()
            name = (row.get("name") or "").strip()
            if not action or action.startswith("#"):
                continue
            target = (row.get("target") or "").strip() or None
            country = (row.get("country") or "").strip().upper() or None
            if action not in ACTIONS:
                raise InputError(f"{path}:{n}: unknown action {action!r} (one of {', '.join(ACTIONS)})")
            if not name or (action in ("merge", "parent") and not target) or (action == "country" and not country):
                raise InputError(f"{path}:{n}: {action} needs name" + (" and target" if action in ("merge", "parent") else
                                                                       " and country" if action == "country" else ""))
            out.append(Override(n, action, name, target, country, (row.get("note") or "").strip()))
    return out
