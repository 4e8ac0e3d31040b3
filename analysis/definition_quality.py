"""Precision of each technology's text rules, measured on documents we labelled by hand.

tests/labels/definition_precision.csv holds (tech, source, doc_id, relevant, reason) rows:
documents of ../shared/data that the rule mapper assigned to a technology when the row was
labelled, judged by reading them (relevant = the document is about that technology). Only
references and our own reasons are stored, never the documents' text.

``measure`` re-reads those documents, re-runs today's rules and reports, per technology,
how many labelled documents the rules still assign (N) and how many of those are relevant:
precision with a 90% Wilson interval. A labelled document the rules no longer assign is
counted as dropped (a relevant one dropped is lost recall, not a precision error).
``candidates`` draws the sample to label: a fixed, hash-ordered sample per technology, so
that re-running it proposes the same documents.
"""

from __future__ import annotations

import csv
import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from analysis.intervals import wilson
from analysis.mapping import Mapper
from analysis.mapping_gold import read_gold_source
from core.errors import ConfigError
from ingest.taxonomy import Taxonomy, load_taxonomy

LABELS_PATH = Path(__file__).resolve().parent.parent / "tests" / "labels" / "definition_precision.csv"
FIELDS = ("tech", "source", "doc_id", "relevant", "reason")
MIN_N = 5            # below this many assigned labelled documents, precision is not judged
FLOOR = 0.6          # a definition whose precision is below this is too broad
# All labelled assignments together. Measured 0.50 on taxonomy 2026.12.1 (a single term
# anywhere in an abstract assigns a technology); this floor only stops it getting worse.
POOLED_FLOOR = 0.45
# The definitions measured too broad on taxonomy 2026.12.1 (docs/taxonomy.md): their rules
# must be tightened, or their rows flagged, before a ranking of them is trusted.
TOO_BROAD = (
    "tech:additive-manufacturing", "tech:advanced-comms", "tech:advanced-computing", "tech:advanced-manufacturing",
    "tech:advanced-protection", "tech:ai-accelerators", "tech:ai-vision", "tech:air-independent-propulsion",
    "tech:aircraft-engines", "tech:antimicrobials", "tech:atomic-clocks", "tech:biofuels", "tech:biomanufacturing",
    "tech:cloud-edge-computing", "tech:comms-5g6g", "tech:composite-materials", "tech:critical-minerals", "tech:defence",
    "tech:digital-twins", "tech:electronic-warfare", "tech:energetic-materials", "tech:energy", "tech:extended-reality",
    "tech:fusion", "tech:genetic-engineering", "tech:genomics", "tech:gnss", "tech:gravity-sensors", "tech:hpc",
    "tech:hypersonics", "tech:hyperspectral-imaging", "tech:infrared-optics", "tech:magnetic-sensors",
    "tech:neuroprosthetics", "tech:nuclear", "tech:nuclear-waste", "tech:optical-comms", "tech:permanent-magnets",
    "tech:photonic-sensors", "tech:post-quantum-crypto", "tech:precision-machining", "tech:quantum-sensing",
    "tech:rf-communication", "tech:semi-lithography", "tech:semi-packaging", "tech:semi-wide-bandgap",
    "tech:semiconductors", "tech:sensing", "tech:small-satellites", "tech:smart-materials", "tech:synthetic-biology",
    "tech:undersea-wireless-comms", "tech:vaccines")


@dataclass(frozen=True)
class Label:
    tech: str
    source: str
    doc_id: str
    relevant: bool
    reason: str


@dataclass(frozen=True)
class Precision:
    tech: str
    labelled: int      # labelled rows for this technology
    n: int             # of those, still assigned by today's rules
    relevant: int      # of the n, judged relevant
    dropped_relevant: int
    precision: float | None
    lo: float | None
    hi: float | None

    @property
    def judged(self) -> bool:
        return self.n >= MIN_N

    @property
    def too_broad(self) -> bool:
        return self.judged and self.precision is not None and self.precision < FLOOR


@dataclass(frozen=True)
class Report:
    taxonomy_version: str
    rows: tuple[Precision, ...]
    n: int
    relevant: int
    precision: float
    lo: float
    hi: float

    @property
    def too_broad(self) -> list[str]:
        return [r.tech for r in self.rows if r.too_broad]

    def as_dict(self) -> dict[str, object]:
        return {"taxonomy_version": self.taxonomy_version, "min_n": MIN_N, "floor": FLOOR, "interval": "90% Wilson",
                "pooled": {"n": self.n, "relevant": self.relevant, "precision": round(self.precision, 4),
                           "lo": round(self.lo, 4), "hi": round(self.hi, 4)},
                "too_broad": self.too_broad,
                "technologies": [{**vars(r), "judged": r.judged, "too_broad": r.too_broad} for r in self.rows]}


def read_labels(path: Path = LABELS_PATH, tax: Taxonomy | None = None) -> list[Label]:
    tax = tax or load_taxonomy()
    out: list[Label] = []
    seen: set[tuple[str, str, str]] = set()
    with path.open(encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f)
        if tuple(reader.fieldnames or ()) != FIELDS:
            raise ConfigError(f"{path}: columns must be {','.join(FIELDS)}")
        for line, r in enumerate(reader, start=2):
            where = f"{path}:{line}"
            if r["tech"] not in tax:
                raise ConfigError(f"{where}: unknown technology {r['tech']}")
            if r["relevant"] not in ("0", "1"):
                raise ConfigError(f"{where}: relevant must be 0 or 1, not {r['relevant']!r}")
            key = (r["tech"], r["source"], r["doc_id"])
            if key in seen:
                raise ConfigError(f"{where}: {key} labelled twice")
            seen.add(key)
            out.append(Label(r["tech"], r["source"], r["doc_id"], r["relevant"] == "1", r["reason"].strip()))
    return out


def _texts(shared: Path, refs: Iterable[tuple[str, str]]) -> dict[tuple[str, str], tuple[str, str]]:
    wanted: dict[str, set[str]] = {}
    for src, doc in refs:
        wanted.setdefault(src, set()).add(doc)
    out: dict[tuple[str, str], tuple[str, str]] = {}
    for src, ids in wanted.items():
        docs = read_gold_source(shared, src)
        missing = sorted(ids - docs.keys())
        if missing:
            raise ConfigError(f"labelled documents not found in {src}: {', '.join(missing[:5])}")
        out.update({(src, d): docs[d] for d in ids})
    return out


def assigned(mapper: Mapper, texts: Sequence[tuple[str, str]]) -> list[set[str]]:
    """Technologies the rules assign directly to each (title, body)."""
    return [{a.tech for a in doc if a.direct} for doc in mapper.map([t for t, _ in texts], [b for _, b in texts])]


def measure(shared: Path, labels: Sequence[Label] | None = None, tax: Taxonomy | None = None) -> Report:
    tax = tax or load_taxonomy()
    labels = list(labels) if labels is not None else read_labels(tax=tax)
    texts = _texts(shared, {(lb.source, lb.doc_id) for lb in labels})
    refs = sorted(texts)
    hits = dict(zip(refs, assigned(Mapper(tax, method="rule"), [texts[r] for r in refs])))
    rows = []
    for key in sorted({lb.tech for lb in labels}):
        mine = [lb for lb in labels if lb.tech == key]
        kept = [lb for lb in mine if key in hits[(lb.source, lb.doc_id)]]
        n, rel = len(kept), sum(lb.relevant for lb in kept)
        lo, hi = wilson(np.array(rel / n), n) if n else (None, None)
        rows.append(Precision(key, len(mine), n, rel, sum(lb.relevant for lb in mine if lb not in kept),
                              round(rel / n, 4) if n else None,
                              round(float(lo), 4) if n else None, round(float(hi), 4) if n else None))
    n, rel = sum(r.n for r in rows), sum(r.relevant for r in rows)
    if not n:
        raise ConfigError("no labelled document is assigned by today's rules")
    lo, hi = wilson(np.array(rel / n), n)
    return Report(tax.version, tuple(rows), n, rel, rel / n, float(lo), float(hi))


def _rank(source: str, doc_id: str, tech: str) -> str:
    return hashlib.sha1(f"{tech}|{source}|{doc_id}".encode()).hexdigest()


def candidates(shared: Path, sources: Sequence[str], per_tech: int = 10, tax: Taxonomy | None = None,
               per_source: int | None = None) -> dict[str, tuple[int, list[tuple[str, str, str]]]]:
    """tech → (documents the rules assign, up to ``per_tech`` of them as (source, doc_id, title)
    in a fixed hash order, at most ``per_source`` from one source if given)."""
    tax = tax or load_taxonomy()
    mapper = Mapper(tax, method="rule")
    pool: dict[str, list[tuple[str, str, str, str]]] = {}
    for src in sources:
        docs = read_gold_source(shared, src)
        ids = sorted(docs)
        for doc_id, techs in zip(ids, assigned(mapper, [docs[i] for i in ids])):
            for t in techs:
                pool.setdefault(t, []).append((_rank(src, doc_id, t), src, doc_id, docs[doc_id][0]))
    out: dict[str, tuple[int, list[tuple[str, str, str]]]] = {}
    for tech, rows in pool.items():
        taken: list[tuple[str, str, str]] = []
        count: dict[str, int] = {}
        for _h, src, doc_id, title in sorted(rows):
            if per_source is not None and count.get(src, 0) >= per_source:
                continue
            count[src] = count.get(src, 0) + 1
            taken.append((src, doc_id, title))
            if len(taken) == per_tech:
                break
        out[tech] = (len(rows), taken)
    return out
