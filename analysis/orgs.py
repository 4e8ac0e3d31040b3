"""Organization resolution: which organization records (OpenAlex institutions,
WoS/Scopus/conference affiliations, patent assignees) name the same organization,
which is canonical, what its top parent and its country are — each decision with
its reason, so every merge can be explained and corrected.

Rules, in order:
1. ``name``: the same match form (ingest.orgkey.match_form: legal forms, case,
   punctuation, accents, abbreviations, Japanese/English aliases);
2. ``acronym``: the same words plus a trailing acronym ("Tech Univ Munich TUM");
3. ``fuzzy``: rapidfuzz ratio ≥ threshold between match forms with the same number
   of words, every word alike and the same numbers (typos, transliterations;
   analysis/org_names.py);
4. ``override``: the analyst's table (merge / split / country / parent;
   analysis/org_overrides.py).
Records with different known countries are never merged automatically.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from analysis.org_names import ABBREVIATED, GENERIC, acronym_like, alike, unit_only
from analysis.org_overrides import Override
from analysis.org_places import country_in_name
from ingest.orgkey import match_form, name_key


@dataclass(frozen=True)
class Org:
    key: str
    name: str | None = None
    country: str | None = None
    ror: str | None = None
    openalex_id: str | None = None
    works: int = 0


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
    rank = {o.key: (o.ror is not None, o.openalex_id is not None, not ABBREVIATED.search(o.name or ""), o.works) for o in orgs}
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
                    if k in split or not acronym_like(w, by_key[k].name or ""):
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
            if other == f or not alike(f, other):
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


def members_by(canonical: dict[str, str]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = defaultdict(list)
    for k, c in canonical.items():
        out[c].append(k)
    return out
