"""Mentions of countries, organizations, critical materials and technologies in
a document's text, as counts and character offsets (never copies of the text).

Gazetteers do the bulk of the work in both languages, because neither pipeline
has a technology or mineral label:
- Japanese: the gazetteer is one longest-first regular expression over the raw
  text (Japanese has no spaces to tokenize on; GiNZA's tokens do not line up
  with compound terms such as レアアースフリー磁石). GiNZA's NER then adds the
  organizations and countries the gazetteer does not know.
- English: ``spacy.blank("en")`` tokens and two PhraseMatchers (lower-case for
  names, exact for acronyms and symbols: US, GaN, Ga).

Technology terms come from the taxonomy (``ingest.taxonomy.load_taxonomy``)
when it is installed, else from a small provisional list here; pass ``terms`` to
use another source.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from ingest import country as gaz
from ingest import material as mat
from ingest.orgkey import name_key
from core.policy import Mention

COUNTRY, ORGANIZATION, MATERIAL, TECHNOLOGY = "Country", "Organization", "Material", "Technology"


@dataclass(frozen=True)
class Target:
    label: str
    key: str
    name: str | None = None
    role: str | None = None      # "target" for 対米-type forms: the country a measure is aimed at


@dataclass(frozen=True)
class Hit:
    label: str
    key: str
    name: str | None
    start: int
    end: int
    method: str = "gazetteer"
    role: str | None = None


@dataclass(frozen=True)
class TechTerms:
    key: str
    name: str
    name_ja: str | None
    terms_en: tuple[str, ...]
    terms_ja: tuple[str, ...]


# Used only when the taxonomy module is absent: a few broad areas, keyed like the taxonomy.
PROVISIONAL_TECH: tuple[TechTerms, ...] = (
    TechTerms("tech:ai", "Artificial intelligence", "人工知能", ("artificial intelligence", "machine learning", "AI"), ("人工知能", "機械学習", "AI", "生成AI")),
    TechTerms("tech:quantum", "Quantum technologies", "量子技術", ("quantum",), ("量子",)),
    TechTerms("tech:semiconductors", "Semiconductors", "半導体", ("semiconductor", "semiconductors", "integrated circuit"), ("半導体", "集積回路")),
    TechTerms("tech:batteries", "Batteries", "蓄電池", ("battery", "batteries"), ("蓄電池", "電池")),
    TechTerms("tech:permanent-magnets", "Permanent magnets", "永久磁石", ("permanent magnet", "permanent magnets"), ("永久磁石", "磁石")),
    TechTerms("tech:optical-comms", "Optical communications", "光通信", ("submarine cable", "optical fiber"), ("光海底ケーブル", "海底ケーブル", "光通信")),
    TechTerms("tech:space", "Space", "宇宙", ("satellite", "space launch"), ("宇宙", "衛星")),
    TechTerms("tech:cybersecurity", "Cybersecurity", "サイバーセキュリティ", ("cybersecurity",), ("サイバーセキュリティ", "サイバー攻撃")),
    TechTerms("tech:drones", "Drones", "ドローン", ("drone", "drones", "unmanned aircraft"), ("ドローン", "無人機")),
)

# Organizations that matter for economic-security texts, canonical English name first.
ORGANIZATIONS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Research Institute of Economy, Trade and Industry", ("RIETI", "経済産業研究所")),
    ("Japan Organization for Metals and Energy Security", ("JOGMEC", "エネルギー・金属鉱物資源機構", "石油天然ガス・金属鉱物資源機構")),
    ("New Energy and Industrial Technology Development Organization", ("NEDO", "新エネルギー・産業技術総合開発機構")),
    ("Japan Science and Technology Agency", ("JST", "科学技術振興機構")),
    ("National Institute of Advanced Industrial Science and Technology", ("AIST", "産業技術総合研究所", "産総研")),
    ("RIKEN", ("理化学研究所", "理研")),
    ("National Institute for Materials Science", ("NIMS", "物質・材料研究機構")),
    ("Japan Aerospace Exploration Agency", ("JAXA", "宇宙航空研究開発機構")),
    ("National Institute of Information and Communications Technology", ("NICT", "情報通信研究機構")),
    ("Information-technology Promotion Agency", ("IPA", "情報処理推進機構")),
    ("Acquisition, Technology & Logistics Agency", ("ATLA", "防衛装備庁")),
    ("Japan External Trade Organization", ("JETRO", "ジェトロ", "日本貿易振興機構")),
    ("Keidanren", ("経団連", "日本経済団体連合会")),
    ("Ministry of Economy, Trade and Industry", ("METI", "経済産業省", "経産省")),
    ("Cabinet Office", ("内閣府",)),
    ("Cabinet Secretariat", ("内閣官房",)),
    ("National Security Secretariat", ("国家安全保障局", "NSS")),
    ("Ministry of Foreign Affairs of Japan", ("外務省",)),
    ("Ministry of Defense of Japan", ("防衛省",)),
    ("Ministry of Education, Culture, Sports, Science and Technology", ("MEXT", "文部科学省", "文科省")),
    ("Ministry of Internal Affairs and Communications", ("総務省",)),
    ("Ministry of Finance of Japan", ("財務省",)),
    ("Liberal Democratic Party", ("LDP", "自由民主党", "自民党")),
    ("MP Materials", ("MP Materials", "MPマテリアルズ")),
    ("Lynas Rare Earths", ("Lynas", "ライナス")),
    ("Ministry of Commerce of the People's Republic of China", ("MOFCOM", "商務部", "中国商務部")),
    ("Bureau of Industry and Security", ("Bureau of Industry and Security", "BIS", "米国商務省産業安全保障局", "産業安全保障局")),
    ("U.S. Department of Commerce", ("Department of Commerce", "Commerce Department", "米国商務省", "商務省")),
    ("Center for Strategic and International Studies", ("CSIS",)),
    ("Australian Strategic Policy Institute", ("ASPI",)),
    ("World Trade Organization", ("WTO", "世界貿易機関")),
    ("Organisation for Economic Co-operation and Development", ("OECD", "経済協力開発機構")),
    ("European Commission", ("European Commission", "欧州委員会")),
    ("International Energy Agency", ("IEA", "国際エネルギー機関")),
)

# Japanese forms whose meaning is relational rather than a plain name.
_JA_RELATIONAL: dict[str, tuple[Target, ...]] = {
    **{f"対{c}": (Target(COUNTRY, code, gaz.name(code), "target"),) for c, code in
       (("米", "US"), ("中", "CN"), ("日", "JP"), ("露", "RU"), ("韓", "KR"), ("英", "GB"), ("豪", "AU"))},
    **{f: (Target(COUNTRY, code, gaz.name(code)),) for f, code in
       (("訪米", "US"), ("訪中", "CN"), ("訪日", "JP"), ("来日", "JP"), ("在日", "JP"), ("在米", "US"), ("駐日", "JP"), ("駐米", "US"))},
}
# Bilateral/multilateral short compounds: 日米, 日米豪印, 米中…; 日中 alone also means "daytime".
_ABBR = {"日": "JP", "米": "US", "中": "CN", "英": "GB", "豪": "AU", "印": "IN", "韓": "KR", "露": "RU", "独": "DE", "仏": "FR", "伊": "IT", "加": "CA", "欧": None}
_COMPOUNDS = ("日米", "日英", "日豪", "日印", "日韓", "日仏", "日独", "日伊", "日加", "日欧", "日露", "米中", "米英", "米韓",
              "米露", "中露", "日米豪印", "日米豪", "日米韓", "日米英", "日米欧", "日中韓", "米英豪", "日米比", "日英伊")
# Never matched: longer strings that contain a country name but do not mean the country.
_BLOCKERS = ("インド太平洋", "インド洋", "中国地方", "南アジア", "南アメリカ", "中東", "日本海", "ギニアビサウ")
_BLOCKED = re.compile("|".join(map(re.escape, _BLOCKERS)))


def _compound_targets(form: str) -> tuple[Target, ...]:
    return tuple(Target(COUNTRY, _ABBR[ch], gaz.name(_ABBR[ch])) for ch in form if _ABBR.get(ch))


def technology_terms(taxonomy: Any | None = None) -> tuple[TechTerms, ...]:
    """Technology terms from ``taxonomy`` (an ingest.taxonomy.Taxonomy), the installed taxonomy, or the provisional list."""
    if taxonomy is None:
        try:
            from ingest.taxonomy import load_taxonomy
        except ImportError:
            return PROVISIONAL_TECH
        taxonomy = load_taxonomy()
    return tuple(TechTerms(t.key, t.name, t.name_ja, tuple(t.terms_en), tuple(t.terms_ja)) for t in taxonomy.technologies)


def _is_ascii_word(ch: str) -> bool:
    return ch.isascii() and ch.isalnum()


def _is_katakana(ch: str) -> bool:
    return "\u30a1" <= ch <= "\u30fa" or ch == "ー"


def _case_sensitive(term: str) -> bool:
    """Acronyms and symbols (AI, GaN, US, Ga, 5G) are matched exactly; everything else ignoring case."""
    return " " not in term and len(term) <= 6 and any(c.isupper() for c in term)


class Gazetteer:
    """Every surface form the extractor knows, for one language, with what it names."""

    def __init__(self, lang: str, terms: Sequence[TechTerms]) -> None:
        self.lang = lang
        forms: dict[str, list[Target]] = {}

        def add(form: str, target: Target) -> None:
            form = form.strip()
            if form and target not in forms.setdefault(form, []):
                forms[form].append(target)

        for form, code in gaz.surface_forms(lang).items():
            if form not in _BLOCKERS:
                add(form, Target(COUNTRY, code, gaz.name(code)))
        for form, key in mat.surface_forms(lang).items():
            add(form, Target(MATERIAL, key, mat.BY_KEY[key].name))
        for canonical, aliases in ORGANIZATIONS:
            t = Target(ORGANIZATION, name_key(canonical), canonical)
            for form in (canonical, *aliases) if lang == "en" else aliases:
                if lang == "en" and not form.isascii():
                    continue
                add(form, t)
        for tech in terms:
            t = Target(TECHNOLOGY, tech.key, tech.name)
            for form in (tech.terms_ja if lang == "ja" else tech.terms_en):
                add(form, t)
        if lang == "ja":
            for form, targets in _JA_RELATIONAL.items():
                for t in targets:
                    add(form, t)
            for form in _COMPOUNDS:
                for t in _compound_targets(form):
                    add(form, t)
            for form in _BLOCKERS:
                forms[form] = []
        self.forms = {f: tuple(ts) for f, ts in forms.items()}

    def org_key(self, text: str) -> Target | None:
        for t in self.forms.get(text, ()):
            if t.label == ORGANIZATION:
                return t
        return None


class JapaneseMatcher:
    """Longest-first alternation over the raw text. ASCII forms need non-alphanumeric neighbours
    (JST, not JSTOR); katakana country names need non-katakana ones (タイ, not タイプ)."""

    def __init__(self, gazetteer: Gazetteer) -> None:
        self.gazetteer = gazetteer
        parts = []
        for form in sorted(gazetteer.forms, key=len, reverse=True):
            p = re.escape(form)
            katakana_country = any(t.label == COUNTRY for t in gazetteer.forms[form]) and all(map(_is_katakana, form))
            if _is_ascii_word(form[0]):
                p = r"(?<![A-Za-z0-9])" + p
            elif katakana_country:
                p = r"(?<![\u30a1-\u30faー])" + p
            if _is_ascii_word(form[-1]):
                p += r"(?![A-Za-z0-9])"
            elif katakana_country:
                p += r"(?![\u30a1-\u30faー])"
            parts.append(p)
        self.pattern = re.compile("|".join(parts)) if parts else None

    def hits(self, text: str) -> list[Hit]:
        out: list[Hit] = []
        if self.pattern is None:
            return out
        for m in self.pattern.finditer(text):
            for t in self.gazetteer.forms[m.group()]:
                out.append(Hit(t.label, t.key, t.name, m.start(), m.end(), role=t.role))
        return out


class EnglishMatcher:
    def __init__(self, gazetteer: Gazetteer) -> None:
        import spacy
        from spacy.matcher import PhraseMatcher

        from spacy.util import compile_suffix_regex

        self.nlp = spacy.blank("en")
        # Split a final period off every token ("GaN." at a sentence end), as the patterns are split alike.
        self.nlp.tokenizer.suffix_search = compile_suffix_regex([*self.nlp.Defaults.suffixes, r"\.$"]).search
        self.gazetteer = gazetteer
        self.lower = PhraseMatcher(self.nlp.vocab, attr="LOWER")
        self.exact = PhraseMatcher(self.nlp.vocab, attr="ORTH")
        self.ids: dict[int, str] = {}
        for form in gazetteer.forms:
            exact = _case_sensitive(form)
            label = ("=" if exact else "~") + form
            key = self.nlp.vocab.strings.add(label)
            self.ids[key] = form
            (self.exact if exact else self.lower).add(label, [self.nlp.make_doc(form)])

    def hits(self, text: str) -> list[Hit]:
        from spacy.tokens import Span
        from spacy.util import filter_spans

        doc = self.nlp.make_doc(text)
        spans = [Span(doc, start, end, label=match_id) for matcher in (self.lower, self.exact)
                 for match_id, start, end in matcher(doc)]
        out: list[Hit] = []
        for span in filter_spans(spans):
            for t in self.gazetteer.forms[self.ids[span.label]]:
                out.append(Hit(t.label, t.key, t.name, span.start_char, span.end_char, role=t.role))
        return out


# ---- GiNZA (Japanese NER), loaded once per process -------------------------------------------

_NLP_LOCK = threading.Lock()
_NLP: Any = None
# Sekine extended named-entity labels that name organizations; others mapped to ORG by GiNZA
# (Company from slide text: サプライチェーン) are mostly noise.
_ORG_LABELS = {"Government", "International_Organization", "Political_Party", "Military", "Company", "Corporation_Other",
               "School", "Research_Institute", "Organization_Other", "Show_Organization", "Political_Organization_Other"}
_ORG_NOISE = re.compile(r"\s|サプライチェーン|フロー|プレジデント|シンクタンク|イメージ|[・/／]|(?:局長|部長|長官|理事長|社長|会長|大臣|首脳|政権|戦略|担当|例|条|国|HP|機関|法|令|者|上|最長)$"
                        r"|^[\d\W]+$|^.$")
# The parser and morphologizer are not needed for entities, and cost more than half the time.
_GINZA_EXCLUDE = ["parser", "morphologizer", "compound_splitter", "bunsetu_recognizer"]
MAX_CHUNK = 3000   # characters per GiNZA call: SudachiPy refuses inputs over ~49 KB


def ginza() -> Any:
    global _NLP
    with _NLP_LOCK:
        if _NLP is None:
            import spacy

            _NLP = spacy.load("ja_ginza", exclude=_GINZA_EXCLUDE)
        return _NLP


def _chunks(text: str) -> Iterable[tuple[int, str]]:
    """Paragraphs (lines), long ones cut after 。 so that no chunk exceeds MAX_CHUNK."""
    pos = 0
    for line in text.splitlines(keepends=True):
        start = pos
        pos += len(line)
        while line.strip():
            piece = line[:MAX_CHUNK]
            if len(line) > MAX_CHUNK:
                cut = piece.rfind("。")
                piece = line[:cut + 1] if cut > 0 else piece
            if piece.strip():
                yield start, piece
            start += len(piece)
            line = line[len(piece):]


def _plausible_org(surface: str, label: str, gazetteer: Gazetteer) -> bool:
    """GiNZA reads slide text generously (サプライチェーン as a Company, acronyms of programmes as
    organizations); keep names that look like one and are not a country or a material."""
    if _ORG_NOISE.search(surface) or gaz.to_iso(surface):
        return False
    if all(ch in _ABBR for ch in surface):
        return False
    if surface.isascii():
        return label == "Company" and surface.isalnum() and surface.isupper() and 3 <= len(surface) <= 6
    return not any(t.label == MATERIAL for form, ts in gazetteer.forms.items() if form in surface for t in ts)


def ginza_hits(text: str, gazetteer: Gazetteer) -> list[Hit]:
    from ginza.ene_ontonotes_mapper import ENE_ONTONOTES_MAPPING

    nlp = ginza()
    chunks = list(_chunks(text))
    out: list[Hit] = []
    for (offset, _), doc in zip(chunks, nlp.pipe(c for _, c in chunks)):
        for ent in doc.ents:
            onto = ENE_ONTONOTES_MAPPING.get(ent.label_)
            start, end, surface = offset + ent.start_char, offset + ent.end_char, ent.text.strip()
            if onto == "GPE" and ent.label_ == "Country":
                code = gaz.to_iso(surface)
                targets = [Target(COUNTRY, code, gaz.name(code))] if code else list(_compound_targets(surface)) if all(ch in _ABBR for ch in surface) else []
                out += [Hit(t.label, t.key, t.name, start, end, "ginza") for t in targets]
            elif ent.label_ in _ORG_LABELS:
                t = gazetteer.org_key(surface)
                if t is None and not _plausible_org(surface, ent.label_, gazetteer):
                    continue
                out.append(Hit(ORGANIZATION, t.key if t else name_key(surface), t.name if t else surface, start, end, "ginza"))
    return out


# ---- the extractor ---------------------------------------------------------------------------

class Extractor:
    """Mentions in one language's documents. Build once and reuse: compiling the gazetteer and
    loading GiNZA are the expensive parts."""

    def __init__(self, lang: str, terms: Sequence[TechTerms] | None = None, ner: bool = True) -> None:
        self.lang = lang
        self.gazetteer = Gazetteer(lang, technology_terms() if terms is None else terms)
        self.matcher: JapaneseMatcher | EnglishMatcher = (JapaneseMatcher(self.gazetteer) if lang == "ja"
                                                          else EnglishMatcher(self.gazetteer))
        self.ner = ner and lang == "ja"

    def hits(self, text: str, ner: bool | None = None) -> list[Hit]:
        found = self.matcher.hits(text)
        if self.ner if ner is None else ner:
            blocked = [m.span() for m in _BLOCKED.finditer(text)]
            found += [h for h in ginza_hits(text, self.gazetteer)
                      if not any(s <= h.start < e for s, e in blocked)]
        return found

    def mentions(self, text: str, ner: bool | None = None) -> tuple[Mention, ...]:
        return aggregate(self.hits(text, ner))


def aggregate(hits: Iterable[Hit]) -> tuple[Mention, ...]:
    """One Mention per (label, key): count, start offsets and lengths, and which methods found it."""
    spans: dict[tuple[str, str], dict[int, int]] = {}
    names: dict[tuple[str, str], str | None] = {}
    methods: dict[tuple[str, str], set[str]] = {}
    for h in hits:
        k = (h.label, h.key)
        found = spans.setdefault(k, {})
        # The same place found by the gazetteer and by GiNZA counts once.
        if not any(s <= h.start < s + n or h.start <= s < h.end for s, n in found.items()):
            found[h.start] = h.end - h.start
        names.setdefault(k, h.name)
        methods.setdefault(k, set()).add(h.method)
    out = []
    for (label, key), found in sorted(spans.items()):
        starts = sorted(found)
        out.append(Mention(label=label, key=key, name=names[(label, key)], count=len(starts), offsets=tuple(starts),
                           lengths=tuple(found[s] for s in starts), method="+".join(sorted(methods[(label, key)]))))
    return tuple(out)


@lru_cache(maxsize=4)
def extractor(lang: str, ner: bool = True) -> Extractor:
    """The process-wide extractor for a language, with the installed taxonomy's terms."""
    return Extractor(lang, ner=ner)
