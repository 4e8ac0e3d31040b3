"""The API holes a security test found, each closed, against the real Neo4j: forged cursors,
non-finite numbers and lone surrogates in bodies, the cost of recomputations per key, early
throttling of bursts and of bad-key floods, security headers on every response, and keyed docs.

The /cypher guard has its own tests (tests/test_cypher_guard.py); key checks, roles and the
per-minute limit are in tests/test_security.py.
"""

from __future__ import annotations

import base64
import json
import threading
import time
from collections import Counter
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api import service as service_mod
from api.app import create_app
from api.auth import RateLimiter, caller
from api.cost import Gate, Limits
from api.cursor import Cursors
from api.errors import ApiError
from api.keys import Key, KeyStore
from graph.store import Connection
from tests.test_api import Api, api, error, make_settings, stored_rankings  # noqa: F401  (api is a fixture)
from tests.test_rank_seed import seed


def strict(resp) -> dict:
    """The body parsed as strict JSON: UTF-8, and no NaN/Infinity words."""
    def refuse(word: str) -> None:
        raise AssertionError(f"non-standard JSON constant {word} in {resp.request.url}")

    return json.loads(resp.content.decode("utf-8"), parse_constant=refuse)


def _b64(obj: object) -> str:
    raw = obj if isinstance(obj, bytes) else json.dumps(obj).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


# ---------------------------------------------------------------- signed cursors

def _paginated(api: Api) -> dict[str, dict[str, str]]:
    """The five paginated routes, each with parameters that give it more than one page."""
    c, h = api.client, api.read
    rk = c.get("/rankings", headers=h, params={"technology": "tech:a", "window": "2020-2022"}).json()
    return {"/technologies": {}, "/rankings": {"technology": "tech:a", "window": "2020-2022"},
            "/shortlist": {"window": "2020-2022"}, "/clusters/emerging": {},
            f"/evidence/{rk['ranking']['key']}": {}}


FORGED = {
    "infinity": _b64(b'{"o": Infinity}'),
    "1e400": _b64(b'{"o": 1e400}'),
    "negative": _b64({"o": -1}),
    "float": _b64({"o": 1.5}),
    "unsigned but well formed (the old format)": _b64({"o": 1}),
    "not base64": "%%%!!!",
    "not ascii": "ö.ö",
    "empty tag": _b64({"o": 1}) + ".",
    "infinity with a made-up tag": _b64(b'{"o": Infinity}') + "." + _b64(b"\0" * 16),
}


def test_forged_cursors_are_a_clean_400_on_every_paginated_route(api: Api) -> None:  # noqa: F811
    c, h = api.client, api.read
    routes = _paginated(api)
    other = Cursors("another server's secret")
    for path, params in routes.items():
        first = strict(c.get(path, headers=h, params={**params, "limit": 1}))
        # the seed has one emerging cluster: that route gets a cursor this server signed
        assert first["next_cursor"] or path == "/clusters/emerging", path
        good = first["next_cursor"] or c.app.state.cursors.encode(1)
        payload, tag = good.split(".")
        forged = dict(FORGED)
        forged["signed by another server"] = other.encode(1)
        # a valid tag on another payload, and a valid payload with one tag character changed
        forged["tag moved to another offset"] = _b64({"o": 0}) + "." + tag
        forged["tag altered"] = payload + "." + ("A" if tag[0] != "A" else "B") + tag[1:]
        for name, cursor in forged.items():
            resp = c.get(path, headers=h, params={**params, "limit": 1, "cursor": cursor})
            body = error(resp, 400, "bad_cursor")
            strict(resp)
            assert "next_cursor" in body["error"]["message"], (path, name)
        # the cursor it issued still works
        second = strict(c.get(path, headers=h, params={**params, "limit": 1, "cursor": good}))
        assert second["items"] != first["items"] and second["total"] == first["total"], path


def test_cursors_round_trip_and_a_set_secret_outlives_the_process(store, neo4j_conn: Connection, tmp_path: Path) -> None:
    a, b = Cursors("s3cret"), Cursors("s3cret")
    assert [b.decode(a.encode(n)) for n in (0, 1, 49, 10**6)] == [0, 1, 49, 10**6]
    assert Cursors().decode(None) == 0 and Cursors().decode("") == 0
    assert Cursors().encode(5) != Cursors().encode(5)   # unset: a random key per process
    seed(store)
    key, _ = KeyStore.at(tmp_path).create("read")
    h = {"X-API-Key": key}
    cfg = make_settings(tmp_path, api_cursor_secret="kept-across-restarts")
    with TestClient(create_app(cfg, neo4j_conn)) as c:
        nxt = c.get("/technologies", headers=h, params={"limit": 1}).json()["next_cursor"]
    with TestClient(create_app(cfg, neo4j_conn)) as c:     # "restarted" with the same secret
        assert [t["key"] for t in c.get("/technologies", headers=h, params={"limit": 1, "cursor": nxt}).json()["items"]] == ["tech:b"]
    with TestClient(create_app(make_settings(tmp_path), neo4j_conn)) as c:   # no secret: a new random one
        error(c.get("/technologies", headers=h, params={"limit": 1, "cursor": nxt}), 400, "bad_cursor")


# ---------------------------------------------------------------- non-finite numbers, lone surrogates

def test_every_body_is_strict_json_with_non_finite_numbers_as_null(api: Api) -> None:  # noqa: F811
    r = api.client.post("/cypher", headers=api.read, json={"query": "RETURN 0.0/0.0 AS nan, 1.0/0.0 AS inf, "
                                                                   "-1.0/0.0 AS ninf, [0.0/0.0, 1.5] AS xs"})
    assert r.status_code == 200 and b"NaN" not in r.content and b"Infinity" not in r.content
    assert strict(r)["rows"] == [{"nan": None, "inf": None, "ninf": None, "xs": [None, 1.5]}]
    spec = api.client.get("/openapi.json").json()
    assert "null" in spec["info"]["description"] and "not finite" in spec["info"]["description"]


def test_lone_surrogates_never_give_a_500(api: Api) -> None:  # noqa: F811
    c = api.client
    # in a request: a JSON "\ud800" escape decodes to a lone surrogate, which the driver cannot send
    raw = json.dumps({"technologies": ["tech:\ud800"], "by": ["country"], "windows": ["all"]}).encode()
    resp = c.post("/rankings/run", headers={**api.admin, "content-type": "application/json"}, content=raw)
    error(resp, 400, "bad_unicode")
    strict(resp)
    # echoed in a message: still valid UTF-8
    raw = json.dumps({"profile": "x\udc00"}).encode()
    resp = c.post("/rankings/run", headers={**api.admin, "content-type": "application/json"}, content=raw)
    assert resp.status_code == 400 and strict(resp)["error"]["code"] == "bad_request"
    # in an answer (a graph string, an echoed name): U+FFFD, never an encoding error
    from api.errors import json_response

    body = json_response({"data_as_of": None, "name": "a\ud800b", "rows": [{"\udfff": float("nan")}]}).body
    assert json.loads(body.decode("utf-8")) == {"data_as_of": None, "name": "a\ufffdb", "rows": [{"\ufffd": None}]}


# ---------------------------------------------------------------- the cost of recomputation

def _as(gate, key_id: str, what: str, compute, out: dict, started: threading.Event | None = None) -> threading.Thread:
    def go() -> None:
        caller.set(Key(key_id, "read", "2026-01-01"))
        if started:
            started.set()
        try:
            out[key_id] = gate.run(what, compute)
        except (ApiError, LookupError) as e:     # kept for the test to assert on, not left to the thread
            out[key_id] = e

    t = threading.Thread(target=go, daemon=True)
    t.start()
    return t


def _until(cond, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not cond():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.01)


def test_gate_bounds_workers_queue_per_key_and_shares_identical_work() -> None:
    gate = Gate(Limits(workers=1, queue=1, per_key=1, wait_seconds=10, cost=1))
    release, calls, out = threading.Event(), Counter(), {}

    def slow(name: str):
        def compute() -> str:
            calls[name] += 1
            release.wait(10)
            return f"result {name}"
        return compute

    a = _as(gate, "a", "w1", slow("w1"), out)
    _until(lambda: calls["w1"] == 1)                      # a runs (the one worker)
    b = _as(gate, "b", "w2", slow("w2"), out)
    _until(lambda: gate.stats()["started"] == 2)          # b waits (the one queue place)
    d = _as(gate, "d", "w1", slow("w1"), out)             # identical to a's: joins it
    _until(lambda: gate.stats()["keys"] == 3)
    caller.set(Key("a", "read", "2026-01-01"))
    with pytest.raises(ApiError) as per_key:              # a already has one running
        gate.run("w3", slow("w3"))
    caller.set(Key("c", "read", "2026-01-01"))
    with pytest.raises(ApiError) as full:                 # one running + one waiting: no room
        gate.run("w4", slow("w4"))
    assert (per_key.value.status, per_key.value.code) == (429, "too_many_computations")
    assert (full.value.status, full.value.code) == (503, "busy") and int(full.value.headers["Retry-After"]) >= 1
    release.set()
    for t in (a, b, d):
        t.join(10)
    assert out == {"a": "result w1", "b": "result w2", "d": "result w1"}
    assert calls == {"w1": 1, "w2": 1}                    # d shared a's computation; w3, w4 never ran
    assert gate.stats() == {"started": 0, "flights": 0, "keys": 0}


def test_gate_waits_a_bounded_time_and_shares_errors() -> None:
    gate = Gate(Limits(workers=1, queue=2, per_key=1, wait_seconds=0.3, cost=1))
    release, out = threading.Event(), {}
    a = _as(gate, "a", "w1", lambda: release.wait(10) and "done", out)
    _until(lambda: gate.stats()["started"] == 1)
    time.sleep(0.05)
    t0 = time.monotonic()
    _as(gate, "b", "w2", lambda: "never", out).join(5)
    assert isinstance(out["b"], ApiError) and out["b"].status == 503 and time.monotonic() - t0 < 3
    release.set()
    a.join(5)
    assert out["a"] == "done" and gate.stats()["started"] == 0

    # a failure reaches every request that shared it, and the next request computes again
    fail, calls, out = threading.Event(), Counter(), {}

    def broken() -> None:
        calls["x"] += 1
        fail.wait(10)
        raise LookupError("nothing to rank")

    first = _as(gate, "a", "x", broken, out)
    _until(lambda: calls["x"] == 1)
    second = _as(gate, "b", "x", broken, out)
    _until(lambda: gate.stats()["keys"] == 2)
    fail.set()
    first.join(5), second.join(5)
    assert calls["x"] == 1 and gate.stats()["flights"] == 0
    assert isinstance(out["a"], LookupError) and isinstance(out["b"], LookupError)
    caller.set(Key("c", "read", "2026-01-01"))
    with pytest.raises(LookupError):
        gate.run("x", broken)
    assert calls["x"] == 2


def test_gate_charges_the_cost_and_internal_work_passes() -> None:
    limiter = RateLimiter(per_minute=10, per_second=100)
    gate = Gate(Limits(workers=2, queue=0, per_key=1, wait_seconds=1, cost=4), limiter)
    caller.set(Key("k", "read", "2026-01-01"))
    for i in range(2):                  # 1 unit for the request (auth), 3 more for the computation: 8
        assert limiter.charge("k") == 0
        assert gate.run(f"w{i}", lambda: i) == i
    assert limiter.charge("k") == 0     # 9th unit: a plain read still fits; 3 more would make 12 > 10
    with pytest.raises(ApiError) as e:
        gate.run("w9", lambda: 9)
    assert e.value.status == 429 and e.value.code == "rate_limited" and "Retry-After" in e.value.headers
    # a cost above a whole window's budget spends that window instead of never fitting
    big = RateLimiter(per_minute=100, per_second=5)
    assert big.charge("k", 30) == 0 and big.charge("k") > 0
    # the start-up warm-up has no caller: not queued, not charged
    caller.set(None)
    assert Gate(Limits(workers=1, queue=0, per_key=0), limiter).run("w", lambda: "warm") == "warm"


def test_recomputations_cost_more_of_the_rate_limit(store, neo4j_conn: Connection, tmp_path: Path) -> None:
    seed(store)
    cfg = make_settings(tmp_path, api_requests_per_minute=12, api_recompute_cost=5)
    stored_rankings(store, cfg)
    key, _ = KeyStore.at(tmp_path).create("read")
    h = {"X-API-Key": key}
    q = {"technology": "tech:a", "window": "2020-2022"}
    with TestClient(create_app(cfg, neo4j_conn)) as c:
        codes = [c.get("/rankings", headers=h, params={**q, "fresh": "true"}).status_code for _ in range(3)]
        assert codes == [200, 200, 429]            # 5 + 5 units, then 11 + 4 > 12
        assert c.get("/rankings", headers=h, params=q).status_code == 200     # a stored read: 1 unit, the 12th
        r = c.get("/rankings", headers=h, params=q)
        error(r, 429, "rate_limited")
    # a window, an organisation ranking and a shortlist never computed each cost the same
    with TestClient(create_app(make_settings(tmp_path, api_requests_per_minute=12, api_recompute_cost=5),
                               neo4j_conn)) as c:
        new = {"technology": "tech:a", "window": "2019-2022", "by": "organization"}
        assert c.get("/rankings", headers=h, params=new).json()["ranking"]["source"] == "computed"   # 5
        assert c.get("/rankings", headers=h, params={**new, "limit": 2}).json()["ranking"]["source"] == "cache"  # 6
        assert c.get("/shortlist", headers=h, params={"window": "1990-2030"}).status_code == 200    # 11
        assert c.get("/shortlist", headers=h, params={"window": "1990-2030", "limit": 3}).status_code == 200  # 12: built
        error(c.get("/shortlist", headers=h, params={"window": "1991-2030"}), 429, "rate_limited")
    # over stored rankings a shortlist is a read: every new weight set (a slider move) costs 1 unit
    with TestClient(create_app(make_settings(tmp_path, api_requests_per_minute=12, api_recompute_cost=5),
                               neo4j_conn)) as c:
        for i in range(12):
            w = f"autonomy_risk:{0.05 * (i + 1):.2f}"
            r = c.get("/shortlist", headers=h, params={"window": "2020-2022", "weights": w})
            assert r.status_code == 200 and r.json()["items"], (i, r.text[:200])
        error(c.get("/shortlist", headers=h, params={"window": "2020-2022", "weights": "autonomy_risk:0.9"}),
              429, "rate_limited")


def test_concurrent_recomputations_are_bounded_per_key_and_shared(store, neo4j_conn: Connection, tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    seed(store)
    cfg = make_settings(tmp_path, api_recompute_workers=1, api_recompute_queue=0, api_recompute_per_key=1,
                        api_recompute_wait_seconds=20)
    ks = KeyStore.at(tmp_path)
    keys = {n: {"X-API-Key": ks.create("read")[0]} for n in "abc"}
    release, calls = threading.Event(), Counter()
    real = service_mod.rank.compute

    def held(store_, techs, *args, **kw):   # the real computation, held until the test lets it finish
        calls[techs[0]] += 1
        release.wait(20)
        return real(store_, techs, *args, **kw)

    monkeypatch.setattr(service_mod.rank, "compute", held)
    fresh = {"window": "2020-2022", "fresh": "true"}
    out: dict[str, object] = {}
    with TestClient(create_app(cfg, neo4j_conn)) as c:
        def get(name: str, tech: str) -> threading.Thread:
            t = threading.Thread(target=lambda: out.__setitem__(name, c.get(
                "/rankings", headers=keys[name], params={**fresh, "technology": tech})), daemon=True)
            t.start()
            return t

        a = get("a", "tech:a")
        _until(lambda: calls["tech:a"] == 1)
        b = get("b", "tech:a")                 # the same computation: shares a's
        _until(lambda: c.app.state.service.gate.stats()["keys"] == 2)
        error(c.get("/rankings", headers=keys["a"], params={**fresh, "technology": "tech:b"}), 429,
              "too_many_computations")
        busy = c.get("/rankings", headers=keys["c"], params={**fresh, "technology": "tech:b"})
        error(busy, 503, "busy")
        assert int(busy.headers["Retry-After"]) >= 1
        release.set()
        a.join(30), b.join(30)
    assert out["a"].status_code == out["b"].status_code == 200
    assert out["a"].json()["items"] == out["b"].json()["items"]
    assert calls == {"tech:a": 1}


# ---------------------------------------------------------------- early throttling

def test_bursts_are_throttled_within_the_first_second(store, neo4j_conn: Connection, tmp_path: Path) -> None:
    # The security test's first 429 came at request ~595 of a burst: only the minute's budget
    # held. A per-second budget now stops a burst at its size.
    seed(store)
    cfg = make_settings(tmp_path, api_requests_per_minute=600, api_burst_per_second=5)
    key, _ = KeyStore.at(tmp_path).create("read")
    with TestClient(create_app(cfg, neo4j_conn)) as c:
        codes = [c.get("/profiles", headers={"X-API-Key": key}).status_code for _ in range(12)]
    first = codes.index(429)
    assert first <= 6 and set(codes[:first]) == {200}, codes


def test_floods_of_bad_keys_are_throttled_per_address(store, neo4j_conn: Connection, tmp_path: Path) -> None:
    seed(store)
    cfg = make_settings(tmp_path, api_auth_failures_per_minute=3)
    good, _ = KeyStore.at(tmp_path).create("read")
    with TestClient(create_app(cfg, neo4j_conn)) as c:
        codes = [c.get("/profiles", headers={"X-API-Key": f"kz_wrong{i}"}).status_code for i in range(6)]
        assert codes[:3] == [401] * 3 and codes[3:] == [429] * 3, codes
        r = c.get("/profiles")                                    # no key at all counts as a failure too
        error(r, 429, "auth_throttled")
        assert int(r.headers["Retry-After"]) >= 1
        # the address is throttled before any key is checked, so even a good key waits
        error(c.get("/profiles", headers={"X-API-Key": good}), 429, "auth_throttled")
    # another client address is not held back by the first one's flood
    with TestClient(create_app(cfg, neo4j_conn), client=("10.0.0.9", 5000)) as c:
        assert c.get("/profiles", headers={"X-API-Key": good}).status_code == 200


# ---------------------------------------------------------------- headers and docs

SECURITY_HEADERS = {"x-content-type-options": "nosniff", "content-security-policy": "frame-ancestors 'none'",
                    "x-frame-options": "DENY", "referrer-policy": "no-referrer"}


def _secure(resp, keyed: bool) -> None:
    for name, value in SECURITY_HEADERS.items():
        assert resp.headers.get(name) == value, (resp.request.url, name, resp.headers)
    assert ("no-store" in resp.headers.get("cache-control", "")) is keyed, (resp.request.url, resp.headers)


def test_security_headers_on_every_kind_of_response(api: Api) -> None:  # noqa: F811
    c, h = api.client, api.read
    q = {"technology": "tech:a", "window": "2020-2022"}
    keyed = [c.get("/rankings", headers=h, params=q),                 # computed or stored
             c.get("/rankings", headers=h, params=q),                 # the response cache's hit
             c.get("/rankings", headers=h, params={**q, "format": "csv"}),
             c.get("/technologies/nope", headers=h),                  # 404
             c.get("/rankings", headers=h, params={"window": "x"}),   # 422
             c.post("/rankings/run", headers=h, json={}),             # 403 (or 422)
             c.post("/cypher", headers=h, json={"query": "RETURN 0.0/0.0 AS x"})]
    assert [r.status_code for r in keyed[:3]] == [200, 200, 200]
    assert {r.status_code for r in keyed[3:6]} <= {403, 404, 422}
    for r in keyed:
        _secure(r, keyed=True)
    for r in (c.get("/health"), c.get("/docs"), c.get("/openapi.json"), c.get("/profiles"),
              c.get("/nowhere")):
        _secure(r, keyed=False)


def test_security_headers_on_an_unhandled_500(store, neo4j_conn: Connection, tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    seed(store)
    key, _ = KeyStore.at(tmp_path).create("read")

    def boom(*a, **kw):
        raise RuntimeError("an unforeseen bug")

    monkeypatch.setattr(service_mod.Service, "profiles", boom)
    with TestClient(create_app(make_settings(tmp_path), neo4j_conn), raise_server_exceptions=False) as c:
        r = c.get("/profiles", headers={"X-API-Key": key})
    assert r.status_code == 500
    _secure(r, keyed=True)


@pytest.mark.parametrize("keyed_docs", [False, True])
def test_docs_need_a_key_only_when_the_setting_says_so(store, neo4j_conn: Connection, tmp_path: Path,
                                                        keyed_docs: bool) -> None:
    seed(store)
    key, _ = KeyStore.at(tmp_path).create("read")
    cfg = make_settings(tmp_path, api_docs_require_key=keyed_docs)
    with TestClient(create_app(cfg, neo4j_conn)) as c:
        for path in ("/docs", "/redoc", "/openapi.json"):
            open_ = c.get(path)
            if keyed_docs:
                error(open_, 401, "unauthorized")
            else:
                assert open_.status_code == 200, path
            with_key = c.get(path, headers={"X-API-Key": key})
            assert with_key.status_code == 200, path
        spec = c.get("/openapi.json", headers={"X-API-Key": key}).json()
        assert "/rankings" in spec["paths"]
        if keyed_docs:   # Swagger UI cannot send the key itself, so the page carries the spec
            assert '"/rankings"' in c.get("/docs", headers={"X-API-Key": key}).text
