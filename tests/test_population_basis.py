"""Country rankings re-based on population counts held in the graph (analysis/population_basis.py),
on the real Neo4j with the hand-computable seed graph.

The counts below are made up in the shape both producers write (core/counts.py): tech:b has
400 works in 2020–2022 by its population counts against the sample's 20 (18 US, 2 GB, all 2021).
"""

from __future__ import annotations

import pytest

from analysis import profiles, rank, shortlist
from analysis.intervals import wilson
from core.counts import CountRow, CountTotal
from graph import counts as gc
from tests.test_rank_seed import seed

P = rank.Params(window="2020-2022", bootstrap=50)
DEF = "tech:b@3"
TOTALS_B = {2020: (100, 10), 2021: (120, 12), 2022: (180, 18)}
COUNTS_B = {"US": {2020: (30, 4), 2021: (35, 4), 2022: (40, 5)}, "CN": {2020: (50, 4), 2021: (60, 6), 2022: (100, 8)},
            "JP": {2020: (10, 1), 2021: (15, 1), 2022: (20, 2)}, "GB": {2021: (5, 0)}, "DE": {2022: (3, 0)}}


def put(store, tech: str, definition: str, totals: dict[int, tuple[int, int]],
        counts: dict[str, dict[int, tuple[int, int]]], as_of: str = "2026-12-01") -> None:
    gc.write_counts(store,
                    [CountRow(technology=tech, definition=definition, entity_kind="country", entity=c, year=y, works=w,
                              top10=t, source="openalex-api", as_of=as_of)
                     for c, ys in counts.items() for y, (w, t) in ys.items()],
                    [CountTotal(technology=tech, definition=definition, year=y, works=w, top10=t, source="openalex-api",
                                as_of=as_of) for y, (w, t) in totals.items()])


def rows(rk) -> dict:
    return {r.id: r for r in rk.rows}


@pytest.fixture
def seeded(store):
    seed(store)
    return store


def test_population_counts_replace_the_paper_axes(seeded) -> None:
    prof = profiles.load()
    [before] = rank.compute(seeded, ["tech:b"], "country", P, prof)
    assert before.summary["basis"] == "sample" and before.summary["leader"]["id"] == "US"
    put(seeded, "tech:b", DEF, TOTALS_B, COUNTS_B)
    [rk] = rank.compute(seeded, ["tech:b"], "country", P, prof)
    s, r = rk.summary, rows(rk)
    assert (s["basis"], s["n"]) == ("population", 400)
    pop = s["population"]
    assert (pop["used"], pop["source"], pop["definition"], pop["as_of"], pop["years"], pop["sample_n"]) == \
        (True, "openalex-api", DEF, "2026-12-01", [2020, 2022], 20)
    assert {row.basis for row in rk.rows} == {"population"}
    # shares of all 400 works (the sample's fractional/full ratio is 1 for every country here)
    assert {k: v.papers_share for k, v in r.items()} == pytest.approx(
        {"CN": 210 / 400, "US": 105 / 400, "JP": 45 / 400, "GB": 5 / 400, "DE": 3 / 400})
    lo, hi = wilson(210 / 400, 400)
    assert (r["CN"].papers_share_lo, r["CN"].papers_share_hi) == pytest.approx((float(lo), float(hi)), abs=1e-6)
    assert (r["CN"].papers_full, r["CN"].n, r["CN"].top10_papers) == (210, 210, 18)
    assert r["CN"].top10_share == pytest.approx(18 / 40)
    assert r["CN"].growth == pytest.approx((101 / 51) ** 0.5 - 1, rel=1e-6)
    # the concern lead the sample could not see is the leader now, and the bloc shares follow
    assert s["leader"]["id"] == "CN" and s["leader_raw"] == "CN" and r["CN"].rank == 1
    assert s["blocs"]["concern_papers"]["share"] == pytest.approx(210 / 400)
    assert s["blocs"]["papers_basis"] == "population"
    assert s["hhi"] == pytest.approx(sum((x / 400) ** 2 for x in (210, 105, 45, 5, 3)))
    # thin cells are shown, not ranked: GB 5 and DE 3 works (DE is not in the sample at all)
    assert (r["GB"].thin, r["GB"].rank, r["GB"].growth) == (True, None, None)
    assert (r["DE"].thin, r["DE"].rank, r["DE"].evidence_works) == (True, None, 0)
    # the sample stays the drill-down evidence, and the key says which counts were used
    assert len(rk.evidence["works"]["US"]) == 18 and rk.key != before.key
    assert rk.params["population"]["definition"] == DEF


def test_full_and_fractional_population_shares(seeded) -> None:
    # tech:a's sample: US and JP have 1.5 fractional of 2 papers (ratio .75), CN 2 of 2
    put(seeded, "tech:a", "tech:a@1", {2020: (50, 5), 2022: (50, 5)},
        {"US": {2020: (40, 4)}, "CN": {2020: (20, 2), 2022: (10, 1)}, "JP": {2022: (20, 3)}})
    [frac] = rank.compute(seeded, ["tech:a"], "country", P, profiles.load())
    [full] = rank.compute(seeded, ["tech:a"], "country", rank.Params(window="2020-2022", bootstrap=50,
                                                                     counting="full"), profiles.load())
    assert {k: v.papers_share for k, v in rows(full).items()} == pytest.approx({"US": 0.4, "CN": 0.3, "JP": 0.2})
    assert {k: v.papers_share for k, v in rows(frac).items()} == pytest.approx({"US": 0.3, "CN": 0.3, "JP": 0.15})
    assert rows(frac)["US"].papers_fractional == pytest.approx(30.0)
    # concentration is on fractional shares whatever the counting
    assert full.summary["hhi"] == pytest.approx(frac.summary["hhi"]) == pytest.approx(0.09 + 0.09 + 0.0225)


def test_counts_that_cannot_be_the_population_are_not_used(seeded) -> None:
    prof = profiles.load()
    # fewer works than the sample holds
    put(seeded, "tech:a", "tech:a@1", {2020: (2, 0), 2022: (1, 0)}, {"US": {2020: (2, 0)}})
    # years that hold none of the sample's works (tech:b's are all 2021)
    put(seeded, "tech:b", DEF, {2020: (500, 50)}, {"CN": {2020: (400, 40)}})
    a, b = rank.compute(seeded, ["tech:a", "tech:b"], "country", P, prof)
    for rk, why in ((a, "fewer than the 5 the sample holds"), (b, "hold 0% of the sample's works")):
        assert rk.summary["basis"] == "sample" and {r.basis for r in rk.rows} == {"sample"}
        [considered] = rk.summary["population"]["considered"]
        assert rk.summary["population"]["used"] is False and why in considered["why"], considered
    assert b.summary["leader"]["id"] == "US"
    # organisation rankings are never re-based: the counts' institutions are OpenAlex lineages
    [org] = rank.compute(seeded, ["tech:b"], "organization", P, prof)
    assert org.summary["basis"] == "sample" and "population" not in org.summary


def put_spans(store, tech: str, definition: str, spans: dict[tuple[int, int], tuple[int, int]],
              counts: dict[str, dict[tuple[int, int], tuple[int, int]]], as_of: str) -> None:
    one = lambda sp: sp[0] if sp[0] != sp[1] else None   # noqa: E731
    gc.write_counts(store,
                    [CountRow(technology=tech, definition=definition, entity_kind="country", entity=c, year=sp[1],
                              first_year=one(sp), works=w, top10=t, source="openalex-api", as_of=as_of)
                     for c, ss in counts.items() for sp, (w, t) in ss.items()],
                    [CountTotal(technology=tech, definition=definition, year=sp[1], first_year=one(sp), works=w,
                                top10=t, source="openalex-api", as_of=as_of) for sp, (w, t) in spans.items()])


def test_span_counts_beside_yearly_ones_are_not_summed_twice_and_one_span_holds_no_growth(seeded) -> None:
    prof = profiles.load()
    narrow = rank.Params(window="2021-2022", bootstrap=50)
    [sample_narrow] = rank.compute(seeded, ["tech:b"], "country", narrow, prof)
    put(seeded, "tech:b", DEF, TOTALS_B, COUNTS_B)               # per year, fetched first
    # the same works counted in spans 2020 and 2021–2022 (the span plan), fetched later
    sums = {c: {(2020, 2020): ys.get(2020, (0, 0)),
                (2021, 2022): tuple(a + b for a, b in zip(ys.get(2021, (0, 0)), ys.get(2022, (0, 0))))}
            for c, ys in COUNTS_B.items()}
    sums = {c: {sp: v for sp, v in ss.items() if v[0]} for c, ss in sums.items()}
    put_spans(seeded, "tech:b", DEF, {(2020, 2020): (100, 10), (2021, 2022): (300, 30)}, sums, as_of="2026-12-05")
    [rk] = rank.compute(seeded, ["tech:b"], "country", P, prof)
    s, r = rk.summary, rows(rk)
    assert (s["basis"], s["n"], s["population"]["as_of"]) == ("population", 400, "2026-12-05")
    assert s["population"]["spans"] == [[2020, 2020], [2021, 2022]] and "growth" in s["population"]["fields"]
    assert r["CN"].papers_share == pytest.approx(210 / 400) and r["CN"].top10_papers == 18
    # works a year: 50 in 2020, 160 / 2 in 2021–22; midpoints 2020 and 2021.5
    assert r["CN"].growth == pytest.approx((81 / 51) ** (1 / 1.5) - 1, rel=1e-6)
    # a window inside one span: shares from the span, growth stays on the sample and says so
    [one] = rank.compute(seeded, ["tech:b"], "country", narrow, prof)
    pop = one.summary["population"]
    assert (one.summary["basis"], one.summary["n"], pop["spans"]) == ("population", 300, [[2021, 2022]])
    assert "growth" not in pop["fields"] and "papers_share" in pop["fields"]
    assert rows(one)["CN"].papers_share == pytest.approx(160 / 300)
    assert rows(sample_narrow)["US"].growth is not None
    assert rows(one)["US"].growth == rows(sample_narrow)["US"].growth


def test_overlapping_span_fetches_never_count_a_year_twice() -> None:
    from analysis.population_basis import slices

    def total(a: int, b: int, works: int, as_of: str) -> CountTotal:
        return CountTotal(technology="tech:b", definition=DEF, year=b, first_year=a if a != b else None, works=works,
                          top10=works // 10, source="openalex-api", as_of=as_of)

    def row(a: int, b: int, works: int, as_of: str) -> CountRow:
        return CountRow(technology="tech:b", definition=DEF, entity_kind="country", entity="CN", year=b,
                        first_year=a if a != b else None, works=works, top10=0, source="openalex-api", as_of=as_of)

    # spans of 5 fetched first, spans of 3 later, and one year later still: 2014–2023 holds 1,000 works
    fetches = [(2014, 2018, 400, "2026-11-01"), (2019, 2023, 600, "2026-11-01"),
               (2015, 2017, 240, "2026-11-20"), (2018, 2020, 330, "2026-11-20"), (2021, 2023, 400, "2026-11-20"),
               (2023, 2023, 140, "2026-12-01")]
    got = slices([row(*f) for f in fetches], [total(*f) for f in fetches], (2014, 2023))
    assert len(got) == 2
    best, yearly = got[0], got[1]
    # the fetch that covers the whole window wins; no year is counted twice
    assert best.spans == ((2014, 2018), (2019, 2023)) and best.years == tuple(range(2014, 2024))
    assert best.n == 1000 == best.works["CN"]
    assert (yearly.spans, yearly.n) == (((2023, 2023),), 140)
    # without the spans of 5, the spans of 3 win, with 2014 left out: never 2023 twice
    rest = [f for f in fetches if f[3] != "2026-11-01"]
    [three, _] = slices([row(*f) for f in rest], [total(*f) for f in rest], (2014, 2023))
    assert three.spans == ((2015, 2017), (2018, 2020), (2021, 2023)) and three.n == 970


def test_the_shortlist_reads_the_population_basis(seeded) -> None:
    prof = profiles.load()
    put(seeded, "tech:b", DEF, TOTALS_B, COUNTS_B)
    rank.compute(seeded, None, "country", P, prof, save=True)
    sl = shortlist.from_store(seeded, prof, "2020-2022", "fractional", params=P)
    row = next(r for r in sl.rows if r["technology"] == "tech:b")
    assert (row["basis"], row["n"], row["leader"]) == ("population", 400, "CN")
    assert row["concern_papers"] == pytest.approx(210 / 400, abs=1e-6)
    assert row["jp_share"] == pytest.approx(45 / 400)
    other = next(r for r in sl.rows if r["technology"] == "tech:a")
    assert other["basis"] == "sample"
