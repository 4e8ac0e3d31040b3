"""Bilingual ISO 3166-1 gazetteer: every country code with its English and
Japanese name, and ``to_iso`` for the many ways sources spell a country
(米国, 中華人民共和国, 豪州, USA, U.S., Peoples R China, Republic of Korea…).

Codes and English names come from pycountry (ISO 3166-1; its common name where
ISO's is formal, e.g. "South Korea" for "Korea, Republic of"), Japanese names
from the CLDR data shipped with Babel. What those do not give is kept here, in
small tables: a few display names, and the spellings sources actually use.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import Final

import pycountry
from babel import Locale

# ISO's own name where it is inverted or formal and pycountry has no common name; the short
# form is what a reader of a ranking expects (pycountry's names stay accepted by to_iso).
_EN_DISPLAY: Final[dict[str, str]] = {
    "BN": "Brunei", "CD": "Democratic Republic of the Congo", "FK": "Falkland Islands", "FM": "Micronesia",
    "PS": "Palestine", "RU": "Russia", "VA": "Holy See", "VG": "British Virgin Islands", "VI": "U.S. Virgin Islands",
}
# Japanese names where CLDR's differs from the short form of Japanese government documents
# (the MOFA style our policy sources use) or carries a disambiguating parenthesis.
_JA_DISPLAY: Final[dict[str, str]] = {
    "US": "米国", "GB": "英国", "HK": "香港", "MO": "マカオ", "CD": "コンゴ民主共和国", "CG": "コンゴ共和国",
    "MM": "ミャンマー",
}
_PAREN = re.compile(r"\s*[(（][^)）]*[)）]\s*")


def _names() -> tuple[dict[str, tuple[str, str, str]], dict[str, set[str]]]:
    """code -> (alpha-3, English, Japanese), and code -> every other name the libraries know."""
    ja = Locale("ja").territories
    en_cldr = Locale("en").territories
    table: dict[str, tuple[str, str, str]] = {}
    others: dict[str, set[str]] = {}
    for c in pycountry.countries:
        code = c.alpha_2
        en = _EN_DISPLAY.get(code) or getattr(c, "common_name", None) or c.name
        ja_name = _JA_DISPLAY.get(code) or _PAREN.sub("", ja[code]).strip()
        table[code] = (c.alpha_3, en, ja_name)
        found = {c.name, getattr(c, "official_name", None), getattr(c, "common_name", None), en_cldr.get(code),
                 ja[code], _PAREN.sub("", ja[code]).strip()}
        others[code] = {n for n in found if n} - {en, ja_name}
    return dict(sorted(table.items())), others


_TABLE, _OTHER_NAMES = _names()
COUNTRIES: Final[dict[str, tuple[str, str]]] = {c: (en, ja) for c, (_, en, ja) in _TABLE.items()}
ALPHA3: Final[dict[str, str]] = {a3: c for c, (a3, _, _) in _TABLE.items()}

# Spellings sources use that neither ISO (pycountry) nor CLDR knows: WoS/Scopus address forms
# (Peoples R China, England), abbreviations, older names, and the Japanese short and formal
# forms of government documents (豪州, 独逸, ドイツ連邦共和国).
ALIASES: Final[dict[str, str]] = {
    # United States
    "USA": "US", "US": "US", "U.S.": "US", "U.S.A.": "US", "America": "US", "アメリカ": "US", "合衆国": "US", "米": "US",
    # China
    "Peoples R China": "CN", "PR China": "CN", "P.R. China": "CN", "P. R. China": "CN", "Mainland China": "CN",
    "PRC": "CN", "中華人民共和国": "CN", "中": "CN",
    # United Kingdom
    "UK": "GB", "U.K.": "GB", "Great Britain": "GB", "Britain": "GB", "England": "GB", "Scotland": "GB",
    "Wales": "GB", "Northern Ireland": "GB", "英": "GB", "連合王国": "GB",
    # Koreas
    "Korea": "KR", "Republic of Korea": "KR", "Korea (South)": "KR", "ROK": "KR", "大韓民国": "KR", "韓": "KR",
    "DPRK": "KP", "Korea (North)": "KP", "朝鮮民主主義人民共和国": "KP",
    # Others with several common spellings
    "Republic of China": "TW", "Chinese Taipei": "TW", "台灣": "TW", "中華民国": "TW", "ロシア連邦": "RU", "露": "RU",
    "Turkey": "TR", "Turkiye": "TR", "トルコ共和国": "TR", "テュルキエ": "TR", "ヴェトナム": "VN", "Macau": "MO",
    "Hong Kong SAR": "HK", "Hong Kong, China": "HK", "Ivory Coast": "CI", "Cote d'Ivoire": "CI", "Swaziland": "SZ",
    "Macedonia": "MK", "Burma": "MM", "Holland": "NL", "The Netherlands": "NL", "Deutschland": "DE", "UAE": "AE", "U.A.E.": "AE", "KSA": "SA",
    "Vatican": "VA", "DR Congo": "CD", "DRC": "CD", "East Timor": "TL",
    # Japanese short forms and older names; the first line holds earlier MOFA-style names CLDR spells otherwise
    "中央アフリカ": "CF", "ミクロネシア": "FM", "セントクリストファー・ネービス": "KN", "パレスチナ": "PS", "バチカン": "VA",
    "日": "JP", "日本国": "JP", "Nippon": "JP", "豪州": "AU", "豪": "AU", "濠洲": "AU", "印": "IN", "独": "DE", "独逸": "DE",
    "仏": "FR", "仏国": "FR", "伊": "IT", "加": "CA", "加国": "CA", "蘭": "NL", "西": "ES", "瑞": "SE", "瑞西": "CH",
    "泰": "TH", "越": "VN", "比": "PH", "星": "SG", "新": "SG", "尼": "ID", "南ア": "ZA", "南アフリカ共和国": "ZA",
    "サウジ": "SA", "ＵＡＥ": "AE", "チェコ共和国": "CZ", "スロバキア共和国": "SK", "グルジア": "GE", "ビルマ": "MM",
    "ニュージーランド国": "NZ", "NZ": "NZ", "ドイツ連邦共和国": "DE", "フランス共和国": "FR", "インド共和国": "IN",
    "オーストラリア連邦": "AU", "カナダ国": "CA", "イタリア共和国": "IT", "オランダ王国": "NL", "ブラジル連邦共和国": "BR",
    "シンガポール共和国": "SG", "ベトナム社会主義共和国": "VN", "インドネシア共和国": "ID", "フィリピン共和国": "PH",
    "マレーシア国": "MY", "タイ王国": "TH", "イスラエル国": "IL", "ウクライナ国": "UA", "スイス連邦": "CH",
    "スウェーデン王国": "SE", "ノルウェー王国": "NO", "デンマーク王国": "DK", "フィンランド共和国": "FI",
    "ポーランド共和国": "PL", "スペイン王国": "ES", "メキシコ合衆国": "MX", "チリ共和国": "CL", "アルゼンチン共和国": "AR",
    "エジプト・アラブ共和国": "EG", "サウジアラビア王国": "SA", "カタール国": "QA", "クウェート国": "KW",
}

# Short forms that are also ordinary words or characters: accepted by to_iso
# as a whole string, never matched inside running text.
AMBIGUOUS: Final = frozenset({"米", "中", "英", "韓", "露", "日", "豪", "印", "独", "仏", "伊", "加", "蘭", "西", "瑞",
                              "泰", "越", "比", "星", "新", "尼", "南ア", "America", "Georgia", "Jersey", "Chad",
                              "Guinea", "Niger", "Jordan", "Turkey", "Congo", "Dominica", "Mali", "DRC",
                              # CLDR's Japanese for Jersey is also the word for a sports top.
                              "ジャージー"})

_SPACE = re.compile(r"\s+")
_TRIM = " .,;:()[]\"'\u3000・「」『』"


def normalize(text: str) -> str:
    """Comparison form: NFKC, case-folded, dots and extra space dropped."""
    t = unicodedata.normalize("NFKC", text).casefold().replace(".", "").replace("’", "'")
    t = _SPACE.sub(" ", t).strip(_TRIM)
    return t[4:] if t.startswith("the ") else t


@lru_cache(maxsize=1)
def _index() -> dict[str, str]:
    idx: dict[str, str] = {}
    for code, names in _OTHER_NAMES.items():
        idx.update((normalize(n), code) for n in names)
    # Display names and the aliases win over the libraries' other names where they collide.
    for code, (_, en, ja) in _TABLE.items():
        idx[normalize(en)] = code
        idx[normalize(ja)] = code
    idx.update((normalize(k), v) for k, v in ALIASES.items())
    return idx


def to_iso(text: str | None) -> str | None:
    """The ISO alpha-2 code for a country name, code or common variant; None when unknown."""
    if not text:
        return None
    raw = text.strip().strip(_TRIM)
    if len(raw) == 2 and raw.isascii() and raw.isupper():
        return raw if raw in _TABLE else ("GB" if raw == "UK" else None)
    if len(raw) == 3 and raw.isascii() and raw.isupper() and raw in ALPHA3:
        return ALPHA3[raw]
    return _index().get(normalize(raw))


def name(code: str, lang: str = "en") -> str | None:
    """The country's English or Japanese name (None for an unknown code)."""
    row = _TABLE.get(code.upper())
    if row is None:
        return None
    return row[2] if lang == "ja" else row[1]


def surface_forms(lang: str) -> dict[str, str]:
    """Names to look for in running text of a language (surface form -> code), without the
    one-character and word-like short forms. English forms are case-sensitive."""
    out: dict[str, str] = {}
    for code, (_, en, ja) in _TABLE.items():
        for form in (en, ja, *sorted(_OTHER_NAMES[code])):
            if "," in form or "(" in form or form.startswith("the ") or _is_ja(form) != (lang == "ja"):
                continue
            out.setdefault(form, code)
    for alias, code in ALIASES.items():
        if "," in alias or _is_ja(alias) != (lang == "ja"):
            continue
        out[alias] = code
    for word in AMBIGUOUS:
        out.pop(word, None)
    return out


def _is_ja(s: str) -> bool:
    return any(ord(ch) > 0x2FFF for ch in s)


def country_rows() -> list[dict[str, str | None]]:
    return [{"code": c, "name": en, "name_ja": ja} for c, (_, en, ja) in _TABLE.items()]
