"""Organization resolution: which organization records (OpenAlex institutions,
WoS/Scopus/conference affiliations, patent assignees) name the same organization,
which is canonical, what its top parent and its country are — each decision with
its reason, so every merge can be explained and corrected.

Rules, in order:
1. ``name``: the same match form (ingest.orgkey.match_form: legal forms, case,
   punctuation, accents, abbreviations, Japanese/English aliases);
2. ``acronym``: the same words plus a trailing acronym ("Tech Univ Munich TUM");
3. ``fuzzy``: rapidfuzz ratio ≥ threshold between match forms with the same number
   of words, every word alike and the same numbers (typos, transliterations);
4. ``override``: the analyst's table (merge / split / country / parent).
Records with different known countries are never merged automatically.
"""

from __future__ import annotations

import csv
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from ingest.orgkey import match_form, name_key
from core.errors import InputError

# Words too common to tell organizations apart: never the blocking word for fuzzy matching.
GENERIC = frozenset({"artificial", "intelligence", "machine", "learning", "robotics", "data", "computing", "vision", "ai",
                     "graduate", "management", "energy", "health", "hlth", "biology", "innovation", "security", "software",
                     "computer", "electrical", "mathematics", "physics", "chemistry", "materials", "faculty", "division",
                     "univ", "inst", "tech", "natl", "sci", "acad", "ctr", "lab", "res", "engn", "coll", "hosp", "med",
                     "state", "department", "school", "group", "china", "chinese", "american", "international",
                     "technology", "systems", "information", "applied", "key", "federal", "advanced", "poly", "industries",
                     "electric", "electronics", "holdings", "japan", "korea", "india", "germany", "france", "usa", "ministry"})
# WoS's abbreviated spellings: a record named so is a worse display name than a spelled-out one.
_ABBREVIATED = re.compile(r"\b(Univ|Inst|Technol|Natl|Sci|Acad|Ctr|Res|Engn|Lab)\b")
# Real, different names that the spelling rules would take for typos of each other.
CONFUSABLE = frozenset(frozenset(p) for p in (("shanxi", "shaanxi"), ("austria", "australia"), ("iowa", "ohio"),
                                              ("jiangsu", "jiangxi"), ("guangxi", "guangdong"), ("hubei", "hebei"),
                                              ("hunan", "henan"), ("jilin", "jiling"), ("nanjing", "nanning")))
ACTIONS = ("merge", "split", "country", "parent")


@dataclass(frozen=True)
class Org:
    key: str
    name: str | None = None
    country: str | None = None
    ror: str | None = None
    openalex_id: str | None = None
    works: int = 0


@dataclass(frozen=True)
class Override:
    line: int
    action: str            # merge / split / country / parent
    name: str              # an organization key, or a name (matched by key, name key or match form)
    target: str | None = None
    country: str | None = None
    note: str = ""


@dataclass(frozen=True)
class Link:
    source: str            # a member
    target: str            # the record it was matched with
    method: str
    score: float
    detail: str


@dataclass
class Resolution:
    canonical: dict[str, str]                    # key -> canonical key
    form: dict[str, str]                         # key -> match form
    joined_by: dict[str, Link]                   # member -> the link that brought it into its cluster
    country: dict[str, tuple[str | None, str]]   # canonical key -> (ISO code, basis)
    rollup: dict[str, str]                       # key -> canonical key of its top parent
    parents: list[tuple[str, str, str]] = field(default_factory=list)   # overridden (child, parent, detail)
    overrides_unmatched: list[Override] = field(default_factory=list)

    def clusters(self) -> dict[str, list[str]]:
        out: dict[str, list[str]] = defaultdict(list)
        for k, c in self.canonical.items():
            out[c].append(k)
        return dict(out)

    def disagreements(self, orgs: Iterable[Org]) -> list[dict[str, str]]:
        """Members whose own country differs from their resolved organization's."""
        out = []
        for o in orgs:
            c = self.canonical.get(o.key, o.key)
            code, basis = self.country.get(c, (None, ""))
            if o.country and code and o.country != code:
                out.append({"key": o.key, "name": o.name or "", "country": o.country, "canonical": c,
                            "resolved_country": code, "basis": basis})
        return out


# ---------------------------------------------------------------- overrides


def read_overrides(path: Path) -> list[Override]:
    """The analyst's table: CSV with columns action,name,target,country,note."""
    if not path.exists():
        return []
    out = []
    with open(path, encoding="utf-8-sig", newline="") as f:
        reader = csv.DictReader(f)
        missing = {"action", "name"} - set(reader.fieldnames or [])
        if missing:
            raise InputError(f"{path}: override table needs columns action,name,target,country,note (missing {sorted(missing)})")
        for n, row in enumerate(reader, start=2):
            action = (row.get("action") or "").strip().lower()
            name = (row.get("name") or "").strip()
            if not action or action.startswith("#"):
                continue
            target = (row.get("target") or "").strip() or None
            country = (row.get("country") or "").strip().upper() or None
            if action not in ACTIONS:
                raise InputError(f"{path}:{n}: unknown action {action!r} (one of {', '.join(ACTIONS)})")
            if not name or (action in ("merge", "parent") and not target) or (action == "country" and not country):
                raise InputError(f"{path}:{n}: {action} needs name" + (" and target" if action in ("merge", "parent") else
                                                                       " and country" if action == "country" else ""))
            out.append(Override(n, action, name, target, country, (row.get("note") or "").strip()))
    return out


# ---------------------------------------------------------------- union-find with a country guard


class _Clusters:
    def __init__(self, orgs: Sequence[Org]) -> None:
        self.parent = {o.key: o.key for o in orgs}
        self.countries: dict[str, set[str]] = {o.key: ({o.country} if o.country else set()) for o in orgs}
        self.joined_by: dict[str, Link] = {}

    def find(self, k: str) -> str:
        while self.parent[k] != k:
            self.parent[k] = self.parent[self.parent[k]]
            k = self.parent[k]
        return k

    def union(self, a: str, b: str, method: str, score: float, detail: str, force: bool = False) -> bool:
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return False
        ca, cb = self.countries[ra], self.countries[rb]
        if not force and ca and cb and ca != cb:
            return False
        self.parent[rb] = ra
        self.countries[ra] = ca | cb
        for k, other in ((b, a), (a, b)):
            self.joined_by.setdefault(k, Link(k, other, method, score, detail))
        return True


_UNIT = re.compile(r"^\W*(dept|department|departments|faculty|school of|division of|laboratory of|lab of|chair of|"
                   r"section of|program in|programme in|graduate school of)\b", re.I)


def unit_only(name: str) -> bool:
    """A department-like name that does not say whose it is ("Faculty of Engineering")."""
    return bool(_UNIT.match(name)) and "," not in name and not re.search(r"\b(in|at)\b|\(|-", name)


def _acronym_like(word: str, name: str) -> bool:
    """``word`` ends ``name`` in capitals: "Tech Univ Munich TUM", "Korea Adv Inst Sci & Technol KAIST"."""
    last = re.split(r"[\s,()]+", name.strip(" )"))[-1] if name.strip() else ""
    return 2 <= len(word) <= 7 and word.isalpha() and last == word.upper()


def resolve(orgs: Sequence[Org], parents: Iterable[tuple[str, str]] = (), overrides: Sequence[Override] = (),
            threshold: float = 92.0) -> Resolution:
    from rapidfuzz import fuzz, process

    by_key = {o.key: o for o in orgs}
    form = {o.key: match_form(o.name or o.key.split(":", 1)[-1]) for o in orgs}
    by_form: dict[str, list[str]] = defaultdict(list)
    for k, f in form.items():
        if f:
            by_form[f].append(k)

    def matching(text: str) -> list[str]:
        if text in by_key:
            return [text]
        nk = name_key(text)
        if nk in by_key:
            return [nk]
        return list(by_form.get(match_form(text), []))

    # "Dept. of Psychology" with no institution named: a unit of who knows what, never merged automatically
    split = {k for o in overrides if o.action == "split" for k in matching(o.name)} | \
            {o.key for o in orgs if unit_only(o.name or "")}
    cl = _Clusters(orgs)

    # 1. the same match form (best-identified record first, so it anchors the cluster)
    rank = {o.key: (o.ror is not None, o.openalex_id is not None, not _ABBREVIATED.search(o.name or ""), o.works) for o in orgs}
    for f, keys in by_form.items():
        keys = sorted((k for k in keys if k not in split), key=lambda k: rank[k], reverse=True)
        for k in keys[1:]:
            if not cl.union(keys[0], k, "name", 100.0, f"same match form '{f}' as {by_key[keys[0]].name!r}"):
                # a second country: join a record of that country instead
                same = next((j for j in keys if j != k and by_key[j].country == by_key[k].country
                             and cl.find(j) != cl.find(k)), None)
                if same:
                    cl.union(same, k, "name", 100.0, f"same match form '{f}' as {by_key[same].name!r}")

    # 2. a trailing acronym: "munich tech tum univ" is "munich tech univ" + TUM
    for f, keys in by_form.items():
        words = f.split()
        if len(words) < 3:
            continue
        for i, w in enumerate(words):
            base = " ".join(words[:i] + words[i + 1:])
            base = base if base in by_form else None
            # the rest must still name one organization: "Fraunhofer Inst IITB" is not "Fraunhofer Inst"
            if base and base != f and len(base.split()) >= 3 and any(x not in GENERIC for x in base.split()):
                for k in keys:
                    if k in split or not _acronym_like(w, by_key[k].name or ""):
                        continue
                    anchor = next((j for j in by_form[base] if j not in split), None)
                    if anchor:
                        cl.union(anchor, k, "acronym", 100.0, f"'{by_key[k].name}' is '{by_key[anchor].name}' with acronym {w.upper()}")

    # 3. fuzzy, within blocks that share the form's rarest distinctive word
    freq = Counter(w for f in by_form for w in set(f.split()))
    blocks: dict[str, list[str]] = defaultdict(list)
    for f in by_form:
        for w in set(f.split()):
            if w not in GENERIC and len(w) >= 4:
                blocks[w].append(f)
    for f in by_form:
        words = [w for w in f.split() if w not in GENERIC and len(w) >= 4]
        if not words or len(f) < 8:
            continue
        # candidates share one of the form's two rarest distinctive words
        block = sorted({g for w in sorted(words, key=lambda w: (freq[w], w))[:2] for g in blocks[w]})
        if len(block) < 2:
            continue
        for other, score, _ in process.extract(f, block, scorer=fuzz.ratio, score_cutoff=threshold, limit=20):
            if other == f or not _alike(f, other):
                continue
            a = next((k for k in by_form[f] if k not in split), None)
            b = next((k for k in by_form[other] if k not in split), None)
            if a and b:
                cl.union(b, a, "fuzzy", round(score, 1), f"'{by_key[a].name}' ≈ '{by_key[b].name}' (ratio {score:.0f})")

    # 4. the analyst's table
    unmatched: list[Override] = []
    for o in overrides:
        if o.action != "merge":
            continue
        src, dst = matching(o.name), matching(o.target or "")
        if not src or not dst:
            unmatched.append(o)
            continue
        for k in src:
            cl.union(dst[0], k, "override", 100.0, f"override line {o.line}: merge into {o.target!r}" + (f" ({o.note})" if o.note else ""),
                     force=True)

    # canonical: per cluster the best-identified, most-used record (an override target wins)
    targets = {k for o in overrides if o.action == "merge" for k in matching(o.target or "")}
    members: dict[str, list[str]] = defaultdict(list)
    for k in by_key:
        members[cl.find(k)].append(k)
    canonical: dict[str, str] = {}
    for keys in members.values():
        best = max(keys, key=lambda k: (k in targets, *rank[k], -len(k), k))
        for k in keys:
            canonical[k] = best
    joined = {k: v for k, v in cl.joined_by.items() if canonical.get(k) != k}

    # countries: override > identified record > majority of members
    country: dict[str, tuple[str | None, str]] = {}
    for c, keys in members_by(canonical).items():
        o = by_key[c]
        if o.country and (o.ror or o.openalex_id):
            country[c] = (o.country, "identifier")
        else:
            votes = Counter(by_key[k].country for k in keys if by_key[k].country)
            if votes:
                country[c] = (votes.most_common(1)[0][0], "majority" if len(votes) > 1 else "source")
            else:
                named = next((x for x in (country_in_name(by_key[k].name or "") for k in keys) if x), None)
                country[c] = (named, "name") if named else (None, "unknown")
    for o in overrides:
        if o.action == "country":
            hit = matching(o.name)
            if not hit:
                unmatched.append(o)
            for k in hit:
                country[canonical[k]] = (o.country, "override")

    # parents: lineage (CHILD_OF) plus the analyst's, rolled up to the top
    parent: dict[str, str] = {}
    for child, par in parents:
        if child in canonical and par in canonical and canonical[child] != canonical[par]:
            parent.setdefault(canonical[child], canonical[par])
    set_parents: list[tuple[str, str, str]] = []
    for o in overrides:
        if o.action != "parent":
            continue
        src, dst = matching(o.name), matching(o.target or "")
        if not src or not dst:
            unmatched.append(o)
            continue
        for k in src:
            parent[canonical[k]] = canonical[dst[0]]
            set_parents.append((canonical[k], canonical[dst[0]], f"override line {o.line}" + (f" ({o.note})" if o.note else "")))
    rollup = {}
    for k, c in canonical.items():
        seen = {c}
        top = c
        while top in parent and parent[top] not in seen:
            top = parent[top]
            seen.add(top)
        rollup[k] = top
    return Resolution(canonical, form, joined, country, rollup, set_parents, unmatched)


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


def _alike(a: str, b: str) -> bool:
    """Same number of words, the same numbers, and each word close to its counterpart."""
    from rapidfuzz import fuzz

    wa, wb = a.split(), b.split()
    if len(wa) != len(wb):
        return False
    if re.findall(r"\d+", a) != re.findall(r"\d+", b):   # "Paris 6" is not "Paris 7", nor W…00 W…09
        return False
    for x, y in zip(wa, wb):
        if x == y:
            continue
        # place names one letter apart are different places (Nanjing/Nanning, Zhejiang/Zhanjiang)
        if min(len(x), len(y)) < 5 or fuzz.ratio(x, y) < 88 or frozenset((x, y)) in CONFUSABLE:
            return False
    return True


def members_by(canonical: dict[str, str]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = defaultdict(list)
    for k, c in canonical.items():
        out[c].append(k)
    return out


# ---------------------------------------------------------------- measuring it


@dataclass(frozen=True)
class Score:
    precision: float
    recall: float
    country_accuracy: float
    names: int
    organizations: int
    true_pairs: int
    predicted_pairs: int
    false_merges: list[tuple[str, str]]
    missed: list[tuple[str, str]]


def read_gold(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8", newline="") as f:
        return [r for r in csv.DictReader(f) if (r.get("name") or "").strip() and not r["name"].startswith("#")]


def evaluate(gold: Sequence[dict[str, str]], threshold: float = 92.0) -> Score:
    """Pairwise precision and recall of resolving the gold names against their gold organizations,
    and how often the resolved country is the gold country."""
    orgs = [Org(key=f"gold:{i}", name=r["name"], country=(r.get("source_country") or "").strip() or None)
            for i, r in enumerate(gold)]
    res = resolve(orgs, threshold=threshold)
    truth = {f"gold:{i}": r["organization"].strip() for i, r in enumerate(gold)}
    keys = list(truth)
    tp = fp = fn = 0
    false_merges, missed = [], []
    for i, a in enumerate(keys):
        for b in keys[i + 1:]:
            same_true = truth[a] == truth[b]
            same_pred = res.canonical[a] == res.canonical[b]
            if same_true and same_pred:
                tp += 1
            elif same_pred:
                fp += 1
                false_merges.append((gold[int(a[5:])]["name"], gold[int(b[5:])]["name"]))
            elif same_true:
                fn += 1
                missed.append((gold[int(a[5:])]["name"], gold[int(b[5:])]["name"]))
    right = sum(1 for i, r in enumerate(gold) if res.country[res.canonical[f"gold:{i}"]][0] == (r.get("country") or "").strip())
    return Score(precision=tp / (tp + fp) if tp + fp else 1.0, recall=tp / (tp + fn) if tp + fn else 1.0,
                 country_accuracy=right / len(gold) if gold else 1.0, names=len(gold),
                 organizations=len(set(truth.values())), true_pairs=tp + fn, predicted_pairs=tp + fp,
                 false_merges=false_merges, missed=missed)
