"""Population counts in the graph: one ``(:PopulationCount)`` per (source, definition,
entity kind, entity, year or span) and one ``(:PopulationTotal)`` per (source, definition, year or span).

Both are keyed by a string made of exactly those parts, so loading the same counts again
changes nothing, and a later fetch of the same slice replaces the earlier one (its
``as_of`` says when it was taken). A new definition version gets nodes of its own, so
counts of an older query stay readable beside the new. The nodes stand alone (no edges to
Technology, Country or Organization): readers select them by index on technology, kind
and year, and the ingested documents remain the drill-down evidence behind them.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from core.counts import CountRow, CountTotal
from graph.store import Store


# Their key constraints and slice indexes are in graph/schema.py.

MERGE_COUNTS = """
UNWIND $rows AS r
MERGE (n:PopulationCount {key: r.key})
SET n.technology = r.technology, n.definition = r.definition, n.entity_kind = r.entity_kind, n.entity = r.entity,
    n.year = r.year, n.first_year = r.first_year, n.works = r.works, n.top10 = r.top10, n.source = r.source,
    n.as_of = r.as_of
"""

MERGE_TOTALS = """
UNWIND $rows AS r
MERGE (n:PopulationTotal {key: r.key})
SET n.technology = r.technology, n.definition = r.definition, n.year = r.year, n.first_year = r.first_year,
    n.works = r.works, n.top10 = r.top10, n.source = r.source, n.as_of = r.as_of
"""

READ_COUNTS = """
MATCH (n:PopulationCount)
WHERE ($technology IS NULL OR n.technology = $technology) AND ($kind IS NULL OR n.entity_kind = $kind)
  AND ($source IS NULL OR n.source = $source) AND ($definition IS NULL OR n.definition = $definition)
  AND ($start IS NULL OR coalesce(n.first_year, n.year) >= $start) AND ($end IS NULL OR n.year <= $end)
RETURN n.technology AS technology, n.definition AS definition, n.entity_kind AS entity_kind, n.entity AS entity,
       n.year AS year, n.first_year AS first_year, n.works AS works, n.top10 AS top10, n.source AS source, n.as_of AS as_of
ORDER BY technology, definition, source, entity_kind, year, entity
"""

READ_TOTALS = """
MATCH (n:PopulationTotal)
WHERE ($technology IS NULL OR n.technology = $technology) AND ($source IS NULL OR n.source = $source)
  AND ($definition IS NULL OR n.definition = $definition)
  AND ($start IS NULL OR coalesce(n.first_year, n.year) >= $start) AND ($end IS NULL OR n.year <= $end)
RETURN n.technology AS technology, n.definition AS definition, n.year AS year, n.first_year AS first_year,
       n.works AS works, n.top10 AS top10,
       n.source AS source, n.as_of AS as_of
ORDER BY technology, definition, source, year
"""

MERGE_EVIDENCE = """
UNWIND $rows AS r
MERGE (n:PopulationEvidence {key: r.key})
SET n.technology = r.technology, n.definition = r.definition, n.country = r.country, n.source = r.source,
    n.as_of = r.as_of, n.works = r.works, n.openalex_ids = r.openalex_ids, n.years = r.years, n.cites = r.cites
"""

READ_EVIDENCE = """
MATCH (n:PopulationEvidence)
WHERE n.technology = $technology AND ($country IS NULL OR n.country = $country)
  AND ($source IS NULL OR n.source = $source)
RETURN n.technology AS technology, n.definition AS definition, n.country AS country, n.source AS source,
       n.as_of AS as_of, n.works AS works, n.openalex_ids AS openalex_ids, n.years AS years, n.cites AS cites
ORDER BY country, source, definition
"""

COUNT_NODES = """
CALL () { MATCH (n:PopulationCount) RETURN count(n) AS counts }
CALL () { MATCH (n:PopulationTotal) RETURN count(n) AS totals }
RETURN counts, totals
"""


def _span(c: CountRow | CountTotal) -> str:
    a, b = c.span
    return str(b) if a == b else f"{a}-{b}"


def count_key(r: CountRow) -> str:
    return "|".join((r.source, r.definition, r.entity_kind, r.entity, _span(r)))


def total_key(t: CountTotal) -> str:
    return "|".join((t.source, t.definition, _span(t)))


def _batches(rows: Sequence[dict[str, Any]], size: int) -> Iterable[Sequence[dict[str, Any]]]:
    for i in range(0, len(rows), size):
        yield rows[i:i + size]


def write_counts(store: Store, rows: Iterable[CountRow], totals: Iterable[CountTotal] = (),
                 batch_size: int = 2000) -> dict[str, int]:
    """MERGE counts and totals in batches of ``batch_size``; returns how many of each were written."""
    crow = [{**r.model_dump(), "key": count_key(r)} for r in rows]
    trow = [{**t.model_dump(), "key": total_key(t)} for t in totals]
    for batch in _batches(crow, batch_size):
        store.write(MERGE_COUNTS, rows=list(batch))
    for batch in _batches(trow, batch_size):
        store.write(MERGE_TOTALS, rows=list(batch))
    return {"counts": len(crow), "totals": len(trow)}


def read_counts(store: Store, technology: str | None = None, kind: str | None = None, source: str | None = None,
                definition: str | None = None, start: int | None = None, end: int | None = None) -> list[CountRow]:
    """Counts whose year, or whole span, lies inside ``start``–``end``."""
    rows = store.read(READ_COUNTS, technology=technology, kind=kind, source=source, definition=definition,
                      start=start, end=end)
    return [CountRow(**r) for r in rows]


def read_totals(store: Store, technology: str | None = None, source: str | None = None, definition: str | None = None,
                start: int | None = None, end: int | None = None) -> list[CountTotal]:
    rows = store.read(READ_TOTALS, technology=technology, source=source, definition=definition, start=start, end=end)
    return [CountTotal(**r) for r in rows]


def write_evidence(store: Store, rows: Iterable[dict[str, Any]], batch_size: int = 500) -> int:
    """MERGE the stream's bounded evidence sample: per (source, definition, country), the most cited
    works as parallel lists (work key, OpenAlex ID, year, citations), most cited first. The works
    themselves need not be in the graph: the OpenAlex IDs lead to them."""
    out = [{**r, "key": "|".join((r["source"], r["definition"], r["country"]))} for r in rows]
    for batch in _batches(out, batch_size):
        store.write(MERGE_EVIDENCE, rows=list(batch))
    return len(out)


def read_evidence(store: Store, technology: str, country: str | None = None,
                  source: str | None = None) -> list[dict[str, Any]]:
    return store.read(READ_EVIDENCE, technology=technology, country=country, source=source)


def stored(store: Store) -> dict[str, int]:
    """How many count and total nodes the graph holds."""
    return store.read(COUNT_NODES)[0]
