"""The chosen embedder on the hand-written bilingual retrieval set (tests/gold/bilingual_pairs.csv):
50 English sentences about tracked technologies, their Japanese translations, and short
Japanese keyword queries. Measured (use-multilingual): EN→JA and JA→EN acc@1 1.00;
short JA query → EN sentence acc@1 0.84, recall@3 0.94, MRR 0.90."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from analysis.embed import get_embedder, pair_retrieval

GOLD = Path(__file__).parent / "gold" / "bilingual_pairs.csv"


@pytest.fixture(scope="module")
def pairs() -> list[dict[str, str]]:
    rows = list(csv.DictReader(GOLD.open(encoding="utf-8")))
    assert len(rows) >= 40 and len({r["technology"] for r in rows}) >= 12
    return rows


def test_default_embedder_matches_english_and_japanese(pairs) -> None:
    emb = get_embedder()
    assert emb.name == "use-multilingual"
    en, ja, q = [r["en"] for r in pairs], [r["ja"] for r in pairs], [r["ja_query"] for r in pairs]
    assert pair_retrieval(emb, en, ja)["acc@1"] >= 0.95
    assert pair_retrieval(emb, ja, en)["acc@1"] >= 0.95
    short = pair_retrieval(emb, q, en)
    assert short["recall@3"] >= 0.85 and short["mrr"] >= 0.8
