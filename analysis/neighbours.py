"""Cosine k-nearest neighbours of unit vectors, the input of the kNN graph.

Exact (blocked matrix product and top-k) up to ``exact_max`` documents; above it an
inverted-file search: scikit-learn's k-means cuts the vectors into about √n cells and
each cell is searched exactly against itself and its nearest cells.

Why the search itself is not scikit-learn's: ``NearestNeighbors(metric="cosine",
algorithm="brute")`` finds the same neighbours but took 2.2 s against 1.3 s at 8k and
13.9 s against 5.2 s at 15k documents here (``python -m bench.clusters --knn 15000``
prints both, with their ratio), and scikit-learn has no approximate search for the
larger corpora (its trees do not help in 512 dimensions). hnswlib would, but it ships
only as a source package that needs a C++ build on every install.
"""

from __future__ import annotations

import math

import numpy as np


def knn(x: np.ndarray, k: int, exact_max: int = 15000, seed: int = 42) -> tuple[np.ndarray, np.ndarray]:
    """Cosine kNN of unit rows (self excluded): exact up to ``exact_max`` rows, else
    an inverted-file search (k-means cells, each probed with its nearest cells)."""
    k = min(k, len(x) - 1)
    if len(x) <= exact_max:
        return topk(x, x, k, np.arange(len(x)))
    return ivf_knn(x, k, seed)


def topk(q: np.ndarray, cand: np.ndarray, k: int, self_pos: np.ndarray | None, block: int = 1024) -> tuple[np.ndarray, np.ndarray]:
    """Top-k of q against cand by dot product; self_pos[i] is q[i]'s row in cand (excluded)."""
    n = len(q)
    idx = np.empty((n, k), dtype=np.int64)
    sim = np.empty((n, k), dtype=np.float32)
    for s in range(0, n, block):
        e = min(s + block, n)
        d = q[s:e] @ cand.T
        if self_pos is not None:
            d[np.arange(e - s), self_pos[s:e]] = -np.inf
        part = np.argpartition(d, d.shape[1] - k, axis=1)[:, -k:]
        ps = np.take_along_axis(d, part, axis=1)
        order = np.argsort(-ps, axis=1)
        idx[s:e] = np.take_along_axis(part, order, axis=1)
        sim[s:e] = np.take_along_axis(ps, order, axis=1)
    return idx, sim


def cells(x: np.ndarray, m: int, seed: int, iters: int = 8) -> tuple[np.ndarray, np.ndarray]:
    """Each row's cell and the unit cell centres: a few Lloyd steps from random centres,
    enough for cells that only need to be roughly right (k-means++ seeding and running to
    convergence cost about 9× as long for no better search; bench/clusters.py --kmeans)."""
    from sklearn.cluster import KMeans

    km = KMeans(n_clusters=m, init="random", n_init=1, max_iter=iters, random_state=seed).fit(x)
    cen = km.cluster_centers_.astype(np.float32)
    cen /= np.maximum(np.linalg.norm(cen, axis=1, keepdims=True), 1e-12)
    return km.labels_.astype(np.int64), cen


def ivf_knn(x: np.ndarray, k: int, seed: int, probe_factor: int = 32) -> tuple[np.ndarray, np.ndarray]:
    n = len(x)
    m = max(16, int(math.sqrt(n)))
    cell, cen = cells(x, m, seed)
    members = [np.flatnonzero(cell == c) for c in range(m)]
    near = np.argsort(-(cen @ cen.T), axis=1)
    idx = np.empty((n, k), dtype=np.int64)
    sim = np.empty((n, k), dtype=np.float32)
    want = probe_factor * n // m
    for c in range(m):
        q = members[c]
        if not len(q):
            continue
        cand_parts, total = [], 0
        for other in [c, *(o for o in near[c] if o != c)]:
            cand_parts.append(members[other])
            total += len(members[other])
            if total >= max(want, k + 1):
                break
        cand = np.concatenate(cand_parts)
        i, s = topk(x[q], x[cand], k, np.arange(len(q)))  # the cell itself is cand's first block
        idx[q] = cand[i]
        sim[q] = s
    return idx, sim
