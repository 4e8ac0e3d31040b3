"""The composite lead score and its weights.

score = Σ_k w_k · x_k / Σ w_k over papers share, top-10% share, patent share and growth, each
scaled to [0, 1] across the technology's entities (shares ÷ max; growth min–max). The
alliance-weighted score multiplies it by the profile's weight for the entity's country. Both
rankings are returned.
"""

from __future__ import annotations

import warnings

import numpy as np

from core.errors import ConfigError

COMPONENTS = ("papers", "top10", "patents", "growth")
DEFAULT_WEIGHTS = {"papers": 0.4, "top10": 0.3, "patents": 0.2, "growth": 0.1}


def check_weights(w: dict[str, float]) -> dict[str, float]:
    unknown = set(w) - set(COMPONENTS)
    if unknown:
        raise ConfigError(f"unknown score components {sorted(unknown)}; use {', '.join(COMPONENTS)}")
    out = {k: float(w.get(k, 0.0)) for k in COMPONENTS}
    if any(v < 0 or v != v or v > 1e6 for v in out.values()) or sum(out.values()) <= 0:
        raise ConfigError("score weights must be non-negative, finite and not all zero")
    return out


def composite(comp: np.ndarray, weights: dict[str, float]) -> np.ndarray:
    """comp: (..., entities, 4) in COMPONENTS order → (..., entities) score in [0, 1]."""
    comp = np.asarray(comp, dtype=float)
    scaled = np.empty_like(comp)
    shares_ = np.nan_to_num(comp[..., :3])
    mx = shares_.max(axis=-2, keepdims=True)
    scaled[..., :3] = np.divide(shares_, mx, out=np.zeros_like(shares_), where=mx > 0)
    # Growth is scaled over the entities that have one; a withheld growth (NaN) scores 0 but
    # does not move the scale of the others.
    g = comp[..., 3:]
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)     # all-NaN columns: no entity has a growth
        lo = np.nan_to_num(np.nanmin(g, axis=-2, keepdims=True))
        hi = np.nan_to_num(np.nanmax(g, axis=-2, keepdims=True))
        gs = np.divide(g - lo, hi - lo, out=np.zeros_like(g), where=(hi - lo) > 0)
    scaled[..., 3:] = np.nan_to_num(gs)
    w = np.array([weights[c] for c in COMPONENTS])
    return scaled @ w / w.sum()


def reweight(comp: np.ndarray, weights: dict[str, float], entity_weights: np.ndarray) -> dict[str, np.ndarray]:
    """Raw and alliance-weighted scores and ranks for a (technologies × entities × 4) stack.
    Ranks are 1-based; ties broken by entity position (callers pass entities sorted by id)."""
    raw = composite(comp, check_weights(weights))
    weighted = raw * entity_weights
    return {"raw": raw, "weighted": weighted,
            "raw_rank": np.argsort(np.argsort(-raw, axis=-1, kind="stable"), axis=-1) + 1,
            "weighted_rank": np.argsort(np.argsort(-weighted, axis=-1, kind="stable"), axis=-1) + 1}
