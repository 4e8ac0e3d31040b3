"""Policy documents, the mentions found in them, and export-control events: typed records.

Mention offsets are character offsets into a document's extracted text; no text is copied.
An ExportControl is keyed by (controlling country, material, yyyy-mm), so the same measure
read from a document's text and from a reference list is one node.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

# Labels a document can mention, and the key property of each.
MENTION_LABELS = ("Country", "Organization", "Material", "Technology")


class Record(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Mention(Record):
    label: str                          # one of MENTION_LABELS
    key: str                            # Country code, Organization/Material/Technology key
    name: str | None = None             # a display name for nodes this creates
    count: int
    offsets: tuple[int, ...]            # start character offsets into the document text
    lengths: tuple[int, ...]            # length of each matched span
    method: str = "gazetteer"           # gazetteer / ginza / gazetteer+ginza


class ExportControl(Record):
    country: str                        # controlling state, ISO alpha-2
    material: str                       # Material key
    month: str                          # yyyy-mm: effective month where known, else announced
    announced: str | None = None        # ISO date or yyyy-mm
    effective: str | None = None
    measure: str | None = None          # the announcement, or the phrase in the text
    status: str | None = None
    target: str | None = None           # a country a measure is aimed at (対米…), if any
    basis: str = "text"                 # text / reference
    exact: bool = False                 # dates are full and from an authoritative list
    offset: int | None = None           # where the text states it

    @property
    def key(self) -> str:
        return f"ec:{self.country}:{self.material}:{self.month}"


class PolicyDocument(Record):
    key: str                            # "doc:<file stem>", "fr:<document number>", "url:<url>", "ref:<measure id>"
    title: str | None = None
    issuer: str | None = None
    country: str | None = None          # issuing country
    date: str | None = None             # ISO date, or year
    language: str | None = None         # ja / en
    path_or_url: str | None = None
    chars: int = 0
    abstract: str | None = None         # only for sources that are themselves short abstracts (Federal Register)
    mentions: tuple[Mention, ...] = ()
    export_controls: tuple[ExportControl, ...] = ()
    fingerprint: str | None = None
