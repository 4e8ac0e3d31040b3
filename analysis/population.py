"""Population counts from an OpenAlex works snapshot, streamed on Dask.

The snapshot's published layout (``works/updated_date=*/part_*.gz``, gzipped JSON lines) is read
part by part as a ``dask.bag``: each part is parsed and mapped to technologies by the graph's own
rules (analysis/population_rules.py), one record is kept per paper, and full counts are summed per
(technology, country, year), (technology, institution lineage, year) and (technology, year), for
all works and for works in OpenAlex's top 10% by normalized citation percentile. The result is
``core.counts.CountRow`` / ``CountTotal`` rows (source "openalex-snapshot", as of the newest
``updated_date`` partition) and a bounded evidence sample: the K most cited works per
(technology, country), for drill-down.

Local by default (Dask's processes scheduler on this machine); a scheduler address
(``tcp://host:8786``) runs the same graph on that dask.distributed cluster, whose workers need
kizashi installed. Nothing here writes to Neo4j.

``top10`` is None for a cell none of whose works carries ``citation_normalized_percentile``
(older snapshots lack the field); otherwise it counts the works flagged true, as the API's
``is_in_top_10_percent:true`` filter does.
"""

from __future__ import annotations

import heapq
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import partial, reduce
from pathlib import Path
from typing import Any

from analysis.population_rules import (Part, PartResult, Problem, Slim, find_parts, latest, lowest_id,
                                       manifest_counts, read_part)
from core.counts import CountRow, CountTotal
from core.errors import ConfigError
from ingest.taxonomy import load_definitions, load_taxonomy

SOURCE = "openalex-snapshot"
LOCAL_SCHEDULERS = ("processes", "threads", "sync", "synchronous")

# Accumulator, plain dicts so that it pickles cheaply between workers:
#   "cells":    (tech, kind, entity, year) -> [works, top10, works with a known top10 flag]
#   "totals":   (tech, year) -> [works, top10, known]
#   "evidence": (tech, country) -> heap of (cites, inverted key, key, W-ID, year), the K most cited
Acc = dict[str, dict[Any, Any]]


@dataclass(frozen=True)
class Evidence:
    key: str                 # the graph's work key
    openalex_id: str | None
    year: int
    cited_by_count: int


@dataclass(frozen=True)
class Summary:
    snapshot: str
    as_of: str
    files: int
    records_read: int
    works: int                   # parsed works
    ignored: int                 # other entity types in the works stream
    quarantined: int
    duplicates: int              # records dropped because another record speaks for the same paper
    counted: int                 # distinct papers about at least one technology, with a year
    no_year: int                 # papers about a technology without a publication year (not counted)
    with_percentile: int         # counted papers that carry citation_normalized_percentile
    manifest_mismatches: tuple[str, ...]
    method: str
    taxonomy_version: str
    definitions_version: str
    scheduler: str
    seconds: float


@dataclass(frozen=True)
class Population:
    rows: tuple[CountRow, ...]
    totals: tuple[CountTotal, ...]
    evidence: dict[str, dict[str, tuple[Evidence, ...]]]     # technology -> country -> works
    summary: Summary
    problems: tuple[Problem, ...] = field(default=())

    def full_counts(self, kind: str = "country", year: int | None = None) -> dict[str, dict[str, int]]:
        """technology -> entity -> works, over all years or one."""
        out: dict[str, dict[str, int]] = {}
        for r in self.rows:
            if r.entity_kind == kind and (year is None or r.year == year):
                t = out.setdefault(r.technology, {})
                t[r.entity] = t.get(r.entity, 0) + r.works
        return out


    def evidence_rows(self) -> list[dict[str, Any]]:
        """The evidence sample in the shape graph/counts.write_evidence stores."""
        definition = {t.technology: t.definition for t in self.totals}
        return [{"technology": t, "definition": definition.get(t, t), "country": c, "source": "openalex-snapshot",
                 "as_of": self.summary.as_of, "works": [e.key for e in ws], "openalex_ids": [e.openalex_id for e in ws],
                 "years": [e.year for e in ws], "cites": [e.cited_by_count for e in ws]}
                for t, per in sorted(self.evidence.items()) for c, ws in sorted(per.items())]


# ---------------------------------------------------------------- counting (mergeable)

def empty() -> Acc:
    return {"cells": {}, "totals": {}, "evidence": {}, "meta": {"counted": 0, "no_year": 0, "with_percentile": 0}}


def _bump(d: dict[Any, list[int]], key: Any, top10: bool | None) -> None:
    c = d.get(key)
    if c is None:
        c = d[key] = [0, 0, 0]
    c[0] += 1
    if top10 is not None:
        c[2] += 1
        c[1] += top10


def _offer(heap: list[tuple[Any, ...]], item: tuple[Any, ...], k: int) -> None:
    if len(heap) < k:
        heapq.heappush(heap, item)
    elif item > heap[0]:
        heapq.heapreplace(heap, item)


def _inverted(key: str) -> tuple[int, ...]:
    # Among equally cited works the smaller key wins, whichever partition saw it first.
    return tuple(-ord(c) for c in key)


def count(works: Iterable[Slim], k: int) -> Acc:
    acc = empty()
    meta, cells, totals, ev = acc["meta"], acc["cells"], acc["totals"], acc["evidence"]
    for w in works:
        if not w.techs:
            continue
        if w.year is None:
            meta["no_year"] += 1
            continue
        meta["counted"] += 1
        meta["with_percentile"] += w.top10 is not None
        item = (w.cites, _inverted(w.key), w.key, w.wid, w.year)
        for t in w.techs:
            _bump(totals, (t, w.year), w.top10)
            for c in w.countries:
                _bump(cells, (t, "country", c, w.year), w.top10)
                if k > 0:
                    _offer(ev.setdefault((t, c), []), item, k)
            for i in w.institutions:
                _bump(cells, (t, "institution", i, w.year), w.top10)
    return acc


def merge(a: Acc, b: Acc, k: int) -> Acc:
    out = empty()
    for name in ("cells", "totals"):
        d = out[name]
        for src in (a[name], b[name]):
            for key, c in src.items():
                have = d.get(key)
                d[key] = list(c) if have is None else [x + y for x, y in zip(have, c)]
    for src in (a["evidence"], b["evidence"]):
        for key, heap in src.items():
            for item in heap:
                _offer(out["evidence"].setdefault(key, []), item, k)
    out["meta"] = {m: a["meta"][m] + b["meta"][m] for m in out["meta"]}
    return out


def _count_partition(works: Iterable[Slim], k: int) -> Acc:
    return count(works, k)


def _merge_all(accs: Iterable[Acc], k: int) -> Acc:
    return reduce(partial(merge, k=k), accs, empty())


# ---------------------------------------------------------------- one record per paper

def _wid(s: Slim) -> str | None:
    return s.wid


def _doi(s: Slim) -> str | None:
    return s.doi


def _arxiv(s: Slim) -> str | None:
    return s.arxiv


def _is_none(keyfn: Callable[[Slim], str | None], s: Slim) -> bool:
    return keyfn(s) is None


def _has(keyfn: Callable[[Slim], str | None], s: Slim) -> bool:
    return keyfn(s) is not None


def _pick(pick: Callable[[Slim, Slim], Slim], group: tuple[Any, list[Slim]]) -> Slim:
    return reduce(pick, group[1])


def dedupe(bag: Any, keyfn: Callable[[Slim], str | None], pick: Callable[[Slim, Slim], Slim]) -> Any:
    """Keep one record per value of ``keyfn`` (a hash shuffle, so it scales with the cluster);
    records without a value pass through."""
    import dask.bag as db

    keyed = bag.filter(partial(_has, keyfn))
    won = keyed.groupby(keyfn, shuffle="tasks", npartitions=bag.npartitions).map(partial(_pick, pick))
    return db.concat([bag.filter(partial(_is_none, keyfn)), won])


def one_per_paper(bag: Any) -> Any:
    return dedupe(dedupe(dedupe(bag, _wid, latest), _doi, lowest_id), _arxiv, lowest_id)


# ---------------------------------------------------------------- the stream

def _works(r: PartResult) -> tuple[Slim, ...]:
    return r.works


def _meta(r: PartResult) -> tuple[Part, int, int, int, tuple[Problem, ...]]:
    return r.part, r.read, r.ignored, len(r.works), r.problems


def _compute(collections: list[Any], scheduler: str | None, workers: int) -> tuple[Any, ...]:
    import dask

    if scheduler is None or scheduler in LOCAL_SCHEDULERS:
        return dask.compute(*collections, scheduler=scheduler or "processes", num_workers=workers)
    try:
        from dask.distributed import Client
    except ImportError as e:
        raise ConfigError(f"scheduler {scheduler}: a Dask cluster needs pip install 'kizashi[distributed]'") from e
    with Client(scheduler) as client:
        return tuple(client.gather(client.compute(collections)))


def stream(snapshot: Path, *, scheduler: str | None = None, workers: int = 2, method: str = "rule",
           taxonomy: str | None = None, evidence_k: int = 20, max_record_bytes: int = 8 * 1024 * 1024) -> Population:
    """Full counts of a works snapshot. ``scheduler``: None or a local Dask scheduler name
    (processes, threads, sync), or the address of a dask.distributed scheduler."""
    try:
        import dask.bag as db
    except ImportError as e:
        raise ConfigError("the snapshot stream needs Dask: pip install dask (a dependency of kizashi)") from e
    if method != "rule":
        # The embedding methods need a model per worker and encode every abstract; the counts
        # would then be rate-bound by the encoder, not the stream. Rankings are mapped by rule.
        raise ConfigError(f"method {method!r}: the snapshot stream maps by rule (kizashi map --method rule)")
    if evidence_k < 0:
        raise ConfigError("evidence_k must be 0 or more")
    t0 = time.perf_counter()
    tax = load_taxonomy(taxonomy)
    defs = load_definitions(tax=tax)
    parts = find_parts(snapshot)
    expected = manifest_counts(snapshot)
    read = db.from_sequence(parts, npartitions=len(parts)).map(
        partial(read_part, method=method, taxonomy=taxonomy, max_record_bytes=max_record_bytes))
    papers = one_per_paper(read.map(_works).flatten())
    acc_bag = papers.reduction(partial(_count_partition, k=evidence_k), partial(_merge_all, k=evidence_k),
                               split_every=8)
    metas, acc, kept = _compute([read.map(_meta), acc_bag, papers.count()], scheduler, workers)
    as_of = max(p.updated for p in parts)
    return _population(snapshot, parts, metas, acc, kept, expected, tax.version, defs, method,
                       scheduler or "processes", as_of, time.perf_counter() - t0)


def _population(snapshot: Path, parts: list[Part], metas: list[Any], acc: Acc, kept: int,
                expected: dict[str, int], tax_version: str, defs: Any, method: str, scheduler: str,
                as_of: str, seconds: float) -> Population:
    def definition(tech: str) -> str:
        try:
            return defs[tech].id
        except KeyError:
            raise ConfigError(f"technology {tech} has no search definition in ingest/definitions.yaml") from None

    rows = tuple(CountRow(technology=t, definition=definition(t), entity_kind=kind, entity=e, year=y, works=c[0],
                          top10=c[1] if c[2] else None, source=SOURCE, as_of=as_of)
                 for (t, kind, e, y), c in sorted(acc["cells"].items()))
    totals = tuple(CountTotal(technology=t, definition=definition(t), year=y, works=c[0],
                              top10=c[1] if c[2] else None, source=SOURCE, as_of=as_of)
                   for (t, y), c in sorted(acc["totals"].items()))
    evidence: dict[str, dict[str, tuple[Evidence, ...]]] = {}
    for (t, c), heap in sorted(acc["evidence"].items()):
        best = sorted(heap, reverse=True)
        evidence.setdefault(t, {})[c] = tuple(Evidence(key, wid, year, cites) for cites, _, key, wid, year in best)
    problems = tuple(p for m in metas for p in m[4])
    mismatches = []
    for part, n_read, *_ in metas:
        name = "/".join(Path(part.path).parts[-2:])
        if name in expected and expected[name] != n_read:
            mismatches.append(f"{name}: manifest says {expected[name]} records, read {n_read}")
    works = sum(m[3] for m in metas)
    meta = acc["meta"]
    summary = Summary(snapshot=str(snapshot), as_of=as_of, files=len(parts), records_read=sum(m[1] for m in metas),
                      works=works, ignored=sum(m[2] for m in metas), quarantined=len(problems),
                      duplicates=works - kept, counted=meta["counted"], no_year=meta["no_year"],
                      with_percentile=meta["with_percentile"], manifest_mismatches=tuple(mismatches), method=method,
                      taxonomy_version=tax_version, definitions_version=defs.version, scheduler=scheduler,
                      seconds=round(seconds, 3))
    return Population(rows, totals, evidence, summary, problems)
