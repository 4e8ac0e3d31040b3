"""Whole-response cache for the hot read routes (rankings, shortlist, dashboard views).

These answers change only when an ingest or ``kizashi rank`` runs, yet analysts and API
clients ask for the same few of them over and over. Serving a repeat from memory skips
routing, validation, the thread pool and JSON encoding, which is what keeps p95 low when
many clients read at once (bench/load.py). The key is the path and the exact query string.

The cache sits behind authorisation, never in front of it: every hit still checks the key
and takes a rate-limit token, and anything that is not a clean 200 goes to the app.
Entries live ``ttl`` seconds, the same staleness the stored-ranking cache already allows
(``STORED_TTL``); storing rankings through the API clears the cache at once.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from cachetools import TTLCache
from starlette.types import ASGIApp, Message, Receive, Scope, Send

KEPT_HEADERS = (b"content-type", b"content-disposition", b"x-data-as-of")


@dataclass(frozen=True)
class Entry:
    headers: list[tuple[bytes, bytes]]
    body: bytes


class Cache:
    """The entries, shared by the middleware and whoever must clear them (storing rankings)."""

    def __init__(self, ttl: float = 30.0, max_entries: int = 512, max_body: int = 4_000_000) -> None:
        self.ttl, self.max_entries, self.max_body = ttl, max_entries, max_body
        # Expiry and LRU eviction by cachetools.
        self._entries: TTLCache[str, Entry] = TTLCache(max(1, max_entries), max(ttl, 1e-9), timer=time.monotonic)
        self._lock = threading.Lock()

    def get(self, key: str) -> Entry | None:
        with self._lock:
            hit = self._entries.get(key)
        return hit

    def put(self, key: str, headers: list[tuple[bytes, bytes]], body: bytes) -> None:
        if len(body) > self.max_body:
            return
        kept = [(k, v) for k, v in headers if k.lower() in KEPT_HEADERS]
        with self._lock:
            self._entries[key] = Entry(kept, body)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


class CacheMiddleware:
    def __init__(self, app: ASGIApp, cache: Cache, cacheable: Callable[[str, str], bool],
                 allowed: Callable[[Scope], bool]) -> None:
        self.app, self.cache, self.cacheable, self.allowed = app, cache, cacheable, allowed
        # Misses being computed, by key: identical requests arriving meanwhile wait for the first
        # one's answer instead of all computing it (50 clients on an expired shortlist would
        # otherwise start 50 shortlist computations on two cores).
        self._filling: dict[str, asyncio.Event] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "GET" or self.cache.ttl <= 0:
            await self.app(scope, receive, send)
            return
        query = scope["query_string"].decode("latin-1")
        if not self.cacheable(scope["path"], query):
            await self.app(scope, receive, send)
            return
        key = scope["path"] + "?" + query
        hit = self.cache.get(key)
        if hit is None and key in self._filling:
            await self._filling[key].wait()
            hit = self.cache.get(key)
        if hit is not None and self.allowed(scope):
            await send({"type": "http.response.start", "status": 200,
                        "headers": hit.headers + [(b"content-length", str(len(hit.body)).encode()),
                                                  (b"x-cache", b"hit")]})
            await send({"type": "http.response.body", "body": hit.body})
            return
        if key in self._filling:   # a refused or uncacheable answer: this request gets its own
            await self.app(scope, receive, send)
            return
        self._filling[key] = done = asyncio.Event()
        try:
            await self._fill(key, scope, receive, send)
        finally:
            del self._filling[key]
            done.set()

    async def _fill(self, key: str, scope: Scope, receive: Receive, send: Send) -> None:
        start: dict[str, Any] = {}
        parts: list[bytes] = []

        async def capture(message: Message) -> None:
            if message["type"] == "http.response.start":
                start.update(message)
            elif message["type"] == "http.response.body" and start.get("status") == 200:
                parts.append(message.get("body", b""))
                if not message.get("more_body"):
                    self.cache.put(key, start["headers"], b"".join(parts))
            await send(message)

        await self.app(scope, receive, capture)
