"""A local HTTP server on 127.0.0.1 that replays recorded real API responses.

Each recording is matched on path and query parameters; ``unused()`` lists the
recordings no request reached, so a test can fail on them.
"""

from __future__ import annotations

import gzip
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlparse


@dataclass
class Recording:
    name: str
    path: str
    params: dict[str, str | None]   # must all match (None: must be absent); others are ignored
    body: Path
    status: int = 200
    content_type: str = "application/json"
    hits: int = 0


@dataclass
class Replay:
    recordings: list[Recording] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)

    def add(self, rec: Recording) -> None:
        self.recordings.append(rec)

    def find(self, path: str, query: dict[str, str]) -> Recording | None:
        for r in self.recordings:
            if r.path == path and all(query.get(k) == v for k, v in r.params.items()):
                return r
        return None

    def unused(self) -> list[str]:
        return [r.name for r in self.recordings if r.hits == 0]

    def serve(self) -> tuple[ThreadingHTTPServer, str]:
        replay = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802
                url = urlparse(self.path)
                query = {k: v[0] for k, v in parse_qs(url.query, keep_blank_values=True).items()}
                replay.requests.append(self.path)
                rec = replay.find(url.path, query)
                if rec is None:
                    self.send_response(404)
                    self.end_headers()
                    self.wfile.write(b"no recording for this request")
                    return
                rec.hits += 1
                data = rec.body.read_bytes()
                if rec.body.suffix == ".gz":
                    data = gzip.decompress(data)
                self.send_response(rec.status)
                self.send_header("Content-Type", rec.content_type)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: object) -> None:
                pass

        httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=httpd.serve_forever, daemon=True).start()
        return httpd, f"http://127.0.0.1:{httpd.server_address[1]}"
