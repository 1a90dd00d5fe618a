"""The risk that an outbreak reaches other airports or countries by air.

Three measures, for one or several origin airports:

1. **Share of outbound travel** (Khan, Bogoch et al.): share_j = V_oj / Σ_k V_ok;
   with several origins weighted by their cases, risk_j = Σ_i w_i share_ij
   (Gilbert et al. 2020; Pullano et al. 2020). The origins' own airports (or, by
   country, the origins' countries) are left out and the rest sums to 1.
2. **Probability of at least one imported infected traveller in a month**:
   λ_j = prevalence × V_oj with V in passengers per month, P_j = 1 − exp(−λ_j).
   Only with absolute volumes.
3. **Effective distance** (Brockmann & Helbing 2013): the shortest path with
   edge lengths 1 − ln P(m | n); by country, the least over its airports.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import NDArray

from eocnet.analytics.air_network import AirNetwork

FloatArray = NDArray[np.float64]
Grouping = Literal["airport", "country"]


@dataclass(frozen=True)
class ImportationTable:
    """Rows ranked by share (1 = highest); NaN where a measure does not apply."""

    destinations: list[str]
    share: FloatArray
    expected: FloatArray
    probability: FloatArray
    effective_distance: FloatArray
    rank: NDArray[np.int64]


def importation_risk(
    network: AirNetwork,
    origins: Sequence[str],
    *,
    origin_weights: Sequence[float] | None = None,
    prevalence: float | None = None,
    absolute: bool = False,
    by: Grouping = "airport",
) -> ImportationTable:
    """``absolute``: the network's weights are passengers per month (volumes),
    so expected importations and probabilities can be given a prevalence."""
    if not origins:
        raise ValueError("give at least one origin airport")
    unknown = [o for o in origins if o not in network.index]
    if unknown:
        raise ValueError(f"unknown IATA airport code {unknown[0]!r}")
    if prevalence is not None and not 0 <= prevalence <= 1:
        raise ValueError("the prevalence must lie between 0 and 1")
    if origin_weights is None:
        weights = np.full(len(origins), 1.0 / len(origins))
    else:
        if len(origin_weights) != len(origins):
            raise ValueError("give one origin weight per origin")
        weights = np.asarray(origin_weights, dtype=float)
        if (weights < 0).any() or not np.isfinite(weights).all() or weights.sum() <= 0:
            raise ValueError("origin weights must be non-negative numbers, not all zero")
        weights = weights / weights.sum()
    sources = [network.index[o] for o in origins]

    n = len(network.codes)
    share = np.zeros(n)
    volume = np.zeros(n)
    for source, weight in zip(sources, weights, strict=True):
        row = network.outbound(source)
        total = row.sum()
        if total <= 0:
            raise ValueError(f"no routes leave {network.codes[source]}")
        share += weight * row / total
        volume += row

    excluded = np.zeros(n, dtype=bool)
    excluded[sources] = True
    if by == "country":
        own = {network.airport_country[s] for s in sources}
        excluded |= np.isin(network.airport_country, list(own)) & (network.airport_country >= 0)
    share[excluded] = 0.0
    volume[excluded] = 0.0
    total = share.sum()
    if total <= 0:
        where = "the origins' countries" if by == "country" else "the origins"
        raise ValueError(f"no route leads outside {where}")
    share /= total
    distance = network.effective_distance(sources)
    distance[excluded] = np.inf

    if by == "country":
        groups = network.airport_country
        known = groups >= 0
        size = len(network.country_index)
        share = np.bincount(groups[known], weights=share[known], minlength=size).astype(float)
        volume = np.bincount(groups[known], weights=volume[known], minlength=size).astype(float)
        grouped = np.full(size, np.inf)
        np.minimum.at(grouped, groups[known], distance[known])
        distance = grouped
        names = network.countries_sorted
        keep = ~np.isin(np.arange(size), [network.airport_country[s] for s in sources])
    else:
        names = network.codes
        keep = ~excluded
    keep &= (share > 0) | np.isfinite(distance)

    if absolute and prevalence is not None:
        expected = prevalence * volume
        probability = 1.0 - np.exp(-expected)
    else:
        expected = np.full(share.size, np.nan)
        probability = np.full(share.size, np.nan)

    rows = np.flatnonzero(keep)
    order = np.lexsort((np.array([names[i] for i in rows]), distance[rows], -share[rows]))
    rows = rows[order]
    return ImportationTable(
        destinations=[names[i] for i in rows],
        share=share[rows],
        expected=expected[rows],
        probability=probability[rows],
        effective_distance=np.where(np.isfinite(distance[rows]), distance[rows], np.nan),
        rank=np.arange(1, rows.size + 1),
    )
