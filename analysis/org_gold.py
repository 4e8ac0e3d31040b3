"""Measuring organization resolution on the gold set (tests/gold/org_resolution.csv):
pairwise precision and recall, and how often the resolved country is the gold country."""

from __future__ import annotations

import csv
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from analysis.orgs import Org, resolve


@dataclass(frozen=True)
class Score:
    precision: float
    recall: float
    country_accuracy: float
    names: int
    organizations: int
    true_pairs: int
    predicted_pairs: int
    false_merges: list[tuple[str, str]]
    missed: list[tuple[str, str]]


def read_gold(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8", newline="") as f:
        return [r for r in csv.DictReader(f) if (r.get("name") or "").strip() and not r["name"].startswith("#")]


def evaluate(gold: Sequence[dict[str, str]], threshold: float = 92.0) -> Score:
    """Pairwise precision and recall of resolving the gold names against their gold organizations,
    and how often the resolved country is the gold country."""
    orgs = [Org(key=f"gold:{i}", name=r["name"], country=(r.get("source_country") or "").strip() or None)
            for i, r in enumerate(gold)]
    res = resolve(orgs, threshold=threshold)
    truth = {f"gold:{i}": r["organization"].strip() for i, r in enumerate(gold)}
    keys = list(truth)
    tp = fp = fn = 0
    false_merges, missed = [], []
    for i, a in enumerate(keys):
        for b in keys[i + 1:]:
            same_true = truth[a] == truth[b]
            same_pred = res.canonical[a] == res.canonical[b]
            if same_true and same_pred:
                tp += 1
            elif same_pred:
                fp += 1
                false_merges.append((gold[int(a[5:])]["name"], gold[int(b[5:])]["name"]))
            elif same_true:
                fn += 1
                missed.append((gold[int(a[5:])]["name"], gold[int(b[5:])]["name"]))
    right = sum(1 for i, r in enumerate(gold) if res.country[res.canonical[f"gold:{i}"]][0] == (r.get("country") or "").strip())
    return Score(precision=tp / (tp + fp) if tp + fp else 1.0, recall=tp / (tp + fn) if tp + fn else 1.0,
                 country_accuracy=right / len(gold) if gold else 1.0, names=len(gold),
                 organizations=len(set(truth.values())), true_pairs=tp + fn, predicted_pairs=tp + fp,
                 false_merges=false_merges, missed=missed)
