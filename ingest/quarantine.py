"""Where bad records go: one JSON line each, naming source, record and reason.

The console gets a summary (how many, by reason, and the file) rather than a line per record:
a real corpus has dozens of untitled papers, and a wall of warnings hides the one that matters.
Each record is still logged at DEBUG (``-v``-style logging shows them).
"""

from __future__ import annotations

import json
import logging
from collections import Counter
from datetime import datetime, timezone
from pathlib import Path

from core.errors import RecordError

log = logging.getLogger("kizashi.ingest")


class Quarantine:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.count = 0
        self.reasons: Counter[str] = Counter()
        self._file = None

    def add(self, err: RecordError) -> None:
        log.debug("skipped %s:%s: %s", err.source, err.locator, err.reason)
        if self._file is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._file = open(self.path, "a", encoding="utf-8")
        row = {"source": err.source, "locator": err.locator, "reason": err.reason,
               "excerpt": err.excerpt, "at": datetime.now(timezone.utc).isoformat(timespec="seconds")}
        self._file.write(json.dumps(row, ensure_ascii=False) + "\n")
        self._file.flush()
        self.count += 1
        self.reasons[err.reason] += 1

    def summary(self, top: int = 5) -> str:
        """``93 × paper has no title; 2 × …`` for the most frequent reasons."""
        parts = [f"{n:,} × {reason}" for reason, n in self.reasons.most_common(top)]
        rest = len(self.reasons) - top
        return "; ".join(parts) + (f"; and {rest} other reasons" if rest > 0 else "")

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None
