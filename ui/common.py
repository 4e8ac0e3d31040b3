"""What every page shares: the API client, the sidebar controls, captions, empty states."""

from __future__ import annotations

import json
from typing import Any

import streamlit as st

from ui.client import Api, ApiError
from ui.i18n import t

# Official lists the filters offer (ids as in the taxonomy), in the order analysts use them.
LISTS = {
    "jp_specified_critical_tech_areas": ("Japan: specified critical technologies (特定重要技術)", "特定重要技術"),
    "jp_k_program_vision": ("Japan: K Program", "K Program（経済安保重要技術育成プログラム）"),
    "jp_17_strategic_fields": ("Japan: 17 strategic fields", "17の戦略分野"),
    "us_cet_2024": ("US critical & emerging technologies (CET 2024)", "米国 重要・新興技術（CET 2024）"),
    "eu_critical_tech_2023": ("EU critical technology areas (2023)", "EU 重要技術分野（2023）"),
    "aspi_tracker_technologies": ("ASPI Critical Technology Tracker", "ASPI 重要技術トラッカー"),
    "jp_specified_critical_products": ("Japan: specified critical products", "特定重要物資"),
    "jp_7th_sti_plan_16_fields": ("Japan: 7th STI plan fields", "第7期科技イノベ基本計画 分野"),
    "au_critical_tech_2023": ("Australia: critical technologies (2023)", "豪州 重要技術（2023）"),
    "uk_st_framework_2023": ("UK: S&T framework (2023)", "英国 科学技術フレームワーク（2023）"),
    "uk_nsi_act_17_areas": ("UK: NSI Act 17 areas", "英国 NSI法 17分野"),
}
RISK_COLOURS = {"high": "red", "medium": "orange", "low": "green"}
DEFAULTS = {"lang": "en", "weighted_on": False, "counting": "fractional", "window": "all"}
COUNTING = {"fractional": "fractional · 分数", "full": "full · 整数"}


def api() -> Api:
    return Api.from_settings()


@st.cache_data(ttl=120, show_spinner=False)
def _get(base: str, key: str | None, path: str, params_json: str) -> dict[str, Any]:
    return Api(base, key).get(path, json.loads(params_json) or None)


@st.cache_data(ttl=120, show_spinner=False)
def _all(base: str, key: str | None, path: str, params_json: str) -> dict[str, Any]:
    return Api(base, key).all(path, json.loads(params_json) or None)


@st.cache_data(ttl=120, show_spinner=False)
def _raw(base: str, key: str | None, path: str, params_json: str) -> bytes:
    return Api(base, key).raw(path, json.loads(params_json) or None)


def get(path: str, params: dict[str, Any] | None = None) -> dict[str, Any]:
    a = api()
    return _get(a.base, a.key, path, json.dumps(params or {}, sort_keys=True))


def get_all(path: str, params: dict[str, Any] | None = None) -> dict[str, Any]:
    a = api()
    return _all(a.base, a.key, path, json.dumps(params or {}, sort_keys=True))


def raw(path: str, params: dict[str, Any] | None = None) -> bytes:
    a = api()
    return _raw(a.base, a.key, path, json.dumps(params or {}, sort_keys=True))


def lang() -> str:
    return st.session_state.get("lang", "en")


def list_label(list_id: str) -> str:
    en, ja = LISTS.get(list_id, (list_id, list_id))
    return ja if lang() == "ja" else en


def _keep(key: str, default: Any) -> None:
    """Carry a widget's value across pages (Streamlit forgets widgets a page does not draw)."""
    st.session_state.setdefault(key, default)
    st.session_state[key] = st.session_state[key]


@st.cache_data(ttl=300, show_spinner=False)
def _profiles(base: str, key: str | None) -> list[dict[str, Any]]:
    return Api(base, key).get("/profiles")["items"]


@st.cache_data(ttl=10, show_spinner=False)
def _job(base: str, key: str | None) -> dict[str, Any] | None:
    return Api(base, key).get("/status")["main_job"]


def job_banner(base: str, key: str | None) -> None:
    """While the main job runs, say which results may still change: the rankings shown are the
    last complete ones, and the steps to come (embeddings, clusters) have not updated theirs."""
    try:
        job = _job(base, key)
    except ApiError:          # an older API without /status: no banner rather than no page
        return
    if job:
        st.info(t("job_running").format(step=job["running"] or "…", done=len(job["done"]), total=len(job["steps"]),
                                        pending=", ".join(job["pending"]) or "—"), icon=":material/pending:")


def sidebar() -> dict[str, Any]:
    """The controls every page shares; returns the current context."""
    for k, v in DEFAULTS.items():
        _keep(k, v)
    st.sidebar.radio(t("language"), ["en", "ja"], key="lang", horizontal=True,
                     format_func=lambda x: "English" if x == "en" else "日本語")
    a = api()
    try:
        profiles = _profiles(a.base, a.key)
    except ApiError as e:
        api_down(e)
    job_banner(a.base, a.key)
    names = [p["name"] for p in profiles]
    _keep("profile", "jp_economic_security" if "jp_economic_security" in names else (names or [""])[0])
    if st.session_state["profile"] not in names and names:
        st.session_state["profile"] = names[0]
    st.sidebar.selectbox(t("profile"), names, key="profile",
                         help="; ".join(f"{p['name']}: {p['description'][:120]}" for p in profiles))
    st.sidebar.radio(t("counting"), ["fractional", "full"], key="counting", format_func=COUNTING.get, horizontal=True)
    st.sidebar.text_input(t("window"), key="window", help="all | YYYY-YYYY")
    return {"profile": st.session_state["profile"], "counting": st.session_state["counting"],
            "window": st.session_state["window"].strip() or "all", "profiles": profiles}


def page(title_key: str) -> dict[str, Any]:
    ctx = sidebar()
    st.title(t(title_key))
    return ctx


def api_down(e: ApiError) -> None:
    st.error(f"{t('api_down')}: {e.message}" if e.status == 0 else f"API {e.status} {e.code}: {e.message}")
    if e.status == 0:
        st.info(t("api_hint"))
    st.stop()


def fetch(fn, *args, **kw) -> Any:
    """Call the API; a down API or an error stops the page with an explanation."""
    try:
        return fn(*args, **kw)
    except ApiError as e:
        api_down(e)


def caption(as_of: str | None, counting: str | None = None, extra: str = "") -> None:
    """Every chart says what data it shows and how it was counted."""
    parts = [f"{t('as_of')}: {(as_of or '—')[:19].replace('T', ' ')}"]
    if counting:
        parts.append(f"{t('method')}: {t(counting)}")
    if extra:
        parts.append(extra)
    st.caption(" · ".join(parts))


def empty(what: str, hint: str) -> None:
    st.info(f"**{t(what)}** {t(hint)}")


def risk_badge(risk: str | None) -> str:
    if not risk:
        return "—"
    return f":{RISK_COLOURS.get(risk, 'gray')}-badge[{t('risk_' + risk)}]"


def pct(x: Any, nd: int = 1) -> str:
    return "—" if x is None else f"{100 * float(x):.{nd}f}%"


def doi_url(doi: str | None) -> str | None:
    return f"https://doi.org/{doi}" if doi else None


def openalex_url(oid: str | None) -> str | None:
    if not oid:
        return None
    return oid if oid.startswith("http") else f"https://openalex.org/{oid}"


def patent_url(key: str | None) -> str | None:
    if not key:
        return None
    return "https://patents.google.com/patent/" + key.removeprefix("pat:")


def policy_url(path_or_url: str | None) -> str | None:
    return path_or_url if path_or_url and path_or_url.startswith(("http://", "https://")) else None


def technologies() -> list[dict[str, Any]]:
    return fetch(get_all, "/technologies")["items"]


def tech_label(t_: dict[str, Any]) -> str:
    name = (t_.get("name_ja") if lang() == "ja" else None) or t_.get("name") or t_["key"]
    return f"{name} — {t_.get('works') or 0} {t('works')} · {t_.get('patents') or 0} {t('patents')}"


def api_settings_browser() -> str | None:
    """Base URL of a Neo4j Browser to link to: the configured one, else the local server's own
    (read from its run files, not from Neo4j: the dashboard only links, it never queries)."""
    import os

    from graph import server
    from core.settings import get_settings

    settings = get_settings()
    configured = os.environ.get("KIZASHI_NEO4J_BROWSER_URL") or settings.neo4j_browser_url
    if configured:
        return configured
    h = server.http(settings)
    return h["url"] if h and h["browser"] else None
