"""Emerging areas: clusters on a 2-D map, coloured by growth and sized by volume, and what each is about."""

from __future__ import annotations

import pandas as pd
import plotly.express as px
import streamlit as st

from ui import common as c
from ui.i18n import name, t

ctx = c.page("emerging")
with st.spinner(t("loading")):
    body = c.fetch(c.get, "/ui/clusters/map")
as_of, data = body["data_as_of"], body["data"]
clusters = data["clusters"]
if not clusters:
    c.empty("no_clusters", "no_clusters_hint")
    st.stop()
# Each corpus (the main works, or a scoped run such as quant-ph) is its own clustering and map.
scopes = sorted({cl.get("scope") or "works" for cl in clusters}, key=lambda s: (s != "works", s))
if len(scopes) > 1:
    scope = st.radio(t("corpus"), scopes, horizontal=True, key="cluster_scope")
    clusters = [cl for cl in clusters if (cl.get("scope") or "works") == scope]
LABELLED = 10   # name only the most emergent on the map; the rest on hover


def label(cl: dict) -> str:
    kw = cl.get("keywords_ja") if c.lang() == "ja" and cl.get("keywords_ja") else cl.get("keywords_en")
    return cl.get("label") or " / ".join((kw or [])[:3]) or cl.get("id") or cl["key"]


top = set(sorted(range(len(clusters)), key=lambda i: -(clusters[i].get("emergence") or 0))[:LABELLED])
df = pd.DataFrame([{"key": cl["key"], "label": label(cl), "shown": label(cl) if i in top else "",
                    "x": cl["x"], "y": cl["y"], t("growth"): cl.get("growth_value") or 0.0,
                    t("volume"): cl.get("volume") or 1, t("emergence"): cl.get("emergence")}
                   for i, cl in enumerate(clusters)])
# A few fast-growing small clusters would otherwise paint every other cluster the same red.
lo, cap = float(df[t("growth")].min()), float(df[t("growth")].quantile(0.9))
fig = px.scatter(df, x="x", y="y", color=t("growth"), size=t("volume"), hover_name="label", text="shown",
                 hover_data={"x": False, "y": False, "shown": False, t("emergence"): ":.2f"},
                 color_continuous_scale="RdYlGn", range_color=(lo, max(cap, lo + 1e-9)), size_max=50,
                 title=t("cluster_map"))
fig.update_traces(textposition="top center", textfont_size=10)
fig.update_layout(height=520, margin={"t": 50, "b": 10}, xaxis={"visible": False}, yaxis={"visible": False})
st.plotly_chart(fig, key="cluster_map")
c.caption(as_of, None, f"{len(clusters)} {t('cluster')} · {data['layout']} · {t('growth_clipped')}")

by_key = {cl["key"]: cl for cl in clusters}
order = sorted(by_key, key=lambda k: (-(by_key[k].get("emergence") or 0), k))
# Keyed per corpus: options change with it, and a stale choice must not survive the switch.
pick = st.selectbox(t("cluster"), order, format_func=lambda k: f"{label(by_key[k])} ({by_key[k].get('volume')})",
                    key=f"cluster_pick_{clusters[0].get('scope') or 'works'}")
cl = by_key[pick]
a, b = st.columns(2)
with a:
    st.markdown(f"**{t('keywords')}**")
    kws = (cl.get("keywords_en") or []) + (cl.get("keywords_ja") or [])
    st.markdown(" ".join(f":violet-badge[{k}]" for k in kws[:20]) or "—")
    st.markdown(f"**{t('examples')}**")
    for ex in cl.get("examples") or []:
        st.markdown(f"- {ex.get('title') or ex['key']} ({ex.get('year') or '—'})")
with b:
    st.markdown(f"**{t('linked_techs')}**")
    for tech in cl.get("technologies") or []:
        st.markdown(f"- {name(tech)} · {tech.get('score') or 0:.2f}")
    st.markdown(f"**{t('leading_countries')}**")
    if cl.get("countries"):
        cdf = pd.DataFrame(cl["countries"])
        fig = px.bar(cdf, x="country", y="fractional")
        fig.update_layout(height=220, margin={"t": 10, "b": 10})
        st.plotly_chart(fig, key="cluster_countries")
        c.caption(as_of, "fractional")
stats = {k: cl.get(k) for k in ("size", "cagr", "share_growth", "novelty", "impact", "coherence", "emergence")
         if cl.get(k) is not None}
st.caption(" · ".join(f"{k}: {v:.3f}" if isinstance(v, float) else f"{k}: {v}" for k, v in stats.items()))
