"""The country an organization's name or a raw affiliation string states."""

from __future__ import annotations

import re

_NOT_A_COUNTRY_HERE = frozenset({"georgia", "jordan", "chad", "niger", "guinea", "turkey", "wales", "congo", "dominica",
                                  "mali", "jersey", "china", "india"})   # also US states, surnames, or "Indian Inst…"-style parts


def country_in_name(name: str) -> str | None:
    """A country the name itself states: "Thales Nederland BV", "Sharp Laboratories of America"."""
    from ingest.country import to_iso

    words = re.findall(r"[A-Za-z]+", name)
    for n in (3, 2, 1):
        for i in range(len(words) - n, -1, -1):
            phrase = " ".join(words[i:i + n])
            if phrase.casefold() in _NOT_A_COUNTRY_HERE or len(phrase) < 4:
                continue
            code = to_iso(phrase) or {"nederland": "NL", "deutschland": "DE", "america": "US"}.get(phrase.casefold())
            if code:
                return code
    return None


_US_STATE_NAMES = frozenset(
    "alabama alaska arizona arkansas california colorado connecticut delaware florida hawaii idaho illinois "
    "indiana iowa kansas kentucky louisiana maine maryland massachusetts michigan minnesota mississippi missouri montana "
    "nebraska nevada ohio oklahoma oregon pennsylvania tennessee texas utah vermont virginia washington wisconsin wyoming".split()
) | {"new hampshire", "new jersey", "new mexico", "new york", "north carolina", "north dakota", "rhode island",
     "south carolina", "south dakota", "west virginia", "district of columbia"}
# Sources that file Hong Kong and Macau under China are not disagreeing with ISO.
SAME_COUNTRY = frozenset({("HK", "CN"), ("MO", "CN")})


def address_country(text: str) -> str | None:
    """The country an affiliation string ends with ("…, Chapel Hill, NC 27599" is the US, not New Caledonia)."""
    from ingest.orgkey import US_STATES
    from ingest.wos import country

    if "," not in text:
        return None
    last = text.rsplit(",", 1)[1].strip().rstrip(".;")
    head = last.split()[0] if last.split() else ""
    if re.sub(r"[\s\d-]+$", "", last).casefold() in _US_STATE_NAMES:
        return "US"
    if len(head) == 2 and head.casefold() in US_STATES and (len(last) == 2 or last[3:].strip().isdigit() or
                                                              last[3:].strip().replace("-", "").isdigit()):
        return "US"
    return country(last)
