"""``kizashi serve ui``: the analysts' dashboard (Streamlit), reading through the API."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Annotated, Optional

import typer

from cli.early import interrupt_on_sigterm
from core.console import err
from core.errors import ConfigError
from core.settings import Settings, get_settings
from ui.binding import check_binding, is_loopback, load_auth, secrets_files

APP = Path(__file__).resolve().parent.parent / "ui" / "app.py"


def dashboard_key(settings: Settings) -> str:
    """The read key the dashboard uses: the configured one, else one created for it once and kept
    (mode 600) in the data directory, since the key store holds only hashes."""
    if settings.api_key is not None:
        return settings.api_key.get_secret_value()
    from api.keys import KeyStore

    path = settings.home / "ui_api_key"
    if path.exists():
        key = path.read_text().strip()
        if KeyStore.at(settings.home).verify(key) is not None:
            return key
    key, _ = KeyStore.at(settings.home).create("read", "dashboard")
    settings.home.mkdir(parents=True, exist_ok=True)
    path.write_text(key)
    path.chmod(0o600)
    return key


def streamlit_command(host: str, port: int, secrets: list[Path] | None = None) -> list[str]:
    # Naming the secrets files pins Streamlit to the ones check_binding read (a config.toml can't swap them).
    pinned = [a for path in secrets or () for a in ("--secrets.files", str(path))]
    return [sys.executable, "-m", "streamlit", "run", str(APP), "--server.address", host, "--server.port", str(port),
            "--server.headless", "true", "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none",
            *pinned]


def guard_binding(host: str, settings: Settings) -> list[Path]:
    """Refuse (ConfigError) a non-loopback address without authentication; the secrets files to pin."""
    secrets = secrets_files(APP, Path.cwd(), Path.home())
    if is_loopback(host):
        return secrets
    auth, source = load_auth(secrets)
    why = check_binding(host, behind_auth_proxy=settings.ui_behind_auth_proxy, auth=auth, auth_source=source,
                        secrets=secrets, login_installed=_login_installed())
    err.print(f"Dashboard on non-loopback {host}: access is guarded by {why}.")
    return secrets


def _login_installed() -> bool:
    """st.login needs Streamlit ≥ 1.42 and Authlib; asked without importing Streamlit here."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        major, minor = (int(x) for x in version("streamlit").split(".")[:2])
    except (PackageNotFoundError, ValueError):
        return False
    return (major, minor) >= (1, 42) and importlib.util.find_spec("authlib") is not None


def api_bind(url: str) -> tuple[str, int]:
    """Where ``--api`` binds the API so that the dashboard finds it: the host and port of the
    URL the dashboard calls (KIZASHI_API_URL). The API started here speaks plain HTTP on this
    machine, so a URL elsewhere, or over https, cannot be served by it."""
    from urllib.parse import urlsplit

    from ui.binding import is_loopback

    u = urlsplit(url)
    try:
        port = u.port
    except ValueError:
        port = -1
    if u.scheme != "http" or not u.hostname or port == -1:
        raise ConfigError(f"KIZASHI_API_URL={url!r}: --api serves plain http://HOST:PORT on this machine; "
                          "give such a URL, or drop --api and point KIZASHI_API_URL at the running API")
    if not is_loopback(u.hostname):
        raise ConfigError(f"KIZASHI_API_URL={url!r} is not on this machine's loopback address, and --api starts "
                          "the API here: drop --api to use that API, or point KIZASHI_API_URL at http://127.0.0.1:PORT")
    return u.hostname, port or 80


def serve_ui(host: Annotated[Optional[str], typer.Option(help="Bind address (default: settings.ui_host).")] = None,
             port: Annotated[Optional[int], typer.Option(help="Port (default: settings.ui_port).")] = None,
             api: Annotated[bool, typer.Option("--api/--no-api", help="Also start the API (kizashi serve api) beside it.")] = False) -> None:
    """Serve the dashboard. It reads only through the API at KIZASHI_API_URL with KIZASHI_API_KEY
    (a read key is created for it when none is set)."""
    settings = get_settings()
    if not APP.exists():
        raise ConfigError(f"the dashboard is not installed ({APP} is missing)")
    h, p = host or settings.ui_host, port or settings.ui_port
    secrets = guard_binding(h, settings)
    env = dict(os.environ, KIZASHI_API_URL=os.environ.get("KIZASHI_API_URL") or settings.api_url)
    bind = api_bind(env["KIZASHI_API_URL"]) if api else None
    env["KIZASHI_API_KEY"] = os.environ.get("KIZASHI_API_KEY") or dashboard_key(settings)
    procs: list[subprocess.Popen] = []

    interrupt_on_sigterm()       # SIGTERM too stops the children, not only Ctrl-C
    try:
        if bind is not None:
            api_cmd = [sys.executable, "-m", "cli.main", "serve", "api", "--host", bind[0], "--port", str(bind[1])]
            procs.append(subprocess.Popen(api_cmd, env=env))
            time.sleep(1.0)
        err.print(f"Kizashi dashboard on http://{h}:{p} (API {env['KIZASHI_API_URL']})")
        ui = subprocess.Popen(streamlit_command(h, p, secrets), env=env)
        procs.append(ui)
        code = ui.wait()
    except KeyboardInterrupt:
        code = 0
    finally:
        for pr in procs:
            if pr.poll() is None:
                pr.terminate()
                try:
                    pr.wait(10)
                except subprocess.TimeoutExpired:
                    pr.kill()
    raise typer.Exit(code)


def register(app: typer.Typer) -> None:
    from cli.serve import serve_app

    serve_app.command("ui")(serve_ui)
