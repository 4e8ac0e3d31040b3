"""Overview: who leads each technology (the raw score), technology × country, with basis and N
per cell; the alliance-weighted lens on demand, under which a country of concern is never drawn
as 0 but marked with its raw score and share."""

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
# The raw score is the default: alliance weighting is a lens the analyst turns on.
st.session_state.setdefault("weighted_on", False)
weighted = f3.toggle(t("weighted_lens"), key="weighted_on", help=t("weighted_help"))
kind = "weighted" if weighted else "raw"
n_countries = f4.number_input(t("countries_shown"), 3, 40, 12, key="ov_n")


def docs(x: dict) -> int:
    d = x.get("documents") or {}
    return d.get("works", 0) + d.get("patent_families", 0)


rows = [x for x in techs if x["ranked"] and docs(x) > 0]
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
st.caption(t("weighted_view_note" if weighted else "raw_view_note"))


def basis_label(b: str | None) -> str:
    return t(f"basis_{b}") if b in ("sample", "population") else (b or "—")


def lead_label(x: dict) -> str:
    """Who leads, as every row states it: the raw leader and its share, ⚠ for a country of concern,
    or no leader at all when the evidence is too thin to rank."""
    if x.get("thin"):
        return f"{t('thin')} (N={x.get('n')})"
    if not x.get("leader"):
        return "—"
    mark = "⚠ " if x.get("leader_concern") else ""
    return f"{t('lead')} {mark}{x['leader']} {c.pct(x.get('leader_share'), 0)}"


countries = [cc for cc in data["countries"] if any(cc in (x.get("scores") or {}) for x in rows)][:int(n_countries)]
rows.sort(key=lambda x: -docs(x))
names = [c.tech_label(x).split(" — ")[0] for x in rows]
labels = [f"{names[i]} — {lead_label(x)}" for i, x in enumerate(rows)]


def cell(x: dict, cc: str) -> dict:
    return (x.get("scores") or {}).get(cc) or {}


# Three layers: ranked cells (raw or weighted score), concern cells under the lens (raw score,
# purple, ⚠ and share), and thin cells (grey, "thin", not ranked).
z, zc, zt, text, tc, tt, hover = [], [], [], [], [], [], []
for i, x in enumerate(rows):
    zr, zcr, ztr, tr, tcr, ttr, hr = [], [], [], [], [], [], []
    for cc in countries:
        s = cell(x, cc)
        raw, share = s.get("score"), s.get("papers_share")
        value = s.get("score_weighted") if weighted else raw
        concern_cell = weighted and s.get("concern") and raw is not None
        thin = bool(s.get("thin")) and raw is not None
        lines = [f"{names[i]} · {cc}",
                 f"{t('score_kind')} ({t(kind)}): " + ("—" if value is None else f"{value:.2f}")
                 + (f" · {t('raw')} {raw:.2f}" if weighted and raw is not None else ""),
                 f"{t('share')}: {c.pct(share)}",
                 f"{t('basis')}: {basis_label(s.get('basis') or x.get('basis'))} · {t('n_docs')}: {s.get('n', '—')}"
                 f" (technology N={x.get('n', '—')})"]
        if s.get("concern"):
            lines.append(f"⚠ {t('concern_country')}")
        if thin:
            lines.append(f"{t('thin')}: not ranked")
        hr.append("<br>".join(lines))
        zr.append(None if thin or concern_cell else value)
        tr.append("" if thin or concern_cell or value is None else f"{value:.2f}")
        zcr.append(raw if concern_cell and not thin else None)
        tcr.append(f"⚠ {c.pct(share, 0)}" if concern_cell and not thin else "")
        ztr.append(0.5 if thin else None)
        ttr.append("thin" if thin else "")
    z.append(zr), zc.append(zcr), zt.append(ztr), text.append(tr), tc.append(tcr), tt.append(ttr), hover.append(hr)

fig = go.Figure()
fig.add_trace(go.Heatmap(z=z, x=countries, y=labels, text=text, texttemplate="%{text}", hovertext=hover,
                         hoverinfo="text", colorscale="YlOrRd", zmin=0, zmax=1, name=t(kind),
                         colorbar={"title": t("score_kind")}))
if any(v is not None for r in zc for v in r):
    fig.add_trace(go.Heatmap(z=zc, x=countries, y=labels, text=tc, texttemplate="%{text}", hovertext=hover,
                             hoverinfo="text", colorscale="Purples", zmin=0, zmax=1, showscale=False,
                             name=t("concern_lead")))
if any(v is not None for r in zt for v in r):
    fig.add_trace(go.Heatmap(z=zt, x=countries, y=labels, text=tt, texttemplate="%{text}", hovertext=hover,
                             hoverinfo="text", colorscale=[[0, "#d9d9d9"], [1, "#d9d9d9"]], zmin=0, zmax=1,
                             showscale=False, name=t("thin")))
fig.update_layout(height=max(320, 26 * len(rows) + 120), margin={"l": 10, "r": 10, "t": 30, "b": 10},
                  yaxis={"autorange": "reversed"}, xaxis={"side": "top"}, title=t("heatmap"))
# One above the other: beside a table the heatmap had ~15 px per country once the long technology
# names and the colour bar took their share of half the page.
left, right = st.container(), st.container()
with left:
    st.plotly_chart(fig, key="heatmap")
    c.caption(as_of, ctx["counting"], f"{t('score_kind')}: {t(kind)} · {t('window')}: {ctx['window']} · "
                                      + t("thin_note").format(n=data.get("min_n", "—")))
with right:
    recs = []
    for i, x in enumerate(rows):
        rec = {t("technology"): names[i],
               t("leader"): f"{t('thin')} (N={x.get('n')})" if x.get("thin") else x.get("leader"),
               t("leader_share"): None if x.get("thin") else x.get("leader_share"),
               t("concern_lead"): (f"⚠ {x['leader']} {c.pct(x.get('leader_share'), 0)}"
                                   if x.get("leader_concern") and not x.get("thin") else "")}
        if weighted:
            rec[t("weighted_leader")] = None if x.get("thin") else x.get("leader_weighted")
        rec.update({t("basis"): basis_label(x.get("basis")), t("n_docs"): x.get("n"),
                    t("concern_share"): x.get("concern_share"),
                    t("monopoly_risk"): t("risk_" + x["monopoly_risk"]) if x.get("monopoly_risk") and not x.get("thin") else "—",
                    t("hhi"): None if x.get("thin") else x.get("hhi"), t("works"): (x.get("documents") or {}).get("works"),
                    t("patents"): (x.get("documents") or {}).get("patent_families")})
        recs.append(rec)
    st.dataframe(pd.DataFrame(recs), hide_index=True, height=max(320, 26 * len(rows) + 120),
                 column_config={t("technology"): st.column_config.TextColumn(width="medium"),
                                t("leader"): st.column_config.TextColumn(width="small"),
                                t("leader_share"): st.column_config.NumberColumn(format="percent"),
                                t("concern_share"): st.column_config.ProgressColumn(format="percent", min_value=0, max_value=1,
                                                                                    width="small"),
                                t("hhi"): st.column_config.NumberColumn(format="%.2f")})
    c.caption(as_of, ctx["counting"], f"{t('concern_share')}: {t('profile')} {data['profile']['ident']}")

high = [names[i] for i, x in enumerate(rows) if x.get("monopoly_risk") == "high" and not x.get("thin")]
if high:
    st.markdown(f"**{t('monopoly_risk')}** " + " ".join(f":red-badge[{n}]" for n in high[:30]))

st.subheader(t("open_tech"))
o1, o2 = st.columns([4, 1])
pick = o1.selectbox(t("open_tech"), range(len(rows)), format_func=lambda i: names[i], label_visibility="collapsed",
                    key="ov_open")
if o2.button(t("open"), key="ov_open_btn"):
    st.session_state["tech_pending"] = rows[pick]["key"]
    st.switch_page("views/technology.py")
