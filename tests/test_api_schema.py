"""schemathesis over the OpenAPI spec, against the app on the real Neo4j: no server errors and
no body that is not strict JSON; generated cases plus the security test's own (forged cursors,
oversized integers, lone surrogates, non-finite numbers)."""

from __future__ import annotations

import base64
import json

import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable

from api.app import create_app
from api.keys import KeyStore
from tests.test_api import make_settings, stored_rankings
from tests.test_rank_seed import seed

EXAMPLES = 15
SKIP = {("GET", "/search")}   # 503 by design without embeddings (tested in test_api.py)
INFINITY_CURSOR = base64.urlsafe_b64encode(b'{"o": Infinity}').decode().rstrip("=")
# The findings of the security test, sent as schemathesis cases on the operations they hit.
FOUND: dict[tuple[str, str], list[dict]] = {
    ("GET", "/technologies"): [{"query": {"cursor": INFINITY_CURSOR}}],
    ("GET", "/profiles"): [{"query": {"cursor": INFINITY_CURSOR}}],
    ("GET", "/rankings"): [{"query": {"technology": "tech:a", "window": "2020-2022", "cursor": INFINITY_CURSOR}}],
    ("GET", "/shortlist"): [{"query": {"window": "2020-2022", "cursor": INFINITY_CURSOR}}],
    ("GET", "/clusters/emerging"): [{"query": {"cursor": INFINITY_CURSOR}}],
    ("POST", "/cypher"): [{"body": {"query": "RETURN 0.0/0.0 AS nan, 1.0/0.0 AS inf"}},
                          {"body": {"query": "RETURN $x AS x", "params": {"x": 10 ** 30}}},
                          {"body": {"query": "RETURN $x AS x", "params": {"x": "\ud800"}}},
                          {"body": {"query": "CALL `dbms`.listConnections()"}},
                          {"body": {"query": "RETURN " + "(" * 2500 + "1" + ")" * 2500}}],
}


def _strict(text: str) -> str | None:
    """Why ``text`` is not strict JSON, or None."""
    def refuse(word: str) -> None:
        raise ValueError(f"non-standard constant {word}")

    try:
        json.loads(text, parse_constant=refuse)
    except ValueError as e:
        return str(e)
    return None


def test_no_server_errors(store, neo4j_conn, tmp_path) -> None:
    seed(store)
    cfg = make_settings(tmp_path, api_cypher_timeout_seconds=2.0)
    stored_rankings(store, cfg)
    key, _ = KeyStore.at(tmp_path).create("admin")
    app = create_app(cfg, neo4j_conn)
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    failures: list[str] = []
    statuses: set[int] = set()
    tried = 0
    unsatisfiable: list[str] = []
    found_cases: list[str] = []
    try:
        for result in schema.get_all_operations():
            op = result.ok()
            if (op.method.upper(), op.path) in SKIP:
                continue

            def judge(case) -> None:
                resp = case.call(headers={"X-API-Key": key})
                statuses.add(resp.status_code)
                said = f"{op.method.upper()} {op.path} {case.path_parameters} {case.query} {case.body!r}"
                if resp.status_code >= 500:
                    failures.append(f"{said} → {resp.status_code} {resp.text[:300]}")
                if "json" in resp.headers.get("content-type", "") and (why := _strict(resp.text)):
                    failures.append(f"{said} → invalid JSON body ({why})")

            for extra in FOUND.get((op.method.upper(), op.path), []):
                found_cases.append(op.path)
                judge(op.Case(**extra))

            @settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
                      suppress_health_check=list(HealthCheck))
            @given(case=op.as_strategy())
            def check(case) -> None:
                judge(case)

            try:
                check()
            except Unsatisfiable:
                # schemathesis could build no request for it: that operation was not tried
                unsatisfiable.append(f"{op.method.upper()} {op.path}")
                continue
            tried += 1
    finally:
        from schemathesis.python import asgi

        asgi.shutdown_lifespans()
    assert not unsatisfiable, f"no request could be generated for {unsatisfiable}"
    assert tried >= 12
    assert len(found_cases) == sum(map(len, FOUND.values())), "an operation the findings name is gone"
    assert 200 in statuses and 404 in statuses   # the key worked; unknown ids were refused cleanly
    assert not failures, "\n".join(failures[:20])
