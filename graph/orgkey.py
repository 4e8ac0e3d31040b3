"""Keys for organizations known only by name (patent assignees, WoS/Scopus
affiliations). Deliberately simple; organization resolution refines matches."""

from __future__ import annotations

import re
import unicodedata

_PUNCT = re.compile(r"[^\w\s]")
_SPACE = re.compile(r"\s+")


def normalize(name: str) -> str:
    text = unicodedata.normalize("NFKC", name).casefold()
    text = _PUNCT.sub(" ", text)
    return _SPACE.sub(" ", text).strip()


def name_key(name: str) -> str:
    return "name:" + normalize(name)
