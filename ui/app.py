"""Entry point: ``kizashi serve ui`` runs ``streamlit run ui/app.py``."""

from __future__ import annotations

import sys
from pathlib import Path

import streamlit as st

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))   # `import ui…` without an install

from ui.i18n import t  # noqa: E402

st.set_page_config(page_title="Kizashi 兆し", page_icon="📡", layout="wide")
st.session_state.setdefault("lang", "en")

PAGES = [("overview.py", "overview", "🗺️"), ("technology.py", "technology", "🔬"), ("emerging.py", "emerging", "🌱"),
         ("shortlist.py", "shortlist", "📋"), ("country.py", "country", "🏳️"), ("graph.py", "graph", "🕸️"),
         ("search.py", "search", "🔎")]
HERE = Path(__file__).resolve().parent
nav = st.navigation([st.Page(str(HERE / "pages" / f), title=t(k), icon=i, url_path=k, default=(k == "overview"))
                     for f, k, i in PAGES])
nav.run()
