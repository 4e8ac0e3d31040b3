"""Clustering benchmarks: time at 10k, 40k and 80k documents, kNN+Leiden against
HDBSCAN (the issue's suggestion) on the same real vectors, and the choices inside the
kNN search (analysis/neighbours.py), each against its alternative in the same run.

    python -m bench.clusters [--sizes 10000 40000 80000] [--compare 10000]
    python -m bench.clusters --sizes --compare 0 --knn 15000     # numpy vs scikit-learn exact kNN; IVF vs exact
    python -m bench.clusters --sizes --compare 0 --kmeans 40000  # IVF cells: 8 Lloyd steps vs scikit-learn's default KMeans

Real vectors come from the bench/embed.py cache (quant-ph, plus the robotics sample when
cached). Sizes beyond the cached real vectors are filled with jittered copies of real ones
(cosine ≈ 0.95 to their source), which is stated in the output: timing depends on n and
the neighbourhood structure, which jittered copies keep.
"""

from __future__ import annotations

import argparse
import glob
import json
import time

import numpy as np

from analysis.cluster_params import Params
from analysis.communities import cluster, drop_small, leiden
from analysis.emergence import score, stats
from analysis.neighbours import cells, ivf_knn, knn, topk
from bench.embed import OUT


def real_vectors() -> np.ndarray:
    files = sorted(glob.glob(str(OUT / "vectors" / "*" / "use-multilingual" / "chunk_*.npy")))
    return np.concatenate([np.load(f) for f in files])


def sized(x: np.ndarray, n: int, seed: int = 0) -> tuple[np.ndarray, int]:
    """n vectors: the real ones first, then jittered copies. Returns (vectors, real count)."""
    rng = np.random.default_rng(seed)
    if n <= len(x):
        return x[rng.choice(len(x), n, replace=False)], n
    extra = x[rng.choice(len(x), n - len(x))]
    extra = extra + rng.standard_normal(extra.shape).astype(np.float32) * (0.33 / np.sqrt(x.shape[1]))
    extra /= np.linalg.norm(extra, axis=1, keepdims=True)
    return np.concatenate([x, extra]), len(x)


def time_one(x: np.ndarray, params: Params) -> dict:
    t0 = time.perf_counter()
    idx, sim = knn(x, params.k)
    t1 = time.perf_counter()
    labels = leiden(idx, sim, params.resolution_for(len(x)), params.seed)
    t2 = time.perf_counter()
    lab = drop_small(labels, params)
    years = np.random.default_rng(0).integers(2010, 2024, len(x))
    t3 = time.perf_counter()
    score(stats(x, lab, years, None, 2023, params))
    t4 = time.perf_counter()
    return {"n": len(x), "knn_s": t1 - t0, "leiden_s": t2 - t1, "stats_s": t4 - t3,
            "clusters": int(lab.max() + 1), "unclustered": float((lab < 0).mean()),
            "raw_communities": int(labels.max() + 1)}


def compare(x: np.ndarray, params: Params) -> dict:
    """kNN+Leiden vs HDBSCAN (scikit-learn) on a PCA reduction; UMAP is not installed here."""
    from sklearn.cluster import HDBSCAN
    from sklearn.decomposition import PCA
    from sklearn.metrics import adjusted_rand_score

    out = {}
    t = time.perf_counter(); lab_l = cluster(x, params); out["leiden_s"] = time.perf_counter() - t
    t = time.perf_counter(); z = PCA(10, random_state=0).fit_transform(x); out["pca10_s"] = time.perf_counter() - t
    t = time.perf_counter(); lab_h = HDBSCAN(min_cluster_size=params.size_floor(len(x))).fit_predict(z)
    out["hdbscan_s"] = time.perf_counter() - t
    both = (lab_l >= 0) & (lab_h >= 0)
    out.update(leiden_clusters=int(lab_l.max() + 1), leiden_unclustered=float((lab_l < 0).mean()),
               hdbscan_clusters=int(lab_h.max() + 1), hdbscan_noise=float((lab_h < 0).mean()),
               ari_on_shared=float(adjusted_rand_score(lab_l[both], lab_h[both])) if both.any() else None)

    def coherence(lab):
        vals = []
        for c in range(lab.max() + 1):
            m = x[lab == c]
            cen = m.mean(0); cen /= np.linalg.norm(cen)
            vals.append(float((m @ cen).mean()))
        return float(np.mean(vals)) if vals else None

    out["leiden_mean_coherence"], out["hdbscan_mean_coherence"] = coherence(lab_l), coherence(lab_h)
    return out


def knn_choices(x: np.ndarray, k: int, seed: int = 42) -> dict:
    """Exact kNN by blocked numpy top-k against scikit-learn's brute-force NearestNeighbors,
    and the inverted-file search against exact (time, share of the exact neighbours found)."""
    from sklearn.neighbors import NearestNeighbors

    n = len(x)
    t = time.perf_counter(); ex_i, ex_s = topk(x, x, k, np.arange(n)); numpy_s = time.perf_counter() - t
    t = time.perf_counter()
    dist, sk_i = NearestNeighbors(n_neighbors=k, metric="cosine", algorithm="brute").fit(x).kneighbors()
    sklearn_s = time.perf_counter() - t
    t = time.perf_counter(); iv_i, _ = ivf_knn(x, k, seed); ivf_s = time.perf_counter() - t

    def overlap(a: np.ndarray) -> float:
        return float(np.mean([len(set(p) & set(q)) / k for p, q in zip(a, ex_i)]))

    return {"n": n, "k": k, "exact_numpy_s": numpy_s, "exact_sklearn_s": sklearn_s,
            "sklearn_over_numpy": sklearn_s / numpy_s, "sklearn_same_neighbours": overlap(sk_i),
            "ivf_s": ivf_s, "exact_over_ivf": numpy_s / ivf_s, "ivf_recall": overlap(iv_i)}


def kmeans_choices(x: np.ndarray, seed: int = 42) -> dict:
    """The IVF's cells: 8 Lloyd steps from random centres (what neighbours.cells runs)
    against scikit-learn's default KMeans (k-means++ seeding, run to convergence)."""
    import math

    from sklearn.cluster import KMeans

    m = max(16, int(math.sqrt(len(x))))
    t = time.perf_counter(); cells(x, m, seed); few_s = time.perf_counter() - t
    t = time.perf_counter(); KMeans(n_clusters=m, random_state=seed).fit(x); full_s = time.perf_counter() - t
    return {"n": len(x), "cells": m, "lloyd8_random_s": few_s, "kmeans_default_s": full_s, "default_over_lloyd8": full_s / few_s}


def _show(r: dict) -> None:
    print(json.dumps({k: round(v, 3) if isinstance(v, float) else v for k, v in r.items()}), flush=True)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(prog="bench.clusters")
    ap.add_argument("--sizes", type=int, nargs="*", default=[10000, 40000, 80000])
    ap.add_argument("--compare", type=int, default=10000, help="Size of the Leiden vs HDBSCAN comparison (0: skip).")
    ap.add_argument("--knn", type=int, default=0, help="Size of the exact-kNN and IVF comparison (0: skip).")
    ap.add_argument("--kmeans", type=int, default=0, help="Size of the IVF cell k-means comparison (0: skip).")
    args = ap.parse_args(argv)
    params = Params()
    x = real_vectors()
    print(f"{len(x):,} real cached vectors")
    res = {"real": len(x), "timings": [], "compare": None, "knn": None, "kmeans": None}
    for n in args.sizes:
        xs, real = sized(x, n)
        r = time_one(xs, params) | {"real": real}
        res["timings"].append(r)
        _show(r)
    if args.compare:
        xs, real = sized(x, min(args.compare, len(x)))
        res["compare"] = compare(xs, params) | {"real": real}
        _show(res["compare"])
    if args.knn:
        xs, real = sized(x, args.knn)
        res["knn"] = knn_choices(xs, params.k, params.seed) | {"real": real}
        _show(res["knn"])
    if args.kmeans:
        xs, real = sized(x, args.kmeans)
        res["kmeans"] = kmeans_choices(xs, params.seed) | {"real": real}
        _show(res["kmeans"])
    (OUT / "clusters.json").write_text(json.dumps(res, indent=1))


if __name__ == "__main__":
    main()
