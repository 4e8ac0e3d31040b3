"""Where bad records go: one JSON line each, naming source, record and reason."""

from __future__ import annotations

import json
import logging
from datetime import datetime, timezone
from pathlib import Path

from core.errors import RecordError

log = logging.getLogger("kizashi.ingest")


class Quarantine:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.count = 0
        self._file = None

    def add(self, err: RecordError) -> None:
        log.warning("skipped %s:%s: %s", err.source, err.locator, err.reason)
        if self._file is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._file = open(self.path, "a", encoding="utf-8")
        row = {"source": err.source, "locator": err.locator, "reason": err.reason,
               "excerpt": err.excerpt, "at": datetime.now(timezone.utc).isoformat(timespec="seconds")}
        self._file.write(json.dumps(row, ensure_ascii=False) + "\n")
        self._file.flush()
        self.count += 1

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None
