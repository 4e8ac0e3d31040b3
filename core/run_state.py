"""What the main job is doing now, for the API and dashboard that serve while it runs.

``kizashi run`` rewrites ``<home>/runs/current.json`` at every step boundary: the plan, which
steps are done, which one runs. The API reads it (``GET /status``) and the dashboard shows a
banner from it. A file left by a run that was killed names a process that is gone, so a
reader sees no running job instead of one stuck forever.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from pathlib import Path

FILE = Path("runs") / "current.json"


@dataclass(frozen=True)
class RunState:
    started: str                     # UTC, ISO 8601
    pid: int
    steps: tuple[str, ...]           # the plan, in order
    done: tuple[str, ...] = ()
    running: str | None = None
    finished: str | None = None      # UTC when the run ended (then nothing runs)
    failed: str | None = None        # the step that failed, if one did
    serving_since: str | None = None   # UTC when the API and dashboard came up during the run

    @property
    def pending(self) -> tuple[str, ...]:
        seen = set(self.done) | {self.running}
        return tuple(s for s in self.steps if s not in seen)

    def with_(self, **changes: object) -> RunState:
        return RunState(**{**asdict(self), **changes})

    def as_json(self) -> dict[str, object]:
        return {**asdict(self), "pending": list(self.pending), "active": self.finished is None}


def now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def write(home: Path, state: RunState) -> None:
    path = home / FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(asdict(state), ensure_ascii=False), encoding="utf-8")
    tmp.replace(path)                # readers never see half a file


def read(home: Path) -> RunState | None:
    """The running job's state; None when no run has started, the last one ended, or its
    process is gone (killed, or the machine restarted)."""
    try:
        raw = json.loads((home / FILE).read_text(encoding="utf-8"))
        state = RunState(**{**raw, "steps": tuple(raw["steps"]), "done": tuple(raw.get("done", ()))})
    except (OSError, ValueError, TypeError, KeyError):
        return None
    if state.finished is not None or not _alive(state.pid):
        return None
    return state


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:          # someone else's process: it exists
        return True
    return True
