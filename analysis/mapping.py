"""Document → technology mapping: phrase rules from the taxonomy, embedding
similarity to each technology's description, or both ("hybrid").

- rule: taxonomy terms counted in title and body (analysis/mapping_rules.py);
- embedding: cosine between the document and the technology's profile text
  (names in both languages, description, leading terms), via analysis/embed.py;
- hybrid: a technology is assigned when its rule score reaches the calibrated
  minimum, or the similarity reaches a high bar on its own, or a single rule
  hit is backed by a similarity above a lower bar.

A technology assigned to a document also makes the document about each of its
ancestors (an NdFeB paper is a permanent-magnet and an advanced-materials
paper); edges to ancestors carry ``direct = false``.

Thresholds are ``Params`` per technology (analysis/mapping_thresholds.py), fitted on the
gold set by analysis/mapping_calibrate.py; analysis/mapping_write.py writes the edges.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from analysis.mapping_rules import RuleMatcher
from analysis.mapping_thresholds import Calibration, load_calibration
from ingest.taxonomy import Taxonomy, load_taxonomy

METHODS = ("rule", "embedding", "hybrid")


# ---------------------------------------------------------------- embeddings

def profile_text(tech: Any) -> str:
    """What a technology is embedded from: both names, the description and its first terms."""
    terms = ", ".join(list(tech.terms_en[:12]) + list(tech.terms_ja[:6]))
    return f"{tech.name} ({tech.name_ja}). {tech.description} {terms}"


class EmbeddingScorer:
    def __init__(self, tax: Taxonomy, embedder: Any = None) -> None:
        if embedder is None:
            from analysis.embed import get_embedder

            embedder = get_embedder()
        self.embedder = embedder
        self.keys = [t.key for t in tax.technologies]
        self.matrix = np.asarray(embedder.encode([profile_text(t) for t in tax.technologies]), dtype=np.float32)

    @property
    def name(self) -> str:
        return self.embedder.name

    def similarities(self, texts: Sequence[str] | None = None, vectors: np.ndarray | None = None) -> np.ndarray:
        if vectors is None:
            vectors = np.asarray(self.embedder.encode(list(texts or [])), dtype=np.float32)
        return vectors @ self.matrix.T


# ---------------------------------------------------------------- the mapper

@dataclass(frozen=True)
class Assignment:
    tech: str
    score: float
    direct: bool


class Mapper:
    def __init__(self, tax: Taxonomy | None = None, method: str = "hybrid", calibration: Calibration | None = None,
                 embedder: Any = None) -> None:
        if method not in METHODS:
            raise ValueError(f"method must be one of {METHODS}")
        self.tax = tax or load_taxonomy()
        self.method = method
        self.cal = calibration or load_calibration(method)
        self.rules = RuleMatcher(self.tax) if method in ("rule", "hybrid") else None
        self.emb = EmbeddingScorer(self.tax, embedder) if method in ("embedding", "hybrid") else None
        self.keys = [t.key for t in self.tax.technologies]
        # Rules alone can only assign a technology that some phrase matched when every threshold
        # needs a positive score: decide() then visits the matched keys, not all of them.
        self._matched_only = method == "rule" and all(self.cal.get(k).min_rule > 0 for k in self.keys)
        self._known = set(self.keys)

    @property
    def embedder_name(self) -> str | None:
        return self.emb.name if self.emb else None

    def raw(self, titles: Sequence[str], bodies: Sequence[str], vectors: Sequence[Any] | None = None
            ) -> tuple[list[dict[str, float]], np.ndarray | None]:
        rule = self.rules.scores(titles, bodies) if self.rules else [{} for _ in titles]
        sims = None
        if self.emb:
            texts = [". ".join(p for p in (t, b) if p) for t, b in zip(titles, bodies)]
            sims = np.zeros((len(texts), len(self.keys)), dtype=np.float32)
            missing = [i for i in range(len(texts)) if vectors is None or vectors[i] is None]
            have = [i for i in range(len(texts)) if i not in set(missing)]
            if missing:
                sims[missing] = self.emb.similarities([texts[i] for i in missing])
            if have:
                sims[have] = self.emb.similarities(vectors=np.asarray([vectors[i] for i in have], dtype=np.float32))
        return rule, sims

    def decide(self, rule: dict[str, float], sim: np.ndarray | None) -> list[Assignment]:
        direct: dict[str, float] = {}
        if self._matched_only:
            for key, r in rule.items():
                if key in self._known and r >= self.cal.get(key).min_rule:
                    direct[key] = round(1.0 - math.exp(-r / 2.0), 4)
            return self._with_ancestors(direct)
        for j, key in enumerate(self.keys):
            p = self.cal.get(key)
            r = rule.get(key, 0.0)
            s = float(sim[j]) if sim is not None else 0.0
            if self.method == "rule":
                ok, score = r >= p.min_rule, 1.0 - math.exp(-r / 2.0)
            elif self.method == "embedding":
                ok, score = s >= p.sim_alone, s
            else:
                ok = r >= p.min_rule or s >= p.sim_alone or (r >= 1 and s >= p.sim_with_rule)
                score = max(1.0 - math.exp(-r / 2.0), s)
            if ok:
                direct[key] = round(score, 4)
        return self._with_ancestors(direct)

    def _with_ancestors(self, direct: dict[str, float]) -> list[Assignment]:
        out = {k: Assignment(k, v, True) for k, v in direct.items()}
        for k, v in direct.items():
            for a in self.tax.ancestors(k):
                if a not in direct and (a not in out or out[a].score < v):
                    out[a] = Assignment(a, v, False)
        return sorted(out.values(), key=lambda a: (-a.score, a.tech))

    def map(self, titles: Sequence[str], bodies: Sequence[str], vectors: Sequence[Any] | None = None) -> list[list[Assignment]]:
        rule, sims = self.raw(titles, bodies, vectors)
        return [self.decide(rule[i], sims[i] if sims is not None else None) for i in range(len(titles))]
