"""The graph job of the mapping: ``ABOUT`` edges for every document node, long documents
stored only as a path mapped paragraph by paragraph."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from analysis.mapping import Assignment, Mapper
from analysis.mapping_gold import ja_paragraphs
from ingest.text import text_of


@dataclass
class MapReport:
    label: str
    documents: int = 0
    edges: int = 0
    reused_vectors: int = 0


PASSAGES_NEEDED = 2   # a long document is about a technology when this many of its paragraphs are


def map_long_text(mapper: Mapper, title: str, text: str) -> list[Assignment]:
    """Map paragraph by paragraph (the unit the thresholds were calibrated on); keep a
    technology seen in at least PASSAGES_NEEDED paragraphs, scored by its best paragraph."""
    paras = [p for p in ja_paragraphs(text) if len(p) >= 20] or [text]
    hits: dict[str, list[Assignment]] = {}
    for found in mapper.map([title] * len(paras), paras):
        for a in found:
            hits.setdefault(a.tech, []).append(a)
    out = [Assignment(k, max(x.score for x in v), any(x.direct for x in v))
           for k, v in hits.items() if len(v) >= min(PASSAGES_NEEDED, len(paras))]
    return sorted(out, key=lambda a: (-a.score, a.tech))


def map_documents(store: Any, mapper: Mapper, labels: Sequence[str] | None = None, page: int = 1000,
                  progress: Any = None) -> list[MapReport]:
    """Write ``ABOUT {score, method}`` edges for every document node, replacing this method's
    previous edges (so a rerun, or a new taxonomy version, leaves no stale edges). Stored
    vectors from the same embedder are reused; others are encoded on the fly. A document
    with no text on the node but a local text file (policy PDFs' extracts) is mapped from
    that file, paragraph by paragraph."""
    from graph import technology as gt

    version = mapper.tax.version
    wanted = [lb for lb in gt.present_document_labels(store) if labels is None or lb in labels]
    reports = []
    for label in wanted:
        rep = MapReport(label)
        for rows in gt.documents(store, label, page=page, model=mapper.embedder_name):
            short = [i for i, r in enumerate(rows) if r["body"] or not text_of(r.get("path"))]
            vectors = [rows[i]["embedding"] for i in short]
            rep.reused_vectors += sum(v is not None for v in vectors)
            found: dict[int, list[Assignment]] = dict(zip(short, mapper.map(
                [rows[i]["title"] or "" for i in short], [rows[i]["body"] or "" for i in short],
                vectors if mapper.emb else None)))
            for i, r in enumerate(rows):
                if i not in found:
                    found[i] = map_long_text(mapper, r["title"] or "", text_of(r.get("path")) or "")
            edges = [{"doc": r["key"], "tech": a.tech, "score": a.score, "direct": a.direct}
                     for i, r in enumerate(rows) for a in found[i]]
            rep.edges += gt.write_about(store, label, [r["key"] for r in rows], edges, mapper.method, version)
            rep.documents += len(rows)
            if progress:
                progress(label, len(rows), len(edges))
        reports.append(rep)
    return reports
