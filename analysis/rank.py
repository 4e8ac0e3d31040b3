"""Who leads each technology, how safely, and on what evidence.

For one technology and a window, documents (papers; patent families) are a
matrix X (documents × entities) of credit: under *fractional* counting a paper's
credit is split over countries (organizations) by author share, so it sums to at
most 1; under *full* counting every listed entity gets 1. Everything below is
computed from X with numpy, so bootstrap intervals are one matrix product:

- share            = X.sum(0) / Σ credit (fractional: shares sum to 1;
                     full: divided by the number of documents, so shares may sum to more than 1)
- top-10% / top-1% = share of credit among the technology's most-cited papers, where a paper is
                     in the top x% when it has citations and fewer than x·n papers of the same
                     (technology, publication year) have strictly more citations: age-normalised
- h-index          = largest h with h of the entity's papers cited ≥ h times (full counting)
- patents          = distinct families (full) and fractional applicant-country credit per family
                     (mean over the family's publications)
- growth (CAGR)    = ((c_last + 1) / (c_first + 1)) ** (1 / (last − first)) − 1 over the window's
                     first and last year; +1 keeps zero years finite
- RCA              = (fractional share in the technology) / (fractional share of all papers in
                     the window); > 1 means specialised
- intervals        = 5th–95th percentile of the share over ``bootstrap`` resamples of the
                     documents (multinomial resample counts, seeded: the same seed gives the same
                     interval); ``contested`` when the #1 and #2 paper-share intervals overlap
- concentration    = top-1 share, #1/#2 ratio, HHI = Σ share² over fractional paper shares,
                     top-10 organizations located in the lead country, monopoly risk by RiskRule
- composite score  = Σ_k w_k · x_k / Σ w_k over papers share, top-10% share, patent share and growth,
                     each scaled to [0, 1] across the technology's entities (shares ÷ max;
                     growth min–max). The alliance-weighted score multiplies it by the profile's
                     weight for the entity's country. Both rankings are returned.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from analysis.profiles import Profile
from core.errors import ConfigError

COMPONENTS = ("papers", "top10", "patents", "growth")
DEFAULT_WEIGHTS = {"papers": 0.4, "top10": 0.3, "patents": 0.2, "growth": 0.1}
ALGORITHM = "kizashi-rank/1"


@dataclass(frozen=True)
class RiskRule:
    """Monopoly risk from the lead's fractional paper share and HHI.

    high   if top-1 share ≥ high_top1  or HHI ≥ high_hhi
    medium if top-1 share ≥ medium_top1 or HHI ≥ medium_hhi
    low    otherwise. A contested lead is never "high" unless HHI alone says so.
    """
    high_top1: float = 0.5
    high_hhi: float = 0.25
    medium_top1: float = 0.3
    medium_hhi: float = 0.15

    def rate(self, top1: float, hhi: float, contested: bool) -> str:
        if hhi >= self.high_hhi or (top1 >= self.high_top1 and not contested):
            return "high"
        if top1 >= self.medium_top1 or hhi >= self.medium_hhi or top1 >= self.high_top1:
            return "medium"
        return "low"

    def text(self) -> str:
        return (f"high if HHI ≥ {self.high_hhi} or (top-1 share ≥ {self.high_top1} and the lead is not contested); "
                f"medium if top-1 share ≥ {self.medium_top1} or HHI ≥ {self.medium_hhi}; otherwise low")


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


def check_weights(w: dict[str, float]) -> dict[str, float]:
    unknown = set(w) - set(COMPONENTS)
    if unknown:
        raise ConfigError(f"unknown score components {sorted(unknown)}; use {', '.join(COMPONENTS)}")
    out = {k: float(w.get(k, 0.0)) for k in COMPONENTS}
    if any(v < 0 or v != v or v > 1e6 for v in out.values()) or sum(out.values()) <= 0:
        raise ConfigError("score weights must be non-negative, finite and not all zero")
    return out


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


# ---------------------------------------------------------------- documents as matrices

@dataclass(frozen=True)
class Sparse:
    """A documents × entities matrix as (document, entity, value) triplets: organizations
    number in the thousands, and a dense matrix of them would not fit."""
    d: np.ndarray
    e: np.ndarray
    v: np.ndarray
    n_docs: int
    n_ent: int

    @classmethod
    def from_dense(cls, x: np.ndarray) -> Sparse:
        x = np.asarray(x, dtype=float)
        d, e = np.nonzero(x)
        return cls(d, e, x[d, e], x.shape[0], x.shape[1])

    @property
    def shape(self) -> tuple[int, int]:
        return self.n_docs, self.n_ent

    def colsum(self) -> np.ndarray:
        return np.bincount(self.e, weights=self.v, minlength=self.n_ent).astype(float)

    def rowsum(self) -> np.ndarray:
        return np.bincount(self.d, weights=self.v, minlength=self.n_docs).astype(float)

    def binary(self) -> Sparse:
        return Sparse(self.d, self.e, np.ones_like(self.v), self.n_docs, self.n_ent)

    def rows(self, mask: np.ndarray) -> Sparse:
        keep = mask[self.d]
        return Sparse(self.d[keep], self.e[keep], self.v[keep], self.n_docs, self.n_ent)

    def left(self, k: np.ndarray, chunk: int = 64) -> np.ndarray:
        """k @ X for resample counts k (B × documents), without a dense X."""
        out = np.zeros((k.shape[0], self.n_ent))
        if not len(self.v):
            return out
        order = np.argsort(self.e, kind="stable")
        d, e, v = self.d[order], self.e[order], self.v[order]
        starts = np.flatnonzero(np.r_[True, e[1:] != e[:-1]])
        for s in range(0, k.shape[0], chunk):
            out[s:s + chunk, e[starts]] = np.add.reduceat(k[s:s + chunk][:, d] * v, starts, axis=1)
        return out

    def right(self, m: np.ndarray) -> np.ndarray:
        """X @ m, dense (documents × columns of m)."""
        out = np.zeros((self.n_docs, m.shape[1]))
        np.add.at(out, self.d, self.v[:, None] * m[self.e])
        return out

    def remap(self, index: np.ndarray, n_ent: int) -> Sparse:
        return Sparse(self.d, index[self.e] if len(self.e) else self.e, self.v, self.n_docs, n_ent)


def _sparse(x: np.ndarray | Sparse) -> Sparse:
    return x if isinstance(x, Sparse) else Sparse.from_dense(x)


@dataclass
class Docs:
    """Documents of one technology: credit matrix and per-document facts."""
    keys: list[str]
    years: np.ndarray
    cites: np.ndarray
    entities: list[str]
    credit: Sparse                   # fractional credit, documents × entities
    extra: list[dict[str, Any]]      # per document: ids for evidence

    @property
    def presence(self) -> Sparse:
        return self.credit.binary()

    def matrix(self, counting: str) -> Sparse:
        return self.credit if counting == "fractional" else self.presence


def _matrix(rows: list[tuple[str, dict[str, float]]]) -> tuple[list[str], Sparse]:
    entities = sorted({e for _, c in rows for e in c})
    index = {e: i for i, e in enumerate(entities)}
    d, e, v = [], [], []
    for i, (_, credit) in enumerate(rows):
        for ent, f in credit.items():
            d.append(i)
            e.append(index[ent])
            v.append(f)
    return entities, Sparse(np.array(d, dtype=int), np.array(e, dtype=int), np.array(v, dtype=float),
                            len(rows), len(entities))


def _credit(pairs: list[list[Any]]) -> dict[str, float]:
    out: dict[str, float] = defaultdict(float)
    for p in pairs:
        if p[0] is not None and p[1] is not None and float(p[1]) > 0:
            out[p[0]] += float(p[1])
    return out


def works_docs(rows: list[dict[str, Any]], by: str) -> Docs:
    per = [(r["key"], _credit(r["countries"] if by == "country" else r["orgs"])) for r in rows]
    entities, m = _matrix(per)
    return Docs(keys=[r["key"] for r in rows], years=np.array([r["year"] for r in rows], dtype=int),
                cites=np.array([r["cites"] or 0 for r in rows], dtype=float), entities=entities, credit=m,
                extra=[{"doi": r.get("doi"), "openalex_id": r.get("openalex_id")} for r in rows])


def family_docs(rows: list[dict[str, Any]], by: str) -> Docs:
    """Patent publications grouped into families; a family's credit is the mean of its publications'
    normalised applicant credit, its year the earliest."""
    fams: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for r in rows:
        fams[r["family"]].append(r)
    per, years, members = [], [], []
    for fam in sorted(fams):
        pubs = fams[fam]
        acc: dict[str, float] = defaultdict(float)
        for p in pubs:
            c = _credit(p["countries"] if by == "country" else [[o[0], o[1]] for o in p["orgs"]])
            total = sum(c.values())
            for e, f in c.items():
                acc[e] += f / total / len(pubs)
        per.append((fam, dict(acc)))
        years.append(min(p["year"] for p in pubs))
        members.append({"patents": sorted(p["key"] for p in pubs)})
    entities, m = _matrix(per)
    return Docs(keys=[f for f, _ in per], years=np.array(years, dtype=int), cites=np.zeros(len(per)),
                entities=entities, credit=m, extra=members)


# ---------------------------------------------------------------- metrics

def top_mask(years: np.ndarray, cites: np.ndarray, x: float) -> np.ndarray:
    """Papers in the top x of their publication year (ties at the boundary all count)."""
    mask = np.zeros(len(cites), dtype=bool)
    for y in np.unique(years):
        idx = np.flatnonzero(years == y)
        c = cites[idx]
        higher = len(c) - np.searchsorted(np.sort(c), c, side="right")   # same-year papers cited more
        mask[idx] = (c > 0) & (higher < x * len(idx))
    return mask


def h_index(cites: np.ndarray, presence: np.ndarray | Sparse) -> np.ndarray:
    p = _sparse(presence)
    out = np.zeros(p.n_ent, dtype=int)
    if not len(p.v):
        return out
    c = cites[p.d]
    order = np.lexsort((-c, p.e))                     # by entity, most cited first
    e, c = p.e[order], c[order]
    starts = np.flatnonzero(np.r_[True, e[1:] != e[:-1]])
    pos = np.arange(len(e)) - np.repeat(starts, np.diff(np.r_[starts, len(e)])) + 1
    out[e[starts]] = np.add.reduceat((c >= pos).astype(int), starts)
    return out


def _div(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.divide(a, b, out=np.full(np.broadcast(a, b).shape, np.nan), where=b > 0)


def resamples(n: int, b: int, seed: int) -> np.ndarray:
    """(b × n) multinomial resample counts: row i says how often each document is drawn."""
    rng = np.random.default_rng(seed)
    if n == 0:
        return np.zeros((b, 0), dtype=np.int32)
    return rng.multinomial(n, np.full(n, 1.0 / n), size=b).astype(np.int32)


def shares(x: np.ndarray | Sparse, counting: str, k: np.ndarray | None = None,
           mask: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Point share per column of x and its bootstrap 90% interval (from resample counts k).
    x is already the counting's matrix (credit, or presence for full counting)."""
    x = _sparse(x)
    if mask is not None:
        x = x.rows(mask)
    rs = x.rowsum()
    denom = rs if counting == "fractional" else (rs > 0).astype(float)
    point = _div(x.colsum(), np.asarray(denom.sum()))
    if k is None or not len(x.v):
        return point, point.copy(), point.copy()
    boot = _div(x.left(k), (k @ denom)[:, None])
    with np.errstate(all="ignore"):
        lo, hi = np.nanpercentile(boot, [5, 95], axis=0) if np.isfinite(boot).any() else (point, point)
    return point, lo, hi


def cagr(years: np.ndarray, x: np.ndarray | Sparse, first: int, last: int) -> np.ndarray:
    x = _sparse(x)
    if last <= first:
        return np.zeros(x.n_ent)
    c0 = x.rows(years == first).colsum()
    c1 = x.rows(years == last).colsum()
    return ((c1 + 1.0) / (c0 + 1.0)) ** (1.0 / (last - first)) - 1.0


def hhi(s: np.ndarray) -> float:
    s = np.nan_to_num(s)
    return float((s ** 2).sum())


def composite(comp: np.ndarray, weights: dict[str, float]) -> np.ndarray:
    """comp: (..., entities, 4) in COMPONENTS order → (..., entities) score in [0, 1]."""
    comp = np.nan_to_num(np.asarray(comp, dtype=float))
    scaled = np.empty_like(comp)
    shares_ = comp[..., :3]
    mx = shares_.max(axis=-2, keepdims=True)
    scaled[..., :3] = np.divide(shares_, mx, out=np.zeros_like(shares_), where=mx > 0)
    g = comp[..., 3:]
    lo, hi = g.min(axis=-2, keepdims=True), g.max(axis=-2, keepdims=True)
    scaled[..., 3:] = np.divide(g - lo, hi - lo, out=np.zeros_like(g), where=(hi - lo) > 0)
    w = np.array([weights[c] for c in COMPONENTS])
    return scaled @ w / w.sum()


def reweight(comp: np.ndarray, weights: dict[str, float], entity_weights: np.ndarray) -> dict[str, np.ndarray]:
    """Raw and alliance-weighted scores and ranks for a (technologies × entities × 4) stack.
    Ranks are 1-based; ties broken by entity position (callers pass entities sorted by id)."""
    raw = composite(comp, check_weights(weights))
    weighted = raw * entity_weights
    return {"raw": raw, "weighted": weighted,
            "raw_rank": np.argsort(np.argsort(-raw, axis=-1, kind="stable"), axis=-1) + 1,
            "weighted_rank": np.argsort(np.argsort(-weighted, axis=-1, kind="stable"), axis=-1) + 1}


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


def _num(x: Any, nd: int = 6) -> float | None:
    x = float(x)
    return None if not np.isfinite(x) else round(x, nd)


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
    rca = _div(w_frac / (tech_total or 1.0), base_share) if tech_total else np.full(n_e, np.nan)

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
            "papers_full": int(w_full[i]), "papers_fractional": _num(w_frac[i]),
            "papers_share": _num(papers_share[0][i]), "papers_share_lo": _num(papers_share[1][i]),
            "papers_share_hi": _num(papers_share[2][i]),
            "top10_papers": int(w_top10[i]),
            "top10_share": _num(top10_share[0][i]), "top10_share_lo": _num(top10_share[1][i]),
            "top10_share_hi": _num(top10_share[2][i]),
            "top1_share": _num(top1_share[0][i]), "top1_share_lo": _num(top1_share[1][i]),
            "top1_share_hi": _num(top1_share[2][i]),
            "h_index": int(h[i]),
            "patent_families": int(p_full[i]), "patent_fractional": _num(p_frac[i]),
            "patent_share": _num(patent_share[0][i]), "patent_share_lo": _num(patent_share[1][i]),
            "patent_share_hi": _num(patent_share[2][i]),
            "growth": _num(growth[i]), "rca": _num(rca[i]),
            "score": _num(sc["raw"][i]), "rank": int(sc["raw_rank"][i]),
            "score_weighted": _num(sc["weighted"][i]), "rank_weighted": int(sc["weighted_rank"][i]),
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
        lead = {"id": entities[i1], "share": _num(frac_share[0][i1]), "lo": _num(frac_share[1][i1]),
                "hi": _num(frac_share[2][i1])}
        second = None
        contested = False
        ratio = None
        if n_e > 1:
            i2 = int(order[1])
            second = {"id": entities[i2], "share": _num(frac_share[0][i2]), "lo": _num(frac_share[1][i2]),
                      "hi": _num(frac_share[2][i2])}
            contested = bool(frac_share[1][i1] <= frac_share[2][i2])
            ratio = _num(frac_share[0][i1] / frac_share[0][i2]) if frac_share[0][i2] > 0 else None
        conc = hhi(frac_share[0])
        top1s = float(np.nan_to_num(frac_share[0][i1]))
        summary.update(leader=lead, second=second, contested=contested, top1_share=_num(top1s), ratio_1_2=ratio,
                       hhi=_num(conc), monopoly_risk=params.risk.rate(top1s, conc, contested),
                       monopoly_rule=params.risk.text(),
                       top10_orgs_in_lead_country=_top_orgs_in(works, lead["id"] if by == "country"
                                                               else org_country.get(lead["id"])),
                       leader_raw=rows[0]["id"], leader_weighted=min(rows, key=lambda r: (r["rank_weighted"], r["id"]))["id"])
    summary["blocs"] = _bloc_view(profile, countries, wd, pd_, kw, kp)
    summary["materials"] = _materials_view(profile, materials or [])
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


def _top_orgs_in(works: list[dict[str, Any]], country: str | None) -> int:
    acc: dict[str, float] = defaultdict(float)
    where: dict[str, str | None] = {}
    for r in works:
        for o in r["orgs"]:
            acc[o[0]] += float(o[1] or 0)
            where[o[0]] = o[2]
    top = sorted(acc, key=lambda k: (-acc[k], k))[:10]
    return sum(1 for k in top if country is not None and where.get(k) == country)


def _bloc_view(profile: Profile, countries: list[str | None], wd: Docs, pd_: Docs,
               kw: np.ndarray, kp: np.ndarray) -> dict[str, Any]:
    """Fractional share of each bloc in papers and patents, with intervals."""
    m = np.zeros((len(countries), len(profile.bloc_names)))
    for i, c in enumerate(countries):
        if c is not None:
            m[i, profile.bloc_names.index(profile.bloc_of(c))] = 1.0
    out: dict[str, Any] = {"profile": profile.ident, "papers": {}, "patents": {}}
    concern = [j for j, b in enumerate(profile.blocs) if b.concern]
    for kind, d, k in (("papers", wd, kw), ("patents", pd_, kp)):
        xb = d.credit.right(m)
        s, lo, hi = shares(xb, "fractional", k)
        out[kind] = {b: {"share": _num(s[j]), "lo": _num(lo[j]), "hi": _num(hi[j])}
                     for j, b in enumerate(profile.bloc_names)}
        xc = xb[:, concern].sum(1, keepdims=True) if concern else np.zeros((xb.shape[0], 1))
        cs = _div(xc.sum(0), np.asarray(xb.sum()))
        ck = _div(k @ xc, (k @ xb.sum(1))[:, None]) if xb.shape[0] else np.full((1, 1), np.nan)
        with np.errstate(all="ignore"):
            clo, chi = (np.nanpercentile(ck, [5, 95], axis=0) if np.isfinite(ck).any() else (cs, cs))
        out[f"concern_{kind}"] = {"share": _num(cs[0]), "lo": _num(clo[0]), "hi": _num(chi[0])}
    return out


def _materials_view(profile: Profile, materials: list[dict[str, Any]]) -> dict[str, Any]:
    """The technology's DEPENDS_ON materials, and which are under export control by a country of concern."""
    exposed = []
    for m in materials:
        by_concern = [c for c in m["controls"] if c.get("by") and profile.concern(c["by"])]
        if by_concern:
            exposed.append({"material": m["material"], "name": m.get("name"), "controls": by_concern})
    return {"depends_on": [m["material"] for m in materials], "exposed": exposed,
            "exposure": _num(len(exposed) / len(materials)) if materials else 0.0,
            "controls_total": sum(len(m["controls"]) for m in materials)}


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
