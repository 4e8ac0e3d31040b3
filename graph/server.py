"""The local Neo4j: Neo4j Community 5 from its Maven Central jars, run in one JVM
with the Bolt and HTTP connectors on 127.0.0.1 only, auth on (see launcher/Launcher.java).
The HTTP connector serves the HTTP API (``/db/neo4j/tx``, discovery at ``/``) and Neo4j
Browser at ``/browser/`` when its jar could be fetched.

Jars go to ``<cache>/neo4j-lib-<version>/``. Under ``<home>/neo4j``: ``db/`` the database,
``password`` (generated once, mode 600), ``server.pid``, ``server.port``, ``server.http``
(JSON: HTTP URL, whether the Browser is served), ``server.log``.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from core.errors import ServerError
from graph.connection import Connection
from core.settings import Settings

LAUNCHER = Path(__file__).parent / "launcher"
READY = "KIZASHI-NEO4J-READY"
# Neo4j Browser is published on Maven Central only up to this version (the 5.26 server
# serves it all the same); without it the HTTP API still works.
BROWSER = "org.neo4j.client:neo4j-browser:5.24.0"
DEFAULT_BOLT_PORT, DEFAULT_HTTP_PORT = 7687, 7474


@dataclass(frozen=True)
class Paths:
    root: Path
    cache: Path

    @classmethod
    def of(cls, settings: Settings) -> Paths:
        return cls(settings.home / "neo4j", settings.cache)

    def lib(self, version: str) -> Path:
        return self.cache / f"neo4j-lib-{version}"

    @property
    def db(self) -> Path:
        return self.root / "db"

    @property
    def password(self) -> Path:
        return self.root / "password"

    @property
    def pid(self) -> Path:
        return self.root / "server.pid"

    @property
    def port(self) -> Path:
        return self.root / "server.port"

    @property
    def http(self) -> Path:
        return self.root / "server.http"

    @property
    def log(self) -> Path:
        return self.root / "server.log"


def password(settings: Settings) -> str:
    """The local server's password: generated on first use, never a default."""
    p = Paths.of(settings).password
    if not p.exists():
        p.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(p, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(secrets.token_urlsafe(24))
    return p.read_text().strip()


def connection(settings: Settings) -> Connection:
    paths = Paths.of(settings)
    port = int(paths.port.read_text()) if paths.port.exists() else settings.bolt_port
    return Connection(f"bolt://127.0.0.1:{port}", "neo4j", password(settings), "neo4j")


def fetch_jars(settings: Settings) -> Path:
    """Download Neo4j's jars from Maven Central once (Maven's own cache is reused)."""
    lib = Paths.of(settings).lib(settings.neo4j_version)
    if lib.exists() and any(lib.glob("neo4j-bolt-*.jar")):
        return lib
    if shutil.which("mvn") is None:
        raise ServerError("Maven (mvn) is needed once to fetch Neo4j's jars from Maven Central; install it or set NEO4J_URI")
    tmp = lib.with_name(lib.name + f".partial-{os.getpid()}")
    shutil.rmtree(tmp, ignore_errors=True)
    cmd = ["mvn", "-q", "-B", "-f", str(LAUNCHER / "pom.xml"), "dependency:copy-dependencies",
           f"-DoutputDirectory={tmp}", f"-Dneo4j.version={settings.neo4j_version}"]
    done = subprocess.run(cmd, capture_output=True, text=True)
    if done.returncode != 0:
        raise ServerError(f"fetching Neo4j {settings.neo4j_version} jars failed:\n{done.stdout[-2000:]}{done.stderr[-2000:]}")
    lib.parent.mkdir(parents=True, exist_ok=True)
    tmp.rename(lib)
    return lib


def fetch_browser(lib: Path) -> bool:
    """Add Neo4j Browser's jar to ``lib`` once. Best effort: offline, the server runs without it."""
    if any(lib.glob("neo4j-browser-*.jar")):
        return True
    tmp = lib.parent / f"{lib.name}.browser-{os.getpid()}"
    shutil.rmtree(tmp, ignore_errors=True)
    cmd = ["mvn", "-q", "-B", "-f", str(LAUNCHER / "pom.xml"), "dependency:copy", f"-Dartifact={BROWSER}",
           f"-DoutputDirectory={tmp}"]
    try:
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
        jars = list(tmp.glob("neo4j-browser-*.jar")) if done.returncode == 0 else []
        for jar in jars:
            jar.rename(lib / jar.name)   # atomic: a server starting meanwhile sees all of it or none
        return bool(jars)
    except (OSError, subprocess.TimeoutExpired):
        return False
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _pid(paths: Paths) -> int | None:
    try:
        pid = int(paths.pid.read_text())
        os.kill(pid, 0)
        return pid
    except (FileNotFoundError, ValueError, ProcessLookupError, PermissionError):
        return None


def _port_open(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(0.5)
        return s.connect_ex(("127.0.0.1", port)) == 0


def running(settings: Settings) -> bool:
    return _pid(Paths.of(settings)) is not None


def http(settings: Settings) -> dict | None:
    """The running local server's HTTP connector: ``{"url", "browser"}`` (browser: its URL or None)."""
    paths = Paths.of(settings)
    if not settings.local or _pid(paths) is None:
        return None
    try:
        data = json.loads(paths.http.read_text())
    except (FileNotFoundError, ValueError):
        return None
    return {"url": data["url"], "browser": data["url"] + "/browser/" if data.get("browser") else None}


def _http_port(settings: Settings) -> int:
    if settings.http_port is not None:
        if settings.http_port and _port_open(settings.http_port):
            raise ServerError(f"port {settings.http_port} on 127.0.0.1 is taken by another process; set KIZASHI_HTTP_PORT")
        return settings.http_port
    # Neo4j's usual pair (7687, 7474) for the default server. Servers on other Bolt ports (test
    # sessions, benches, a second home) take any free port, so that two of them starting at
    # once never both pick 7474; db status and the dashboard read the port from server.http.
    if settings.bolt_port == DEFAULT_BOLT_PORT and not _port_open(DEFAULT_HTTP_PORT):
        return DEFAULT_HTTP_PORT
    return free_port()


def free_port() -> int:
    """A TCP port on 127.0.0.1 that is free now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(settings: Settings, timeout: float = 180.0) -> str:
    """Start the local server unless it already runs. Returns its Bolt URI."""
    if not settings.local:
        raise ServerError("NEO4J_URI is set: Kizashi uses that server and starts none")
    paths = Paths.of(settings)
    if _pid(paths) is not None:
        return connection(settings).uri
    if shutil.which("java") is None:
        raise ServerError("Java 17+ is needed to run the local Neo4j; install it or set NEO4J_URI")
    port = settings.bolt_port
    if _port_open(port):
        raise ServerError(f"port {port} on 127.0.0.1 is taken by another process; set KIZASHI_BOLT_PORT")
    http_port = _http_port(settings)
    lib = fetch_jars(settings)
    if http_port:
        fetch_browser(lib)
    password(settings)
    paths.db.mkdir(parents=True, exist_ok=True)
    paths.port.write_text(str(port))
    paths.http.unlink(missing_ok=True)
    cmd = ["java", f"-Xmx{settings.neo4j_heap}", "-XX:+UseG1GC", "-XX:+ExitOnOutOfMemoryError",
           "-Dfile.encoding=UTF-8", "-cp", f"{lib}/*", str(LAUNCHER / "Launcher.java"),
           str(paths.db), str(port), str(paths.password), str(settings.neo4j_page_cache_mb), str(http_port)]
    log = open(paths.log, "w")
    proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                            start_new_session=True)
    paths.pid.write_text(str(proc.pid))
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            paths.pid.unlink(missing_ok=True)
            raise ServerError(f"Neo4j exited during start-up; last lines of {paths.log}:\n{_tail(paths.log)}")
        ready = [ln for ln in paths.log.read_text(errors="replace").splitlines() if ln.startswith(READY)]
        if ready:
            if http_port:
                paths.http.write_text(json.dumps({"url": f"http://127.0.0.1:{http_port}",
                                                  "browser": ready[0].split()[-1] == "browser"}))
            return f"bolt://127.0.0.1:{port}"
        time.sleep(0.3)
    stop(settings)
    raise ServerError(f"Neo4j did not start within {timeout:.0f}s; see {paths.log}")


def stop(settings: Settings, timeout: float = 60.0) -> bool:
    """Stop the local server cleanly (SIGTERM runs Neo4j's shutdown). True if one was running."""
    paths = Paths.of(settings)
    pid = _pid(paths)
    if pid is None:
        paths.pid.unlink(missing_ok=True)
        return False
    os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            break
        _reap(pid)
        time.sleep(0.2)
    else:
        os.kill(pid, signal.SIGKILL)
    paths.pid.unlink(missing_ok=True)
    paths.http.unlink(missing_ok=True)
    return True


def _reap(pid: int) -> None:
    try:
        os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        pass


def _tail(path: Path, lines: int = 30) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except FileNotFoundError:
        return "(no log)"
