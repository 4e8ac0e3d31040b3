"""The response cache (api/cache.py) on its own: single-flight misses, what it keeps, what it refuses.
The end-to-end behaviour with keys and Neo4j is in tests/test_api.py."""

from __future__ import annotations

import asyncio
from typing import Any

from api.cache import Cache, CacheMiddleware


class Counting:
    """A slow ASGI app that answers ``status`` and counts how often it really ran."""

    def __init__(self, status: int = 200) -> None:
        self.calls, self.status = 0, status

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        self.calls += 1
        await asyncio.sleep(0.05)
        await send({"type": "http.response.start", "status": self.status,
                    "headers": [(b"content-type", b"application/json"), (b"x-data-as-of", b"2026"),
                                (b"set-cookie", b"never=kept")]})
        await send({"type": "http.response.body", "body": b'{"n": ', "more_body": True})
        await send({"type": "http.response.body", "body": str(self.calls).encode() + b"}"})


async def _get(app: Any, path: str = "/rankings", query: bytes = b"technology=tech:a") -> tuple[int, dict, bytes]:
    out: dict[str, Any] = {"body": b""}

    async def receive() -> dict:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict) -> None:
        if message["type"] == "http.response.start":
            out["status"], out["headers"] = message["status"], dict(message["headers"])
        else:
            out["body"] += message.get("body", b"")

    await app({"type": "http", "method": "GET", "path": path, "query_string": query, "headers": []}, receive, send)
    return out["status"], out["headers"], out["body"]


def _wrap(inner: Counting, allowed: bool = True, ttl: float = 30.0) -> CacheMiddleware:
    return CacheMiddleware(inner, Cache(ttl), cacheable=lambda path, query: path == "/rankings",
                           allowed=lambda scope: allowed)


def test_concurrent_identical_misses_compute_once() -> None:
    inner = Counting()
    app = _wrap(inner)

    async def main() -> list:
        return await asyncio.gather(*(_get(app) for _ in range(20)))

    got = asyncio.run(main())
    assert inner.calls == 1
    assert {r[2] for r in got} == {b'{"n": 1}'} and all(r[0] == 200 for r in got)
    assert sum(r[1].get(b"x-cache") == b"hit" for r in got) == 19
    hit = got[-1][1]
    assert b"set-cookie" not in hit and hit[b"x-data-as-of"] == b"2026" and hit[b"content-length"] == b"8"


def test_errors_are_never_cached_and_other_queries_are_separate() -> None:
    inner = Counting(status=404)
    app = _wrap(inner)

    async def main() -> list:
        return [await _get(app) for _ in range(3)]

    assert [r[0] for r in asyncio.run(main())] == [404, 404, 404] and inner.calls == 3
    ok = Counting()
    app = _wrap(ok)
    asyncio.run(_get(app, query=b"technology=tech:a"))
    asyncio.run(_get(app, query=b"technology=tech:b"))
    asyncio.run(_get(app, path="/search", query=b"q=x"))
    asyncio.run(_get(app, path="/search", query=b"q=x"))
    assert ok.calls == 4


def test_a_refused_key_goes_to_the_app_and_ttl_zero_turns_it_off() -> None:
    inner = Counting()
    asyncio.run(_get(_wrap(inner)))   # fill
    refused = _wrap(inner, allowed=False)
    refused.cache = Cache(30.0)
    asyncio.run(_get(refused))
    asyncio.run(_get(refused))
    assert inner.calls == 3            # the app, which answers refusals itself, saw both
    off = Counting()
    app = _wrap(off, ttl=0)
    asyncio.run(_get(app))
    asyncio.run(_get(app))
    assert off.calls == 2
