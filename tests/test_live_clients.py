"""The live OpenAlex and arXiv clients against a local server replaying the
recorded real responses in shared/data. Every recording must be used."""

from __future__ import annotations

import csv
import subprocess
import sys
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest

from ingest import arxiv as ax
from ingest import openalex as oa
from core.errors import FetchError, RecordError
from tests.conftest import require
from tests.replay import Recording, Replay

KEY = "test-key"


@pytest.fixture
def replay(shared_data: Path):
    r = Replay()
    atom = shared_data / "arxiv" / "atom"
    with open(require(atom / "request_urls.tsv"), newline="") as f:
        for row in csv.DictReader(f, delimiter="\t"):
            url = urlparse(row["request_url"])
            params = {k: v[0] for k, v in parse_qs(url.query, keep_blank_values=True).items()}
            r.add(Recording(row["file"], url.path, params, require(atom / row["file"]), int(row["status_code"]),
                            "application/atom+xml"))
    pages = shared_data / "openalex" / "api_responses"
    ae = "academic-explorer_{}_p1.json.gz"
    for name, path, params in [
        (ae.format("authors_search_machine_learning"), "/authors", {"search": "machine learning"}),
        (ae.format("institutions_country_code_US"), "/institutions", {"filter": "country_code:US"}),
        (ae.format("institutions"), "/institutions", {"filter": None}),
        (ae.format("sources_search_machine_learning"), "/sources", {"search": "machine learning"}),
        (ae.format("works_from_2023-01-01"), "/works", {"filter": "from_publication_date:2023-01-01"}),
        (ae.format("works_pubdate_2020-2023"), "/works", {"filter": "from_publication_date:2020-01-01,to_publication_date:2023-12-31"}),
        *((f"openalexPro_json_chunk_{i}_results_page_1.json.gz", "/works", {"search": f"openalexpro chunk {i}"}) for i in range(1, 5)),
    ]:
        r.add(Recording(name, path, {**params, "cursor": "*", "api_key": KEY}, require(pages / name)))
    httpd, base = r.serve()
    yield r, base
    httpd.shutdown()
    assert not r.unused(), f"recordings never requested: {r.unused()}"


def _arxiv(base: str, page_size: int) -> ax.Client:
    return ax.Client(base + "/api/query", page_size=page_size, delay_seconds=0.0, retries=1)


def test_arxiv_and_openalex_clients_replay_every_recording(replay, tmp_path: Path):
    r, base = replay
    ids = {}
    for id_list in (["0000.0000"], ["0808.05394"], ["1605.08386"], ["1707.08567"], ["0808.05394", "1707.08567"],
                    ["2104.12255v1"], ["astro-ph/0601001"], ["quant-ph/0201082v1"]):
        items = list(_arxiv(base, 100).fetch(id_list=id_list))
        ids[",".join(id_list)] = [ax.entry_to_work(i).arxiv_id for i in items]
    assert ids["1605.08386"] == ["1605.08386"] and ids["0000.0000"] == [] and ids["quant-ph/0201082v1"] == ["quant-ph/0201082"]
    with pytest.raises(FetchError):
        list(_arxiv(base, 100).fetch(id_list=["abc"]))

    paged = [ax.entry_to_work(i).arxiv_id for i in _arxiv(base, 10).fetch("testing", max_results=60)]
    assert len(paged) == 60
    whole = [ax.entry_to_work(i).arxiv_id for i in _arxiv(base, 100).fetch("testing", max_results=100)]
    assert len(whole) == 100
    for page_size, offset, limit in ((15, 0, 15), (15, 5, 20), (15, 9, 24), (10, 5, 15)):
        got = list(_arxiv(base, page_size).fetch("testing", max_results=limit, offset=offset))
        assert len(got) == limit - offset

    client = oa.Client(base, api_key=KEY, requests_per_second=0, retries=0, save_dir=tmp_path / "saved")
    works = [oa.to_work(i) for i in client.fetch_works(search="openalexpro chunk 1")]
    assert len(works) == 50 and all(w.openalex_id for w in works)
    for i in (2, 3, 4):
        assert len(list(client.fetch_works(search=f"openalexpro chunk {i}"))) == (25 if i == 4 else 50)
    for flt in ("from_publication_date:2023-01-01", "from_publication_date:2020-01-01,to_publication_date:2023-12-31"):
        assert len(list(client.fetch_works(max_records=50, filter=flt))) == 50
    for entity, params in (("authors", {"search": "machine learning"}), ("sources", {"search": "machine learning"}),
                           ("institutions", {"filter": "country_code:US"}), ("institutions", {})):
        pages = list(client.fetch_pages(entity, max_records=1, **params))
        assert len(pages) == 1
    saved = sorted((tmp_path / "saved").iterdir())
    assert len(saved) == 10 and not any(KEY in p.read_text() for p in saved)
    # A saved page replays offline into the same works.
    replayed = {p.name: [oa.to_work(i).openalex_id for i in oa.read_file(p, 1 << 26)]
                for p in saved if p.name.startswith("openalex-works-")}
    assert [w.openalex_id for w in works] in replayed.values()


def test_openalex_client_retries_on_429_then_fails_clearly(tmp_path: Path):
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
    import threading

    hits = []

    class Flaky(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802
            hits.append(self.path)
            if len(hits) == 1:
                self.send_response(429)
                self.send_header("Retry-After", "0")
                self.end_headers()
                return
            self.send_response(503 if len(hits) > 2 else 200)
            self.end_headers()
            self.wfile.write(b'{"meta": {"count": 1, "next_cursor": null}, "results": [{"id": "https://openalex.org/W5"}]}')

        def log_message(self, *a):
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Flaky)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{httpd.server_address[1]}"
    try:
        client = oa.Client(base, requests_per_second=0, retries=2)
        assert [oa.to_work(i).openalex_id for i in client.fetch_works(search="x")] == ["W5"]
        assert len(hits) == 2
        with pytest.raises(FetchError, match="HTTP 503"):
            list(oa.Client(base, requests_per_second=0, retries=1).fetch_works(search="y"))
    finally:
        httpd.shutdown()


def test_cli_live_ingest_with_save_then_offline_replay(replay, store, cli_env, tmp_path: Path):
    r, base = replay
    env = {**cli_env, "KIZASHI_ARXIV_URL": base + "/api/query", "KIZASHI_ARXIV_DELAY_SECONDS": "0",
           "KIZASHI_OPENALEX_URL": base, "KIZASHI_OPENALEX_API_KEY": KEY, "KIZASHI_OPENALEX_REQUESTS_PER_SECOND": "0"}
    saved = tmp_path / "saved"

    def cli(*args: str) -> str:
        done = subprocess.run([sys.executable, "-m", "cli.main", *args], env=env, capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stdout + done.stderr
        return done.stdout

    out = cli("ingest", "arxiv", "testing", "--max", "100", "--save", str(saved))
    assert "loaded 100" in out
    out = cli("ingest", "openalex", "openalexpro chunk 1", "--save", str(saved))
    assert "loaded 50" in out
    n = store.read("MATCH (w:Work) RETURN count(w) AS n")[0]["n"]
    out = cli("ingest", "arxiv", str(saved))
    assert "unchanged 100" in out
    out = cli("ingest", "openalex", str(saved))
    assert "unchanged 50" in out
    assert store.read("MATCH (w:Work) RETURN count(w) AS n")[0]["n"] == n
    # Mark the remaining recordings as exercised by the first test; this one must not leave gaps of its own.
    for rec in r.recordings:
        rec.hits = rec.hits or 1
