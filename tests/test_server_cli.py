"""The local server launcher and the CLI's database commands, on the real Neo4j."""

import json
import os
import socket
import stat
import subprocess
import sys

import httpx
import neo4j
import pytest

from graph import server
from core.errors import ServerError
from core.settings import Settings
from tests.conftest import FIXTURES


def cli(env, *args, check=True):
    done = subprocess.run([sys.executable, "-m", "cli.main", *args], env=env, capture_output=True, text=True, timeout=300)
    if check:
        assert done.returncode == 0, done.stdout + done.stderr
    return done


def _non_loopback_ip() -> str | None:
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            s.connect(("10.255.255.255", 1))  # no packet is sent for UDP connect
            ip = s.getsockname()[0]
        return None if ip.startswith("127.") else ip
    except OSError:
        return None


def test_local_server_is_idempotent_private_and_password_protected(local_server):
    if local_server is None:
        pytest.skip("NEO4J_URI names an external server")
    uri = server.connection(local_server).uri
    assert server.start(local_server) == uri                      # second start: same server
    pw_file = server.Paths.of(local_server).password
    assert stat.S_IMODE(os.stat(pw_file).st_mode) == 0o600
    assert pw_file.read_text().strip() not in ("", "neo4j", "password")
    with pytest.raises(neo4j.exceptions.AuthError):
        neo4j.GraphDatabase.driver(uri, auth=("neo4j", "neo4j")).verify_connectivity()
    ip = _non_loopback_ip()
    if ip:
        with socket.socket() as s:
            s.settimeout(1)
            assert s.connect_ex((ip, local_server.bolt_port)) != 0   # Bolt listens on 127.0.0.1 only


def test_http_connector_is_private_authenticated_and_discoverable(local_server):
    if local_server is None:
        pytest.skip("NEO4J_URI names an external server")
    h = server.http(local_server)
    assert h is not None and h["url"].startswith("http://127.0.0.1:")
    port = int(h["url"].rsplit(":", 1)[1])
    # Discovery (no auth needed, as in any Neo4j) points at this server's Bolt port, not 7687.
    found = httpx.get(h["url"] + "/", headers={"Accept": "application/json"}, timeout=10).json()
    assert found["bolt_direct"] == server.connection(local_server).uri
    assert found["neo4j_version"].startswith("5.") and found["transaction"].startswith(h["url"])
    # The HTTP API refuses queries without, or with wrong, credentials.
    tx = h["url"] + "/db/neo4j/tx/commit"
    body = {"statements": [{"statement": "RETURN 41 + 1 AS answer"}]}
    assert httpx.post(tx, json=body, timeout=10).status_code == 401
    assert httpx.post(tx, json=body, auth=("neo4j", "neo4j"), timeout=10).status_code == 401
    ok = httpx.post(tx, json=body, auth=("neo4j", server.password(local_server)), timeout=30)
    assert ok.status_code == 200 and ok.json()["results"][0]["data"][0]["row"] == [42]
    # Neo4j Browser is served (its jar comes from Maven Central like the server's).
    assert h["browser"] == h["url"] + "/browser/"
    page = httpx.get(h["browser"], timeout=10)
    assert page.status_code == 200 and "text/html" in page.headers["content-type"]
    ip = _non_loopback_ip()
    if ip:
        with socket.socket() as s:
            s.settimeout(1)
            assert s.connect_ex((ip, port)) != 0   # HTTP listens on 127.0.0.1 only


def test_a_taken_http_port_is_refused_before_starting(tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        settings = Settings(home=tmp_path, bolt_port=server.free_port(), http_port=port, neo4j_uri=None)
        with pytest.raises(ServerError, match=f"port {port} .* KIZASHI_HTTP_PORT"):
            server.start(settings)
    assert not server.running(settings)


def test_local_status_reports_http_and_browser(local_server):
    if local_server is None:
        pytest.skip("NEO4J_URI names an external server")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("KIZASHI_", "NEO4J_"))}
    env.update(KIZASHI_HOME=str(local_server.home), KIZASHI_BOLT_PORT=str(local_server.bolt_port))
    status = json.loads(cli(env, "db", "status", "--json").stdout)
    h = server.http(local_server)
    assert status["running"] and status["uri"] == server.connection(local_server).uri
    assert status["http"] == h["url"] and status["browser"] == h["url"] + "/browser/"
    started = cli(env, "db", "start").stdout
    assert "already running" in started and f"Neo4j Browser at {h['browser']}" in started


def test_status_and_query_json(store, cli_env, tmp_path):
    cli(cli_env, "ingest", "openalex", str(FIXTURES / "openalex_works.jsonl"))
    status = json.loads(cli(cli_env, "db", "status", "--json").stdout)
    assert status["version"].startswith("Neo4j/5") and status["nodes"]["Work"] == 3
    assert status["relationships"]["IN_COUNTRY"] == 6
    rows = json.loads(cli(cli_env, "query", "MATCH (c:Country) RETURN c.code AS code ORDER BY code", "--json").stdout)
    assert [r["code"] for r in rows] == ["CN", "JP", "SG", "US"]
    summary = json.loads(cli(cli_env, "summary", "--json").stdout)
    assert summary["top_countries"][0] == {"country": "JP", "name": None, "fractional": 1.25, "full": 2}


def test_query_refuses_writes(store, cli_env):
    done = cli(cli_env, "query", "CREATE (:Work {key: 'x'})", check=False)
    assert done.returncode == 1 and "error" in done.stderr.lower()
    assert store.read("MATCH (w:Work {key: 'x'}) RETURN count(w) AS n") == [{"n": 0}]


def test_db_start_with_external_uri_starts_nothing(cli_env):
    done = cli(cli_env, "db", "start", check=False)
    assert done.returncode == 1 and "NEO4J_URI is set" in done.stderr


def test_offline_without_data_says_so(store, cli_env):
    env = {**cli_env, "KIZASHI_OPENALEX_URL": "http://127.0.0.1:9"}
    done = cli(env, "run", "--offline", check=False)
    assert done.returncode == 1 and "offline and no data" in done.stderr


def test_run_ends_with_a_step_table_that_accounts_for_every_write(store, cli_env, tmp_path):
    data = tmp_path / "data"
    (data / "openalex").mkdir(parents=True)
    (data / "openalex" / "works.jsonl").write_bytes((FIXTURES / "openalex_works.jsonl").read_bytes())
    done = cli(cli_env, "run", "--data", str(data), "--no-serve", "--json", "--skip", "embeddings", "--skip", "emerging")
    report = json.loads(done.stdout)               # stdout holds only the table; the steps wrote to stderr
    names = [s["name"] for s in report["steps"]]
    assert names == ["ingest OpenAlex", "technology taxonomy", "organization resolution",
                     "document → technology mapping", "rankings"]
    assert all(s["status"] == "done" and s["seconds"] > 0 for s in report["steps"])
    assert report["steps"][0]["command"] == f"kizashi ingest openalex {data / 'openalex'}"
    assert report["total_seconds"] == pytest.approx(sum(s["seconds"] for s in report["steps"]), abs=0.3)
    # the graph was empty: the steps' deltas add up to what it holds now
    status = json.loads(cli(cli_env, "db", "status", "--json").stdout)
    assert sum(s["nodes"] for s in report["steps"]) == sum(status["nodes"].values())
    assert sum(s["relationships"] for s in report["steps"]) == sum(status["relationships"].values())
    ingest = report["steps"][0]
    assert ingest["nodes"] >= 3 and ingest["rate_per_second"] == pytest.approx(
        (ingest["nodes"] + ingest["relationships"]) / ingest["seconds"], rel=0.05)
    saved = json.loads((tmp_path / "home" / "runs" / "last.json").read_text())
    assert saved == report
    shown = cli(cli_env, "run", "--data", str(data), "--no-serve", "--skip", "embeddings", "--skip", "emerging",
                "--skip", "rankings").stdout
    assert "main job steps" in shown and "organization resolution" in shown and "step table:" in shown


def _serving_rerun(cli_env, tmp_path):
    """A first run that stores rankings, then a serving rerun; returns it once its API answers."""
    import time

    from graph.server import free_port

    data = tmp_path / "data"
    (data / "openalex").mkdir(parents=True)
    (data / "openalex" / "works.jsonl").write_bytes((FIXTURES / "openalex_works.jsonl").read_bytes())
    skips = ["--skip", "embeddings", "--skip", "emerging"]
    cli(cli_env, "run", "--data", str(data), "--no-serve", *skips)         # first run: rankings stored
    api_port, ui_port = free_port(), free_port()
    env = {**cli_env, "KIZASHI_API_URL": f"http://127.0.0.1:{api_port}", "KIZASHI_UI_PORT": str(ui_port)}
    proc = subprocess.Popen([sys.executable, "-m", "cli.main", "run", "--data", str(data), *skips], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    deadline, health = time.monotonic() + 180, None
    while health is None and time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(proc.stdout.read())
        try:
            health = httpx.get(f"http://127.0.0.1:{api_port}/health", timeout=2)
        except httpx.HTTPError:
            time.sleep(0.5)
    assert health is not None and health.json()["neo4j"] == "up"
    return proc, api_port


def _stopped(proc, api_port, home):
    import signal

    from core import run_state

    proc.send_signal(signal.SIGTERM)
    out = proc.communicate(timeout=60)[0]
    with pytest.raises(httpx.HTTPError):                      # SIGTERM stopped the server with the run
        httpx.get(f"http://127.0.0.1:{api_port}/health", timeout=2)
    assert run_state.read(home) is None                       # the file says the run ended
    return out


def test_a_rerun_serves_the_last_results_while_it_recomputes(store, cli_env, tmp_path):
    import time

    from core import run_state

    proc, api_port = _serving_rerun(cli_env, tmp_path)
    home = tmp_path / "home"
    try:
        state = json.loads((home / run_state.FILE).read_text())
        assert state["serving_since"] is not None and state["serving_since"] >= state["started"]
        deadline = time.monotonic() + 180
        while state["finished"] is None and time.monotonic() < deadline:     # the steps end; serving goes on
            assert proc.poll() is None, proc.stdout.read()
            time.sleep(0.5)
            state = json.loads((home / run_state.FILE).read_text())
        assert state["finished"] and state["failed"] is None and list(state["done"]) == list(state["steps"])
        assert httpx.get(f"http://127.0.0.1:{api_port}/health", timeout=5).status_code == 200
    finally:
        out = _stopped(proc, api_port, home)
    # The server came up before the rerun's first step, because the graph already held rankings.
    assert out.index("serving while the job runs") < out.index("ingest OpenAlex"), out
    assert "main job steps" in out


def test_sigterm_stops_a_serving_run_and_its_server(store, cli_env, tmp_path):
    proc, api_port = _serving_rerun(cli_env, tmp_path)
    out = _stopped(proc, api_port, tmp_path / "home")          # most often while a step still runs
    assert proc.returncode != 0 or "Serving the results" in out
    assert (tmp_path / "home" / "runs" / "last.json").exists()  # the steps that ran are tabled


def test_run_state_names_the_running_step_and_forgets_dead_runs(tmp_path):
    from core import run_state as rs

    assert rs.read(tmp_path) is None
    plan = ("ingest", "rankings", "embeddings", "clusters")
    state = rs.RunState(rs.now(), os.getpid(), plan, done=("ingest",), running="rankings")
    rs.write(tmp_path, state)
    got = rs.read(tmp_path)
    assert got == state and got.pending == ("embeddings", "clusters")
    assert got.as_json()["pending"] == ["embeddings", "clusters"] and got.as_json()["active"]
    rs.write(tmp_path, state.with_(finished=rs.now()))
    assert rs.read(tmp_path) is None                          # ended
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    rs.write(tmp_path, state.with_(pid=gone.pid))
    assert rs.read(tmp_path) is None                          # killed: its process is gone
    (tmp_path / rs.FILE).write_text("{not json")
    assert rs.read(tmp_path) is None


def test_rankings_come_before_the_embedding_and_cluster_steps(tmp_path):
    from cli.main import _steps

    (tmp_path / "openalex").mkdir()
    names = [n for n, _ in _steps(tmp_path, False, 10)]
    assert names.index("rankings") < names.index("embeddings") < names.index("emerging clusters")
