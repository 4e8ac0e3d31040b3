"""Names of organizations: keys for those known only by name (patent assignees,
WoS/Scopus affiliations), and the comparison form used to resolve them.

``name_key`` stays deliberately light (case, width, punctuation), so a key is
stable whatever the resolver later decides. ``match_form`` is the resolver's
view of a name: legal forms dropped (Inc., Corp., Ltd., K.K., 株式会社, GmbH,
S.A., 有限公司…), accents folded, WoS abbreviations and their spelled-out and
foreign forms brought to one stem (Univ/University/Universität → univ, Technol/
Technology/Technical → tech…), filler words dropped, and well-known Japanese and
acronym names mapped to their English form.
"""

from __future__ import annotations

import re
import unicodedata

from ingest.country import to_iso

_PUNCT = re.compile(r"[^\w\s]")
_SPACE = re.compile(r"\s+")


def normalize(name: str) -> str:
    text = unicodedata.normalize("NFKC", name).casefold()
    text = _PUNCT.sub(" ", text)
    return _SPACE.sub(" ", text).strip()


# Longer "names" are whole address lists pasted into one field; Neo4j cannot index keys much
# longer than 8 kB either. They are kept as raw affiliation text, not made organizations.
MAX_NAME = 300


def name_key(name: str) -> str:
    return "name:" + normalize(name)


def usable(name: str | None) -> bool:
    """Whether a name can key an organization: non-empty after normalizing, not absurdly long."""
    return bool(name) and len(name) <= MAX_NAME and bool(normalize(name))


# Legal forms, removed wherever they stand as words (multi-word ones first).
_LEGAL_PHRASES = ("kabushiki kaisha", "kabushikigaisha", "yugen kaisha", "godo kaisha", "co ltd", "pty ltd", "pte ltd",
                  "s a r l", "s p a", "s r l", "b v", "n v", "k k", "s a", "l l c", "l p", "a g")
_LEGAL_WORDS = frozenset({
    "inc", "incorporated", "aktiengesellschaft", "gesellschaft", "kabushiki", "kaisha", "corp", "corporation", "ltd", "limited", "co", "company", "kk", "gmbh", "mbh", "ag", "sa",
    "spa", "srl", "sarl", "bv", "nv", "plc", "llc", "llp", "lp", "oy", "oyj", "ab", "asa", "pte", "pty", "sas", "kg",
    "kgaa", "se", "cie", "gk", "ulc", "lda", "bhd", "sdn", "tbk", "zrt", "doo", "jsc", "pjsc", "ooo", "oao", "zao",
})
_LEGAL_JA = ("株式会社", "有限会社", "合同会社", "（株）", "(株)", "㈱", "股份有限公司", "有限责任公司", "有限責任公司",
             "有限公司", "公司", "財団法人", "社団法人", "国立研究開発法人", "独立行政法人", "国立大学法人", "学校法人")

# One stem for an abbreviation, its spelled-out form and its common foreign forms.
_STEMS = {
    "univ": "univ", "university": "univ", "universities": "univ", "universite": "univ", "universitat": "univ",
    "universitaet": "univ", "universidad": "univ", "universita": "univ", "universiteit": "univ", "universidade": "univ",
    "uniwersytet": "univ", "universitet": "univ", "universitatea": "univ", "unive": "univ", "uni": "univ",
    "inst": "inst", "institute": "inst", "institut": "inst", "instituto": "inst", "istituto": "inst", "institutes": "inst",
    "technol": "tech", "technology": "tech", "technologies": "tech", "technological": "tech", "technical": "tech",
    "technische": "tech", "technischen": "tech", "tecnologico": "tech", "tecnologica": "tech", "tech": "tech",
    "technik": "tech", "technion": "technion",
    "natl": "natl", "national": "natl", "nacional": "natl", "nationale": "natl", "nazionale": "natl",
    "sci": "sci", "science": "sci", "sciences": "sci", "scientific": "sci", "scientifique": "sci",
    "acad": "acad", "academy": "acad", "academia": "acad", "akademie": "acad", "academie": "acad",
    "ctr": "ctr", "center": "ctr", "centre": "ctr", "centro": "ctr", "zentrum": "ctr", "cent": "ctr",
    "lab": "lab", "labs": "lab", "laboratory": "lab", "laboratories": "lab", "lab.": "lab", "laboratoire": "lab",
    "laboratorio": "lab", "res": "res", "research": "res", "recherche": "res", "forschung": "res",
    "engn": "engn", "engineering": "engn", "eng": "engn", "coll": "coll", "college": "coll",
    "hosp": "hosp", "hospital": "hosp", "med": "med", "medical": "med", "medicine": "med",
    "polytech": "poly", "polytechnic": "poly", "politecnico": "poly", "polytechnique": "poly", "polytechnical": "poly",
    "calif": "california", "federale": "federal", "federal": "federal", "grupo": "group", "mass": "massachusetts", "penn": "pennsylvania", "fed": "federal", "adv": "advanced",
    "int": "international", "intl": "international", "amer": "american", "chinese": "chinese", "sch": "school",
    "dept": "department", "minist": "ministry", "govt": "government", "informat": "information", "comp": "computer",
    "elect": "electrical", "elect.": "electrical", "elect&": "electrical", "commun": "communication", "syst": "systems",
    "sys": "systems", "mat": "materials", "phys": "physics", "chem": "chemistry", "appl": "applied", "math": "mathematics",
    "def": "defense", "defence": "defense", "aeronaut": "aeronautics", "astronaut": "astronautics", "aerosp": "aerospace",
    "electr": "electric", "elect co": "electric", "st": "st", "saint": "st", "mfg": "manufacturing",
    "seisakusho": "works", "jidosha": "motor", "denki": "electric", "kogyo": "industries", "industrial": "industries",
    "industry": "industries", "ind": "industries", "indust": "industries", "grp": "group", "hldg": "holdings",
    "holding": "holdings", "hldgs": "holdings", "tokyo": "tokyo", "munchen": "munich", "muenchen": "munich",
    "zurich": "zurich", "koln": "cologne", "wien": "vienna", "praha": "prague", "milano": "milan", "roma": "rome",
    "torino": "turin", "napoli": "naples", "firenze": "florence", "lisboa": "lisbon", "warszawa": "warsaw",
}
_FILLER = frozenset({"of", "the", "and", "de", "del", "della", "di", "der", "des", "du", "la", "le", "les", "fur", "fuer",
                     "at", "in", "for", "y", "e", "et", "und", "an", "a", "&"})

# Names that no rule can bring together: Japanese names and unambiguous acronyms → English match form.
ALIASES = {
    "東京大学": "univ tokyo", "京都大学": "univ kyoto", "大阪大学": "univ osaka", "東北大学": "univ tohoku",
    "名古屋大学": "univ nagoya", "九州大学": "univ kyushu", "北海道大学": "univ hokkaido", "東京工業大学": "inst tech tokyo",
    "東京科学大学": "inst sci tokyo", "慶應義塾大学": "keio univ", "早稲田大学": "univ waseda", "筑波大学": "univ tsukuba",
    "理化学研究所": "riken", "産業技術総合研究所": "advanced industries inst natl sci tech",
    "物質・材料研究機構": "inst materials natl sci", "物質材料研究機構": "inst materials natl sci",
    "宇宙航空研究開発機構": "agency aerospace exploration japan", "日本原子力研究開発機構": "agency atomic energy japan",
    "情報通信研究機構": "communication information inst natl tech",
    "トヨタ自動車": "motor toyota", "本田技研工業": "honda motor", "日産自動車": "motor nissan", "ソニー": "sony",
    "ソニーグループ": "group sony", "パナソニック": "panasonic", "日立製作所": "hitachi", "東芝": "toshiba",
    "富士通": "fujitsu", "日本電気": "nec", "三菱電機": "electric mitsubishi", "キヤノン": "canon", "キャノン": "canon",
    "シャープ": "sharp", "京セラ": "kyocera", "村田製作所": "manufacturing murata", "デンソー": "denso",
    "東京エレクトロン": "electron tokyo", "信越化学工業": "chemical etsu shin", "住友電気工業": "electric industries sumitomo",
    "日本電信電話": "nippon telegraph telephone", "セイコーエプソン": "epson seiko", "富士フイルム": "fujifilm",
    "三菱重工業": "heavy industries mitsubishi", "ルネサスエレクトロニクス": "electronics renesas", "キオクシア": "kioxia",
    "ニコン": "nikon", "オリンパス": "olympus", "リコー": "ricoh", "ヤマハ": "yamaha", "浜松ホトニクス": "hamamatsu photonics",
    "nippon telegraph and telephone": "nippon telegraph telephone", "ntt": "nippon telegraph telephone",
    "hitachi works": "hitachi", "toyota motor": "motor toyota", "toyota": "motor toyota",
    "mit": "inst massachusetts tech", "cmu": "carnegie mellon univ", "kaist": "advanced inst korea sci tech",
    "epfl": "ecole federal lausanne poly", "swiss federal institute of technology lausanne": "ecole federal lausanne poly",
    "ucl": "coll london univ", "nyu": "new univ york", "lmu": "ludwig maximilians munich univ",
    "lmu munich": "ludwig maximilians munich univ", "univ munich": "ludwig maximilians munich univ",
    "sony group": "sony", "matsushita electric industrial": "panasonic", "matsushita electric": "panasonic",
    "dfki": "artificial ctr german intelligence res", "german center for artificial intelligence": "artificial ctr german intelligence res",
    "deutsches forschungszentrum fur kunstliche intelligenz": "artificial ctr german intelligence res",
    "eth": "eth zurich", "eth zurich": "eth zurich", "swiss federal institute of technology": "eth zurich",
    "swiss fed inst technol": "eth zurich", "eth zentrum": "eth zurich", "ethz": "eth zurich", "ethz eth zurich": "eth zurich",
    "eidgenossische technische hochschule zurich": "eth zurich",
    "ucla": "angeles california los univ", "uc berkeley": "berkeley california univ", "ucsd": "california diego san univ",
    "uc san diego": "california diego san univ", "nus": "natl singapore univ", "ntu singapore": "nanyang tech univ",
    "hkust": "hong kong sci tech univ", "cuhk": "chinese hong kong univ", "ustc": "china sci tech univ",
    "cas": "acad chinese sci", "ucas": "acad chinese sci univ", "caltech": "california inst tech",
    "georgia tech": "georgia inst tech", "inria": "inria", "cnrs": "cnrs", "csic": "csic", "aist": "advanced industries inst natl sci tech",
    "nims": "inst materials natl sci", "jaxa": "agency aerospace exploration japan", "nict": "communication information inst natl tech",
    "google deepmind": "deepmind", "deepmind technologies": "deepmind", "deep mind": "deepmind",
    "ibm research": "ibm", "international business machines": "ibm", "ibm t j watson res ctr": "ibm", "ibm quantum": "ibm",
    "meta ai": "meta", "facebook": "meta", "facebook ai research": "meta", "fair": "meta", "meta platforms": "meta",
    "microsoft research": "microsoft", "msr": "microsoft", "microsoft research asia": "microsoft asia",
    "google research": "google", "google brain": "google", "google inc": "google", "alphabet": "google",
    "samsung electronics": "electronics samsung", "samsung": "electronics samsung",
    "tsmc": "manufacturing semiconductor taiwan", "taiwan semiconductor manufacturing": "manufacturing semiconductor taiwan",
}

_HOLDER = re.compile(r"^\s*(the\s+)?(board\s+of\s+)?(regents|trustees|president\s+and\s+fellows)\s+of\s+(the\s+)?", re.I)
_COMPANY_FILLER = frozenset({"technologies", "technology", "tech", "group", "grp", "holdings", "holding", "hldgs"})
_JA_CHARS = re.compile(r"[\u3040-\u30ff\u3400-\u9fff]")


def _fold(text: str) -> str:
    """NFKC, lower case, accents dropped (München → munchen)."""
    t = unicodedata.normalize("NFKC", text).casefold().replace("ß", "ss")
    return "".join(ch for ch in unicodedata.normalize("NFKD", t) if not unicodedata.combining(ch))


def strip_legal(name: str) -> str:
    """The name without its legal form (Inc., Ltd., 株式会社…), in the light normal form."""
    t = unicodedata.normalize("NFKC", name)
    for form in _LEGAL_JA:
        t = t.replace(unicodedata.normalize("NFKC", form), " ")
    t = normalize(t)
    t = " " + t + " "
    for phrase in _LEGAL_PHRASES:
        t = t.replace(f" {phrase} ", " ")
    words = [w for w in t.split() if w not in _LEGAL_WORDS]
    return " ".join(words) or normalize(name)


def match_form(name: str) -> str:
    """The resolver's comparison form: order-free stems of the meaningful words."""
    if not name:
        return ""
    t = unicodedata.normalize("NFKC", name).strip()
    if _JA_CHARS.search(t):
        bare = strip_legal(t).replace(" ", "")
        return _alias(bare) or bare
    t = _fold(t).replace("&", " and ").replace("'", "")
    t = re.sub(r"\([^)]*\)", " ", t) if re.sub(r"\([^)]*\)", " ", t).strip() else t   # "(CNR)", "(ICAR-CNR)"
    parts = [p.strip() for p in t.split(",")]
    if len(parts) > 1 and _is_country(parts[-1]):   # "University of Warwick, UK"
        t = ", ".join(parts[:-1])
    t = _HOLDER.sub("", t)   # "The Regents of the University of Michigan" holds the university's patents
    bare = strip_legal(t)
    if bare != normalize(t):
        # a company: "Huawei Technologies Co., Ltd." and "Sony Group Corp." are Huawei and Sony
        core = [w for w in bare.split() if w not in _COMPANY_FILLER]
        bare = " ".join(core) if core else bare
    form = _plain_form(bare)
    return _alias(bare) or _alias(form) or form


# Two-letter codes that end US addresses as states ("Tempe, AZ"), not countries.
US_STATES = frozenset("al ak az ar ca co ct de fl ga hi id il in ia ks ky la me md ma mi mn ms mo mt ne nv nh nj nm ny "
                       "nc nd oh ok or pa ri sc sd tn tx ut vt va wa wv wi wy dc".split())


def _is_country(part: str) -> bool:
    p = part.strip()
    if len(p) <= 3 and p.casefold() in US_STATES:
        return False
    return to_iso(p.upper() if len(p) == 2 else p) is not None


def _plain_form(bare: str) -> str:
    return " ".join(sorted(_STEMS.get(w, w) for w in bare.split() if w not in _FILLER))


_ALIAS_FORMS: dict[str, str] = {}


def _alias(text: str) -> str | None:
    """An alias by its exact (legal-stripped) spelling or by its match form."""
    if not _ALIAS_FORMS:
        for k, v in ALIASES.items():
            if not _JA_CHARS.search(k):
                _ALIAS_FORMS.setdefault(_plain_form(strip_legal(_fold(k))), " ".join(sorted(v.split())))
    hit = ALIASES.get(text)
    return " ".join(sorted(hit.split())) if hit else _ALIAS_FORMS.get(text)
