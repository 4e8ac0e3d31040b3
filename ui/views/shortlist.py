"""The ES-X shortlist: autonomy risk × Japanese indispensability, weights that re-rank live, downloads."""

from __future__ import annotations

import pandas as pd
import plotly.express as px
import streamlit as st

from core.ranking import SHORTLIST_WEIGHTS, weights_text
from ui import common as c
from ui.i18n import t

ctx = c.page("shortlist")
DEFAULT = SHORTLIST_WEIGHTS
AXES = tuple(DEFAULT)

st.sidebar.markdown(f"**{t('weights')}**")
for k in AXES:
    c._keep(f"w_{k}", DEFAULT[k])
    st.sidebar.slider(t(k), 0.0, 1.0, step=0.05, key=f"w_{k}")
weights = {k: st.session_state[f"w_{k}"] for k in AXES}
if sum(weights.values()) <= 0:
    weights = dict(DEFAULT)
wtext = weights_text(weights)
params = {"profile": ctx["profile"], "window": ctx["window"], "counting": ctx["counting"], "weights": wtext}
with st.spinner(t("computing")):
    body = c.fetch(c.get_all, "/shortlist", params)
rows, meta, as_of = body["items"], body["shortlist"], body["data_as_of"]
if not rows:
    c.empty("no_shortlist", "no_rankings_hint")
    st.stop()


def tname(r: dict) -> str:
    return (r.get("name_ja") if c.lang() == "ja" else None) or r.get("name") or r["technology"]


def why(r: dict) -> str:
    parts = [f"{t('autonomy_risk')} {r['autonomy_risk']:.2f}: {t('concern_share')} {c.pct(r.get('concern_papers'))}"]
    if r.get("materials_exposed"):
        parts[-1] += f", {t('materials')}: {', '.join(r['materials_exposed'])}"
    parts.append(f"JP {c.pct(r.get('jp_share'))} (#{r.get('jp_rank') or '—'}), {t('leader')} {r.get('leader') or '—'} "
                 f"{c.pct(r.get('leader_share'))}")
    if r.get("policy_documents") or r.get("export_controls"):
        parts.append(f"{t('evidence_policy')} {r.get('policy_documents')}, export controls {r.get('export_controls')}")
    if r.get("monopoly_risk"):
        parts.append(f"{t('monopoly_risk')}: {t('risk_' + r['monopoly_risk'])}")
    return " · ".join(parts)


df = pd.DataFrame([{"rank": r["rank"], "technology": tname(r), t("priority"): r["priority"],
                    t("autonomy_risk"): r["autonomy_risk"], t("indispensability"): r["indispensability"],
                    t("emergence"): r["emergence"], t("policy"): r["policy"], "JP": r.get("jp_share"),
                    t("leader"): r.get("leader"), t("monopoly_risk"): r.get("monopoly_risk") or "",
                    t("explanation"): why(r), "key": r["technology"]} for r in rows])

top = rows[0]
st.markdown(f"#1 **{tname(top)}** · {t('priority')} {top['priority']:.3f} — {why(top)}")
a, b = st.columns([3, 2])
with a:
    fig = px.scatter(df, x=t("autonomy_risk"), y=t("indispensability"), size=[max(p, 0.02) for p in df[t("priority")]],
                     color=t("priority"), hover_name="technology", color_continuous_scale="Viridis", size_max=28,
                     title=t("quadrant"))
    mx = max(0.5, float(df[t("autonomy_risk")].max()) * 1.1)
    my = max(0.5, float(df[t("indispensability")].max()) * 1.1)
    xm, ym = float(df[t("autonomy_risk")].median()), float(df[t("indispensability")].median())
    fig.add_vline(x=xm, line_dash="dot", line_color="gray")
    fig.add_hline(y=ym, line_dash="dot", line_color="gray")
    # Quadrant names sit outside the plot (above and below it), clear of the points.
    for x, y, k in ((1, -0.2, "q_protect"), (1, 1.0, "q_leverage"), (0, 1.0, "q_maintain"), (0, -0.2, "q_watch")):
        fig.add_annotation(x=x, y=y, xref="paper", yref="paper", text=t(k), showarrow=False,
                           font={"size": 10, "color": "gray"}, xanchor="right" if x else "left",
                           yanchor="bottom" if y > 0 else "top")
    fig.update_layout(height=520, margin={"t": 70, "b": 90}, xaxis={"range": [-0.02, mx]},
                      yaxis={"range": [-0.02, my]})
    st.plotly_chart(fig, key="quadrant")
    c.caption(as_of, meta["counting"], f"{t('profile')}: {meta['profile']} · {t('window')}: {meta['window']}")
with b:
    st.markdown(f"**{t('priority')}** (top 15)")
    bars = df.head(15).iloc[::-1]
    fig = px.bar(bars, x=t("priority"), y="technology", orientation="h")
    fig.update_layout(height=480, margin={"t": 10, "b": 10}, yaxis_title="")
    st.plotly_chart(fig, key="priority_bars")
    c.caption(as_of, meta["counting"], wtext)

st.dataframe(df.drop(columns=["key"]), hide_index=True, height=420,
             column_config={t("explanation"): st.column_config.TextColumn(width="large"),
                            "JP": st.column_config.NumberColumn(format="percent")})
c.caption(as_of, meta["counting"], f"snapshot {meta.get('snapshot_id')}")
d1, d2, _ = st.columns([1, 1, 3])
d1.download_button(t("download_csv"), c.fetch(c.raw, "/shortlist", {**params, "format": "csv"}),
                   file_name="kizashi-shortlist.csv", mime="text/csv", key="dl_csv")
d2.download_button(t("download_xlsx"), c.fetch(c.raw, "/shortlist", {**params, "format": "xlsx"}),
                   file_name="kizashi-shortlist.xlsx", key="dl_xlsx",
                   mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
with st.expander(t("formulas")):
    for k, v in meta["formulas"].items():
        st.markdown(f"- **{k}**: {v}")
