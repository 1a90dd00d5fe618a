"""The risk that an outbreak reaches other airports or countries by air.

Three measures, for one or several origin airports:

1. **Share of the origins' outbound traffic** (Khan, Bogoch et al.):
   share_j = V_oj / Σ_k V_ok; with several origins weighted, risk_j = Σ_i w_i
   share_ij (Gilbert et al. 2020; Pullano et al. 2020). The weights are the
   ones given (e.g. cases), else, with a prevalence per origin, each origin's
   expected infected travellers p_i · Σ_k V_ik (the shares are then those of
   the expected importations), else equal. The origins' own airports (or, by
   country, the origins' countries) are left out and the rest sums to 1. With
   OpenFlights V counts airlines per direct route, so the share is one of
   direct airline routes, not of passengers.
2. **Expected importations in a month and the probability of at least one**:
   λ_j = Σ_i p_i · V_ij with p_i the prevalence at origin i (the share of its
   population infectious and travelling, not cumulative cases over
   population) and V in passengers per month; P_j = 1 − exp(−λ_j) (a Poisson
   number of infected travellers). Only with absolute volumes.
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
    prevalence: float | Sequence[float] | None = None,
    absolute: bool = False,
    by: Grouping = "airport",
) -> ImportationTable:
    """``absolute``: the network's weights are passengers per month (volumes),
    so expected importations and probabilities can be given a prevalence:
    one per origin, or one number for every origin."""
    if not origins:
        raise ValueError("give at least one origin airport")
    unknown = [o for o in origins if o not in network.index]
    if unknown:
        raise ValueError(f"unknown IATA airport code {unknown[0]!r}")
    per_origin: FloatArray | None = None
    if prevalence is not None:
        values = [prevalence] if isinstance(prevalence, int | float) else list(prevalence)
        if len(values) == 1:
            values = values * len(origins)
        if len(values) != len(origins):
            raise ValueError("give one prevalence per origin")
        per_origin = np.asarray(values, dtype=float)
        if (
            not (np.isfinite(per_origin).all() and (per_origin >= 0).all())
            or (per_origin > 1).any()
        ):
            raise ValueError("the prevalence must lie between 0 and 1")
        if not absolute:
            raise ValueError(
                "a prevalence needs passenger volumes: the OpenFlights network counts "
                "airlines per direct route, not travellers"
            )
    sources = [network.index[o] for o in origins]
    outbound = [network.outbound(s) for s in sources]
    for source, row in zip(sources, outbound, strict=True):
        if row.sum() <= 0:
            raise ValueError(f"no routes leave {network.codes[source]}")
    if origin_weights is None and per_origin is not None and per_origin.sum() > 0:
        # each origin counts by its expected infected travellers, p_i · Σ_k V_ik
        weights = per_origin * np.array([row.sum() for row in outbound])
        weights = weights / weights.sum()
    elif origin_weights is None:
        weights = np.full(len(origins), 1.0 / len(origins))
    else:
        if len(origin_weights) != len(origins):
            raise ValueError("give one origin weight per origin")
        weights = np.asarray(origin_weights, dtype=float)
        if (weights < 0).any() or not np.isfinite(weights).all() or weights.sum() <= 0:
            raise ValueError("origin weights must be non-negative numbers, not all zero")
        weights = weights / weights.sum()

    n = len(network.codes)
    share = np.zeros(n)
    expected = np.zeros(n)  # Σ_i p_i · V_ij: the expected infected travellers
    for i, (row, weight) in enumerate(zip(outbound, weights, strict=True)):
        share += weight * row / row.sum()
        if per_origin is not None:
            expected += per_origin[i] * row

    excluded = np.zeros(n, dtype=bool)
    excluded[sources] = True
    if by == "country":
        own = {network.airport_country[s] for s in sources}
        excluded |= np.isin(network.airport_country, list(own)) & (network.airport_country >= 0)
    share[excluded] = 0.0
    expected[excluded] = 0.0
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
        expected = np.bincount(groups[known], weights=expected[known], minlength=size).astype(float)
        grouped = np.full(size, np.inf)
        np.minimum.at(grouped, groups[known], distance[known])
        distance = grouped
        names = network.countries_sorted
        keep = ~np.isin(np.arange(size), [network.airport_country[s] for s in sources])
    else:
        names = network.codes
        keep = ~excluded
    keep &= (share > 0) | np.isfinite(distance)

    if per_origin is not None:
        probability = -np.expm1(-expected)
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
