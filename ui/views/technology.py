"""One technology: output and share over time, organizations, concentration, patents, policy, materials, evidence."""

from __future__ import annotations

import pandas as pd
import plotly.express as px
import plotly.graph_objects as go
import streamlit as st

from ui import common as c
from ui.i18n import name, t

ctx = c.page("technology")
techs = c.technologies()
if not techs:
    c.empty("no_rankings", "no_rankings_hint")
    st.stop()
keys = [x["key"] for x in techs]
by_key = {x["key"]: x for x in techs}
# A technology opened from another page wins; then the URL, then the last one viewed.
wanted = st.session_state.pop("tech_pending", None)
if wanted is None and "tech_select" not in st.session_state:
    wanted = st.query_params.get("tech") or st.session_state.get("tech")
if wanted in by_key:
    st.session_state["tech_select"] = wanted
st.session_state.setdefault("tech_select", max(techs, key=lambda x: (x.get("works") or 0) + (x.get("patents") or 0))["key"])
key = st.selectbox(t("choose_tech"), keys, key="tech_select", format_func=lambda k: c.tech_label(by_key[k]))
st.session_state["tech"] = key
st.query_params["tech"] = key
tech = by_key[key]

with st.spinner(t("computing")):
    info = c.fetch(c.get, f"/technologies/{key}")["data"]
    rk = c.fetch(c.get, "/rankings", {"technology": key, "profile": ctx["profile"], "window": ctx["window"],
                                      "counting": ctx["counting"], "limit": 500})
    detail_body = c.fetch(c.get, f"/ui/technologies/{key}/detail", {"window": ctx["window"]})
as_of = detail_body["data_as_of"]
d = detail_body["data"]
ranking, rows = rk["ranking"], rk["items"]
s = ranking.get("summary") or {}

st.header(name(info))
st.caption(" · ".join(filter(None, [info.get("name_ja") if c.lang() == "en" else info.get("name"), info.get("domain"),
                                    key])))
if info.get("lists"):
    st.markdown(" ".join(f":blue-badge[{c.list_label(li)}]" for li in sorted(info["lists"])))
if info.get("description"):
    st.markdown(info["description"])

m = st.columns(6)
m[0].metric(t("works"), d["counts"]["works"])
m[1].metric(t("patents"), d["counts"]["patents"])
lead = s.get("leader") or {}
m[2].metric(t("leader"), lead.get("id") or "—", c.pct(lead.get("share")) if lead else None, delta_color="off")
m[3].metric(t("hhi"), "—" if s.get("hhi") is None else f"{s['hhi']:.2f}")
m[4].metric(t("monopoly_risk"), t("risk_" + s["monopoly_risk"]) if s.get("monopoly_risk") else "—")
m[5].metric(t("contested"), "✓" if s.get("contested") else "—")
if s.get("thin"):
    st.warning(t("thin_ranking").format(n=s.get("n"), min=s.get("min_documents"), basis=t("basis_" + s.get("basis", "sample"))))
method = f"{t('ranking_source')}: {ranking.get('source')} {ranking.get('key')} · {t('profile')}: {ranking.get('profile')}"
corpora = d.get("corpora") or {}


def corpus_note(kind: str) -> str | None:
    """Where a panel's documents come from; a panel resting on one corpus says so plainly."""
    info = corpora.get(kind) or {}
    top = info.get("top")
    if not top or not info.get("documents"):
        return None
    where = f"{top.get('kind') or '?'}: {str(top.get('location') or '?').rsplit('/', 1)[-1]}"
    label = t("works" if kind == "works" else "patents").lower()
    if info.get("one_corpus"):
        return t("one_corpus").format(kind=label, where=where, n=top["documents"], total=info["documents"])
    return t("corpora_note").format(kind=label, k=info.get("sources"), where=where, share=c.pct(info.get("top_share"), 0))


def show_corpus(kind: str) -> None:
    note = corpus_note(kind)
    if note and (corpora.get(kind) or {}).get("one_corpus"):
        st.warning(note, icon=":material/filter_alt:")
    elif note:
        st.caption(note)


_docs = s.get("documents") or {}
_basis = s.get("basis") if isinstance(s.get("basis"), str) else "sample"
st.caption(f"{t('basis')}: {t('basis_' + _basis) if _basis in ('sample', 'population') else _basis} · "
           f"{t('n_docs')}: {_docs.get('works_attributed', 0)} {t('works').lower()}, "
           f"{_docs.get('families_attributed', 0)} {t('patents').lower()} (families) with a country")

if not d["counts"]["works"] and not d["counts"]["patents"]:
    c.empty("no_docs", "no_docs_hint")
else:
    # ---- time series
    papers = pd.DataFrame(d["papers"])
    if not papers.empty:
        # Recent years carry the signal; single-paper years make shares jump between 0 and 1.
        papers = papers[papers["year"] >= papers["year"].max() - 14]
    shares = papers[papers["documents"] >= 5] if not papers.empty else papers
    a, b = st.columns(2)
    if not papers.empty:
        with a:
            fig = px.bar(papers, x="year", y="output", color="country", title=t("output_by_country"),
                         category_orders={"country": d["countries"] + ["other"]})
            fig.update_layout(height=360, margin={"t": 50, "b": 10}, legend_title_text="")
            st.plotly_chart(fig, key="output")
            c.caption(as_of, "fractional", f"{d['counts']['works']} {t('works')}")
            show_corpus("works")
        with b:
            fig = go.Figure()
            for cc in d["countries"][:5]:
                p = shares[shares["country"] == cc]
                fig.add_trace(go.Scatter(x=p["year"], y=p["share"], name=cc, mode="lines+markers",
                                         error_y={"type": "data", "symmetric": False,
                                                  "array": (p["share_hi"] - p["share"]).clip(lower=0),
                                                  "arrayminus": (p["share"] - p["share_lo"]).clip(lower=0)}))
            fig.update_layout(title=t("share_by_country"), height=360, margin={"t": 50, "b": 10},
                              yaxis={"tickformat": ".0%", "range": [0, 1]})
            st.plotly_chart(fig, key="share")
            c.caption(as_of, "fractional", "bootstrap 200 resamples per year; years with ≥ 5 papers")

    # ---- papers beside patents
    a, b = st.columns(2)
    with a:
        if rows:
            top = sorted(rows, key=lambda r: -((r.get("papers_share") or 0) + (r.get("patent_share") or 0)))[:10]
            df = pd.DataFrame([{"country": r["id"], t("works"): r.get("papers_share") or 0,
                                t("patents"): r.get("patent_share") or 0} for r in top])
            fig = px.bar(df.melt(id_vars="country", var_name="kind", value_name="share"), x="country", y="share",
                         color="kind", barmode="group", title=t("papers_vs_patents"))
            fig.update_layout(height=340, margin={"t": 50, "b": 10}, yaxis={"tickformat": ".0%"}, legend_title_text="")
            st.plotly_chart(fig, key="pvp")
            c.caption(as_of, ctx["counting"], method)
            show_corpus("patents")
    with b:
        pats = pd.DataFrame(d["patents"])
        if not pats.empty:
            pats = pats[pats["year"] >= pats["year"].max() - 14]
        if not pats.empty:
            fig = px.bar(pats, x="year", y="output", color="country", title=t("patents_by_country"))
            fig.update_layout(height=340, margin={"t": 50, "b": 10}, legend_title_text="")
            st.plotly_chart(fig, key="patents")
            c.caption(as_of, "fractional", "applicant country")
            show_corpus("patents")

    # ---- concentration and blocs
    a, b, e = st.columns([1, 1, 1])
    with a:
        if s.get("hhi") is not None:
            fig = go.Figure(go.Indicator(
                mode="gauge+number", value=s["hhi"], number={"valueformat": ".2f"},
                title={"text": t("concentration")},
                gauge={"axis": {"range": [0, 1]}, "bar": {"color": "#1f3864"},
                       "steps": [{"range": [0, 0.15], "color": "#d9f0d3"}, {"range": [0.15, 0.25], "color": "#fee8c8"},
                                 {"range": [0.25, 1], "color": "#fcbba1"}]}))
            fig.update_layout(height=300, margin={"t": 60, "b": 10, "l": 20, "r": 20})
            st.plotly_chart(fig, key="gauge")
            c.caption(as_of, "fractional", s.get("monopoly_rule", ""))
    with b:
        blocs = (s.get("blocs") or {}).get("papers") or {}
        if blocs:
            df = pd.DataFrame([{"bloc": k, "share": v["share"] or 0, "lo": v["lo"] or 0, "hi": v["hi"] or 0}
                               for k, v in blocs.items()])
            fig = go.Figure(go.Bar(x=df["bloc"], y=df["share"], error_y={"type": "data", "symmetric": False,
                                                                        "array": (df["hi"] - df["share"]).clip(lower=0),
                                                                        "arrayminus": (df["share"] - df["lo"]).clip(lower=0)}))
            fig.update_layout(title=t("bloc_shares"), height=300, margin={"t": 60, "b": 10}, yaxis={"tickformat": ".0%"})
            st.plotly_chart(fig, key="blocs")
            c.caption(as_of, "fractional", f"{t('profile')}: {(s.get('blocs') or {}).get('profile')}")
    with e:
        orgs = pd.DataFrame(d["organizations"])
        if not orgs.empty:
            orgs["label"] = orgs.apply(lambda r: f"{(r['name'] or r['id'])[:40]} ({r['country'] or '?'})", axis=1)
            fig = px.bar(orgs.head(10).iloc[::-1], x="papers_fractional", y="label", orientation="h",
                         title=t("top_orgs"))
            fig.update_layout(height=300, margin={"t": 60, "b": 10}, yaxis_title="", xaxis_title=t("works"))
            st.plotly_chart(fig, key="orgs")
            c.caption(as_of, "fractional")

# ---- policy and export controls
st.subheader(t("timeline"))
events = []
for p in d["policy_documents"]:
    if p.get("date"):
        events.append({"date": p["date"][:10], "kind": "policy", "label": (p.get("title") or p["key"])[:80],
                       "by": p.get("issuer") or p.get("country") or ""})
for mat in d["materials"]:
    for ctl in mat.get("controls") or []:
        for when, what in (("announced", "export control announced"), ("effective", "export control effective")):
            if ctl.get(when):
                events.append({"date": ctl[when][:10], "kind": what,
                               "label": f"{ctl.get('by') or '?'}: {mat.get('name') or mat['material']} — {ctl.get('measure') or ''}",
                               "by": ctl.get("by") or ""})
if events:
    ev = pd.DataFrame(events)
    ev["date"] = pd.to_datetime(ev["date"], errors="coerce")
    ev = ev.dropna(subset=["date"])
    fig = px.scatter(ev, x="date", y="kind", color="kind", hover_name="label", hover_data={"by": True, "kind": False})
    fig.update_traces(marker={"size": 14})
    # A few close dates would otherwise zoom the axis to hours: show at least a year around them.
    lo, hi = ev["date"].min(), ev["date"].max()
    if (hi - lo).days < 365:
        mid = lo + (hi - lo) / 2
        fig.update_xaxes(range=[mid - pd.Timedelta(days=200), mid + pd.Timedelta(days=200)])
    fig.update_layout(height=260, margin={"t": 20, "b": 10}, showlegend=False, yaxis_title="")
    st.plotly_chart(fig, key="timeline")
    c.caption(as_of, None, f"{len(d['policy_documents'])} {t('evidence_policy')}")
else:
    st.info(t("no_timeline"))

# ---- materials
st.subheader(t("materials"))
if d["materials"]:
    st.dataframe(pd.DataFrame([{"material": mt["material"], "name": (mt.get("name_ja") if c.lang() == "ja" else None) or mt.get("name"),
                                "basis": mt.get("basis"),
                                "export controls": "; ".join(f"{x.get('by')} {x.get('measure') or ''} ({x.get('effective') or x.get('announced') or ''})"
                                                             for x in mt.get("controls") or [])} for mt in d["materials"]]),
                 hide_index=True)
else:
    st.caption(t("no_materials"))

# ---- evidence
st.subheader(t("evidence"))
tabs = st.tabs([f"{t('evidence_works')} ({len(d['works'])})", f"{t('evidence_patents')} ({len(d['patent_documents'])})",
                f"{t('evidence_policy')} ({len(d['policy_documents'])})"])
with tabs[0]:
    if d["works"]:
        st.dataframe(pd.DataFrame([{"title": w.get("title"), "year": w.get("year"), "cites": w.get("cites"),
                                    "countries": ", ".join(w.get("countries") or []), "score": w.get("score"),
                                    "DOI": c.doi_url(w.get("doi")), "OpenAlex": c.openalex_url(w.get("openalex_id"))}
                                   for w in d["works"]]), hide_index=True,
                     column_config={"DOI": st.column_config.LinkColumn(display_text="doi"),
                                    "OpenAlex": st.column_config.LinkColumn(display_text="openalex")})
        c.caption(as_of, None, f"ABOUT method: {d['works'][0].get('method')}")
with tabs[1]:
    if d["patent_documents"]:
        st.dataframe(pd.DataFrame([{"title": p.get("title"), "year": p.get("year"), "family": p.get("family") or p.get("family_id"),
                                    "applicants": "; ".join(p.get("assignees") or []),
                                    "countries": ", ".join(p.get("countries") or []),
                                    "link": c.patent_url(p["key"])} for p in d["patent_documents"]]), hide_index=True,
                     column_config={"link": st.column_config.LinkColumn(display_text="patent")})
with tabs[2]:
    if d["policy_documents"]:
        st.dataframe(pd.DataFrame([{"title": p.get("title"), "date": p.get("date"), "issuer": p.get("issuer"),
                                    "language": p.get("language"), "mentions": p.get("mentions"),
                                    "document": c.policy_url(p.get("path_or_url")) or p.get("path_or_url")}
                                   for p in d["policy_documents"]]), hide_index=True)
if rows:
    with st.expander(f"{t('lead_summary')} — {ranking.get('key')}"):
        st.dataframe(pd.DataFrame(rows)[[k for k in ("rank", "rank_weighted", "id", "name", "bloc", "papers_fractional",
                                                      "papers_share", "papers_share_lo", "papers_share_hi", "top10_share",
                                                      "patent_families", "patent_share", "growth", "rca", "score",
                                                      "score_weighted") if k in rows[0]]], hide_index=True)
        st.caption(f"/evidence/{ranking.get('evidence_key')}")
