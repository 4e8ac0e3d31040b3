"""Fitting and measuring the mapping on the gold set: per-technology thresholds chosen
for the best recall at a target precision, and precision / recall per technology."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np

from analysis.mapping import Mapper
from analysis.mapping_gold import GoldDoc
from analysis.mapping_thresholds import Calibration, Params
from ingest.taxonomy import Taxonomy


def expand(labels: Iterable[str], tax: Taxonomy) -> set[str]:
    """Labels plus their ancestors."""
    out = set()
    for k in labels:
        out.add(k)
        out.update(tax.ancestors(k))
    return out


def evaluate(mapper: Mapper, gold: Sequence[GoldDoc], raw: tuple[list[dict[str, float]], np.ndarray | None] | None = None
             ) -> dict[str, dict[str, float]]:
    """Per technology: support, tp, fp, fn, precision, recall (gold labels and predictions both
    include ancestors)."""
    if raw is None:
        raw = mapper.raw([g.title for g in gold], [g.body for g in gold])
    rule, sims = raw
    stats: dict[str, dict[str, float]] = {k: {"support": 0, "tp": 0, "fp": 0, "fn": 0} for k in mapper.keys}
    for i, g in enumerate(gold):
        truth = expand(g.labels, mapper.tax)
        pred = {a.tech for a in mapper.decide(rule[i], sims[i] if sims is not None else None)}
        for k in mapper.keys:
            t, p = k in truth, k in pred
            stats[k]["support"] += t
            stats[k]["tp"] += t and p
            stats[k]["fp"] += p and not t
            stats[k]["fn"] += t and not p
    for s in stats.values():
        s["precision"] = s["tp"] / (s["tp"] + s["fp"]) if s["tp"] + s["fp"] else float("nan")
        s["recall"] = s["tp"] / s["support"] if s["support"] else float("nan")
    return stats


def _descendants(tax: Taxonomy) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {t.key: [t.key] for t in tax.technologies}
    for t in tax.technologies:
        for a in tax.ancestors(t.key):
            out[a].append(t.key)
    return out


def _direct(method: str, r: np.ndarray, s: np.ndarray, p: Params) -> np.ndarray:
    if method == "rule":
        return r >= p.min_rule
    if method == "embedding":
        return s >= p.sim_alone
    return (r >= p.min_rule) | (s >= p.sim_alone) | ((r >= 1) & (s >= p.sim_with_rule))


GRID_RULE = (1.0, 2.0, 3.0)
GRID_ALONE = (0.30, 0.35, 0.40, 0.45, 0.50, 0.55, 0.60, 9.0)
GRID_WITH = (0.0, 0.10, 0.15, 0.20, 0.25, 0.30, 9.0)


def calibrate(tax: Taxonomy, method: str, rule: list[dict[str, float]], sims: np.ndarray | None,
              gold: Sequence[GoldDoc], target_precision: float = 0.85, min_support: int = 5) -> Calibration:
    """Per technology, the thresholds with the best recall at precision >= target (else the best
    F1), chosen leaves first so a parent sees its children's final decisions. Technologies
    with fewer than ``min_support`` gold documents keep the default."""
    keys = [t.key for t in tax.technologies]
    n = len(gold)
    R = np.array([[rule[i].get(k, 0.0) for k in keys] for i in range(n)], dtype=np.float32).reshape(n, len(keys))
    S = sims if sims is not None else np.zeros_like(R)
    truth = np.array([[k in expand(g.labels, tax) for k in keys] for g in gold], dtype=bool).reshape(n, len(keys))
    col = {k: j for j, k in enumerate(keys)}
    desc = _descendants(tax)
    default = Params(min_rule=1.0, sim_alone=9.0, sim_with_rule=0.0) if method != "embedding" else Params(sim_alone=0.5)
    chosen: dict[str, Params] = {}
    direct = {k: _direct(method, R[:, col[k]], S[:, col[k]], default) for k in keys}
    order = sorted(keys, key=lambda k: -len(tax.ancestors(k)))   # deepest first
    for k in order:
        t = truth[:, col[k]]
        if t.sum() < min_support:
            continue
        others = np.zeros(n, dtype=bool)
        for d in desc[k]:
            if d != k:
                others |= direct[d]
        grid = [Params(a, b, c) for a in (GRID_RULE if method != "embedding" else (99.0,))
                for b in GRID_ALONE for c in (GRID_WITH if method == "hybrid" else (9.0,))]
        best, best_score = None, None
        for p in grid:
            pred = _direct(method, R[:, col[k]], S[:, col[k]], p) | others
            tp = int((pred & t).sum())
            fp = int((pred & ~t).sum())
            prec = tp / (tp + fp) if tp + fp else 0.0
            rec = tp / int(t.sum())
            f1 = 2 * prec * rec / (prec + rec) if prec + rec else 0.0
            score = (prec >= target_precision, rec if prec >= target_precision else f1, prec)
            if best_score is None or score > best_score:
                best, best_score = p, score
        chosen[k] = best
        direct[k] = _direct(method, R[:, col[k]], S[:, col[k]], best)
    return Calibration(default, chosen)
