"""Clustering benchmarks: time at 10k, 40k and 80k documents, and kNN+Leiden against
HDBSCAN (the issue's suggestion) on the same real vectors.

    python -m bench.clusters [--sizes 10000 40000 80000] [--compare 10000]

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

from analysis.clusters import Params, cluster, drop_small, knn, leiden, score, stats
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


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(prog="bench.clusters")
    ap.add_argument("--sizes", type=int, nargs="*", default=[10000, 40000, 80000])
    ap.add_argument("--compare", type=int, default=10000, help="Size of the Leiden vs HDBSCAN comparison (0: skip).")
    args = ap.parse_args(argv)
    params = Params()
    x = real_vectors()
    print(f"{len(x):,} real cached vectors")
    res = {"real": len(x), "timings": [], "compare": None}
    for n in args.sizes:
        xs, real = sized(x, n)
        r = time_one(xs, params) | {"real": real}
        res["timings"].append(r)
        print(json.dumps({k: round(v, 3) if isinstance(v, float) else v for k, v in r.items()}), flush=True)
    if args.compare:
        xs, _ = sized(x, min(args.compare, len(x)))
        res["compare"] = compare(xs, params)
        print(json.dumps({k: round(v, 3) if isinstance(v, float) else v for k, v in res["compare"].items()}))
    (OUT / "clusters.json").write_text(json.dumps(res, indent=1))


if __name__ == "__main__":
    main()
