"""API calls and time for the population counts of every technology × 20 years, for both of
ingest/openalex_counts.py's plans (per year with institutions every year, the baseline; and
spans of 5 years with institutions for the latest span, the CLI's default), against the
local replay server.

    python -m bench.counts_calls [--technologies 74] [--years 2004-2023] [--span 5] [--seed 7]

The answers are synthetic but shaped like OpenAlex's: each technology gets a size (a few
hundred to ~200,000 works in the last year), a growth rate and, for some, a first year after
2004 (no works before); countries follow a Zipf law over the ISO codes, and the larger
technologies reach more than 200 countries in a year (a second cursor page); institutions
likewise, with the top-200 cap; about 10% of works are top-10%, and about 4% have no
affiliation country. They are generated at run time under a temporary directory, served by
tests/replay.py's server, fetched with rate limiting off, parsed, and checked against the
generated truth (each span's answer is the sum of its years). Printed per plan: calls made,
wall time, the time the same calls take at the polite rate (5/s default, 10/s ceiling); the
ratio between the plans, and to a naive plan of one call per technology × year × country (each of the ISO countries asked for its count; all works, and again for the
top 10%), which also has no institutions.
"""

from __future__ import annotations

import argparse
import json
import math
import random
import tempfile
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import pycountry

from ingest import openalex_counts as oc
from ingest.taxonomy import SearchDefinition, load_definitions, load_taxonomy
from tests.replay import Recording, Replay

COUNTRY_URI = "https://openalex.org/countries/"


class IndexedReplay(Replay):
    """tests/replay.py's server with a dict lookup: thousands of recordings, one request each."""

    def __init__(self) -> None:
        super().__init__()
        self.by_query: dict[tuple[str | None, ...], Recording] = {}

    def add(self, rec: Recording) -> None:
        super().add(rec)
        self.by_query[(rec.params["filter"], rec.params["group_by"], rec.params.get("cursor"))] = rec

    def find(self, path: str, query: dict[str, str]) -> Recording | None:
        return self.by_query.get((query.get("filter"), query.get("group_by"), query.get("cursor")))


def zipf(n: int, total: int, s: float, rng: random.Random) -> list[int]:
    """``n`` full counts summing to about ``total`` × 1.15 (co-authored works count once per entity)."""
    w = [1.0 / (i + 1) ** s for i in range(n)]
    z = sum(w)
    return [max(1, round(total * 1.15 * x / z * rng.uniform(0.8, 1.2))) for x in w]


def page(count: int, groups: list[tuple[str, int]], per_page: int, cursor: str | None) -> bytes:
    return json.dumps({"meta": {"count": count, "db_response_time_ms": 30, "page": None, "per_page": per_page,
                                "next_cursor": cursor, "groups_count": len(groups)}, "results": [],
                       "group_by": [{"key": k, "key_display_name": k.rsplit("/", 1)[-1], "count": c} for k, c in groups]}).encode()


@dataclass
class Year:
    works: int
    top_total: int
    countries: dict[str, tuple[int, int]]      # ISO code -> (works, top10)
    unknown: int
    institutions: dict[str, tuple[int, int]]   # the year's top 200


class Synth:
    def __init__(self, root: Path, replay: IndexedReplay, rng: random.Random) -> None:
        self.root, self.replay, self.rng, self.n = root, replay, rng, 0
        self.codes = sorted(c.alpha_2 for c in pycountry.countries)
        self.years: dict[str, dict[int, Year]] = {}

    def _rec(self, d: SearchDefinition, span: oc.Span, kind: str, top10: bool, body: bytes, cursor: str | None) -> None:
        self.n += 1
        path = self.root / f"{self.n:06d}.json"
        path.write_bytes(body)
        params = {"filter": oc.span_filter(d, span, top10), "group_by": oc.GROUP_BY[kind], "cursor": cursor}  # type: ignore[index]
        self.replay.add(Recording(path.name, "/works", params, path))

    def _countries(self, d: SearchDefinition, span: oc.Span, top10: bool, total: int, groups: list[tuple[str, int]]) -> None:
        groups = sorted(groups)                       # cursor pages come sorted by key
        chunks = [groups[i:i + oc.MAX_GROUPS] for i in range(0, len(groups), oc.MAX_GROUPS)] or [[]]
        cursor = "*"
        for i, chunk in enumerate(chunks):
            nxt = f"c{span[0]}-{span[1]}{int(top10)}{i + 1}" if i + 1 < len(chunks) or len(chunk) == oc.MAX_GROUPS else None
            self._rec(d, span, "country", top10, page(total, chunk, oc.MAX_GROUPS, nxt), cursor)
            cursor = nxt
        if chunks[-1] and len(chunks[-1]) == oc.MAX_GROUPS:   # a full last page: the client asks once more
            self._rec(d, span, "country", top10, page(total, [], oc.MAX_GROUPS, None), cursor)

    def technology(self, d: SearchDefinition, years: list[int]) -> None:
        """One technology's works per year, country and institution (the truth both plans count)."""
        rng = self.rng
        last = 10 ** rng.uniform(2.5, 5.3)
        growth = rng.uniform(0.02, 0.25)
        start = years[0] if rng.random() < 0.75 else rng.randint(2008, 2019)
        order = rng.sample(self.codes, len(self.codes))
        out = self.years[d.tech] = {}
        for y in years:
            works = 0 if y < start else round(last * (1 + growth) ** (y - years[-1]))
            if works == 0:
                out[y] = Year(0, 0, {}, 0, {})
                continue
            top_total = round(works * rng.uniform(0.07, 0.13))
            n_c = min(len(self.codes) - 10, max(3, round(10 + 45 * math.log10(works))))
            all_c = zipf(n_c, works, 1.3, rng)
            top_c = [round(c * top_total / works * rng.uniform(0.3, 1.7)) for c in all_c]
            inst = zipf(min(max(2, round(works / 8)), 5000), works, 1.1, rng)[:oc.MAX_GROUPS]
            top_i = [round(c * top_total / works * rng.uniform(0.3, 1.7)) for c in inst]
            out[y] = Year(works, top_total, {order[i]: (c, top_c[i]) for i, c in enumerate(all_c)}, round(works * 0.04),
                          {f"https://openalex.org/I{100000 + 37 * j}": (c, top_i[j]) for j, c in enumerate(inst)})

    def record(self, d: SearchDefinition, plan: list[oc.Span], institutions: str) -> None:
        """The answers to every call of ``plan`` for ``d``, summed from its years."""
        for span in plan:
            ys = [self.years[d.tech][y] for y in range(span[0], span[1] + 1)]
            works, top_total = sum(y.works for y in ys), sum(y.top_total for y in ys)
            if works == 0:
                self._rec(d, span, "country", False, page(0, [], oc.MAX_GROUPS, None), "*")
                continue
            cs, inst = _sum(y.countries for y in ys), _sum(y.institutions for y in ys)
            self._countries(d, span, False, works, [(COUNTRY_URI + c, w) for c, (w, _) in cs.items()]
                            + [("unknown", sum(y.unknown for y in ys))])
            self._countries(d, span, True, top_total, [(COUNTRY_URI + c, t) for c, (_, t) in cs.items() if t > 0])
            if institutions == "latest" and span != plan[-1]:
                continue
            top = sorted(inst.items(), key=lambda kv: -kv[1][0])[:oc.MAX_GROUPS]
            self._rec(d, span, "institution", False, page(works, [(k, w) for k, (w, _) in top], oc.MAX_GROUPS, None), None)
            if top_total:
                groups = sorted(((k, t) for k, (_, t) in top if t > 0), key=lambda g: -g[1])
                self._rec(d, span, "institution", True, page(top_total, groups, oc.MAX_GROUPS, None), None)

    def truth(self, plan: list[oc.Span]) -> dict[tuple[str, str, oc.Span], tuple[int, int]]:
        """(technology, country, span) -> (works, top10), as the plan should parse them."""
        out = {}
        for tech, years in self.years.items():
            for span in plan:
                for c, v in _sum(years[y].countries for y in range(span[0], span[1] + 1)).items():
                    out[(tech, c, span)] = v
        return out


def _sum(tables: Iterable[dict[str, tuple[int, int]]]) -> dict[str, tuple[int, int]]:
    out: dict[str, tuple[int, int]] = {}
    for t in tables:
        for k, (w, x) in t.items():
            a, b = out.get(k, (0, 0))
            out[k] = (a + w, b + x)
    return out


def technologies(n: int) -> list[SearchDefinition]:
    """The technologies mapped to ASPI tracker items first (that is the 74-row table), then the rest."""
    tax, defs = load_taxonomy(), load_definitions()
    aspi = [t.key for t in tax.technologies if any(m.item.startswith("aspi_tracker") for m in t.lists)]
    rest = [k for k in sorted(defs.by_tech) if k not in aspi]
    return [defs[k] for k in (aspi + rest)[:n]]


@dataclass(frozen=True)
class Run:
    name: str
    plan: list[oc.Span]
    institutions: str
    calls: int
    wall: float
    empty: int
    overflow: int
    capped: int
    rows: int
    matches: bool


def run(name: str, techs: list[SearchDefinition], plan: list[oc.Span], institutions: str, synth: Synth,
        base: str) -> Run:
    client = oc.CountsClient(base, api_key="bench", requests_per_second=0, retries=0)
    years = range(plan[0][0], plan[-1][1] + 1)
    sent = len(synth.replay.requests)
    t0 = time.perf_counter()
    sets = [oc.to_counts(d, oc.fetch_counts(client, d, plan, institutions), years) for d in techs]  # type: ignore[arg-type]
    wall = time.perf_counter() - t0
    rows = [r for s in sets for r in s.rows]
    got = {(r.technology, r.entity, r.span): (r.works, r.top10) for r in rows if r.entity_kind == "country"}
    asked = synth.replay.requests[sent:]
    return Run(name, plan, institutions, client.calls, wall, sum(1 for s in sets for t in s.totals if t.works == 0),
               sum(1 for u in asked if "cursor=c" in u), sum(len(s.capped_years) for s in sets), len(rows),
               got == synth.truth(plan))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--technologies", type=int, default=74)
    ap.add_argument("--years", default="2004-2023")
    ap.add_argument("--span", type=int, default=5, help="years per span of the span plan (the CLI's default)")
    ap.add_argument("--seed", type=int, default=7)
    a = ap.parse_args()
    years = oc.parse_years(a.years)
    techs = technologies(a.technologies)
    plans = [("per year, institutions every year", oc.spans(years, 1), "every"),
             (f"spans of {a.span} years, institutions for the latest span", oc.spans(years, a.span), "latest")]
    with tempfile.TemporaryDirectory(prefix="kizashi-bench-counts-") as tmp:
        replay = IndexedReplay()
        synth = Synth(Path(tmp), replay, random.Random(a.seed))
        t0 = time.perf_counter()
        for d in techs:
            synth.technology(d, years)
            for _, plan, inst in plans:
                synth.record(d, plan, inst)
        gen = time.perf_counter() - t0
        httpd, base = replay.serve()
        try:
            runs = [run(name, techs, plan, inst, synth, base) for name, plan, inst in plans]
        finally:
            httpd.shutdown()
    tech_years = len(techs) * len(years)
    naive = tech_years * len(synth.codes)
    print(f"population counts: {len(techs)} technologies × {len(years)} years ({years[0]}–{years[-1]}) = "
          f"{tech_years:,} technology-years; synthetic answers generated in {gen:.1f} s")
    for r in runs:
        print(f"plan: {r.name} ({len(r.plan)} spans: {', '.join(oc.span_label(s) for s in r.plan)})")
        print(f"  API calls                 {r.calls:6,}  ({r.calls / len(techs):.1f} per technology)")
        print(f"    spans with no works     {r.empty:6,}  (1 call each)    extra country pages {r.overflow:,}    "
              f"institution tables at the top-200 cap {r.capped:,}")
        print(f"  wall time, local replay   {r.wall:6.1f} s  ({r.calls / r.wall:,.0f} calls/s)")
        print(f"  at the polite rate        {r.calls / 5 / 60:6.1f} min at 5 req/s (default) · "
              f"{r.calls / 10 / 60:.1f} min at 10 req/s (OpenAlex's ceiling)")
        print(f"  parsed                    {r.rows:,} count rows; country rows match the synthetic truth: "
              f"{'yes' if r.matches else 'NO'}")
    yearly, spans = runs
    print(f"ratio per-year plan / span plan: {yearly.calls / spans.calls:.1f}× the calls "
          f"(wall {yearly.wall / spans.wall:.1f}×); answers never asked for: {len(replay.unused())}")
    print(f"naive plan, one call per technology × year × country ({len(synth.codes)} ISO codes): {naive:,} calls "
          f"({2 * naive:,} with the top 10%), and no institutions")
    print(f"  ratio naive / plan        per year {naive / yearly.calls:.0f}×, spans {naive / spans.calls:.0f}× "
          f"({2 * naive / yearly.calls:.0f}× and {2 * naive / spans.calls:.0f}× counting the top-10% calls)")


if __name__ == "__main__":
    main()
