"""The dashboard listens beyond loopback only behind authentication: the decision (ui/binding.py),
the secrets files it reads, the real `kizashi serve ui` refusing, and the login gate on the page."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from core.errors import ConfigError
from graph.server import free_port
from ui.binding import auth_problems, check_binding, is_loopback, load_auth, oidc_providers, secrets_files

REPO = Path(__file__).resolve().parent.parent
APP = REPO / "ui" / "app.py"

AUTH = {"redirect_uri": "https://kizashi.example.jp/oauth2callback", "cookie_secret": "0123456789abcdef0123456789",
        "client_id": "kizashi", "client_secret": "s3cret",
        "server_metadata_url": "https://login.example.jp/.well-known/openid-configuration"}
VALID_TOML = """[auth]
redirect_uri = "https://kizashi.example.jp/oauth2callback"
cookie_secret = "0123456789abcdef0123456789"
client_id = "kizashi"
client_secret = "s3cret"
server_metadata_url = "https://login.example.jp/.well-known/openid-configuration"
"""
NO_COOKIE_TOML = "\n".join(line for line in VALID_TOML.splitlines() if not line.startswith("cookie_secret"))


def lan(_: str) -> list[str]:
    return ["192.168.1.20"]


def unresolvable(_: str) -> list[str]:
    raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")


def one_line(text: str) -> str:
    return " ".join(text.split())


# --- which hosts are loopback ----------------------------------------------------------

@pytest.mark.parametrize("host", ["127.0.0.1", "127.8.9.10", "::1", "[::1]", "::ffff:127.0.0.1", "localhost"])
def test_loopback_hosts(host: str) -> None:
    assert is_loopback(host)


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "", "192.168.1.20", "10.0.0.5", "::ffff:10.0.0.5", "fe80::1",
                                  "128.0.0.1"])
def test_hosts_beyond_loopback(host: str) -> None:
    assert not is_loopback(host)


def test_names_are_resolved_not_matched() -> None:
    assert is_loopback("dashboard.internal", resolve=lambda _: ["127.0.0.1", "::1"])
    assert not is_loopback("localhost", resolve=lan)              # what it resolves to decides, not the name
    assert not is_loopback("both.internal", resolve=lambda _: ["127.0.0.1", "192.168.1.20"])
    assert not is_loopback("nowhere.invalid", resolve=unresolvable)
    assert not is_loopback("empty.internal", resolve=lambda _: [])


# --- the decision ------------------------------------------------------------------------

def test_loopback_is_open_with_nothing_configured() -> None:
    assert check_binding("127.0.0.1", behind_auth_proxy=False, auth=None) == "loopback"
    assert check_binding("localhost", behind_auth_proxy=False, auth=None) == "loopback"


@pytest.mark.parametrize("host", ["0.0.0.0", "192.168.1.20", "::"])
def test_beyond_loopback_without_auth_is_refused(host: str) -> None:
    with pytest.raises(ConfigError) as e:
        check_binding(host, behind_auth_proxy=False, auth=None, secrets=[Path("/srv/kizashi/.streamlit/secrets.toml")])
    msg = str(e.value)
    assert f"refusing to serve the dashboard on '{host}'" in msg
    assert "no authentication is configured" in msg
    assert "[auth]" in msg and "cookie_secret" in msg and "/srv/kizashi/.streamlit/secrets.toml" in msg
    assert "KIZASHI_UI_BEHIND_AUTH_PROXY=true" in msg and "127.0.0.1" in msg


def test_a_name_that_resolves_to_the_lan_is_refused() -> None:
    with pytest.raises(ConfigError, match="'dash.lab'"):
        check_binding("dash.lab", behind_auth_proxy=False, auth=None, resolve=lan)


def test_behind_an_auth_proxy_is_allowed() -> None:
    assert check_binding("0.0.0.0", behind_auth_proxy=True, auth=None) == "auth proxy"


def test_complete_oidc_login_is_allowed() -> None:
    assert check_binding("0.0.0.0", behind_auth_proxy=False, auth=AUTH) == "OIDC login"


def test_oidc_without_authlib_is_refused_with_the_install_line() -> None:
    with pytest.raises(ConfigError, match=r"pip install 'streamlit\[auth\]>=1.42'"):
        check_binding("0.0.0.0", behind_auth_proxy=False, auth=AUTH, login_installed=False)


def test_incomplete_auth_is_refused_naming_what_is_missing() -> None:
    broken = {k: v for k, v in AUTH.items() if k != "cookie_secret"}
    with pytest.raises(ConfigError) as e:
        check_binding("0.0.0.0", behind_auth_proxy=False, auth=broken, auth_source=Path("/etc/kizashi/secrets.toml"))
    assert "the [auth] section in /etc/kizashi/secrets.toml cannot log anyone in" in str(e.value)
    assert "cookie_secret is missing or empty" in str(e.value)


def test_auth_problems_follow_streamlits_rules() -> None:
    assert auth_problems(AUTH) == []
    assert auth_problems({**AUTH, "cookie_secret": "  "}) == ["cookie_secret is missing or empty"]
    assert auth_problems({**AUTH, "redirect_uri": "/oauth2callback"}) == \
        ["redirect_uri '/oauth2callback' is not an absolute http(s) URL"]
    assert auth_problems({**AUTH, "redirect_uri": "https://kizashi.example.jp/"}) == \
        ["redirect_uri 'https://kizashi.example.jp/' must end in /oauth2callback"]
    assert auth_problems({**AUTH, "redirect_uri": "http://localhost:{port}/oauth2callback"}) == []
    shared = {"redirect_uri": AUTH["redirect_uri"], "cookie_secret": AUTH["cookie_secret"]}
    assert any(p.startswith("no provider") for p in auth_problems(shared))
    assert any(p.startswith("no provider") for p in auth_problems({**shared, "client_id": "x"}))
    provider = {k: AUTH[k] for k in ("client_id", "client_secret", "server_metadata_url")}
    assert auth_problems({**shared, "okta": provider}) == []
    assert any(p.startswith("no provider") for p in auth_problems({**shared, "my_idp": provider}))  # no underscores
    assert auth_problems({**shared, "okta": {**provider, "server_metadata_url": "okta.com"}}) == \
        ["[auth.okta] server_metadata_url is not an absolute http(s) URL"]


def test_providers_default_first_then_named() -> None:
    provider = {k: AUTH[k] for k in ("client_id", "client_secret", "server_metadata_url")}
    assert oidc_providers({**AUTH, "microsoft": provider, "client_kwargs": {"prompt": "login"}}) == \
        ["default", "microsoft"]


# --- the secrets files ------------------------------------------------------------------------

def test_secrets_files_in_streamlits_order(tmp_path: Path) -> None:
    home, cwd = tmp_path / "home", tmp_path / "work"
    assert secrets_files(APP, cwd, home, environ={}) == [
        home / ".streamlit" / "secrets.toml", cwd / ".streamlit" / "secrets.toml", REPO / "ui" / ".streamlit" / "secrets.toml"]
    assert secrets_files(APP, cwd, home, environ={"STREAMLIT_SECRETS_FILES": "/a/s.toml  /b/k8s"}) == \
        [Path("/a/s.toml"), Path("/b/k8s")]


def test_a_valid_secrets_file_allows_and_a_malformed_one_refuses(tmp_path: Path) -> None:
    good, bad = tmp_path / "good.toml", tmp_path / "bad.toml"
    good.write_text(VALID_TOML)
    bad.write_text(NO_COOKIE_TOML)
    auth, source = load_auth([tmp_path / "absent.toml", good])
    assert source == good and auth is not None and auth["client_id"] == "kizashi"
    assert check_binding("0.0.0.0", behind_auth_proxy=False, auth=auth, auth_source=source) == "OIDC login"
    auth, source = load_auth([good, bad])          # the later file's [auth] replaces the earlier one whole
    assert source == bad
    with pytest.raises(ConfigError, match=r"bad\.toml cannot log anyone in: cookie_secret is missing"):
        check_binding("0.0.0.0", behind_auth_proxy=False, auth=auth, auth_source=source)


def test_secrets_without_auth_and_unreadable_ones(tmp_path: Path) -> None:
    plain = tmp_path / "plain.toml"
    plain.write_text('api_token = "x"\n')
    assert load_auth([plain]) == (None, None)
    broken = tmp_path / "broken.toml"
    broken.write_text("[auth\nredirect_uri = 1\n")
    with pytest.raises(ConfigError, match="broken.toml is not valid TOML"):
        load_auth([broken])
    scalar = tmp_path / "scalar.toml"
    scalar.write_text('auth = "yes"\n')
    with pytest.raises(ConfigError, match="auth must be a table"):
        load_auth([scalar])


def test_directory_secrets_as_streamlit_reads_them(tmp_path: Path) -> None:
    folder = tmp_path / "mounted" / "auth"
    folder.mkdir(parents=True)
    for k, v in AUTH.items():
        (folder / k).write_text(v + "\n")
    auth, source = load_auth([tmp_path / "mounted"])
    assert source == tmp_path / "mounted" and dict(auth or {}) == AUTH


def test_streamlit_is_pinned_to_the_checked_files(tmp_path: Path) -> None:
    from cli.ui import streamlit_command

    files = [tmp_path / "a.toml", tmp_path / "b.toml"]
    cmd = streamlit_command("127.0.0.1", 8501, files)
    assert cmd[cmd.index("--secrets.files") + 1] == str(files[0]) and cmd[-2:] == ["--secrets.files", str(files[1])]
    assert "--secrets.files" not in streamlit_command("127.0.0.1", 8501)


# --- the real command --------------------------------------------------------------------

def _cli_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("KIZASHI_", "NEO4J_", "STREAMLIT_"))}
    env.update(HOME=str(tmp_path), KIZASHI_HOME=str(tmp_path / "kizashi"), COLUMNS="200",
               KIZASHI_API_URL=f"http://127.0.0.1:{free_port()}", **extra)
    return env


@pytest.mark.parametrize("how", ["flag", "env"])
def test_serve_ui_refuses_an_open_address(tmp_path: Path, how: str) -> None:
    argv = [sys.executable, "-m", "cli.main", "serve", "ui", "--port", str(free_port())]
    extra = {"KIZASHI_UI_HOST": "0.0.0.0"} if how == "env" else {}
    if how == "flag":
        argv += ["--host", "0.0.0.0"]
    r = subprocess.run(argv, env=_cli_env(tmp_path, **extra), cwd=tmp_path, capture_output=True, text=True, timeout=120)
    err = one_line(r.stderr + r.stdout)
    assert r.returncode == 1, err
    assert "refusing to serve the dashboard on '0.0.0.0'" in err and "no authentication is configured" in err
    assert "KIZASHI_UI_BEHIND_AUTH_PROXY=true" in err and str(tmp_path / ".streamlit" / "secrets.toml") in err
    assert "an [auth] section with redirect_uri, cookie_secret" in err      # printed as text, not eaten as markup
    # Refused before anything started: no dashboard key was minted, no Streamlit banner printed.
    assert not (tmp_path / "kizashi" / "ui_api_key").exists()
    assert "Kizashi dashboard on" not in err and "You can now view" not in err


def test_serve_ui_refuses_a_malformed_auth_file(tmp_path: Path) -> None:
    (tmp_path / ".streamlit").mkdir()
    (tmp_path / ".streamlit" / "secrets.toml").write_text(NO_COOKIE_TOML)
    argv = [sys.executable, "-m", "cli.main", "serve", "ui", "--host", "0.0.0.0", "--port", str(free_port())]
    r = subprocess.run(argv, env=_cli_env(tmp_path), cwd=tmp_path, capture_output=True, text=True, timeout=120)
    err = one_line(r.stderr + r.stdout)
    assert r.returncode == 1, err
    assert "cannot log anyone in: cookie_secret is missing or empty" in err


# --- the login gate on the page -------------------------------------------------------------

def _app(monkeypatch, tmp_path: Path, secrets: dict | None, user: dict):
    from streamlit.testing.v1 import AppTest

    # The pages behind the gate find no API: their "not reachable" notice shows the gate let them run.
    monkeypatch.setenv("KIZASHI_API_URL", f"http://127.0.0.1:{free_port()}")
    monkeypatch.setenv("KIZASHI_API_KEY", "kz_x_y")
    monkeypatch.chdir(tmp_path)
    at = AppTest.from_file(str(APP), default_timeout=60)
    if secrets:
        at.secrets.update(secrets)
    at.user = user
    return at.run()


def _texts(at) -> str:
    return "\n".join(str(e.value) for kind in ("title", "markdown", "caption", "info", "warning", "error")
                     for e in getattr(at, kind))


def test_without_auth_the_dashboard_stays_open(monkeypatch, tmp_path: Path) -> None:
    at = _app(monkeypatch, tmp_path, None, {})
    assert not at.exception, at.exception
    assert "not reachable" in _texts(at) and not [b for b in at.button if b.label == "Log in"]


def test_with_auth_a_visitor_must_log_in(monkeypatch, tmp_path: Path) -> None:
    at = _app(monkeypatch, tmp_path, {"auth": AUTH}, {"is_logged_in": False})
    assert not at.exception, at.exception
    assert "asks you to log in" in _texts(at) and "not reachable" not in _texts(at)
    assert [b.label for b in at.button] == ["Log in"]


def test_logged_in_visitor_sees_the_pages_and_can_log_out(monkeypatch, tmp_path: Path) -> None:
    at = _app(monkeypatch, tmp_path, {"auth": AUTH}, {"is_logged_in": True, "email": "analyst@example.jp"})
    assert not at.exception, at.exception
    assert "not reachable" in _texts(at) and "analyst@example.jp" in _texts(at)
    at.button(key="kizashi_logout").click().run()
    assert "asks you to log in" in _texts(at) and "not reachable" not in _texts(at)


def test_broken_auth_keeps_the_dashboard_closed(monkeypatch, tmp_path: Path) -> None:
    broken = {k: v for k, v in AUTH.items() if k != "cookie_secret"}
    at = _app(monkeypatch, tmp_path, {"auth": broken}, {"is_logged_in": True})
    assert "cookie_secret is missing or empty" in _texts(at) and "not reachable" not in _texts(at)


# --- serve ui --api: the API goes where the dashboard calls ----------------------------------

@pytest.mark.parametrize("url, why", [
    ("http://api.example.org:8000", "not on this machine's loopback address"),
    ("https://127.0.0.1:8443", "plain http://HOST:PORT"),
    ("http://127.0.0.1:notaport", "plain http://HOST:PORT"),
])
def test_api_bind_refuses_what_a_local_api_cannot_serve(url: str, why: str) -> None:
    from cli.ui import api_bind

    with pytest.raises(ConfigError, match=why):
        api_bind(url)


def test_serve_ui_with_api_starts_the_api_at_kizashi_api_url(cli_env, tmp_path: Path) -> None:
    import time

    import httpx

    from cli.ui import api_bind

    api_port, ui_port = free_port(), free_port()
    assert api_bind(f"http://127.0.0.1:{api_port}") == ("127.0.0.1", api_port)
    env = {**cli_env, "HOME": str(tmp_path), "KIZASHI_API_URL": f"http://127.0.0.1:{api_port}"}
    argv = [sys.executable, "-m", "cli.main", "serve", "ui", "--api", "--port", str(ui_port)]
    proc = subprocess.Popen(argv, env=env, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        deadline, health, page = time.monotonic() + 120, None, None
        while (health is None or page is None) and time.monotonic() < deadline:
            assert proc.poll() is None, proc.stdout.read() if proc.stdout else ""
            try:
                health = health or httpx.get(f"http://127.0.0.1:{api_port}/health", timeout=2)
                page = page or httpx.get(f"http://127.0.0.1:{ui_port}/", timeout=2)
            except httpx.HTTPError:
                time.sleep(0.5)
        assert health is not None and health.status_code == 200 and health.json()["neo4j"] == "up", health
        assert page is not None and page.status_code == 200
    finally:
        proc.terminate()
        out = proc.communicate(timeout=30)[0]
    assert f"(API http://127.0.0.1:{api_port})" in out and f"Kizashi API on http://127.0.0.1:{api_port}" in out
