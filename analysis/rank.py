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
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from analysis.blocs import bloc_view, materials_view
from analysis.composite import COMPONENTS, DEFAULT_WEIGHTS, check_weights, reweight
from analysis.concentration import RiskRule, contested as is_contested, hhi, top_orgs_in
from analysis.counting import Docs, cagr, family_docs, h_index, top_mask, works_docs
from analysis.intervals import div, num, resamples, shares
from analysis.profiles import Profile
from core.errors import ConfigError

ALGORITHM = "kizashi-rank/1"


@dataclass(frozen=True)
class Params:
    window: str = "all"               # "all" or "YYYY-YYYY"
    counting: str = "fractional"      # fractional | full
    bootstrap: int = 1000
    seed: int = 20260401
    top: float = 0.10
    top_narrow: float = 0.01
    min_about_score: float = 0.0
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
    rows: list[dict[str, Any]]
    summary: dict[str, Any]
    evidence: dict[str, Any]

    def props(self) -> dict[str, Any]:
        return {"key": self.key, "technology": self.technology, "by": self.by, "window": self.window,
                "counting": self.counting, "profile": self.profile, "params_json": json.dumps(self.params, sort_keys=True),
                "data_as_of": self.data_as_of, "snapshot_id": self.snapshot_id, "taxonomy_version": self.taxonomy_version,
                "rows_json": json.dumps(self.rows), "summary_json": json.dumps(self.summary),
                "evidence_json": json.dumps(self.evidence), "entities": [r["id"] for r in self.rows]}

    @classmethod
    def from_props(cls, p: dict[str, Any]) -> Ranking:
        return cls(key=p["key"], technology=p["technology"], by=p["by"], window=p["window"], counting=p["counting"],
                   profile=p["profile"], params=json.loads(p["params_json"]), data_as_of=p.get("data_as_of"),
                   snapshot_id=p["snapshot_id"], taxonomy_version=p.get("taxonomy_version"),
                   rows=json.loads(p["rows_json"]), summary=json.loads(p["summary_json"]),
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

    papers_share = shares(xw, counting, kw)
    frac_share = shares(wd.credit, "fractional", kw)
    top10 = top_mask(wd.years, wd.cites, params.top)
    top1 = top_mask(wd.years, wd.cites, params.top_narrow)
    top10_share = shares(xw, counting, kw, top10)
    top1_share = shares(xw, counting, kw, top1)
    patent_share = shares(xp, counting, kp)
    growth = cagr(wd.years, xw, first, last)
    h = h_index(wd.cites, wd.presence)
    base_total = sum(baseline.values())
    w_frac, w_full = wd.credit.colsum(), wd.presence.colsum()
    w_top10 = wd.presence.rows(top10).colsum()
    p_frac, p_full = pd_.credit.colsum(), pd_.presence.colsum()
    tech_total = w_frac.sum()
    base_share = np.array([baseline.get(e, 0.0) for e in entities]) / (base_total or 1.0)
    rca = div(w_frac / (tech_total or 1.0), base_share) if tech_total else np.full(n_e, np.nan)

    comp = np.stack([papers_share[0], top10_share[0], patent_share[0], growth], axis=-1)
    countries = [_entity_country(by, e, org_country) for e in entities]
    ew = np.array([profile.weight(c) for c in countries])
    weights = dict(params.weights)
    sc = reweight(comp, weights, ew) if n_e else {"raw": [], "weighted": [], "raw_rank": [], "weighted_rank": []}

    rows = []
    for i, e in enumerate(entities):
        n = names.get(e, {})
        rows.append({
            "id": e, "name": n.get("name"), "country": countries[i], "bloc": profile.bloc_of(countries[i]),
            "weight": float(ew[i]),
            "papers_full": int(w_full[i]), "papers_fractional": num(w_frac[i]),
            "papers_share": num(papers_share[0][i]), "papers_share_lo": num(papers_share[1][i]),
            "papers_share_hi": num(papers_share[2][i]),
            "top10_papers": int(w_top10[i]),
            "top10_share": num(top10_share[0][i]), "top10_share_lo": num(top10_share[1][i]),
            "top10_share_hi": num(top10_share[2][i]),
            "top1_share": num(top1_share[0][i]), "top1_share_lo": num(top1_share[1][i]),
            "top1_share_hi": num(top1_share[2][i]),
            "h_index": int(h[i]),
            "patent_families": int(p_full[i]), "patent_fractional": num(p_frac[i]),
            "patent_share": num(patent_share[0][i]), "patent_share_lo": num(patent_share[1][i]),
            "patent_share_hi": num(patent_share[2][i]),
            "growth": num(growth[i]), "rca": num(rca[i]),
            "score": num(sc["raw"][i]), "rank": int(sc["raw_rank"][i]),
            "score_weighted": num(sc["weighted"][i]), "rank_weighted": int(sc["weighted_rank"][i]),
        })
    rows.sort(key=lambda r: (r["rank"], r["id"]))

    # Concentration, on fractional paper shares (they sum to one).
    order = np.argsort(-np.nan_to_num(frac_share[0]), kind="stable") if n_e else np.array([], dtype=int)
    summary: dict[str, Any] = {"documents": {"works": len(wd.keys), "patent_families": len(pd_.keys),
                                             # documents whose country/organization is known: the shares' base
                                             "works_attributed": int((wd.credit.rowsum() > 0).sum()),
                                             "families_attributed": int((pd_.credit.rowsum() > 0).sum()),
                                             "top10_works": int(top10.sum()), "top1_works": int(top1.sum())},
                               "years": [first, last]}
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
        summary.update(leader=lead, second=second, contested=contested, top1_share=num(top1s), ratio_1_2=ratio,
                       hhi=num(conc), monopoly_risk=params.risk.rate(top1s, conc, contested),
                       monopoly_rule=params.risk.text(),
                       top10_orgs_in_lead_country=top_orgs_in(works, lead["id"] if by == "country"
                                                               else org_country.get(lead["id"])),
                       leader_raw=rows[0]["id"], leader_weighted=min(rows, key=lambda r: (r["rank_weighted"], r["id"]))["id"])
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
    for r in rows:
        r["evidence_works"] = len(evidence["works"][r["id"]])
        r["evidence_families"] = len(evidence["families"][r["id"]])

    inputs = {"algorithm": ALGORITHM, "snapshot_id": snapshot["snapshot_id"],
              "taxonomy_version": snapshot.get("taxonomy_version"), "technology": technology, "by": by,
              "profile": profile.ident, "profile_overrides": dict(profile.overrides),
              "years": [first, last], **params.as_dict()}
    return Ranking(key=ranking_key(inputs), technology=technology, by=by, window=params.window, counting=counting,
                   profile=profile.ident, params=inputs, data_as_of=snapshot.get("data_as_of"),
                   snapshot_id=snapshot["snapshot_id"], taxonomy_version=snapshot.get("taxonomy_version"),
                   rows=rows, summary=summary, evidence=evidence)


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
        for t in chunk:
            names: dict[str, dict] = {}
            for b, p in variants:
                if b not in names:
                    ids = sorted({c[0] for r in works[t] for c in (r["countries"] if b == "country" else r["orgs"])}
                                 | {c[0] for r in patents[t] for c in (r["countries"] if b == "country" else r["orgs"])})
                    names[b] = gq.names(store, b, ids) if ids else {}
                rk = rank_technology(t, b, works[t], patents[t], bases[b], p, profile, (first, last), snapshot,
                                     names[b], mats[t])
                if save:
                    gq.save_ranking(store, rk.props())
                out.append(rk)
    return out
