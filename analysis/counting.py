"""Documents of one technology as matrices of credit, and the counts read off them.

A technology's documents (papers; patent families) in a window form a matrix X
(documents × entities) of credit. Under *fractional* counting a paper's credit is
split over countries (organizations) by author share, so a row sums to at most 1;
under *full* counting every listed entity gets 1 (``Docs.presence``). Patent
publications are grouped into families; a family's credit is the mean of its
publications' normalised applicant credit and its year the earliest.

- top-10% / top-1% = a paper is in the top x% when it has citations and fewer than x·n papers of
                     the same (technology, publication year) have strictly more citations:
                     age-normalised, ties at the boundary all count
- h-index          = largest h with h of the entity's papers cited ≥ h times (full counting)
- growth (CAGR)    = ((c_last + 1) / (c_first + 1)) ** (1 / (last − first)) − 1 over the window's
                     first and last year; +1 keeps zero years finite
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy.sparse import csr_matrix


@dataclass(frozen=True)
class Sparse:
    """A documents × entities matrix as (document, entity, value) triplets: organizations
    number in the thousands, and a dense matrix of them would not fit."""
    d: np.ndarray
    e: np.ndarray
    v: np.ndarray
    n_docs: int
    n_ent: int

    @classmethod
    def from_dense(cls, x: np.ndarray) -> Sparse:
        x = np.asarray(x, dtype=float)
        d, e = np.nonzero(x)
        return cls(d, e, x[d, e], x.shape[0], x.shape[1])

    @property
    def shape(self) -> tuple[int, int]:
        return self.n_docs, self.n_ent

    def colsum(self) -> np.ndarray:
        return np.bincount(self.e, weights=self.v, minlength=self.n_ent).astype(float)

    def rowsum(self) -> np.ndarray:
        return np.bincount(self.d, weights=self.v, minlength=self.n_docs).astype(float)

    def binary(self) -> Sparse:
        return Sparse(self.d, self.e, np.ones_like(self.v), self.n_docs, self.n_ent)

    def rows(self, mask: np.ndarray) -> Sparse:
        keep = mask[self.d]
        return Sparse(self.d[keep], self.e[keep], self.v[keep], self.n_docs, self.n_ent)

    def left(self, k: np.ndarray) -> np.ndarray:
        """k @ X for resample counts k (B × documents), without a dense X."""
        if not len(self.v):
            return np.zeros((k.shape[0], self.n_ent))
        x = csr_matrix((self.v, (self.d, self.e)), shape=(self.n_docs, self.n_ent))
        return np.asarray((x.T @ k.T).T)        # k column-major (intervals.resamples): k.T needs no copy

    def right(self, m: np.ndarray) -> np.ndarray:
        """X @ m, dense (documents × columns of m)."""
        out = np.zeros((self.n_docs, m.shape[1]))
        np.add.at(out, self.d, self.v[:, None] * m[self.e])
        return out

    def remap(self, index: np.ndarray, n_ent: int) -> Sparse:
        return Sparse(self.d, index[self.e] if len(self.e) else self.e, self.v, self.n_docs, n_ent)


def as_sparse(x: np.ndarray | Sparse) -> Sparse:
    return x if isinstance(x, Sparse) else Sparse.from_dense(x)


@dataclass
class Docs:
    """Documents of one technology: credit matrix and per-document facts."""
    keys: list[str]
    years: np.ndarray
    cites: np.ndarray
    entities: list[str]
    credit: Sparse                   # fractional credit, documents × entities
    extra: list[dict[str, Any]]      # per document: ids for evidence

    @property
    def presence(self) -> Sparse:
        return self.credit.binary()

    def matrix(self, counting: str) -> Sparse:
        return self.credit if counting == "fractional" else self.presence


def _matrix(rows: list[tuple[str, dict[str, float]]]) -> tuple[list[str], Sparse]:
    entities = sorted({e for _, c in rows for e in c})
    index = {e: i for i, e in enumerate(entities)}
    d, e, v = [], [], []
    for i, (_, credit) in enumerate(rows):
        for ent, f in credit.items():
            d.append(i)
            e.append(index[ent])
            v.append(f)
    return entities, Sparse(np.array(d, dtype=int), np.array(e, dtype=int), np.array(v, dtype=float),
                            len(rows), len(entities))


def _credit(pairs: list[list[Any]]) -> dict[str, float]:
    out: dict[str, float] = defaultdict(float)
    for p in pairs:
        if p[0] is not None and p[1] is not None and float(p[1]) > 0:
            out[p[0]] += float(p[1])
    return out


def works_docs(rows: list[dict[str, Any]], by: str) -> Docs:
    per = [(r["key"], _credit(r["countries"] if by == "country" else r["orgs"])) for r in rows]
    entities, m = _matrix(per)
    return Docs(keys=[r["key"] for r in rows], years=np.array([r["year"] for r in rows], dtype=int),
                cites=np.array([r["cites"] or 0 for r in rows], dtype=float), entities=entities, credit=m,
                extra=[{"doi": r.get("doi"), "openalex_id": r.get("openalex_id")} for r in rows])


def family_docs(rows: list[dict[str, Any]], by: str) -> Docs:
    """Patent publications grouped into families; a family's credit is the mean of its publications'
    normalised applicant credit, its year the earliest."""
    fams: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for r in rows:
        fams[r["family"]].append(r)
    per, years, members = [], [], []
    for fam in sorted(fams):
        pubs = fams[fam]
        acc: dict[str, float] = defaultdict(float)
        for p in pubs:
            c = _credit(p["countries"] if by == "country" else [[o[0], o[1]] for o in p["orgs"]])
            total = sum(c.values())
            for e, f in c.items():
                acc[e] += f / total / len(pubs)
        per.append((fam, dict(acc)))
        years.append(min(p["year"] for p in pubs))
        members.append({"patents": sorted(p["key"] for p in pubs)})
    entities, m = _matrix(per)
    return Docs(keys=[f for f, _ in per], years=np.array(years, dtype=int), cites=np.zeros(len(per)),
                entities=entities, credit=m, extra=members)


def top_mask(years: np.ndarray, cites: np.ndarray, x: float) -> np.ndarray:
    """Papers in the top x of their publication year (ties at the boundary all count)."""
    mask = np.zeros(len(cites), dtype=bool)
    for y in np.unique(years):
        idx = np.flatnonzero(years == y)
        c = cites[idx]
        higher = len(c) - np.searchsorted(np.sort(c), c, side="right")   # same-year papers cited more
        mask[idx] = (c > 0) & (higher < x * len(idx))
    return mask


def h_index(cites: np.ndarray, presence: np.ndarray | Sparse) -> np.ndarray:
    p = as_sparse(presence)
    out = np.zeros(p.n_ent, dtype=int)
    if not len(p.v):
        return out
    c = cites[p.d]
    order = np.lexsort((-c, p.e))                     # by entity, most cited first
    e, c = p.e[order], c[order]
    starts = np.flatnonzero(np.r_[True, e[1:] != e[:-1]])
    pos = np.arange(len(e)) - np.repeat(starts, np.diff(np.r_[starts, len(e)])) + 1
    out[e[starts]] = np.add.reduceat((c >= pos).astype(int), starts)
    return out


def cagr(years: np.ndarray, x: np.ndarray | Sparse, first: int, last: int) -> np.ndarray:
    x = as_sparse(x)
    if last <= first:
        return np.zeros(x.n_ent)
    c0 = x.rows(years == first).colsum()
    c1 = x.rows(years == last).colsum()
    return ((c1 + 1.0) / (c0 + 1.0)) ** (1.0 / (last - first)) - 1.0
