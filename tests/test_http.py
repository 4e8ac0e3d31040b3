"""ingest/http.py's retry policy against a local HTTP server that answers from a script:
what is retried, how long it waits (Retry-After, backoff) and how the last failure is reported."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest

from core.errors import FetchError
from ingest import http as kh
from ingest import policy as pol

FIX = Path(__file__).parent / "fixtures" / "policy"


@dataclass
class Answer:
    status: int = 200
    body: bytes = b"ok"
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0          # seconds before answering (to provoke a client timeout)


@dataclass
class Script:
    """Answers in order; the last one repeats. ``hits`` holds each request's path."""
    answers: list[Answer]
    hits: list[str] = field(default_factory=list)


@pytest.fixture
def server() -> Iterator[tuple[Script, str]]:
    script = Script([Answer()])

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802
            script.hits.append(self.path)
            a = script.answers[min(len(script.hits), len(script.answers)) - 1]
            if a.delay:
                time.sleep(a.delay)
            self.send_response(a.status)
            for k, v in {"Content-Type": "text/html; charset=utf-8", **a.headers}.items():
                self.send_header(k, v)
            self.send_header("Content-Length", str(len(a.body)))
            self.end_headers()
            self.wfile.write(a.body)

        def log_message(self, *args: object) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield script, f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


class Sleeps(list[float]):
    """Records the waits instead of sleeping them."""

    def __call__(self, seconds: float) -> None:
        self.append(seconds)


def test_503_with_retry_after_then_200_waits_as_asked(server):
    script, base = server
    script.answers = [Answer(503, b"busy", {"Retry-After": "1"}), Answer(200, b"payload")]
    started = time.monotonic()
    with kh.Client(retries=3, backoff=0.01) as http:
        resp = http.get(base + "/doc")
    elapsed = time.monotonic() - started
    assert resp.content == b"payload" and len(script.hits) == 2
    assert 1.0 <= elapsed < 5.0


def test_retry_after_as_an_http_date_and_capped_at_max_wait(server):
    script, base = server
    later = format_datetime(datetime.now(timezone.utc) + timedelta(seconds=30), usegmt=True)
    script.answers = [Answer(429, headers={"Retry-After": later}), Answer(503, headers={"Retry-After": "3600"}),
                      Answer(200, b"done")]
    sleeps = Sleeps()
    with kh.Client(retries=3, max_wait=60.0, sleep=sleeps) as http:
        assert http.get(base + "/x").content == b"done"
    assert len(sleeps) == 2 and 25.0 <= sleeps[0] <= 30.0 and sleeps[1] == 60.0


def test_transient_statuses_back_off_exponentially_then_fail_with_the_last_status(server):
    script, base = server
    script.answers = [Answer(502, b"bad gateway"), Answer(504, b"gateway timeout"), Answer(500, b"oops"),
                      Answer(503, b"still down")]
    sleeps = Sleeps()
    with kh.Client(retries=3, backoff=2.0, max_wait=60.0, sleep=sleeps) as http, \
            pytest.raises(FetchError, match=r"GET .*/down failed: HTTP 503: still down"):
        http.get(base + "/down")
    assert len(script.hits) == 4 and len(sleeps) == 3
    # Full jitter: attempt n waits somewhere in [0, backoff * 2**n].
    assert all(0.0 <= s <= 2.0 * 2 ** n for n, s in enumerate(sleeps, 1))


@pytest.mark.parametrize("status", [400, 401, 403, 404, 501])
def test_a_request_the_server_refuses_is_not_retried(server, status):
    script, base = server
    script.answers = [Answer(status, b"no")]
    sleeps = Sleeps()
    with kh.Client(retries=5, sleep=sleeps) as http, pytest.raises(FetchError, match=f"HTTP {status}"):
        http.get(base + "/nope")
    assert len(script.hits) == 1 and sleeps == []


def test_a_timeout_is_retried(server):
    script, base = server
    script.answers = [Answer(200, b"late", delay=1.5), Answer(200, b"on time")]
    sleeps = Sleeps()
    with kh.Client(timeout=0.5, retries=2, sleep=sleeps) as http:
        assert http.get(base + "/slow").content == b"on time"
    assert len(script.hits) == 2 and len(sleeps) == 1


def test_connection_refused_is_retried_then_reported():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]     # closed again when the block ends: nothing listens there
    sleeps = Sleeps()
    with kh.Client(retries=2, sleep=sleeps) as http, pytest.raises(FetchError, match="ConnectError"):
        http.get(f"http://127.0.0.1:{port}/")
    assert len(sleeps) == 2


def test_the_error_names_the_url_without_secret_params(server):
    script, base = server
    script.answers = [Answer(403, b"forbidden")]
    with httpx.Client() as http, pytest.raises(FetchError) as err:
        kh.get_with_retries(http, base + "/works", {"api_key": "s3cret", "search": "x"}, retries=0)
    assert "s3cret" not in str(err.value) and base + "/works" in str(err.value)
    assert script.hits == ["/works?api_key=s3cret&search=x"]


def test_retry_after_parsing():
    now = datetime(2026, 1, 1, tzinfo=timezone.utc)

    def resp(v: str) -> httpx.Response:
        return httpx.Response(503, headers={"Retry-After": v})

    assert kh.retry_after(resp("7"), now) == 7.0 and kh.retry_after(resp("-3"), now) == 0.0
    assert kh.retry_after(resp("Thu, 01 Jan 2026 00:00:10 GMT"), now) == 10.0
    assert kh.retry_after(resp("soon"), now) is None and kh.retry_after(httpx.Response(503), now) is None


def test_policy_urls_are_fetched_through_the_same_retries(server):
    script, base = server
    page = (FIX / "minerals_page.html").read_bytes()
    script.answers = [Answer(503, b"busy", {"Retry-After": "0"}), Answer(200, page)]
    [(raw, _)] = list(pol.fetch_url(base + "/minerals_page.html", None, retries=2, timeout=5.0))
    assert raw.data["bytes"] == page and raw.data["kind"] == "html" and len(script.hits) == 2

    script.answers, script.hits = [Answer(404, b"gone")], []
    [(err, _)] = list(pol.fetch_url(base + "/missing.html", None, retries=2, timeout=5.0))
    assert isinstance(err, pol.RecordError) and "HTTP 404" in str(err) and len(script.hits) == 1
