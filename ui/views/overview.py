"""Overview: the technology × country heatmap of the lead score, with concern share and monopoly risk."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from ui import common as c
from ui.i18n import t

ctx = c.page("overview_title")
with st.spinner(t("loading")):
    body = c.fetch(c.get, "/ui/overview", {"profile": ctx["profile"], "window": ctx["window"],
                                           "counting": ctx["counting"]})
data, as_of = body["data"], body["data_as_of"]
techs = data["technologies"]

f1, f2, f3, f4 = st.columns([3, 2, 2, 1])
present_lists = sorted({li for x in techs for li in (x.get("lists") or [])},
                       key=lambda li: (list(c.LISTS).index(li) if li in c.LISTS else 99, li))
chosen_lists = f1.multiselect(t("lists"), present_lists, format_func=c.list_label, key="ov_lists", placeholder="—")
domains = sorted({x["domain"] for x in techs if x.get("domain")})
chosen_domains = f2.multiselect(t("domain"), domains, key="ov_domains", placeholder="—")
st.session_state.setdefault("weighted_on", True)
kind = "weighted" if f3.toggle(t("weighted"), key="weighted_on", help=f"{t('score_kind')}: {t('raw')} ↔ {t('weighted')}") else "raw"
n_countries = f4.number_input(t("countries_shown"), 3, 40, 12, key="ov_n")

rows = [x for x in techs if x["ranked"] and (x.get("documents") or {}).get("works", 0) + (x.get("documents") or {}).get("patent_families", 0) > 0]
if chosen_lists:
    rows = [x for x in rows if set(chosen_lists) & set(x.get("lists") or [])]
if chosen_domains:
    rows = [x for x in rows if x.get("domain") in chosen_domains]

if not data["ranked"]:
    c.empty("no_rankings", "no_rankings_hint")
    st.stop()
st.markdown(f"**{data['ranked']}** {t('technologies_ranked')} · {t('profile')}: `{data['profile']['ident']}`")
if not rows:
    c.empty("no_docs", "no_docs_hint")
    st.stop()

countries = [cc for cc in data["countries"] if any(cc in (x.get("scores") or {}) for x in rows)][:int(n_countries)]
score_field = "score_weighted" if kind == "weighted" else "score"
rows.sort(key=lambda x: -((x.get("documents") or {}).get("works", 0) + (x.get("documents") or {}).get("patent_families", 0)))
names = [c.tech_label(x).split(" — ")[0] for x in rows]
z = [[(x["scores"].get(cc) or {}).get(score_field) for cc in countries] for x in rows]
share = [[(x["scores"].get(cc) or {}).get("papers_share") for cc in countries] for x in rows]
text = [[("" if v is None else f"{v:.2f}") for v in r] for r in z]
hover = [[f"{names[i]} · {cc}<br>{t('score_kind')}: {text[i][j] or '—'}<br>{t('share')}: {c.pct(share[i][j])}"
          for j, cc in enumerate(countries)] for i in range(len(rows))]
fig = go.Figure(go.Heatmap(z=z, x=countries, y=names, text=text, texttemplate="%{text}", hovertext=hover,
                           hoverinfo="text", colorscale="YlOrRd", zmin=0, zmax=1, colorbar={"title": t("score_kind")}))
fig.update_layout(height=max(320, 26 * len(rows) + 120), margin={"l": 10, "r": 10, "t": 30, "b": 10},
                  yaxis={"autorange": "reversed"}, xaxis={"side": "top"}, title=t("heatmap"))
# One above the other: beside a table the heatmap had ~15 px per country once the long technology
# names and the colour bar took their share of half the page.
left, right = st.container(), st.container()
with left:
    st.plotly_chart(fig, key="heatmap")
    c.caption(as_of, ctx["counting"], f"{t('score_kind')}: {t(kind)} · {t('window')}: {ctx['window']}")
with right:
    table = pd.DataFrame([{
        t("technology"): names[i], t("leader"): x.get("leader_weighted" if kind == "weighted" else "leader"),
        t("concern_share"): x.get("concern_share"),
        t("monopoly_risk"): t("risk_" + x["monopoly_risk"]) if x.get("monopoly_risk") else "—",
        t("hhi"): x.get("hhi"), t("works"): (x.get("documents") or {}).get("works"),
        t("patents"): (x.get("documents") or {}).get("patent_families")} for i, x in enumerate(rows)])
    st.dataframe(table, hide_index=True, height=max(320, 26 * len(rows) + 120),
                 column_config={t("technology"): st.column_config.TextColumn(width="medium"),
                                t("leader"): st.column_config.TextColumn(width="small"),
                                t("concern_share"): st.column_config.ProgressColumn(format="percent", min_value=0, max_value=1,
                                                                                    width="small"),
                                t("hhi"): st.column_config.NumberColumn(format="%.2f")})
    c.caption(as_of, ctx["counting"], f"{t('concern_share')}: {t('profile')} {data['profile']['ident']}")

high = [names[i] for i, x in enumerate(rows) if x.get("monopoly_risk") == "high"]
if high:
    st.markdown(f"**{t('monopoly_risk')}** " + " ".join(f":red-badge[{n}]" for n in high[:30]))

st.subheader(t("open_tech"))
o1, o2 = st.columns([4, 1])
pick = o1.selectbox(t("open_tech"), range(len(rows)), format_func=lambda i: names[i], label_visibility="collapsed",
                    key="ov_open")
if o2.button(t("open"), key="ov_open_btn"):
    st.session_state["tech_pending"] = rows[pick]["key"]
    st.switch_page("views/technology.py")
