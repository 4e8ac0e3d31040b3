"""Who leads each technology, how safely, and on what evidence: one ranking per
(technology, by, window, counting, profile), computed from the graph and stored back.

The steps, one module each: analysis/counting.py (documents as credit matrices, top-x% papers,
h-index, growth), analysis/intervals.py (shares and bootstrap intervals), analysis/concentration.py
(HHI, contested lead, monopoly risk), analysis/composite.py (the composite score and its weights),
analysis/blocs.py (bloc shares, material exposure). Also here: RCA = (fractional share in the
technology) / (fractional share of all papers in the window); > 1 means specialised.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter, defaultdict
from dataclasses import asdict, dataclass, field, replace
from typing import Any

import numpy as np

from analysis.blocs import bloc_view, materials_view
from analysis.composite import COMPONENTS, DEFAULT_WEIGHTS, check_weights, reweight
from analysis.concentration import RiskRule, contested as is_contested, hhi, top_orgs_in
from analysis.counting import Docs, cagr, family_docs, h_index, top_mask, works_docs
from analysis.intervals import div, num, resamples, shares, widened
from analysis import population_basis as pb
from analysis.profiles import Profile
from core.errors import ConfigError
from core.ranking import ROW_VERSION, RankingRow, rows_from

# 2: typed rows with basis, N and thin flags; thin cells unranked; Wilson-widened intervals.
ALGORITHM = "kizashi-rank/2"


@dataclass(frozen=True)
class Params:
    window: str = "all"               # "all" or "YYYY-YYYY"
    counting: str = "fractional"      # fractional | full
    bootstrap: int = 1000
    seed: int = 20260401
    top: float = 0.10
    top_narrow: float = 0.01
    min_about_score: float = 0.0
    min_documents: int = 30           # attributed documents before a ranking names a leader's concentration
    min_cell_documents: int = 10      # documents before one entity is ranked and gets a growth rate
    population_min_coverage: float = 0.9   # share of the sample's works in years the population counts cover
    weights: tuple[tuple[str, float], ...] = tuple(DEFAULT_WEIGHTS.items())
    risk: RiskRule = field(default_factory=RiskRule)

    def __post_init__(self) -> None:
        if self.counting not in ("fractional", "full"):
            raise ConfigError(f"counting must be fractional or full, not {self.counting!r}")
        parse_window(self.window)
        check_weights(dict(self.weights))
        if not 10 <= self.bootstrap <= 100_000:
            raise ConfigError("bootstrap must be between 10 and 100000 resamples")

    def as_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["weights"] = dict(self.weights)
        return d


def parse_window(window: str) -> tuple[int | None, int | None]:
    if window == "all":
        return None, None
    try:
        a, b = (int(x) for x in window.split("-"))
    except ValueError:
        raise ConfigError(f"window {window!r}: expected 'all' or 'YYYY-YYYY'") from None
    if not 1000 <= a <= b <= 3000:
        raise ConfigError(f"window {window!r}: start must not be after end")
    return a, b


# ---------------------------------------------------------------- one ranking

@dataclass
class Ranking:
    key: str
    technology: str
    by: str
    window: str
    counting: str
    profile: str
    params: dict[str, Any]
    data_as_of: str | None
    snapshot_id: str
    taxonomy_version: str | None
    rows: list[RankingRow]
    summary: dict[str, Any]
    evidence: dict[str, Any]

    def props(self) -> dict[str, Any]:
        return {"key": self.key, "technology": self.technology, "by": self.by, "window": self.window,
                "counting": self.counting, "profile": self.profile, "params_json": json.dumps(self.params, sort_keys=True),
                "data_as_of": self.data_as_of, "snapshot_id": self.snapshot_id, "taxonomy_version": self.taxonomy_version,
                "rows_json": json.dumps([r.model_dump() for r in self.rows]), "row_version": ROW_VERSION,
                "summary_json": json.dumps(self.summary),
                "evidence_json": json.dumps(self.evidence), "entities": [r.id for r in self.rows]}

    @classmethod
    def from_props(cls, p: dict[str, Any]) -> Ranking:
        return cls(key=p["key"], technology=p["technology"], by=p["by"], window=p["window"], counting=p["counting"],
                   profile=p["profile"], params=json.loads(p["params_json"]), data_as_of=p.get("data_as_of"),
                   snapshot_id=p["snapshot_id"], taxonomy_version=p.get("taxonomy_version"),
                   rows=rows_from(json.loads(p["rows_json"]), p.get("row_version")),
                   summary=json.loads(p["summary_json"]),
                   evidence=json.loads(p.get("evidence_json") or "{}"))


def ranking_key(inputs: dict[str, Any]) -> str:
    return "rk-" + hashlib.sha256(json.dumps(inputs, sort_keys=True).encode()).hexdigest()[:24]


def _entity_country(by: str, ident: str, org_country: dict[str, str | None]) -> str | None:
    return ident if by == "country" else org_country.get(ident)


def rank_technology(technology: str, by: str, works: list[dict[str, Any]], patents: list[dict[str, Any]],
                    baseline: dict[str, float], params: Params, profile: Profile, years: tuple[int, int],
                    snapshot: dict[str, Any], names: dict[str, dict[str, Any]] | None = None,
                    materials: list[dict[str, Any]] | None = None) -> Ranking:
    """Every metric of one (technology, by, window, counting, profile) from already-fetched rows."""
    names = names or {}
    counting = params.counting
    first, last = years
    wd = works_docs(works, by)
    pd_ = family_docs(patents, by)
    org_country: dict[str, str | None] = {}
    for r in works:
        for o in r["orgs"]:
            org_country.setdefault(o[0], o[2])
    for r in patents:
        for o in r["orgs"]:
            org_country.setdefault(o[0], o[2])
    entities = sorted(set(wd.entities) | set(pd_.entities))
    n_e = len(entities)

    pos = {e: i for i, e in enumerate(entities)}

    def aligned(d: Docs) -> Docs:
        index = np.array([pos[e] for e in d.entities], dtype=int)
        return Docs(d.keys, d.years, d.cites, entities, d.credit.remap(index, n_e), d.extra)

    wd, pd_ = aligned(wd), aligned(pd_)
    seed_w = params.seed
    kw = resamples(len(wd.keys), params.bootstrap, seed_w)
    kp = resamples(len(pd_.keys), params.bootstrap, seed_w + 1)
    xw, xp = wd.matrix(counting), pd_.matrix(counting)

    n_works = int((wd.credit.rowsum() > 0).sum())           # the shares' base: documents with a known entity
    n_fams = int((pd_.credit.rowsum() > 0).sum())
    top10 = top_mask(wd.years, wd.cites, params.top)
    top1 = top_mask(wd.years, wd.cites, params.top_narrow)
    attributed = wd.credit.rowsum() > 0
    papers_share = widened(shares(xw, counting, kw), n_works)
    frac_share = widened(shares(wd.credit, "fractional", kw), n_works)
    top10_share = widened(shares(xw, counting, kw, top10), int((attributed & top10).sum()))
    top1_share = widened(shares(xw, counting, kw, top1), int((attributed & top1).sum()))
    patent_share = widened(shares(xp, counting, kp), n_fams)
    growth = cagr(wd.years, xw, first, last)
    h = h_index(wd.cites, wd.presence)
    base_total = sum(baseline.values())
    w_frac, w_full = wd.credit.colsum(), wd.presence.colsum()
    w_top10 = wd.presence.rows(top10).colsum()
    p_frac, p_full = pd_.credit.colsum(), pd_.presence.colsum()
    tech_total = w_frac.sum()
    base_share = np.array([baseline.get(e, 0.0) for e in entities]) / (base_total or 1.0)
    rca = div(w_frac / (tech_total or 1.0), base_share) if tech_total else np.full(n_e, np.nan)

    # Thin cells are shown with their counts and intervals but neither ranked nor given a
    # growth rate: one paper would otherwise lead with share 1.0, and 0 → 1 paper reads as +41%/yr.
    cell_n = (w_full + p_full).astype(int)
    thin = cell_n < params.min_cell_documents
    growth = np.where(thin, np.nan, growth)
    comp = np.stack([papers_share[0], top10_share[0], patent_share[0], growth], axis=-1)
    countries = [_entity_country(by, e, org_country) for e in entities]
    ew = np.array([profile.weight(c) for c in countries])
    weights = dict(params.weights)
    sc = reweight(comp, weights, ew) if n_e else {"raw": [], "weighted": [], "raw_rank": [], "weighted_rank": []}
    rank_raw, rank_w = _ranks_among(sc["raw"], ~thin), _ranks_among(sc["weighted"], ~thin)

    rows = []
    for i, e in enumerate(entities):
        n = names.get(e, {})
        rows.append(dict(
            id=e, name=n.get("name"), country=countries[i], bloc=profile.bloc_of(countries[i]),
            weight=float(ew[i]), basis="sample", n=int(cell_n[i]), thin=bool(thin[i]),
            papers_full=int(w_full[i]), papers_fractional=num(w_frac[i]),
            papers_share=num(papers_share[0][i]), papers_share_lo=num(papers_share[1][i]),
            papers_share_hi=num(papers_share[2][i]),
            top10_papers=int(w_top10[i]),
            top10_share=num(top10_share[0][i]), top10_share_lo=num(top10_share[1][i]),
            top10_share_hi=num(top10_share[2][i]),
            top1_share=num(top1_share[0][i]), top1_share_lo=num(top1_share[1][i]),
            top1_share_hi=num(top1_share[2][i]),
            h_index=int(h[i]),
            patent_families=int(p_full[i]), patent_fractional=num(p_frac[i]),
            patent_share=num(patent_share[0][i]), patent_share_lo=num(patent_share[1][i]),
            patent_share_hi=num(patent_share[2][i]),
            growth=num(growth[i]), rca=num(rca[i]),
            score=num(sc["raw"][i]), rank=rank_raw[i],
            score_weighted=num(sc["weighted"][i]), rank_weighted=rank_w[i],
        ))
    rows.sort(key=lambda r: (r["rank"] is None, r["rank"] or 0, -(r["score"] or 0), r["id"]))

    # Concentration, on fractional paper shares (they sum to one).
    order = np.argsort(-np.nan_to_num(frac_share[0]), kind="stable") if n_e else np.array([], dtype=int)
    ranking_thin = n_works < params.min_documents
    summary: dict[str, Any] = {"documents": {"works": len(wd.keys), "patent_families": len(pd_.keys),
                                             "works_attributed": n_works, "families_attributed": n_fams,
                                             "top10_works": int(top10.sum()), "top1_works": int(top1.sum())},
                               "years": [first, last], "basis": "sample", "n": n_works, "thin": ranking_thin,
                               "min_documents": params.min_documents,
                               "min_cell_documents": params.min_cell_documents}
    if n_e:
        i1 = int(order[0])
        lead = {"id": entities[i1], "share": num(frac_share[0][i1]), "lo": num(frac_share[1][i1]),
                "hi": num(frac_share[2][i1])}
        second = None
        contested = False
        ratio = None
        if n_e > 1:
            i2 = int(order[1])
            second = {"id": entities[i2], "share": num(frac_share[0][i2]), "lo": num(frac_share[1][i2]),
                      "hi": num(frac_share[2][i2])}
            contested = is_contested(frac_share[1][i1], frac_share[2][i2])
            ratio = num(frac_share[0][i1] / frac_share[0][i2]) if frac_share[0][i2] > 0 else None
        conc = hhi(frac_share[0])
        top1s = float(np.nan_to_num(frac_share[0][i1]))
        ranked = [r for r in rows if r["rank"] is not None]
        by_weight = [r for r in rows if r["rank_weighted"] is not None]
        summary.update(leader=lead, second=second, top1_share=num(top1s), ratio_1_2=ratio,
                       monopoly_rule=params.risk.text(),
                       top10_orgs_in_lead_country=top_orgs_in(works, lead["id"] if by == "country"
                                                               else org_country.get(lead["id"])),
                       leader_raw=ranked[0]["id"] if ranked else None,
                       leader_weighted=min(by_weight, key=lambda r: (r["rank_weighted"], r["id"]))["id"] if by_weight else None)
        # Too few documents: the shares stay (with their wide intervals), the verdicts go.
        summary.update(contested=None, hhi=None, monopoly_risk=None) if ranking_thin else \
            summary.update(contested=contested, hhi=num(conc), monopoly_risk=params.risk.rate(top1s, conc, contested))
    summary["blocs"] = bloc_view(profile, countries, wd, pd_, kw, kp)
    summary["materials"] = materials_view(profile, materials or [])
    summary["formula"] = {"score": "Σ w_k·x_k / Σ w_k, x = shares ÷ max share, growth min–max scaled",
                          "score_weighted": "score × profile weight of the entity's country",
                          "weights": weights, "components": list(COMPONENTS)}

    evidence = {"works": {e: [] for e in entities}, "families": {e: [] for e in entities}}
    wp, pp = wd.presence, pd_.presence
    for d, i in sorted(zip(wp.d.tolist(), wp.e.tolist())):
        evidence["works"][entities[i]].append([wd.keys[d], wd.extra[d]["doi"], wd.extra[d]["openalex_id"],
                                               int(wd.years[d]), int(wd.cites[d]), bool(top10[d])])
    for d, i in sorted(zip(pp.d.tolist(), pp.e.tolist())):
        evidence["families"][entities[i]].append([pd_.keys[d], pd_.extra[d]["patents"], int(pd_.years[d])])
    typed = [RankingRow(**r, evidence_works=len(evidence["works"][r["id"]]),
                        evidence_families=len(evidence["families"][r["id"]])) for r in rows]

    inputs = {"algorithm": ALGORITHM, "snapshot_id": snapshot["snapshot_id"],
              "taxonomy_version": snapshot.get("taxonomy_version"), "technology": technology, "by": by,
              "profile": profile.ident, "profile_overrides": dict(profile.overrides),
              "years": [first, last], **params.as_dict()}
    return Ranking(key=ranking_key(inputs), technology=technology, by=by, window=params.window, counting=counting,
                   profile=profile.ident, params=inputs, data_as_of=snapshot.get("data_as_of"),
                   snapshot_id=snapshot["snapshot_id"], taxonomy_version=snapshot.get("taxonomy_version"),
                   rows=typed, summary=summary, evidence=evidence)


def rescore(rows: list[RankingRow], weights: dict[str, float], profile: Profile) -> list[RankingRow]:
    """Stored rows under other score weights or country weights: same metrics, new scores and
    ranks (thin rows stay unranked)."""
    if not rows:
        return rows
    rows = sorted(rows, key=lambda r: r.id)
    comp = np.array([[r.papers_share or 0, r.top10_share or 0, r.patent_share or 0,
                      np.nan if r.growth is None else r.growth] for r in rows], dtype=float)
    ew = np.array([profile.weight(r.country) for r in rows])
    sc = reweight(comp, weights, ew)
    keep = np.array([not r.thin for r in rows])
    raw, wtd = _ranks_among(sc["raw"], keep), _ranks_among(sc["weighted"], keep)
    out = [r.model_copy(update={"weight": float(ew[i]), "score": num(sc["raw"][i]), "rank": raw[i],
                                "score_weighted": num(sc["weighted"][i]), "rank_weighted": wtd[i],
                                "bloc": profile.bloc_of(r.country)})
           for i, r in enumerate(rows)]
    out.sort(key=lambda r: (r.rank is None, r.rank or 0, -(r.score or 0), r.id))
    return out


def on_population(rk: Ranking, found: list[pb.Slice], params: Params, profile: Profile,
                  sample_years: Counter[int]) -> Ranking:
    """A country ranking re-based on the first usable population slice (analysis/population_basis.py);
    unchanged, with the reason in ``summary.population``, when none can stand for the population."""
    why = []
    for s in found:
        reason = pb.usable(s, int(rk.summary.get("n") or 0), sample_years, params.population_min_coverage)
        if reason:
            why.append({"source": s.source, "definition": s.definition, "why": reason})
            continue
        rows, summary = pb.rebase(rk.rows, rk.summary, s, params.counting, profile, params.min_documents,
                                  params.min_cell_documents, params.risk)
        rows = rescore(rows, dict(params.weights), profile)
        ranked = [r for r in rows if r.rank is not None]
        by_weight = [r for r in rows if r.rank_weighted is not None]
        summary.update(leader_raw=ranked[0].id if ranked else None,
                       leader_weighted=min(by_weight, key=lambda r: (r.rank_weighted, r.id)).id if by_weight else None)
        inputs = {**rk.params, "population": {"source": s.source, "definition": s.definition, "as_of": s.as_of,
                                              "years": list(s.years), "works": s.n}}
        return replace(rk, key=ranking_key(inputs), params=inputs, rows=rows, summary=summary)
    if why:
        rk.summary["population"] = {"used": False, "considered": why}
    return rk


def _ranks_among(score: np.ndarray, keep: np.ndarray) -> list[int | None]:
    """1-based rank by descending score among the kept entries, None for the rest."""
    out: list[int | None] = [None] * len(keep)
    idx = [i for i in np.argsort(-np.nan_to_num(np.asarray(score, dtype=float), nan=-np.inf), kind="stable") if keep[i]]
    for r, i in enumerate(idx, 1):
        out[int(i)] = r
    return out


# ---------------------------------------------------------------- from the graph

def resolve_years(store: Any, window: str) -> tuple[int, int] | None:
    from graph import rankings as gq

    start, end = parse_window(window)
    if start is None:
        first, last = gq.year_range(store)
        if first is None:
            return None
        return int(first), int(last)
    return start, end


def compute(store: Any, technologies: list[str] | None, by: str, params: Params, profile: Profile,
            snapshot: dict[str, Any] | None = None, save: bool = False,
            variants: list[tuple[str, Params]] | None = None) -> list[Ranking]:
    """Rank entities for each technology (all technologies when None); optionally materialise.

    ``variants`` (by, params) pairs sharing the window are computed from one read of the graph."""
    from graph import rankings as gq

    variants = variants or [(by, params)]
    for b, p in variants:
        if b not in ("country", "organization"):
            raise ConfigError(f"by must be country or organization, not {b!r}")
        if (p.window, p.min_about_score) != (variants[0][1].window, variants[0][1].min_about_score):
            raise ConfigError("variants computed together must share the window and the ABOUT threshold")
    params = variants[0][1]
    snapshot = snapshot or gq.snapshot(store)
    techs = technologies if technologies is not None else [t["key"] for t in gq.technologies(store)]
    years = resolve_years(store, params.window)
    if years is None or not techs:
        return []
    first, last = years
    bases = {b: {r["id"]: float(r["fractional"] or 0) for r in gq.baseline(store, b, first, last)}
             for b in sorted({b for b, _ in variants})}
    out = []
    for chunk in (techs[i:i + 20] for i in range(0, len(techs), 20)):
        works: dict[str, list] = defaultdict(list)
        patents: dict[str, list] = defaultdict(list)
        mats: dict[str, list] = defaultdict(list)
        for r in gq.tech_works(store, chunk, first, last, params.min_about_score):
            works[r["technology"]].append(r)
        for r in gq.tech_patents(store, chunk, first, last, params.min_about_score):
            patents[r["technology"]].append(r)
        for r in gq.materials(store, chunk):
            mats[r["technology"]].append(r)
        pops = _population(store, chunk, years) if any(b == "country" for b, _ in variants) else {}
        for t in chunk:
            names: dict[str, dict] = {}
            for b, p in variants:
                if b not in names:
                    ids = sorted({c[0] for r in works[t] for c in (r["countries"] if b == "country" else r["orgs"])}
                                 | {c[0] for r in patents[t] for c in (r["countries"] if b == "country" else r["orgs"])})
                    names[b] = gq.names(store, b, ids) if ids else {}
                rk = rank_technology(t, b, works[t], patents[t], bases[b], p, profile, (first, last), snapshot,
                                     names[b], mats[t])
                if b == "country" and pops.get(t):
                    rk = on_population(rk, pops[t], p, profile, Counter(int(r["year"]) for r in works[t]))
                if save:
                    gq.save_ranking(store, rk.props())
                out.append(rk)
    return out


def _population(store: Any, techs: list[str], years: tuple[int, int]) -> dict[str, list[pb.Slice]]:
    """The population count slices the graph holds for each technology in the window."""
    from graph import counts as gc

    first, last = years
    out = {}
    for t in techs:
        totals = gc.read_totals(store, technology=t, start=first, end=last)
        if totals:
            out[t] = pb.slices(gc.read_counts(store, technology=t, kind="country", start=first, end=last), totals, years)
    return out
