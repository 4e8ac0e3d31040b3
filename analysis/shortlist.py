"""The ES-X shortlist: per technology, where Japan risks dependence and where it is indispensable.

Built from the country rankings of one (window, counting, profile), plus policy
attention and emergence. The two summary axes and the priority score are plain
weighted sums whose formulas are returned with every shortlist (``FORMULAS``).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from analysis.profiles import Profile
from analysis.rank import Ranking
from core.errors import ConfigError
from core.ranking import AXIS_PARTS, SHORTLIST_WEIGHTS

HOME = "JP"
FRIENDLY = ("self", "ally", "partner")

DEFAULT_WEIGHTS = SHORTLIST_WEIGHTS
A, I = AXIS_PARTS["autonomy_risk"], AXIS_PARTS["indispensability"]

FORMULAS = {
    "autonomy_risk": f"{A['concern_papers']:g}·concern paper share + {A['concern_patents']:g}·concern patent share "
                     f"+ {A['material_exposure']:g}·material exposure "
                     "(share of DEPENDS_ON materials under export control by a country of concern) "
                     f"+ {A['allied_gap']:g}·(1 − allied paper coverage: self + ally + partner blocs)",
    "indispensability": f"{I['jp_share_vs_leader']:g}·min(1, Japan paper share ÷ leader's share) "
                        f"+ {I['jp_patent_share_vs_leader']:g}·min(1, Japan patent share ÷ leader's patent share) "
                        f"+ {I['jp_rca_capped']:g}·min(1, Japan RCA ÷ 2)",
    "emergence": "max over clusters RELATED_TO the technology of (RELATED_TO.score × cluster emergence), "
                 "cluster emergence = its `emergence` property, else `growth`, else 0; divided by the largest value",
    "policy": "(policy documents mentioning the technology + export controls on its materials) ÷ the largest value",
    "priority": "Σ w·axis / Σ w over autonomy_risk, indispensability, emergence, policy",
}

COLUMNS = ["rank", "technology", "name", "name_ja", "lists", "priority", "autonomy_risk", "indispensability",
           "emergence", "policy", "jp_share", "jp_share_lo", "jp_share_hi", "jp_rank", "jp_rca", "jp_trend",
           "jp_patent_share", "jp_top10_share", "leader", "leader_share", "contested", "monopoly_risk", "basis", "n", "thin",
           "allied_coverage", "concern_papers", "concern_patents", "materials_exposed", "policy_documents",
           "export_controls", "works", "patent_families", "ranking_key"]


@dataclass(frozen=True)
class Shortlist:
    rows: list[dict[str, Any]]
    weights: dict[str, float]
    formulas: dict[str, str]
    profile: str
    window: str
    counting: str
    data_as_of: str | None
    snapshot_id: str | None


def check_weights(w: dict[str, float] | None) -> dict[str, float]:
    w = dict(DEFAULT_WEIGHTS if w is None else w)
    unknown = set(w) - set(DEFAULT_WEIGHTS)
    if unknown:
        raise ConfigError(f"unknown shortlist weights {sorted(unknown)}; use {', '.join(DEFAULT_WEIGHTS)}")
    out = {k: float(w.get(k, 0.0)) for k in DEFAULT_WEIGHTS}
    if any(v < 0 or v != v or v > 1e6 for v in out.values()) or sum(out.values()) <= 0:
        raise ConfigError("shortlist weights must be non-negative, finite and not all zero")
    return out


def _f(x: Any) -> float:
    return 0.0 if x is None else float(x)


def _cluster_emergence(c: dict[str, Any]) -> float:
    cl = c["cluster"]
    for prop in ("emergence", "growth"):
        v = cl.get(prop)
        if isinstance(v, (int, float)):
            return float(v)
    return 0.0


def build(rankings: list[Ranking], technologies: list[dict[str, Any]], policy: list[dict[str, Any]],
          clusters: list[dict[str, Any]], profile: Profile, weights: dict[str, float] | None = None,
          lists: list[str] | None = None, window: str = "all", counting: str = "fractional") -> Shortlist:
    weights = check_weights(weights)
    techs = {t["key"]: t for t in technologies}
    pol = {p["technology"]: p for p in policy}
    emergence: dict[str, float] = {}
    for c in clusters:
        e = _cluster_emergence(c)
        for rel in c["technologies"]:
            emergence[rel["technology"]] = max(emergence.get(rel["technology"], 0.0), _f(rel.get("score")) * e)
    rows = []
    for rk in rankings:
        t = techs.get(rk.technology, {})
        if lists and not set(lists) & set(t.get("lists") or []):
            continue
        s = rk.summary
        # Ranks by paper share among entities with attributed papers only.
        by_share = sorted((r for r in rk.rows if _f(r.papers_share) > 0), key=lambda r: (-_f(r.papers_share), r.id))
        jp = next((r for r in rk.rows if r.id == HOME), None)
        jp_rank = next((i + 1 for i, r in enumerate(by_share) if r.id == HOME), None)
        leader = by_share[0] if by_share else None
        top_pat = max((_f(r.patent_share) for r in rk.rows), default=0.0)
        blocs = s.get("blocs", {})
        allied = sum(_f((blocs.get("papers") or {}).get(b, {}).get("share")) for b in FRIENDLY)
        cp = _f((blocs.get("concern_papers") or {}).get("share"))
        ct = _f((blocs.get("concern_patents") or {}).get("share"))
        mats = s.get("materials", {})
        jp_share = _f(jp and jp.papers_share)
        attributed = s.get("documents", {}).get("works_attributed", s.get("documents", {}).get("works"))
        ar = (A["concern_papers"] * cp + A["concern_patents"] * ct + A["material_exposure"] * _f(mats.get("exposure"))
              + A["allied_gap"] * (1 - allied if attributed else 0.0))
        ji = (I["jp_share_vs_leader"] * (min(1.0, jp_share / _f(leader.papers_share)) if leader and _f(leader.papers_share) else 0.0)
              + I["jp_patent_share_vs_leader"] * (min(1.0, _f(jp and jp.patent_share) / top_pat) if top_pat else 0.0)
              + I["jp_rca_capped"] * min(1.0, _f(jp and jp.rca) / 2))
        p = pol.get(rk.technology, {})
        rows.append({
            "technology": rk.technology, "name": t.get("name"), "name_ja": t.get("name_ja"),
            "lists": sorted(t.get("lists") or []),
            "autonomy_risk": round(ar, 6), "indispensability": round(ji, 6),
            "emergence_raw": round(emergence.get(rk.technology, 0.0), 6),
            "policy_raw": int(p.get("documents") or 0) + int(mats.get("controls_total") or 0),
            "jp_share": jp and jp.papers_share, "jp_share_lo": jp and jp.papers_share_lo,
            "jp_share_hi": jp and jp.papers_share_hi, "jp_rank": jp_rank, "jp_rca": jp and jp.rca,
            "jp_trend": jp and jp.growth, "jp_patent_share": jp and jp.patent_share,
            "jp_top10_share": jp and jp.top10_share,
            "leader": leader and leader.id, "leader_share": leader and leader.papers_share,
            "basis": s.get("basis", "sample"), "n": s.get("n"), "thin": bool(s.get("thin")),
            "contested": s.get("contested"), "monopoly_risk": s.get("monopoly_risk"),
            "allied_coverage": round(allied, 6), "concern_papers": round(cp, 6), "concern_patents": round(ct, 6),
            "materials_exposed": [m["material"] for m in mats.get("exposed", [])],
            "policy_documents": int(p.get("documents") or 0), "export_controls": int(mats.get("controls_total") or 0),
            "works": s.get("documents", {}).get("works", 0), "patent_families": s.get("documents", {}).get("patent_families", 0),
            "ranking_key": rk.key,
            "evidence": {"policy_documents": p.get("document_keys") or [],
                         "export_controls": sorted({c["control"] for m in mats.get("exposed", []) for c in m["controls"]}),
                         "japan_works": jp.evidence_works if jp else 0,
                         "japan_families": jp.evidence_families if jp else 0},
        })
    em_max = max((r["emergence_raw"] for r in rows), default=0.0)
    pol_max = max((r["policy_raw"] for r in rows), default=0)
    total = sum(weights.values())
    for r in rows:
        r["emergence"] = round(r["emergence_raw"] / em_max, 6) if em_max else 0.0
        r["policy"] = round(r["policy_raw"] / pol_max, 6) if pol_max else 0.0
        r["priority"] = round(sum(weights[k] * r[k] for k in weights) / total, 6)
    rows.sort(key=lambda r: (-r["priority"], r["technology"]))
    for i, r in enumerate(rows, 1):
        r["rank"] = i
    first = rankings[0] if rankings else None
    return Shortlist(rows=rows, weights=weights, formulas=FORMULAS, profile=profile.ident, window=window,
                     counting=counting, data_as_of=first.data_as_of if first else None,
                     snapshot_id=first.snapshot_id if first else None)


def _cell(v: Any) -> Any:
    if isinstance(v, (list, tuple)):
        return "; ".join(str(x) for x in v)
    if isinstance(v, dict):
        return json.dumps(v, ensure_ascii=False)
    return v


def to_csv(rows: list[dict[str, Any]], columns: list[str] | None = None) -> str:
    columns = columns or COLUMNS
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(columns)
    for r in rows:
        w.writerow(["" if r.get(c) is None else _cell(r.get(c)) for c in columns])
    return buf.getvalue()


def to_xlsx(sl: Shortlist) -> bytes:
    """A briefing workbook: the ranked table, then the formulas and the reproduction key."""
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill

    wb = Workbook()
    ws = wb.active
    ws.title = "Shortlist"
    ws.append(COLUMNS)
    for c in ws[1]:
        c.font = Font(bold=True, color="FFFFFF")
        c.fill = PatternFill("solid", fgColor="1F3864")
    for r in sl.rows:
        ws.append([_cell(r.get(c)) for c in COLUMNS])
    ws.freeze_panes = "C2"
    for col, width in (("B", 28), ("C", 34), ("D", 24), ("E", 30)):
        ws.column_dimensions[col].width = width
    notes = wb.create_sheet("Method")
    notes.append(["item", "value"])
    for k, v in sl.formulas.items():
        notes.append([f"formula: {k}", v])
    for k, v in sl.weights.items():
        notes.append([f"weight: {k}", v])
    for k, v in (("profile", sl.profile), ("window", sl.window), ("counting", sl.counting),
                 ("data_as_of", sl.data_as_of), ("snapshot_id", sl.snapshot_id)):
        notes.append([k, v])
    notes.column_dimensions["A"].width = 26
    notes.column_dimensions["B"].width = 120
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def from_store(store: Any, profile: Profile, window: str = "all", counting: str = "fractional",
               weights: dict[str, float] | None = None, lists: list[str] | None = None,
               params: Any = None, computing: Callable[[Callable[[], list[Ranking]]], list[Ranking]] | None = None,
               ) -> Shortlist:
    """The shortlist from materialised country rankings; technologies never ranked are computed now.

    ``computing`` runs that computation (the API passes its gate); with every technology stored,
    building the shortlist is only reads and a re-weighting, and nothing is computed.
    """
    from analysis import rank
    from graph import rankings as gq

    techs = gq.technologies(store)
    stored = [Ranking.from_props(p) for p in gq.rankings_full(store, "country", window, counting, profile.ident)]
    have = {r.technology for r in stored}
    missing = [t["key"] for t in techs if t["key"] not in have]
    if missing:
        p = params or rank.Params(window=window, counting=counting)
        run = computing or (lambda thunk: thunk())
        stored += run(lambda: rank.compute(store, missing, "country", p, profile))
    keys = [t["key"] for t in techs]
    return build(stored, techs, gq.policy(store, keys), gq.clusters(store, keys), profile, weights, lists,
                 window, counting)
