"""Graph explorer: the ego network of a technology, organization or country."""

from __future__ import annotations

import math
import urllib.parse

import httpx
import plotly.graph_objects as go
import streamlit as st

from ui import common as c
from ui.i18n import t

COLOURS = {"Technology": "#d62728", "Organization": "#1f77b4", "Country": "#2ca02c", "Material": "#ff7f0e",
           "ListItem": "#9467bd", "PolicyDocument": "#8c564b", "Cluster": "#e377c2"}

ctx = c.page("graph")


@st.cache_data(ttl=60, show_spinner=False)
def browser_reachable(url: str) -> bool:
    try:
        return httpx.get(url, timeout=1.0).status_code < 500
    except httpx.HTTPError:
        return False


a, b = st.columns([1, 3])
kind = a.radio(t("node_kind"), ["technology", "organization", "country"], format_func=lambda k: t("kind_" + k),
               key="g_kind")
defaults = {"technology": "", "organization": "", "country": "Japan"}
text = b.text_input(t("find_node"), value=defaults[kind], key=f"g_text_{kind}")
hits = [h for h in c.fetch(c.get, "/ui/find", {"q": text})["data"]["items"] if h["kind"] == kind] if text.strip() else []
if not text.strip() and kind == "technology":
    hits = [{"kind": "technology", "key": x["key"], "name": x.get("name")}
            for x in sorted(c.technologies(), key=lambda x: -((x.get("works") or 0) + (x.get("patents") or 0)))[:30]]
if not hits:
    st.info(t("no_match"))
    st.stop()
node = b.selectbox(t(f"kind_{kind}"), hits, format_func=lambda h: f"{h['name'] or h['key']} · {h['key']}", key=f"g_pick_{kind}")
body = c.fetch(c.get, "/ui/ego", {"kind": kind, "key": node["key"], "limit": 15})
as_of, g = body["data_as_of"], body["data"]
center, nbrs = g["center"], g["neighbours"]

groups: dict[str, list] = {}
for n in nbrs:
    groups.setdefault(n["label"], []).append(n)
pos = {}
total = max(1, len(nbrs))
i = 0
for label in sorted(groups):
    for n in groups[label]:
        ang = 2 * math.pi * i / total
        r = 1.0 + 0.25 * (i % 2)
        pos[(n["label"], n["key"])] = (r * math.cos(ang), r * math.sin(ang))
        i += 1
wmax = max([n["weight"] or 0 for n in nbrs] + [1e-9])
fig = go.Figure()
for n in nbrs:
    x, y = pos[(n["label"], n["key"])]
    fig.add_trace(go.Scatter(x=[0, x], y=[0, y], mode="lines", hoverinfo="skip", showlegend=False,
                             line={"width": 1 + 5 * (n["weight"] or 0) / wmax, "color": "rgba(120,120,120,0.5)"}))
for label, items in sorted(groups.items()):
    fig.add_trace(go.Scatter(
        x=[pos[(n["label"], n["key"])][0] for n in items], y=[pos[(n["label"], n["key"])][1] for n in items],
        mode="markers+text", name=label, text=[(n["name"] or n["key"])[:28] for n in items], textposition="top center",
        hovertext=[f"{n['name'] or n['key']}<br>{n['rel']} · {n['weight']:.2f}<br>{n['key']}" for n in items],
        hoverinfo="text", marker={"size": 14, "color": COLOURS.get(label, "#7f7f7f")}))
fig.add_trace(go.Scatter(x=[0], y=[0], mode="markers+text", showlegend=False, text=[center.get("name") or center["key"]],
                         textposition="bottom center", marker={"size": 28, "color": COLOURS.get(center["label"], "#333"),
                                                               "line": {"width": 2, "color": "black"}}))
fig.update_layout(height=620, margin={"t": 30, "b": 10}, xaxis={"visible": False}, yaxis={"visible": False},
                  title=f"{t('ego_network')}: {center.get('name') or center['key']}")
st.plotly_chart(fig, key="ego")
c.caption(as_of, "fractional", f"{len(nbrs)} {t('neighbours')} · edge width = weight")

browser = c.api_settings_browser()
if browser and browser_reachable(browser):
    # The Browser opens the query in its editor for the user to run; quote the key as a Cypher string.
    lit = "'" + center["key"].replace("\\", "\\\\").replace("'", "\\'") + "'"
    q = (f"MATCH (n:Country {{code: {lit}}})-[r]-(m) RETURN n, r, m LIMIT 50" if center["label"] == "Country"
         else f"MATCH (n:`{center['label']}` {{key: {lit}}})-[r]-(m) RETURN n, r, m LIMIT 50")
    st.link_button(t("open_browser"), f"{browser.rstrip('/')}/browser/?cmd=edit&arg={urllib.parse.quote(q)}")
else:
    st.caption(t("browser_unreachable"))
