"""Population counts from the OpenAlex API's ``group_by``: how many works of one technology
(its search definition, ingest/definitions.yaml) each country and institution had per span of
publication years, for all works and for the top 10% by normalized citation percentile.

The call plan. ``group_by`` groups by one field, so a table of entity × time × {all, top10}
needs one slice per (span, all|top10) per entity kind; slicing the other way (one call per
entity, grouped by year) would need ~200 calls per country table instead of one. The years
are cut into spans of ``span`` years ending on the last year (``spans``: 2004–2023 in spans
of 5 is 2004–08, 2009–13, 2014–18, 2019–23; ``span=1`` is the per-year plan). Per technology
and span, in order:

1. ``filter=<definition>,publication_year:A-B&group_by=authorships.countries:include_unknown``,
   cursor-paged (``cursor=*``; pages of 200 groups, sorted by key) until a page has fewer
   than 200 groups or no ``next_cursor``: every country, and ``meta.count`` is the span's
   total (the ``CountTotal``), so totals cost no call of their own. A span with 0 works
   stops here: nothing else can be non-zero.
2. the same with ``citation_normalized_percentile.is_in_top_10_percent:true`` added.
3. ``group_by=authorships.institutions.lineage``, one page, no cursor: the top 200
   institutions by count (a parent's lineage group holds its children's works). Cursor
   paging would order by key, not count, and a large technology has tens of thousands of
   institutions, so the table is capped at the top 200 on purpose. By default only the
   latest span gets one (``institutions="latest"``): organisation rankings are of the
   current window, and a table per span doubled the plan's cost.
4. the same for the top 10%, skipped when step 2 counted none.

Calls per technology = Σ over spans: 1 if the span has no works, else (country pages, all) +
(country pages, top 10%), plus 2 for the latest span's institutions. For 74 technologies ×
20 years, bench/counts_calls.py measured 845 calls in spans of 5, and 5,818 per year with
institutions every year. Spans cost time resolution: growth inside a one-span
window is not counted (analysis/population_basis.py keeps it on the sample and says so).

Keys. Countries come as ``https://openalex.org/countries/JP`` (older answers: ``JP``);
institutions as ``https://openalex.org/I…``. The ``unknown`` country group (works with no
affiliation country) is asked for, counted in ``CountSet.no_country`` and never made an
entity; it is inside the totals anyway, since ``meta.count`` counts every matching work.
Counts are full counts (a JP–US paper adds 1 to each).

Politeness: at most ``requests_per_second`` (default 5, never above OpenAlex's documented
10), ``mailto`` and ``api_key`` sent but never saved, retries and Retry-After through
ingest/http.py, answers cached on disk. ``save_dir`` keeps every live answer verbatim with
an index (``requests.jsonl``: file, public URL, day fetched); ``read_saved`` replays it,
and ``to_counts`` turns pages, live or replayed, into the same ``CountRow``/``CountTotal``;
their ``as_of`` is the earliest day any of the technology's answers was fetched.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any, Literal
from urllib.parse import parse_qs, urlencode, urlparse

from core.counts import CountRow, CountTotal, EntityKind, Span
from core.errors import InputError, RecordError
from ingest import ids
from ingest.http import Client as HTTPClient
from ingest.raw import fingerprint, json_object
from ingest.taxonomy import SearchDefinition, openalex_filter

SOURCE = "openalex-api"
TOP10 = "citation_normalized_percentile.is_in_top_10_percent:true"
GROUP_BY: dict[EntityKind, str] = {"country": "authorships.countries:include_unknown",
                                   "institution": "authorships.institutions.lineage"}
KIND_OF = {v: k for k, v in GROUP_BY.items()}
MAX_GROUPS = 200            # OpenAlex's ceiling of groups per page
MAX_RATE = 10.0             # OpenAlex's documented ceiling, requests per second
INDEX = "requests.jsonl"
UNKNOWN = "unknown"


@dataclass(frozen=True)
class GroupPage:
    """One ``group_by`` answer: its public URL (no key, no mailto), the body and the day fetched."""
    url: str
    data: dict[str, Any]
    fetched: str


@dataclass(frozen=True)
class Call:
    technology: str
    span: Span
    kind: EntityKind
    top10: bool
    params: dict[str, str]


def span_filter(d: SearchDefinition, span: Span, top10: bool) -> str:
    a, b = span
    years = str(a) if a == b else f"{a}-{b}"
    return ",".join([openalex_filter(d), f"publication_year:{years}", *([TOP10] if top10 else [])])


def call(d: SearchDefinition, span: Span, kind: EntityKind, top10: bool, per_page: int = MAX_GROUPS) -> Call:
    params = {"filter": span_filter(d, span, top10), "group_by": GROUP_BY[kind], "per-page": str(per_page)}
    if kind == "country":
        params["cursor"] = "*"
    return Call(d.tech, span, kind, top10, params)


def spans(years: Iterable[int], length: int = 1) -> list[Span]:
    """Consecutive spans of ``length`` years ending on the last year; the first may be shorter."""
    ys = sorted(set(years))
    if length < 1:
        raise InputError(f"span {length}: want at least 1 year")
    if not ys:
        return []
    if ys != list(range(ys[0], ys[-1] + 1)):
        raise InputError(f"years {ys[0]}–{ys[-1]} have gaps: spans need consecutive years")
    out, b = [], ys[-1]
    while b >= ys[0]:
        out.append((max(ys[0], b - length + 1), b))
        b -= length
    return out[::-1]


def parse_years(spec: str) -> list[int]:
    """``2004-2023`` or ``2021`` into the years it names."""
    try:
        lo, _, hi = spec.partition("-")
        a, b = int(lo), int(hi or lo)
    except ValueError:
        raise InputError(f"years {spec!r}: want YYYY or YYYY-YYYY") from None
    if not (1800 <= a <= b <= 2100):
        raise InputError(f"years {spec!r}: want an increasing range of real years")
    return list(range(a, b + 1))


# ---------------------------------------------------------------- page store (cache and --save)


class PageStore:
    """Answers kept verbatim on disk, found again by public URL; the layout of ``--save DIR``."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._index: dict[str, tuple[str, str]] | None = None

    def _load(self) -> dict[str, tuple[str, str]]:
        if self._index is None:
            self._index = {}
            path = self.root / INDEX
            if path.exists():
                for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                    try:
                        e = json.loads(line)
                        self._index[e["url"]] = (e["file"], e["fetched"])
                    except (ValueError, KeyError, TypeError) as exc:
                        raise InputError(f"{path} line {n}: not an index entry ({exc})") from None
        return self._index

    def get(self, url: str) -> tuple[bytes, str] | None:
        hit = self._load().get(url)
        if hit is None or not (self.root / hit[0]).exists():
            return None
        return (self.root / hit[0]).read_bytes(), hit[1]

    def put(self, url: str, body: bytes, fetched: str) -> None:
        index = self._load()
        self.root.mkdir(parents=True, exist_ok=True)
        name = f"openalex-groupby-{fingerprint(url.encode())}.json"
        (self.root / name).write_bytes(body)
        if index.get(url) != (name, fetched):
            with open(self.root / INDEX, "a", encoding="utf-8") as f:
                f.write(json.dumps({"file": name, "url": url, "fetched": fetched}) + "\n")
            index[url] = (name, fetched)

    def entries(self) -> list[tuple[str, str, str]]:
        return [(url, file, fetched) for url, (file, fetched) in self._load().items()]


def read_saved(root: Path) -> Iterator[GroupPage | RecordError]:
    """Every answer saved under ``root`` (``--save DIR``), as the live client yielded it."""
    if not (root / INDEX).exists():
        raise InputError(f"{root}: no {INDEX}; not a directory written by --save")
    for url, file, fetched in PageStore(root).entries():
        path = root / file
        try:
            yield GroupPage(url, json_object(path.read_bytes(), str(path), "document"), fetched)
        except OSError as e:
            yield RecordError(str(path), "document", f"cannot read saved answer: {e}")
        except RecordError as e:
            yield e


# ---------------------------------------------------------------- live client


class CountsClient:
    def __init__(self, base_url: str = "https://api.openalex.org", api_key: str | None = None, mailto: str | None = None,
                 requests_per_second: float = 5.0, retries: int = 5, timeout: float = 30.0,
                 cache_dir: Path | None = None, cache_days: int = 30, save_dir: Path | None = None,
                 per_page: int = MAX_GROUPS, http: HTTPClient | None = None) -> None:
        self.base_url = base_url.rstrip("/")
        self.api_key, self.mailto = api_key, mailto
        rate = min(requests_per_second, MAX_RATE)
        self.min_interval = 1.0 / rate if rate > 0 else 0.0
        self.http = http or HTTPClient(timeout=timeout, retries=retries)
        self.cache = PageStore(cache_dir) if cache_dir else None
        self.cache_days = cache_days
        self.save = PageStore(save_dir) if save_dir else None
        self.per_page = per_page
        self.calls = 0            # requests that went to the server (cache hits excluded)
        self.cached = 0
        self._last = 0.0

    def _wait(self) -> None:
        delay = self._last + self.min_interval - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        self._last = time.monotonic()

    def get(self, params: dict[str, str]) -> GroupPage:
        url = f"{self.base_url}/works?{urlencode(params)}"
        hit = self.cache.get(url) if self.cache else None
        if hit is not None and date.fromisoformat(hit[1]) >= date.today() - timedelta(days=self.cache_days):
            body, fetched = hit
            self.cached += 1
        else:
            secret = {**params, **({"api_key": self.api_key} if self.api_key else {}),
                      **({"mailto": self.mailto} if self.mailto else {})}
            self._wait()
            body = self.http.get(f"{self.base_url}/works", secret).content
            fetched = date.today().isoformat()
            self.calls += 1
            if self.cache:
                self.cache.put(url, body, fetched)
        if self.save:
            self.save.put(url, body, fetched)
        return GroupPage(url, json_object(body, url, "group_by answer"), fetched)

    def pages(self, c: Call) -> Iterator[GroupPage | RecordError]:
        """Every page of one call: cursor-paged for countries, one page for institutions. An
        answer that is not JSON is yielded as a RecordError (to_counts quarantines it) and ends the call."""
        params = dict(c.params)
        while True:
            try:
                page = self.get(params)
            except RecordError as e:
                yield e
                return
            yield page
            meta = page.data.get("meta") if isinstance(page.data.get("meta"), dict) else {}
            groups = page.data.get("group_by") if isinstance(page.data.get("group_by"), list) else []
            nxt = meta.get("next_cursor")
            if "cursor" not in params or not nxt or len(groups) < int(params["per-page"]):
                return
            params["cursor"] = str(nxt)


def _count(page: GroupPage) -> int:
    meta = page.data.get("meta")
    n = meta.get("count") if isinstance(meta, dict) else None
    return n if isinstance(n, int) and not isinstance(n, bool) else 0


def fetch_counts(client: CountsClient, d: SearchDefinition, plan: Iterable[Span | int],
                 institutions: Literal["every", "latest"] = "every") -> Iterator[GroupPage | RecordError]:
    """Raw answers of the plan above for one technology, in call order; ``plan`` holds spans
    (``spans()``) or single years. ``institutions`` says which spans get institution tables."""
    todo = [(p, p) if isinstance(p, int) else p for p in plan]
    latest = max(todo, key=lambda t: t[1], default=None)
    for y in todo:
        first = None
        for p in client.pages(call(d, y, "country", False, client.per_page)):
            first = first or (p if isinstance(p, GroupPage) else None)
            yield p
        if first is None or _count(first) == 0:
            continue
        top = None
        for p in client.pages(call(d, y, "country", True, client.per_page)):
            top = top or (p if isinstance(p, GroupPage) else None)
            yield p
        if institutions == "latest" and y != latest:
            continue
        yield from client.pages(call(d, y, "institution", False, client.per_page))
        if top is not None and _count(top) > 0:
            yield from client.pages(call(d, y, "institution", True, client.per_page))


# ---------------------------------------------------------------- parsing


@dataclass
class CountSet:
    rows: list[CountRow] = field(default_factory=list)
    totals: list[CountTotal] = field(default_factory=list)
    no_country: dict[int, int] = field(default_factory=dict)   # span's last year -> works with no affiliation country
    capped_years: list[int] = field(default_factory=list)      # last years of spans whose institution table hit the cap
    beyond_cap: int = 0        # institutions in the top-10% table but not in the all-works top 200 (not stored)
    problems: list[RecordError] = field(default_factory=list)
    pages: int = 0


@dataclass
class _Slice:
    counts: dict[str, int] = field(default_factory=dict)
    total: int | None = None
    complete: bool = False
    full: bool = False


def _entity(kind: EntityKind, key: object) -> str | None:
    if not isinstance(key, str) or key.strip().lower() == UNKNOWN:
        return None
    if kind == "country":
        return ids.country(key.rstrip("/").rsplit("/", 1)[-1])
    oa = ids.openalex(key)
    return oa if oa and oa.startswith("I") and oa[1:].isdigit() else None


def _decode(d: SearchDefinition, page: GroupPage) -> tuple[Span, EntityKind, bool] | None:
    """Which (span, kind, top10) slice of ``d`` a page answers, or None if it is another's."""
    q = {k: v[0] for k, v in parse_qs(urlparse(page.url).query, keep_blank_values=True).items()}
    kind = KIND_OF.get(q.get("group_by", ""))
    base, flt = openalex_filter(d) + ",publication_year:", q.get("filter", "")
    if kind is None or not flt.startswith(base):
        return None
    rest = flt[len(base):]
    top10 = rest.endswith("," + TOP10)
    a, _, b = rest.removesuffix("," + TOP10).partition("-")
    if not a.isdigit() or not (b or a).isdigit() or int(a) > int(b or a):
        return None
    return (int(a), int(b or a)), kind, top10


def span_label(span: Span) -> str:
    return str(span[1]) if span[0] == span[1] else f"{span[0]}–{span[1]}"


def to_counts(d: SearchDefinition, pages: Iterable[GroupPage | RecordError], years: Iterable[int] | None = None) -> CountSet:
    """The counts of one technology from its pages (others' pages, and spans not inside
    ``years``, are passed over)."""
    out = CountSet()
    want = set(years) if years is not None else None
    slices: dict[tuple[Span, EntityKind, bool], _Slice] = {}
    fetched: list[str] = []
    for page in pages:
        if isinstance(page, RecordError):
            out.problems.append(page)
            continue
        where = _decode(d, page)
        if where is None or (want is not None and not set(range(where[0][0], where[0][1] + 1)) <= want):
            continue
        groups, meta = page.data.get("group_by"), page.data.get("meta")
        if not isinstance(groups, list) or not isinstance(meta, dict):
            out.problems.append(RecordError(page.url, "document", "not a group_by answer (no 'group_by' list or 'meta')"))
            continue
        out.pages += 1
        fetched.append(page.fetched)
        (_, year), kind, top10 = where
        s = slices.setdefault(where, _Slice())
        if s.total is None:
            s.total = _count(page)
        per_page = int(parse_qs(urlparse(page.url).query).get("per-page", [MAX_GROUPS])[0])
        s.complete = s.complete or kind == "institution" or not meta.get("next_cursor") or len(groups) < per_page
        s.full = s.full or (kind == "institution" and len(groups) >= per_page)
        for i, g in enumerate(groups):
            key = g.get("key") if isinstance(g, dict) else None
            n = g.get("count") if isinstance(g, dict) else None
            if not isinstance(n, int) or isinstance(n, bool) or n < 0:
                out.problems.append(RecordError(page.url, f"group {i}", f"count is not a non-negative integer: {n!r}"))
                continue
            ent = _entity(kind, key)
            if ent is None:
                if isinstance(key, str) and key.strip().lower() == UNKNOWN:
                    if kind == "country" and not top10:
                        out.no_country[year] = out.no_country.get(year, 0) + n
                else:
                    out.problems.append(RecordError(page.url, f"group {i}", f"unreadable {kind} key {key!r}"))
                continue
            s.counts[ent] = s.counts.get(ent, 0) + n
    as_of = min(fetched) if fetched else date.today().isoformat()
    common = {"technology": d.tech, "definition": d.id, "source": SOURCE, "as_of": as_of}
    for span in sorted({sp for sp, _, _ in slices}):
        all_c, top_c = slices.get((span, "country", False)), slices.get((span, "country", True))
        if all_c is None:
            continue
        year, at = span[1], {"year": span[1], "first_year": span[0] if span[0] != span[1] else None}
        works = all_c.total or 0
        top_total = top_c.total if top_c else (0 if works == 0 else None)
        out.totals.append(CountTotal(works=works, top10=top_total, **at, **common))
        for kind in ("country", "institution"):
            a, t = slices.get((span, kind, False)), slices.get((span, kind, True))
            if a is None:
                continue
            if kind == "institution" and a.full:
                out.capped_years.append(year)
            top_known = t is not None and t.complete and not t.full
            for ent in sorted(a.counts):
                if t is not None and ent in t.counts:
                    top = t.counts[ent]
                elif top_total == 0 or top_known:
                    top = 0
                else:
                    top = None       # below the top-200 cut of the top-10% table, or not fetched
                out.rows.append(CountRow(entity_kind=kind, entity=ent, works=a.counts[ent], top10=top, **at, **common))
            stray = [ent for ent in (t.counts if t is not None else ()) if ent not in a.counts]
            if kind == "institution":
                out.beyond_cap += len(stray)
            elif stray:
                out.problems.append(RecordError(d.tech, f"{span_label(span)} countries",
                                                f"top-10% counts for countries with no works: {stray}"))
    return out
