"""Communities of the kNN graph: Leiden (RB-configuration, fixed seed) on the cosine
neighbour graph, renumbered by size, with too-small communities left unclustered."""

from __future__ import annotations

from collections import Counter

import numpy as np

from analysis.cluster_params import NOISE, Params
from analysis.neighbours import knn


def leiden(idx: np.ndarray, sim: np.ndarray, resolution: float, seed: int) -> np.ndarray:
    import igraph as ig
    import leidenalg

    n = len(idx)
    src = np.repeat(np.arange(n), idx.shape[1])
    w = np.clip(sim.ravel(), 1e-6, None).astype(float)
    g = ig.Graph(n=n, edges=np.column_stack([src, idx.ravel()]).tolist(), directed=False)
    g.es["weight"] = w.tolist()
    g.simplify(combine_edges="max")
    part = leidenalg.find_partition(g, leidenalg.RBConfigurationVertexPartition, weights="weight",
                                    resolution_parameter=resolution, seed=seed, n_iterations=2)
    return np.asarray(part.membership, dtype=np.int64)


def cluster(x: np.ndarray, params: Params = Params()) -> np.ndarray:
    """Labels 0..m-1 by decreasing size; documents in too-small clusters get NOISE."""
    n = len(x)
    if n < 3:
        return np.full(n, NOISE)
    idx, sim = knn(x, params.k)
    return drop_small(leiden(idx, sim, params.resolution_for(n), params.seed), params)


def drop_small(raw: np.ndarray, params: Params) -> np.ndarray:
    """Renumber communities by decreasing size; members of too-small ones become NOISE."""
    sizes = Counter(raw.tolist())
    floor = params.size_floor(len(raw))
    keep = [c for c, s in sorted(sizes.items(), key=lambda t: (-t[1], t[0])) if s >= floor]
    remap = {c: i for i, c in enumerate(keep)}
    return np.array([remap.get(c, NOISE) for c in raw.tolist()], dtype=np.int64)
