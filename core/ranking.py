"""The typed shape of a ranking row and of the shortlist's weights, shared by every layer.

A ranking is stored in Neo4j as JSON; every reader (analysis, api, ui, cli) validates its rows
through ``RankingRow``, so a renamed or missing field fails loudly at the first read instead of
turning into a silent ``None``. ``ROW_VERSION`` goes up whenever a field is added, removed or
changes meaning; a row stored under another version is refused with a message that says to
re-run ``kizashi rank``.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from core.errors import ConfigError

ROW_VERSION = 2

Basis = Literal["sample", "population"]


class RankingRow(BaseModel):
    """One entity (a country or an organization) in one ranking."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str
    name: str | None = None
    country: str | None = Field(description="ISO 3166-1 alpha-2 of the entity (the entity itself when ranking countries)")
    bloc: str | None = Field(description="the profile's bloc of that country: self, ally, partner, concern or other")
    weight: float = Field(description="the profile's weight of that country")
    basis: Basis = Field("sample", description="sample: counted over the ingested documents; population: whole-literature counts")
    n: int = Field(description="documents behind this row: attributed works plus patent families")
    thin: bool = Field(description="n is below rank_min_cell_documents: shown, not ranked, growth withheld")
    papers_full: int
    papers_fractional: float | None
    papers_share: float | None
    papers_share_lo: float | None
    papers_share_hi: float | None
    top10_papers: int
    top10_share: float | None
    top10_share_lo: float | None
    top10_share_hi: float | None
    top1_share: float | None
    top1_share_lo: float | None
    top1_share_hi: float | None
    h_index: int
    patent_families: int
    patent_fractional: float | None
    patent_share: float | None
    patent_share_lo: float | None
    patent_share_hi: float | None
    growth: float | None = Field(description="compound yearly growth of papers over the window; None when thin")
    rca: float | None
    score: float | None
    rank: int | None = Field(description="by raw score among rows that are not thin; None when thin")
    score_weighted: float | None
    rank_weighted: int | None
    evidence_works: int = 0
    evidence_families: int = 0


def rows_from(data: list[dict[str, Any]], version: int | None) -> list[RankingRow]:
    """Stored rows as typed rows; rows of another version are refused, not guessed at."""
    if version != ROW_VERSION:
        raise ConfigError(f"a stored ranking has rows of version {version}, this code reads version "
                          f"{ROW_VERSION}: run `kizashi rank` again")
    return [RankingRow.model_validate(r) for r in data]


# The shortlist: four axes and their default weights; each axis is itself a weighted sum of
# parts (analysis/shortlist.py computes them). One definition, read by analysis, api, ui and cli.
SHORTLIST_WEIGHTS: dict[str, float] = {"autonomy_risk": 0.35, "indispensability": 0.25, "emergence": 0.2,
                                       "policy": 0.2}
AXIS_PARTS: dict[str, dict[str, float]] = {
    "autonomy_risk": {"concern_papers": 0.3, "concern_patents": 0.3, "material_exposure": 0.2, "allied_gap": 0.2},
    "indispensability": {"jp_share_vs_leader": 0.4, "jp_patent_share_vs_leader": 0.3, "jp_rca_capped": 0.3},
}


def weights_text(weights: dict[str, float] | None = None, sep: str = ":") -> str:
    """``autonomy_risk:0.35,…``: the form the API and the CLI accept."""
    return ",".join(f"{k}{sep}{v:g}" for k, v in (weights or SHORTLIST_WEIGHTS).items())
