"""The knobs of one clustering run (analysis/clusters.py and the modules it drives)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

NOISE = -1   # the label of a document in no kept cluster


@dataclass(frozen=True)
class Params:
    k: int = 15                 # neighbours per document in the kNN graph
    resolution: float | None = None  # Leiden RB-configuration resolution (more → smaller clusters); None: by corpus size
    min_size: int = 0           # smaller clusters become unclustered; 0 = max(10, n / 1000)
    recent_years: int = 2       # the "last two years"
    baseline_years: int = 3     # the years before them that growth is measured against
    seed: int = 42
    n_keywords: int = 10
    match_jaccard: float = 0.25  # member overlap that keeps a previous cluster's ID
    related_min: float = 0.30   # cosine of centroid to technology needed for RELATED_TO
    related_top: int = 3

    def size_floor(self, n: int) -> int:
        return self.min_size or max(10, n // 1000)

    def resolution_for(self, n: int) -> float:
        # 4.0 gave 50-60 topical clusters on 16-20k quant-ph abstracts (about 300 documents
        # each); small corpora get a lower value so their clusters stay above size_floor.
        if self.resolution is not None:
            return self.resolution
        return float(np.clip(4.0 * n / 10000, 0.5, 4.0))
