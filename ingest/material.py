"""Critical minerals and materials: the (:Material) vocabulary.

Key = element symbol for an element ("Ga", "Dy"), else a slug for a material
or group ("graphite", "rare-earths", "superhard-materials"). The set follows
the minerals named in China's 2023–2025 export-control measures
(../shared/reference/export_controls_minerals.yaml), plus the battery metals
and light rare earths that policy texts discuss alongside them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from typing import Final

RARE_EARTHS: Final = "rare-earths"


@dataclass(frozen=True)
class Material:
    key: str
    name: str
    name_ja: str
    symbol: str | None = None
    aliases_en: tuple[str, ...] = ()
    aliases_ja: tuple[str, ...] = ()     # Japanese (and Chinese, as seen in MOFCOM titles) variants
    group: str | None = None             # RARE_EARTHS for the lanthanides, Sc and Y
    reference_ids: tuple[str, ...] = field(default=())   # mineral ids used in the reference YAML

    def surface_forms(self, lang: str) -> tuple[str, ...]:
        if lang == "ja":
            return (self.name_ja, *self.aliases_ja)
        return (self.name, *self.aliases_en)


def _el(symbol: str, en: str, ja: str, *ja_aliases: str, ree: bool = False, en_aliases: tuple[str, ...] = ()) -> Material:
    return Material(key=symbol, name=en.capitalize(), name_ja=ja, symbol=symbol, aliases_en=(en, *en_aliases),
                    aliases_ja=ja_aliases, group=RARE_EARTHS if ree else None, reference_ids=(en,))


MATERIALS: Final[tuple[Material, ...]] = (
    _el("Ga", "gallium", "ガリウム", "镓"),
    _el("Ge", "germanium", "ゲルマニウム", "锗"),
    _el("Sb", "antimony", "アンチモン", "锑"),
    _el("W", "tungsten", "タングステン", "钨", en_aliases=("wolfram",)),
    _el("Te", "tellurium", "テルル", "碲"),
    _el("Bi", "bismuth", "ビスマス", "铋"),
    _el("Mo", "molybdenum", "モリブデン", "钼"),
    _el("In", "indium", "インジウム", "铟"),
    _el("Li", "lithium", "リチウム", "锂"),
    _el("Co", "cobalt", "コバルト", "钴"),
    _el("Ni", "nickel", "ニッケル", "镍"),
    _el("Sc", "scandium", "スカンジウム", "钪", ree=True),
    _el("Y", "yttrium", "イットリウム", "钇", ree=True),
    _el("La", "lanthanum", "ランタン", ree=True),
    _el("Ce", "cerium", "セリウム", ree=True),
    _el("Pr", "praseodymium", "プラセオジム", "プラセオジウム", ree=True),
    _el("Nd", "neodymium", "ネオジム", "ネオジウム", "钕", ree=True),
    _el("Sm", "samarium", "サマリウム", "钐", ree=True),
    _el("Eu", "europium", "ユウロピウム", "ユーロピウム", "铕", ree=True),
    _el("Gd", "gadolinium", "ガドリニウム", "钆", ree=True),
    _el("Tb", "terbium", "テルビウム", "铽", ree=True),
    _el("Dy", "dysprosium", "ジスプロシウム", "镝", ree=True),
    _el("Ho", "holmium", "ホルミウム", "钬", ree=True),
    _el("Er", "erbium", "エルビウム", "铒", ree=True),
    _el("Tm", "thulium", "ツリウム", "铥", ree=True),
    _el("Yb", "ytterbium", "イッテルビウム", "镱", ree=True),
    _el("Lu", "lutetium", "ルテチウム", "镥", ree=True),
    Material(key="graphite", name="Graphite", name_ja="黒鉛", aliases_en=("graphite", "natural graphite", "spherical graphite"),
             aliases_ja=("グラファイト", "石墨", "球状黒鉛", "人造黒鉛", "天然黒鉛"), reference_ids=("graphite",)),
    Material(key=RARE_EARTHS, name="Rare earths", name_ja="レアアース",
             aliases_en=("rare earths", "rare earth", "rare-earth", "rare-earths", "rare earth elements", "REE", "REEs"),
             aliases_ja=("希土類", "稀土", "重希土類", "中重希土類", "中重稀土", "レアアース元素"),
             reference_ids=("rare_earths", "rare_earths_general")),
    Material(key="superhard-materials", name="Superhard materials", name_ja="超硬材料",
             aliases_en=("superhard materials", "superhard material"), aliases_ja=("超硬質材料", "超硬材", "超硬材料"),
             reference_ids=("superhard_materials",)),
    # The generic term policy texts use most (重要鉱物), kept apart from any one mineral.
    Material(key="critical-minerals", name="Critical minerals", name_ja="重要鉱物",
             aliases_en=("critical minerals", "critical mineral", "rare metals", "rare metal"),
             aliases_ja=("重要鉱物資源", "レアメタル", "希少金属"), reference_ids=()),
    Material(key="lithium-battery-materials", name="Lithium-battery materials", name_ja="リチウムイオン電池材料",
             aliases_en=("lithium battery materials", "cathode materials", "anode materials"),
             aliases_ja=("リチウム電池材料", "正極材", "負極材"), reference_ids=("lithium_battery_materials",)),
)

BY_KEY: Final[dict[str, Material]] = {m.key: m for m in MATERIALS}

# Symbols that are not also ordinary words or abbreviations ("In", "W", "Y", "Co", "Mo"…),
# so they may be matched as standalone tokens in text ("Ga・Ge", "Dy-free").
SAFE_SYMBOLS: Final = frozenset({"Ga", "Ge", "Sb", "Te", "Dy", "Tb", "Sm", "Gd", "Lu", "Nd", "Ho", "Er", "Tm", "Eu", "Yb", "Pr"})


@lru_cache(maxsize=1)
def _by_reference() -> dict[str, str]:
    return {rid: m.key for m in MATERIALS for rid in m.reference_ids}


def from_reference(mineral_id: str) -> str | None:
    """The Material key for a mineral id of the reference YAML ("gallium" -> "Ga"); None if not a material."""
    return _by_reference().get(mineral_id)


@lru_cache(maxsize=1)
def _by_name() -> dict[str, str]:
    out: dict[str, str] = {}
    for m in MATERIALS:
        for form in (m.key, m.name, m.name_ja, *m.aliases_en, *m.aliases_ja):
            out[form.casefold()] = m.key
    return out


def to_key(text: str) -> str | None:
    """The Material key for a name, symbol or alias in English, Japanese or Chinese."""
    t = text.strip()
    if t in BY_KEY:
        return t
    return _by_name().get(t.casefold())


def surface_forms(lang: str) -> dict[str, str]:
    """Forms to look for in running text (surface form -> key). Names are matched case-insensitively;
    the element symbols (included for both languages: "Ga・Ge") only as-is, as whole tokens."""
    out: dict[str, str] = {}
    for m in MATERIALS:
        for form in m.surface_forms(lang):
            out[form] = m.key
    out.update({s: s for s in SAFE_SYMBOLS})
    return out


def is_rare_earth(key: str) -> bool:
    m = BY_KEY.get(key)
    return m is not None and m.group == RARE_EARTHS
