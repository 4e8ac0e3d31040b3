"""Who may call: API keys and roles, the per-key rate limit charged by cost, and the
throttle on failed authentication per client address.

Rate limits use the maintained ``limits`` library (moving windows in process memory):
a key has a per-minute budget and a per-second burst budget, and a request is charged
its cost in both (1 for a read; recomputations charge more, api/cost.py). A client
address that presents bad keys too often is refused with 429 before its key is even
looked at, so a flood of guesses costs the server almost nothing.
"""

from __future__ import annotations

import time
from contextvars import ContextVar
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import APIKeyHeader
from limits import RateLimitItem, RateLimitItemPerMinute, RateLimitItemPerSecond
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter

from api.errors import ApiError
from api.keys import Key

# The key of the request being served. Set by the (async) key dependency in the request's own
# context, so the service code the route calls can charge and queue recomputations per key.
caller: ContextVar[Key | None] = ContextVar("kizashi_api_caller", default=None)


class RateLimiter:
    """Per identity: ``per_minute`` units a minute and ``per_second`` units in any one second."""

    def __init__(self, per_minute: int, per_second: int) -> None:
        self.items: tuple[RateLimitItem, ...] = (RateLimitItemPerMinute(max(1, per_minute)),
                                                 RateLimitItemPerSecond(max(1, per_second)))
        self._limiter = MovingWindowRateLimiter(MemoryStorage())

    def charge(self, ident: str, cost: int = 1) -> float:
        """0 when the budget allowed ``cost`` (and it is now spent), else seconds to wait.

        A cost above a window's whole budget spends all of that window (a computation costing
        30 units empties a 20-a-second burst budget) instead of never fitting at all."""
        cost = max(1, cost)
        for item in self.items:
            if not self._limiter.test(item, ident, cost=min(cost, item.amount)):
                return self.wait(ident, item)
        for item in self.items:
            self._limiter.hit(item, ident, cost=min(cost, item.amount))
        return 0.0

    def spent(self, ident: str) -> bool:
        """True when ``ident`` has no budget left (nothing is charged)."""
        return any(not self._limiter.test(item, ident) for item in self.items)

    def wait(self, ident: str, item: RateLimitItem | None = None) -> float:
        items = (item,) if item else self.items
        now = time.time()
        return max(0.1, max(self._limiter.get_window_stats(i, ident).reset_time - now for i in items))


def retry_headers(wait: float) -> dict[str, str]:
    return {"Retry-After": str(max(1, int(wait + 0.999)))}


api_key_header = APIKeyHeader(name="X-API-Key", auto_error=False,
                              description="Create one with `kizashi keys create --role read|admin`.")


def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def authorise(request: Request, presented: str | None, role: str, cost: int = 1) -> Key:
    state = request.app.state
    addr = client_address(request)
    if state.auth_failures.spent(addr):
        raise ApiError(429, "auth_throttled", "too many failed authentications from this address",
                       retry_headers(state.auth_failures.wait(addr)))
    if not presented:
        auth = request.headers.get("authorization", "")
        presented = auth[7:] if auth.lower().startswith("bearer ") else None
    key = state.keys.verify(presented)
    if key is None:
        state.auth_failures.charge(addr)
        raise ApiError(401, "unauthorized", "a valid API key is required (header X-API-Key)")
    if role == "admin" and key.role != "admin":
        raise ApiError(403, "forbidden", "this needs an admin key")
    wait = state.limiter.charge(key.id, cost)
    if wait:
        raise ApiError(429, "rate_limited", f"too many requests for this key; retry in {wait:.1f} s",
                       retry_headers(wait))
    return key


async def reader(request: Request, key: Annotated[str | None, Depends(api_key_header)]) -> Key:
    # async on purpose: a sync dependency runs in a worker thread, and the caller set there
    # would not reach the route's context.
    k = authorise(request, key, "read")
    caller.set(k)
    request.state.key = k
    return k


async def admin(request: Request, key: Annotated[str | None, Depends(api_key_header)]) -> Key:
    k = authorise(request, key, "admin")
    caller.set(k)
    request.state.key = k
    return k


Read = Depends(reader)
Admin = Depends(admin)
