"""The sections situation reports are made of, each read from live data and
kept to what every reader may see (``common.for_all``). Figures are drawn at
each call, so every edition has current ones."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from eocnet.actions import advisories as advisory_actions
from eocnet.actions import countermeasures, laboratories, meetings, surveillance
from eocnet.actions import risk_assessments as rra_actions
from eocnet.db.models import (
    ActionItem,
    CountermeasureRequest,
    Disease,
    Event,
    RiskAssessment,
    SupportRequest,
    SurveillanceSignal,
)
from eocnet.domain import coordination as rules
from eocnet.domain.actors import Actor
from eocnet.domain.places import country_name
from eocnet.queries import countermeasures as countermeasure_queries
from eocnet.realtime.log import Audience
from eocnet.reports.common import Reader, for_all, image


def reader_actor(reader: Reader) -> Actor:
    return Actor(user_id=0, email="", party_code=reader.party, party_kind=reader.kind, roles=())


def event_audience(event: Event) -> Audience:
    return Audience(event.visibility, event.owner_party, tuple(event.parties))


def visible_events(session: Session, readers: list[Reader], query: Any) -> list[Event]:
    return [e for e in session.scalars(query) if for_all(readers, event_audience(e))]


# ---------------------------------------------------------------- surveillance


@dataclass
class Curve:
    disease: Disease
    where: str
    figure: str
    last_period: date | None
    last_cases: float | None
    alarms: int
    rt_figure: str = ""
    rt_panel: list[RtLatest] = field(default_factory=list)


@dataclass
class RtLatest:
    """A country's latest Rt window: the estimate with its 95% credible
    interval, or no estimate and why; ``note`` also marks an unstable one."""

    party: str
    name: str
    first: date
    last: date
    mean: float | None
    q025: float | None
    q975: float | None
    note: str


def rt_latest(entry: surveillance.NationalRt) -> RtLatest:
    i = entry.latest()
    first, last = entry.window_dates(i)
    est = entry.estimate

    def value(a: Any) -> float | None:
        return None if np.isnan(a[i]) else float(a[i])

    return RtLatest(
        entry.party,
        country_name(entry.party),
        first,
        last,
        value(est.mean),
        value(est.q025),
        value(est.q975),
        est.note[i] if est.note else "",
    )


def shared_parties(session: Session, readers: list[Reader], disease: Disease) -> list[str]:
    """The parties whose totals every reader may see."""
    sets = [set(surveillance.visible_parties(session, reader_actor(r), disease)) for r in readers]
    return sorted(set.intersection(*sets)) if sets else []


def curve(
    session: Session,
    readers: list[Reader],
    disease: Disease,
    party: str | None,
    label: str,
    last: int = 52,
) -> Curve | None:
    from eocnet.render.charts import epicurve_figure, rt_figure

    parties = shared_parties(session, readers, disease)
    if party is not None and party not in parties:
        return None
    series = surveillance.build_series(session, disease, party, parties, last=last)
    if not series.periods:
        return None
    detection = series.detection
    alarms = int(np.nansum(detection.alarm[-last:])) if detection is not None else 0
    out = Curve(
        disease,
        label,
        image(epicurve_figure(series, last=last, width=7.0)),
        series.periods[-1],
        float(series.cases[-1]) if not np.isnan(series.cases[-1]) else None,
        alarms,
    )
    if party is not None:
        estimate = surveillance.reproduction_number(series)
        if estimate is not None and len(estimate.mean):
            out.rt_figure = image(rt_figure(series, estimate, width=7.0))
            entry = surveillance.NationalRt(party, series, estimate)
            out.rt_panel = [rt_latest(entry)]
    elif disease.si_mean is not None and disease.si_sd is not None:
        # the region: a panel of national estimates, never Rt of the sum
        out.rt_panel = [
            rt_latest(e) for e in surveillance.reproduction_panel(session, disease, parties)
        ]
    return out


def disease_for(session: Session, hazard: str, icd: str) -> Disease | None:
    """The surveillance disease an event's hazard is about (by name or ICD code)."""
    for disease in surveillance.list_diseases(session):
        if disease.name.casefold() == hazard.casefold() or (
            icd and disease.icd_code and icd.upper().startswith(disease.icd_code.upper())
        ):
            return disease
    return None


def signals(
    session: Session,
    readers: list[Reader],
    first: date,
    last: date,
    disease: str = "",
    party: str = "",
) -> list[SurveillanceSignal]:
    query = (
        select(SurveillanceSignal)
        .where(SurveillanceSignal.period_start.between(first, last))
        .order_by(SurveillanceSignal.period_start.desc(), SurveillanceSignal.party)
    )
    if disease:
        query = query.where(SurveillanceSignal.disease == disease)
    if party:
        query = query.where(SurveillanceSignal.party == party)
    found = list(session.scalars(query))
    # Each signal is as visible as the event it raised: their events in one query.
    events = {
        e.id: e
        for e in session.scalars(select(Event).where(Event.id.in_({s.event_id for s in found})))
    }
    return [
        s
        for s in found
        if s.event_id in events and for_all(readers, event_audience(events[s.event_id]))
    ]


def signals_under_verification(session: Session, until: date) -> list[tuple[str, int]]:
    """Per country, how many detection signals raised by ``until`` still wait
    for verification (their event's status is still ``signal``). Counts only:
    no restricted detail of the signals themselves."""
    from sqlalchemy import func

    rows = session.execute(
        select(SurveillanceSignal.party, func.count())
        .join(Event, Event.id == SurveillanceSignal.event_id)
        .where(Event.status == "signal", SurveillanceSignal.period_start <= until)
        .group_by(SurveillanceSignal.party)
        .order_by(SurveillanceSignal.party)
    )
    return [(party, int(n)) for party, n in rows]


# ---------------------------------------------------------------- risk


def assessments(
    session: Session, readers: list[Reader], events: list[Event] | None = None,
    signed_between: tuple[date, date] | None = None,
) -> list[RiskAssessment]:  # fmt: skip
    query = select(RiskAssessment).where(RiskAssessment.status == "signed_off")
    if events is not None:
        query = query.where(RiskAssessment.event_id.in_([e.id for e in events]))
    out = []
    for rra in session.scalars(query.order_by(RiskAssessment.signed_off_at.desc())):
        if signed_between and rra.signed_off_at is not None:
            day = rra.signed_off_at.date()
            if not signed_between[0] <= day <= signed_between[1]:
                continue
        event = session.get(Event, rra.event_id)
        if (
            event is not None
            and for_all(readers, event_audience(event))
            and for_all(readers, rra_actions.audience(session, rra))
        ):
            out.append(rra)
    return out


@dataclass
class Importation:
    country: str
    destinations: list[Any]
    note: str
    map_figure: str = ""
    bar_figure: str = ""


def importation(country: str, top: int = 10) -> Importation:
    from eocnet.render.charts import barh_figure, choropleth_figure
    from eocnet.reports.dissemination import top_destinations

    destinations, note = top_destinations(country, top)
    out = Importation(country, destinations, note)
    if destinations:
        out.map_figure = image(
            choropleth_figure(
                {d.country: d.share for d in destinations},
                highlight=country,
                bounds=(40.0, 180.0, -50.0, 60.0),
                width=7.0,
            )
        )
        out.bar_figure = image(
            barh_figure(
                [d.name for d in destinations],
                [100 * d.share for d in destinations],
                xlabel="% of direct airline routes (OpenFlights, June 2014)",
            )
        )
    return out


# ---------------------------------------------------------------- coordination


@dataclass
class Coordination:
    support: list[SupportRequest] = field(default_factory=list)
    needs: list[CountermeasureRequest] = field(default_factory=list)
    pledges: list[dict[str, Any]] = field(default_factory=list)
    near_expiry: list[Any] = field(default_factory=list)
    actions: list[Any] = field(default_factory=list)
    overdue: set[int] = field(default_factory=set)
    advisories: list[Any] = field(default_factory=list)


def coordination(
    session: Session,
    readers: list[Reader],
    today: date,
    *,
    event_id: int | None = None,
    published_between: tuple[date, date] | None = None,
) -> Coordination:
    out = Coordination()
    query = select(SupportRequest).where(
        SupportRequest.status.in_(("open", "offered", "accepted", "shipped"))
    )
    if event_id is not None:
        query = query.where(SupportRequest.event_id == event_id)
    out.support = [
        r
        for r in session.scalars(query.order_by(SupportRequest.id))
        if for_all(readers, laboratories.audience(session, r))
    ]
    needs = select(CountermeasureRequest).where(
        CountermeasureRequest.status.in_(("open", "pledged"))
    )
    if event_id is not None:
        needs = needs.where(CountermeasureRequest.event_id == event_id)
    out.needs = list(session.scalars(needs.order_by(CountermeasureRequest.id)))
    if event_id is None:
        pledges = list(session.scalars(countermeasure_queries.pledges()))
        shares = countermeasure_queries.allocations_of(session, [p.id for p in pledges])
        for pledge in pledges:
            totals = countermeasure_queries.reconciliation(pledge, shares[pledge.id])
            out.pledges.append({"pledge": pledge, "totals": totals})
        if all(r.kind in ("member", "coordinator") for r in readers) and readers:
            stock = countermeasures.stock(session, reader_actor(readers[0]))
            out.near_expiry = [s for s in stock if rules.near_expiry(s.expiry, today)]
    items = []
    for item in session.scalars(
        select(ActionItem)
        .where(ActionItem.status.in_(("open", "in_progress")))
        .order_by(ActionItem.due_on)
    ):
        if for_all(readers, meetings.action_audience(session, item)):
            items.append(item)
    out.actions = items[:30]
    out.overdue = {a.id for a in items if rules.overdue(a.due_on, a.status, today)}
    for message in advisory_actions.public_messages(session):
        if event_id is not None and message.content.get("event_id") != event_id:
            continue
        if published_between and not (
            published_between[0] <= message.sent_at.date() <= published_between[1]
        ):
            continue
        out.advisories.append(message)
    return out


def case_totals(events: list[Event]) -> dict[str, dict[str, int]]:
    """Per country: open events, and their cases and deaths (all classifications)."""
    out: dict[str, dict[str, int]] = {}
    for e in events:
        row = out.setdefault(e.country, {"events": 0, "alerts": 0, "cases": 0, "deaths": 0})
        row["events"] += 1
        row["alerts"] += int(e.is_alert)
        row["cases"] += e.cases_suspected + e.cases_probable + e.cases_confirmed
        row["deaths"] += e.deaths_suspected + e.deaths_probable + e.deaths_confirmed
    return dict(sorted(out.items()))


# ---------------------------------------------------------------- contact tracing


@dataclass
class TracingFigures:
    notices: int
    total: dict[str, Any]
    parties: list[tuple[str, dict[str, Any]]] = field(default_factory=list)


def tracing_figures(
    session: Session, readers: list[Reader], event: Event, today: date
) -> TracingFigures | None:
    """The follow-up figures of the event's tracing notices (no personal data), over the
    notices every reader may see: a notice is need-to-know (its sender, its addressees
    and the coordinator), so a report read more widely leaves it out."""
    from eocnet.actions import tracing
    from eocnet.actions.directory import coordinator_code
    from eocnet.db.models import TracingNotice

    coordinator = coordinator_code(session)
    notices = [
        n
        for n in session.scalars(
            select(TracingNotice)
            .where(TracingNotice.event_id == event.id)
            .order_by(TracingNotice.id)
        )
        if for_all(readers, tracing.notice_audience(n, coordinator))
    ]
    if not notices:
        return None
    figures = tracing.follow_up_figures(session, notices, today)
    return TracingFigures(
        len(notices), figures["total"], [(k or "–", v) for k, v in figures["parties"].items()]
    )
