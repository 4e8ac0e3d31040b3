"""Back-test of emergence scores: hide the last years, flag emerging clusters from the
earlier years, and check whether they grew — against a growth-only baseline.

    python -m bench.backtest [--corpus quant-ph robotics] [--top 0.1]

For each cutoff year Y: cluster the documents up to Y (kNN + Leiden, as `kizashi clusters`),
score them with data up to Y only, then assign the hidden documents of Y+1..Y+H to the
nearest cluster centroid. A flagged cluster is a hit when its share of the hidden years'
documents exceeds its share of the last two visible years (it kept growing relative to the
field). Citation impact is left out of the score here: the citation counts in the data are
as of today, so they would leak the future.

Vectors come from the cache of bench/embed.py (python -m bench.embed cache …).
"""

from __future__ import annotations

import argparse
import json
import time
from dataclasses import dataclass

import numpy as np

from analysis.cluster_params import Params
from analysis.clusters import analyse
from analysis.emergence import score
from bench.embed import OUT, corpus, vectors

# corpus -> (records to use, last complete year available, cutoffs, horizon)
SETUPS = {
    # The cache holds quant-ph through 2005 (records are in date order); 2010-2015 are missing upstream.
    "quant-ph": dict(limit=22000, last=2005, cutoffs=(1999, 2001, 2003), horizon=2),
    # A fixed random sample of the robotics venues (as much of it as is cached); 2024-25 hold only CoRL/RSS.
    "robotics": dict(sample=10000, last=2023, cutoffs=(2015, 2017, 2019, 2021), horizon=2),
}


@dataclass
class Outcome:
    corpus: str
    cutoff: int
    clusters: int
    flagged: int
    hits_emergence: int
    hits_growth: int
    base_rate: float
    lift_emergence: float   # mean future/recent share ratio of flagged clusters
    lift_growth: float
    lift_all: float
    overlap: int            # clusters flagged by both


def one(x, years, texts, cutoff: int, horizon: int, top: float, params: Params, name: str) -> Outcome:
    train = years <= cutoff
    future = (years > cutoff) & (years <= cutoff + horizon)
    a = analyse(x[train], years[train], [t for t, k in zip(texts, train) if k], None, params, as_of=cutoff)
    cl = score(a.clusters)
    cen = np.stack([s.centroid for s in cl])
    fut = np.argmax(x[future] @ cen.T, axis=1)
    fshare = np.bincount(fut, minlength=len(cl)) / max(future.sum(), 1)
    n_recent = sum(s.recent for s in cl) + int(((a.labels < 0) & (years[train] > cutoff - params.recent_years)).sum())
    ratio = np.array([(f * future.sum() + 1) / (future.sum() + 1) / ((s.recent + 1) / (n_recent + 1)) for f, s in zip(fshare, cl)])
    grew = ratio > 1.0
    n = max(3, int(round(top * len(cl))))
    by_em = np.argsort([-s.emergence for s in cl], kind="stable")[:n]
    by_gr = np.argsort([-s.share_growth for s in cl], kind="stable")[:n]
    return Outcome(name, cutoff, len(cl), n, int(grew[by_em].sum()), int(grew[by_gr].sum()), float(grew.mean()),
                   float(np.exp(np.log(ratio[by_em]).mean())), float(np.exp(np.log(ratio[by_gr]).mean())),
                   float(np.exp(np.log(ratio).mean())), len(set(by_em) & set(by_gr)))


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(prog="bench.backtest")
    ap.add_argument("--corpus", nargs="*", default=list(SETUPS))
    ap.add_argument("--top", type=float, default=0.1, help="Share of clusters flagged as emerging.")
    ap.add_argument("--resolution", type=float, default=None, help="Leiden resolution (default: by corpus size, as kizashi clusters).")
    args = ap.parse_args(argv)
    params = Params(resolution=args.resolution)
    results = []
    for name in args.corpus:
        s = SETUPS[name]
        c = corpus(name)
        t0 = time.perf_counter()
        if "sample" in s:
            # A random-order sample: use the part that is cached (itself a random sample).
            c = c.sample(s["sample"])
            x = vectors(c, quiet=True, cached_only=True, chunk=500)
            c = c.subset(np.arange(len(x)), c.name)
        else:
            c = c.head(s["limit"])
            x = vectors(c, quiet=True)
        keep = (c.years > 0) & (c.years <= s["last"])
        x, years, texts = x[keep], c.years[keep], [t for t, k in zip(c.texts(), keep) if k]
        for cutoff in s["cutoffs"]:
            o = one(x, years, texts, cutoff, s["horizon"], args.top, params, name)
            results.append(o)
            print(f"{name} ≤{cutoff} → {cutoff + 1}-{cutoff + s['horizon']}: {o.clusters} clusters, top {o.flagged}: "
                  f"emergence hits {o.hits_emergence}/{o.flagged}, growth-only hits {o.hits_growth}/{o.flagged}, "
                  f"base rate {o.base_rate:.2f}; share ratio (geo-mean) emergence {o.lift_emergence:.2f}, "
                  f"growth-only {o.lift_growth:.2f}, all {o.lift_all:.2f}; overlap {o.overlap}", flush=True)
        # The emerging areas as of the last complete year, as `kizashi clusters` would report them.
        a = analyse(x, years, texts, None, params, as_of=s["last"])
        print(f"{name}: {len(a.clusters)} clusters as of {a.as_of}; most emerging:")
        for cl in sorted(a.clusters, key=lambda c: -c.emergence)[:8]:
            parts = " ".join(f"{k}={v:.2f}" for k, v in cl.parts.items() if v is not None)
            print(f"  emergence {cl.emergence:.2f} ({parts}) size {cl.size} share×{cl.share_growth:.2f} "
                  f"cagr {cl.cagr:+.2f}: {', '.join(cl.keywords_en[:6])}")
        print(f"{name}: {len(x):,} documents, {time.perf_counter() - t0:.0f} s")
    for name in args.corpus:
        rs = [r for r in results if r.corpus == name]
        f = sum(r.flagged for r in rs)
        print(f"TOTAL {name}: emergence hit rate {sum(r.hits_emergence for r in rs) / f:.2f} "
              f"({sum(r.hits_emergence for r in rs)}/{f}), growth-only {sum(r.hits_growth for r in rs) / f:.2f} "
              f"({sum(r.hits_growth for r in rs)}/{f}), all clusters {np.mean([r.base_rate for r in rs]):.2f}")
    (OUT / "backtest.json").write_text(json.dumps([r.__dict__ for r in results], indent=1))


if __name__ == "__main__":
    main()
