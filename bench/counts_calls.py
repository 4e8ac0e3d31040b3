"""API calls and time for the population counts of every technology × 20 years
(ingest/openalex_counts.py's plan), against the local replay server.

    python -m bench.counts_calls [--technologies 74] [--years 2004-2023] [--seed 7]

The answers are synthetic but shaped like OpenAlex's: each technology gets a size (a few
hundred to ~200,000 works in the last year), a growth rate and, for some, a first year after
2004 (no works before); countries follow a Zipf law over the ISO codes, and the larger
technologies reach more than 200 countries in a year (a second cursor page); institutions
likewise, with the top-200 cap; about 10% of works are top-10%, and about 4% have no
affiliation country. They are generated at run time under a temporary directory, served by
tests/replay.py's server, fetched with rate limiting off, parsed, and checked against the
generated truth. Printed: calls made, wall time, the time the same calls take at the polite
rate (5/s default, 10/s ceiling), and the ratio to a naive plan of one call per technology ×
year × country (each of the ISO countries asked for its count; all works, and again for the
top 10%), which also has no institutions.
"""

from __future__ import annotations

import argparse
import json
import math
import random
import tempfile
import time
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


class Synth:
    def __init__(self, root: Path, replay: IndexedReplay, rng: random.Random) -> None:
        self.root, self.replay, self.rng, self.n = root, replay, rng, 0
        self.codes = sorted(c.alpha_2 for c in pycountry.countries)
        self.truth: dict[tuple[str, str, str, int], tuple[int, int]] = {}   # (tech, kind, entity, year) -> (works, top10)

    def _rec(self, d: SearchDefinition, year: int, kind: str, top10: bool, body: bytes, cursor: str | None) -> None:
        self.n += 1
        path = self.root / f"{self.n:06d}.json"
        path.write_bytes(body)
        params = {"filter": oc.year_filter(d, year, top10), "group_by": oc.GROUP_BY[kind], "cursor": cursor}  # type: ignore[index]
        self.replay.add(Recording(path.name, "/works", params, path))

    def _countries(self, d: SearchDefinition, year: int, top10: bool, total: int, groups: list[tuple[str, int]]) -> None:
        groups = sorted(groups)                       # cursor pages come sorted by key
        chunks = [groups[i:i + oc.MAX_GROUPS] for i in range(0, len(groups), oc.MAX_GROUPS)] or [[]]
        cursor = "*"
        for i, chunk in enumerate(chunks):
            nxt = f"c{year}{int(top10)}{i + 1}" if i + 1 < len(chunks) or len(chunk) == oc.MAX_GROUPS else None
            self._rec(d, year, "country", top10, page(total, chunk, oc.MAX_GROUPS, nxt), cursor)
            cursor = nxt
        if chunks[-1] and len(chunks[-1]) == oc.MAX_GROUPS:   # a full last page: the client asks once more
            self._rec(d, year, "country", top10, page(total, [], oc.MAX_GROUPS, None), cursor)

    def technology(self, d: SearchDefinition, years: list[int]) -> None:
        rng = self.rng
        last = 10 ** rng.uniform(2.5, 5.3)
        growth = rng.uniform(0.02, 0.25)
        start = years[0] if rng.random() < 0.75 else rng.randint(2008, 2019)
        order = rng.sample(self.codes, len(self.codes))
        for y in years:
            works = 0 if y < start else round(last * (1 + growth) ** (y - years[-1]))
            if works == 0:
                self._rec(d, y, "country", False, page(0, [], oc.MAX_GROUPS, None), "*")
                continue
            top_total = round(works * rng.uniform(0.07, 0.13))
            n_c = min(len(self.codes) - 10, max(3, round(10 + 45 * math.log10(works))))
            all_c = zipf(n_c, works, 1.3, rng)
            top_c = [round(c * top_total / works * rng.uniform(0.3, 1.7)) for c in all_c]
            unknown = round(works * 0.04)
            self._countries(d, y, False, works, [(COUNTRY_URI + order[i], c) for i, c in enumerate(all_c)] + [("unknown", unknown)])
            self._countries(d, y, True, top_total, [(COUNTRY_URI + order[i], c) for i, c in enumerate(top_c) if c > 0])
            for i, c in enumerate(all_c):
                self.truth[(d.tech, "country", order[i], y)] = (c, top_c[i])
            n_i = max(2, round(works / 8))
            inst = zipf(min(n_i, 5000), works, 1.1, rng)[:oc.MAX_GROUPS]
            ids = [f"https://openalex.org/I{100000 + 37 * j}" for j in range(len(inst))]
            self._rec(d, y, "institution", False, page(works, list(zip(ids, inst)), oc.MAX_GROUPS, None), None)
            if top_total:
                top_i = [round(c * top_total / works * rng.uniform(0.3, 1.7)) for c in inst]
                groups = sorted(((k, c) for k, c in zip(ids, top_i) if c > 0), key=lambda g: -g[1])
                self._rec(d, y, "institution", True, page(top_total, groups, oc.MAX_GROUPS, None), None)


def technologies(n: int) -> list[SearchDefinition]:
    """The technologies mapped to ASPI tracker items first (that is the 74-row table), then the rest."""
    tax, defs = load_taxonomy(), load_definitions()
    aspi = [t.key for t in tax.technologies if any(m.item.startswith("aspi_tracker") for m in t.lists)]
    rest = [k for k in sorted(defs.by_tech) if k not in aspi]
    return [defs[k] for k in (aspi + rest)[:n]]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--technologies", type=int, default=74)
    ap.add_argument("--years", default="2004-2023")
    ap.add_argument("--seed", type=int, default=7)
    a = ap.parse_args()
    years = oc.parse_years(a.years)
    techs = technologies(a.technologies)
    with tempfile.TemporaryDirectory(prefix="kizashi-bench-counts-") as tmp:
        replay = IndexedReplay()
        synth = Synth(Path(tmp), replay, random.Random(a.seed))
        t0 = time.perf_counter()
        for d in techs:
            synth.technology(d, years)
        gen = time.perf_counter() - t0
        httpd, base = replay.serve()
        try:
            client = oc.CountsClient(base, api_key="bench", requests_per_second=0, retries=0)
            t0 = time.perf_counter()
            sets = [oc.to_counts(d, oc.fetch_counts(client, d, years), years) for d in techs]
            wall = time.perf_counter() - t0
        finally:
            httpd.shutdown()
    rows = [r for s in sets for r in s.rows]
    got = {(r.technology, r.entity_kind, r.entity, r.year): (r.works, r.top10) for r in rows if r.entity_kind == "country"}
    tech_years = len(techs) * len(years)
    empty = sum(1 for s in sets for t in s.totals if t.works == 0)
    overflow = sum(1 for rec in replay.recordings if rec.params.get("cursor") not in (None, "*"))
    naive = tech_years * len(synth.codes)
    print(f"population counts plan: {len(techs)} technologies × {len(years)} years ({years[0]}–{years[-1]}) = {tech_years:,} technology-years")
    print(f"  API calls                 {client.calls:6,}  ({client.calls / tech_years:.2f} per technology-year; "
          f"bound 4 per technology-year + 1 per country table over 200 = {4 * tech_years:,} + {overflow:,})")
    print(f"    years with no works     {empty:6,}  (1 call each)    extra country pages {overflow:,}    "
          f"institution tables at the top-200 cap {sum(len(s.capped_years) for s in sets):,}")
    print(f"  wall time, local replay   {wall:6.1f} s  ({client.calls / wall:,.0f} calls/s; synthetic answers generated in {gen:.1f} s)")
    print(f"  at the polite rate        {client.calls / 5 / 60:6.1f} min at 5 req/s (default) · {client.calls / 10 / 60:.1f} min at 10 req/s (OpenAlex's ceiling)")
    print(f"  parsed                    {len(rows):,} count rows, {sum(len(s.totals) for s in sets):,} totals; "
          f"country rows match the synthetic truth: {'yes' if got == synth.truth else 'NO'}; "
          f"answers never asked for: {len(replay.unused())}")
    print(f"naive plan, one call per technology × year × country ({len(synth.codes)} ISO codes): {naive:,} calls "
          f"({2 * naive:,} with the top 10%), and no institutions")
    print(f"  ratio naive / plan        {naive / client.calls:6.1f}×  ({2 * naive / client.calls:.1f}× counting the top-10% calls)")


if __name__ == "__main__":
    main()
