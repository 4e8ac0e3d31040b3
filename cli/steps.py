"""The main job's step table: each step's wall time and what it wrote to the graph.

Steps run as the CLI commands they are, so the table measures from outside: the graph's node
and relationship counts (Neo4j's count store, constant time) before and after each step, and,
around the embedding step, how many nodes hold an embedding. The rate is those writes per
second. The table is printed at the end of ``kizashi run``, written as JSON to
``<home>/runs/<UTC stamp>.json`` (and ``last.json``), and printed as JSON with ``--json``.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from core.console import table


@dataclass(frozen=True)
class Tally:
    nodes: int
    relationships: int
    embedded: int | None = None


@dataclass(frozen=True)
class StepTime:
    name: str
    command: str
    seconds: float
    nodes: int               # added by the step (negative: removed)
    relationships: int
    embedded: int | None     # nodes newly holding an embedding (embedding steps only)
    status: str              # done | failed

    @property
    def rate(self) -> float | None:
        writes = abs(self.nodes) + abs(self.relationships) + abs(self.embedded or 0)
        return writes / self.seconds if writes and self.seconds > 0 else None


def measure(name: str, argv: list[str], tally: Callable[[bool], Tally], run: Callable[[], None],
            into: list[StepTime]) -> None:
    """Run one step between two tallies and append its time to ``into``; a failing step is
    appended too, then its error re-raised."""
    embeds = argv[:1] == ["embed"]
    before, t0, status = tally(embeds), time.perf_counter(), "failed"
    try:
        run()
        status = "done"
    finally:
        seconds = time.perf_counter() - t0
        after = tally(embeds)
        into.append(StepTime(name, "kizashi " + " ".join(argv), seconds, after.nodes - before.nodes,
                        after.relationships - before.relationships,
                        None if after.embedded is None or before.embedded is None else after.embedded - before.embedded,
                        status))


def as_dict(steps: list[StepTime], started: str) -> dict[str, Any]:
    total = sum(s.seconds for s in steps)
    # milliseconds, not tenths: a sub-second step rounded to 0.1 s no longer matches its own rate
    return {"started": started, "total_seconds": round(total, 3),
            "steps": [{**asdict(s), "seconds": round(s.seconds, 3),
                       "rate_per_second": None if s.rate is None else round(s.rate, 1)} for s in steps]}


def show(steps: list[StepTime]) -> None:
    total = sum(s.seconds for s in steps) or 1.0
    rows = [{"step": s.name, "seconds": f"{s.seconds:,.1f}", "share": f"{s.seconds / total:.0%}",
             "+nodes": f"{s.nodes:,}", "+relationships": f"{s.relationships:,}",
             "+embedded": "" if s.embedded is None else f"{s.embedded:,}",
             "writes/s": "" if s.rate is None else f"{s.rate:,.0f}", "status": s.status} for s in steps]
    rows.append({"step": "total", "seconds": f"{sum(s.seconds for s in steps):,.1f}", "share": "100%",
                 "+nodes": f"{sum(s.nodes for s in steps):,}", "+relationships": f"{sum(s.relationships for s in steps):,}",
                 "+embedded": "", "writes/s": "", "status": ""})
    table(rows, title="main job steps")


def save(home: Path, data: dict[str, Any]) -> Path:
    runs = home / "runs"
    runs.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    text = json.dumps(data, ensure_ascii=False, indent=2)
    (runs / f"{stamp}.json").write_text(text, encoding="utf-8")
    (runs / "last.json").write_text(text, encoding="utf-8")
    return runs / f"{stamp}.json"
