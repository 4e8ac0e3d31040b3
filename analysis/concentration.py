"""How concentrated the lead is: HHI, whether the lead is contested, and monopoly risk.

Computed on fractional paper shares (they sum to one): top-1 share, #1/#2 ratio,
HHI = Σ share², the number of the top-10 organizations located in the lead country, and
monopoly risk by ``RiskRule``. The lead is *contested* when the #1 and #2 paper-share
intervals overlap.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

import numpy as np


@dataclass(frozen=True)
class RiskRule:
    """Monopoly risk from the lead's fractional paper share and HHI.

    high   if top-1 share ≥ high_top1  or HHI ≥ high_hhi
    medium if top-1 share ≥ medium_top1 or HHI ≥ medium_hhi
    low    otherwise. A contested lead is never "high" unless HHI alone says so.
    """
    high_top1: float = 0.5
    high_hhi: float = 0.25
    medium_top1: float = 0.3
    medium_hhi: float = 0.15

    def rate(self, top1: float, hhi: float, contested: bool) -> str:
        if hhi >= self.high_hhi or (top1 >= self.high_top1 and not contested):
            return "high"
        if top1 >= self.medium_top1 or hhi >= self.medium_hhi or top1 >= self.high_top1:
            return "medium"
        return "low"

    def text(self) -> str:
        return (f"high if HHI ≥ {self.high_hhi} or (top-1 share ≥ {self.high_top1} and the lead is not contested); "
                f"medium if top-1 share ≥ {self.medium_top1} or HHI ≥ {self.medium_hhi}; otherwise low")


def hhi(s: np.ndarray) -> float:
    s = np.nan_to_num(s)
    return float((s ** 2).sum())


def contested(lo_first: float, hi_second: float) -> bool:
    """The #1's interval reaches down to the #2's: the sample cannot tell them apart."""
    return bool(lo_first <= hi_second)


def top_orgs_in(works: list[dict[str, Any]], country: str | None) -> int:
    """How many of the technology's ten largest organizations (fractional papers) are in ``country``."""
    acc: dict[str, float] = defaultdict(float)
    where: dict[str, str | None] = {}
    for r in works:
        for o in r["orgs"]:
            acc[o[0]] += float(o[1] or 0)
            where[o[0]] = o[2]
    top = sorted(acc, key=lambda k: (-acc[k], k))[:10]
    return sum(1 for k in top if country is not None and where.get(k) == country)
