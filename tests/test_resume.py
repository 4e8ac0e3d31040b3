"""kill -9 in the middle of an ingest, rerun: the final graph equals a clean run's."""

import os
import random
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

from tests.conftest import require
from tests.helpers import stable_counts


def _cli(args: list[str], env: dict[str, str]) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "cli.main", *args], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def _done(store) -> int:
    rows = store.read("MATCH (s:Source) RETURN coalesce(sum(s.done), 0) AS n")
    return rows[0]["n"]


def test_killed_ingest_resumes_to_the_same_counts(store, cli_env, shared_data: Path):
    works = require(shared_data / "openalex" / "works.jsonl.gz")
    env = {**cli_env, "KIZASHI_BATCH_SIZE": "50"}
    clean = _cli(["ingest", "openalex", str(works)], env)
    out, _ = clean.communicate(timeout=600)
    assert clean.returncode == 0, out
    expected = stable_counts(store)
    assert expected["Work"] > 1900

    store.autocommit("MATCH (n) CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS")
    rng = random.Random(7)
    killed = 0
    for _ in range(2):
        stop_at = _done(store) + rng.randrange(100, 600)
        proc = _cli(["ingest", "openalex", str(works)], env)
        deadline = time.monotonic() + 300
        while proc.poll() is None and _done(store) < stop_at and time.monotonic() < deadline:
            time.sleep(0.05)
        if proc.poll() is None:
            os.kill(proc.pid, signal.SIGKILL)
            killed += 1
        proc.wait()
    assert killed == 2
    final = _cli(["ingest", "openalex", str(works)], env)
    out, _ = final.communicate(timeout=600)
    assert final.returncode == 0, out
    resumed = int(re.search(r"([\d,]+) records resumed past", out).group(1).replace(",", ""))
    assert resumed > 0
    assert stable_counts(store) == expected
