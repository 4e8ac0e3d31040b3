"""The ingest and embedding stages over partitions, locally or on Dask.

A partition is a list of input files (an OpenAlex snapshot ``part_NNN.gz``, a
USPTO weekly file, a Kaggle arXiv shard) or, for embedding, a list of document
rows. ``ingest_partition`` and ``embed_partition`` are plain functions of one
partition that run the very same code as ``kizashi ingest`` / ``kizashi embed``
(``graph.pipeline.ingest`` with per-file checkpoints; ``Embedder.encode`` and
``graph.vectors.write``), each with its own Neo4j session. Where they run is
a deployment choice:

    run(partitions, ingest_partition, engine="local")              # one process, in order
    run(partitions, ingest_partition, engine="dask", workers=8)    # Dask processes on this machine
    run(partitions, ingest_partition, engine="dask", scheduler="tcp://head:8786")   # a Dask cluster

Retrying a failed partition is safe: files already complete are skipped by
fingerprint and an interrupted file resumes at its checkpoint. Concurrent
partitions meet on shared nodes (countries, organizations); the MERGE writers
are idempotent and the driver retries the transient deadlocks this can cause.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from core.errors import ConfigError


@dataclass(frozen=True)
class Partition:
    kind: str                                   # openalex | arxiv | patents | embed
    paths: tuple[str, ...] = ()
    rows: tuple[tuple[str, str, str], ...] = ()  # embed: (label, key, text)
    name: str = ""


@dataclass
class Outcome:
    partition: str
    records: int = 0
    loaded: int = 0
    quarantined: int = 0
    seconds: float = 0.0
    extra: dict[str, Any] = field(default_factory=dict)


def split(files: Sequence[Path], kind: str, n: int) -> list[Partition]:
    """Files dealt round-robin into ``n`` partitions (the unit of scheduling and retry)."""
    groups: list[list[str]] = [[] for _ in range(max(1, n))]
    for i, f in enumerate(sorted(files)):
        groups[i % len(groups)].append(str(f))
    return [Partition(kind, tuple(g), name=f"{kind}-{i:04d}") for i, g in enumerate(groups) if g]


def _inputs(kind: str, paths: Sequence[str], max_bytes: int) -> tuple[list[Any], dict[str, Any]]:
    from ingest import arxiv as ax
    from ingest import openalex as oa
    from ingest.inputs import file_input

    if kind == "openalex":
        files = [f for p in paths for f in oa.find_files(Path(p))]
        return [file_input(f, lambda f: ((i, oa.to_work) for i in oa.read_file(f, max_bytes))) for f in files], {}
    if kind == "arxiv":
        files = [f for p in paths for f in ax.find_files(Path(p))]
        return [file_input(f, lambda f: ax.read_file(f, max_bytes)) for f in files], {}
    if kind == "patents":
        from graph.patent import write_patents
        from ingest import patents

        return patents.inputs([Path(p) for p in paths], max_bytes), {"writer": write_patents, "link": False}
    raise ValueError(f"no partitioned ingest for {kind!r}")


def ingest_partition(p: Partition) -> Outcome:
    """Load one partition's files with the ordinary pipeline (its own store and quarantine file)."""
    from graph.store import Store
    from graph.pipeline import ingest
    from ingest.quarantine import Quarantine
    from core.settings import get_settings

    s = get_settings()
    t0 = time.perf_counter()
    inputs, extra = _inputs(p.kind, p.paths, s.max_record_bytes)
    q = Quarantine(s.quarantine_dir / f"{p.name or p.kind}.jsonl")
    try:
        with Store.connect(s) as store:
            # cross-partition links (CITES, CHILD_OF) are one pass after all partitions: see link_all
            rep = ingest(store, inputs, p.kind, batch_size=s.batch_size, quarantine=q, show_progress=False,
                         args=list(p.paths), **({"link": False} | extra))
    finally:
        q.close()
    return Outcome(p.name, rep.read, rep.loaded, rep.quarantined, time.perf_counter() - t0)


def link_all() -> None:
    """The linking passes the pipeline runs after a single-process ingest, once for all partitions."""
    from graph.load import LINK_CITES, LINK_LINEAGE
    from graph.store import Store
    from core.settings import get_settings

    with Store.connect(get_settings()) as store:
        store.autocommit(LINK_CITES)
        store.autocommit(LINK_LINEAGE)


def embed_partition(p: Partition) -> Outcome:
    """Encode one partition of (label, key, text) rows and store the vectors (same hash and model
    bookkeeping as ``kizashi embed``, so a later incremental run skips them)."""
    from analysis.embed import get_embedder, text_hash
    from graph import vectors as gv
    from graph.store import Store
    from core.settings import get_settings

    t0 = time.perf_counter()
    emb = get_embedder()
    by_label: dict[str, list[tuple[str, str]]] = {}
    for label, key, text in p.rows:
        by_label.setdefault(label, []).append((key, text))
    n = 0
    with Store.connect(get_settings()) as store:
        for label, rows in by_label.items():
            e = gv.BY_LABEL[label]
            # Partitions write live vectors in place: only the live model may do that. A new
            # model goes through `kizashi embed`, which stages it and swaps it in whole.
            st = gv.state(store, e)
            if st is not None and (st.phase is not None or st.model not in (None, emb.name)):
                raise ConfigError(f"{label}: the live embedding model is {st.model}"
                                  f"{' (a switch to ' + str(st.next_model) + ' is in progress)' if st.phase else ''}; "
                                  f"partitions cannot write {emb.name} vectors in place. Switch models with "
                                  "`kizashi embed` (staged, then swapped), then run partitions with that model.")
            for i in range(0, len(rows), 256):
                chunk = rows[i:i + 256]
                vecs = emb.encode([t for _, t in chunk])
                gv.write(store, e, emb.name, [{"key": k, "hash": text_hash(t), "v": v.tolist()}
                                             for (k, t), v in zip(chunk, vecs)])
                n += len(chunk)
    return Outcome(p.name, n, n, 0, time.perf_counter() - t0)


def run(partitions: Sequence[Partition], fn: Callable[[Partition], Outcome], engine: str = "local",
        workers: int = 2, scheduler: str | None = None) -> list[Outcome]:
    """Apply ``fn`` to every partition: in this process, or as Dask tasks (local processes,
    or the cluster at ``scheduler``)."""
    if engine == "local":
        return [fn(p) for p in partitions]
    if engine != "dask":
        raise ValueError(f"engine must be local or dask, not {engine!r}")
    try:
        import dask.bag as db
    except ImportError as e:
        from core.errors import ConfigError

        raise ConfigError("the dask engine needs: pip install 'kizashi[distributed]'") from e
    bag = db.from_sequence(list(partitions), npartitions=len(partitions)).map(fn)
    if scheduler:
        from dask.distributed import Client

        with Client(scheduler) as client:
            return list(client.compute(bag).result())
    return list(bag.compute(scheduler="processes", num_workers=workers))
