"""The one HTTP path of Kizashi's live sources: GET with retries (tenacity), and the one
place httpx errors and failed responses become ``FetchError``.

Retried: connection failures, timeouts, a connection dropped mid-response, HTTP 429 and
5xx (except 501 and 505, which say the request itself is wrong). Waits grow exponentially
with full jitter, so many clients hitting one failing server spread out; a ``Retry-After``
header (seconds or an HTTP date) replaces the computed wait, capped at ``max_wait``.
Anything else (404, 401, a TLS or protocol error of our own) fails at once.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from typing import Any

import httpx
from tenacity import RetryCallState, Retrying, retry_if_exception, stop_after_attempt, wait_random_exponential

from core.errors import FetchError

log = logging.getLogger(__name__)

RETRY_STATUS = frozenset({429, *range(500, 600)}) - {501, 505}
# Failures of the network or the server, not of our request.
TRANSIENT_ERRORS: tuple[type[Exception], ...] = (httpx.TimeoutException, httpx.NetworkError, httpx.RemoteProtocolError)
USER_AGENT = "kizashi (+https://github.com/kizashi)"


class HTTPStatus(Exception):
    """A response other than 200, carried through the retry loop to be judged and reported."""

    def __init__(self, response: httpx.Response) -> None:
        self.response = response
        super().__init__(f"HTTP {response.status_code}")


def transient(exc: BaseException) -> bool:
    if isinstance(exc, HTTPStatus):
        return exc.response.status_code in RETRY_STATUS
    return isinstance(exc, TRANSIENT_ERRORS)


def retry_after(response: httpx.Response, now: datetime | None = None) -> float | None:
    """Seconds the server asked us to wait, from ``Retry-After`` (delta-seconds or HTTP date)."""
    value = (response.headers.get("Retry-After") or "").strip()
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return max(0.0, (when - (now or datetime.now(timezone.utc))).total_seconds())


class _Wait:
    """Retry-After when the server sent one, else exponential backoff with full jitter."""

    def __init__(self, backoff: float, max_wait: float) -> None:
        self.max_wait = max_wait
        self.backoff = wait_random_exponential(multiplier=backoff, max=max_wait)

    def __call__(self, state: RetryCallState) -> float:
        exc = state.outcome.exception() if state.outcome else None
        if isinstance(exc, HTTPStatus):
            asked = retry_after(exc.response)
            if asked is not None:
                return min(asked, self.max_wait)
        return self.backoff(state)


def _describe(exc: BaseException) -> str:
    if isinstance(exc, HTTPStatus):
        return f"HTTP {exc.response.status_code}: {exc.response.text[:200]}"
    return f"{type(exc).__name__}: {exc}"


def request(http: httpx.Client, url: str, params: Mapping[str, Any] | None = None, *, retries: int = 3,
            backoff: float = 1.0, max_wait: float = 60.0, sleep: Callable[[float], None] = time.sleep) -> httpx.Response:
    """GET ``url`` until it answers 200 or the retries are spent; the 200 response, else ``FetchError``.

    The error names ``url`` without its query, so keys passed in ``params`` never reach a log.
    """
    retrying = Retrying(stop=stop_after_attempt(retries + 1), wait=_Wait(backoff, max_wait),
                        retry=retry_if_exception(transient), sleep=sleep, reraise=True,
                        before_sleep=lambda s: log.info("GET %s: %s; retry %d of %d", url,
                                                        _describe(s.outcome.exception()), s.attempt_number, retries))

    def once() -> httpx.Response:
        resp = http.get(url, params=params)
        if resp.status_code != 200:
            raise HTTPStatus(resp)
        return resp

    try:
        return retrying(once)
    except (HTTPStatus, httpx.HTTPError, httpx.InvalidURL) as e:
        raise FetchError(f"GET {url} failed: {_describe(e)}") from None


def get_with_retries(http: httpx.Client, url: str, params: dict[str, Any], retries: int, backoff: float = 1.0) -> bytes:
    """The body of a 200 answer to GET ``url`` (see ``request``)."""
    return request(http, url, params, retries=retries, backoff=backoff).content


class Client:
    """An httpx client with Kizashi's User-Agent and the retry policy above."""

    def __init__(self, timeout: float = 30.0, retries: int = 3, backoff: float = 1.0, max_wait: float = 60.0,
                 follow_redirects: bool = True, headers: Mapping[str, str] | None = None,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self.retries, self.backoff, self.max_wait, self.sleep = retries, backoff, max_wait, sleep
        self.http = httpx.Client(timeout=timeout, follow_redirects=follow_redirects,
                                 headers={"User-Agent": USER_AGENT, **(headers or {})})

    def get(self, url: str, params: Mapping[str, Any] | None = None) -> httpx.Response:
        return request(self.http, url, params, retries=self.retries, backoff=self.backoff, max_wait=self.max_wait,
                       sleep=self.sleep)

    def close(self) -> None:
        self.http.close()

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
