"""Reminders about surveillance reports not yet received: before the due time
and once it has passed, to the reporting party's officers (live and by
e-mail), each at most once per party, disease, period and stage."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from eocnet.actions import audit, notifications, surveillance
from eocnet.config import Settings
from eocnet.db.models import AggregateReport, ReportReminder, User
from eocnet.domain import surveillance as rules
from eocnet.domain.roles import Role
from eocnet.domain.surveillance import Schedule
from eocnet.realtime.log import Audience, publish

#: periods whose due time passed longer ago than this are not reminded about
LOOKBACK = timedelta(days=7)


def _due_reminders(
    settings: Settings,
    schedule: Schedule,
    due_days: int,
    due_hour: int,
    zone: str,
    now: datetime,
) -> list[tuple[str, date, datetime]]:
    """(stage, period start, due) for the periods to remind about now."""
    before = timedelta(hours=settings.report_reminder_before_hours)
    after = timedelta(hours=settings.report_reminder_after_hours)
    step = rules.period_length(schedule)
    out: list[tuple[str, date, datetime]] = []
    today = now.date()
    start = rules.period_start(schedule, today) - step * (LOOKBACK.days // step.days + 2)
    while start <= today:
        due = rules.due_at(schedule, start, due_days, due_hour, zone)
        if settings.report_reminder_before_hours and due - before <= now < due:
            out.append(("before", start, due))
        elif due + after <= now < due + LOOKBACK:
            out.append(("after", start, due))
        start += step
    return out


@dataclass(frozen=True, slots=True)
class Due:
    """A reminder to send: which disease, party, period and stage."""

    code: str
    name: str
    party: str
    stage: str
    start: date
    due: datetime
    label: str


def due_reminders(session: Session, settings: Settings, now: datetime) -> list[Due]:
    """The reminders whose time has come (a read: worked out before the write)."""
    diseases = surveillance.list_diseases(session)
    parties = surveillance.member_parties(session)
    plans = []
    for disease in diseases:
        for member in parties.values():
            for stage, start, due in _due_reminders(
                settings,
                Schedule(disease.schedule),
                disease.due_days,
                disease.due_hour,
                member.time_zone,
                now,
            ):
                if due <= disease.created_at:
                    continue  # due before the disease was set up
                label = rules.period_label(Schedule(disease.schedule), start)
                plans.append(Due(disease.code, disease.name, member.code, stage, start, due, label))
    return plans


def send_reminders(session: Session, settings: Settings, now: datetime, plans: list[Due]) -> int:
    """Send each reminder not yet sent and whose report has not arrived; returns how
    many were sent. Each is recorded once (a unique row), even with several runners."""
    return sum(_send(session, settings, now, plan) for plan in plans)


def _send(session: Session, settings: Settings, now: datetime, plan: Due) -> bool:
    party, code, start, stage = plan.party, plan.code, plan.start, plan.stage
    reported = session.scalar(
        select(AggregateReport.id)
        .where(
            AggregateReport.party == party,
            AggregateReport.disease == code,
            AggregateReport.period_start == start,
            AggregateReport.current.is_(True),
        )
        .limit(1)
    )
    done = session.scalar(
        select(ReportReminder.id).where(
            ReportReminder.party == party,
            ReportReminder.disease == code,
            ReportReminder.period_start == start,
            ReportReminder.stage == stage,
        )
    )
    if reported is not None or done is not None:
        return False
    try:
        with session.begin_nested():
            session.add(
                ReportReminder(
                    party=party, disease=code, period_start=start, stage=stage, sent_at=now
                )
            )
    except IntegrityError:  # another runner sent it
        return False
    publish(
        session,
        "surveillance.reminder",
        Audience("restricted", party, (party,)),
        {
            "party": party,
            "disease": code,
            "period": start.isoformat(),
            "label": plan.label,
            "stage": stage,
            "due": plan.due.isoformat(),
        },
    )
    emails = 0
    if settings.smtp_host:
        link = f"{settings.base_url.rstrip('/')}/surveillance/report"
        when = "is due" if stage == "before" else "was due"
        for user in session.scalars(
            select(User).where(User.party_code == party, User.is_active.is_(True))
        ):
            if not {Role.OFFICER.value, Role.FOCAL_POINT.value} & set(user.roles):
                continue
            notifications.queue_email(
                session,
                user.email,
                f"[eocnet] Report {when}: {plan.name} {plan.label} ({party})",
                f"The {plan.name} report of {party} for {plan.label} {when} at "
                f"{plan.due.isoformat()} (UTC) and has not arrived yet.\n\nReport: {link}\n",
            )
            emails += 1
    audit.record(
        session,
        None,
        f"surveillance.reminder.{stage}",
        "report",
        f"{party}/{code}/{start}",
        actor_label="scheduler",
        party_code=party,
        details={"emails": emails},
    )
    return True
