"""Normalizers for external identifiers, so every source spells an ID the same way."""

from __future__ import annotations

import re

_DOI = re.compile(r"^(?:https?://(?:dx\.)?doi\.org/|doi:)", re.I)
_ARXIV_URL = re.compile(r"^(?:https?://)?(?:export\.)?arxiv\.org/(?:abs|pdf)/", re.I)
_ARXIV_VERSION = re.compile(r"v\d+$")
_ARXIV_DOI = re.compile(r"^10\.48550/arxiv\.(.+)$", re.I)
_ARXIV_ID = re.compile(r"^(\d{4}\.\d{4,5}|[a-z\-]+(?:\.[A-Z]{2})?/\d{7})$", re.I)


def doi(value: object) -> str | None:
    if not isinstance(value, str) or not value.strip():
        return None
    d = _DOI.sub("", value.strip()).lower()
    return d if d.startswith("10.") else None


def openalex(value: object) -> str | None:
    """'https://openalex.org/W123' -> 'W123'."""
    if not isinstance(value, str) or not value:
        return None
    return value.rstrip("/").rsplit("/", 1)[-1] or None


def ror(value: object) -> str | None:
    if not isinstance(value, str) or not value:
        return None
    return value.rstrip("/").rsplit("/", 1)[-1].lower() or None


def arxiv(value: object) -> str | None:
    """'http://arxiv.org/abs/2104.12255v1' -> '2104.12255'; keeps old-style 'astro-ph/0601001'."""
    if not isinstance(value, str) or not value.strip():
        return None
    v = _ARXIV_URL.sub("", value.strip())
    v = re.sub(r"^arxiv:", "", v, flags=re.I)
    if v.lower().endswith(".pdf"):
        v = v[:-4]
    v = _ARXIV_VERSION.sub("", v)
    return v if _ARXIV_ID.match(v) else None


def arxiv_from_doi(d: str | None) -> str | None:
    """arXiv's own DataCite DOIs (10.48550/arXiv.<id>) name the preprint."""
    if not d:
        return None
    m = _ARXIV_DOI.match(d)
    return arxiv(m.group(1)) if m else None


def country(value: object) -> str | None:
    if isinstance(value, str) and len(value.strip()) == 2 and value.strip().isalpha():
        return value.strip().upper()
    return None
