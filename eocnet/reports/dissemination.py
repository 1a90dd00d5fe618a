"""The risk of international dissemination by air, for every open event
the reader may see: where travellers from the event's country go first."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from eocnet.db.audience import visible_to
from eocnet.db.models import Event
from eocnet.db.types import utcnow
from eocnet.domain.actors import Actor

OPEN = ("signal", "verified", "ongoing")
ORIGINS_PER_COUNTRY = 3


@dataclass
class Destination:
    country: str
    name: str
    share: float
    effective_distance: float


@dataclass
class Entry:
    event: Event
    origins: list[str]
    destinations: list[Destination] = field(default_factory=list)
    note: str = ""


@dataclass
class DisseminationReport:
    generated_at: datetime
    network: str
    attribution: str
    entries: list[Entry]


def main_airports(country: str, limit: int = ORIGINS_PER_COUNTRY) -> list[str]:
    """The country's airports with the most outbound routes (by airlines)."""
    from eocnet.interop import openflights

    network = openflights.default_network()
    index = network.country_index.get(country)
    if index is None:
        return []
    members = np.flatnonzero(network.airport_country == index)
    outbound = np.asarray(network.weights.sum(axis=1)).ravel()[members]
    order = np.argsort(-outbound, kind="stable")
    return [network.codes[members[i]] for i in order[:limit] if outbound[i] > 0]


def top_destinations(country: str, top: int = 10) -> tuple[list[Destination], str]:
    """Where travellers leaving ``country`` by air go first (by country), from
    its main airports on the OpenFlights network; a note when there is nothing
    to compute."""
    import pycountry

    from eocnet.analytics.importation import importation_risk
    from eocnet.interop import openflights

    origins = main_airports(country)
    if not origins:
        return [], "no airport with scheduled routes in this country's data"
    try:
        table = importation_risk(openflights.default_network(), origins, by="country")
    except ValueError as exc:
        return [], str(exc)
    out = []
    for i in range(min(top, len(table.destinations))):
        code = table.destinations[i]
        found = pycountry.countries.get(alpha_3=code)
        out.append(
            Destination(
                code,
                found.name if found else code,
                float(table.share[i]),
                float(table.effective_distance[i]),
            )
        )
    return out, ""


def build(session: Session, actor: Actor, top: int = 10) -> DisseminationReport:
    from eocnet.interop import openflights

    network = openflights.default_network()
    events = session.scalars(
        select(Event)
        .where(visible_to(Event, actor), Event.status.in_(OPEN))
        .order_by(Event.id.desc())
        .limit(50)
    ).all()
    entries = []
    for event in events:
        origins = main_airports(event.country)
        destinations, note = top_destinations(event.country, top)
        entries.append(Entry(event, origins, destinations, note))
    return DisseminationReport(utcnow(), network.source, openflights.ATTRIBUTION, entries)
