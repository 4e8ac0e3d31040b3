"""The thresholds a mapping decision uses, per technology, and where the calibrated ones
are kept: analysis/mapping_calibration.json, written by ``python bench/mapping.py --write``
from tests/gold/tech_labels.csv; one entry per method, each with the taxonomy version and
embedder it was measured with."""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Params:
    """Thresholds for one technology (``None`` fields take the defaults)."""
    min_rule: float = 2.0          # rule score (distinct terms, title counted twice) needed alone
    sim_alone: float = 0.50        # embedding similarity enough on its own
    sim_with_rule: float = 0.25    # similarity that confirms a single rule hit


@dataclass
class Calibration:
    default: Params = field(default_factory=Params)
    per_tech: dict[str, Params] = field(default_factory=dict)

    def get(self, key: str) -> Params:
        return self.per_tech.get(key, self.default)


CALIBRATION_PATH = Path(__file__).with_name("mapping_calibration.json")


def load_calibration(method: str, path: Path | None = None) -> Calibration:
    p = path or CALIBRATION_PATH
    if not p.exists():
        return Calibration()
    data = json.loads(p.read_text(encoding="utf-8")).get(method)
    if not data:
        return Calibration()
    return Calibration(Params(**data["default"]), {k: Params(**v) for k, v in data["per_tech"].items()})


def save_calibration(cals: dict[str, Calibration], meta: dict[str, Any], path: Path | None = None) -> None:
    p = path or CALIBRATION_PATH
    out = {m: {**meta, "default": vars(c.default), "per_tech": {k: vars(v) for k, v in sorted(c.per_tech.items())}}
           for m, c in cals.items()}
    p.write_text(json.dumps(out, indent=1, sort_keys=True) + "\n", encoding="utf-8")


def with_params(cal: Calibration, key: str, **kw: float) -> Calibration:
    per = dict(cal.per_tech)
    per[key] = replace(cal.get(key), **kw)
    return Calibration(cal.default, per)
