"""Field values every patent format writes in its own way: dates and office codes."""

from __future__ import annotations

import re


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
