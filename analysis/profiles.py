"""Alliance profiles: which bloc each country is in, and how much its lead counts.

Shipped profiles live in ``analysis/profiles/*.yaml``; users add their own in
``<settings.home>/profiles/*.yaml`` (a user file with a shipped name wins). A
custom weight vector (``{"CN": 0, "US": 1, …}``) overlays a profile's weights.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from core.errors import ConfigError

SHIPPED = Path(__file__).resolve().parent / "profiles"
DEFAULT = "jp_economic_security"


@dataclass(frozen=True)
class Bloc:
    name: str
    label: str
    weight: float
    concern: bool
    countries: frozenset[str]


@dataclass(frozen=True)
class Profile:
    name: str
    version: str
    description: str
    blocs: tuple[Bloc, ...]
    default_bloc: str = "neutral"
    overrides: tuple[tuple[str, float], ...] = field(default=())   # custom per-country weights

    @property
    def ident(self) -> str:
        """Name@version, plus a hash of custom weights: part of every ranking key."""
        base = f"{self.name}@{self.version}"
        if not self.overrides:
            return base
        h = hashlib.sha256(json.dumps(sorted(self.overrides)).encode()).hexdigest()[:10]
        return f"{base}+w{h}"

    def bloc_of(self, country: str | None) -> str:
        for b in self.blocs:
            if country in b.countries:
                return b.name
        return self.default_bloc

    def weight(self, country: str | None) -> float:
        over = dict(self.overrides)
        if country in over:
            return over[country]
        name = self.bloc_of(country)
        return next((b.weight for b in self.blocs if b.name == name), 1.0)

    def concern(self, country: str | None) -> bool:
        name = self.bloc_of(country)
        return any(b.concern for b in self.blocs if b.name == name)

    @property
    def bloc_names(self) -> list[str]:
        return [b.name for b in self.blocs]

    def weights(self, countries: list[str]) -> np.ndarray:
        return np.array([self.weight(c) for c in countries], dtype=float)

    def membership(self, countries: list[str]) -> np.ndarray:
        """(countries × blocs) 0/1 matrix, for bloc shares by one matrix product."""
        names = self.bloc_names
        m = np.zeros((len(countries), len(names)))
        for i, c in enumerate(countries):
            m[i, names.index(self.bloc_of(c))] = 1.0
        return m

    def with_weights(self, weights: dict[str, float]) -> Profile:
        clean = {}
        for k, v in weights.items():
            if len(k) != 2 or not k.isalpha():
                raise ConfigError(f"custom weight for {k!r}: expected an ISO 3166 alpha-2 code")
            if not (0.0 <= float(v) <= 10.0) or v != v:
                raise ConfigError(f"custom weight for {k}: {v} is outside 0..10")
            clean[k.upper()] = float(v)
        return Profile(self.name, self.version, self.description, self.blocs, self.default_bloc,
                       tuple(sorted({**dict(self.overrides), **clean}.items())))

    def describe(self) -> dict[str, Any]:
        return {"name": self.name, "version": self.version, "ident": self.ident, "description": self.description,
                "default_bloc": self.default_bloc,
                "blocs": [{"name": b.name, "label": b.label, "weight": b.weight, "concern": b.concern,
                           "countries": sorted(b.countries)} for b in self.blocs],
                "overrides": dict(self.overrides)}


def parse(data: dict[str, Any], origin: str) -> Profile:
    try:
        blocs = tuple(Bloc(name=str(n), label=str(b.get("label", n)), weight=float(b.get("weight", 1.0)),
                           concern=bool(b.get("concern", False)),
                           countries=frozenset(str(c).upper() for c in b.get("countries") or ()))
                      for n, b in data["blocs"].items())
        profile = Profile(name=str(data["name"]), version=str(data.get("version", "0")),
                          description=str(data.get("description", "")).strip(), blocs=blocs,
                          default_bloc=str(data.get("default_bloc", "neutral")))
    except (KeyError, TypeError, ValueError, AttributeError) as e:
        raise ConfigError(f"alliance profile {origin}: {e!r}") from e
    if profile.default_bloc not in profile.bloc_names:
        raise ConfigError(f"alliance profile {origin}: default_bloc {profile.default_bloc!r} is not a bloc")
    seen: dict[str, str] = {}
    for b in blocs:
        for c in b.countries:
            if c in seen:
                raise ConfigError(f"alliance profile {origin}: {c} is in both {seen[c]} and {b.name}")
            seen[c] = b.name
    return profile


def _dirs(home: Path | None) -> list[Path]:
    return [SHIPPED] + ([home / "profiles"] if home else [])


def available(home: Path | None = None) -> dict[str, Path]:
    found: dict[str, Path] = {}
    for d in _dirs(home):
        if d.is_dir():
            for p in sorted(d.glob("*.yaml")):
                found[p.stem] = p
    return found


def load(name: str = DEFAULT, home: Path | None = None) -> Profile:
    paths = available(home)
    if name not in paths:
        raise ConfigError(f"unknown alliance profile {name!r}; available: {', '.join(sorted(paths))}")
    path = paths[name]
    return _load(path, path.stat().st_mtime_ns)


@lru_cache(maxsize=64)
def _load(path: Path, mtime_ns: int) -> Profile:
    """Parsed once per file version: the API reads a profile on every request."""
    paths = {path.stem: path}
    name = path.stem
    try:
        data = yaml.safe_load(paths[name].read_text(encoding="utf-8"))
    except yaml.YAMLError as e:
        raise ConfigError(f"alliance profile {paths[name]}: {e}") from e
    if not isinstance(data, dict):
        raise ConfigError(f"alliance profile {paths[name]}: not a mapping")
    return parse(data, str(paths[name]))
