"""When two organization names may be the same organization: generic words that never
block a fuzzy match, real names one letter apart, department-only names, trailing
acronyms, and word-by-word likeness."""

from __future__ import annotations

import re

# Words too common to tell organizations apart: never the blocking word for fuzzy matching.
GENERIC = frozenset({"artificial", "intelligence", "machine", "learning", "robotics", "data", "computing", "vision", "ai",
                     "graduate", "management", "energy", "health", "hlth", "biology", "innovation", "security", "software",
                     "computer", "electrical", "mathematics", "physics", "chemistry", "materials", "faculty", "division",
                     "univ", "inst", "tech", "natl", "sci", "acad", "ctr", "lab", "res", "engn", "coll", "hosp", "med",
                     "state", "department", "school", "group", "china", "chinese", "american", "international",
                     "technology", "systems", "information", "applied", "key", "federal", "advanced", "poly", "industries",
                     "electric", "electronics", "holdings", "japan", "korea", "india", "germany", "france", "usa", "ministry"})
# WoS's abbreviated spellings: a record named so is a worse display name than a spelled-out one.
ABBREVIATED = re.compile(r"\b(Univ|Inst|Technol|Natl|Sci|Acad|Ctr|Res|Engn|Lab)\b")
# Real, different names that the spelling rules would take for typos of each other.
CONFUSABLE = frozenset(frozenset(p) for p in (("shanxi", "shaanxi"), ("austria", "australia"), ("iowa", "ohio"),
                                              ("jiangsu", "jiangxi"), ("guangxi", "guangdong"), ("hubei", "hebei"),
                                              ("hunan", "henan"), ("jilin", "jiling"), ("nanjing", "nanning")))


_UNIT = re.compile(r"^\W*(dept|department|departments|faculty|school of|division of|laboratory of|lab of|chair of|"
                   r"section of|program in|programme in|graduate school of)\b", re.I)


def unit_only(name: str) -> bool:
    """A department-like name that does not say whose it is ("Faculty of Engineering")."""
    return bool(_UNIT.match(name)) and "," not in name and not re.search(r"\b(in|at)\b|\(|-", name)


def acronym_like(word: str, name: str) -> bool:
    """``word`` ends ``name`` in capitals: "Tech Univ Munich TUM", "Korea Adv Inst Sci & Technol KAIST"."""
    last = re.split(r"[\s,()]+", name.strip(" )"))[-1] if name.strip() else ""
    return 2 <= len(word) <= 7 and word.isalpha() and last == word.upper()


def alike(a: str, b: str) -> bool:
    """Same number of words, the same numbers, and each word close to its counterpart."""
    from rapidfuzz import fuzz

    wa, wb = a.split(), b.split()
    if len(wa) != len(wb):
        return False
    if re.findall(r"\d+", a) != re.findall(r"\d+", b):   # "Paris 6" is not "Paris 7", nor W…00 W…09
        return False
    for x, y in zip(wa, wb):
        if x == y:
            continue
        # place names one letter apart are different places (Nanjing/Nanning, Zhejiang/Zhanjiang)
        if min(len(x), len(y)) < 5 or fuzz.ratio(x, y) < 88 or frozenset((x, y)) in CONFUSABLE:
            return False
    return True
