"""Yearly shares by country for one technology's dashboard page, with the same intervals as the
rankings: a seeded document bootstrap (analysis/intervals.py), widened to Wilson's interval
over the year's documents so a year of three papers does not look certain."""

from __future__ import annotations

from typing import Any

import numpy as np

from analysis import intervals


def yearly_shares(docs: list[dict[str, Any]], field: str, years: list[int], top: list[str], boot: int = 200,
                  seed: int = 20260401) -> list[dict[str, Any]]:
    """Per year and country (``top``, the rest as "other"): fractional output, its share of the
    year and a 90% interval. ``docs`` carry ``year`` and ``field`` = [(country, fraction), …]."""
    out = []
    cols = top + ["other"]
    for y in years:
        rows = [d for d in docs if d["year"] == y]
        if not rows:
            continue
        m = np.zeros((len(rows), len(cols)))
        for i, d in enumerate(rows):
            for code, f in (d[field] or []):
                if code is None or f is None:
                    continue
                m[i, cols.index(code) if code in top else len(top)] += float(f)
        total = m.sum()
        if total <= 0:
            continue
        bt = intervals.resamples(len(rows), boot, seed + int(y)) @ m
        with np.errstate(all="ignore"):
            bs = bt / bt.sum(1, keepdims=True)
            lo, hi = np.nanpercentile(bs, [5, 95], axis=0)
        share = m.sum(0) / total
        share, lo, hi = intervals.widened((share, lo, hi), len(rows))
        for j, c in enumerate(cols):
            out.append({"year": int(y), "country": c, "output": round(float(m[:, j].sum()), 4),
                        "share": round(float(share[j]), 4), "share_lo": round(float(lo[j]), 4),
                        "share_hi": round(float(hi[j]), 4), "documents": len(rows)})
    return out
