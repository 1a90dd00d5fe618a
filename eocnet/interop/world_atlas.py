"""Country outlines for maps drawn on the server (situation reports), from the
world-atlas TopoJSON the pages already use (Natural Earth 1:110m, public
domain; vendored under web/static/vendor/world-atlas).

TopoJSON stores shared borders once as quantised, delta-encoded arcs; decoding
is a cumulative sum and a scale, which is why this is a few lines here rather
than a GIS dependency.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

import numpy as np
import pycountry

ATLAS = (
    Path(__file__).parent.parent
    / "web"
    / "static"
    / "vendor"
    / "world-atlas"
    / "countries-110m.json"
)
Ring = np.ndarray  # (n, 2) longitude, latitude


def _alpha3(numeric: str) -> str | None:
    country = pycountry.countries.get(numeric=numeric.zfill(3))
    return str(country.alpha_3) if country else None


@lru_cache(maxsize=1)
def countries() -> dict[str, list[Ring]]:
    """ISO 3166-1 alpha-3 code -> the rings (lon/lat) of its outline."""
    data = json.loads(ATLAS.read_text())
    scale = np.array(data["transform"]["scale"])
    translate = np.array(data["transform"]["translate"])
    arcs = [np.cumsum(np.array(a, dtype=float), axis=0) * scale + translate for a in data["arcs"]]

    def ring(indexes: list[int]) -> Ring:
        parts: list[np.ndarray] = []
        for i in indexes:
            points = arcs[i] if i >= 0 else arcs[~i][::-1]
            parts.append(points if not parts else points[1:])
        return np.concatenate(parts)

    out: dict[str, list[Ring]] = {}
    for geometry in data["objects"]["countries"]["geometries"]:
        code = _alpha3(str(geometry.get("id", "")))
        if code is None:
            continue
        polygons = [geometry["arcs"]] if geometry["type"] == "Polygon" else geometry.get("arcs", [])
        out[code] = [ring(r) for polygon in polygons for r in polygon]
    return out
