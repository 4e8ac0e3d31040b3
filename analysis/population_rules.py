"""What one snapshot work contributes to the population counts, decided by the rules the graph
applies to the same work when it is ingested and mapped, so the stream and a ranking of the
loaded works agree:

- the record is parsed by ingest/openalex.py's ``to_work`` through ``ingest.inputs.parse`` (the
  pipeline's own call: bad records are RecordErrors, other entity types are ignored);
- its technologies come from analysis/mapping.py's ``Mapper`` on (title, abstract), the text
  ``kizashi map`` reads from a Work node, ancestors included (``direct = false`` edges count in
  rankings too);
- its countries are those graph/load.py writes as IN_COUNTRY edges (each author's institution
  countries, or the authorship's own country list when no institution carries one);
- its institutions are the OpenAlex lineage of every affiliated institution, as OpenAlex's
  ``authorships.institutions.lineage`` groups them;
- when one paper arrives as several records, one record speaks for it, as in graph/load.py: of
  copies of one OpenAlex ID the last read (files in path order, so the latest ``updated_date``);
  of different IDs sharing a DOI or an arXiv ID the lowest W-ID.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from analysis.mapping import Mapper
from core.errors import ConfigError, RecordError
from graph.load import _edges, _oa_order, _Rows
from ingest import openalex as oa
from ingest.inputs import parse
from ingest.raw import Raw
from ingest.taxonomy import load_taxonomy

PART_RE = re.compile(r"^updated_date=(\d{4}-\d{2}-\d{2})$")
CHUNK = 1000   # records mapped together (spaCy pipes a batch; a whole part file would not fit in memory)


@dataclass(frozen=True, slots=True)
class Slim:
    """One parsed work, reduced to what counting and de-duplication need."""
    seq: tuple[int, int]            # (file index, record index): the order the graph would ingest it in
    wid: str | None                 # OpenAlex W-ID
    doi: str | None
    arxiv: str | None
    key: str                        # the graph's work key (doi:… or openalex:W…)
    year: int | None
    techs: tuple[str, ...]
    countries: tuple[str, ...]
    institutions: tuple[str, ...]
    top10: bool | None              # citation_normalized_percentile.is_in_top_10_percent; None when absent
    cites: int


@dataclass(frozen=True, slots=True)
class Problem:
    """A record that could not be counted (quarantined by the caller)."""
    source: str
    locator: str
    reason: str
    excerpt: str | None = None


@dataclass(frozen=True, slots=True)
class Part:
    index: int
    path: str
    updated: str                    # the partition's updated_date


@dataclass(frozen=True, slots=True)
class PartResult:
    part: Part
    read: int
    ignored: int
    works: tuple[Slim, ...]
    problems: tuple[Problem, ...]


# ---------------------------------------------------------------- the snapshot's files

def works_dir(root: Path) -> Path:
    """The ``works`` directory of a snapshot given as its root, its ``data`` directory or itself."""
    for cand in (root, root / "works", root / "data" / "works"):
        if cand.is_dir() and cand.name == "works" and any(cand.glob("updated_date=*")):
            return cand
    raise ConfigError(f"{root}: no OpenAlex works snapshot here (expected works/updated_date=YYYY-MM-DD/part_*.gz)")


def find_parts(root: Path) -> list[Part]:
    """Every ``works/updated_date=*/part_*.gz``, in path order (the order ``kizashi ingest`` reads them)."""
    base = works_dir(root)
    parts = []
    for p in sorted(base.glob("updated_date=*/part_*.gz")):
        m = PART_RE.match(p.parent.name)
        if m is None:
            raise ConfigError(f"{p.parent}: partition name is not updated_date=YYYY-MM-DD")
        parts.append(Part(len(parts), str(p), m.group(1)))
    if not parts:
        raise ConfigError(f"{base}: no part_*.gz files under updated_date=* directories")
    return parts


def manifest_counts(root: Path) -> dict[str, int]:
    """record_count per ``updated_date=…/part_….gz`` from the works ``manifest`` (empty when there is none)."""
    path = works_dir(root) / "manifest"
    if not path.is_file():
        return {}
    try:
        entries = json.loads(path.read_text(encoding="utf-8")).get("entries") or []
        return {"/".join(str(e["url"]).split("/")[-2:]): int(e["meta"]["record_count"]) for e in entries}
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as e:
        raise ConfigError(f"{path}: not an OpenAlex manifest ({e})") from e


# ---------------------------------------------------------------- one work

@lru_cache(maxsize=4)
def mapper_for(method: str, taxonomy: str | None) -> Mapper:
    """One mapper per worker process (building the phrase matcher takes seconds)."""
    return Mapper(load_taxonomy(taxonomy), method=method)


def countries(w: Any) -> tuple[str, ...]:
    rows = _Rows()
    _edges(rows, "w", w)
    return tuple(sorted({r["country"] for r in rows.in_country}))


def institutions(w: Any) -> tuple[str, ...]:
    out: set[str] = set()
    for a in w.authorships:
        for o in a.organizations:
            out.update(o.lineage)
            if o.openalex_id:
                out.add(o.openalex_id)
    return tuple(sorted(i for i in out if i.startswith("I")))


def top10_flag(data: Any) -> bool | None:
    pct = data.get("citation_normalized_percentile") if isinstance(data, dict) else None
    flag = pct.get("is_in_top_10_percent") if isinstance(pct, dict) else None
    return flag if isinstance(flag, bool) else None


def slim(seq: tuple[int, int], w: Any, techs: tuple[str, ...], top10: bool | None) -> Slim:
    mapped = bool(techs) and w.year is not None
    return Slim(seq=seq, wid=w.openalex_id, doi=w.doi, arxiv=w.arxiv_id, key=w.key, year=w.year, techs=techs,
                countries=countries(w) if mapped else (), institutions=institutions(w) if mapped else (),
                top10=top10, cites=w.cited_by_count or 0)



def read_part(part: Part, method: str = "rule", taxonomy: str | None = None,
              max_record_bytes: int = 8 * 1024 * 1024) -> PartResult:
    """Parse, map and reduce every record of one part file."""
    mapper = mapper_for(method, taxonomy)
    works: list[Slim] = []
    problems: list[Problem] = []
    read = ignored = 0
    pending: list[tuple[tuple[int, int], Any, bool | None]] = []

    def flush() -> None:
        found = mapper.map([w.title or "" for _, w, _ in pending], [w.abstract or "" for _, w, _ in pending])
        for (seq, w, top), assigned in zip(pending, found):
            works.append(slim(seq, w, tuple(sorted(a.tech for a in assigned)), top))
        pending.clear()

    for i, item in enumerate(oa.read_file(Path(part.path), max_record_bytes)):
        read += 1
        parsed = parse(item, oa.to_work)
        if isinstance(parsed, RecordError):
            problems.append(Problem(parsed.source, parsed.locator, parsed.reason, parsed.excerpt))
        elif parsed is None:
            ignored += 1
        else:
            pending.append(((part.index, i), parsed, top10_flag(item.data) if isinstance(item, Raw) else None))
            if len(pending) >= CHUNK:
                flush()
    if pending:
        flush()
    return PartResult(part, read, ignored, tuple(works), tuple(problems))


# ---------------------------------------------------------------- one record per paper

def latest(a: Slim, b: Slim) -> Slim:
    """Two copies of one OpenAlex ID: the one read last."""
    return a if a.seq > b.seq else b


def lowest_id(a: Slim, b: Slim) -> Slim:
    """Two IDs for one paper (shared DOI or arXiv ID): the lower W-ID; on a tie the one read last."""
    ka, kb = _oa_order(a.wid or ""), _oa_order(b.wid or "")
    if ka != kb:
        return a if ka < kb else b
    return latest(a, b)
