"""Sharing a pledged quantity (vaccine doses, antivirals, test kits) among the
parties that asked for it, by a rule anyone can check by hand.

The rule, in order:

1. **Minimum**: each requesting party first receives ``minimum`` units (never more
   than it asked for). If the pledge cannot cover every minimum, step 1 is
   skipped and the whole pledge is shared as in step 2.
2. **Proportional share** of what is left, in proportion to each party's weight:
   its request (``basis="need"``) or its population
   (``basis="population"``). No party receives more than it asked for; what a
   capped party cannot take is shared again among the others (water-filling).
3. **Whole units by the largest-remainder method** (Hamilton): each party gets the
   whole part of its share, and the units left go one each to the largest
   fractional parts; ties go to the larger weight, then to the alphabetically
   first party code, so the same inputs always give the same answer.

What no party asked for stays unallocated.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

BASES = ("need", "population")


@dataclass(frozen=True)
class Allocation:
    shares: dict[str, int]
    unallocated: int
    minimum_applied: bool


def allocate(
    total: int,
    requested: Mapping[str, int],
    *,
    weights: Mapping[str, float] | None = None,
    minimum: int = 0,
) -> Allocation:
    """``requested``: units each party asked for. ``weights``: population or any
    other weight per party (default: the requests themselves)."""
    if total < 0 or minimum < 0:
        raise ValueError("the quantity and the minimum cannot be negative")
    asked = {p: int(q) for p, q in requested.items() if q > 0}
    if any(q < 0 for q in requested.values()):
        raise ValueError("a request cannot be negative")
    weight = {p: float((weights or asked).get(p, 0.0)) for p in asked}
    if any(w < 0 or math.isnan(w) for w in weight.values()):
        raise ValueError("weights cannot be negative")
    shares = dict.fromkeys(asked, 0)
    if not asked or total == 0:
        return Allocation(shares, total, False)
    if total >= sum(asked.values()):
        return Allocation(dict(asked), total - sum(asked.values()), False)

    minimum_applied = minimum > 0 and sum(min(minimum, q) for q in asked.values()) <= total
    if minimum_applied:
        shares = {p: min(minimum, q) for p, q in asked.items()}
    remaining = total - sum(shares.values())

    # water-filling: parties whose proportional share would exceed their request
    # are capped at it, and the rest is shared again among the others
    active = {p for p in asked if asked[p] > shares[p]}
    exact: dict[str, float] = {}
    while active:
        total_weight = sum(weight[p] for p in active)
        if total_weight <= 0:  # no weight left: share equally
            exact = {p: remaining / len(active) for p in active}
        else:
            exact = {p: remaining * weight[p] / total_weight for p in active}
        capped = {p for p in active if shares[p] + exact[p] >= asked[p]}
        if not capped:
            break
        for p in capped:
            remaining -= asked[p] - shares[p]
            shares[p] = asked[p]
        active -= capped
        exact = {}

    floors = {p: math.floor(exact[p] + 1e-9) for p in exact}
    for p, units in floors.items():
        shares[p] += units
    left = remaining - sum(floors.values())
    order = sorted(exact, key=lambda p: (-(exact[p] - floors[p]), -weight[p], p))
    for p in order[:left]:
        shares[p] += 1
    return Allocation(shares, total - sum(shares.values()), minimum_applied)
