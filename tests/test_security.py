"""API security against the real Neo4j: every non-public route needs a key, admin
routes the admin key; keys are compared in constant time and never logged; the
Cypher endpoint refuses writes, schema and admin commands, LOAD CSV and runaway
queries; rate limits are per key; the local Neo4j listens on 127.0.0.1 only, with
auth on.

Already covered in tests/test_api.py and not repeated here: the basic refusal list
(``REFUSED``: CREATE/MERGE/DELETE/SET/REMOVE/FOREACH, CREATE INDEX, DROP CONSTRAINT,
``CALL dbms.listConfig``/``dbms.security.listUsers``, ``LOAD CSV FROM 'file:…'``,
APOC, SHOW USERS, two statements), the 1 s timeout on a counting query, the row
limit on ``UNWIND range``, one key's 429 and revocation. tests/test_api_schema.py
runs schemathesis over the OpenAPI spec (0 server errors).
"""

from __future__ import annotations

import inspect
import logging
import socket
from pathlib import Path

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

import api.keys as keys_mod
from api import app as app_mod
from api.app import create_app
from api.keys import KeyStore
from graph import server
from graph.store import Connection, Store, open_driver
from core.errors import QueryRefused, StoreUnavailable
from tests.test_api import Api, api, error, make_settings  # noqa: F401  (api is a fixture)

PUBLIC = {"/health", "/openapi.json", "/docs", "/docs/oauth2-redirect", "/redoc"}
SAMPLE = {"tech_id": "tech:a", "iso": "JP", "org_id": "ror:jp1", "ranking_key": "rk-x", "technology": "tech:a",
          "q": "quantum"}


def _routes(app) -> list[tuple[str, str, APIRoute]]:
    out = []
    for r in app.routes:
        if isinstance(r, APIRoute) and r.path not in PUBLIC:
            for m in sorted(r.methods - {"HEAD", "OPTIONS"}):
                out.append((m, r.path, r))
    return out


def _needs_admin(route: APIRoute) -> bool:
    return any(d.call is app_mod.admin for d in route.dependant.dependencies)


def _call(client: TestClient, method: str, route: APIRoute, headers: dict[str, str]):
    path = route.path
    for p in route.dependant.path_params:
        path = path.replace("{" + p.name + "}", SAMPLE.get(p.name, "x")).replace("{" + p.name + ":path}", SAMPLE.get(p.name, "x"))
    params = {q.name: SAMPLE.get(q.name, "x") for q in route.dependant.query_params if q.field_info.is_required()}
    body = {"query": "MATCH (n) RETURN count(n) AS n"} if path == "/cypher" else ({} if method == "POST" else None)
    return client.request(method, path, params=params, json=body, headers=headers)


def test_every_non_public_route_needs_a_key_and_admin_routes_the_admin_key(api: Api) -> None:  # noqa: F811
    routes = _routes(api.client.app)
    assert len(routes) >= 12
    admin_routes = [p for _, p, r in routes if _needs_admin(r)]
    assert "/rankings/run" in admin_routes
    for method, path, route in routes:
        # every route has an auth dependency: none is public by accident
        assert any(d.call in (app_mod.reader, app_mod.admin) for d in route.dependant.dependencies), path
        for headers in ({}, {"X-API-Key": "kz_00000000_" + "A" * 43}, {"X-API-Key": api.read["X-API-Key"] + "x"},
                        {"Authorization": "Bearer nope"}, {"X-API-Key": "x" * 5000}):
            error(_call(api.client, method, route, headers), 401, "unauthorized")
        if _needs_admin(route):
            error(_call(api.client, method, route, api.read), 403, "forbidden")
        else:
            assert _call(api.client, method, route, api.read).status_code not in (401, 403), path
    # the public routes stay public
    assert api.client.get("/health").status_code == 200
    assert api.client.get("/openapi.json").status_code == 200


def test_keys_are_compared_in_constant_time(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    src = inspect.getsource(KeyStore.verify)
    assert "hmac.compare_digest(_hash(presented), expected)" in src
    assert "_hash(presented) ==" not in src and "== expected" not in src
    calls = []
    real = keys_mod.hmac.compare_digest
    monkeypatch.setattr(keys_mod.hmac, "compare_digest", lambda a, b: calls.append((a, b)) or real(a, b))
    ks = KeyStore.at(tmp_path)
    good, _ = ks.create("read")
    assert ks.verify(good) is not None
    # an unknown key id and a wrong secret both cost one full-length digest comparison
    assert ks.verify("kz_deadbeef_" + "A" * 43) is None
    assert ks.verify(good[:-1] + ("B" if good[-1] != "B" else "C")) is None
    assert len(calls) == 3 and all(len(a) == len(b) == 64 for a, b in calls)


def test_keys_never_logged(api: Api, caplog: pytest.LogCaptureFixture) -> None:  # noqa: F811
    secret = api.read["X-API-Key"]
    admin_secret = api.admin["X-API-Key"]
    with caplog.at_level(logging.DEBUG):
        logging.getLogger().setLevel(logging.DEBUG)
        for _ in range(2):
            api.client.get("/technologies", headers=api.read)
            api.client.get("/rankings", headers=api.read, params={"technology": "tech:nope"})
            api.client.post("/rankings/run", headers=api.read, json={})
            api.client.post("/cypher", headers=api.read, json={"query": "CREATE (n) RETURN n"})
            api.client.post("/cypher", headers=api.admin, json={"query": "MATCH (n) RETURN n LIMIT"})
            api.client.get("/technologies", headers={"X-API-Key": secret + "tampered"})
            api.client.get("/technologies", headers={"Authorization": f"Bearer {admin_secret}"})
            r = api.client.get("/countries/ZZ", headers=api.read)
            assert secret not in r.text
    text = caplog.text + "".join(str(r.__dict__) for r in caplog.records)
    assert caplog.records, "expected some log output to inspect"
    assert secret not in text and admin_secret not in text
    assert secret.split("_", 2)[2] not in text


def test_key_file_holds_hashes_only(api: Api) -> None:  # noqa: F811
    stored = (api.home / "api_keys.json").read_text()
    for k in (api.read["X-API-Key"], api.admin["X-API-Key"]):
        assert k not in stored and k.split("_", 2)[2] not in stored


# ---------------------------------------------------------------- read-only Cypher

MORE_REFUSED = {
    "write in a subquery": "MATCH (n) CALL { WITH n SET n.x = 1 } RETURN count(*)",
    "write hidden by a comment": "MATCH (n) /* x */ SET/**/n.x = 1",
    "lower-case write": "match (n) detach delete n",
    "create via backtick-free alias": "WITH 1 AS x CREATE (:Y {x: x})",
    "schema: index": "CREATE FULLTEXT INDEX t IF NOT EXISTS FOR (n:Work) ON EACH [n.title]",
    "schema: drop index": "DROP INDEX work_key IF EXISTS",
    "admin: kill queries": "CALL dbms.killQueries(['query-1'])",
    "admin: components": "call dbms.components() yield name return name",
    "admin: procedures list": "SHOW PROCEDURES",
    "admin: clear caches": "CALL db.clearQueryCaches()",
    "admin: tx metadata": "CALL tx.setMetaData({a: 1})",
    "admin: create database": "CREATE DATABASE evil",
    "admin: use system": "USE system MATCH (n) RETURN n",
    "admin: alter user": "ALTER USER neo4j SET PASSWORD 'x'",
    "load csv over http": "LOAD CSV WITH HEADERS FROM 'http://127.0.0.1:1/x.csv' AS row RETURN row",
    "load csv lower case": "load csv from 'file:///etc/shadow' as l return l",
    "batched writes": "UNWIND range(1, 10) AS i CALL { WITH i MERGE (:X {i: i}) } IN TRANSACTIONS RETURN 1",
    "unlisted procedure": "CALL db.stats.clear('QUERIES')",
    "two statements via comment": "MATCH (n) RETURN n // x\n; MATCH (m) DELETE m",
}


@pytest.mark.parametrize("name", sorted(MORE_REFUSED))
def test_cypher_refusals(api: Api, store, name: str) -> None:  # noqa: F811
    before = store.read("MATCH (n) RETURN count(n) AS n")[0]["n"]
    body = error(api.client.post("/cypher", headers=api.read, json={"query": MORE_REFUSED[name]}), 400, "query_refused")
    assert body["error"]["message"]
    assert store.read("MATCH (n) RETURN count(n) AS n")[0]["n"] == before


def test_runaway_queries_are_cut_by_time_and_rows(api: Api) -> None:  # noqa: F811
    c, h = api.client, api.read
    # a cartesian explosion: the server-side transaction timeout (1 s in these settings) stops it
    body = error(c.post("/cypher", headers=h, json={"query": "MATCH (a), (b), (c), (d), (e) WHERE id(a) + id(b) + id(c) + id(d) + id(e) = -1 "
                                                           "RETURN count(*) AS n"}),
                 400, "query_refused")
    assert "timeout" in body["error"]["message"].lower() or "terminated" in body["error"]["message"].lower()
    # rows stream: a billion-row result returns the first row_limit rows and says so
    r = c.post("/cypher", headers=h, json={"query": "UNWIND range(1, 1000000000) AS x RETURN x"})
    assert r.status_code == 200 and len(r.json()["rows"]) == 5 and r.json()["truncated"] is True
    # a huge query text is refused before it reaches Neo4j
    error(c.post("/cypher", headers=h, json={"query": "RETURN 1 " + "// pad\n" * 5000}), 422)


def test_server_side_read_transaction_refuses_writes_even_without_the_filter(store) -> None:
    # Defence in depth: Store.read runs in a READ transaction, so Neo4j itself refuses.
    for q in ("CREATE (n:Intruder) RETURN n", "CREATE INDEX intruder IF NOT EXISTS FOR (n:Intruder) ON (n.x)"):
        with pytest.raises(QueryRefused):
            store.read(q)
    assert store.read("MATCH (n:Intruder) RETURN count(n) AS n") == [{"n": 0}]


# ---------------------------------------------------------------- rate limits

def test_rate_limit_is_per_key(store, neo4j_conn: Connection, tmp_path: Path) -> None:
    cfg = make_settings(tmp_path, api_requests_per_minute=4)
    ks = KeyStore.at(tmp_path)
    a, _ = ks.create("read")
    b, _ = ks.create("read")
    with TestClient(create_app(cfg, neo4j_conn)) as c:
        codes_a = [c.get("/profiles", headers={"X-API-Key": a}).status_code for _ in range(6)]
        assert codes_a[:4] == [200] * 4 and codes_a[4:] == [429, 429]
        # another key is not slowed down by the first one's burst
        assert [c.get("/profiles", headers={"X-API-Key": b}).status_code for _ in range(4)] == [200] * 4
        # failed authentication attempts do not consume a real key's budget
        for _ in range(10):
            c.get("/profiles", headers={"X-API-Key": b[:-2] + "zz"})
        assert c.get("/profiles", headers={"X-API-Key": b}).status_code == 429  # b's 5th request, its own budget


# ---------------------------------------------------------------- the local Neo4j

def _listening(port: int) -> set[str]:
    """Local addresses (hex, as in /proc/net/tcp*) in LISTEN state on ``port``."""
    out = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except FileNotFoundError:
            continue
        for line in lines:
            parts = line.split()
            addr, state = parts[1], parts[3]
            host, p = addr.rsplit(":", 1)
            if int(p, 16) == port and state == "0A":
                out.add(host)
    return out


def _other_ips() -> list[str]:
    ips = set()
    try:
        for info in socket.getaddrinfo(socket.gethostname(), None, socket.AF_INET):
            ips.add(info[4][0])
    except OSError:
        pass
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        try:
            s.connect(("10.255.255.255", 1))   # no packet is sent: this only picks the outward interface
            ips.add(s.getsockname()[0])
        except OSError:
            pass
    return sorted(ip for ip in ips if not ip.startswith("127."))


def test_local_neo4j_listens_on_loopback_only_with_auth(local_server, neo4j_conn: Connection) -> None:
    if local_server is None:
        pytest.skip("NEO4J_URI names an external server; this checks the local one")
    port = int(neo4j_conn.uri.rsplit(":", 1)[1])
    listening = _listening(port)
    assert listening, f"nothing listens on {port}"
    # 127.0.0.1, ::ffff:127.0.0.1 (the same socket seen in tcp6) or ::1 only; never 0.0.0.0 / ::
    assert listening <= {"0100007F", "0000000000000000FFFF00000100007F", "00000000000000000000000001000000"}, listening
    for ip in _other_ips():
        with socket.socket() as s:
            s.settimeout(1.0)
            assert s.connect_ex((ip, port)) != 0, f"Bolt reachable on {ip}:{port}"
    # auth is on: a wrong password and no credentials are both refused
    for auth in (("neo4j", "wrong-password"), ("neo4j", "")):
        with pytest.raises(StoreUnavailable):
            open_driver(Connection(neo4j_conn.uri, auth[0], auth[1], neo4j_conn.database)).close()
    # the generated password is private to the user and is not a default
    pw = server.Paths.of(local_server).password
    assert pw.stat().st_mode & 0o077 == 0
    assert pw.read_text().strip() not in ("neo4j", "password", "")
    Store(open_driver(neo4j_conn), neo4j_conn.database).close()
