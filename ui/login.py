"""The login gate at the top of the dashboard: when Streamlit's [auth] secrets are configured,
nothing is shown until the visitor has logged in through OIDC. Without [auth] the dashboard stays
open, which `kizashi serve ui` allows only on loopback or behind an authenticating proxy."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import streamlit as st

from ui.binding import auth_problems, oidc_providers

TEXT = {
    "prompt": ("Kizashi asks you to log in first.", "Kizashi を使うにはログインしてください。"),
    "login": ("Log in", "ログイン"),
    "login_with": ("Log in with {}", "{} でログイン"),
    "logout": ("Log out", "ログアウト"),
    "broken": ("Login is configured but cannot work, so the dashboard stays closed:",
               "ログイン設定に不備があるため、ダッシュボードは閉じたままです:"),
}


def _t(key: str) -> str:
    en, ja = TEXT[key]
    return ja if st.session_state.get("lang") == "ja" else en


def _auth_section() -> Mapping[str, Any] | None:
    try:
        section = st.secrets.get("auth")
    except FileNotFoundError:   # no secrets file (StreamlitSecretNotFoundError); `serve ui` checks the file itself
        return None
    return section if isinstance(section, Mapping) else None


def require_login() -> None:
    """Stop the run unless login is not configured or the visitor is logged in."""
    auth = _auth_section()
    if auth is None:
        return
    problems = auth_problems(auth)
    if problems:      # fail closed: a broken [auth] must not leave the pages open
        st.error(_t("broken") + " " + "; ".join(problems))
        st.stop()
    if st.user.get("is_logged_in", False):
        who = st.user.get("email") or st.user.get("name")
        with st.sidebar:
            if who:
                st.caption(str(who))
            if st.button(_t("logout"), key="kizashi_logout"):
                st.logout()
                st.rerun()      # this run must not go on to draw the pages for a logged-out visitor
        return
    st.title("Kizashi 兆し")
    st.write(_t("prompt"))
    for name in oidc_providers(auth):
        label = _t("login") if name == "default" else _t("login_with").format(name)
        if st.button(label, key=f"kizashi_login_{name}"):
            st.login(None if name == "default" else name)
    st.stop()
