"""Shares of credit and their uncertainty, resampling the documents.

share = X.sum(0) / Σ credit: under fractional counting shares sum to 1; under full counting the
denominator is the number of attributed documents, so shares may sum to more than 1.
The interval is the 5th–95th percentile of the share over ``bootstrap`` resamples of the
documents (multinomial resample counts, seeded: the same seed gives the same interval), so all
entities' intervals come from one matrix product.
"""

from __future__ import annotations

import functools
from typing import Any

import numpy as np

from analysis.counting import Sparse, as_sparse


def div(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """a / b, NaN where b is zero."""
    return np.divide(a, b, out=np.full(np.broadcast(a, b).shape, np.nan), where=b > 0)


def num(x: Any, nd: int = 6) -> float | None:
    """A number as stored in a ranking: rounded, None when not finite."""
    x = float(x)
    return None if not np.isfinite(x) else round(x, nd)


@functools.lru_cache(maxsize=4)
def resamples(n: int, b: int, seed: int) -> np.ndarray:
    """(b × n) resample counts: row i says how often each document is drawn when n documents
    are drawn with replacement. Read-only and cached: a technology's country and organisation
    rankings resample the same n documents with the same seed. Float, column-major: it is the
    right operand of sparse products (``Sparse.left``), which would otherwise copy it each time."""
    out = np.zeros((b, n), order="F")
    if n:
        # Uniform draws counted per row, a block of rows at a time (memory ∝ block × n): the same
        # distribution as a multinomial with equal probabilities, at a fraction of its cost.
        rng = np.random.default_rng(seed)
        block = max(1, (1 << 22) // n)
        for s in range(0, b, block):
            rows = min(block, b - s)
            draws = rng.integers(0, n, size=(rows, n)) + (np.arange(rows) * n)[:, None]
            out[s:s + rows] = np.bincount(draws.ravel(), minlength=rows * n).reshape(rows, n)
    out.flags.writeable = False
    return out


def shares(x: np.ndarray | Sparse, counting: str, k: np.ndarray | None = None,
           mask: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Point share per column of x and its bootstrap 90% interval (from resample counts k).
    x is already the counting's matrix (credit, or presence for full counting)."""
    x = as_sparse(x)
    if mask is not None:
        x = x.rows(mask)
    rs = x.rowsum()
    denom = rs if counting == "fractional" else (rs > 0).astype(float)
    point = div(x.colsum(), np.asarray(denom.sum()))
    if k is None or not len(x.v):
        return point, point.copy(), point.copy()
    # A resample that drew no credited document has no share at all (0/0): it is left out, as a
    # whole row, so the percentiles are plain ones over the rest.
    total = k @ denom
    drawn = total > 0
    if not drawn.any():
        return point, point.copy(), point.copy()
    boot = x.left(k)[drawn] / total[drawn][:, None]
    lo, hi = np.percentile(boot, [5, 95], axis=0)
    return point, lo, hi


def wilson(p: np.ndarray, n: int, z: float = 1.645) -> tuple[np.ndarray, np.ndarray]:
    """90% Wilson score interval of a proportion p observed over n documents."""
    if n <= 0:
        nan = np.full(np.shape(p), np.nan)
        return nan, nan
    p = np.clip(np.nan_to_num(p), 0.0, 1.0)
    z2 = z * z
    centre = (p + z2 / (2 * n)) / (1 + z2 / n)
    half = z * np.sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / (1 + z2 / n)
    return centre - half, centre + half


def widened(s: tuple[np.ndarray, np.ndarray, np.ndarray], n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The bootstrap interval, widened to contain the Wilson interval over n documents.

    A bootstrap of few documents is falsely sure: one paper resamples to itself every time and
    gives the share 1.0 with the interval [1.0, 1.0]. Wilson's interval over the same n keeps that
    honest (one paper: [0.18, 1.0]); with hundreds of documents it lies inside the bootstrap's,
    so large rankings keep their bootstrap interval. Full-count shares above 1 are not proportions
    of n, so only the part up to 1 is widened."""
    point, lo, hi = s
    wlo, whi = wilson(point, n)
    with np.errstate(invalid="ignore"):
        lo = np.where(np.isfinite(wlo) & np.isfinite(lo), np.minimum(lo, wlo), lo)
        hi = np.where(np.isfinite(whi) & np.isfinite(hi) & (point <= 1), np.maximum(hi, whi), hi)
    return point, lo, hi
