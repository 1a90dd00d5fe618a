"""The regional dashboard's figures, for one viewer: open events by country,
key figures per country, signals of the week, alerts not yet acknowledged,
overdue actions and reporting completeness; filtered by hazard and period."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from eocnet.actions import surveillance
from eocnet.db.audience import visible_to
from eocnet.db.models import AggregateReport, Disease, Event, Party, SurveillanceSignal
from eocnet.db.types import utcnow
from eocnet.domain import coordination as rules
from eocnet.domain.actors import Actor
from eocnet.domain.surveillance import Schedule, periods_between
from eocnet.queries import meetings

PERIODS = (7, 30, 90, 365)
OPEN = ("signal", "verified", "ongoing")


@dataclass
class Dashboard:
    hazard: str
    days: int
    hazards: list[str]
    countries: dict[str, dict[str, Any]] = field(default_factory=dict)
    events: list[Event] = field(default_factory=list)
    signals: list[SurveillanceSignal] = field(default_factory=list)
    unacknowledged: list[tuple[Event, list[str]]] = field(default_factory=list)
    overdue: list[Any] = field(default_factory=list)


def _open_events(actor: Actor, hazard: str, since: Any) -> Any:
    """Open events the actor may see, updated since ``since``, of one hazard or all."""
    query = select(Event).where(
        visible_to(Event, actor), Event.status.in_(OPEN), Event.updated_at >= since
    )
    if hazard:
        query = query.where(func.lower(Event.hazard) == hazard.lower())
    return query


def open_events_per_country(
    session: Session, actor: Actor, *, hazard: str = "", days: int = 30
) -> dict[str, int]:
    """What the map shows: open events per country, every member state listed
    (a count and the member list, not the whole dashboard)."""
    counts = dict.fromkeys(_members(session), 0)
    query = _open_events(actor, hazard, utcnow() - timedelta(days=days)).subquery()
    for country, n in session.execute(
        select(query.c.country, func.count()).group_by(query.c.country)
    ):
        counts[country] = int(n)
    return counts


def _members(session: Session) -> dict[str, str]:
    return dict(
        session.execute(
            select(Party.code, Party.name).where(Party.kind == "member", Party.active.is_(True))
        ).all()
    )


def build(session: Session, actor: Actor, *, hazard: str = "", days: int = 30) -> Dashboard:
    now = utcnow()
    since = now - timedelta(days=days)
    members = _members(session)
    hazards = sorted(
        {
            h
            for (h,) in session.execute(
                select(Event.hazard)
                .where(visible_to(Event, actor), Event.status.in_(OPEN))
                .distinct()
            )
        }
    )
    events = list(
        session.scalars(
            _open_events(actor, hazard, since)
            .options(selectinload(Event.acknowledgements))
            .order_by(Event.updated_at.desc())
            .limit(2000)
        )
    )
    out = Dashboard(hazard, days, hazards, events=events)
    for code, name in sorted(members.items()):
        out.countries[code] = {
            "name": name, "events": 0, "alerts": 0, "cases": 0, "deaths": 0, "signals": 0,
            "completeness": None,
        }  # fmt: skip
    for e in events:
        row = out.countries.setdefault(
            e.country,
            {"name": e.country, "events": 0, "alerts": 0, "cases": 0, "deaths": 0, "signals": 0,
             "completeness": None},
        )  # fmt: skip
        row["events"] += 1
        row["alerts"] += int(e.is_alert)
        row["cases"] += e.cases_suspected + e.cases_probable + e.cases_confirmed
        row["deaths"] += e.deaths_suspected + e.deaths_probable + e.deaths_confirmed
        if e.is_alert:
            acknowledged = {a.party_code for a in e.acknowledgements}
            missing = [p for p in e.addressed if p not in acknowledged]
            if missing:
                out.unacknowledged.append((e, missing))
    signal_query = (
        select(SurveillanceSignal)
        .join(Event, Event.id == SurveillanceSignal.event_id)
        .where(visible_to(Event, actor), SurveillanceSignal.created_at >= now - timedelta(days=7))
        .order_by(SurveillanceSignal.id.desc())
    )
    if hazard:
        signal_query = signal_query.where(func.lower(Event.hazard) == hazard.lower())
    out.signals = list(session.scalars(signal_query.limit(200)))
    for party, n in session.execute(
        select(SurveillanceSignal.party, func.count())
        .join(Event, Event.id == SurveillanceSignal.event_id)
        .where(visible_to(Event, actor), SurveillanceSignal.created_at >= since)
        .group_by(SurveillanceSignal.party)
    ):
        if party in out.countries:
            out.countries[party]["signals"] = int(n)
    today = now.date()
    out.overdue = [
        a
        for a in session.scalars(meetings.action_items(actor, open_only=True))
        if rules.overdue(a.due_on, a.status, today)
    ]
    _completeness(session, actor, out, today)
    return out


def _completeness(session: Session, actor: Actor, out: Dashboard, today: Any) -> None:
    """Share of the weekly reports due in the last four weeks that arrived, per
    party, over the diseases whose figures the viewer may see."""
    expected: dict[str, int] = {}
    received: dict[str, int] = {}
    for disease in session.scalars(
        select(Disease).where(Disease.active.is_(True), Disease.schedule != "daily")
    ):
        parties = surveillance.visible_parties(session, actor, disease)
        periods = periods_between(
            Schedule(disease.schedule), today - timedelta(days=35), today - timedelta(days=7)
        )
        if not periods or not parties:
            continue
        counts = dict(
            session.execute(
                select(
                    AggregateReport.party, func.count(func.distinct(AggregateReport.period_start))
                )
                .where(
                    AggregateReport.disease == disease.code,
                    AggregateReport.party.in_(parties),
                    AggregateReport.period_start.in_(periods),
                )
                .group_by(AggregateReport.party)
            ).all()
        )
        for party in parties:
            expected[party] = expected.get(party, 0) + len(periods)
            received[party] = received.get(party, 0) + int(counts.get(party, 0))
    for party, n in expected.items():
        if party in out.countries and n:
            out.countries[party]["completeness"] = round(100 * received[party] / n)
