"""How emerging each cluster is, after Rotolo, Hicks & Martin (2015).

- growth: CAGR between the baseline and the recent window, and the cluster's
  share of all documents in the recent window against the baseline window;
- novelty: 1 − the highest cosine between the cluster's recent centroid and
  the centroid of any cluster's earlier documents (its own earlier self included);
- impact: mean citations relative to the corpus mean of the same year (where known);
- coherence: mean cosine of members to their centroid.

Radical novelty, relatively fast growth, coherence and prominent impact are each turned
into a percentile among the clusters and averaged; every part is kept separately. (Their
fifth attribute, uncertainty and ambiguity, is not scored.)
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from analysis.cluster_params import Params


def as_of_year(years: np.ndarray, window: int = 5, floor: float = 0.4) -> int | None:
    """The latest year that closes a complete window: every year of the window holds at
    least ``floor`` × the window's median count. Drops a partial last year and gaps."""
    ys = years[years > 0]
    if not len(ys):
        return None
    counts = Counter(ys.tolist())
    for y in sorted(counts, reverse=True):
        w = [counts.get(y - i, 0) for i in range(window)]
        if min(w) >= floor * float(np.median(w)) and min(w) > 0:
            return y
    return int(ys.max())


@dataclass
class Stats:
    label: int
    size: int
    centroid: np.ndarray
    counts_by_year: dict[int, int]
    recent: int
    baseline: int
    recent_share: float
    baseline_share: float
    share_growth: float       # recent share / baseline share (smoothed)
    cagr: float
    novelty: float | None
    impact: float | None
    coherence: float
    keywords_en: list[str] = field(default_factory=list)
    keywords_ja: list[str] = field(default_factory=list)
    parts: dict[str, float | None] = field(default_factory=dict)  # percentiles of each attribute
    emergence: float = 0.0

    def row(self) -> dict[str, Any]:
        ys = sorted(self.counts_by_year)
        return {"size": self.size, "recent": self.recent, "baseline": self.baseline,
                "recent_share": self.recent_share, "baseline_share": self.baseline_share,
                "share_growth": self.share_growth, "cagr": self.cagr, "novelty": self.novelty,
                "impact": self.impact, "coherence": self.coherence, "emergence": self.emergence,
                "keywords_en": self.keywords_en, "keywords_ja": self.keywords_ja,
                "years": ys, "year_counts": [self.counts_by_year[y] for y in ys],
                **{f"p_{k}": v for k, v in self.parts.items()}}


def _unit(v: np.ndarray) -> np.ndarray:
    n = np.linalg.norm(v)
    return v / n if n else v


def stats(x: np.ndarray, labels: np.ndarray, years: np.ndarray, cites: np.ndarray | None,
          as_of: int | None, params: Params = Params()) -> list[Stats]:
    """Size, growth, novelty, impact and coherence of every cluster (documents after as_of are ignored for growth)."""
    m = int(labels.max()) + 1 if len(labels) and labels.max() >= 0 else 0
    if m == 0:
        return []
    years = np.asarray(years)
    as_of = as_of or int(years.max())
    r0 = as_of - params.recent_years + 1
    b0 = r0 - params.baseline_years
    in_recent = (years >= r0) & (years <= as_of)
    in_base = (years >= b0) & (years < r0)
    earlier = (years > 0) & (years < r0)
    n_recent, n_base = int(in_recent.sum()), int(in_base.sum())

    rel = None
    if cites is not None:
        cites = np.asarray(cites, dtype=float)
        rel = np.full(len(cites), np.nan)
        for y in np.unique(years):
            sel = (years == y) & ~np.isnan(cites)
            mu = cites[sel].mean() if sel.any() else 0.0
            if mu > 0:
                rel[sel] = cites[sel] / mu

    out: list[Stats] = []
    earlier_centroids = []
    for c in range(m):
        mem = labels == c
        cen = _unit(x[mem].mean(axis=0))
        coh = float((x[mem] @ cen).mean())
        rc, bc = int((mem & in_recent).sum()), int((mem & in_base).sum())
        rs = rc / n_recent if n_recent else 0.0
        bs = bc / n_base if n_base else 0.0
        sg = ((rc + 1) / (n_recent + 1)) / ((bc + 1) / (n_base + 1))
        gap = (params.recent_years + params.baseline_years) / 2
        cagr = ((rc / params.recent_years + 0.5) / (bc / params.baseline_years + 0.5)) ** (1 / gap) - 1
        imp = None
        if rel is not None:
            r = rel[mem & ~np.isnan(rel)]
            imp = float(r.mean()) if len(r) >= max(3, 0.2 * mem.sum()) else None
        early = mem & earlier
        if early.sum() >= 5:
            earlier_centroids.append(_unit(x[early].mean(axis=0)))
        cy = Counter(years[mem & (years > 0)].tolist())
        out.append(Stats(c, int(mem.sum()), cen, {int(k): int(v) for k, v in cy.items()}, rc, bc, rs, bs, sg, cagr,
                         None, imp, coh))
    if earlier_centroids:
        e = np.stack(earlier_centroids)
        for s in out:
            mem = (labels == s.label) & in_recent
            cen = _unit(x[mem].mean(axis=0)) if mem.any() else s.centroid
            s.novelty = float(1 - (e @ cen).max())
    return out


def _percentiles(values: list[float | None]) -> list[float | None]:
    have = [(v, i) for i, v in enumerate(values) if v is not None and not math.isnan(v)]
    out: list[float | None] = [None] * len(values)
    if not have:
        return out
    vals = np.array([v for v, _ in have])
    for v, i in have:
        # mid-rank percentile in [0, 1]; ties share a rank
        out[i] = float(((vals < v).sum() + 0.5 * ((vals == v).sum() - 1)) / max(len(vals) - 1, 1))
    return out


PARTS = ("novelty", "growth", "coherence", "impact")


def score(clusters: list[Stats]) -> list[Stats]:
    """Emergence = mean of the available attribute percentiles (Rotolo et al.), each kept in ``parts``."""
    cols = {
        "novelty": _percentiles([s.novelty for s in clusters]),
        "growth": _percentiles([math.log(s.share_growth) for s in clusters]),
        "coherence": _percentiles([s.coherence for s in clusters]),
        "impact": _percentiles([s.impact for s in clusters]),
    }
    for i, s in enumerate(clusters):
        s.parts = {p: cols[p][i] for p in PARTS}
        have = [v for v in s.parts.values() if v is not None]
        s.emergence = float(np.mean(have)) if have else 0.0
    return clusters
