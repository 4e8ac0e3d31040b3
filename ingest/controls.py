"""Export-control events stated in a document's text, and the structured measures
of the reference list (../shared/reference/export_controls_minerals.yaml).

Text: within one line, dates (2023年8月, 同12月, 令和5年8月, August 2023), control
phrases (輸出管理, 輸出規制, 輸出禁止, export controls…) and material mentions are
read in order, and an event is emitted whenever a date, a control phrase and at
least one material have all been seen and the next marker would start another
one. This reads both prose ("2023年8月にガリウムの輸出規制を開始し、同12月には黒鉛…")
and timelines flattened from slides, where the year, the phrase, the month and
the materials come in any order ("2023年 輸出管理措置開始 8月 (ガリウム・ゲルマニウム)").
The controlling country is the nearest country named before the phrase on the
line (not one the measure targets: 対米), else the one named in a recent line
about export controls (a heading such as 中国による主な輸出管理措置).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ingest import country as gaz
from ingest import material as mat
from core.policy import ExportControl, PolicyDocument
from ingest.mentions import COUNTRY, MATERIAL, Hit

_MONTHS = {m: i + 1 for i, m in enumerate(("january", "february", "march", "april", "may", "june", "july", "august",
                                            "september", "october", "november", "december"))}
_DATE = re.compile(
    r"(?P<ym>(?P<y1>\d{4})\s*年\s*(?P<m1>\d{1,2})\s*月)"
    r"|(?P<rym>令和\s*(?P<r1>\d{1,2}|元)\s*年\s*(?P<m2>\d{1,2})\s*月)"
    r"|(?P<emy>(?P<en_m>January|February|March|April|May|June|July|August|September|October|November|December)"
    r"\s+(?:\d{1,2},\s*)?(?P<y3>\d{4}))"
    r"|(?P<iso>(?P<y4>(?:19|20)\d{2})-(?P<m4>0[1-9]|1[0-2])-\d{2})"
    r"|(?P<y>(?P<y2>\d{4})\s*年)"
    r"|(?P<ry>令和\s*(?P<r2>\d{1,2}|元)\s*年)"
    r"|(?P<m>(?<![\d年])(?P<same>同)?\s*(?P<m3>\d{1,2})\s*月(?!\s*\d{1,2}\s*日\s*(?:時点|現在)))",
)
_VERB = re.compile(r"輸出管理(?!法)|輸出規制|輸出禁止|輸出制限|禁輸|export controls?|export restrictions?|export bans?",
                   re.IGNORECASE)
_EFFECTIVE = re.compile(r"開始|施行|実施|発動|強化|導入|took effect|effective|impos", re.IGNORECASE)
_ANNOUNCED = re.compile(r"発表|公表|公告|決定|announc", re.IGNORECASE)
_SENTENCE_END = re.compile(r"。|(?<![A-Z])\.\s")
_FROM_BEFORE = re.compile(r"(?:effective|taking effect|from|as of|starting)\s*$", re.IGNORECASE)
_FROM_AFTER = re.compile(r"\s*(?:\d{1,2}\s*日)?\s*(?:から|より|に施行|に発効)")
_PHRASE = re.compile(r"[^\s(（\d、。,.;:]{1,16}")
CONTEXT_LINES = 5


def _phrase(text: str, at: int) -> str:
    """The control phrase as written (輸出管理措置開始, export controls), as the measure's name."""
    m = _PHRASE.match(text, at)
    return m.group().strip() if m else ""


def _num(s: str) -> int:
    return 1 if s == "元" else int(s)


@dataclass
class _Pending:
    verb: tuple[int, str] | None = None      # offset, kind (effective / announced / "")
    month: tuple[int, int] | None = None     # year, month
    effective: tuple[int, int] | None = None  # a second month the text says the measure applies from
    materials: list[int] = field(default_factory=list)   # indexes into the line's material hits

    def complete(self) -> bool:
        return self.verb is not None and self.month is not None and bool(self.materials)


@dataclass(frozen=True)
class _Marker:
    pos: int
    kind: str            # Y, M, V, T, END
    value: Any = None


def _markers(text: str, start: int, end: int, materials: Sequence[Hit]) -> list[_Marker]:
    seg = text[start:end]
    out: list[_Marker] = []
    for m in _DATE.finditer(seg):
        pos = start + m.start()
        if m.group("ym"):
            out.append(_Marker(pos, "M", (int(m.group("y1")), int(m.group("m1")))))
        elif m.group("rym"):
            out.append(_Marker(pos, "M", (2018 + _num(m.group("r1")), int(m.group("m2")))))
        elif m.group("emy"):
            out.append(_Marker(pos, "M", (int(m.group("y3")), _MONTHS[m.group("en_m").lower()])))
        elif m.group("iso"):
            out.append(_Marker(pos, "M", (int(m.group("y4")), int(m.group("m4")))))
        elif m.group("y"):
            out.append(_Marker(pos, "Y", int(m.group("y2"))))
        elif m.group("ry"):
            out.append(_Marker(pos, "Y", 2018 + _num(m.group("r2"))))
        elif m.group("m"):
            out.append(_Marker(pos, "M", (None, int(m.group("m3")))))
        if out and out[-1].kind == "M" and out[-1].pos == pos and (_FROM_BEFORE.search(text[max(0, pos - 14):pos])
                                                                   or _FROM_AFTER.match(text, start + m.end())):
            out[-1] = _Marker(pos, "M", out[-1].value + (True,))
    for m in _VERB.finditer(seg):
        kind = ""
        # Japanese names the act after the phrase (輸出管理措置開始), English mostly before it (imposed export controls).
        for near in (seg[m.end():m.end() + 12], seg[max(0, m.start() - 14):m.start()]):
            kind = kind or ("announced" if _ANNOUNCED.search(near) else "effective" if _EFFECTIVE.search(near) else "")
        out.append(_Marker(start + m.start(), "V", kind))
    for i, h in enumerate(materials):
        if start <= h.start < end:
            out.append(_Marker(h.start, "T", i))
    for m in _SENTENCE_END.finditer(seg):
        out.append(_Marker(start + m.start(), "END"))
    out.sort(key=lambda k: (k.pos, k.kind != "END"))
    return [k for k in out if 1 <= (k.value[1] if k.kind == "M" else 1) <= 12]


def _line_events(text: str, start: int, end: int, materials: Sequence[Hit]) -> Iterator[tuple[_Pending, list[str]]]:
    year: int | None = None
    p = _Pending()
    last = ""
    for k in _markers(text, start, end, materials) + [_Marker(end, "END")]:
        if k.kind == "END":
            if p.complete():
                yield p, [materials[i].key for i in p.materials]
            p, last = _Pending(), ""
            continue
        if k.kind == "Y":
            year = k.value
        elif k.kind == "M":
            y, m = k.value[:2]
            y = y or year
            if y is None or not 1990 <= y <= 2100:
                continue
            year = y
            if len(k.value) == 3 and p.month is not None and p.verb is not None and p.effective is None:
                p.effective = (y, m)      # "announced in October, effective December": one measure
                last = k.kind
                continue
            if p.month is not None and p.complete():
                yield p, [materials[i].key for i in p.materials]
                p = _Pending()
            p.month = (y, m)
        elif k.kind == "V":
            if p.verb is not None and p.complete():
                yield p, [materials[i].key for i in p.materials]
                p = _Pending()
            p.verb = (k.pos, k.value)
        elif k.kind == "T":
            if p.complete() and last != "T":
                yield p, [materials[i].key for i in p.materials]
                p = _Pending()
            p.materials.append(k.value)
        last = k.kind


def extract(text: str, hits: Sequence[Hit]) -> list[ExportControl]:
    """Export-control events in ``text``, given the gazetteer hits found in it."""
    materials = sorted((h for h in hits if h.label == MATERIAL), key=lambda h: h.start)
    countries = sorted((h for h in hits if h.label == COUNTRY and h.role != "target"), key=lambda h: h.start)
    targets = sorted((h for h in hits if h.label == COUNTRY and h.role == "target"), key=lambda h: h.start)
    out: dict[str, ExportControl] = {}
    context: tuple[int, str] | None = None       # (line number, country) of the last line on export controls
    pos = 0
    for n, line in enumerate(text.splitlines(keepends=True)):
        start, end = pos, pos + len(line)
        pos = end
        if not _VERB.search(line):
            continue
        for p, keys in _line_events(text, start, end, materials):
            verb_at, kind = p.verb  # type: ignore[misc]
            before = [h for h in countries if start <= h.start < verb_at]
            controller = before[-1].key if before else (context[1] if context and n - context[0] <= CONTEXT_LINES else None)
            if controller is None:
                continue
            said = f"{p.month[0]:04d}-{p.month[1]:02d}"  # type: ignore[index]
            month = f"{p.effective[0]:04d}-{p.effective[1]:02d}" if p.effective else said
            if p.effective:
                kind = "both"
            target = next((h.key for h in targets if verb_at - 3 <= h.start <= verb_at), None)
            seen: set[str] = set()
            for key in keys:
                if key in seen:
                    continue
                seen.add(key)
                ev = ExportControl(country=controller, material=key, month=month, basis="text", offset=verb_at,
                                   announced=said if kind in ("announced", "both") else None,
                                   effective=month if kind in ("effective", "both") else None,
                                   measure=_phrase(text, verb_at), target=target)
                out.setdefault(ev.key, ev)
        named = [h for h in countries if start <= h.start < end]
        if named:
            context = (n, named[0].key)
    return list(out.values())


# ---- the reference list ----------------------------------------------------------------------

def _iso(value: Any) -> str | None:
    return str(value) if value else None


def reference_documents(path: Path) -> Iterator[tuple[str, dict[str, Any]]]:
    """(locator, measure) for each measure of an export-controls reference YAML."""
    import yaml

    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict) or not isinstance(data.get("measures"), list):
        raise ValueError(f"{path}: no 'measures' list")
    for i, m in enumerate(data["measures"]):
        yield f"measure {i + 1}", {**m, "_jurisdiction": data.get("jurisdiction"), "_issuer": data.get("issuing_bodies"),
                                   "_list": data.get("list_id")}


def measure_to_document(m: dict[str, Any], path: str) -> PolicyDocument:
    """One measure of the reference list as the PolicyDocument (the announcement) that states its events."""
    ident = m.get("id")
    if not ident or not isinstance(m.get("minerals"), list):
        raise ValueError("a measure needs an id and a minerals list")
    country = gaz.to_iso(str(m.get("_jurisdiction") or "").split(" ")[0]) or "CN"
    announced, effective = _iso(m.get("announced")), _iso(m.get("effective"))
    when = effective or announced
    if not when or not re.match(r"\d{4}-\d{2}", when):
        raise ValueError(f"measure {ident}: no announced or effective date")
    keys: list[str] = []
    for mineral in m["minerals"]:
        key = mat.from_reference(str(mineral))
        if key and key not in keys:
            keys.append(key)
    # A measure on rare-earth elements is also one on the group: the texts say "レアアース".
    if any(mat.is_rare_earth(k) for k in keys) and mat.RARE_EARTHS not in keys:
        keys.append(mat.RARE_EARTHS)
    status = m.get("later_status")
    aimed = re.search(r"\(([^)]+)\)", str(m.get("measure_type") or ""))   # "country-specific (United States)"
    target = gaz.to_iso(aimed.group(1)) if aimed else None
    # YAML 1.1 reads the key `no` as False.
    numbers = [a.get("no", a.get(False)) for a in m.get("announcements", []) if isinstance(a, dict)]
    title = m.get("announcement") or (f"Announcements No. {', '.join(str(n) for n in numbers)}" if numbers else None)
    events = tuple(ExportControl(country=country, material=k, month=when[:7], announced=announced, effective=effective,
                                 measure=title or ident, status=str(status) if status else None, target=target, basis="reference",
                                 exact=True) for k in keys)
    evidence = m.get("evidence") or []
    return PolicyDocument(key=f"ref:{ident}", title=title or ident, issuer=m.get("_issuer"), country=country,
                          date=announced, language=None, path_or_url=evidence[0] if evidence else path,
                          export_controls=events)
