"""A country ranking re-based on whole-literature counts, where the graph holds them.

The ingested documents are a sample drawn by how they were fetched (a watch-list, top venues).
When ``(:PopulationCount)`` nodes (OpenAlex ``group_by`` or a snapshot stream, graph/counts.py)
cover a technology, its paper axes are taken from them instead:

- ``papers_share`` and ``top10_share`` are shares of all works (of all top-10% works) of the
  technology in the covered years, with the 90% Wilson interval over that N;
- ``group_by`` counts are full counts (a JP–US work adds one to each), so a fractional share is
  estimated as the full share × the country's fractional/full ratio in the ingested sample (the
  sample's overall ratio for a country it does not hold). The ratio's own sampling error is not in
  the interval; rankings over a small sample say so through ``summary.population.ratio_from``;
- growth is the smoothed yearly growth of the country's works per year between the first and last
  covered span (per-year counts: the first and last year), over the years between their midpoints.
  A window the counts cover with one span (the API's per-span plan, ingest/openalex_counts.py)
  holds no growth, so growth stays on the sample and ``summary.population.fields`` leaves it out;
- concentration, contest, monopoly risk and the bloc paper shares follow from those shares.

Patents, the top-1% share, h-index and RCA stay on the sample, and ``summary.population.fields``
lists what changed basis. The ingested documents stay the drill-down evidence of every row.

Population counts are used only when they can be the population: they must hold at least as
many works as the sample has attributed, and cover the years that hold ``min_coverage`` of the
sample's works; otherwise the ranking stays on the sample and ``summary.population`` says why.
This follows the CWTS Leiden Ranking Open Edition in counting from OpenAlex with a Wilson-style
stability interval; it differs in having no "core publication" filter (a technology's search
definition selects the works) and in estimating fractional counts from the sample, since
``group_by`` cannot count fractionally.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np

from analysis.concentration import contested as is_contested, hhi
from analysis.intervals import num, wilson
from analysis.profiles import Profile
from core.counts import CountRow, CountTotal, Span
from core.ranking import RankingRow

FIELDS = ("papers_full", "papers_fractional", "papers_share", "top10_papers", "top10_share", "growth",
          "n", "thin", "leader", "hhi", "contested", "monopoly_risk", "blocs.papers", "blocs.concern_papers")


@dataclass(frozen=True)
class Slice:
    """One (source, definition) of counts for one technology, summed over the covered spans."""

    source: str
    definition: str
    as_of: str
    spans: tuple[Span, ...]                  # (first, last) years; (y, y) for per-year counts
    n: int                                   # all works of the technology in those years
    n_top10: int | None
    works: dict[str, int]                    # country → works with an author there
    top10: dict[str, int]
    by_span: dict[str, dict[Span, int]]

    @property
    def years(self) -> tuple[int, ...]:
        """Every year the spans cover."""
        return tuple(y for a, b in self.spans for y in range(a, b + 1))


def _plans(ts: list[CountTotal]) -> list[list[CountTotal]]:
    """Sets of totals that never count a year twice. Fetches of the same definition per year and
    per span (of any length) can all be stored, and summing them would count works twice. Each
    fetch (one as-of day) is a plan, its gaps filled from the other fetches, newest first; the
    plan covering the most years wins (the newer on a tie). The per-year totals alone follow as
    a second set when they differ from it."""
    def covers(t: CountTotal) -> set[int]:
        return set(range(t.span[0], t.span[1] + 1))

    newest = sorted(ts, key=lambda t: (t.as_of, t.span[1] - t.span[0]), reverse=True)
    best: list[CountTotal] = []
    for day in sorted({t.as_of for t in ts}, reverse=True):
        chosen: list[CountTotal] = []
        taken: set[int] = set()
        for t in [t for t in newest if t.as_of == day] + [t for t in newest if t.as_of != day]:
            if not covers(t) & taken:
                chosen.append(t)
                taken |= covers(t)
        if len(taken) > sum(len(covers(t)) for t in best):
            best = chosen
    years = [t for t in ts if t.span[0] == t.span[1]]
    return [best] + ([years] if years and {t.span for t in years} != {t.span for t in best} else [])


def slices(counts: Iterable[CountRow], totals: Iterable[CountTotal], years: tuple[int, int]) -> list[Slice]:
    """Every (source, definition, plan) the graph holds inside the window: most years covered
    first, then newest as-of."""
    first, last = years
    tot: dict[tuple[str, str], list[CountTotal]] = defaultdict(list)
    for t in totals:
        if first <= t.span[0] and t.span[1] <= last:
            tot[(t.source, t.definition)].append(t)
    rows: dict[tuple[str, str], list[CountRow]] = defaultdict(list)
    for r in counts:
        if r.entity_kind == "country" and first <= r.span[0] and r.span[1] <= last:
            rows[(r.source, r.definition)].append(r)
    out = []
    for (src, dfn), group in tot.items():
        for ts in _plans(group):
            covered = {t.span for t in ts}
            works: Counter[str] = Counter()
            top10: Counter[str] = Counter()
            by_span: dict[str, dict[Span, int]] = defaultdict(dict)
            for r in rows.get((src, dfn), []):
                if r.span in covered:
                    works[r.entity] += r.works
                    top10[r.entity] += r.top10 or 0
                    by_span[r.entity][r.span] = r.works
            t10 = [t.top10 for t in ts]
            out.append(Slice(src, dfn, max(t.as_of for t in ts), tuple(sorted(covered)),
                             sum(t.works for t in ts), None if any(x is None for x in t10) else sum(t10),
                             dict(works), dict(top10), dict(by_span)))
    out.sort(key=lambda s: (len(s.years), s.as_of, s.n), reverse=True)
    return out


def usable(s: Slice, sample_n: int, sample_years: Counter[int], min_coverage: float) -> str | None:
    """Why these counts cannot stand for the population (None: they can)."""
    if s.n < sample_n:
        return f"{s.n} works counted, fewer than the {sample_n} the sample holds: not the whole literature"
    held = sum(sample_years.values())
    inside = sum(c for y, c in sample_years.items() if y in set(s.years))
    if held and inside / held < min_coverage:
        return (f"the counted years ({s.years[0]}–{s.years[-1]}) hold {inside / held:.0%} of the sample's works, "
                f"under {min_coverage:.0%}")
    return None


def _growth(by_span: dict[Span, int], spans: tuple[Span, ...]) -> float | None:
    """Smoothed yearly growth between the first and last span's works per year, over the years
    between their midpoints (for per-year counts: first and last year)."""
    if len(spans) < 2:
        return None
    (a0, b0), (a1, b1) = spans[0], spans[-1]
    r0, r1 = by_span.get(spans[0], 0) / (b0 - a0 + 1), by_span.get(spans[-1], 0) / (b1 - a1 + 1)
    return ((r1 + 1.0) / (r0 + 1.0)) ** (2.0 / (a1 + b1 - a0 - b0)) - 1.0


def rebase(rows: list[RankingRow], summary: dict[str, Any], s: Slice, counting: str, profile: Profile,
           min_documents: int, min_cell_documents: int, risk: Any) -> tuple[list[RankingRow], dict[str, Any]]:
    """The rows and summary on the slice's counts (scores and ranks are left to the caller's rescore)."""
    have = {r.id: r for r in rows}
    frac, full = sum(r.papers_fractional or 0 for r in rows), sum(r.papers_full for r in rows)
    overall = frac / full if full else 1.0
    ids = sorted(set(have) | set(s.works))
    first, last = s.years[0], s.years[-1]
    timed = len(s.spans) > 1            # one span holds no growth: it stays on the sample
    out: list[RankingRow] = []
    fshare: dict[str, tuple[float, float, float]] = {}
    for e in ids:
        r = have.get(e) or RankingRow(id=e, country=e, bloc=profile.bloc_of(e), weight=profile.weight(e), n=0,
                                      thin=True, papers_full=0, papers_fractional=None, papers_share=None,
                                      papers_share_lo=None, papers_share_hi=None, top10_papers=0, top10_share=None,
                                      top10_share_lo=None, top10_share_hi=None, top1_share=None, top1_share_lo=None,
                                      top1_share_hi=None, h_index=0, patent_families=0, patent_fractional=None,
                                      patent_share=None, patent_share_lo=None, patent_share_hi=None, growth=None,
                                      rca=None, score=None, rank=None, score_weighted=None, rank_weighted=None)
        ratio = (r.papers_fractional or 0) / r.papers_full if r.papers_full else overall
        k = ratio if counting == "fractional" else 1.0
        w, t = s.works.get(e, 0), s.top10.get(e, 0)
        p = np.array([w / s.n if s.n else np.nan])
        lo, hi = wilson(p, s.n)
        fshare[e] = (float(p[0]) * ratio, float(lo[0]) * ratio, float(hi[0]) * ratio)
        if s.n_top10:
            p10 = np.array([t / s.n_top10])
            lo10, hi10 = wilson(p10, s.n_top10)
            top = (num(p10[0] * k), num(lo10[0] * k), num(hi10[0] * k))
        else:
            top = (None, None, None)
        n = w + r.patent_families
        thin = n < min_cell_documents
        out.append(r.model_copy(update=dict(
            basis="population", n=n, thin=thin, papers_full=w, papers_fractional=num(w * ratio),
            papers_share=num(p[0] * k), papers_share_lo=num(lo[0] * k), papers_share_hi=num(hi[0] * k),
            top10_papers=t, top10_share=top[0], top10_share_lo=top[1], top10_share_hi=top[2],
            growth=r.growth if not timed else None if thin else num(_growth(s.by_span.get(e, {}), s.spans)))))

    summ = dict(summary)
    order = sorted(ids, key=lambda e: (-fshare[e][0], e))
    ranking_thin = s.n < min_documents
    summ.update(basis="population", n=s.n, thin=ranking_thin,
                population={"used": True, "source": s.source, "definition": s.definition, "as_of": s.as_of,
                            "years": [first, last], "years_counted": len(s.years), "works": s.n,
                            "spans": [list(sp) for sp in s.spans], "top10_works": s.n_top10,
                            "fields": [f for f in FIELDS if timed or f != "growth"], "sample_n": summary.get("n"),
                            "ratio_from": {"sample_works": full, "overall_fractional_per_full": num(overall)}})
    if order:
        lead = {"id": order[0], "share": num(fshare[order[0]][0]), "lo": num(fshare[order[0]][1]),
                "hi": num(fshare[order[0]][2])}
        second = ({"id": order[1], "share": num(fshare[order[1]][0]), "lo": num(fshare[order[1]][1]),
                   "hi": num(fshare[order[1]][2])} if len(order) > 1 else None)
        cont = bool(second) and is_contested(fshare[order[0]][1], fshare[order[1]][2])
        top1 = fshare[order[0]][0]
        conc = hhi(np.array([fshare[e][0] for e in ids]))
        summ.update(leader=lead, second=second, top1_share=num(top1),
                    ratio_1_2=num(top1 / fshare[order[1]][0]) if second and fshare[order[1]][0] > 0 else None)
        summ.update(contested=None, hhi=None, monopoly_risk=None) if ranking_thin else \
            summ.update(contested=cont, hhi=num(conc), monopoly_risk=risk.rate(top1, conc, cont))
    summ["blocs"] = _blocs(summary.get("blocs") or {}, profile, fshare, s.n)
    return out, summ


def _blocs(blocs: dict[str, Any], profile: Profile, fshare: dict[str, tuple[float, float, float]],
           n: int) -> dict[str, Any]:
    """Bloc paper shares from the population shares (patent blocs stay on the sample)."""
    out = dict(blocs)
    sums: Counter[str] = Counter()
    for e, (sh, _, _) in fshare.items():
        sums[profile.bloc_of(e)] += sh
    papers = {}
    for b in profile.bloc_names:
        lo, hi = wilson(np.array([min(1.0, sums[b])]), n)
        papers[b] = {"share": num(sums[b]), "lo": num(lo[0]), "hi": num(hi[0])}
    out["papers"] = papers
    concern = sum(sums[b.name] for b in profile.blocs if b.concern)
    lo, hi = wilson(np.array([min(1.0, concern)]), n)
    out["concern_papers"] = {"share": num(concern), "lo": num(lo[0]), "hi": num(hi[0])}
    out["papers_basis"] = "population"
    return out
