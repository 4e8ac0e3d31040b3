"""Where the lead sits by alliance bloc, and the technology's exposure through its materials.

Bloc shares are fractional paper (patent) shares summed over the profile's blocs, with bootstrap
intervals from the same resamples as the entity shares; the concern share adds up every bloc the
profile marks as a concern. Material exposure = share of the technology's DEPENDS_ON materials
under export control by a country of concern.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from analysis.counting import Docs
from analysis.intervals import div, num, shares
from analysis.profiles import Profile


def bloc_view(profile: Profile, countries: list[str | None], wd: Docs, pd_: Docs,
               kw: np.ndarray, kp: np.ndarray) -> dict[str, Any]:
    """Fractional share of each bloc in papers and patents, with intervals."""
    m = np.zeros((len(countries), len(profile.bloc_names)))
    for i, c in enumerate(countries):
        if c is not None:
            m[i, profile.bloc_names.index(profile.bloc_of(c))] = 1.0
    out: dict[str, Any] = {"profile": profile.ident, "papers": {}, "patents": {}}
    concern = [j for j, b in enumerate(profile.blocs) if b.concern]
    for kind, d, k in (("papers", wd, kw), ("patents", pd_, kp)):
        xb = d.credit.right(m)
        s, lo, hi = shares(xb, "fractional", k)
        out[kind] = {b: {"share": num(s[j]), "lo": num(lo[j]), "hi": num(hi[j])}
                     for j, b in enumerate(profile.bloc_names)}
        xc = xb[:, concern].sum(1, keepdims=True) if concern else np.zeros((xb.shape[0], 1))
        cs = div(xc.sum(0), np.asarray(xb.sum()))
        ck = div(k @ xc, (k @ xb.sum(1))[:, None]) if xb.shape[0] else np.full((1, 1), np.nan)
        with np.errstate(all="ignore"):
            clo, chi = (np.nanpercentile(ck, [5, 95], axis=0) if np.isfinite(ck).any() else (cs, cs))
        out[f"concern_{kind}"] = {"share": num(cs[0]), "lo": num(clo[0]), "hi": num(chi[0])}
    return out


def materials_view(profile: Profile, materials: list[dict[str, Any]]) -> dict[str, Any]:
    """The technology's DEPENDS_ON materials, and which are under export control by a country of concern."""
    exposed = []
    for m in materials:
        by_concern = [c for c in m["controls"] if c.get("by") and profile.concern(c["by"])]
        if by_concern:
            exposed.append({"material": m["material"], "name": m.get("name"), "controls": by_concern})
    return {"depends_on": [m["material"] for m in materials], "exposed": exposed,
            "exposure": num(len(exposed) / len(materials)) if materials else 0.0,
            "controls_total": sum(len(m["controls"]) for m in materials)}
