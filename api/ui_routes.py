"""Read-only views the dashboard needs beyond the core API: the overview matrix, a
technology's time series and evidence, the cluster map, a country against its allies,
and ego networks. Same keys, errors and ``data_as_of`` as every other route; the
Cypher lives in graph/ (rankings.py, ui_queries.py)."""

from __future__ import annotations

import logging
import threading
from collections import defaultdict
from typing import Annotated, Any, Literal

import numpy as np
from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import Response

from analysis import rank, series
from analysis.rank import Ranking
from api.auth import Read
from api.errors import dumps
from api.service import NotFound
from graph import rankings as gq
from graph import ui_queries as uq

log = logging.getLogger("kizashi.api")
router = APIRouter(prefix="/ui", tags=["dashboard"])

SERIES_COUNTRIES = 8
TOP_ORGS = 15
ALLIES = ("JP", "US", "GB", "AU", "DE", "FR", "KR", "IN", "CA", "NL")


Profile = Annotated[str | None, Query(max_length=100)]
Window = Annotated[str, Query(max_length=20, description="'all' or YYYY-YYYY.")]
Counting = Literal["fractional", "full"]


def _out(request: Request, data: dict[str, Any]) -> Response:
    as_of = request.app.state.service.data_as_of()
    return Response(dumps({"data_as_of": as_of, "data": data}),
                    media_type="application/json", headers={"X-Data-As-Of": str(as_of or "")})


def _tech_key(tech_id: str) -> str:
    return tech_id if tech_id.startswith("tech:") else f"tech:{tech_id}"


def _f(x: Any) -> float:
    return 0.0 if x is None else float(x)


# ---------------------------------------------------------------- overview

@router.get("/overview", summary="Every technology × country: lead scores, concern share, monopoly risk")
def overview(request: Request, _k: Any = Read, profile: Profile = None, window: Window = "all",
             counting: Counting = "fractional") -> Response:
    from analysis import evidence as ev

    svc = request.app.state.service
    prof = svc.profile(profile)
    rank.parse_window(window)
    techs = gq.technologies(svc.store)
    stored = {r["technology"]: Ranking.from_props(r)
              for r in gq.rankings_full(svc.store, "country", window, counting, prof.ident)}
    rows, totals = [], defaultdict(float)
    for t in techs:
        rk = stored.get(t["key"])
        row = {k: t.get(k) for k in ("key", "name", "name_ja", "domain", "lists", "works", "patents", "parent")}
        row["ranked"] = rk is not None
        if rk is not None:
            s = rk.summary
            tech_ev = ev.of_ranking(rk)
            blocs = s.get("blocs", {})
            by_id = {x.id: x for x in rk.rows}
            # Who actually leads is the raw score's #1; the alliance-weighted #1 is a lens on it.
            # With every country's cell too thin to rank there is no #1, and none is named.
            lead = s["leader_raw"] if "leader_raw" in s else (s.get("leader") or {}).get("id")
            lead_row = by_id.get(lead)
            row.update(leader=lead, leader_weighted=s.get("leader_weighted"),
                       leader_share=lead_row.papers_share if lead_row else None,
                       leader_concern=bool(lead and prof.concern(lead)),
                       basis=tech_ev.basis, n=tech_ev.n, thin=tech_ev.thin,
                       monopoly_risk=s.get("monopoly_risk"), hhi=s.get("hhi"), contested=s.get("contested"),
                       documents=s.get("documents"),
                       concern_share=(blocs.get("concern_papers") or {}).get("share"),
                       concern_patents=(blocs.get("concern_patents") or {}).get("share"),
                       scores={})
            for x in rk.rows:
                cell = ev.of_row(x, tech_ev)
                row["scores"][x.id] = {"score": x.score, "score_weighted": x.score_weighted,
                                       "papers_share": x.papers_share, "rank": x.rank,
                                       "rank_weighted": x.rank_weighted, "weight": x.weight,
                                       "concern": bool(prof.concern(x.id)), "basis": cell.basis,
                                       "n": cell.n, "thin": cell.thin}
                totals[x.id] += _f(x.papers_fractional)
        rows.append(row)
    countries = sorted(totals, key=lambda c: (-totals[c], c))
    return _out(request, {"profile": prof.describe(), "window": window, "counting": counting,
                          "technologies": rows, "countries": countries, "min_n": svc.settings.rank_min_documents,
                          "ranked": sum(1 for r in rows if r["ranked"])})


# ---------------------------------------------------------------- one technology

@router.get("/technologies/{tech_id}/detail",
            summary="A technology for the dashboard: time series by country, top organizations, evidence, timeline")
def technology_detail(request: Request, tech_id: Annotated[str, Path(max_length=200)], _k: Any = Read,
                      window: Window = "all") -> Response:
    svc = request.app.state.service
    key = _tech_key(tech_id)
    if not gq.technology_exists(svc.store, key):
        raise NotFound(f"no technology {key}")
    return _out(request, svc.view("technology", (key, window), lambda: detail(svc.store, key, window)))


def detail(store: Any, key: str, window: str) -> dict[str, Any]:
    from analysis import evidence as ev
    from graph import corpora

    years = rank.resolve_years(store, window) if window != "all" else None
    first, last = years or gq.year_range(store)
    first, last = (first or 0), (last or 0)
    wdocs = uq.work_countries(store, key, first, last)
    patents = gq.tech_patents(store, [key], first, last)
    # Patents without an applicant country still count, under "n/a" (some sources give none).
    pdocs = [{"year": p["year"], "countries": p["countries"] or [["n/a", 1.0]]} for p in patents]
    totals: dict[str, float] = defaultdict(float)
    for d in wdocs + pdocs:
        for code, f in d["countries"]:
            if code:
                totals[code] += _f(f)
    top = sorted(totals, key=lambda c: (-totals[c], c))[:SERIES_COUNTRIES]
    span = sorted({d["year"] for d in wdocs + pdocs if d["year"] is not None})
    org_pat: dict[str, float] = defaultdict(float)
    for p in patents:
        for o in p["orgs"]:
            org_pat[o[0]] += _f(o[1])
    paper_orgs = uq.work_orgs(store, key, first, last, TOP_ORGS)
    missing = sorted(set(org_pat) - {o["key"] for o in paper_orgs})
    if missing:   # patent holders outside the paper top list still need their paper counts
        paper_orgs += uq.work_orgs(store, key, first, last, len(missing), missing)
    papers = {o["key"]: o for o in paper_orgs}
    def weight(o: str) -> float:
        return _f((papers.get(o) or {}).get("fractional")) + org_pat.get(o, 0.0)
    ids = sorted(set(papers) | set(org_pat), key=lambda o: (-weight(o), o))[:TOP_ORGS]
    names = gq.names(store, "organization", ids) if ids else {}
    top_orgs = [{"id": o, "name": (names.get(o) or {}).get("name"), "country": (names.get(o) or {}).get("country"),
                 "papers_fractional": round(_f((papers.get(o) or {}).get("fractional")), 4),
                 "papers": (papers.get(o) or {}).get("papers", 0),
                 "patents_fractional": round(org_pat.get(o, 0.0), 4)} for o in ids]
    return {
        "technology": key, "window": window, "years": [first, last], "countries": top,
        "papers": series.yearly_shares(wdocs, "countries", span, top), "patents": series.yearly_shares(pdocs, "countries", span, top),
        "organizations": top_orgs,
        "works": uq.works_evidence(store, key), "patent_documents": uq.patents_evidence(store, key),
        "policy_documents": uq.policy_documents(store, key), "materials": gq.materials(store, [key]),
        "counts": {"works": len(wdocs), "patents": len(patents)},
        # Which corpora the panels rest on: a panel fed by one corpus must say so.
        "corpora": {k: ev.corpus(v) for k, v in corpora.technology_sources(store, key).items()}}


# ---------------------------------------------------------------- clusters

def _layout(vectors: list[list[float] | None]) -> list[tuple[float, float] | None]:
    """2-D positions: the first two principal components of the cluster centroids."""
    idx = [i for i, v in enumerate(vectors) if v]
    out: list[tuple[float, float] | None] = [None] * len(vectors)
    if len(idx) < 2:
        return out
    dim = min(len(vectors[i]) for i in idx)
    x = np.array([vectors[i][:dim] for i in idx], dtype=float)
    x -= x.mean(0)
    u, s, _ = np.linalg.svd(x, full_matrices=False)
    pc = u[:, :2] * s[:2]
    if pc.shape[1] < 2:
        pc = np.hstack([pc, np.zeros((pc.shape[0], 1))])
    for j, i in enumerate(idx):
        out[i] = (round(float(pc[j, 0]), 5), round(float(pc[j, 1]), 5))
    return out


@router.get("/clusters/map", summary="Emerging clusters on a 2-D map, with keywords, examples, technologies, countries")
def cluster_map(request: Request, _k: Any = Read) -> Response:
    svc = request.app.state.service
    return _out(request, svc.view("clusters", (), lambda: clusters_view(svc.store)))


def clusters_view(store: Any) -> dict[str, Any]:
    rows = uq.cluster_map(store)
    # One layout per scope (corpus): clusterings of different corpora are separate maps.
    pos: list[tuple[float, float] | None] = [None] * len(rows)
    scopes: dict[str, list[int]] = defaultdict(list)
    for i, r in enumerate(rows):
        scopes[r["cluster"].get("scope") or "works"].append(i)
    for idx in scopes.values():
        for i, p in zip(idx, _layout([rows[i]["cluster"].get("centroid") for i in idx])):
            pos[i] = p
    out = []
    for r, p in zip(rows, pos):
        c = {k: v for k, v in r["cluster"].items() if v is not None and k != "centroid"}
        growth = next((c[k] for k in ("share_growth", "cagr", "growth") if isinstance(c.get(k), (int, float))), None)
        out.append({**c, "x": p[0] if p else None, "y": p[1] if p else None, "growth_value": growth,
                    "volume": c.get("size") or r["members"], "technologies": r["technologies"],
                    "examples": r["examples"], "countries": r["countries"]})
    if out and all(c["x"] is None for c in out):
        # no centroids stored: place clusters by growth and emergence instead
        for c in out:
            c["x"], c["y"] = _f(c.get("growth_value")), _f(c.get("emergence"))
        layout = "growth × emergence"
    else:
        layout = "PCA of cluster centroids"
    return {"clusters": out, "layout": layout}


# ---------------------------------------------------------------- countries

@router.get("/countries/{iso}/compare", summary="A country against its bloc and allies, per technology")
def country_compare(request: Request, iso: Annotated[str, Path(min_length=2, max_length=2, pattern="^[A-Za-z]{2}$")],
                    _k: Any = Read, profile: Profile = None, window: Window = "all",
                    counting: Counting = "fractional") -> Response:
    svc = request.app.state.service
    code = iso.upper()
    if gq.country(svc.store, code) is None:
        raise NotFound(f"no country {code}")
    prof = svc.profile(profile)
    rank.parse_window(window)
    bloc = prof.bloc_of(code)
    peers = sorted({code, *ALLIES} | {c for b in prof.blocs if b.name == bloc for c in b.countries})
    techs = {t["key"]: t for t in gq.technologies(svc.store)}
    out = []
    for r in gq.rankings_full(svc.store, "country", window, counting, prof.ident):
        rk = Ranking.from_props(r)
        rows = {x.id: x for x in rk.rows}
        s = rk.summary
        me = rows.get(code)
        t = techs.get(r["technology"], {})
        bloc_share = ((s.get("blocs") or {}).get("papers") or {}).get(bloc) or {}
        out.append({"technology": r["technology"], "name": t.get("name"), "name_ja": t.get("name_ja"),
                    "domain": t.get("domain"), "present": me is not None,
                    "share": me and me.papers_share, "share_lo": me and me.papers_share_lo,
                    "share_hi": me and me.papers_share_hi, "rank": me and me.rank, "of": len(rows),
                    "n": me and me.n, "thin": bool(s.get("thin")) or bool(me and me.thin),
                    "growth": me and me.growth, "rca": me and me.rca, "patent_share": me and me.patent_share,
                    "bloc_share": bloc_share.get("share"), "leader": s.get("leader_raw"),
                    "peers": {p: rows[p].papers_share for p in peers if p in rows}})
    return _out(request, {"country": code, "bloc": bloc, "profile": prof.ident, "peers": peers,
                          "blocs": prof.describe()["blocs"], "technologies": out})


# ---------------------------------------------------------------- graph explorer

@router.get("/ego", summary="The ego network around a technology, organization or country")
def ego(request: Request, kind: Literal["technology", "organization", "country"],
        key: Annotated[str, Query(min_length=1, max_length=300)], _k: Any = Read,
        limit: Annotated[int, Query(ge=1, le=50)] = 15) -> Response:
    store = request.app.state.service.store
    if kind == "technology":
        key = _tech_key(key)
    elif kind == "country":
        key = key.upper()
    g = uq.ego(store, kind, key, limit)
    if g is None:
        raise NotFound(f"no {kind} {key}")
    return _out(request, g)


@router.get("/find", summary="Technologies, countries and organizations whose name contains the text")
def find(request: Request, q: Annotated[str, Query(min_length=1, max_length=200)], _k: Any = Read) -> Response:
    return _out(request, {"items": uq.find_nodes(request.app.state.service.store, q)})


# ---------------------------------------------------------------- warm-up

def warm(svc: Any, stop: threading.Event, technologies: int = 3) -> None:
    """Compute the views a first visitor opens (the cluster map, the largest technologies)
    before anyone asks, so the first paint does not wait on them. Best effort: the API
    answers normally meanwhile, and a failure here only means a slower first visit."""
    try:
        techs = sorted(gq.technologies(svc.store), key=lambda t: -((t.get("works") or 0) + (t.get("patents") or 0)))
        steps = [("clusters", (), lambda: clusters_view(svc.store))]
        steps += [("technology", (t["key"], "all"), lambda k=t["key"]: detail(svc.store, k, "all"))
                  for t in techs[:technologies]]
        for name, args, compute in steps:
            if stop.is_set():
                return
            svc.view(name, args, compute)
    except Exception as e:  # noqa: BLE001 - a warm-up must never take the server down
        log.warning("dashboard warm-up stopped: %s", e)
    finally:
        svc.warmed.set()
