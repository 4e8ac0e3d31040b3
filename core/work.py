"""Typed records for papers and who wrote them: built by ingest/, read everywhere else."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field



# Work key prefixes, most preferred first: a work seen with a DOI is keyed by it.
WORK_KEY_RANK = ("doi:", "openalex:", "arxiv:")


class Record(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Organization(Record):
    key: str                      # "ror:<id>" when ROR is known, else "openalex:I<n>"
    name: str | None = None
    ror: str | None = None
    openalex_id: str | None = None
    type: str | None = None       # education / company / government / facility / ...
    country: str | None = None    # ISO 3166-1 alpha-2
    lineage: tuple[str, ...] = () # OpenAlex IDs of this institution and its parents


class Authorship(Record):
    position: int                 # 0-based order on the paper
    name: str | None = None
    author_id: str | None = None  # "openalex:A<n>" when the source disambiguates authors
    orcid: str | None = None
    author_position: str | None = None   # first / middle / last
    corresponding: bool | None = None
    organizations: tuple[Organization, ...] = ()
    countries: tuple[str, ...] = ()
    raw_affiliations: tuple[str, ...] = ()
    countries_inferred: bool = False   # countries guessed (e-mail ccTLD, known institution), not stated


class TopicRef(Record):
    key: str                      # "openalex:T10017", "openalex:fields/17", "arxiv:cs.LG"
    name: str | None = None
    level: str                    # topic / subfield / field / domain / category / archive
    scheme: str                   # openalex / arxiv
    score: float | None = None
    parent: TopicRef | None = None


class Work(Record):
    source: str                   # which ingester built it: openalex / arxiv / ...
    doi: str | None = None        # lowercased, without resolver prefix
    openalex_id: str | None = None
    arxiv_id: str | None = None   # without version suffix
    source_id: str | None = None  # the source's own record ID (WoS UT, Scopus EID…), stored as id_<source>
    title: str | None = None
    abstract: str | None = None
    year: int | None = None
    date: str | None = None       # ISO date
    type: str | None = None
    language: str | None = None
    venue: str | None = None
    cited_by_count: int | None = None
    counts_by_year: tuple[tuple[int, int], ...] = ()   # (year, cited_by_count)
    referenced_works: tuple[str, ...] = ()             # OpenAlex IDs
    authors: tuple[str, ...] = ()                      # display names, in order
    authorships: tuple[Authorship, ...] = ()
    topics: tuple[TopicRef, ...] = ()
    keywords: tuple[str, ...] = ()
    fingerprint: str | None = Field(None, description="Hash of the raw record; unchanged records are not rewritten.")

    @property
    def key(self) -> str:
        if self.doi:
            return f"doi:{self.doi}"
        if self.openalex_id:
            return f"openalex:{self.openalex_id}"
        if self.arxiv_id:
            return f"arxiv:{self.arxiv_id}"
        if self.source_id:
            return f"{self.source}:{self.source_id}"
        raise ValueError("a Work needs a DOI, an OpenAlex ID, an arXiv ID or a source record ID")


def key_rank(key: str) -> int:
    for i, prefix in enumerate(WORK_KEY_RANK):
        if key.startswith(prefix):
            return i
    return len(WORK_KEY_RANK)
