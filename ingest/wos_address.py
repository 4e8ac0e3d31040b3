"""Web of Science addresses (``C1``, "Addresses"): which authors an address names, its
organization (the first comma part, in WoS's abbreviated form, e.g. "Tech Univ Munich")
and its country (the last comma part, with WoS's spellings normalized: "CA 94305 USA",
"Peoples R China", England).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ingest.country import to_iso

# WoS country spellings that are not ordinary country names.
_COUNTRY_VARIANTS = {
    "north ireland": "GB", "u arab emirates": "AE", "byelarus": "BY", "bosnia & herceg": "BA",
    "trinid & tobago": "TT", "papua n guinea": "PG", "cent afr republ": "CF", "dem rep congo": "CD",
    "rep congo": "CG", "sao tome & prin": "ST", "neth antilles": "CW", "st kitts & nevi": "KN",
    "fr polynesia": "PF", "w ind assoc st": "AG", "marshall island": "MH", "guinea bissau": "GW",
    "cote ivoire": "CI", "antigua & barbu": "AG", "st vincent": "VC", "st lucia": "LC", "fr guiana": "GF",
    "equat guinea": "GQ", "solomon islands": "SB", "turks & caicos": "TC", "br virgin isl": "VG",
    "kyrgyzstan": "KG", "macedonia": "MK", "north macedonia": "MK", "serbia monteneg": "RS",
    "palestine": "PS", "timor leste": "TL", "brunei": "BN", "vatican": "VA", "libya": "LY",
    "kosovo": "XK", "turkiye": "TR", "iran": "IR", "syria": "SY", "laos": "LA", "vietnam": "VN",
}
_US_TAIL = re.compile(r"(?:^|\s)(?:[A-Z]{2}\s+)?(?:\d{5}(?:-\d{4})?\s+)?USA$")


def country(text: str) -> str | None:
    """ISO code of a WoS address's country part ("Peoples R China", "CA 94305 USA", "Scotland")."""
    t = text.strip().rstrip(".").strip()
    if not t:
        return None
    if t == "USA" or _US_TAIL.search(t):
        return "US"
    code = to_iso(t) or _COUNTRY_VARIANTS.get(t.casefold().replace(".", ""))
    if code:
        return code
    # "Bern 3012, Switzerland"-style leftovers: drop postal codes and try the last words
    words = [w for w in re.split(r"\s+", t) if not any(ch.isdigit() for ch in w)]
    for n in (3, 2, 1):
        if len(words) >= n:
            tail = " ".join(words[-n:])
            code = to_iso(tail) or _COUNTRY_VARIANTS.get(tail.casefold())
            if code:
                return code
    return None


@dataclass(frozen=True)
class Address:
    authors: tuple[str, ...]      # the bracketed author names, when the export gives them
    organization: str | None
    country: str | None
    text: str                     # the address without the author prefix


def split_top(text: str, sep: str = ";") -> list[str]:
    """Split on ``sep`` outside square brackets ("[A; B] Org, X; [C] Org2" → 2 parts)."""
    out, depth, cur = [], 0, []
    for ch in text:
        if ch == "[":
            depth += 1
        elif ch == "]":
            depth = max(depth - 1, 0)
        if ch == sep and depth == 0:
            out.append("".join(cur).strip())
            cur = []
        else:
            cur.append(ch)
    out.append("".join(cur).strip())
    return [p for p in out if p]


def address(text: str) -> Address:
    t = text.strip().rstrip(".").strip()
    authors: tuple[str, ...] = ()
    if t.startswith("["):
        end = t.find("]")
        if end > 0:
            authors = tuple(a.strip() for a in t[1:end].split(";") if a.strip())
            t = t[end + 1:].strip()
    parts = [p.strip() for p in t.split(",") if p.strip()]
    org = parts[0] if parts else None
    ctry = None
    if len(parts) >= 2:
        ctry = country(parts[-1])
        # WoS files Hong Kong and Macau under China; ISO (and OpenAlex) keep them apart.
        if ctry == "CN" and len(parts) >= 3 and parts[-2].casefold() in ("hong kong", "macau", "macao"):
            ctry = "HK" if parts[-2].casefold() == "hong kong" else "MO"
    return Address(authors, org, ctry, t)
