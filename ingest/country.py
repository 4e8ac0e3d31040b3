"""Bilingual ISO 3166-1 gazetteer: every country code with its English and
Japanese name, and ``to_iso`` for the many ways sources spell a country
(米国, 中華人民共和国, 豪州, USA, U.S., Peoples R China, Republic of Korea…).

English names are ISO 3166-1 short names (common forms where ISO's is
inverted, e.g. "South Korea" for "Korea, Republic of"); Japanese names follow
the Ministry of Foreign Affairs' usual short forms. No run-time dependency.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import Final

# code: (alpha-3, English, Japanese or None)
_TABLE: Final[dict[str, tuple[str, str, str | None]]] = {
    "AD": ("AND", 'Andorra', 'アンドラ'),
    "AE": ("ARE", 'United Arab Emirates', 'アラブ首長国連邦'),
    "AF": ("AFG", 'Afghanistan', 'アフガニスタン'),
    "AG": ("ATG", 'Antigua and Barbuda', 'アンティグア・バーブーダ'),
    "AI": ("AIA", 'Anguilla', None),
    "AL": ("ALB", 'Albania', 'アルバニア'),
    "AM": ("ARM", 'Armenia', 'アルメニア'),
    "AO": ("AGO", 'Angola', 'アンゴラ'),
    "AQ": ("ATA", 'Antarctica', '南極'),
    "AR": ("ARG", 'Argentina', 'アルゼンチン'),
    "AS": ("ASM", 'American Samoa', None),
    "AT": ("AUT", 'Austria', 'オーストリア'),
    "AU": ("AUS", 'Australia', 'オーストラリア'),
    "AW": ("ABW", 'Aruba', None),
    "AX": ("ALA", 'Åland Islands', None),
    "AZ": ("AZE", 'Azerbaijan', 'アゼルバイジャン'),
    "BA": ("BIH", 'Bosnia and Herzegovina', 'ボスニア・ヘルツェゴビナ'),
    "BB": ("BRB", 'Barbados', 'バルバドス'),
    "BD": ("BGD", 'Bangladesh', 'バングラデシュ'),
    "BE": ("BEL", 'Belgium', 'ベルギー'),
    "BF": ("BFA", 'Burkina Faso', 'ブルキナファソ'),
    "BG": ("BGR", 'Bulgaria', 'ブルガリア'),
    "BH": ("BHR", 'Bahrain', 'バーレーン'),
    "BI": ("BDI", 'Burundi', 'ブルンジ'),
    "BJ": ("BEN", 'Benin', 'ベナン'),
    "BL": ("BLM", 'Saint Barthélemy', None),
    "BM": ("BMU", 'Bermuda', None),
    "BN": ("BRN", 'Brunei', 'ブルネイ'),
    "BO": ("BOL", 'Bolivia', 'ボリビア'),
    "BQ": ("BES", 'Bonaire, Sint Eustatius and Saba', None),
    "BR": ("BRA", 'Brazil', 'ブラジル'),
    "BS": ("BHS", 'Bahamas', 'バハマ'),
    "BT": ("BTN", 'Bhutan', 'ブータン'),
    "BV": ("BVT", 'Bouvet Island', None),
    "BW": ("BWA", 'Botswana', 'ボツワナ'),
    "BY": ("BLR", 'Belarus', 'ベラルーシ'),
    "BZ": ("BLZ", 'Belize', 'ベリーズ'),
    "CA": ("CAN", 'Canada', 'カナダ'),
    "CC": ("CCK", 'Cocos (Keeling) Islands', None),
    "CD": ("COD", 'Democratic Republic of the Congo', 'コンゴ民主共和国'),
    "CF": ("CAF", 'Central African Republic', '中央アフリカ'),
    "CG": ("COG", 'Congo', 'コンゴ共和国'),
    "CH": ("CHE", 'Switzerland', 'スイス'),
    "CI": ("CIV", "Côte d'Ivoire", 'コートジボワール'),
    "CK": ("COK", 'Cook Islands', None),
    "CL": ("CHL", 'Chile', 'チリ'),
    "CM": ("CMR", 'Cameroon', 'カメルーン'),
    "CN": ("CHN", 'China', '中国'),
    "CO": ("COL", 'Colombia', 'コロンビア'),
    "CR": ("CRI", 'Costa Rica', 'コスタリカ'),
    "CU": ("CUB", 'Cuba', 'キューバ'),
    "CV": ("CPV", 'Cabo Verde', 'カーボベルデ'),
    "CW": ("CUW", 'Curaçao', None),
    "CX": ("CXR", 'Christmas Island', None),
    "CY": ("CYP", 'Cyprus', 'キプロス'),
    "CZ": ("CZE", 'Czechia', 'チェコ'),
    "DE": ("DEU", 'Germany', 'ドイツ'),
    "DJ": ("DJI", 'Djibouti', 'ジブチ'),
    "DK": ("DNK", 'Denmark', 'デンマーク'),
    "DM": ("DMA", 'Dominica', 'ドミニカ国'),
    "DO": ("DOM", 'Dominican Republic', 'ドミニカ共和国'),
    "DZ": ("DZA", 'Algeria', 'アルジェリア'),
    "EC": ("ECU", 'Ecuador', 'エクアドル'),
    "EE": ("EST", 'Estonia', 'エストニア'),
    "EG": ("EGY", 'Egypt', 'エジプト'),
    "EH": ("ESH", 'Western Sahara', '西サハラ'),
    "ER": ("ERI", 'Eritrea', 'エリトリア'),
    "ES": ("ESP", 'Spain', 'スペイン'),
    "ET": ("ETH", 'Ethiopia', 'エチオピア'),
    "FI": ("FIN", 'Finland', 'フィンランド'),
    "FJ": ("FJI", 'Fiji', 'フィジー'),
    "FK": ("FLK", 'Falkland Islands', None),
    "FM": ("FSM", 'Micronesia', 'ミクロネシア'),
    "FO": ("FRO", 'Faroe Islands', None),
    "FR": ("FRA", 'France', 'フランス'),
    "GA": ("GAB", 'Gabon', 'ガボン'),
    "GB": ("GBR", 'United Kingdom', '英国'),
    "GD": ("GRD", 'Grenada', 'グレナダ'),
    "GE": ("GEO", 'Georgia', 'ジョージア'),
    "GF": ("GUF", 'French Guiana', None),
    "GG": ("GGY", 'Guernsey', None),
    "GH": ("GHA", 'Ghana', 'ガーナ'),
    "GI": ("GIB", 'Gibraltar', None),
    "GL": ("GRL", 'Greenland', 'グリーンランド'),
    "GM": ("GMB", 'Gambia', 'ガンビア'),
    "GN": ("GIN", 'Guinea', 'ギニア'),
    "GP": ("GLP", 'Guadeloupe', None),
    "GQ": ("GNQ", 'Equatorial Guinea', '赤道ギニア'),
    "GR": ("GRC", 'Greece', 'ギリシャ'),
    "GS": ("SGS", 'South Georgia and the South Sandwich Islands', None),
    "GT": ("GTM", 'Guatemala', 'グアテマラ'),
    "GU": ("GUM", 'Guam', 'グアム'),
    "GW": ("GNB", 'Guinea-Bissau', 'ギニアビサウ'),
    "GY": ("GUY", 'Guyana', 'ガイアナ'),
    "HK": ("HKG", 'Hong Kong', '香港'),
    "HM": ("HMD", 'Heard Island and McDonald Islands', None),
    "HN": ("HND", 'Honduras', 'ホンジュラス'),
    "HR": ("HRV", 'Croatia', 'クロアチア'),
    "HT": ("HTI", 'Haiti', 'ハイチ'),
    "HU": ("HUN", 'Hungary', 'ハンガリー'),
    "ID": ("IDN", 'Indonesia', 'インドネシア'),
    "IE": ("IRL", 'Ireland', 'アイルランド'),
    "IL": ("ISR", 'Israel', 'イスラエル'),
    "IM": ("IMN", 'Isle of Man', None),
    "IN": ("IND", 'India', 'インド'),
    "IO": ("IOT", 'British Indian Ocean Territory', None),
    "IQ": ("IRQ", 'Iraq', 'イラク'),
    "IR": ("IRN", 'Iran', 'イラン'),
    "IS": ("ISL", 'Iceland', 'アイスランド'),
    "IT": ("ITA", 'Italy', 'イタリア'),
    "JE": ("JEY", 'Jersey', None),
    "JM": ("JAM", 'Jamaica', 'ジャマイカ'),
    "JO": ("JOR", 'Jordan', 'ヨルダン'),
    "JP": ("JPN", 'Japan', '日本'),
    "KE": ("KEN", 'Kenya', 'ケニア'),
    "KG": ("KGZ", 'Kyrgyzstan', 'キルギス'),
    "KH": ("KHM", 'Cambodia', 'カンボジア'),
    "KI": ("KIR", 'Kiribati', 'キリバス'),
    "KM": ("COM", 'Comoros', 'コモロ'),
    "KN": ("KNA", 'Saint Kitts and Nevis', 'セントクリストファー・ネービス'),
    "KP": ("PRK", 'North Korea', '北朝鮮'),
    "KR": ("KOR", 'South Korea', '韓国'),
    "KW": ("KWT", 'Kuwait', 'クウェート'),
    "KY": ("CYM", 'Cayman Islands', None),
    "KZ": ("KAZ", 'Kazakhstan', 'カザフスタン'),
    "LA": ("LAO", 'Laos', 'ラオス'),
    "LB": ("LBN", 'Lebanon', 'レバノン'),
    "LC": ("LCA", 'Saint Lucia', 'セントルシア'),
    "LI": ("LIE", 'Liechtenstein', 'リヒテンシュタイン'),
    "LK": ("LKA", 'Sri Lanka', 'スリランカ'),
    "LR": ("LBR", 'Liberia', 'リベリア'),
    "LS": ("LSO", 'Lesotho', 'レソト'),
    "LT": ("LTU", 'Lithuania', 'リトアニア'),
    "LU": ("LUX", 'Luxembourg', 'ルクセンブルク'),
    "LV": ("LVA", 'Latvia', 'ラトビア'),
    "LY": ("LBY", 'Libya', 'リビア'),
    "MA": ("MAR", 'Morocco', 'モロッコ'),
    "MC": ("MCO", 'Monaco', 'モナコ'),
    "MD": ("MDA", 'Moldova', 'モルドバ'),
    "ME": ("MNE", 'Montenegro', 'モンテネグロ'),
    "MF": ("MAF", 'Saint Martin (French part)', None),
    "MG": ("MDG", 'Madagascar', 'マダガスカル'),
    "MH": ("MHL", 'Marshall Islands', 'マーシャル諸島'),
    "MK": ("MKD", 'North Macedonia', '北マケドニア'),
    "ML": ("MLI", 'Mali', 'マリ'),
    "MM": ("MMR", 'Myanmar', 'ミャンマー'),
    "MN": ("MNG", 'Mongolia', 'モンゴル'),
    "MO": ("MAC", 'Macao', 'マカオ'),
    "MP": ("MNP", 'Northern Mariana Islands', None),
    "MQ": ("MTQ", 'Martinique', None),
    "MR": ("MRT", 'Mauritania', 'モーリタニア'),
    "MS": ("MSR", 'Montserrat', None),
    "MT": ("MLT", 'Malta', 'マルタ'),
    "MU": ("MUS", 'Mauritius', 'モーリシャス'),
    "MV": ("MDV", 'Maldives', 'モルディブ'),
    "MW": ("MWI", 'Malawi', 'マラウイ'),
    "MX": ("MEX", 'Mexico', 'メキシコ'),
    "MY": ("MYS", 'Malaysia', 'マレーシア'),
    "MZ": ("MOZ", 'Mozambique', 'モザンビーク'),
    "NA": ("NAM", 'Namibia', 'ナミビア'),
    "NC": ("NCL", 'New Caledonia', 'ニューカレドニア'),
    "NE": ("NER", 'Niger', 'ニジェール'),
    "NF": ("NFK", 'Norfolk Island', None),
    "NG": ("NGA", 'Nigeria', 'ナイジェリア'),
    "NI": ("NIC", 'Nicaragua', 'ニカラグア'),
    "NL": ("NLD", 'Netherlands', 'オランダ'),
    "NO": ("NOR", 'Norway', 'ノルウェー'),
    "NP": ("NPL", 'Nepal', 'ネパール'),
    "NR": ("NRU", 'Nauru', 'ナウル'),
    "NU": ("NIU", 'Niue', None),
    "NZ": ("NZL", 'New Zealand', 'ニュージーランド'),
    "OM": ("OMN", 'Oman', 'オマーン'),
    "PA": ("PAN", 'Panama', 'パナマ'),
    "PE": ("PER", 'Peru', 'ペルー'),
    "PF": ("PYF", 'French Polynesia', None),
    "PG": ("PNG", 'Papua New Guinea', 'パプアニューギニア'),
    "PH": ("PHL", 'Philippines', 'フィリピン'),
    "PK": ("PAK", 'Pakistan', 'パキスタン'),
    "PL": ("POL", 'Poland', 'ポーランド'),
    "PM": ("SPM", 'Saint Pierre and Miquelon', None),
    "PN": ("PCN", 'Pitcairn', None),
    "PR": ("PRI", 'Puerto Rico', 'プエルトリコ'),
    "PS": ("PSE", 'Palestine', 'パレスチナ'),
    "PT": ("PRT", 'Portugal', 'ポルトガル'),
    "PW": ("PLW", 'Palau', 'パラオ'),
    "PY": ("PRY", 'Paraguay', 'パラグアイ'),
    "QA": ("QAT", 'Qatar', 'カタール'),
    "RE": ("REU", 'Réunion', None),
    "RO": ("ROU", 'Romania', 'ルーマニア'),
    "RS": ("SRB", 'Serbia', 'セルビア'),
    "RU": ("RUS", 'Russia', 'ロシア'),
    "RW": ("RWA", 'Rwanda', 'ルワンダ'),
    "SA": ("SAU", 'Saudi Arabia', 'サウジアラビア'),
    "SB": ("SLB", 'Solomon Islands', 'ソロモン諸島'),
    "SC": ("SYC", 'Seychelles', 'セーシェル'),
    "SD": ("SDN", 'Sudan', 'スーダン'),
    "SE": ("SWE", 'Sweden', 'スウェーデン'),
    "SG": ("SGP", 'Singapore', 'シンガポール'),
    "SH": ("SHN", 'Saint Helena, Ascension and Tristan da Cunha', None),
    "SI": ("SVN", 'Slovenia', 'スロベニア'),
    "SJ": ("SJM", 'Svalbard and Jan Mayen', None),
    "SK": ("SVK", 'Slovakia', 'スロバキア'),
    "SL": ("SLE", 'Sierra Leone', 'シエラレオネ'),
    "SM": ("SMR", 'San Marino', 'サンマリノ'),
    "SN": ("SEN", 'Senegal', 'セネガル'),
    "SO": ("SOM", 'Somalia', 'ソマリア'),
    "SR": ("SUR", 'Suriname', 'スリナム'),
    "SS": ("SSD", 'South Sudan', '南スーダン'),
    "ST": ("STP", 'Sao Tome and Principe', 'サントメ・プリンシペ'),
    "SV": ("SLV", 'El Salvador', 'エルサルバドル'),
    "SX": ("SXM", 'Sint Maarten (Dutch part)', None),
    "SY": ("SYR", 'Syria', 'シリア'),
    "SZ": ("SWZ", 'Eswatini', 'エスワティニ'),
    "TC": ("TCA", 'Turks and Caicos Islands', None),
    "TD": ("TCD", 'Chad', 'チャド'),
    "TF": ("ATF", 'French Southern Territories', None),
    "TG": ("TGO", 'Togo', 'トーゴ'),
    "TH": ("THA", 'Thailand', 'タイ'),
    "TJ": ("TJK", 'Tajikistan', 'タジキスタン'),
    "TK": ("TKL", 'Tokelau', None),
    "TL": ("TLS", 'Timor-Leste', '東ティモール'),
    "TM": ("TKM", 'Turkmenistan', 'トルクメニスタン'),
    "TN": ("TUN", 'Tunisia', 'チュニジア'),
    "TO": ("TON", 'Tonga', 'トンガ'),
    "TR": ("TUR", 'Türkiye', 'トルコ'),
    "TT": ("TTO", 'Trinidad and Tobago', 'トリニダード・トバゴ'),
    "TV": ("TUV", 'Tuvalu', 'ツバル'),
    "TW": ("TWN", 'Taiwan', '台湾'),
    "TZ": ("TZA", 'Tanzania', 'タンザニア'),
    "UA": ("UKR", 'Ukraine', 'ウクライナ'),
    "UG": ("UGA", 'Uganda', 'ウガンダ'),
    "UM": ("UMI", 'United States Minor Outlying Islands', None),
    "US": ("USA", 'United States', '米国'),
    "UY": ("URY", 'Uruguay', 'ウルグアイ'),
    "UZ": ("UZB", 'Uzbekistan', 'ウズベキスタン'),
    "VA": ("VAT", 'Holy See', 'バチカン'),
    "VC": ("VCT", 'Saint Vincent and the Grenadines', 'セントビンセント及びグレナディーン諸島'),
    "VE": ("VEN", 'Venezuela', 'ベネズエラ'),
    "VG": ("VGB", 'British Virgin Islands', None),
    "VI": ("VIR", 'U.S. Virgin Islands', None),
    "VN": ("VNM", 'Vietnam', 'ベトナム'),
    "VU": ("VUT", 'Vanuatu', 'バヌアツ'),
    "WF": ("WLF", 'Wallis and Futuna', None),
    "WS": ("WSM", 'Samoa', 'サモア'),
    "YE": ("YEM", 'Yemen', 'イエメン'),
    "YT": ("MYT", 'Mayotte', None),
    "ZA": ("ZAF", 'South Africa', '南アフリカ'),
    "ZM": ("ZMB", 'Zambia', 'ザンビア'),
    "ZW": ("ZWE", 'Zimbabwe', 'ジンバブエ'),
}

COUNTRIES: Final[dict[str, tuple[str, str | None]]] = {c: (en, ja) for c, (_, en, ja) in _TABLE.items()}
ALPHA3: Final[dict[str, str]] = {a3: c for c, (a3, _, _) in _TABLE.items()}

# Variants seen in bibliographic data, patents and policy texts, beyond the names above.
ALIASES: Final[dict[str, str]] = {
    # United States
    "USA": "US", "US": "US", "U.S.": "US", "U.S.A.": "US", "United States of America": "US", "America": "US",
    "アメリカ": "US", "アメリカ合衆国": "US", "合衆国": "US", "米": "US",
    # China
    "People's Republic of China": "CN", "Peoples R China": "CN", "PR China": "CN", "P.R. China": "CN",
    "P. R. China": "CN", "Mainland China": "CN", "PRC": "CN", "中華人民共和国": "CN", "中": "CN",
    # United Kingdom
    "UK": "GB", "U.K.": "GB", "Great Britain": "GB", "Britain": "GB", "England": "GB", "Scotland": "GB",
    "Wales": "GB", "Northern Ireland": "GB", "United Kingdom of Great Britain and Northern Ireland": "GB",
    "イギリス": "GB", "英": "GB", "連合王国": "GB",
    # Koreas
    "Korea": "KR", "Republic of Korea": "KR", "Korea, Republic of": "KR", "Korea (South)": "KR", "ROK": "KR",
    "大韓民国": "KR", "韓": "KR",
    "Korea, Democratic People's Republic of": "KP", "Democratic People's Republic of Korea": "KP", "DPRK": "KP",
    "Korea (North)": "KP", "朝鮮民主主義人民共和国": "KP",
    # Others with several common spellings
    "Taiwan, Province of China": "TW", "Republic of China": "TW", "Chinese Taipei": "TW", "台灣": "TW", "中華民国": "TW",
    "Russian Federation": "RU", "ロシア連邦": "RU", "露": "RU",
    "Czech Republic": "CZ", "Turkey": "TR", "Türkiye": "TR", "Turkiye": "TR", "トルコ共和国": "TR", "テュルキエ": "TR",
    "Viet Nam": "VN", "ヴェトナム": "VN", "Iran, Islamic Republic of": "IR", "Syrian Arab Republic": "SY",
    "Lao People's Democratic Republic": "LA", "Brunei Darussalam": "BN", "Macau": "MO", "Macao": "MO",
    "Hong Kong SAR": "HK", "Hong Kong, China": "HK", "Ivory Coast": "CI", "Cote d'Ivoire": "CI", "Cape Verde": "CV",
    "Swaziland": "SZ", "Macedonia": "MK", "Burma": "MM", "Holland": "NL", "The Netherlands": "NL",
    "Federal Republic of Germany": "DE", "Deutschland": "DE", "French Republic": "FR", "Republic of India": "IN",
    "UAE": "AE", "U.A.E.": "AE", "KSA": "SA", "Vatican": "VA", "Vatican City": "VA", "Palestine, State of": "PS",
    "DR Congo": "CD", "DRC": "CD", "Congo, The Democratic Republic of the": "CD", "Republic of the Congo": "CG",
    "East Timor": "TL", "Micronesia, Federated States of": "FM", "Bolivia, Plurinational State of": "BO",
    "Venezuela, Bolivarian Republic of": "VE", "Tanzania, United Republic of": "TZ", "Moldova, Republic of": "MD",
    # Japanese short forms and older names
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
                              "Guinea", "Niger", "Jordan", "Turkey", "Congo", "Dominica", "Mali", "DRC"})

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
    for code, (a3, en, ja) in _TABLE.items():
        idx[normalize(en)] = code
        if ja:
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
    """The country's English or Japanese name (None for an unknown code or no Japanese name)."""
    row = _TABLE.get(code.upper())
    if row is None:
        return None
    return row[2] if lang == "ja" else row[1]


def surface_forms(lang: str) -> dict[str, str]:
    """Names to look for in running text of a language (surface form -> code), without the
    one-character and word-like short forms. English forms are case-sensitive."""
    out: dict[str, str] = {}
    for code, (_, en, ja) in _TABLE.items():
        if lang == "ja" and ja:
            out[ja] = code
        elif lang == "en" and "," not in en and "(" not in en:
            out[en] = code
    for alias, code in ALIASES.items():
        if alias in AMBIGUOUS or "," in alias:
            continue
        if _is_ja(alias) == (lang == "ja"):
            out[alias] = code
    if lang == "en":
        for word in AMBIGUOUS:
            out.pop(word, None)
    return out


def _is_ja(s: str) -> bool:
    return any(ord(ch) > 0x2FFF for ch in s)


def country_rows() -> list[dict[str, str | None]]:
    return [{"code": c, "name": en, "name_ja": ja} for c, (_, en, ja) in _TABLE.items()]
