"""What a ranking says about its own evidence: the basis (population counts or the ingested
sample), the N behind it and whether it is too thin to rank; and which corpora a panel rests on.

The ranking code decides thinness (analysis/rank.py, thresholds rank_min_documents and
rank_min_cell_documents in core/settings.py); this module only reads its typed answer, so the
dashboard, the API and ``kizashi validate`` cannot disagree about it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from analysis.rank import Ranking
from core.ranking import RankingRow


@dataclass(frozen=True)
class Evidence:
    basis: str
    n: int
    thin: bool


def of_ranking(rk: Ranking) -> Evidence:
    s = rk.summary
    return Evidence(str(s["basis"]), int(s["n"]), bool(s["thin"]))


def of_row(row: RankingRow, tech: Evidence) -> Evidence:
    """One cell: its own N (papers and patent families crediting the entity); thin when the row
    is, or when the technology as a whole is."""
    return Evidence(row.basis, row.n, row.thin or tech.thin)


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
