"""Whether the dashboard may listen on an address: loopback always, anything else only behind
authentication (Streamlit's own OIDC login, or a reverse proxy that authenticates every request).

The dashboard holds a read key to the API, so whoever reaches its port reads everything the key
can; on a shared network that has to be someone who logged in."""

from __future__ import annotations

import ipaddress
import os
import socket
import tomllib
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from core.errors import ConfigError

SHARED = ("redirect_uri", "cookie_secret")
PROVIDER = ("client_id", "client_secret", "server_metadata_url")

Resolver = Callable[[str], Iterable[str]]


def _resolve(host: str) -> list[str]:
    return [info[4][0] for info in socket.getaddrinfo(host, None)]


def _loopback_ip(text: str) -> bool:
    ip = ipaddress.ip_address(text)
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        return ip.ipv4_mapped.is_loopback        # ::ffff:127.0.0.1 is IPv4 loopback in disguise
    return ip.is_loopback


def is_loopback(host: str, resolve: Resolver = _resolve) -> bool:
    """True when every address `host` stands for is loopback (127.0.0.0/8, ::1). A name is
    resolved; one that does not resolve, or that also reaches another interface, is not loopback.
    The empty host and 0.0.0.0 / :: mean every interface."""
    text = host.strip().removeprefix("[").removesuffix("]")
    if not text:
        return False
    try:
        return _loopback_ip(text)
    except ValueError:
        pass
    try:
        addresses = {a.split("%", 1)[0] for a in resolve(text)}
    except (OSError, UnicodeError):
        return False
    try:
        return bool(addresses) and all(_loopback_ip(a) for a in addresses)
    except ValueError:
        return False


def _absolute_url(value: object) -> bool:
    if not isinstance(value, str):
        return False
    url = urlparse(value)
    return url.scheme in ("http", "https") and bool(url.netloc)


def _missing(section: Mapping[str, Any], keys: Sequence[str]) -> list[str]:
    return [k for k in keys if not (isinstance(section.get(k), str) and section[k].strip())]


def oidc_providers(auth: Mapping[str, Any]) -> list[str]:
    """The providers st.login() can use: "default" when [auth] itself names one, then each
    [auth.<name>] table that has all of client_id, client_secret and server_metadata_url."""
    names = ["default"] if not _missing(auth, PROVIDER) else []
    return names + [k for k, v in auth.items() if isinstance(v, Mapping) and k != "client_kwargs"
                    and "_" not in k and not _missing(v, PROVIDER)]


def auth_problems(auth: Mapping[str, Any]) -> list[str]:
    """What keeps an [auth] section from working with st.login (Streamlit's own rules, checked
    before the first visitor meets them); empty when it is complete."""
    problems = [f"{k} is missing or empty" for k in _missing(auth, SHARED)]
    uri = auth.get("redirect_uri")
    if isinstance(uri, str) and uri.strip():
        if not _absolute_url(uri.replace("{port}", "1")):
            problems.append(f"redirect_uri {uri!r} is not an absolute http(s) URL")
        elif not urlparse(uri).path.endswith("/oauth2callback"):
            problems.append(f"redirect_uri {uri!r} must end in /oauth2callback")
    providers = oidc_providers(auth)
    if not providers:
        problems.append("no provider: set client_id, client_secret and server_metadata_url in [auth] "
                        "or in an [auth.<name>] table (a name without underscores)")
    for name in providers:
        section = auth if name == "default" else auth[name]
        if not _absolute_url(section["server_metadata_url"]):
            where = "[auth]" if name == "default" else f"[auth.{name}]"
            problems.append(f"{where} server_metadata_url is not an absolute http(s) URL")
    return problems


def secrets_files(app: Path, cwd: Path, home: Path, environ: Mapping[str, str] = os.environ) -> list[Path]:
    """Where Streamlit looks for secrets, in its order (later files win): STREAMLIT_SECRETS_FILES
    when set (whitespace-separated, as its CLI reads it), else ~/.streamlit, ./.streamlit and the
    .streamlit beside the app. `kizashi serve ui` passes exactly this list to Streamlit, so the
    file checked here is the file the dashboard reads."""
    if environ.get("STREAMLIT_SECRETS_FILES", "").strip():
        return [Path(p) for p in environ["STREAMLIT_SECRETS_FILES"].split()]
    paths = [home / ".streamlit" / "secrets.toml", cwd / ".streamlit" / "secrets.toml",
             app.parent / ".streamlit" / "secrets.toml"]
    return list(dict.fromkeys(paths))


def _read_directory(path: Path) -> dict[str, Any]:
    """Kubernetes-style secrets as Streamlit reads them: one folder per key, one file per value."""
    out: dict[str, Any] = {}
    for sub in sorted(path.iterdir()):
        if not sub.is_dir():
            raise ConfigError(f"secrets directory {path}: {sub.name} is not a folder")
        values = {f.name: f.read_text(encoding="utf-8").strip() for f in sorted(sub.iterdir()) if f.is_file()}
        out[sub.name] = next(iter(values.values())) if len(values) == 1 else values
    return out


def load_auth(paths: Sequence[Path]) -> tuple[Mapping[str, Any] | None, Path | None]:
    """The [auth] section Streamlit will use from these secrets files (a later file's top-level
    keys replace an earlier one's, as in Streamlit) and the file it came from."""
    auth: Mapping[str, Any] | None = None
    source: Path | None = None
    for path in paths:
        if path.suffix == ".toml":
            if not path.is_file():
                continue
            try:
                data = tomllib.loads(path.read_text(encoding="utf-8"))
            except (tomllib.TOMLDecodeError, UnicodeDecodeError) as e:
                raise ConfigError(f"secrets file {path} is not valid TOML: {e}") from None
        elif path.is_dir():
            data = _read_directory(path)
        else:
            continue
        if "auth" in data:
            auth, source = data["auth"], path
    if auth is not None and not isinstance(auth, Mapping):
        raise ConfigError(f"secrets file {source}: auth must be a table ([auth]), not a {type(auth).__name__}")
    return auth, source


def check_binding(host: str, *, behind_auth_proxy: bool, auth: Mapping[str, Any] | None,
                  auth_source: Path | None = None, secrets: Sequence[Path] = (), login_installed: bool = True,
                  resolve: Resolver = _resolve) -> str:
    """Why the dashboard may listen on `host` ("loopback", "auth proxy" or "OIDC login"), or a
    ConfigError naming the host and what to configure."""
    if is_loopback(host, resolve):
        return "loopback"
    if behind_auth_proxy:
        return "auth proxy"
    where = str(auth_source) if auth_source else " or ".join(map(str, secrets)) or ".streamlit/secrets.toml"
    head = f"refusing to serve the dashboard on {host!r}: it is not a loopback address, and"
    if auth is not None:
        problems = auth_problems(auth)
        if problems:
            raise ConfigError(f"{head} the [auth] section in {where} cannot log anyone in: "
                              f"{'; '.join(problems)}. Fix it (docs/security.md), or bind to 127.0.0.1.")
        if not login_installed:
            raise ConfigError(f"{head} [auth] in {where} needs Streamlit ≥ 1.42 with Authlib to log users in: "
                              f"pip install 'streamlit[auth]>=1.42'")
        return "OIDC login"
    raise ConfigError(
        f"{head} no authentication is configured. Either configure Streamlit's OIDC login (an [auth] section "
        f"with redirect_uri, cookie_secret, client_id, client_secret and server_metadata_url in {where}), "
        f"or serve it only behind a reverse proxy that authenticates every request and set "
        f"KIZASHI_UI_BEHIND_AUTH_PROXY=true, or bind to 127.0.0.1 (docs/security.md).")
