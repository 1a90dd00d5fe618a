"""The periodic "Risk Assessment for International Dissemination" report, as an
edition like the other situation reports: for each open event every reader may
see, where travellers from its country go first, with a map."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from eocnet.db.models import Event
from eocnet.reports import sections
from eocnet.reports.common import SOURCES, Progress, Reader, no_progress

OPEN = ("signal", "verified", "ongoing")
MAX_COUNTRIES = 8


def build(
    session: Session,
    readers: list[Reader],
    period: str,
    today: date,
    progress: Progress = no_progress,
) -> dict[str, Any]:
    progress(10, "open events")
    events = sections.visible_events(
        session, readers, select(Event).where(Event.status.in_(OPEN)).order_by(Event.id)
    )
    by_country: dict[str, list[Event]] = {}
    for event in events:
        by_country.setdefault(event.country, []).append(event)
    entries = []
    for i, (country, listed) in enumerate(list(by_country.items())[:MAX_COUNTRIES]):
        progress(20 + 60 * i // max(1, len(by_country)), f"importation risk: {country}")
        entries.append({"events": listed, "importation": sections.importation(country)})
    return {
        "kind": "dissemination",
        "title": f"Risk assessment for international dissemination {period}",
        "period": period,
        "entries": entries,
        "today": today,
        "sources": SOURCES,
    }
