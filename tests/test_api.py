"""Every API route against the real Neo4j (FastAPI TestClient), auth, limits, outage."""

from __future__ import annotations

import csv
import io
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from analysis import profiles
from api.app import create_app
from api.keys import KeyStore
from graph.store import Connection
from analysis.rank_runs import params_from
from core.settings import Settings
from tests.test_rank_seed import seed


@dataclass
class Api:
    client: TestClient
    read: dict[str, str]
    admin: dict[str, str]
    keys: KeyStore
    home: Path


def make_settings(home: Path, **kw) -> Settings:
    # Limits wide open: these tests are about answers; tests/test_security.py tightens each limit.
    # The seed's five papers rank at evidence thresholds of one document (the thin-evidence
    # guards have their own tests in tests/test_rank.py and tests/test_ui_apptest.py).
    base = dict(home=home, rank_bootstrap=200, rank_min_documents=1, rank_min_cell_documents=1, api_requests_per_minute=10_000, api_cypher_max_rows=5,
                api_cypher_timeout_seconds=1.0, api_burst_per_second=10_000, api_auth_failures_per_minute=10_000)
    base.update(kw)
    return Settings(**base)


def stored_rankings(store, settings: Settings) -> None:
    from analysis import rank

    prof = profiles.load()
    for by in ("country", "organization"):
        for window in ("all", "2020-2022"):
            rank.compute(store, None, by, params_from(settings, window, "fractional"), prof, save=True)


@pytest.fixture
def api(store, neo4j_conn: Connection, tmp_path: Path) -> Iterator[Api]:
    seed(store)
    settings = make_settings(tmp_path)
    stored_rankings(store, settings)
    keys = KeyStore.at(tmp_path)
    read, _ = keys.create("read")
    adm, _ = keys.create("admin")
    with TestClient(create_app(settings, neo4j_conn)) as client:
        yield Api(client, {"X-API-Key": read}, {"X-API-Key": adm}, keys, tmp_path)


def ok(resp, status: int = 200) -> dict:
    assert resp.status_code == status, resp.text
    body = resp.json()
    assert body["data_as_of"].startswith("2026-01-02T03:04:05")
    assert resp.headers["X-Data-As-Of"] == body["data_as_of"]
    return body


def error(resp, status: int, code: str | None = None) -> dict:
    assert resp.status_code == status, resp.text
    body = resp.json()
    assert set(body) == {"error", "data_as_of"} and set(body["error"]) == {"status", "code", "message"}
    assert body["error"]["status"] == status and body["error"]["message"]
    if code:
        assert body["error"]["code"] == code
    return body


def test_technologies_and_pagination(api: Api) -> None:
    c, h = api.client, api.read
    body = ok(c.get("/technologies", headers=h, params={"limit": 1}))
    assert body["total"] == 2 and [t["key"] for t in body["items"]] == ["tech:a"] and body["next_cursor"]
    page2 = ok(c.get("/technologies", headers=h, params={"limit": 1, "cursor": body["next_cursor"]}))
    assert [t["key"] for t in page2["items"]] == ["tech:b"] and page2["next_cursor"] is None
    listed = ok(c.get("/technologies", headers=h, params={"list": "jp_specified_critical_tech"}))
    assert [t["key"] for t in listed["items"]] == ["tech:a"]
    error(c.get("/technologies", headers=h, params={"cursor": "garbage!"}), 400, "bad_cursor")
    rows = list(csv.DictReader(io.StringIO(c.get("/technologies", headers=h, params={"format": "csv"}).text)))
    assert [r["key"] for r in rows] == ["tech:a", "tech:b"]

    t = ok(c.get("/technologies/tech:a", headers=h))["data"]
    assert t["name_ja"] == "量子センシング" and sorted(t["lists"]) == ["jp_specified_critical_tech", "us_cet_2024"]
    assert t["ranking"]["summary"]["leader"]["id"] == "CN" and len(t["ranking"]["top"]) == 3
    assert t["policy"]["documents"] == 1 and t["clusters"][0]["cluster"]["key"] == "cluster:1"
    assert ok(c.get("/technologies/a", headers=h))["data"]["key"] == "tech:a"
    error(c.get("/technologies/tech:nope", headers=h), 404, "not_found")


def test_rankings(api: Api) -> None:
    c, h = api.client, api.read
    q = {"technology": "tech:a", "window": "2020-2022"}
    body = ok(c.get("/rankings", headers=h, params=q))
    r = body["ranking"]
    assert r["source"] == "stored" and r["summary"]["contested"] is True and r["summary"]["hhi"] == pytest.approx(0.34)
    shares = {x["id"]: x["papers_share"] for x in body["items"]}
    assert shares == pytest.approx({"CN": 0.4, "US": 0.3, "JP": 0.3})
    assert all(x["papers_share_lo"] <= x["papers_share"] <= x["papers_share_hi"] for x in body["items"])
    assert r["params"]["snapshot_id"] == r["snapshot_id"] and r["params"]["bootstrap"] == 200
    by_id = {x["id"]: x for x in body["items"]}
    assert by_id["CN"]["score_weighted"] == 0.0

    # custom weights: only papers → CN first; custom weight vector → CN weighted again
    papers = ok(c.get("/rankings", headers=h, params={**q, "weights": "papers:1"}))
    assert papers["items"][0]["id"] == "CN" and papers["ranking"]["key"] != r["key"]
    assert papers["ranking"]["evidence_key"] == r["key"]
    cw = ok(c.get("/rankings", headers=h, params={**q, "weights": "papers:1", "country_weights": "CN:1"}))
    assert {x["id"]: x["rank_weighted"] for x in cw["items"]}["CN"] == 1
    assert "+w" in cw["ranking"]["profile"]

    fresh = ok(c.get("/rankings", headers=h, params={**q, "fresh": "true"}))
    assert fresh["ranking"]["source"] == "computed" and fresh["ranking"]["key"] == r["key"]
    assert fresh["items"] == body["items"]          # seeded bootstrap: identical
    live = ok(c.get("/rankings", headers=h, params={"technology": "tech:a", "window": "2021-2022"}))
    assert live["ranking"]["source"] == "computed"
    # the same request again is answered from the response cache, byte for byte
    resp = c.get("/rankings", headers=h, params={"technology": "tech:a", "window": "2021-2022"})
    assert resp.headers["x-cache"] == "hit" and ok(resp) == live
    # another page of it misses the response cache but reuses the computed ranking
    again = ok(c.get("/rankings", headers=h, params={"technology": "tech:a", "window": "2021-2022", "limit": 1}))
    assert again["ranking"]["source"] == "cache" and again["items"] == live["items"][:1]
    full = ok(c.get("/rankings", headers=h, params={**q, "counting": "full"}))
    assert {x["id"]: x["papers_share"] for x in full["items"]} == pytest.approx({"CN": 0.4, "US": 0.4, "JP": 0.4})

    orgs = ok(c.get("/rankings", headers=h, params={**q, "by": "organization", "limit": 2}))
    assert orgs["total"] == 3 and len(orgs["items"]) == 2 and orgs["next_cursor"]
    text = c.get("/rankings", headers=h, params={**q, "format": "csv"}).text
    assert list(csv.DictReader(io.StringIO(text)))[0]["id"] in ("JP", "US")

    error(c.get("/rankings", headers=h, params={"technology": "tech:nope"}), 404)
    error(c.get("/rankings", headers=h, params={**q, "window": "1999"}), 400)
    error(c.get("/rankings", headers=h, params={**q, "weights": "speed:1"}), 400)
    error(c.get("/rankings", headers=h, params={**q, "weights": "papers"}), 400)
    error(c.get("/rankings", headers=h, params={**q, "profile": "nope"}), 400)
    error(c.get("/rankings", headers=h, params={**q, "by": "planet"}), 422, "invalid_request")
    error(c.get("/rankings", headers=h), 422)

    # evidence: documents and the reproduction key
    ev = ok(c.get(f"/evidence/{r['key']}", headers=h, params={"entity": "JP"}))
    assert sorted(i["doi"] for i in ev["items"]) == ["10.1/w2", "10.1/w5"]
    assert ev["ranking"]["params"] == r["params"] and ev["ranking"]["policy_documents"] == ["policy:mofcom-2023-46"]
    fam = ok(c.get(f"/evidence/{r['key']}", headers=h, params={"kind": "families", "entity": "US"}))
    assert fam["items"][0]["family"] == "fam:F1" and sorted(fam["items"][0]["patents"]) == ["pat:EP1A", "pat:US1A"]
    error(c.get("/evidence/rk-nope", headers=h), 404)


def test_shortlist_clusters_entities_profiles(api: Api) -> None:
    c, h = api.client, api.read
    body = ok(c.get("/shortlist", headers=h, params={"window": "2020-2022"}))
    assert [x["technology"] for x in body["items"]] == ["tech:a", "tech:b"]
    assert "autonomy_risk" in body["shortlist"]["formulas"] and body["shortlist"]["weights"]["policy"] == 0.2
    only = ok(c.get("/shortlist", headers=h, params={"window": "2020-2022", "list": "jp_specified_critical_tech"}))
    assert [x["technology"] for x in only["items"]] == ["tech:a"]
    text = c.get("/shortlist", headers=h, params={"window": "2020-2022", "format": "csv"}).text
    assert text.startswith("rank,technology,name")
    x = c.get("/shortlist", headers=h, params={"window": "2020-2022", "format": "xlsx"})
    assert x.status_code == 200 and x.content[:2] == b"PK"
    error(c.get("/shortlist", headers=h, params={"weights": "luck:1"}), 400)

    cl = ok(c.get("/clusters/emerging", headers=h))
    assert cl["items"][0]["key"] == "cluster:1" and cl["items"][0]["size"] == 2
    assert cl["items"][0]["technologies"] == [{"technology": "tech:a", "score": 0.9}]
    assert ok(c.get("/clusters/emerging", headers=h, params={"technology": "tech:b"}))["items"] == []

    jp = ok(c.get("/countries/jp", headers=h))["data"]
    assert jp["name_ja"] == "日本" and jp["bloc"] == "self" and jp["works"] == 2
    assert {(p["technology"], p["window"]) for p in jp["rankings"]} >= {("tech:a", "2020-2022")}
    error(c.get("/countries/ZZ", headers=h), 404)
    org = ok(c.get("/organizations/ror:jp1", headers=h))["data"]
    assert org["name"] == "University of Tokyo" and org["country"] == "JP" and org["patents"] == 1
    assert any(p["technology"] == "tech:a" for p in org["rankings"])
    error(c.get("/organizations/ror:nope", headers=h), 404)

    names = [p["name"] for p in ok(c.get("/profiles", headers=h))["items"]]
    assert "jp_economic_security" in names
    assert c.get("/health").json()["neo4j"] == "up"
    # the start-up warm-up of dashboard views ends (here: a tiny graph) and says so
    deadline = time.monotonic() + 60
    while c.get("/health").json()["views"] != "ready" and time.monotonic() < deadline:
        time.sleep(0.2)
    assert c.get("/health").json()["views"] == "ready"
    spec = c.get("/openapi.json").json()
    assert {"/rankings", "/shortlist", "/evidence/{ranking_key}", "/cypher", "/search"} <= set(spec["paths"])


def test_search_without_embeddings_is_503(api: Api) -> None:
    body = error(api.client.get("/search", headers=api.read, params={"q": "quantum"}), 503, "unavailable")
    assert "embed" in body["error"]["message"]


def test_response_cache_sits_behind_the_key_check(api: Api) -> None:
    c, q = api.client, {"technology": "tech:a", "window": "2020-2022"}
    first = c.get("/rankings", headers=api.read, params=q)
    assert first.status_code == 200 and "x-cache" not in first.headers
    hit = c.get("/rankings", headers=api.read, params=q)
    assert hit.headers["x-cache"] == "hit" and hit.content == first.content
    assert hit.headers["X-Data-As-Of"] == first.headers["X-Data-As-Of"]
    # a cached answer is still refused without a valid key, in the usual error shape
    error(c.get("/rankings", params=q), 401, "unauthorized")
    error(c.get("/rankings", headers={"X-API-Key": "kz_00000000_wrong"}, params=q), 401)
    bearer = {"Authorization": "Bearer " + api.read["X-API-Key"]}
    assert c.get("/rankings", headers=bearer, params=q).headers["x-cache"] == "hit"
    # storing rankings clears it; fresh=true and search never use it
    assert c.post("/rankings/run", headers=api.admin, json={"technologies": ["tech:a"], "by": ["country"],
                                                           "windows": ["2020-2022"]}).status_code == 200
    assert "x-cache" not in c.get("/rankings", headers=api.read, params=q).headers
    for _ in range(2):
        assert "x-cache" not in c.get("/rankings", headers=api.read, params={**q, "fresh": "true"}).headers
    # revoking the key ends its hits at once
    assert c.get("/rankings", headers=api.read, params=q).headers["x-cache"] == "hit"
    api.keys.revoke(api.read["X-API-Key"].split("_")[1])
    error(c.get("/rankings", headers=api.read, params=q), 401)


def test_auth_roles_revocation_and_rate_limit(api: Api, store, neo4j_conn, tmp_path) -> None:
    c = api.client
    error(c.get("/technologies"), 401, "unauthorized")
    error(c.get("/technologies", headers={"X-API-Key": "kz_00000000_wrong"}), 401)
    assert c.get("/technologies", headers={"Authorization": "Bearer " + api.read["X-API-Key"]}).status_code == 200
    error(c.post("/rankings/run", headers=api.read, json={}), 403, "forbidden")
    run = c.post("/rankings/run", headers=api.admin, json={"technologies": ["tech:b"], "by": ["country"],
                                                           "windows": ["2021-2021"], "counting": ["full"]})
    assert run.status_code == 200 and run.json()["stored"] == 1
    assert ok(c.get("/rankings", headers=api.read, params={"technology": "tech:b", "window": "2021-2021",
                                                          "counting": "full"}))["ranking"]["source"] == "stored"
    kid = api.read["X-API-Key"].split("_")[1]
    assert api.keys.revoke(kid)
    error(c.get("/technologies", headers=api.read), 401)
    stored = (api.home / "api_keys.json").read_text()
    assert api.admin["X-API-Key"] not in stored and "sha256" in stored
    assert (api.home / "api_keys.json").stat().st_mode & 0o077 == 0

    slow = make_settings(tmp_path / "slow", api_requests_per_minute=3)
    key, _ = KeyStore.at(tmp_path / "slow").create("read")
    with TestClient(create_app(slow, neo4j_conn)) as c2:
        codes = [c2.get("/profiles", headers={"X-API-Key": key}).status_code for _ in range(5)]
        assert codes[:3] == [200, 200, 200] and codes[3] == 429
        r = c2.get("/profiles", headers={"X-API-Key": key})
        assert r.json()["error"]["code"] == "rate_limited" and int(r.headers["Retry-After"]) >= 1


REFUSED = [
    "CREATE (n:X) RETURN n",
    "MATCH (n) DETACH DELETE n",
    "MATCH (n:Technology) SET n.name = 'x'",
    "MERGE (n:X {key: 1})",
    "CREATE INDEX x IF NOT EXISTS FOR (n:X) ON (n.y)",
    "DROP CONSTRAINT ranking_key",
    "CALL dbms.listConfig() YIELD name RETURN name",
    "CALL dbms.security.listUsers()",
    "LOAD CSV FROM 'file:///etc/passwd' AS line RETURN line",
    "CALL apoc.help('x')",
    "MATCH (n) CALL (n) { SET n.x = 1 } RETURN count(*)",
    "MATCH (n) RETURN n; MATCH (m) DELETE m",
    "SHOW USERS",
    "MATCH (n) /* hidden */ REMOVE n.name",
    "FOREACH (x IN [1] | CREATE (:X))",
    "CALL db.createLabel('X')",
    "MATCH (n) RETURN n LIMIT",  # a syntax error is refused too
]


def test_read_only_cypher(api: Api, store) -> None:
    c, h = api.client, api.read
    r = ok(c.post("/cypher", headers=h, json={"query": "MATCH (t:Technology) RETURN t.key AS key ORDER BY key"}))
    assert r["rows"] == [{"key": "tech:a"}, {"key": "tech:b"}] and r["truncated"] is False
    r = ok(c.post("/cypher", headers=h, json={"query": "UNWIND range(1, 50) AS x RETURN x"}))
    assert len(r["rows"]) == 5 and r["truncated"] is True and r["row_limit"] == 5
    r = ok(c.post("/cypher", headers=h, json={"query": "MATCH (t:Technology {name: $n}) WHERE t.name <> 'CREATE' "
                                                       "RETURN t.key AS key", "params": {"n": "Quantum sensing"}}))
    assert r["rows"] == [{"key": "tech:a"}]
    assert ok(c.post("/cypher", headers=h, json={"query": "CALL db.labels() YIELD label RETURN count(label) AS n"}))["rows"][0]["n"] > 3
    before = store.read("MATCH (n) RETURN count(n) AS n")[0]["n"]
    for q in REFUSED:
        body = error(c.post("/cypher", headers=h, json={"query": q}), 400, "query_refused")
        assert body["error"]["message"], q
    slow = c.post("/cypher", headers=h, json={"query": "UNWIND range(1, 100000000) AS x WITH x WHERE x % 7 = 3 "
                                                      "RETURN count(x) AS n"})
    error(slow, 400, "query_refused")
    assert store.read("MATCH (n) RETURN count(n) AS n")[0]["n"] == before
    error(c.post("/cypher", json={"query": "MATCH (n) RETURN n"}), 401)


class Proxy:
    """A TCP forwarder in front of Neo4j, so a test can cut the connection and restore it."""

    def __init__(self, target_host: str, target_port: int) -> None:
        self.target = (target_host, target_port)
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self._server: socket.socket | None = None
        self._conns: list[socket.socket] = []

    def start(self) -> None:
        srv = socket.socket()
        srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        srv.bind(("127.0.0.1", self.port))
        srv.listen(50)
        self._server = srv
        threading.Thread(target=self._accept, args=(srv,), daemon=True).start()

    def _accept(self, srv: socket.socket) -> None:
        while True:
            try:
                client, _ = srv.accept()
            except OSError:
                return
            try:
                upstream = socket.create_connection(self.target)
            except OSError:
                client.close()
                continue
            self._conns += [client, upstream]
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def _pipe(a: socket.socket, b: socket.socket) -> None:
        try:
            while data := a.recv(65536):
                b.sendall(data)
        except OSError:
            pass
        finally:
            for s in (a, b):
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def stop(self) -> None:
        if self._server:
            try:
                self._server.shutdown(socket.SHUT_RDWR)   # wakes the thread blocked in accept()
            except OSError:
                pass
            self._server.close()
            self._server = None
        for s in self._conns:
            try:
                s.shutdown(socket.SHUT_RDWR)
                s.close()
            except OSError:
                pass
        self._conns = []


def test_neo4j_outage_gives_503_and_recovers(store, neo4j_conn: Connection, tmp_path: Path) -> None:
    seed(store)
    host, port = neo4j_conn.uri.split("://")[1].rsplit(":", 1)
    proxy = Proxy(host, int(port))
    conn = Connection(f"bolt://127.0.0.1:{proxy.port}", neo4j_conn.user, neo4j_conn.password, neo4j_conn.database)
    key, _ = KeyStore.at(tmp_path).create("read")
    h = {"X-API-Key": key}
    with TestClient(create_app(make_settings(tmp_path), conn)) as c:
        # down at start: the app still starts and answers 503
        body = error(c.get("/technologies", headers=h), 503, "store_unavailable")
        assert "unavailable" in body["error"]["message"]
        assert c.get("/health").status_code == 503
        proxy.start()
        import time

        deadline = time.monotonic() + 20
        while c.get("/technologies", headers=h).status_code != 200 and time.monotonic() < deadline:
            time.sleep(0.5)
        assert ok(c.get("/technologies", headers=h))["total"] == 2
        proxy.stop()        # Neo4j goes away mid-life
        error(c.get("/technologies", headers=h, params={"limit": 1}), 503, "store_unavailable")
        # an answer already in the response cache is still served until it expires
        assert c.get("/technologies", headers=h).headers["x-cache"] == "hit"
        proxy.start()
        deadline = time.monotonic() + 20
        while c.get("/technologies", headers=h, params={"limit": 1}).status_code != 200 and time.monotonic() < deadline:
            time.sleep(0.5)
        assert ok(c.get("/technologies", headers=h, params={"limit": 1}))["total"] == 2
    proxy.stop()


def test_keys_cli(cli_env, tmp_path) -> None:
    def kz(*args):
        return subprocess.run([sys.executable, "-m", "cli.main", "keys", *args], env=cli_env,
                              capture_output=True, text=True, timeout=120)

    made = kz("create", "--role", "admin", "--label", "ci")
    assert made.returncode == 0, made.stderr
    key = made.stdout.strip()
    assert key.startswith("kz_")
    home = Path(cli_env["KIZASHI_HOME"])
    assert key not in (home / "api_keys.json").read_text()
    assert KeyStore.at(home).verify(key).role == "admin"
    listed = kz("list")
    assert key.split("_")[1] in listed.stdout and key not in listed.stdout
    assert kz("create", "--role", "root").returncode != 0
    assert kz("revoke", key).returncode == 0
    assert KeyStore.at(home).verify(key) is None
    assert kz("revoke", key).returncode == 1


def test_technology_detail_by_hand(api: Api) -> None:
    """tech:a of the seed (tests/test_rank_seed.py), every figure worked out by hand."""
    d = ok(api.client.get("/ui/technologies/tech:a/detail", headers=api.read))["data"]
    assert d["counts"] == {"works": 5, "patents": 3}
    share = {(r["year"], r["country"]): r["share"] for r in d["papers"]}
    # 2020: w1 US 1, w2 US .5 + JP .5, w3 CN 1; 2022: w4 CN 1, w5 JP 1
    assert share[(2020, "US")] == pytest.approx(0.5) and share[(2020, "CN")] == pytest.approx(1 / 3, abs=1e-4)
    assert share[(2020, "JP")] == pytest.approx(1 / 6, abs=1e-4)
    assert share[(2022, "CN")] == pytest.approx(0.5) and share[(2022, "JP")] == pytest.approx(0.5)
    assert all(r["share_lo"] <= r["share"] <= r["share_hi"] for r in d["papers"])
    assert {r["year"] for r in d["papers"]} == {2020, 2022}
    orgs = {o["id"]: (o["papers_fractional"], o["papers"], o["patents_fractional"]) for o in d["organizations"]}
    # patents: F1 = US1A + EP1A (MIT alone), F2 = CN3A (Tsinghua and Tokyo, a half each)
    assert orgs == {"ror:us1": (1.5, 2, 2.0), "ror:cn1": (2.0, 2, 0.5), "ror:jp1": (1.5, 2, 0.5)}
    assert [o["id"] for o in d["organizations"]] == ["ror:us1", "ror:cn1", "ror:jp1"]
    assert d["organizations"][0]["name"] == "MIT" and d["organizations"][0]["country"] == "US"
    assert {m["material"] for m in d["materials"]} == {"Ga", "graphite"}
    assert [w["key"] for w in d["works"]][:2] == ["doi:10.1/w1", "doi:10.1/w5"]   # most cited first
    windowed = ok(api.client.get("/ui/technologies/a/detail", headers=api.read, params={"window": "2022-2022"}))
    assert windowed["data"]["counts"]["works"] == 2 and windowed["data"]["years"] == [2022, 2022]
    error(api.client.get("/ui/technologies/tech:nope/detail", headers=api.read), 404, "not_found")


def test_overview_names_no_leader_when_no_country_can_be_ranked(store, neo4j_conn: Connection, tmp_path: Path) -> None:
    from analysis import rank

    seed(store)
    # tech:b's 20 works make a ranking (≥ 3), but no country has the 50 documents a ranked cell needs
    settings = make_settings(tmp_path, rank_min_documents=3, rank_min_cell_documents=50)
    rank.compute(store, None, "country", params_from(settings, "all", "fractional"), profiles.load(), save=True)
    key, _ = KeyStore.at(tmp_path).create("read")
    with TestClient(create_app(settings, neo4j_conn)) as c:
        techs = ok(c.get("/ui/overview", headers={"X-API-Key": key}))["data"]["technologies"]
    b = next(x for x in techs if x["key"] == "tech:b")
    assert b["thin"] is False and all(s["rank"] is None for s in b["scores"].values())
    assert (b["leader"], b["leader_share"], b["leader_concern"]) == (None, None, False)
    settings = make_settings(tmp_path, rank_min_documents=3, rank_min_cell_documents=1)
    rank.compute(store, None, "country", params_from(settings, "all", "fractional"), profiles.load(), save=True)
    with TestClient(create_app(settings, neo4j_conn)) as c:
        techs = ok(c.get("/ui/overview", headers={"X-API-Key": key}))["data"]["technologies"]
    b = next(x for x in techs if x["key"] == "tech:b")
    assert (b["leader"], b["leader_share"]) == ("US", pytest.approx(0.9))


def test_status_reports_the_running_main_job_to_a_reader(api: Api) -> None:
    import os

    from core import run_state as rs

    c, h = api.client, api.read
    assert ok(c.get("/status", headers=h))["main_job"] is None
    error(c.get("/status"), 401)
    rs.write(api.home, rs.RunState(rs.now(), os.getpid(), ("rankings", "embeddings", "emerging clusters"),
                                   done=("rankings",), running="embeddings", serving_since=rs.now()))
    job = ok(c.get("/status", headers=h))["main_job"]
    assert (job["running"], job["done"], job["pending"], job["active"]) == (
        "embeddings", ["rankings"], ["emerging clusters"], True)
