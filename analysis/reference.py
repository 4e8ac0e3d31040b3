"""Published reference tables (who leads technology T in window W) in an open YAML format
that anyone can fill from an ASPI, CSET or OpenAlex table; docs/validation.md describes it.

One file is one table: its source, its method (basis, counting, metric, whether the
values are counts or shares) and, per technology and window, the countries with their
values. Shares are derived from counts with the window's ``credits`` (the sum over all
countries) when it is given, else with the sum over the listed countries.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from analysis.rank import parse_window
from core.errors import ConfigError, InputError

FORMAT = "kizashi-reference/1"
BASES = ("population", "sample")
COUNTINGS = ("full", "fractional")
METRICS = ("papers", "top10", "patents", "score")
VALUES = ("counts", "shares")
SHIPPED = Path(__file__).resolve().parent / "references"


@dataclass(frozen=True)
class Method:
    basis: str = "population"
    counting: str = "full"
    metric: str = "papers"
    values: str = "counts"
    unit: str = ""


@dataclass(frozen=True)
class RefWindow:
    window: str
    values: tuple[tuple[str, float], ...]      # (country, value), as listed
    credits: float | None = None               # denominator of shares when values are counts

    def shares(self, kind: str) -> dict[str, float]:
        vals = dict(self.values)
        if kind == "shares":
            return vals
        total = self.credits or sum(vals.values())
        return {c: (v / total if total else 0.0) for c, v in vals.items()}

    def ranked(self) -> list[str]:
        """Countries by value, highest first (ties by code, so the order is stable)."""
        return [c for c, _ in sorted(self.values, key=lambda cv: (-cv[1], cv[0]))]


@dataclass(frozen=True)
class RefTechnology:
    technology: str
    their_name: str
    definition: str
    windows: tuple[RefWindow, ...]


@dataclass(frozen=True)
class Reference:
    name: str
    title: str
    source: dict[str, Any]
    method: Method
    technologies: tuple[RefTechnology, ...]
    path: str = ""

    @property
    def windows(self) -> list[str]:
        return sorted({w.window for t in self.technologies for w in t.windows})


def _need(d: Any, key: str, where: str) -> Any:
    if not isinstance(d, dict) or key not in d or d[key] in (None, ""):
        raise InputError(f"{where}: '{key}' is missing")
    return d[key]


def _choice(v: Any, allowed: tuple[str, ...], where: str) -> str:
    if v not in allowed:
        raise InputError(f"{where}: {v!r} is not one of {', '.join(allowed)}")
    return v


def _number(v: Any, where: str) -> float:
    if isinstance(v, bool) or not isinstance(v, (int, float)) or v != v or v < 0:
        raise InputError(f"{where}: {v!r} is not a non-negative number")
    return float(v)


def parse(data: Any, path: str = "<reference>") -> Reference:
    """A reference from its parsed YAML; every problem names the file and the record."""
    if not isinstance(data, dict):
        raise InputError(f"{path}: expected a mapping at the top level")
    fmt = data.get("format", FORMAT)
    if fmt != FORMAT:
        raise InputError(f"{path}: format {fmt!r} is not {FORMAT}")
    m = data.get("method") or {}
    if not isinstance(m, dict):
        raise InputError(f"{path}: method must be a mapping")
    method = Method(basis=_choice(m.get("basis", "population"), BASES, f"{path}: method.basis"),
                    counting=_choice(m.get("counting", "full"), COUNTINGS, f"{path}: method.counting"),
                    metric=_choice(m.get("metric", "papers"), METRICS, f"{path}: method.metric"),
                    values=_choice(m.get("values", "counts"), VALUES, f"{path}: method.values"),
                    unit=str(m.get("unit") or ""))
    techs = _need(data, "technologies", path)
    if not isinstance(techs, list) or not techs:
        raise InputError(f"{path}: technologies must be a non-empty list")
    out = []
    for i, t in enumerate(techs):
        where = f"{path}: technologies[{i}]"
        key = str(_need(t, "technology", where))
        key = key if key.startswith("tech:") else f"tech:{key}"
        where = f"{path}: {key}"
        wins = _need(t, "windows", where)
        if not isinstance(wins, dict) or not wins:
            raise InputError(f"{where}: windows must map 'YYYY-YYYY' to countries")
        windows = []
        for w, body in wins.items():
            ww = f"{where} window {w}"
            try:
                parse_window(str(w))
            except ConfigError as e:
                raise InputError(f"{ww}: {e}") from None
            countries = _need(body, "countries", ww)
            if not isinstance(countries, dict) or not countries:
                raise InputError(f"{ww}: countries must map ISO codes to {method.values}")
            vals = []
            for code, v in countries.items():
                c = str(code).upper()
                if len(c) != 2 or not c.isalpha():
                    raise InputError(f"{ww}: {code!r} is not a two-letter ISO country code")
                vals.append((c, _number(v, f"{ww} {c}")))
            credits = body.get("credits")
            windows.append(RefWindow(str(w), tuple(vals), None if credits is None else _number(credits, f"{ww} credits")))
        out.append(RefTechnology(key, str(t.get("their_name") or key), str(t.get("definition") or ""), tuple(windows)))
    return Reference(name=str(_need(data, "name", path)), title=str(data.get("title") or ""),
                     source=dict(data.get("source") or {}), method=method, technologies=tuple(out), path=path)


def load(path: Path | str) -> Reference:
    """A reference file; a bare name finds a shipped one (analysis/references/NAME.yaml)."""
    p = Path(path)
    if not p.exists() and (SHIPPED / f"{p.name.removesuffix('.yaml')}.yaml").exists():
        p = SHIPPED / f"{p.name.removesuffix('.yaml')}.yaml"
    if not p.is_file():
        raise InputError(f"{path}: no such reference file")
    try:
        data = yaml.safe_load(p.read_text(encoding="utf-8"))
    except yaml.YAMLError as e:
        raise InputError(f"{p}: not valid YAML ({e})") from None
    return parse(data, str(p))
