"""Our rankings beside a published reference table: lead agreement, top-5 overlap, the
Spearman correlation of shares, and a likely cause for every disagreement.

Per technology and window the stored country ranking (graph/rankings.py) is compared with
the reference (analysis/reference.py). The lead is the country with the highest share in
the reference's metric (papers → papers_share, top10 → top10_share, patents →
patent_share, score → our composite rank); rows flagged as thin are not ranked. Spearman's
rho is taken over the countries the reference lists, ours 0 where we have none of them.

A disagreement gets causes, the likely one first (docs/validation.md gives the rules):

- ``window``     no stored ranking for the window, or our documents cover few of its years;
- ``N``          too few documents behind our ranking, or our lead is within the sampling
                 interval of the reference's leader;
- ``basis``      ours is the ingested sample and theirs the population, and our whole sample
                 in the window is led by the same country as our technology: the lead follows
                 what was ingested;
- ``definition`` what is counted differs: the technology is not in our taxonomy or has no
                 documents, our sample as a whole is led by their leader but our technology's
                 documents are not, or counting and metric differ.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy.stats import spearmanr

from analysis import evidence as ev
from analysis.rank import Ranking
from analysis.rank import parse_window
from analysis.reference import Reference, RefTechnology, RefWindow

MIN_COVERAGE = 0.6         # fraction of a window's years that must hold documents
METRIC_FIELD = {"papers": "papers_share", "top10": "top10_share", "patents": "patent_share", "score": "score"}


# ---------------------------------------------------------------- our rankings, whatever their shape

@dataclass(frozen=True)
class Ours:
    """One stored country ranking, reduced to what a comparison needs."""
    technology: str
    window: str
    counting: str
    rows: tuple[dict[str, Any], ...]
    n: int
    basis: str
    thin: bool
    min_n: int

    @classmethod
    def of(cls, stored: dict[str, Any]) -> Ours:
        rk = Ranking.from_props(stored)
        e = ev.of_ranking(rk)
        return cls(technology=rk.technology, window=rk.window, counting=rk.counting,
                   rows=tuple(r.model_dump() for r in rk.rows), n=e.n, basis=e.basis, thin=e.thin,
                   min_n=int(rk.summary["min_documents"]))

    def values(self, metric: str) -> dict[str, float]:
        """Share per country for the metric (score: the composite), rows flagged thin left out."""
        f = METRIC_FIELD[metric]
        return {x["id"]: float(x[f]) for x in self.rows if x.get(f) is not None and not x["thin"]}

    def ranked(self, metric: str) -> list[str]:
        v = self.values(metric)
        return sorted(v, key=lambda c: (-v[c], c))

    def interval(self, metric: str, country: str) -> tuple[float, float] | None:
        f = METRIC_FIELD[metric]
        for x in self.rows:
            if x["id"] == country and x.get(f + "_lo") is not None and x.get(f + "_hi") is not None:
                return float(x[f + "_lo"]), float(x[f + "_hi"])
        return None


# ---------------------------------------------------------------- one comparison

@dataclass(frozen=True)
class Cause:
    kind: str         # basis | N | definition | window
    why: str


@dataclass(frozen=True)
class Context:
    """What the graph says beyond the ranking, for explaining a disagreement."""
    in_taxonomy: bool = True
    documents: int = 0                              # documents mapped to the technology, any year
    sample_lead: tuple[str, float] | None = None    # whole ingested sample in the window: leader and share
    years_covered: int | None = None                # window years holding ≥ 1 of the technology's documents


@dataclass(frozen=True)
class Comparison:
    technology: str
    window: str
    compared: bool
    agree: bool | None
    our_lead: str | None
    our_lead_share: float | None
    their_lead: str
    their_lead_share: float
    our_top5: tuple[str, ...]
    their_top5: tuple[str, ...]
    top5_overlap: int | None
    spearman: float | None
    countries: int
    n: int | None
    basis: str | None
    counting: str | None
    causes: tuple[Cause, ...] = field(default_factory=tuple)

    @property
    def cause(self) -> str | None:
        return self.causes[0].kind if self.causes else None


def spearman(theirs: dict[str, float], ours: dict[str, float]) -> float | None:
    """Rank correlation over the reference's countries; None when it is undefined."""
    codes = sorted(theirs)
    if len(codes) < 3:
        return None
    x = np.array([theirs[c] for c in codes])
    y = np.array([ours.get(c, 0.0) for c in codes])
    if np.ptp(x) == 0 or np.ptp(y) == 0:
        return None
    rho = spearmanr(x, y).statistic
    return None if not np.isfinite(rho) else round(float(rho), 4)


def _years(window: str) -> int:
    a, b = parse_window(window)
    return 0 if a is None else b - a + 1


def explain(ours: Ours | None, ref: Reference, rw: RefWindow, ctx: Context, their_lead: str,
            our_lead: str | None, metric: str) -> list[Cause]:
    """Likely causes of a disagreement, the likeliest first."""
    m = ref.method
    if ours is None:
        if not ctx.in_taxonomy:
            return [Cause("definition", "the technology is not in our taxonomy")]
        if not ctx.documents:
            return [Cause("definition", "no ingested document is mapped to the technology")]
        return [Cause("window", f"no stored ranking for {rw.window} ({m.counting} counting): "
                                f"kizashi rank --by country --window {rw.window} --counting {m.counting}")]
    out: list[Cause] = []
    if ours.thin:
        out.append(Cause("N", f"only {ours.n} documents with a country behind our ranking (thin below {ours.min_n})"))
    span = _years(rw.window)
    if ctx.years_covered is not None and span and ctx.years_covered < MIN_COVERAGE * span:
        out.append(Cause("window", f"our documents cover {ctx.years_covered} of the window's {span} years"))
    mine, theirs_iv = ours.interval(metric, our_lead or ""), ours.interval(metric, their_lead)
    if not ours.thin and mine and theirs_iv and mine[0] <= theirs_iv[1]:
        out.append(Cause("N", f"our {our_lead} [{mine[0]:.3f}–{mine[1]:.3f}] and {their_lead} "
                              f"[{theirs_iv[0]:.3f}–{theirs_iv[1]:.3f}] overlap: the sample cannot separate them"))
    sample = ctx.sample_lead
    if ours.basis != "population" and m.basis == "population":
        if sample and sample[0] == our_lead:
            out.append(Cause("basis", f"our whole ingested sample in {rw.window} is led by {sample[0]} "
                                      f"({sample[1]:.0%}): the technology's lead follows what was ingested, "
                                      "not the population"))
        elif not (sample and sample[0] == their_lead):
            out.append(Cause("basis", f"ours is the ingested sample of {ours.n} documents, theirs the population"))
    if sample and sample[0] == their_lead and sample[0] != our_lead:
        out.append(Cause("definition", f"our whole sample is led by {their_lead} too, but the documents our "
                                       f"definition maps to the technology are led by {our_lead}"))
    if ours.counting != m.counting:
        out.append(Cause("definition", f"counting: ours {ours.counting}, theirs {m.counting}"))
    if ours.basis == "population" and not any(c.kind == "definition" for c in out):
        out.append(Cause("definition", "both count a population: what differs is which documents count as the "
                                       "technology"))
    if not out:
        out.append(Cause("definition", "no sampling reason found: the technology definitions differ"))
    return out


def compare(ref: Reference, tech: RefTechnology, rw: RefWindow, ours: Ours | None, ctx: Context) -> Comparison:
    metric = ref.method.metric
    theirs = rw.shares(ref.method.values)
    their_rank = rw.ranked()
    their_lead = their_rank[0]
    if ours is None:
        return Comparison(tech.technology, rw.window, False, None, None, None, their_lead, theirs[their_lead], (),
                          tuple(their_rank[:5]), None, None, len(theirs), None, None, None,
                          tuple(explain(None, ref, rw, ctx, their_lead, None, metric)))
    vals = ours.values(metric)
    rank = ours.ranked(metric)
    our_lead = rank[0] if rank and not ours.thin else None
    agree = our_lead == their_lead
    causes = () if agree else tuple(explain(ours, ref, rw, ctx, their_lead, rank[0] if rank else None, metric))
    return Comparison(tech.technology, rw.window, True, agree, rank[0] if rank else None,
                      vals.get(rank[0]) if rank else None, their_lead, theirs[their_lead], tuple(rank[:5]),
                      tuple(their_rank[:5]), len(set(rank[:5]) & set(their_rank[:5])), spearman(theirs, vals),
                      len(theirs), ours.n, ours.basis, ours.counting, causes)


# ---------------------------------------------------------------- the whole table

@dataclass(frozen=True)
class Report:
    reference: str
    method: dict[str, str]
    comparisons: tuple[Comparison, ...]

    @property
    def compared(self) -> list[Comparison]:
        return [c for c in self.comparisons if c.compared]

    @property
    def lead_agreement(self) -> float | None:
        done = self.compared
        return None if not done else round(100.0 * sum(bool(c.agree) for c in done) / len(done), 1)

    @property
    def spearman_mean(self) -> float | None:
        rs = [c.spearman for c in self.compared if c.spearman is not None]
        return None if not rs else round(float(np.mean(rs)), 4)

    def as_dict(self) -> dict[str, Any]:
        return {"reference": self.reference, "method": self.method, "lead_agreement_pct": self.lead_agreement,
                "spearman_mean": self.spearman_mean, "pairs": len(self.comparisons), "compared": len(self.compared),
                "comparisons": [{**{k: getattr(c, k) for k in c.__dataclass_fields__ if k != "causes"},
                                 "our_top5": list(c.our_top5), "their_top5": list(c.their_top5),
                                 "cause": c.cause, "causes": [{"kind": x.kind, "why": x.why} for x in c.causes]}
                                for c in self.comparisons]}


def _sample_lead(store: Any, window: str, counting: str) -> tuple[str, float] | None:
    from graph import rankings as gq

    a, b = parse_window(window)
    if a is None:
        a, b = gq.year_range(store)
        if a is None:
            return None
    rows = gq.baseline(store, "country", int(a), int(b))
    key = "full" if counting == "full" else "fractional"
    total = sum(float(r[key] or 0) for r in rows)
    if not rows or total <= 0:
        return None
    top = max(rows, key=lambda r: (float(r[key] or 0), r["id"]))
    return top["id"], float(top[key] or 0) / total


def _years_covered(store: Any, technology: str, window: str) -> int | None:
    from graph import rankings as gq

    a, b = parse_window(window)
    if a is None:
        return None
    return len({r["year"] for r in gq.tech_works(store, [technology], a, b)})


def validate(store: Any, ref: Reference, windows: list[str] | None = None, counting: str | None = None,
             profile: str | None = None) -> Report:
    """Compare every (technology, window) of the reference with the stored country rankings."""
    from analysis import profiles
    from graph import rankings as gq

    counting = counting or ref.method.counting
    ident = profiles.load(profile).ident if profile else profiles.load().ident
    techs = {t["key"]: t for t in gq.technologies(store)}
    out = []
    for tech in ref.technologies:
        for rw in tech.windows:
            if windows and rw.window not in windows:
                continue
            stored = gq.rankings_full(store, "country", rw.window, counting, ident)
            found = next((s for s in stored if s["technology"] == tech.technology), None)
            ours = None if found is None else Ours.of(found)
            t = techs.get(tech.technology)
            ctx = Context(in_taxonomy=t is not None, documents=int((t or {}).get("works") or 0) + int((t or {}).get("patents") or 0))
            cmp_ = compare(ref, tech, rw, ours, ctx)
            if cmp_.compared and not cmp_.agree:
                # The graph is asked for more only where there is something to explain.
                ctx = Context(ctx.in_taxonomy, ctx.documents, _sample_lead(store, rw.window, counting),
                              _years_covered(store, tech.technology, rw.window))
                cmp_ = compare(ref, tech, rw, ours, ctx)
            out.append(cmp_)
    m = ref.method
    return Report(ref.name, {"basis": m.basis, "counting": m.counting, "metric": m.metric, "values": m.values,
                             "ours_counting": counting}, tuple(out))
