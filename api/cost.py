"""A bounded, single-flight queue for the computations an API request can start.

A read key could ask for ``fresh=true``, a window or profile never ranked, or a shortlist
never built, and each took 12–35 s of both cores while it counted as one request; six at
once took 80 s each. Here every such computation passes one gate:

- at most ``workers`` run at once over all keys, ``queue`` more wait; beyond that 503;
- one key has at most ``per_key`` computations running or waiting; beyond that 429;
- a queued computation waits at most ``wait_seconds`` for a worker, then 503;
- identical computations in flight are computed once and shared (single flight);
- starting one charges ``cost`` rate-limit units to the key (a read costs 1).

Computations without a caller (the start-up warm-up of dashboard views) pass straight
through: nobody outside can start those.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from api.auth import RateLimiter, caller, retry_headers
from api.errors import ApiError
from core.settings import Settings

T = TypeVar("T")


@dataclass(frozen=True)
class Limits:
    workers: int = 2
    queue: int = 4
    per_key: int = 1
    wait_seconds: float = 60.0
    cost: int = 30


def limits_from(settings: Settings) -> Limits:
    return Limits(workers=settings.api_recompute_workers, queue=settings.api_recompute_queue,
                  per_key=settings.api_recompute_per_key, wait_seconds=settings.api_recompute_wait_seconds,
                  cost=settings.api_recompute_cost)


@dataclass
class _Flight:
    done: threading.Event = field(default_factory=threading.Event)
    result: Any = None
    error: BaseException | None = None


def _busy(message: str, retry: float) -> ApiError:
    return ApiError(503, "busy", message, retry_headers(retry))


class Gate:
    def __init__(self, limits: Limits, limiter: RateLimiter | None = None) -> None:
        self.limits = limits
        self._limiter = limiter
        self._lock = threading.Lock()
        self._workers = threading.BoundedSemaphore(max(1, limits.workers))
        self._flights: dict[Hashable, _Flight] = {}
        self._per_key: dict[str, int] = {}
        self._started = 0            # computations running or waiting for a worker

    def stats(self) -> dict[str, int]:
        with self._lock:
            return {"started": self._started, "flights": len(self._flights), "keys": sum(self._per_key.values())}

    def run(self, what: Hashable, compute: Callable[[], T]) -> T:
        """``compute()``, run under the limits on behalf of the current caller."""
        key = caller.get()
        if key is None:
            return compute()
        lim = self.limits
        with self._lock:
            if self._per_key.get(key.id, 0) >= lim.per_key:
                raise ApiError(429, "too_many_computations",
                               f"this key already has {lim.per_key} computation(s) running or queued; "
                               "retry when it has finished", retry_headers(5))
            flight = self._flights.get(what)
            joined = flight is not None
            if not joined:
                if self._started >= max(1, lim.workers) + max(0, lim.queue):
                    raise _busy("the server is busy computing for other requests; retry shortly", 5)
                self._charge(key.id)
                flight = self._flights[what] = _Flight()
                self._started += 1
            self._per_key[key.id] = self._per_key.get(key.id, 0) + 1
        try:
            if joined:
                return self._join(flight)
            return self._lead(what, flight, compute)
        finally:
            with self._lock:
                left = self._per_key[key.id] - 1
                if left:
                    self._per_key[key.id] = left
                else:
                    del self._per_key[key.id]

    def _charge(self, ident: str) -> None:
        limiter = self._limiter
        extra = self.limits.cost - 1     # the request itself was charged 1 when its key was checked
        if limiter is None or extra <= 0:
            return
        wait = limiter.charge(ident, extra)
        if wait:
            raise ApiError(429, "rate_limited", f"a computation costs {self.limits.cost} requests of this key's "
                           f"rate limit; retry in {wait:.1f} s", retry_headers(wait))

    def _join(self, flight: _Flight) -> Any:
        if not flight.done.wait(self.limits.wait_seconds):
            raise _busy("the same computation is still running; retry shortly", 5)
        if flight.error is not None:
            raise flight.error
        return flight.result

    def _lead(self, what: Hashable, flight: _Flight, compute: Callable[[], T]) -> T:
        start = time.monotonic()
        got = self._workers.acquire(timeout=max(0.0, self.limits.wait_seconds))
        try:
            if not got:
                flight.error = _busy(f"no computation slot came free in {time.monotonic() - start:.0f} s; "
                                     "retry shortly", 10)
                raise flight.error
            try:
                flight.result = compute()
            except BaseException as e:
                flight.error = e
                raise
            return flight.result
        finally:
            if got:
                self._workers.release()
            with self._lock:
                self._started -= 1
                self._flights.pop(what, None)
            flight.done.set()
