"""Small helpers shared by tests (and the benches that start servers): run an ingest the way
the CLI does; wait for a server to answer; stop the servers a test started."""

from __future__ import annotations

import subprocess
import time
from collections.abc import Iterable
from pathlib import Path

import httpx

from graph.store import Store
from ingest import arxiv as ax
from ingest import openalex as oa
from ingest.inputs import file_input
from graph.pipeline import Report, ingest
from ingest.quarantine import Quarantine

MAX = 8 * 1024 * 1024


def openalex_input(path: Path, max_bytes: int = MAX):
    return file_input(path, lambda f: ((i, oa.to_work) for i in oa.read_file(f, max_bytes)))


def arxiv_input(path: Path, max_bytes: int = MAX):
    return file_input(path, lambda f: ax.read_file(f, max_bytes))


def load(store: Store, kind: str, paths: list[Path], tmp: Path, batch_size: int = 500, force: bool = False) -> tuple[Report, Quarantine]:
    make = openalex_input if kind == "openalex" else arxiv_input
    files = [f for p in paths for f in (oa.find_files(p) if kind == "openalex" else ax.find_files(p))]
    q = Quarantine(tmp / f"quarantine-{kind}.jsonl")
    try:
        report = ingest(store, [make(f) for f in files], kind, batch_size=batch_size, quarantine=q, show_progress=False, force=force)
    finally:
        q.close()
    return report, q


def counts(store: Store) -> dict[str, int]:
    from graph.queries import counts as c

    data = c(store)
    return {**data["nodes"], **{f"rel:{k}": v for k, v in data["relationships"].items()}}


def stable_counts(store: Store) -> dict[str, int]:
    """Counts of the graph's content, without the per-run provenance nodes."""
    return {k: v for k, v in counts(store).items() if k not in ("IngestRun", "rel:READ")}


def wait_http(url: str, timeout: float = 120.0, proc: subprocess.Popen | None = None) -> None:
    """Until ``url`` answers below 500; fails early when ``proc`` (the server) has exited."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"{url}: the server exited with {proc.returncode}")
        try:
            if httpx.get(url, timeout=2.0).status_code < 500:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    raise TimeoutError(f"{url} did not come up in {timeout} s")


def stop(procs: Iterable[subprocess.Popen], grace: float = 15.0) -> None:
    """SIGTERM every process, then SIGKILL those still running after ``grace`` seconds."""
    procs = list(procs)
    for p in procs:
        p.terminate()
    for p in procs:
        try:
            p.wait(grace)
        except subprocess.TimeoutExpired:
            p.kill()
