"""The OpenAlex group_by counting client (ingest/openalex_counts.py) against a local replay
server serving answers in the real group_by format (tests/fixtures/openalex_group_by, written
for these tests, pages of 3 groups so that paging shows), and the counts in the real Neo4j."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from urllib.parse import parse_qs, quote, urlparse

import pytest

from core.counts import CountRow, CountTotal
from core.errors import InputError, RecordError
from graph.counts import read_counts, read_totals, stored, write_counts
from ingest import openalex_counts as oc
from ingest.taxonomy import load_definitions, openalex_filter
from tests.conftest import FIXTURES
from tests.replay import Recording, Replay

KEY, MAILTO, TECH = "test-key", "counts@example.org", "tech:hypersonics"
DIR = FIXTURES / "openalex_group_by"
CURSOR2 = "IlsnaHR0cHM6Ly9vcGVuYWxleC5vcmcvY291bnRyaWVzL1VTJ10i"
COUNTRY, INST = "authorships.countries:include_unknown", "authorships.institutions.lineage"


@pytest.fixture(scope="module")
def definition():
    return load_definitions()[TECH]


def _flt(d, year: int, top10: bool = False) -> str:
    return f"{openalex_filter(d)},publication_year:{year}" + (f",{oc.TOP10}" if top10 else "")


@pytest.fixture
def replay(definition):
    r = Replay()
    d = definition
    secret = {"api_key": KEY, "mailto": MAILTO, "per-page": "3"}
    for name, year, top10, group_by, cursor in [
        ("2021_countries_all", 2021, False, COUNTRY, "*"),
        ("2022_countries_all_p1", 2022, False, COUNTRY, "*"),
        ("2022_countries_all_p2", 2022, False, COUNTRY, CURSOR2),
        ("2022_countries_top10", 2022, True, COUNTRY, "*"),
        ("2022_institutions_all", 2022, False, INST, None),
        ("2022_institutions_top10", 2022, True, INST, None),
        ("2023_countries_all", 2023, False, COUNTRY, "*"),
        ("2023_countries_top10", 2023, True, COUNTRY, "*"),
        ("2023_institutions_all", 2023, False, INST, None),
    ]:
        params = {"filter": _flt(d, year, top10), "group_by": group_by, "cursor": cursor, **secret}
        r.add(Recording(name, "/works", params, DIR / f"{name}.json"))
    httpd, base = r.serve()
    yield r, base
    httpd.shutdown()


def _client(base: str, tmp_path: Path, **kw) -> oc.CountsClient:
    return oc.CountsClient(base, api_key=KEY, mailto=MAILTO, requests_per_second=0, retries=0, per_page=3, **kw)


C = dict(technology=TECH, definition=f"{TECH}@1", source="openalex-api")


def _expected(as_of: str) -> tuple[list[CountRow], list[CountTotal]]:
    rows = [
        # 2022 countries: all pages followed (GB came on page 2 in the short key form); the
        # top-10% table is complete, so JP and GB have 0 there; "unknown" is no entity.
        ("country", "CN", 2022, 50, 6), ("country", "GB", 2022, 5, 0), ("country", "JP", 2022, 12, 0),
        ("country", "US", 2022, 40, 8),
        # institutions: top 3 (the page size) a year; I63966007 is only in the top-10% table: not stored.
        ("institution", "I1294671590", 2022, 15, 0), ("institution", "I74801974", 2022, 9, 0),
        ("institution", "I99065089", 2022, 20, 4),
        ("country", "CN", 2023, 30, 0), ("country", "US", 2023, 35, 0),
        ("institution", "I74801974", 2023, 5, 0), ("institution", "I99065089", 2023, 10, 0),
    ]
    totals = [(2021, 0, 0), (2022, 120, 14), (2023, 80, 0)]
    return ([CountRow(entity_kind=k, entity=e, year=y, works=w, top10=t, as_of=as_of, **C) for k, e, y, w, t in rows],
            [CountTotal(year=y, works=w, top10=t, as_of=as_of, **C) for y, w, t in totals])


def _key(r: CountRow) -> tuple:
    return (r.year, r.entity_kind, r.entity)


def test_plan_urls_paging_and_parse(replay, definition, tmp_path: Path):
    r, base = replay
    client = _client(base, tmp_path, save_dir=tmp_path / "saved")
    pages = list(oc.fetch_counts(client, definition, [2021, 2022, 2023]))
    # 2021 has no works: one call. 2022: two country pages, top-10% countries, both institution
    # tables. 2023: the country page says next_cursor but holds fewer groups than a page, so no
    # second call; no top-10% work, so no top-10% institution call.
    assert client.calls == len(pages) == len(r.requests) == 9 and r.unused() == []
    sent = [{k: v[0] for k, v in parse_qs(urlparse(u).query).items()} for u in r.requests]
    assert [(q["filter"].split(",publication_year:")[1], q["group_by"], q.get("cursor")) for q in sent] == [
        ("2021", COUNTRY, "*"),
        ("2022", COUNTRY, "*"), ("2022", COUNTRY, CURSOR2), (f"2022,{oc.TOP10}", COUNTRY, "*"),
        ("2022", INST, None), (f"2022,{oc.TOP10}", INST, None),
        ("2023", COUNTRY, "*"), (f"2023,{oc.TOP10}", COUNTRY, "*"), ("2023", INST, None)]
    assert all(q["filter"].startswith('title_and_abstract.search:"hypersonic" OR "scramjet"') for q in sent)
    assert all(q["api_key"] == KEY and q["mailto"] == MAILTO for q in sent)
    got = oc.to_counts(definition, pages, [2021, 2022, 2023])
    rows, totals = _expected(pages[0].fetched)
    assert sorted(got.rows, key=_key) == sorted(rows, key=_key)
    assert got.totals == totals
    assert got.no_country == {2022: 9} and got.capped_years == [2022] and got.beyond_cap == 1
    assert got.problems == [] and got.pages == 9


def test_save_then_replay_gives_identical_rows(replay, definition, tmp_path: Path):
    _, base = replay
    saved = tmp_path / "saved"
    live = oc.to_counts(definition, oc.fetch_counts(_client(base, tmp_path, save_dir=saved), definition, [2021, 2022, 2023]))
    files = sorted(saved.iterdir())
    assert len(files) == 10 and not any(KEY in p.read_text() or MAILTO in p.read_text() for p in files)
    again = oc.to_counts(definition, oc.read_saved(saved))
    assert again.rows == live.rows and again.totals == live.totals and again.no_country == live.no_country
    # Another technology's definition finds none of these pages.
    other = load_definitions()["tech:quantum"]
    assert oc.to_counts(other, oc.read_saved(saved)).rows == []
    # Only the years asked for.
    assert {r.year for r in oc.to_counts(definition, oc.read_saved(saved), [2023]).rows} == {2023}


def test_disk_cache_answers_a_repeat_without_calls(replay, definition, tmp_path: Path):
    r, base = replay
    first = _client(base, tmp_path, cache_dir=tmp_path / "cache")
    a = oc.to_counts(definition, oc.fetch_counts(first, definition, [2021, 2022, 2023]))
    n = len(r.requests)
    second = _client(base, tmp_path, cache_dir=tmp_path / "cache")
    b = oc.to_counts(definition, oc.fetch_counts(second, definition, [2021, 2022, 2023]))
    assert (first.calls, second.calls, second.cached) == (9, 0, 9) and len(r.requests) == n
    assert a.rows == b.rows and a.totals == b.totals


def test_bad_groups_are_counted_not_stored(definition):
    url = "http://x/works?filter=" + quote(_flt(definition, 2020)) + "&group_by=" + quote(COUNTRY) + "&per-page=200&cursor=*"
    page = oc.GroupPage(url, {"meta": {"count": 7, "next_cursor": None}, "results": [], "group_by": [
        {"key": "https://openalex.org/countries/DE", "count": 4},
        {"key": "https://openalex.org/countries/123", "count": 1},
        {"key": "https://openalex.org/countries/FR", "count": "2"},
        {"key": "unknown", "count": 2}]}, "2026-01-02")
    broken = oc.GroupPage(url.replace("2020", "2019"), {"meta": {"count": 1}}, "2026-01-02")
    got = oc.to_counts(definition, [page, broken, RecordError("f.json", "document", "invalid JSON")])
    assert [(r.entity, r.works, r.top10) for r in got.rows] == [("DE", 4, None)]   # top-10% table not fetched: unknown
    assert [(t.year, t.works, t.top10) for t in got.totals] == [(2020, 7, None)]
    assert got.no_country == {2020: 2} and len(got.problems) == 4
    assert {p.locator for p in got.problems} == {"group 1", "group 2", "document"}


def test_years_spec():
    assert oc.parse_years("2004-2023") == list(range(2004, 2024)) and oc.parse_years("2021") == [2021]
    for bad in ("2023-2004", "20x", "1200-1300"):
        with pytest.raises(Exception, match="years"):
            oc.parse_years(bad)


def test_loading_is_idempotent(store, definition):
    rows, totals = _expected("2026-12-01")
    for _ in range(2):
        assert write_counts(store, rows, totals, batch_size=4) == {"counts": 11, "totals": 3}
        assert stored(store) == {"counts": 11, "totals": 3}
    assert sorted(read_counts(store, TECH), key=_key) == sorted(rows, key=_key)
    assert read_totals(store, TECH) == totals
    assert [r.entity for r in read_counts(store, TECH, kind="country", start=2023)] == ["CN", "US"]
    # A later fetch of the same slice replaces it; a new definition version stands beside it.
    newer = [r.model_copy(update={"works": r.works + 1, "as_of": "2026-12-05"}) for r in rows[:1]]
    v2 = [r.model_copy(update={"definition": f"{TECH}@2"}) for r in rows[:2]]
    write_counts(store, newer + v2)
    assert stored(store) == {"counts": 13, "totals": 3}
    cn = [r for r in read_counts(store, TECH, definition=f"{TECH}@1") if r.entity == "CN" and r.year == 2022]
    assert [(r.works, r.as_of) for r in cn] == [(51, "2026-12-05")]


def test_cli_fetch_with_save_then_replay(replay, store, cli_env, tmp_path: Path):
    r, base = replay
    saved = tmp_path / "saved"
    env = {**cli_env, "KIZASHI_OPENALEX_URL": base, "KIZASHI_OPENALEX_API_KEY": KEY, "KIZASHI_OPENALEX_MAILTO": MAILTO,
           "KIZASHI_OPENALEX_REQUESTS_PER_SECOND": "0", "KIZASHI_OPENALEX_PER_PAGE": "3",
           "KIZASHI_CACHE": str(tmp_path / "cache")}

    def cli(*args: str) -> str:
        done = subprocess.run([sys.executable, "-m", "cli.main", "counts", "fetch", "--tech", TECH, "--years", "2021-2023", "--span", "1", "--institutions", "every",
                               *args], env=env, capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stdout + done.stderr
        return done.stdout

    out = cli("--save", str(saved))
    assert "API calls 9" in out and len(r.requests) == 9
    first = stored(store)
    assert first == {"counts": 11, "totals": 3}
    rows = read_counts(store, TECH)
    out = cli("--replay", str(saved), "--json")
    assert '"calls": 0' in out and len(r.requests) == 9
    assert stored(store) == first and read_counts(store, TECH) == rows


def test_an_answer_that_is_not_json_is_quarantined_not_fatal(definition, tmp_path: Path):
    body = tmp_path / "broken.json"
    body.write_bytes(b'{"meta": {"count": 3, "next_cursor": nu')
    r = Replay()
    r.add(Recording("broken", "/works", {"filter": _flt(definition, 2020), "cursor": "*"}, body))
    r.add(Recording("2021", "/works", {"filter": _flt(definition, 2021), "cursor": "*"}, DIR / "2021_countries_all.json"))
    httpd, base = r.serve()
    try:
        got = oc.to_counts(definition, oc.fetch_counts(_client(base, tmp_path), definition, [2020, 2021]))
    finally:
        httpd.shutdown()
    assert len(r.requests) == 2 and [p.reason.split(":")[0] for p in got.problems] == ["invalid JSON"]
    assert [(t.year, t.works) for t in got.totals] == [(2021, 0)]


def test_span_plan_counts_each_span_once_and_institutions_for_the_latest(definition, store, tmp_path: Path):
    assert oc.spans(range(2004, 2024), 5) == [(2004, 2008), (2009, 2013), (2014, 2018), (2019, 2023)]
    assert oc.spans(range(2019, 2024), 3) == [(2019, 2020), (2021, 2023)]
    assert oc.spans([2021], 5) == [(2021, 2021)]
    with pytest.raises(InputError, match="gaps"):
        oc.spans([2019, 2021], 2)
    r = Replay()
    for span, top10, group_by, cursor in [("2019-2020", False, COUNTRY, "*"), ("2019-2020", True, COUNTRY, "*"),
                                          ("2021-2023", False, COUNTRY, "*"), ("2021-2023", True, COUNTRY, "*"),
                                          ("2021-2023", False, INST, None), ("2021-2023", True, INST, None)]:
        flt = f"{openalex_filter(definition)},publication_year:{span}" + (f",{oc.TOP10}" if top10 else "")
        name = f"span_{span}_{'countries' if group_by == COUNTRY else 'institutions'}_{'top10' if top10 else 'all'}"
        r.add(Recording(name, "/works", {"filter": flt, "group_by": group_by, "cursor": cursor}, DIR / f"{name}.json"))
    httpd, base = r.serve()
    try:
        client = _client(base, tmp_path)
        pages = list(oc.fetch_counts(client, definition, oc.spans(range(2019, 2024), 3), institutions="latest"))
    finally:
        httpd.shutdown()
    # two spans × (all, top 10%) country tables, institutions only for 2021–2023: 6 calls, not the
    # per-year plan's 5 × 4 = 20
    assert client.calls == 6 and r.unused() == []
    got = oc.to_counts(definition, pages, range(2019, 2024))
    assert got.problems == [] and got.no_country == {2020: 1}
    assert [(t.span, t.works, t.top10) for t in got.totals] == [((2019, 2020), 30, 3), ((2021, 2023), 90, 9)]
    cells = {(r.entity_kind, r.entity, r.span): (r.works, r.top10) for r in got.rows}
    assert cells == {("country", "CN", (2019, 2020)): (20, 2), ("country", "US", (2019, 2020)): (12, 1),
                     ("country", "CN", (2021, 2023)): (50, 5), ("country", "JP", (2021, 2023)): (10, 0),
                     ("country", "US", (2021, 2023)): (40, 4),
                     ("institution", "I99065089", (2021, 2023)): (30, 3), ("institution", "I74801974", (2021, 2023)): (8, 0)}
    # a span not wholly inside the years asked for is passed over
    assert {t.span for t in oc.to_counts(definition, pages, range(2021, 2024)).totals} == {(2021, 2023)}
    # stored beside per-year counts of the same definition, under keys of their own
    yearly = CountRow(entity_kind="country", entity="CN", year=2023, works=20, top10=2, as_of="2026-12-01", **C)
    write_counts(store, [*got.rows, yearly], got.totals)
    assert stored(store) == {"counts": 8, "totals": 2}
    inside = read_counts(store, TECH, kind="country", start=2021, end=2023)
    assert sorted((r.span, r.entity) for r in inside) == [((2021, 2023), "CN"), ((2021, 2023), "JP"),
                                                          ((2021, 2023), "US"), ((2023, 2023), "CN")]
    assert [t.span for t in read_totals(store, TECH, start=2020, end=2023)] == [(2021, 2023)]
