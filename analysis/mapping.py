"""Document → technology mapping: phrase rules from the taxonomy, embedding
similarity to each technology's description, or both ("hybrid").

- rule: taxonomy terms matched with spaCy's PhraseMatcher on a blank English
  tokenizer (lowercase; short capitalised terms such as GaN / GAN / AI case-
  sensitively), and Japanese terms as substrings (ASCII terms need a boundary).
  Measured alternative: spaCy's blank("ja") (SudachiPy) loads in ~12 s and tokenises
  20k characters in ~2 s, splitting e.g. 重希土類 into 重希/土類; substring search over
  all Japanese terms takes ~0.04 s for the same text and needs no tokeniser agreement.
  A document's rule score for a technology counts distinct matched terms, with
  title hits counted twice.
- embedding: cosine between the document and the technology's profile text
  (names in both languages, description, leading terms), via analysis/embed.py.
- hybrid: a technology is assigned when its rule score reaches the calibrated
  minimum, or the similarity reaches a high bar on its own, or a single rule
  hit is backed by a similarity above a lower bar.

A technology assigned to a document also makes the document about each of its
ancestors (an NdFeB paper is a permanent-magnet and an advanced-materials
paper); edges to ancestors carry ``direct = false``.

Thresholds live in ``Params`` (per technology, with defaults); the calibrated
values are stored in analysis/mapping_calibration.json, measured on tests/gold/tech_labels.csv
with bench/mapping.py.
"""

from __future__ import annotations

import csv
import gzip
import json
import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np

from ingest.taxonomy import Taxonomy, load_taxonomy
from core.errors import KizashiError

METHODS = ("rule", "embedding", "hybrid")
JA_CHARS = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")
_ASCII_WORD = re.compile(r"[A-Za-z0-9]")


def is_japanese(text: str) -> bool:
    return len(JA_CHARS.findall(text[:2000])) >= 5


def _case_sensitive(term: str) -> bool:
    # Acronyms and chemical formulae: GaN is not GAN, AI is not "ai" in a name.
    return len(term) <= 6 and any(c.isupper() for c in term)


@dataclass(frozen=True)
class Params:
    """Thresholds for one technology (``None`` fields take the defaults)."""
    min_rule: float = 2.0          # rule score (distinct terms, title counted twice) needed alone
    sim_alone: float = 0.50        # embedding similarity enough on its own
    sim_with_rule: float = 0.25    # similarity that confirms a single rule hit


@dataclass
class Calibration:
    default: Params = field(default_factory=Params)
    per_tech: dict[str, Params] = field(default_factory=dict)

    def get(self, key: str) -> Params:
        return self.per_tech.get(key, self.default)


# ---------------------------------------------------------------- rules

class RuleMatcher:
    """Counts taxonomy terms in texts, per technology."""

    def __init__(self, tax: Taxonomy) -> None:
        import spacy
        from spacy.matcher import PhraseMatcher

        self.tax = tax
        self.nlp = spacy.blank("en")
        self.lower = PhraseMatcher(self.nlp.vocab, attr="LOWER")
        self.exact = PhraseMatcher(self.nlp.vocab, attr="ORTH")
        self.term_of: dict[int, tuple[str, str]] = {}
        for t in tax.technologies:
            for i, term in enumerate(t.terms_en):
                label = f"{t.key}|{i}"
                mid = self.nlp.vocab.strings.add(label)
                self.term_of[mid] = (t.key, term.lower())
                matcher = self.exact if _case_sensitive(term) else self.lower
                matcher.add(label, [self.nlp.make_doc(term)])
        self.ja_terms = [(t.key, term) for t in tax.technologies for term in t.terms_ja]

    @staticmethod
    def _distinct(spans: dict[str, list[tuple[int, int, str]]]) -> dict[str, set[str]]:
        """Distinct terms per technology. A term nested in a longer one (宇宙 in 宇宙開発)
        counts too: measured on the gold set, the longer, more specific match is worth the
        extra weight (dropping nested matches lowered recall for cybersecurity, batteries
        and aviation at equal precision)."""
        out: dict[str, set[str]] = {}
        for tech, ss in spans.items():
            out[tech] = {term for _a, _b, term in ss}
        return out

    def _en(self, doc: Any) -> dict[str, set[str]]:
        spans: dict[str, list[tuple[int, int, str]]] = {}
        for matcher in (self.lower, self.exact):
            for mid, start, end in matcher(doc):
                tech, term = self.term_of[mid]
                spans.setdefault(tech, []).append((start, end, term))
        return self._distinct(spans)

    def _ja(self, text: str) -> dict[str, set[str]]:
        spans: dict[str, list[tuple[int, int, str]]] = {}
        for tech, term in self.ja_terms:
            start = text.find(term)
            while start >= 0:
                end = start + len(term)
                ok = not ((_ASCII_WORD.match(term[0]) and start > 0 and _ASCII_WORD.match(text[start - 1]))
                          or (_ASCII_WORD.match(term[-1]) and end < len(text) and _ASCII_WORD.match(text[end])))
                if ok:
                    spans.setdefault(tech, []).append((start, end, term))
                start = text.find(term, start + 1)
        return self._distinct(spans)

    def scores(self, titles: Sequence[str], bodies: Sequence[str]) -> list[dict[str, float]]:
        """Per document: technology → distinct matched terms (+1 per term also in the title)."""
        out: list[dict[str, float]] = []
        titles = [t or "" for t in titles]
        bodies = [b or "" for b in bodies]
        tdocs = self.nlp.pipe(titles, batch_size=256)
        bdocs = self.nlp.pipe(bodies, batch_size=256)
        for title, body, td, bd in zip(titles, bodies, tdocs, bdocs):
            t_hits = self._en(td)
            b_hits = self._en(bd)
            if is_japanese(title + body):
                for k, v in self._ja(title).items():
                    t_hits.setdefault(k, set()).update(v)
                for k, v in self._ja(body).items():
                    b_hits.setdefault(k, set()).update(v)
            s: dict[str, float] = {}
            for k in set(t_hits) | set(b_hits):
                allt = t_hits.get(k, set()) | b_hits.get(k, set())
                s[k] = len(allt) + len(t_hits.get(k, set()))
            out.append(s)
        return out


# ---------------------------------------------------------------- embeddings

def profile_text(tech: Any) -> str:
    """What a technology is embedded from: both names, the description and its first terms."""
    terms = ", ".join(list(tech.terms_en[:12]) + list(tech.terms_ja[:6]))
    return f"{tech.name} ({tech.name_ja}). {tech.description} {terms}"


class EmbeddingScorer:
    def __init__(self, tax: Taxonomy, embedder: Any = None) -> None:
        if embedder is None:
            from analysis.embed import get_embedder

            embedder = get_embedder()
        self.embedder = embedder
        self.keys = [t.key for t in tax.technologies]
        self.matrix = np.asarray(embedder.encode([profile_text(t) for t in tax.technologies]), dtype=np.float32)

    @property
    def name(self) -> str:
        return self.embedder.name

    def similarities(self, texts: Sequence[str] | None = None, vectors: np.ndarray | None = None) -> np.ndarray:
        if vectors is None:
            vectors = np.asarray(self.embedder.encode(list(texts or [])), dtype=np.float32)
        return vectors @ self.matrix.T


# ---------------------------------------------------------------- the mapper

@dataclass(frozen=True)
class Assignment:
    tech: str
    score: float
    direct: bool


class Mapper:
    def __init__(self, tax: Taxonomy | None = None, method: str = "hybrid", calibration: Calibration | None = None,
                 embedder: Any = None) -> None:
        if method not in METHODS:
            raise ValueError(f"method must be one of {METHODS}")
        self.tax = tax or load_taxonomy()
        self.method = method
        self.cal = calibration or load_calibration(method)
        self.rules = RuleMatcher(self.tax) if method in ("rule", "hybrid") else None
        self.emb = EmbeddingScorer(self.tax, embedder) if method in ("embedding", "hybrid") else None
        self.keys = [t.key for t in self.tax.technologies]

    @property
    def embedder_name(self) -> str | None:
        return self.emb.name if self.emb else None

    def raw(self, titles: Sequence[str], bodies: Sequence[str], vectors: Sequence[Any] | None = None
            ) -> tuple[list[dict[str, float]], np.ndarray | None]:
        rule = self.rules.scores(titles, bodies) if self.rules else [{} for _ in titles]
        sims = None
        if self.emb:
            texts = [". ".join(p for p in (t, b) if p) for t, b in zip(titles, bodies)]
            sims = np.zeros((len(texts), len(self.keys)), dtype=np.float32)
            missing = [i for i in range(len(texts)) if vectors is None or vectors[i] is None]
            have = [i for i in range(len(texts)) if i not in set(missing)]
            if missing:
                sims[missing] = self.emb.similarities([texts[i] for i in missing])
            if have:
                sims[have] = self.emb.similarities(vectors=np.asarray([vectors[i] for i in have], dtype=np.float32))
        return rule, sims

    def decide(self, rule: dict[str, float], sim: np.ndarray | None) -> list[Assignment]:
        direct: dict[str, float] = {}
        for j, key in enumerate(self.keys):
            p = self.cal.get(key)
            r = rule.get(key, 0.0)
            s = float(sim[j]) if sim is not None else 0.0
            if self.method == "rule":
                ok, score = r >= p.min_rule, 1.0 - math.exp(-r / 2.0)
            elif self.method == "embedding":
                ok, score = s >= p.sim_alone, s
            else:
                ok = r >= p.min_rule or s >= p.sim_alone or (r >= 1 and s >= p.sim_with_rule)
                score = max(1.0 - math.exp(-r / 2.0), s)
            if ok:
                direct[key] = round(score, 4)
        out = {k: Assignment(k, v, True) for k, v in direct.items()}
        for k, v in direct.items():
            for a in self.tax.ancestors(k):
                if a not in direct and (a not in out or out[a].score < v):
                    out[a] = Assignment(a, v, False)
        return sorted(out.values(), key=lambda a: (-a.score, a.tech))

    def map(self, titles: Sequence[str], bodies: Sequence[str], vectors: Sequence[Any] | None = None) -> list[list[Assignment]]:
        rule, sims = self.raw(titles, bodies, vectors)
        return [self.decide(rule[i], sims[i] if sims is not None else None) for i in range(len(titles))]


# ---------------------------------------------------------------- calibrated thresholds
# Written by ``python bench/mapping.py --write`` from tests/gold/tech_labels.csv; one entry
# per method, each with the taxonomy version and embedder it was measured with.

CALIBRATION_PATH = Path(__file__).with_name("mapping_calibration.json")


def load_calibration(method: str, path: Path | None = None) -> Calibration:
    p = path or CALIBRATION_PATH
    if not p.exists():
        return Calibration()
    data = json.loads(p.read_text(encoding="utf-8")).get(method)
    if not data:
        return Calibration()
    return Calibration(Params(**data["default"]), {k: Params(**v) for k, v in data["per_tech"].items()})


def save_calibration(cals: dict[str, Calibration], meta: dict[str, Any], path: Path | None = None) -> None:
    p = path or CALIBRATION_PATH
    out = {m: {**meta, "default": vars(c.default), "per_tech": {k: vars(v) for k, v in sorted(c.per_tech.items())}}
           for m, c in cals.items()}
    p.write_text(json.dumps(out, indent=1, sort_keys=True) + "\n", encoding="utf-8")


# ---------------------------------------------------------------- the gold set's sources
# tests/gold/tech_labels.csv stores (source, doc_id) references into ../shared/data;
# these readers turn a reference back into (title, body).

GOLD_FILES = {
    "fedreg": "policy/federal_register_critical_tech_abstracts.jsonl.gz",
    "openalex": "openalex/works.jsonl.gz",
    "arxiv_kaggle": "arxiv/kaggle_arxiv_metadata_sample.jsonl.gz",
    "quantph": "arxiv/quant-ph_oai_dc_extract",
    "robotics": "bibliometric_exports/ai_robotics_conference_papers/papercopilot_robotics_with_abstracts.jsonl.gz",
    "wos_genai": "bibliometric_exports/wos_generative_ai_2023_xls/records_dedup.jsonl.gz",
    "wos_pv": "bibliometric_exports/wos_black_silicon_pv/savedrecs.txt.gz",
    "uspto": "patents/uspto_grant_xml",
    "policy_ja": "policy/ja",
}


def _jsonl(path: Path) -> Iterable[dict[str, Any]]:
    with gzip.open(path, "rt", encoding="utf-8") as f:
        for line in f:
            if line.strip():
                yield json.loads(line)


def _inverted(ix: Any) -> str:
    from ingest.openalex import abstract

    return abstract(ix) or ""


def _wos_plain(path: Path) -> Iterable[dict[str, str]]:
    rec: dict[str, str] = {}
    tag = ""
    with gzip.open(path, "rt", encoding="utf-8-sig") as f:
        for line in f:
            line = line.rstrip("\n")
            if line.startswith("ER"):
                yield rec
                rec, tag = {}, ""
                continue
            if line[:2].strip() and (len(line) < 3 or line[2] == " "):
                tag = line[:2]
                rec[tag] = (rec.get(tag, "") + " " + line[3:]).strip()
            elif line.startswith("   ") and tag:
                rec[tag] = rec[tag] + " " + line.strip()


def _strip_tags(s: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", s).split())


def ja_paragraphs(text: str) -> list[str]:
    """Blocks separated by blank lines, whitespace-normalised (the unit labelled in the gold set)."""
    return [" ".join(b.split()) for b in re.split(r"\n\s*\n", text) if b.strip()]


def read_gold_source(shared: Path, source: str) -> dict[str, tuple[str, str]]:
    """doc_id → (title, body) for every document of one gold source."""
    path = shared / GOLD_FILES[source]
    out: dict[str, tuple[str, str]] = {}
    if source == "fedreg":
        for r in _jsonl(path):
            out[r["document_number"]] = (r.get("title") or "", r.get("abstract") or "")
    elif source == "openalex":
        for r in _jsonl(path):
            out[r["id"].rsplit("/", 1)[-1]] = (r.get("title") or r.get("display_name") or "", _inverted(r.get("abstract_inverted_index")))
    elif source == "arxiv_kaggle":
        for r in _jsonl(path):
            out[r["id"]] = (" ".join((r.get("title") or "").split()), " ".join((r.get("abstract") or "").split()))
    elif source == "quantph":
        for f in sorted(path.glob("arXiv-meta-*.xml.gz")):
            with gzip.open(f, "rt", encoding="utf-8") as fh:
                xml = fh.read()
            for m in re.finditer(r"<identifier>oai:arXiv.org:([^<]+)</identifier>.*?<title>(.*?)</title>.*?<description>(.*?)</description>",
                                 xml, re.S):
                out[m.group(1)] = (" ".join(m.group(2).split()), " ".join(m.group(3).split()))
    elif source == "robotics":
        for n, r in enumerate(_jsonl(path)):
            key = f"{r.get('venue')}{r.get('year')}:{r['id']}" if r.get("id") else f"line:{n}"
            out[key] = (r.get("title") or "", r.get("abstract") or "")
    elif source == "wos_genai":
        for r in _jsonl(path):
            out[r["UT (Unique WOS ID)"]] = (r.get("Article Title") or "", r.get("Abstract") or "")
    elif source == "wos_pv":
        for r in _wos_plain(path):
            if "UT" in r:
                out[r["UT"]] = (r.get("TI", ""), r.get("AB", ""))
    elif source == "uspto":
        docs = []
        for f in sorted([*path.glob("ipgxml__*.small.xml.gz"), *path.glob("alchemy__*.xml.gz")]):
            with gzip.open(f, "rt", encoding="utf-8") as fh:
                docs.extend(fh.read().split("<?xml"))
        for d in docs:
            num = re.search(r"<publication-reference>.*?<doc-number>([^<]+)</doc-number>", d, re.S)
            title = re.search(r"<invention-title[^>]*>(.*?)</invention-title>", d, re.S)
            if num and title:
                ab = re.search(r"<abstract[^>]*>(.*?)</abstract>", d, re.S)
                out[num.group(1)] = (_strip_tags(title.group(1)), _strip_tags(ab.group(1)) if ab else "")
    elif source == "policy_ja":
        for f in sorted(path.glob("*.txt")):
            for i, p in enumerate(ja_paragraphs(f.read_text(encoding="utf-8"))):
                out[f"{f.stem}#{i}"] = ("", p)
    else:
        raise ValueError(f"unknown gold source {source}")
    return out


@dataclass(frozen=True)
class GoldDoc:
    source: str
    doc_id: str
    lang: str
    title: str
    body: str
    labels: frozenset[str]


def read_gold(csv_path: Path, shared: Path) -> list[GoldDoc]:
    rows = list(csv.DictReader(csv_path.open(encoding="utf-8")))
    texts: dict[str, dict[str, tuple[str, str]]] = {}
    out = []
    for r in rows:
        src = r["source"]
        if src not in texts:
            texts[src] = read_gold_source(shared, src)
        title, body = texts[src][r["doc_id"]]
        labels = frozenset(x.strip() for x in r["labels"].split(";") if x.strip())
        out.append(GoldDoc(src, r["doc_id"], r["lang"], title, body, labels))
    return out


def expand(labels: Iterable[str], tax: Taxonomy) -> set[str]:
    """Labels plus their ancestors."""
    out = set()
    for k in labels:
        out.add(k)
        out.update(tax.ancestors(k))
    return out


def evaluate(mapper: Mapper, gold: Sequence[GoldDoc], raw: tuple[list[dict[str, float]], np.ndarray | None] | None = None
             ) -> dict[str, dict[str, float]]:
    """Per technology: support, tp, fp, fn, precision, recall (gold labels and predictions both
    include ancestors)."""
    if raw is None:
        raw = mapper.raw([g.title for g in gold], [g.body for g in gold])
    rule, sims = raw
    stats: dict[str, dict[str, float]] = {k: {"support": 0, "tp": 0, "fp": 0, "fn": 0} for k in mapper.keys}
    for i, g in enumerate(gold):
        truth = expand(g.labels, mapper.tax)
        pred = {a.tech for a in mapper.decide(rule[i], sims[i] if sims is not None else None)}
        for k in mapper.keys:
            t, p = k in truth, k in pred
            stats[k]["support"] += t
            stats[k]["tp"] += t and p
            stats[k]["fp"] += p and not t
            stats[k]["fn"] += t and not p
    for s in stats.values():
        s["precision"] = s["tp"] / (s["tp"] + s["fp"]) if s["tp"] + s["fp"] else float("nan")
        s["recall"] = s["tp"] / s["support"] if s["support"] else float("nan")
    return stats


def _descendants(tax: Taxonomy) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {t.key: [t.key] for t in tax.technologies}
    for t in tax.technologies:
        for a in tax.ancestors(t.key):
            out[a].append(t.key)
    return out


def _direct(method: str, r: np.ndarray, s: np.ndarray, p: Params) -> np.ndarray:
    if method == "rule":
        return r >= p.min_rule
    if method == "embedding":
        return s >= p.sim_alone
    return (r >= p.min_rule) | (s >= p.sim_alone) | ((r >= 1) & (s >= p.sim_with_rule))


GRID_RULE = (1.0, 2.0, 3.0)
GRID_ALONE = (0.30, 0.35, 0.40, 0.45, 0.50, 0.55, 0.60, 9.0)
GRID_WITH = (0.0, 0.10, 0.15, 0.20, 0.25, 0.30, 9.0)


def calibrate(tax: Taxonomy, method: str, rule: list[dict[str, float]], sims: np.ndarray | None,
              gold: Sequence[GoldDoc], target_precision: float = 0.85, min_support: int = 5) -> Calibration:
    """Per technology, the thresholds with the best recall at precision >= target (else the best
    F1), chosen leaves first so a parent sees its children's final decisions. Technologies
    with fewer than ``min_support`` gold documents keep the default."""
    keys = [t.key for t in tax.technologies]
    n = len(gold)
    R = np.array([[rule[i].get(k, 0.0) for k in keys] for i in range(n)], dtype=np.float32).reshape(n, len(keys))
    S = sims if sims is not None else np.zeros_like(R)
    truth = np.array([[k in expand(g.labels, tax) for k in keys] for g in gold], dtype=bool).reshape(n, len(keys))
    col = {k: j for j, k in enumerate(keys)}
    desc = _descendants(tax)
    default = Params(min_rule=1.0, sim_alone=9.0, sim_with_rule=0.0) if method != "embedding" else Params(sim_alone=0.5)
    chosen: dict[str, Params] = {}
    direct = {k: _direct(method, R[:, col[k]], S[:, col[k]], default) for k in keys}
    order = sorted(keys, key=lambda k: -len(tax.ancestors(k)))   # deepest first
    for k in order:
        t = truth[:, col[k]]
        if t.sum() < min_support:
            continue
        others = np.zeros(n, dtype=bool)
        for d in desc[k]:
            if d != k:
                others |= direct[d]
        grid = [Params(a, b, c) for a in (GRID_RULE if method != "embedding" else (99.0,))
                for b in GRID_ALONE for c in (GRID_WITH if method == "hybrid" else (9.0,))]
        best, best_score = None, None
        for p in grid:
            pred = _direct(method, R[:, col[k]], S[:, col[k]], p) | others
            tp = int((pred & t).sum())
            fp = int((pred & ~t).sum())
            prec = tp / (tp + fp) if tp + fp else 0.0
            rec = tp / int(t.sum())
            f1 = 2 * prec * rec / (prec + rec) if prec + rec else 0.0
            score = (prec >= target_precision, rec if prec >= target_precision else f1, prec)
            if best_score is None or score > best_score:
                best, best_score = p, score
        chosen[k] = best
        direct[k] = _direct(method, R[:, col[k]], S[:, col[k]], best)
    return Calibration(default, chosen)


def with_params(cal: Calibration, key: str, **kw: float) -> Calibration:
    per = dict(cal.per_tech)
    per[key] = replace(cal.get(key), **kw)
    return Calibration(cal.default, per)


# ---------------------------------------------------------------- the graph job

@dataclass
class MapReport:
    label: str
    documents: int = 0
    edges: int = 0
    reused_vectors: int = 0


PASSAGES_NEEDED = 2   # a long document is about a technology when this many of its paragraphs are


def _local_text(path: str | None) -> str | None:
    """The text of a policy document stored only as a path (long Japanese PDFs, HTML, or
    text in CP932/EUC-JP): read and decoded as the ingester does when it is a local file, else None."""
    if not path or "://" in path:
        return None
    from ingest.policy import extract_text, kind_of

    p = Path(path)
    kind = kind_of(p)
    if kind not in ("text", "html", "pdf") or not p.is_file():
        return None
    try:
        return extract_text(p.read_bytes(), kind, str(p))[0]
    except (OSError, KizashiError):
        return None


def map_long_text(mapper: Mapper, title: str, text: str) -> list[Assignment]:
    """Map paragraph by paragraph (the unit the thresholds were calibrated on); keep a
    technology seen in at least PASSAGES_NEEDED paragraphs, scored by its best paragraph."""
    paras = [p for p in ja_paragraphs(text) if len(p) >= 20] or [text]
    hits: dict[str, list[Assignment]] = {}
    for found in mapper.map([title] * len(paras), paras):
        for a in found:
            hits.setdefault(a.tech, []).append(a)
    out = [Assignment(k, max(x.score for x in v), any(x.direct for x in v))
           for k, v in hits.items() if len(v) >= min(PASSAGES_NEEDED, len(paras))]
    return sorted(out, key=lambda a: (-a.score, a.tech))


def map_documents(store: Any, mapper: Mapper, labels: Sequence[str] | None = None, page: int = 1000,
                  progress: Any = None) -> list[MapReport]:
    """Write ``ABOUT {score, method}`` edges for every document node, replacing this method's
    previous edges (so a rerun, or a new taxonomy version, leaves no stale edges). Stored
    vectors from the same embedder are reused; others are encoded on the fly. A document
    with no text on the node but a local text file (policy PDFs' extracts) is mapped from
    that file, paragraph by paragraph."""
    from graph import technology as gt

    version = mapper.tax.version
    wanted = [lb for lb in gt.present_document_labels(store) if labels is None or lb in labels]
    reports = []
    for label in wanted:
        rep = MapReport(label)
        for rows in gt.documents(store, label, page=page, model=mapper.embedder_name):
            short = [i for i, r in enumerate(rows) if r["body"] or not _local_text(r.get("path"))]
            vectors = [rows[i]["embedding"] for i in short]
            rep.reused_vectors += sum(v is not None for v in vectors)
            found: dict[int, list[Assignment]] = dict(zip(short, mapper.map(
                [rows[i]["title"] or "" for i in short], [rows[i]["body"] or "" for i in short],
                vectors if mapper.emb else None)))
            for i, r in enumerate(rows):
                if i not in found:
                    found[i] = map_long_text(mapper, r["title"] or "", _local_text(r.get("path")) or "")
            edges = [{"doc": r["key"], "tech": a.tech, "score": a.score, "direct": a.direct}
                     for i, r in enumerate(rows) for a in found[i]]
            rep.edges += gt.write_about(store, label, [r["key"] for r in rows], edges, mapper.method, version)
            rep.documents += len(rows)
            if progress:
                progress(label, len(rows), len(edges))
        reports.append(rep)
    return reports
