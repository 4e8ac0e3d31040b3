"""The technology taxonomy: a versioned, bilingual data file (ingest/taxonomy.yaml)
read into frozen records, checked on load, and compared between versions; and each
technology's search definition (ingest/definitions.yaml) with its OpenAlex and arXiv renderings.

Keys are stable ("tech:<slug>", never reused); list items are keyed
"<list id>:<item id>" as in the reference lists; materials by Material key.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from core.errors import ConfigError

DEFAULT_PATH = Path(__file__).with_name("taxonomy.yaml")
KEY_RE = re.compile(r"^tech:[a-z0-9]+(?:-[a-z0-9]+)*$")
BASES = ("source", "compiler_inference")


@dataclass(frozen=True)
class ListItem:
    key: str                  # "<list>:<item id>"
    list: str
    id: str
    name: str
    name_ja: str | None
    verified: bool
    parent: str | None = None  # key of the enclosing item (an area of the same list)
    out_of_scope: str | None = None  # why no technology of ours maps to it


@dataclass(frozen=True)
class OfficialList:
    id: str
    name: str
    name_ja: str | None
    jurisdiction: str
    date: str
    complete: bool
    items: tuple[ListItem, ...]


@dataclass(frozen=True)
class Membership:
    item: str       # ListItem key
    verified: bool  # the item's own flag from the reference list


@dataclass(frozen=True)
class Dependency:
    key: str        # Material key
    basis: str      # "source" | "compiler_inference"
    note: str = ""


@dataclass(frozen=True)
class Tech:
    key: str
    name: str
    name_ja: str
    description: str
    terms_en: tuple[str, ...]
    terms_ja: tuple[str, ...]
    parent: str | None
    domain: str                       # key slug of the root ancestor
    lists: tuple[Membership, ...]
    materials: tuple[Dependency, ...]

    @property
    def slug(self) -> str:
        return self.key.removeprefix("tech:")


@dataclass(frozen=True)
class Taxonomy:
    version: str
    technologies: tuple[Tech, ...]
    lists: tuple[OfficialList, ...]
    retired: tuple[str, ...] = ()
    path: str = ""
    _by_key: dict[str, Tech] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        self._by_key.update({t.key: t for t in self.technologies})

    def get(self, key: str) -> Tech:
        return self._by_key[key]

    def __contains__(self, key: object) -> bool:
        return key in self._by_key

    @property
    def items(self) -> dict[str, ListItem]:
        return {i.key: i for lst in self.lists for i in lst.items}

    def ancestors(self, key: str) -> list[str]:
        out: list[str] = []
        p = self._by_key[key].parent
        while p is not None:
            out.append(p)
            p = self._by_key[p].parent
        return out

    def children(self, key: str) -> list[str]:
        return [t.key for t in self.technologies if t.parent == key]


def _strs(v: Any) -> tuple[str, ...]:
    return tuple(str(x) for x in (v or ()))


def _lists(raw: dict[str, Any]) -> tuple[OfficialList, ...]:
    out = []
    for lid, spec in (raw or {}).items():
        items = tuple(
            ListItem(key=f"{lid}:{i['id']}", list=lid, id=str(i["id"]), name=i["name"], name_ja=i.get("name_ja"),
                     verified=bool(i.get("verified", False)), parent=f"{lid}:{i['parent']}" if i.get("parent") else None,
                     out_of_scope=i.get("out_of_scope"))
            for i in spec.get("items", ()))
        out.append(OfficialList(id=lid, name=spec["name"], name_ja=spec.get("name_ja"), jurisdiction=str(spec.get("jurisdiction", "")),
                                date=str(spec.get("date", "")), complete=bool(spec.get("complete", True)), items=items))
    return tuple(out)


def parse(data: dict[str, Any], path: str = "") -> Taxonomy:
    """Build and check a Taxonomy from the parsed YAML mapping."""
    where = path or "taxonomy"
    if not isinstance(data, dict) or "version" not in data or "technologies" not in data:
        raise ConfigError(f"{where}: needs 'version' and 'technologies'")
    lists = _lists(data.get("lists") or {})
    items = {i.key: i for lst in lists for i in lst.items}
    raw = data["technologies"]
    parents = {t["key"]: t.get("parent") for t in raw}
    retired = _strs(data.get("retired"))

    def root(k: str) -> str:
        seen = {k}
        while parents.get(k):
            k = parents[k]
            if k in seen:
                raise ConfigError(f"{where}: CHILD_OF cycle through {k}")
            seen.add(k)
        return k

    techs = []
    seen_keys: set[str] = set()
    for t in raw:
        key = t["key"]
        if not KEY_RE.match(key):
            raise ConfigError(f"{where}: bad technology key {key!r} (want tech:<slug>)")
        if key in seen_keys:
            raise ConfigError(f"{where}: duplicate technology key {key}")
        if key in retired:
            raise ConfigError(f"{where}: {key} is retired and may not be reused")
        seen_keys.add(key)
        if t.get("parent") and t["parent"] not in parents:
            raise ConfigError(f"{where}: {key} has unknown parent {t['parent']}")
        members = []
        for ref in _strs(t.get("lists")):
            if ref not in items:
                raise ConfigError(f"{where}: {key} maps to unknown list item {ref}")
            if ref not in {m.item for m in members}:
                members.append(Membership(ref, items[ref].verified))
        deps = []
        for m in t.get("materials") or ():
            if m.get("basis") not in BASES:
                raise ConfigError(f"{where}: {key} material {m.get('key')} needs basis in {BASES}")
            deps.append(Dependency(str(m["key"]), m["basis"], m.get("note", "")))
        techs.append(Tech(key=key, name=t["name"], name_ja=t["name_ja"], description=" ".join(str(t["description"]).split()),
                          terms_en=_strs(t.get("terms_en")), terms_ja=_strs(t.get("terms_ja")), parent=t.get("parent"),
                          domain=root(key).removeprefix("tech:"), lists=tuple(members), materials=tuple(deps)))
    return Taxonomy(version=str(data["version"]), technologies=tuple(techs), lists=lists, retired=retired, path=path)


def read(path: Path | str) -> Taxonomy:
    p = Path(path)
    try:
        data = yaml.safe_load(p.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as e:
        raise ConfigError(f"cannot read taxonomy {p}: {e}") from e
    return parse(data, str(p))


@lru_cache(maxsize=8)
def _cached(path: str) -> Taxonomy:
    return read(path)


def load_taxonomy(path: Path | str | None = None) -> Taxonomy:
    """The taxonomy at ``path`` (default: the one shipped with Kizashi)."""
    return _cached(str(Path(path) if path else DEFAULT_PATH))


# ---------------------------------------------------------------- diff

@dataclass(frozen=True)
class Diff:
    old_version: str
    new_version: str
    added: tuple[str, ...]
    removed: tuple[str, ...]
    renamed: tuple[tuple[str, str, str], ...]        # key, old name, new name (EN or JA)
    moved: tuple[tuple[str, str | None, str | None], ...]  # key, old parent, new parent
    terms: tuple[tuple[str, tuple[str, ...], tuple[str, ...]], ...]  # key, terms added, terms removed
    lists: tuple[tuple[str, tuple[str, ...], tuple[str, ...]], ...]  # key, items added, items removed
    materials: tuple[tuple[str, tuple[str, ...], tuple[str, ...]], ...]
    reused: tuple[str, ...]  # keys retired in OLD but present in NEW: an error

    @property
    def empty(self) -> bool:
        return not any((self.added, self.removed, self.renamed, self.moved, self.terms, self.lists, self.materials, self.reused))

    def as_dict(self) -> dict[str, Any]:
        return {
            "old_version": self.old_version, "new_version": self.new_version,
            "added": list(self.added), "removed": list(self.removed),
            "renamed": [{"key": k, "old": o, "new": n} for k, o, n in self.renamed],
            "moved": [{"key": k, "old_parent": o, "new_parent": n} for k, o, n in self.moved],
            "terms": [{"key": k, "added": list(a), "removed": list(r)} for k, a, r in self.terms],
            "lists": [{"key": k, "added": list(a), "removed": list(r)} for k, a, r in self.lists],
            "materials": [{"key": k, "added": list(a), "removed": list(r)} for k, a, r in self.materials],
            "reused_retired_keys": list(self.reused),
        }


def _setdiff(a: tuple[str, ...], b: tuple[str, ...]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    return tuple(x for x in b if x not in set(a)), tuple(x for x in a if x not in set(b))


def diff(old: Taxonomy, new: Taxonomy) -> Diff:
    o = {t.key: t for t in old.technologies}
    n = {t.key: t for t in new.technologies}
    common = [k for k in n if k in o]
    renamed, moved, terms, lists, mats = [], [], [], [], []
    for k in common:
        a, b = o[k], n[k]
        if a.name != b.name:
            renamed.append((k, a.name, b.name))
        if a.name_ja != b.name_ja:
            renamed.append((k, a.name_ja, b.name_ja))
        if a.parent != b.parent:
            moved.append((k, a.parent, b.parent))
        add, rem = _setdiff(a.terms_en + a.terms_ja, b.terms_en + b.terms_ja)
        if add or rem:
            terms.append((k, add, rem))
        add, rem = _setdiff(tuple(m.item for m in a.lists), tuple(m.item for m in b.lists))
        if add or rem:
            lists.append((k, add, rem))
        add, rem = _setdiff(tuple(f"{m.key}:{m.basis}" for m in a.materials), tuple(f"{m.key}:{m.basis}" for m in b.materials))
        if add or rem:
            mats.append((k, add, rem))
    return Diff(old.version, new.version, added=tuple(k for k in n if k not in o), removed=tuple(k for k in o if k not in n),
                renamed=tuple(renamed), moved=tuple(moved), terms=tuple(terms), lists=tuple(lists), materials=tuple(mats),
                reused=tuple(k for k in n if k in old.retired))


# ---------------------------------------------------------------- search definitions
# ingest/definitions.yaml: per technology, how its population is found at OpenAlex and arXiv
# and which rules tag ingested text. Kept apart from the taxonomy so that a change of a
# query is reviewed (and versioned) on its own.

DEFINITIONS_PATH = Path(__file__).with_name("definitions.yaml")
OPENALEX_ID_RE = re.compile(r"^[TC][0-9]+$")
# The arXiv categories a definition may name (a typo would silently match nothing).
ARXIV_CATEGORIES = frozenset("""
    cs.AI cs.AR cs.CC cs.CE cs.CG cs.CL cs.CR cs.CV cs.CY cs.DB cs.DC cs.DL cs.DM cs.DS cs.ET cs.FL cs.GL cs.GR
    cs.GT cs.HC cs.IR cs.IT cs.LG cs.LO cs.MA cs.MM cs.MS cs.NA cs.NE cs.NI cs.OH cs.OS cs.PF cs.PL cs.RO cs.SC
    cs.SD cs.SE cs.SI cs.SY stat.AP stat.CO stat.ME stat.ML stat.OT stat.TH eess.AS eess.IV eess.SP eess.SY
    econ.EM econ.GN econ.TH quant-ph nucl-ex nucl-th hep-ex hep-lat hep-ph hep-th gr-qc math-ph
    astro-ph.CO astro-ph.EP astro-ph.GA astro-ph.HE astro-ph.IM astro-ph.SR
    cond-mat.dis-nn cond-mat.mes-hall cond-mat.mtrl-sci cond-mat.other cond-mat.quant-gas cond-mat.soft
    cond-mat.stat-mech cond-mat.str-el cond-mat.supr-con
    physics.acc-ph physics.ao-ph physics.app-ph physics.atm-clus physics.atom-ph physics.bio-ph physics.chem-ph
    physics.class-ph physics.comp-ph physics.data-an physics.ed-ph physics.flu-dyn physics.gen-ph physics.geo-ph
    physics.hist-ph physics.ins-det physics.med-ph physics.optics physics.plasm-ph physics.pop-ph physics.soc-ph
    physics.space-ph q-bio.BM q-bio.CB q-bio.GN q-bio.MN q-bio.NC q-bio.OT q-bio.PE q-bio.QM q-bio.SC q-bio.TO
    q-fin.CP q-fin.GN q-fin.RM q-fin.ST""".split())


class OpenAlexQuery(BaseModel):
    """Phrases OR-ed in one title_and_abstract.search filter; topic/concept IDs restrict it (AND)."""
    model_config = ConfigDict(frozen=True, extra="forbid")
    search: tuple[str, ...] = ()
    topics: tuple[str, ...] = ()
    concepts: tuple[str, ...] = ()

    @model_validator(mode="after")
    def _check(self) -> "OpenAlexQuery":
        if not (self.search or self.topics or self.concepts):
            raise ValueError("needs search phrases, topics or concepts")
        for p in self.search:
            if not p.strip() or any(c in p for c in ',"|'):
                raise ValueError(f"search phrase {p!r}: no commas, quotes or pipes (they split OpenAlex filters)")
        for i in (*self.topics, *self.concepts):
            if not OPENALEX_ID_RE.match(i):
                raise ValueError(f"{i!r} is not an OpenAlex topic (T…) or concept (C…) ID")
        return self


class ArxivQuery(BaseModel):
    """Categories OR-ed, abstract phrases OR-ed, the two AND-ed."""
    model_config = ConfigDict(frozen=True, extra="forbid")
    categories: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()

    @model_validator(mode="after")
    def _check(self) -> "ArxivQuery":
        if not (self.categories or self.keywords):
            raise ValueError("needs categories or keywords")
        unknown = [c for c in self.categories if c not in ARXIV_CATEGORIES]
        if unknown:
            raise ValueError(f"unknown arXiv categories {unknown}")
        if any('"' in k or not k.strip() for k in self.keywords):
            raise ValueError("arXiv keywords may not be empty or contain double quotes")
        return self


class TextRules(BaseModel):
    """Rules on ingested text. ``taxonomy`` = the technology's terms_en/terms_ja, matched by the
    rule mapper (analysis/mapping) with its calibrated minimum score."""
    model_config = ConfigDict(frozen=True, extra="forbid")
    terms: Literal["taxonomy"] = "taxonomy"


class SearchDefinition(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    tech: str
    version: int = Field(ge=1)
    openalex: OpenAlexQuery
    arxiv: ArxivQuery
    text: TextRules = TextRules()

    @property
    def id(self) -> str:
        """What counts are stored with: the technology and this definition's version."""
        return f"{self.tech}@{self.version}"


@dataclass(frozen=True)
class Definitions:
    version: str
    taxonomy_version: str
    by_tech: dict[str, SearchDefinition] = field(compare=False)

    def __getitem__(self, key: str) -> SearchDefinition:
        return self.by_tech[key]


def parse_definitions(data: dict[str, Any], tax: Taxonomy, path: str = "") -> Definitions:
    """Check one definition per technology of ``tax``, none for unknown keys."""
    where = path or "definitions"
    if not isinstance(data, dict) or "version" not in data or not isinstance(data.get("definitions"), dict):
        raise ConfigError(f"{where}: needs 'version' and a 'definitions' mapping")
    out: dict[str, SearchDefinition] = {}
    for key, spec in data["definitions"].items():
        if key not in tax:
            raise ConfigError(f"{where}: definition for unknown technology {key}")
        try:
            out[key] = SearchDefinition(tech=key, **(spec or {}))
        except (ValidationError, TypeError) as e:
            raise ConfigError(f"{where}: {key}: {e}") from e
    missing = [t.key for t in tax.technologies if t.key not in out]
    if missing:
        raise ConfigError(f"{where}: no search definition for {', '.join(missing)}")
    return Definitions(str(data["version"]), tax.version, out)


def load_definitions(path: Path | str | None = None, tax: Taxonomy | None = None) -> Definitions:
    p = Path(path) if path else DEFINITIONS_PATH
    try:
        data = yaml.safe_load(p.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as e:
        raise ConfigError(f"cannot read search definitions {p}: {e}") from e
    return parse_definitions(data, tax or load_taxonomy(), str(p))


def openalex_filter(d: SearchDefinition) -> str:
    """The OpenAlex ``filter=`` value (before URL encoding). Comma-separated filters are AND-ed;
    inside one value ``|`` means OR; a .search value takes boolean OR between quoted phrases."""
    parts = []
    if d.openalex.search:
        parts.append("title_and_abstract.search:" + " OR ".join(f'"{p}"' for p in d.openalex.search))
    if d.openalex.topics:
        parts.append("topics.id:" + "|".join(d.openalex.topics))
    if d.openalex.concepts:
        parts.append("concepts.id:" + "|".join(d.openalex.concepts))
    return ",".join(parts)


def arxiv_query(d: SearchDefinition) -> str:
    """The arXiv API ``search_query`` value (before URL encoding)."""
    cats = " OR ".join(f"cat:{c}" for c in d.arxiv.categories)
    keys = " OR ".join(f'abs:"{k}"' for k in d.arxiv.keywords)
    parts = [f"({p})" if " OR " in p else p for p in (cats, keys) if p]
    return " AND ".join(parts)
