"""Semantic search across papers, patents and policy documents, in English or Japanese."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from ui import common as c
from ui.client import ApiError
from ui.i18n import t

LABELS = ["Work", "Patent", "PolicyDocument"]

ctx = c.page("search")
q = st.text_input(t("search_box"), key="search_q", placeholder="quantum sensing / 量子センシング")
kinds = st.multiselect(t("doc_types"), LABELS, default=LABELS, key="search_labels")
if q.strip():
    try:
        with st.spinner(t("loading")):
            body = c.get("/search", {"q": q.strip(), "k": 20, "labels": kinds or LABELS})
    except ApiError as e:
        if e.status == 503:
            st.warning(f"**{t('no_search')}**: {e.message}")
            st.info(t("no_search_hint"))
            st.stop()
        c.api_down(e)
    hits = body["items"]
    if not hits:
        st.info(t("no_results"))
    else:
        st.subheader(f"{t('results')} ({len(hits)})")
        for h in hits:
            link = c.doi_url((h.get("key") or "").removeprefix("doi:")) if (h.get("key") or "").startswith("doi:") else (
                c.patent_url(h["key"]) if h.get("label") == "Patent" else None)
            title = h.get("title") or h.get("key")
            st.markdown(f"**{title}** · {h.get('label')} · {h.get('year') or '—'} · {h.get('language') or ''} · "
                        f"score {h.get('score', 0):.3f}" + (f" · [link]({link})" if link else ""))
        st.dataframe(pd.DataFrame(hits), hide_index=True)
        c.caption(body["data_as_of"], None, "cosine similarity, multilingual embeddings")
