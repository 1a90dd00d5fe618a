"""What every situation report shares: who its readers are and the rule that
keeps each item to what all of them may see, figures as embedded images, and
the list of data sources with their licences.

The rule: a report is read by every party of its audience (all member states
and the coordinator for the weekly regional report; the event's own audience
for an event report), so an item goes in only when **every** reader may see it.
A restricted action item or a partners-only stock level never reaches a reader
who could not open it in eocnet.
"""

from __future__ import annotations

import base64
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from eocnet.db.models import Party
from eocnet.realtime.log import Audience

#: Called as a report builds: percent done, and what it is doing.
Progress = Callable[[int, str], None]


def no_progress(percent: int, note: str) -> None:
    return None


@dataclass(frozen=True)
class Reader:
    party: str
    kind: str


def readers(session: Session, audience: Audience) -> list[Reader]:
    rows = session.execute(select(Party.code, Party.kind).where(Party.active.is_(True)))
    return [Reader(code, kind) for code, kind in rows if audience.allows(code, kind, 0)]


def for_all(readers_: list[Reader], audience: Audience) -> bool:
    return all(audience.allows(r.party, r.kind, 0) for r in readers_)


def image(fig: Any, fmt: str = "svg") -> str:
    """A figure as a data URI, so that the HTML document is self-contained and
    WeasyPrint needs no file or network access."""
    from eocnet.render.charts import figure_bytes

    media = "image/svg+xml" if fmt == "svg" else "image/png"
    return f"data:{media};base64," + base64.b64encode(figure_bytes(fig, fmt)).decode()


SOURCES = [
    {
        "name": "Events, updates, acknowledgements, risk assessments, laboratory support, "
        "countermeasures and action items",
        "by": "the network's Emergency Operations Centres, through eocnet",
        "licence": "for the network's use; not to be published without the reporting party",
    },
    {
        "name": "Weekly surveillance reports",
        "by": "the member states' surveillance units, through eocnet",
        "licence": "for the network's use",
    },
    {
        "name": "Airports and routes (air network for importation risk)",
        "by": "OpenFlights.org (routes to June 2014)",
        "licence": "Open Database License (ODbL) 1.0",
    },
    {
        "name": "Country outlines",
        "by": "Natural Earth 1:110m, via world-atlas 2.0.2",
        "licence": "public domain",
    },
    {
        "name": "Signal detection and the reproduction number",
        "by": "EARS C1–C3, Farrington flexible (R 'surveillance') and Cori et al. 2013 "
        "(R 'EpiEstim'), as implemented in eocnet and checked against R",
        "licence": "GPL-2 (R packages); eocnet's implementation is its own",
    },
]
