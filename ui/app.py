"""Entry point: ``kizashi serve ui`` runs ``streamlit run ui/app.py``. The pages live in views/
(not pages/, which Streamlit would also list by file name)."""

from __future__ import annotations

import sys
from pathlib import Path

import streamlit as st

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))   # `import ui…` without an install

from ui.i18n import t  # noqa: E402
from ui.login import require_login  # noqa: E402

st.set_page_config(page_title="Kizashi 兆し", page_icon=":material/radar:", layout="wide")
st.session_state.setdefault("lang", "en")
require_login()   # only when [auth] is configured in the secrets; stops the run until the visitor logs in

# Material icons: they need no emoji font on the analyst's machine.
PAGES = [("overview.py", "overview", ":material/grid_on:"), ("technology.py", "technology", ":material/science:"),
         ("emerging.py", "emerging", ":material/bubble_chart:"), ("shortlist.py", "shortlist", ":material/checklist:"),
         ("country.py", "country", ":material/flag:"), ("graph.py", "graph", ":material/hub:"),
         ("search.py", "search", ":material/search:")]
HERE = Path(__file__).resolve().parent
nav = st.navigation([st.Page(str(HERE / "views" / f), title=t(k), icon=i, url_path=k, default=(k == "overview"))
                     for f, k, i in PAGES])
nav.run()
