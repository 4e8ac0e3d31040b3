"""Patents: the typed record every patent reader builds, and the identifier forms
that make one publication read from several offices land on one key.

Numbers are kept in DOCDB form: US numbers lose their zero padding and US
pre-grant publications their seventh-digit zero (US20050004437 → US2005004437).
Families: see graph/patent.py, which writes them.
"""

from __future__ import annotations

import re
from functools import lru_cache

from pydantic import BaseModel, ConfigDict


class _Record(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Party(_Record):
    name: str
    country: str | None = None    # ISO 3166-1 alpha-2 of the party's address or residence
    organization: bool = True     # False for natural persons


class Patent(_Record):
    source: str                   # uspto / ppubs / epo_ops / docdb / ep / patentsview / lens / derwent
    country: str                  # publishing office: US, EP, WO, JP…
    number: str                   # DOCDB form, see module docstring
    kind: str | None = None       # A1, B2, S1…
    title: str | None = None
    abstract: str | None = None
    application_number: str | None = None
    application_date: str | None = None   # ISO dates
    priority_date: str | None = None      # earliest priority claimed
    publication_date: str | None = None
    family_id: str | None = None          # DOCDB simple family
    family_ref: str | None = None         # a source's own family, when it has no DOCDB ID: "derwent:<GA>"
    priority_countries: tuple[str, ...] = ()   # offices of first filing (a proxy some studies use; not an address)
    cpc: tuple[str, ...] = ()
    ipc: tuple[str, ...] = ()
    applicants: tuple[Party, ...] = ()    # owners: assignees, else applicants
    inventors: tuple[Party, ...] = ()
    fingerprint: str | None = None

    @property
    def key(self) -> str:
        return f"pat:{self.country}{self.number}{self.kind or ''}"

    @property
    def family_key(self) -> str:
        if self.family_id:
            return f"docdb:{self.family_id}"
        if self.family_ref:
            return self.family_ref
        if self.application_number:
            return f"app:{self.country}{self.application_number}"
        return f"pub:{self.country}{self.number}"


# --- identifiers -------------------------------------------------------------

_US_PUB = re.compile(r"(19|20)\d\d0\d{6}")
_NUM = re.compile(r"([A-Z]*)0*(\d+)")


def publication_number(country: str, number: str) -> str:
    n = re.sub(r"[\s/,.\-]", "", number).upper()
    if n.startswith(country) and n[len(country):len(country) + 1].isdigit():
        n = n[len(country):]
    if country == "US":
        if _US_PUB.fullmatch(n):
            return n[:4] + n[5:]
        m = _NUM.fullmatch(n)
        if m:
            return m.group(1) + m.group(2)
    return n


_CLASS = re.compile(r"([A-HY])[\s-]*(\d\d)[\s-]*([A-Z])[\s-]*0*(\d{1,4})\s*/\s*(\d{1,7})")
_FIXED = re.compile(r"([A-HY]\d\d[A-Z])([ \d]{3})(\d{2,7})")


@lru_cache(maxsize=1 << 16)   # the same symbols recur across thousands of records
def class_code(text: str) -> str | None:
    """One CPC/IPC symbol, normalised to "H01L21/02", from any of the forms the
    offices write: "H01L 21/02", "C10L   1/    00", "A41B001/00", "7C 07C 29/44",
    and the slashless fixed width of old USPTO data ("G06F 1516" = G06F 15/16)."""
    t = text.upper().strip()
    m = _CLASS.search(t)
    if m:
        s, c, sc, main, sub = m.groups()
        return f"{s}{c}{sc}{int(main)}/{sub}"
    t = re.sub(r"^\d+\s*(?=[A-HY]\d)", "", t)
    m = _FIXED.match(t)
    if m and m.group(2).strip().isdigit():
        return f"{m.group(1)}{int(m.group(2))}/{m.group(3)}"
    return None


def class_chain(code: str) -> list[tuple[str, str]]:
    """A normalised code's ancestry, section first: [(code, level)…]. Levels are
    section, class, subclass, group (main group, "/00") and subgroup."""
    group = code.split("/")[0] + "/00"
    chain = [(code[0], "section"), (code[:3], "class"), (code[:4], "subclass"), (group, "group")]
    if code != group:
        chain.append((code, "subgroup"))
    return chain
