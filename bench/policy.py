"""Policy-document throughput on the real files in ../shared/data/policy, by stage.

    python -m bench.policy [--repeat 1]

For the five Japanese documents and the 768 Federal Register abstracts, prints
documents/s and characters/s of each stage:
- read/parse: bytes → text (encoding detection, HTML/PDF extraction) and metadata;
- NLP: gazetteer matching (regex for Japanese, spaCy PhraseMatcher for English),
  GiNZA NER (Japanese), export-control event extraction; GiNZA's one-off load apart;
- load: ``write_policy`` batches into a throwaway Neo4j through the pipeline;
and the end-to-end rate of ``kizashi ingest policy``'s path (all stages, one run).
"""

from __future__ import annotations

import argparse
import gzip
import json
import logging
import time
from pathlib import Path

from bench.common import SHARED, bench_store, wipe
from core.policy import PolicyDocument
from graph.policy import write_policy
from ingest import controls
from ingest import policy as pol
from ingest.mentions import aggregate, extractor, ginza
from ingest.inputs import Input
from graph.pipeline import ingest
from ingest.quarantine import Quarantine
from ingest.raw import Raw

MAX = 8 * 1024 * 1024
JA = SHARED / "policy" / "ja"
FR = SHARED / "policy" / "federal_register_critical_tech_abstracts.jsonl.gz"


class Stages(dict):
    """Wall and CPU seconds per stage: the machine is shared, so CPU time is the steadier number."""

    def add(self, stage: str, since: tuple[float, float]) -> None:
        wall, cpu = self.get(stage, (0.0, 0.0))
        self[stage] = (wall + time.perf_counter() - since[0], cpu + time.process_time() - since[1])


def _clock() -> tuple[float, float]:
    return time.perf_counter(), time.process_time()


def ja_stage_times(files: list[Path]) -> tuple[list[PolicyDocument], Stages, int]:
    t = Stages()
    docs, chars = [], 0
    ex = extractor("ja")
    for f in files:
        s = _clock()
        text, found = pol.extract_text(f.read_bytes(), pol.kind_of(f) or "text", str(f))
        meta = pol.metadata(f.name, text)
        t.add("read/parse", s)
        chars += len(text)
        s = _clock()
        hits = ex.hits(text, ner=False)
        t.add("gazetteer", s)
        s = _clock()
        from ingest.mentions import ginza_hits

        ner = ginza_hits(text, ex.gazetteer)
        t.add("ginza", s)
        s = _clock()
        events = controls.extract(text, hits)
        t.add("events", s)
        docs.append(PolicyDocument(key=f"doc:{f.stem}", title=meta["title"], issuer=meta["issuer"], country=meta["country"],
                                   date=meta["date"], language="ja", path_or_url=str(f), chars=len(text),
                                   mentions=aggregate(hits + ner), export_controls=tuple(events), fingerprint=f.stem))
    return docs, t, chars


def fr_stage_times() -> tuple[list[PolicyDocument], Stages, int]:
    t = Stages()
    s = _clock()
    with gzip.open(FR, "rt", encoding="utf-8") as fh:
        rows = [json.loads(line) for line in fh if line.strip()]
    texts = ["\n".join(x for x in (r.get("title"), r.get("abstract")) if x) for r in rows]
    t.add("read/parse", s)
    ex = extractor("en")
    docs, chars = [], 0
    for r, text in zip(rows, texts):
        chars += len(text)
        s = _clock()
        hits = ex.hits(text)
        t.add("gazetteer", s)
        s = _clock()
        events = controls.extract(text, hits)
        t.add("events", s)
        docs.append(PolicyDocument(key=f"fr:{r['document_number']}", title=r.get("title"), issuer="US Federal Register",
                                   country="US", date=r.get("publication_date"), language="en", path_or_url=r.get("html_url"),
                                   chars=len(text), mentions=aggregate(hits), export_controls=tuple(events),
                                   fingerprint=r["document_number"]))
    return docs, t, chars


def load_time(store, docs: list[PolicyDocument], name: str, t: Stages) -> None:
    """The pipeline and write_policy on documents already analysed: the load stage alone."""
    items = lambda: iter([(Raw(name, f"doc {i}", None, d.fingerprint or ""), lambda _r, d=d: d) for i, d in enumerate(docs)])
    q = Quarantine(Path("/dev/null"))
    s = _clock()
    ingest(store, [Input(key=f"bench:{name}", location=name, fingerprint=None, items=items)], "bench-policy",
           batch_size=2000, quarantine=q, show_progress=False, writer=write_policy, link=False)
    t.add("load", s)


def end_to_end(store, paths: list[Path], ner: bool = True) -> tuple[float, int]:
    q = Quarantine(Path("/dev/null"))
    s = time.perf_counter()
    r = ingest(store, pol.inputs([str(p) for p in paths], MAX, ner=ner), "bench-policy", batch_size=2000, quarantine=q,
               show_progress=False, writer=write_policy, link=False, force=True)
    return time.perf_counter() - s, r.read


def report(name: str, n: int, chars: int, stages: Stages) -> None:
    total = sum(w for w, _ in stages.values())
    cpu_total = sum(c for _, c in stages.values())
    print(f"\n{name}: {n} documents, {chars:,} characters")
    print(f"  {'stage':<11} {'wall s':>8} {'share':>6}  {'cpu s':>7}  rate (wall)")
    for stage, (sec, cpu) in stages.items():
        rate = f"{n / sec:,.2f} docs/s, {chars / sec:,.0f} chars/s" if sec > 0 else "-"
        print(f"  {stage:<11} {sec:8.2f} {100 * sec / total:5.1f}%  {cpu:7.2f}  {rate}")
    print(f"  {'all':<11} {total:8.2f} {100.0:5.1f}%  {cpu_total:7.2f}  {n / total:,.2f} docs/s (cpu-bound rate {n / cpu_total:,.2f} docs/s;"
          f" load's cpu is this process only, not Neo4j's)")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=1, help="Repeat the Japanese NLP stage (GiNZA warm).")
    a = ap.parse_args()
    logging.getLogger("neo4j").setLevel(logging.ERROR)
    files = sorted(JA.glob("*.txt"))
    if len(files) != 5 or not FR.exists():
        raise SystemExit(f"missing policy data under {SHARED / 'policy'}")
    s = time.perf_counter()
    extractor("ja")
    ginza()
    print(f"one-off: GiNZA load + Japanese gazetteer build {time.perf_counter() - s:.1f} s")
    s = time.perf_counter()
    extractor("en")
    print(f"one-off: English gazetteer + PhraseMatcher build {time.perf_counter() - s:.1f} s")
    for _ in range(a.repeat):
        ja_docs, ja_t, ja_chars = ja_stage_times(files)
    fr_docs, fr_t, fr_chars = fr_stage_times()
    with bench_store() as store:
        wipe(store)
        load_time(store, ja_docs, "ja", ja_t)
        load_time(store, fr_docs, "fr", fr_t)
        report("Japanese government documents (GiNZA NER on)", len(ja_docs), ja_chars, ja_t)
        report("Federal Register abstracts (English)", len(fr_docs), fr_chars, fr_t)
        wipe(store)
        sec, n = end_to_end(store, files)
        print(f"\nend to end, Japanese with NER: {n} documents in {sec:.1f} s = {n / sec:.2f} docs/s")
        sec, n = end_to_end(store, files, ner=False)
        print(f"end to end, Japanese gazetteers only (--no-ner): {n} documents in {sec:.1f} s = {n / sec:.2f} docs/s")
        sec, n = end_to_end(store, [FR])
        print(f"end to end, Federal Register JSONL: {n} records in {sec:.1f} s = {n / sec:,.0f} records/s")


if __name__ == "__main__":
    main()
