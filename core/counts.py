"""The typed shape of a population count: how many works of one technology one country or
institution had in one year, over the whole literature (not the ingested sample).

Two producers write it (the OpenAlex ``group_by`` counting client, ingest/openalex_counts.py, and
the snapshot stream, analysis/population.py) and graph/counts.py stores it, so a count always
says where it came from (``source``), which search definition selected its works
(``definition``, "<tech key>@<definition version>") and when it was taken (``as_of``).

``group_by`` gives full counts only (a work with authors in JP and US adds 1 to each), so
``works`` and ``top10`` are full counts; fractional shares come from the ingested sample.

A count covers one publication year, or a span of years when ``first_year`` is set (the span
``first_year``–``year``): the API's per-span plan counts a few multi-year spans instead of every
year, since a country table per year is what made the per-year plan cost thousands of calls.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

EntityKind = Literal["country", "institution"]
CountSource = Literal["openalex-api", "openalex-snapshot"]
Span = tuple[int, int]        # first and last publication year, inclusive


class _Span(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    year: int = Field(description="the publication year, or the last year of the span")
    first_year: int | None = Field(None, description="the span's first year; None (or = year) for one year")

    @model_validator(mode="after")
    def _ordered(self) -> "_Span":
        if self.first_year is not None and self.first_year > self.year:
            raise ValueError(f"first_year {self.first_year} is after year {self.year}")
        return self

    @property
    def span(self) -> Span:
        return (self.first_year if self.first_year is not None else self.year, self.year)


class CountRow(_Span):
    technology: str = Field(description="taxonomy key, e.g. tech:ai")
    definition: str = Field(description="'<tech key>@<definition version>' of the search definition used")
    entity_kind: EntityKind
    entity: str = Field(description="ISO 3166-1 alpha-2 for countries; OpenAlex institution ID (I…) for institutions")
    works: int = Field(ge=0, description="works with at least one author of the entity (full counting)")
    top10: int | None = Field(None, ge=0, description="of those, works in the top 10% by normalized citation percentile")
    source: CountSource
    as_of: str = Field(description="ISO date the counts were taken (API call day, or the snapshot's updated_date)")


class CountTotal(_Span):
    """The denominator: all works of the technology in a year (or span), whoever wrote them."""

    technology: str
    definition: str
    works: int = Field(ge=0)
    top10: int | None = Field(None, ge=0)
    source: CountSource
    as_of: str
