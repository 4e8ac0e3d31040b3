"""Embedding benchmarks on the real corpora, and the vector cache the other benches share.

    python -m bench.embed cache [quant-ph|robotics ...]   # encode and cache (resumable)
    python -m bench.embed run [--n 2000]                  # throughput ratio, 1 % re-embed cost, search latency

Vectors are cached under bench/out/vectors/<corpus>/<model>/ in chunks, so an
interrupted run resumes and the clustering and back-test benches are cheap to rerun.
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
DATA = REPO.parent / "shared" / "data"
OUT = REPO / "bench" / "out"
QUANT_PH = DATA / "arxiv" / "quant-ph_oai_dc_extract"
ROBOTICS = DATA / "bibliometric_exports" / "ai_robotics_conference_papers" / "papercopilot_robotics_with_abstracts.jsonl.gz"
CHUNK = 2000

_WS = re.compile(r"\s+")


@dataclass
class Corpus:
    name: str
    ids: list[str]
    titles: list[str]
    bodies: list[str]
    years: np.ndarray
    cites: np.ndarray | None  # citation counts where the source has them

    def texts(self) -> list[str]:
        from analysis.embed import document_text

        return [document_text(t, b) for t, b in zip(self.titles, self.bodies)]

    def __len__(self) -> int:
        return len(self.ids)

    def subset(self, sel: np.ndarray, name: str) -> Corpus:
        sel = np.asarray(sel)
        return Corpus(name, [self.ids[i] for i in sel], [self.titles[i] for i in sel], [self.bodies[i] for i in sel],
                      self.years[sel], None if self.cites is None else self.cites[sel])

    def sample(self, n: int, seed: int = 0) -> Corpus:
        """A fixed random sample (sorted back into corpus order), cached under its own name."""
        if n >= len(self):
            return self
        sel = np.sort(np.random.default_rng(seed).choice(len(self), n, replace=False))
        return self.subset(sel, f"{self.name}-sample{n}")

    def head(self, n: int) -> Corpus:
        """The first n records (the files are in date order), cached under the corpus's own name."""
        c = self.subset(np.arange(min(n, len(self))), self.name)
        return c


def _clean(s: str | None) -> str:
    return _WS.sub(" ", s or "").strip()


def read_quant_ph(root: Path = QUANT_PH) -> Corpus:
    """The arXiv quant-ph OAI-PMH extract: identifier, title, description, date."""
    from lxml import etree

    ids, titles, bodies, years = [], [], [], []
    for f in sorted(root.glob("arXiv-meta-*.xml.gz")):
        with gzip.open(f, "rb") as fh:
            tree = etree.parse(fh, etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True))
        for rec in tree.iter("record"):
            ident = rec.findtext("header/identifier") or ""
            date = rec.findtext("metadata/date") or ""
            if not ident or len(date) < 4:
                continue
            ids.append(ident.removeprefix("oai:arXiv.org:"))
            titles.append(_clean(rec.findtext("metadata/title")))
            bodies.append(_clean(rec.findtext("metadata/description")))
            years.append(int(date[:4]))
    return Corpus("quant-ph", ids, titles, bodies, np.array(years), None)


def read_robotics(path: Path = ROBOTICS) -> Corpus:
    """Paper Copilot robotics venues (ICRA, IROS, CoRL, RSS) with abstracts and Scholar citation counts."""
    ids, titles, bodies, years, cites = [], [], [], [], []
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        for line in fh:
            d = json.loads(line)
            if not d.get("title") or not d.get("year"):
                continue
            ids.append(f"{d['venue']}{d['year']}:{d.get('id') or len(ids)}")
            titles.append(_clean(d["title"]))
            bodies.append(_clean(d.get("abstract") or d.get("tldr")))
            years.append(int(d["year"]))
            c = d.get("gs_citation")
            cites.append(float(c) if isinstance(c, (int, float)) and c >= 0 else np.nan)
    return Corpus("robotics", ids, titles, bodies, np.array(years), np.array(cites))


READERS = {"quant-ph": read_quant_ph, "robotics": read_robotics}


def corpus(name: str) -> Corpus:
    return READERS[name]()


def vectors(c: Corpus, model: str | None = None, quiet: bool = False) -> np.ndarray:
    """The corpus's vectors, encoding only the chunks not cached yet."""
    from analysis.embed import get_embedder

    emb = get_embedder(model or "use-multilingual")
    d = OUT / "vectors" / c.name / emb.name.replace("/", "_").replace(":", "_")
    d.mkdir(parents=True, exist_ok=True)
    texts = c.texts()
    parts = []
    t0, done = time.perf_counter(), 0
    for i in range(0, len(texts), CHUNK):
        f = d / f"chunk_{i:07d}_{min(i + CHUNK, len(texts)):07d}.npy"
        if f.exists():
            parts.append(np.load(f))
            continue
        v = emb.encode(texts[i:i + CHUNK])
        np.save(f, v)
        parts.append(v)
        done += len(v)
        if not quiet:
            rate = done / (time.perf_counter() - t0)
            print(f"{c.name}: {i + len(v):,}/{len(texts):,} ({rate:.1f}/s)", file=sys.stderr, flush=True)
    return np.concatenate(parts) if parts else np.zeros((0, emb.dim), np.float32)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(prog="bench.embed")
    sub = ap.add_subparsers(dest="cmd", required=True)
    c = sub.add_parser("cache")
    c.add_argument("names", nargs="*", default=list(READERS))
    c.add_argument("--sample", type=int, default=0, help="Encode a fixed random sample of this many records.")
    args = ap.parse_args(argv)
    if args.cmd == "cache":
        for n in args.names:
            cor = corpus(n)
            v = vectors(cor.sample(args.sample) if args.sample else cor)
            print(f"{n}: {v.shape}")


if __name__ == "__main__":
    main()
