"""Document → technology mapping on the hand-labelled gold set: calibrate thresholds per
technology and print precision / recall per technology, for each method.

    python bench/mapping.py                 # in-sample table + 2-fold cross-validation
    python bench/mapping.py --write         # also store the thresholds in analysis/mapping_calibration.json
    python bench/mapping.py --shared ../shared/data --methods rule hybrid
    python bench/mapping.py --speed 10000   # throughput on real quant-ph abstracts, then exit

In-sample numbers are optimistic (thresholds chosen on the same documents, and the
taxonomy's terms were refined after reading errors on this set); the cross-validated
columns choose thresholds on one half and score the other half, repeated over seeds.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path


REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from analysis.mapping import METHODS, Mapper  # noqa: E402
from analysis.mapping_calibrate import calibrate, evaluate  # noqa: E402
from analysis.mapping_gold import read_gold, read_gold_source  # noqa: E402
from analysis.mapping_thresholds import save_calibration  # noqa: E402
from ingest.taxonomy import load_taxonomy  # noqa: E402

GOLD = REPO / "tests" / "gold" / "tech_labels.csv"
MIN_SUPPORT = 5


def scorer(tax, method, cal):
    m = Mapper.__new__(Mapper)
    m.tax, m.method, m.cal, m.keys = tax, method, cal, [t.key for t in tax.technologies]
    return m


def crossval(tax, method, rule, sims, gold, seeds=(1, 2, 3, 4, 5)):
    """Sum of tp/fp/support per technology over 2-fold splits, each half scored with
    thresholds calibrated on the other."""
    keys = [t.key for t in tax.technologies]
    tot = {k: {"tp": 0, "fp": 0, "support": 0} for k in keys}
    n = len(gold)
    for seed in seeds:
        idx = list(range(n))
        random.Random(seed).shuffle(idx)
        halves = [sorted(idx[: n // 2]), sorted(idx[n // 2:])]
        for a, b in ((0, 1), (1, 0)):
            tr, te = halves[a], halves[b]
            cal = calibrate(tax, method, [rule[i] for i in tr], sims[tr] if sims is not None else None,
                            [gold[i] for i in tr], min_support=3)
            st = evaluate(scorer(tax, method, cal), [gold[i] for i in te],
                          ([rule[i] for i in te], sims[te] if sims is not None else None))
            for k in keys:
                for f in ("tp", "fp", "support"):
                    tot[k][f] += st[k][f]
    return {k: {**v, "precision": v["tp"] / (v["tp"] + v["fp"]) if v["tp"] + v["fp"] else float("nan"),
                "recall": v["tp"] / v["support"] if v["support"] else float("nan")} for k, v in tot.items()}


def speed(shared: Path, n: int) -> None:
    docs = list(read_gold_source(shared, "quantph").values())[:n]
    titles, bodies = [d[0] for d in docs], [d[1] for d in docs]
    m = Mapper(method="rule")
    t0 = time.perf_counter()
    out = m.map(titles, bodies)
    dt = time.perf_counter() - t0
    print(f"rule: {len(docs)} abstracts in {dt:.1f} s = {len(docs) / dt:.0f}/s; "
          f"{sum(bool(o) for o in out) / len(docs):.0%} about a technology")
    k = min(len(docs), 500)
    h = Mapper(method="hybrid")
    t0 = time.perf_counter()
    h.map(titles[:k], bodies[:k])
    dt = time.perf_counter() - t0
    print(f"hybrid ({h.embedder_name}, encoding included): {k} abstracts in {dt:.1f} s = {k / dt:.1f}/s")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--shared", type=Path, default=REPO.parent / "shared" / "data")
    ap.add_argument("--methods", nargs="+", default=list(METHODS))
    ap.add_argument("--write", action="store_true", help="store the calibrated thresholds")
    ap.add_argument("--no-cv", action="store_true")
    ap.add_argument("--speed", type=int, default=0, help="measure throughput on this many quant-ph abstracts")
    args = ap.parse_args()
    if args.speed:
        speed(args.shared, args.speed)
        return

    tax = load_taxonomy()
    gold = read_gold(GOLD, args.shared)
    langs = {lang: sum(g.lang == lang for g in gold) for lang in ("en", "ja")}
    print(f"gold set: {len(gold)} documents ({langs['en']} EN, {langs['ja']} JA), "
          f"{sum(not g.labels for g in gold)} with no technology; taxonomy {tax.version}")

    need_emb = any(m in ("embedding", "hybrid") for m in args.methods)
    full = Mapper(tax, method="hybrid" if need_emb else "rule")
    titles, bodies = [g.title for g in gold], [g.body for g in gold]
    t0 = time.perf_counter()
    rule = full.rules.scores(titles, bodies)
    t_rule = time.perf_counter() - t0
    sims = None
    if need_emb:
        t0 = time.perf_counter()
        sims = full.emb.similarities([". ".join(p for p in (t, b) if p) for t, b in zip(titles, bodies)])
        print(f"rules {t_rule:.1f} s, embeddings ({full.embedder_name}) {time.perf_counter() - t0:.1f} s")

    cals = {}
    for method in args.methods:
        cal = calibrate(tax, method, rule, sims, gold, min_support=MIN_SUPPORT)
        cals[method] = cal
        st = evaluate(scorer(tax, method, cal), gold, (rule, sims))
        cv = None if args.no_cv else crossval(tax, method, rule, sims, gold)
        print(f"\n== {method}: technologies with >= {MIN_SUPPORT} gold documents (labels include ancestors)")
        print(f"{'technology':28s} {'support':>7s} {'P':>5s} {'R':>5s} {'target':>6s}" + ("   CV P  CV R" if cv else ""))
        met = 0
        rows = [k for k, s in st.items() if s["support"] >= MIN_SUPPORT]
        for k in rows:
            s = st[k]
            ok = s["precision"] >= 0.85 and s["recall"] >= 0.7
            met += ok
            line = f"{k:28s} {s['support']:7d} {s['precision']:5.2f} {s['recall']:5.2f} {'yes' if ok else 'no':>6s}"
            if cv:
                line += f"  {cv[k]['precision']:5.2f} {cv[k]['recall']:5.2f}"
            print(line)
        tp = sum(st[k]["tp"] for k in rows)
        fp = sum(st[k]["fp"] for k in rows)
        sup = sum(st[k]["support"] for k in rows)
        print(f"{'micro-average':28s} {sup:7d} {tp / (tp + fp):5.2f} {tp / sup:5.2f}   "
              f"targets met: {met}/{len(rows)}")

    if args.write:
        save_calibration(cals, {"taxonomy_version": tax.version, "embedder": full.embedder_name,
                                "gold_documents": len(gold)})
        print("\nwrote analysis/mapping_calibration.json")


if __name__ == "__main__":
    main()
