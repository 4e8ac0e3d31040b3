"""Cluster keywords: class-based TF-IDF (Grootendorst 2022) over English words and bigrams
and Japanese katakana words / kanji bigrams, so no tokeniser model is needed."""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np

_EN = re.compile(r"[a-z][a-z0-9\-]{2,}")
_KATA = re.compile(r"[\u30a0-\u30ffー]{2,}")
_KANJI = re.compile(r"[\u4e00-\u9fff]{2,}")
_JA = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")
_STOP: frozenset[str] | None = None
_EXTRA_STOP = {"paper", "propose", "proposed", "method", "methods", "results", "show", "based", "using", "approach",
               "present", "study", "new", "also", "can", "use", "used", "two", "one", "well", "work", "problem",
               "paper", "novel", "however", "demonstrate", "different", "provide", "given", "thus", "obtained",
               "find", "found", "shown", "case", "cases", "show", "discuss", "consider", "terms", "order", "general"}


def _stop() -> frozenset[str]:
    global _STOP
    if _STOP is None:
        from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

        _STOP = frozenset(ENGLISH_STOP_WORDS | _EXTRA_STOP)
    return _STOP


def tokens(text: str) -> list[str]:
    """English words and bigrams; Japanese katakana words and kanji bigrams."""
    stop = _stop()
    out: list[str] = []
    words = [w.strip("-") for w in _EN.findall(text.lower())]
    words = [w if w not in stop and len(w) > 2 else "" for w in words]
    out.extend(w for w in words if w)
    out.extend(f"{a} {b}" for a, b in zip(words, words[1:]) if a and b)
    if _JA.search(text):
        out.extend(_KATA.findall(text))
        for run in _KANJI.findall(text):
            out.extend(run[i:i + 2] for i in range(len(run) - 1))
    return out


def keywords(texts: Sequence[str], labels: np.ndarray, n: int = 10) -> dict[int, tuple[list[str], list[str]]]:
    """c-TF-IDF: each cluster's concatenated documents as one class (Grootendorst 2022)."""
    from sklearn.feature_extraction.text import CountVectorizer

    m = int(labels.max()) + 1 if len(labels) and labels.max() >= 0 else 0
    if m == 0:
        return {}
    mask = labels >= 0
    vec = CountVectorizer(analyzer=tokens, min_df=min(3, int(mask.sum())))
    try:
        counts = vec.fit_transform([t for t, keep in zip(texts, mask) if keep])
    except ValueError:  # no tokens at all
        return {c: ([], []) for c in range(m)}
    from scipy import sparse

    onehot = sparse.csr_matrix((np.ones(int(mask.sum())), (labels[mask], np.arange(int(mask.sum())))), shape=(m, counts.shape[0]))
    tf = np.asarray((onehot @ counts).todense(), dtype=float)
    tf_norm = tf / np.maximum(tf.sum(axis=1, keepdims=True), 1)
    avg = tf.sum() / m
    idf = np.log(1 + avg / np.maximum(tf.sum(axis=0), 1))
    score = tf_norm * idf
    vocab = np.array(vec.get_feature_names_out())
    out = {}
    for c in range(m):
        order = np.argsort(-score[c])
        en, ja = [], []
        for t in vocab[order[: 20 * n]]:
            if tf[c, vec.vocabulary_[t]] < 2:
                continue
            (ja if _JA.search(t) else en).append(str(t))
        out[c] = (_dedupe_bigrams(en)[:n], ja[:n])
    return out


def _dedupe_bigrams(terms: list[str]) -> list[str]:
    """Drop a word already covered by a higher-ranked bigram, to keep the list informative."""
    seen: set[str] = set()
    out = []
    for t in terms:
        parts = t.split()
        if len(parts) == 1 and t in seen:
            continue
        seen.update(parts)
        out.append(t)
    return out
