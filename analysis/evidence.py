"""What a stored ranking says about its own evidence: the basis (population counts or the
ingested sample), the N behind it and whether it is too thin to rank.

Rankings carry ``basis``, ``n`` and thin flags on the summary and the rows when the ranking
code sets them; older rankings do not, and then the basis is the ingested sample, N the
documents with a known country, and "thin" means N below ``MIN_N``. Rows and rankings may be
plain dicts (the stored node's JSON) or typed models: both are read.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

MIN_N = 30               # documents with a country below which a ranking is thin (when it says nothing itself)
THIN_FLAGS = ("thin", "too_little_evidence", "insufficient")


def plain(x: Any) -> Any:
    """A ranking, summary or row as a plain dict, whatever its type."""
    if x is None or isinstance(x, dict):
        return x
    if hasattr(x, "model_dump"):
        return x.model_dump()
    if hasattr(x, "__dataclass_fields__"):
        return {k: getattr(x, k) for k in x.__dataclass_fields__}
    return dict(vars(x))


def flagged_thin(d: dict[str, Any] | None) -> bool:
    """The object itself says it has too little evidence (any of the flag spellings)."""
    if not d:
        return False
    flags = d.get("flags") or []
    if isinstance(flags, dict):
        flags = [k for k, v in flags.items() if v]
    return (any(bool(d.get(f)) for f in THIN_FLAGS) or any(str(f) in THIN_FLAGS for f in flags)
            or d.get("status") in THIN_FLAGS)


def rows_summary(stored: Any) -> tuple[dict[str, Any], list[dict[str, Any]], dict[str, Any]]:
    """(ranking, rows, summary) as plain dicts from a stored ranking of any shape."""
    r = plain(stored)
    rows = r.get("rows")
    if rows is None:
        rows = json.loads(r.get("rows_json") or "[]")
    summary = r.get("summary")
    if summary is None:
        summary = json.loads(r.get("summary_json") or "{}")
    return r, [plain(x) for x in rows], plain(summary) or {}


@dataclass(frozen=True)
class Evidence:
    basis: str
    n: int
    thin: bool


def _basis(*objs: dict[str, Any] | None) -> str:
    for o in objs:
        b = (o or {}).get("basis")
        if isinstance(b, dict):
            b = b.get("kind") or b.get("name")
        if b:
            return str(b)
    return "sample"


def _n(obj: dict[str, Any] | None, metric: str) -> int | None:
    n = (obj or {}).get("n")
    if isinstance(n, dict):
        n = n.get("patents" if metric == "patents" else "papers", n.get("works"))
    return None if n is None else int(n)


def of_ranking(summary: dict[str, Any], rows: list[dict[str, Any]], metric: str = "papers",
               min_n: int = MIN_N, ranking: dict[str, Any] | None = None) -> Evidence:
    docs = summary.get("documents") or {}
    if metric == "patents":
        fallback = docs.get("families_attributed", 0)
    elif metric == "documents":
        fallback = docs.get("works_attributed", 0) + docs.get("families_attributed", 0)
    else:
        fallback = docs.get("works_attributed", 0)
    n = _n(summary, metric)
    n = _n(ranking, metric) if n is None else n
    n = int(fallback or 0) if n is None else n
    # A ranking that flags its own evidence (with its own documented threshold) is believed.
    says = any(k in (o or {}) for o in (summary, ranking) for k in (*THIN_FLAGS, "flags"))
    thin = flagged_thin(summary) or flagged_thin(ranking) or (not says and n < min_n)
    return Evidence(_basis(summary, ranking, rows[0] if rows else None), n, thin)


def of_row(row: dict[str, Any], tech: Evidence) -> Evidence:
    """One cell: its own N (papers and patent families crediting the entity) and basis; thin when
    the row says so or the technology as a whole is thin."""
    n = _n(row, "papers")
    if n is None:
        n = int(row.get("papers_full") or 0) + int(row.get("patent_families") or 0)
    return Evidence(_basis(row) if row.get("basis") else tech.basis, n, tech.thin or flagged_thin(row))


ONE_CORPUS = 0.9         # one source supplying this share of a panel's documents makes it a one-corpus panel


def corpus(info: dict[str, Any]) -> dict[str, Any]:
    """A panel's corpus from graph.corpora's per-kind sources: how many sources, the largest,
    its share of the documents, and whether the panel rests on that one corpus."""
    docs = int(info.get("documents") or 0)
    srcs = [s for s in info.get("sources") or [] if s.get("location") or s.get("kind")]
    top = max(srcs, key=lambda s: (s["documents"], str(s.get("location")))) if srcs else None
    share = (top["documents"] / docs) if top and docs else None
    return {"documents": docs, "sources": len(srcs), "top": top, "top_share": share,
            "one_corpus": bool(docs) and share is not None and share >= ONE_CORPUS}
