"""The situation report of one event, from live data: the event and its
updates, case and death counts, the epidemic curve of its disease in its
country with the detection threshold, signals and Rt, rapid risk assessments,
where travellers from the country go (map and table), laboratory support,
countermeasures, advisories and open action items, and the follow-up of the
event's contacts (tracing notices every reader may see)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from eocnet.db.models import Event, EventUpdate, Party
from eocnet.domain.places import country_name
from eocnet.reports import sections
from eocnet.reports.common import SOURCES, Progress, Reader, no_progress


def build(
    session: Session,
    readers: list[Reader],
    event: Event,
    today: date,
    progress: Progress = no_progress,
) -> dict[str, Any]:
    progress(5, "event and updates")
    updates = list(
        session.scalars(
            select(EventUpdate).where(EventUpdate.event_id == event.id).order_by(EventUpdate.id)
        )
    )
    party = session.get(Party, event.owner_party)
    disease = sections.disease_for(session, event.hazard, event.icd_code)
    progress(20, "epidemic curve")
    curve = (
        sections.curve(session, readers, disease, event.country, country_name(event.country))
        if disease
        else None
    )
    signals = (
        sections.signals(
            session, readers, today - timedelta(weeks=8), today, disease.code, event.country
        )
        if disease
        else []
    )
    progress(45, "risk assessments")
    assessments = sections.assessments(session, readers, [event])
    progress(55, "importation risk")
    importation = sections.importation(event.country)
    progress(75, "coordination")
    coordination = sections.coordination(session, readers, today, event_id=event.id)
    progress(85, "contact tracing")
    tracing = sections.tracing_figures(session, readers, event, today)
    return {
        "kind": "sitrep",
        "title": f"{event.hazard}: {event.title}",
        "event": event,
        "party": party,
        "updates": updates,
        "disease": disease,
        "curve": curve,
        "signals": signals,
        "assessments": assessments,
        "importation": importation,
        "coordination": coordination,
        "tracing": tracing,
        "today": today,
        "sources": SOURCES,
    }
