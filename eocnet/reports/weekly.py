"""The weekly regional report for an ISO week: new and updated events,
figures per country, surveillance (curves with thresholds, signals,
completeness, Rt), rapid risk assessments, the risk of international
dissemination of the open events, laboratory support, countermeasures,
advisories and fact checks published, and the open and overdue actions."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from eocnet.actions import fact_checks, surveillance
from eocnet.db.models import Event
from eocnet.domain.places import country_name
from eocnet.domain.weeks import parse_week
from eocnet.reports import sections
from eocnet.reports.common import SOURCES, Progress, Reader, no_progress

OPEN = ("signal", "verified", "ongoing")
MAX_DISSEMINATION = 5


def build(
    session: Session,
    readers: list[Reader],
    week: str,
    today: date,
    progress: Progress = no_progress,
) -> dict[str, Any]:
    monday, sunday = parse_week(week)
    start = datetime.combine(monday, time.min, UTC)
    end = datetime.combine(sunday + timedelta(days=1), time.min, UTC)
    progress(5, "events")
    this_week = sections.visible_events(
        session,
        readers,
        select(Event)
        .where(
            or_(
                Event.created_at.between(start, end),
                Event.updated_at.between(start, end),
            )
        )
        .order_by(Event.created_at.desc()),
    )
    open_events = sections.visible_events(
        session,
        readers,
        select(Event).where(Event.status.in_(OPEN), Event.created_at < end).order_by(Event.id),
    )
    totals = sections.case_totals(open_events)
    progress(15, "surveillance")
    curves = []
    completeness = []
    for disease in surveillance.list_diseases(session):
        made = sections.curve(session, readers, disease, None, "region")
        if made is not None:
            curves.append(made)
        shared = sections.shared_parties(session, readers, disease)
        if disease.schedule != "daily" and shared:
            # the last four reporting periods that end by the report's Sunday
            rows = surveillance.completeness(
                session,
                sections.reader_actor(readers[0]),
                disease,
                monday - timedelta(days=28),
                sunday,
            )
            completeness.append(
                {"disease": disease, "rows": [r for r in rows if r.party in shared]}
            )
    signals = sections.signals(session, readers, monday - timedelta(days=6), sunday)
    under_verification = sections.signals_under_verification(session, sunday)
    progress(45, "risk assessments")
    assessments = sections.assessments(session, readers, signed_between=(monday, sunday))
    progress(55, "importation risk")
    countries = list(
        dict.fromkeys(e.country for e in open_events if e.is_alert or e.status != "signal")
    )
    dissemination = [sections.importation(c, top=5) for c in countries[:MAX_DISSEMINATION]]
    progress(75, "coordination")
    coordination = sections.coordination(
        session, readers, today, published_between=(monday, sunday)
    )
    checks = [
        c
        for c in fact_checks.public_checks(session)
        if c.published_at and monday <= c.published_at.date() <= sunday
    ]
    return {
        "kind": "weekly",
        "title": f"Weekly regional report {week}",
        "week": week,
        "monday": monday,
        "sunday": sunday,
        "events": this_week,
        "open_events": open_events,
        "totals": totals,
        "country_name": country_name,
        "curves": curves,
        "completeness": completeness,
        "signals": signals,
        "under_verification": under_verification,
        "assessments": assessments,
        "dissemination": dissemination,
        "coordination": coordination,
        "fact_checks": checks,
        "today": today,
        "sources": SOURCES,
    }
