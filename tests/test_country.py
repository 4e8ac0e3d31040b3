"""The bilingual country gazetteer and the material vocabulary."""

import pytest

from ingest import country as gaz
from ingest import material as mat


@pytest.mark.parametrize("text, code", [
    ("米国", "US"), ("アメリカ", "US"), ("USA", "US"), ("U.S.", "US"), ("United States of America", "US"),
    ("中国", "CN"), ("中華人民共和国", "CN"), ("Peoples R China", "CN"), ("People's Republic of China", "CN"),
    ("豪州", "AU"), ("オーストラリア", "AU"), ("英国", "GB"), ("UK", "GB"), ("England", "GB"), ("Scotland", "GB"),
    ("Wales", "GB"), ("Northern Ireland", "GB"), ("韓国", "KR"), ("South Korea", "KR"), ("Republic of Korea", "KR"),
    ("Korea, Republic of", "KR"), ("北朝鮮", "KP"), ("台湾", "TW"), ("Taiwan", "TW"), ("露", "RU"), ("ロシア", "RU"),
    ("Russian Federation", "RU"), ("Czechia", "CZ"), ("Czech Republic", "CZ"), ("Türkiye", "TR"), ("Turkey", "TR"),
    ("Viet Nam", "VN"), ("Vietnam", "VN"), ("インド", "IN"), ("フィンランド", "FI"), ("JP", "JP"), ("DEU", "DE"),
    ("the Netherlands", "NL"), ("Germany.", "DE"), ("ＵＳＡ", "US"), ("  japan ", "JP"),
])
def test_to_iso_accepts_names_codes_and_variants(text, code):
    assert gaz.to_iso(text) == code


@pytest.mark.parametrize("text", ["", None, "Atlantis", "XX", "ZZZ", "東京"])
def test_to_iso_unknown_is_none(text):
    assert gaz.to_iso(text) is None


def test_every_iso_country_has_an_english_and_a_japanese_name():
    import pycountry

    iso = {c.alpha_2 for c in pycountry.countries}
    assert set(gaz.COUNTRIES) == iso and len(iso) >= 249
    missing = [code for code, (en, ja) in gaz.COUNTRIES.items() if not en or not ja]
    assert missing == []
    assert gaz.name("cn", "ja") == "中国" and gaz.name("GB") == "United Kingdom" and gaz.name("XX") is None
    # Display names: common forms over ISO's inverted ones; Japanese government short forms over CLDR's.
    assert gaz.name("KR") == "South Korea" and gaz.name("RU") == "Russia" and gaz.name("TW") == "Taiwan"
    assert gaz.name("US", "ja") == "米国" and gaz.name("CD", "ja") == "コンゴ民主共和国"
    # Territories the hand-typed table had no Japanese name for now have CLDR's.
    assert gaz.name("AW", "ja") == "アルバ" and gaz.name("FO", "ja") == "フェロー諸島"
    assert all(gaz.ALPHA3[c.alpha_3] == c.alpha_2 for c in pycountry.countries)


def test_every_name_leads_back_to_its_code():
    import pycountry

    for code, (en, ja) in gaz.COUNTRIES.items():
        assert gaz.to_iso(en) == code and gaz.to_iso(ja) == code, (code, en, ja)
    # ISO's formal names and older MOFA spellings are still understood.
    for c in pycountry.countries:
        assert gaz.to_iso(c.name) == c.alpha_2, c.name
    assert gaz.to_iso("Korea, Republic of") == "KR" and gaz.to_iso("Holy See (Vatican City State)") == "VA"
    assert gaz.to_iso("バチカン") == "VA" and gaz.to_iso("中央アフリカ") == "CF" and gaz.to_iso("アメリカ合衆国") == "US"


def test_running_text_forms_leave_out_one_character_and_word_like_names():
    ja, en = gaz.surface_forms("ja"), gaz.surface_forms("en")
    assert ja["米国"] == "US" and ja["豪州"] == "AU" and "米" not in ja and "中" not in ja
    assert en["U.S."] == "US" and en["Peoples R China"] == "CN" and "Jordan" not in en and "Turkey" not in en
    assert ja["フェロー諸島"] == "FO" and "ジャージー" not in ja and "Japan" not in ja and "日本" not in en


def test_materials_by_name_symbol_alias_and_reference_id():
    assert mat.to_key("ガリウム") == "Ga" and mat.to_key("gallium") == "Ga" and mat.to_key("镓") == "Ga"
    assert mat.to_key("黒鉛") == mat.to_key("グラファイト") == mat.to_key("Graphite") == "graphite"
    assert mat.to_key("希土類") == mat.to_key("レアアース") == mat.to_key("rare earths") == "rare-earths"
    assert mat.from_reference("samarium") == "Sm" and mat.from_reference("superhard_materials") == "superhard-materials"
    assert mat.is_rare_earth("Dy") and not mat.is_rare_earth("Ga")
    names = {m.key: m.name_ja for m in mat.MATERIALS}
    for key, ja in {"Sb": "アンチモン", "W": "タングステン", "Te": "テルル", "Bi": "ビスマス", "Mo": "モリブデン",
                    "In": "インジウム", "Tb": "テルビウム", "Gd": "ガドリニウム", "Lu": "ルテチウム", "Sc": "スカンジウム",
                    "Y": "イットリウム", "Nd": "ネオジム", "Dy": "ジスプロシウム"}.items():
        assert names[key] == ja
