"""A country: strengths, weaknesses and trend against its bloc; Japan against its allies."""

from __future__ import annotations

import pandas as pd
import plotly.express as px
import plotly.graph_objects as go
import streamlit as st

from ui import common as c
from ui.i18n import name, t

ctx = c.page("country")
with st.spinner(t("loading")):
    ov = c.fetch(c.get, "/ui/overview", {"profile": ctx["profile"], "window": ctx["window"], "counting": ctx["counting"]})
codes = ov["data"]["countries"]
if not codes:
    c.empty("no_country", "no_rankings_hint")
    st.stop()
st.session_state.setdefault("country_pick", "JP" if "JP" in codes else codes[0])
code = st.selectbox(t("choose_country"), codes, key="country_pick")
country = c.fetch(c.get, f"/countries/{code}")["data"]
body = c.fetch(c.get, f"/ui/countries/{code}/compare", {"profile": ctx["profile"], "window": ctx["window"],
                                                       "counting": ctx["counting"]})
as_of, d = body["data_as_of"], body["data"]
techs = [x for x in d["technologies"] if x["present"]]

st.header(f"{name(country)} ({code})")
m = st.columns(4)
m[0].metric(t("works"), country.get("works") or 0)
m[1].metric(t("patents"), country.get("patents") or 0)
m[2].metric(t("bloc"), d["bloc"])
m[3].metric(t("technology"), len(techs))
if not techs:
    c.empty("no_country", "no_rankings_hint")
    st.stop()


def tn(x: dict) -> str:
    return name({"name": x.get("name"), "name_ja": x.get("name_ja"), "key": x["technology"]})


ranked = sorted(techs, key=lambda x: -(x["share"] or 0))
a, b = st.columns(2)
for col, title, items in ((a, "strengths", ranked[:5]), (b, "weaknesses", ranked[::-1][:5])):
    with col:
        st.markdown(f"**{t(title)}**")
        st.dataframe(pd.DataFrame([{t("technology"): tn(x), t("share"): x["share"], t("rank"): f"{x['rank']}/{x['of']}",
                                    "RCA": x["rca"], t("growth"): x["growth"]} for x in items]), hide_index=True,
                     column_config={t("share"): st.column_config.NumberColumn(format="percent")})

show = ranked[:25]
fig = go.Figure()
fig.add_trace(go.Bar(x=[tn(x) for x in show], y=[x["share"] for x in show], name=code,
                     error_y={"type": "data", "symmetric": False,
                              "array": [max(0, (x["share_hi"] or 0) - (x["share"] or 0)) for x in show],
                              "arrayminus": [max(0, (x["share"] or 0) - (x["share_lo"] or 0)) for x in show]}))
fig.add_trace(go.Scatter(x=[tn(x) for x in show], y=[x["bloc_share"] for x in show], mode="markers",
                         marker={"symbol": "diamond", "size": 10}, name=f"{t('bloc_share')}: {d['bloc']}"))
fig.update_layout(title=t("vs_bloc"), height=420, margin={"t": 50, "b": 10}, yaxis={"tickformat": ".0%"})
st.plotly_chart(fig, key="vs_bloc")
c.caption(as_of, ctx["counting"], f"{t('profile')}: {d['profile']}")

tr = [x for x in show if x["growth"] is not None]
if tr and not any(x["growth"] for x in tr):
    st.caption(f"{t('trend')}: 0 — set a window such as 2015-2024 in the sidebar (CAGR compares its first and last year)")
elif tr:
    fig = px.bar(x=[tn(x) for x in tr], y=[x["growth"] for x in tr], title=t("trend"),
                 color=[x["growth"] for x in tr], color_continuous_scale="RdYlGn", color_continuous_midpoint=0)
    fig.update_layout(height=360, margin={"t": 50, "b": 10}, xaxis_title="", yaxis_title="CAGR", coloraxis_showscale=False)
    st.plotly_chart(fig, key="trend")
    c.caption(as_of, ctx["counting"])

peers = [p for p in d["peers"] if any(p in x["peers"] for x in d["technologies"])]
jp_rows = [x for x in d["technologies"] if x["peers"]]
if peers and jp_rows:
    jp_rows = sorted(jp_rows, key=lambda x: -max(x["peers"].values()))[:30]
    z = [[x["peers"].get(p) for p in peers] for x in jp_rows]
    fig = go.Figure(go.Heatmap(z=z, x=peers, y=[tn(x) for x in jp_rows], colorscale="Blues", zmin=0,
                               text=[[("" if v is None else f"{100 * v:.0f}%") for v in r] for r in z],
                               texttemplate="%{text}"))
    fig.update_layout(title=t("japan_vs_allies"), height=max(320, 24 * len(jp_rows) + 120),
                      margin={"t": 50, "b": 10}, yaxis={"autorange": "reversed"})
    st.plotly_chart(fig, key="allies")
    c.caption(as_of, ctx["counting"], "paper share")
