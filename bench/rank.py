"""Benchmarks for rankings.

1. Re-weighting a 100-technology × 200-country matrix (composite score, alliance weights,
   raw and weighted ranks, bloc shares) — pure numpy, no database.
1b. Bootstrap share intervals (analysis/intervals.shares) on credit matrices of the real
   technologies' sizes, against the method they replaced, in the same run: multinomial
   resamples, a gathered k @ X, and NaN-aware percentiles.
2. Ranking latency through the API under concurrent clients: a uvicorn server on
   127.0.0.1 started here against the configured Neo4j (KIZASHI_HOME / NEO4J_URI),
   "cached" = stored ranking (``kizashi rank`` must have run), "uncached" =
   ``fresh=true`` (recomputed from the graph, bootstrap included). Bounded in requests and time.

    python bench/rank.py                       # both parts
    python bench/rank.py --no-api              # re-weighting only
    python bench/rank.py --clients 50 --cached 1000 --uncached 200 --seconds 120
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from analysis import composite, profiles  # noqa: E402
from bench.common import free_port, percentile


def bench_reweight(techs: int = 100, countries: int = 200, reps: int = 20) -> dict[str, float]:
    from ingest.country import COUNTRIES

    codes = sorted(COUNTRIES)[:countries]
    codes += [f"X{i}" for i in range(countries - len(codes))]
    rng = np.random.default_rng(0)
    comp = rng.random((techs, countries, 4))
    comp[..., :3] /= comp[..., :3].sum(axis=1, keepdims=True)
    times = []
    for i in range(reps):
        t0 = time.perf_counter()
        prof = profiles.load().with_weights({"IN": 0.5 + i / 100})      # a new custom weight vector each time
        w = prof.weights(codes)
        out = composite.reweight(comp, {"papers": 0.5, "top10": 0.2, "patents": 0.2, "growth": 0.1}, w)
        blocs = comp[..., 0] @ prof.membership(codes)                      # (techs × blocs) paper shares
        assert out["weighted_rank"].shape == (techs, countries) and blocs.shape[0] == techs
        times.append(time.perf_counter() - t0)
    return {"mean_s": statistics.mean(times), "max_s": max(times), "reps": reps}


def _intervals_before(x, k_int):
    """The replaced method, kept here as the baseline: gathered products and nanpercentile."""
    rs = x.rowsum()
    order = np.argsort(x.e, kind="stable")
    d, e, v = x.d[order], x.e[order], x.v[order]
    starts = np.flatnonzero(np.r_[True, e[1:] != e[:-1]])
    left = np.zeros((k_int.shape[0], x.n_ent))
    for s in range(0, k_int.shape[0], 64):
        left[s:s + 64, e[starts]] = np.add.reduceat(k_int[s:s + 64][:, d] * v, starts, axis=1)
    with np.errstate(all="ignore"):
        boot = left / (k_int @ rs)[:, None]
        return np.nanpercentile(boot, [5, 95], axis=0)


def bench_intervals(sizes=(500, 5000, 20000), entities: int = 80, b: int = 1000) -> list[dict[str, float]]:
    from analysis import intervals
    from analysis.counting import Sparse

    rng = np.random.default_rng(0)
    out = []
    for n in sizes:
        per = rng.integers(1, 4, n)                         # 1–3 countries per paper, fractional credit
        d = np.repeat(np.arange(n), per)
        x = Sparse(d, rng.zipf(1.6, len(d)) % entities, 1.0 / per[d], n, entities)
        t = time.perf_counter()
        k_int = rng.multinomial(n, np.full(n, 1.0 / n), size=b).astype(np.int32)
        before = _intervals_before(x, k_int)
        t_before = time.perf_counter() - t
        intervals.resamples.cache_clear()
        t = time.perf_counter()
        _, lo, hi = intervals.shares(x, "fractional", intervals.resamples(n, b, 1))
        t_now = time.perf_counter() - t
        gap = float(np.nanmax(np.abs(np.stack([lo, hi]) - before)))
        out.append({"n": n, "before_s": t_before, "now_s": t_now, "max_gap": gap})
    return out


def bench_api(clients: int, cached: int, uncached: int, seconds: float) -> dict[str, dict[str, float]]:
    import httpx

    from api.keys import KeyStore
    from core.settings import get_settings

    settings = get_settings()
    keys = KeyStore.at(settings.home)
    key, rec = keys.create("read", label="bench/rank.py")
    port = free_port()
    env = {**os.environ, "KIZASHI_API_REQUESTS_PER_MINUTE": "10000000"}
    server = subprocess.Popen([sys.executable, "-m", "uvicorn", "--factory", "api.app:create_app", "--host", "127.0.0.1",
                               "--port", str(port), "--log-level", "warning"], env=env,
                              cwd=str(Path(__file__).resolve().parent.parent))
    base = f"http://127.0.0.1:{port}"
    headers = {"X-API-Key": key}
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(base + "/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline or server.poll() is not None:
                raise SystemExit("the API server did not come up (is Neo4j running? kizashi db start)")
            time.sleep(0.5)
        techs = [t["key"] for t in httpx.get(base + "/technologies", params={"limit": 500}, headers=headers,
                                               timeout=30).json()["items"] if t["works"]]
        if not techs:
            raise SystemExit("no technologies with works: load data, kizashi taxonomy load, kizashi map, kizashi rank")

        def run(n: int, fresh: bool) -> dict[str, float]:
            stop = time.monotonic() + seconds
            lat: list[float] = []
            errors = 0

            def one(i: int, client: httpx.Client) -> None:
                nonlocal errors
                if time.monotonic() > stop:
                    return
                t0 = time.perf_counter()
                r = client.get(base + "/rankings", params={"technology": techs[i % len(techs)], "fresh": str(fresh).lower(),
                                                         "limit": 20}, headers=headers, timeout=120)
                lat.append(time.perf_counter() - t0)
                if r.status_code != 200:
                    errors += 1

            def worker(w: int) -> None:
                with httpx.Client() as client:
                    for i in range(w, n, clients):
                        one(i, client)

            t0 = time.perf_counter()
            with ThreadPoolExecutor(clients) as pool:
                list(pool.map(worker, range(clients)))
            wall = time.perf_counter() - t0
            return {"requests": len(lat), "errors": errors, "p50_ms": 1000 * percentile(lat, 50),
                    "p95_ms": 1000 * percentile(lat, 95), "throughput_rps": len(lat) / wall if wall else 0.0}

        run(min(len(techs), 20), False)          # warm the server and Neo4j's query plans
        return {"technologies": {"n": len(techs)}, "cached": run(cached, False), "uncached": run(uncached, True)}
    finally:
        from tests.helpers import stop

        stop([server], grace=10)
        keys.revoke(rec.id)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--no-api", action="store_true")
    ap.add_argument("--clients", type=int, default=50)
    ap.add_argument("--cached", type=int, default=1000, help="cached requests in total")
    ap.add_argument("--uncached", type=int, default=200, help="uncached requests in total")
    ap.add_argument("--seconds", type=float, default=120, help="time bound per phase")
    a = ap.parse_args()
    rw = bench_reweight()
    print(f"re-weighting 100 technologies × 200 countries: mean {rw['mean_s'] * 1000:.2f} ms, "
          f"max {rw['max_s'] * 1000:.2f} ms over {rw['reps']} runs (budget 2000 ms)")
    print("bootstrap share intervals, 1,000 resamples, 80 entities (fresh resamples each):")
    for r in bench_intervals():
        print(f"  {r['n']:6,} documents: before {r['before_s'] * 1000:8.1f} ms · now {r['now_s'] * 1000:7.1f} ms · "
              f"{r['before_s'] / r['now_s']:5.1f}x · largest bound gap {r['max_gap']:.4f} (Monte Carlo: other draws)")
    if a.no_api:
        return
    res = bench_api(a.clients, a.cached, a.uncached, a.seconds)
    print(f"API /rankings, {a.clients} concurrent clients, {res['technologies']['n']} technologies:")
    for k in ("cached", "uncached"):
        r = res[k]
        print(f"  {k:9s} {r['requests']:5d} requests  p50 {r['p50_ms']:8.1f} ms  p95 {r['p95_ms']:8.1f} ms  "
              f"{r['throughput_rps']:7.1f} req/s  errors {r['errors']}")


if __name__ == "__main__":
    main()
