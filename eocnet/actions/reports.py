"""Situation reports: drafts with editable narrative sections; issuing numbers
the edition (``start_issue``), saves the build's progress, keeps the built edition
unchanged and distributes it in the app and by e-mail to those who asked for
reports. Building an edition (reading live data, drawing the figures, the PDF) is
``reports/editions.py``, which calls these write steps through the database's door.

Readers: the weekly regional report is for the member states and the
coordinator; an event report for the event's own audience. A report contains
only what every one of its readers may see (``reports/common.py``).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from eocnet.actions import audit, events, notifications
from eocnet.actions.errors import Conflict, Forbidden, Invalid, NotFound
from eocnet.db.models import NotificationPreference, Party, Report, User
from eocnet.db.types import utcnow
from eocnet.domain.actors import Actor
from eocnet.domain.roles import Role
from eocnet.domain.visibility import Visibility
from eocnet.domain.weeks import parse_week, week_of
from eocnet.realtime.log import Audience, publish

KINDS = ("sitrep", "weekly", "dissemination")
LANGUAGES = ("en", "id")
SECTIONS = {
    "sitrep": ("summary", "assessment", "actions"),
    "weekly": ("highlights", "outlook"),
    "dissemination": ("assessment",),
}
TITLES = {
    "weekly": "Weekly regional report {week}",
    "dissemination": "Risk assessment for international dissemination {week}",
}
MAX_NARRATIVE = 20_000


def audience(report: Report) -> Audience:
    return Audience(report.visibility, report.owner_party, tuple(report.parties))


def can_see(actor: Actor, report: Report) -> bool:
    return audience(report).allows(actor.party_code, actor.party_kind, actor.user_id)


def access(session: Session, actor: Actor, report_id: int) -> Report:
    found = session.get(Report, report_id)
    if found is None or not can_see(actor, found):
        raise NotFound(f"no report {report_id}")
    return found


def _writer(actor: Actor) -> bool:
    return (
        actor.scope == "write"
        and not actor.is_partner
        and any(r in (Role.OFFICER, Role.FOCAL_POINT, Role.COORDINATOR) for r in actor.roles)
    )


def _coordinator_code(session: Session) -> str:
    return session.scalar(select(Party.code).where(Party.kind == "coordinator").limit(1)) or ""


def network_name(session: Session) -> str:
    name = session.scalar(select(Party.name).where(Party.kind == "coordinator").limit(1))
    return f"{name} EOC network" if name else "EOC network"


@dataclass
class DraftFields:
    kind: str
    event_id: int | None = None
    week: str = ""
    language: str = "en"


def create(session: Session, actor: Actor, f: DraftFields) -> Report:
    """A draft: an event report (by those who see the event) or the weekly
    regional report (by the coordinator)."""
    if not _writer(actor):
        raise Forbidden("officers, focal points and the coordinator prepare reports")
    if f.kind not in KINDS:
        raise Invalid("kind is sitrep, weekly or dissemination", field="kind")
    if f.language not in LANGUAGES:
        raise Invalid("language is en or id", field="language")
    now = utcnow()
    if f.kind == "sitrep":
        if f.event_id is None:
            raise Invalid("an event report needs the event", field="event_id")
        try:
            event = events.access_event(session, actor, f.event_id)
        except NotFound:
            raise Invalid(f"no event {f.event_id}", field="event_id") from None
        report = Report(
            kind="sitrep",
            event_id=event.id,
            title=f"{event.hazard}: {event.title}"[:400],
            visibility=event.visibility,
            parties=sorted({*event.parties}),
            owner_party=event.owner_party,
        )
    else:
        if actor.party_kind != "coordinator":
            raise Forbidden("the coordinator prepares the network's periodic reports")
        week = f.week or week_of(now.date())
        try:
            parse_week(week)
        except ValueError as exc:
            raise Invalid(str(exc), field="week") from None
        report = Report(
            kind=f.kind,
            period=week,
            title=TITLES[f.kind].format(week=week),
            visibility=Visibility.NETWORK,
            parties=[],
            owner_party=_coordinator_code(session),
        )
    report.language = f.language
    report.narrative = {}
    report.status = "draft"
    report.created_by = actor.user_id
    report.created_at = report.updated_at = now
    session.add(report)
    session.flush()
    audit.record(
        session, actor, "report.drafted", "report", report.id, details={"kind": report.kind}
    )
    return report


def edit_narrative(session: Session, actor: Actor, report: Report, texts: dict[str, str]) -> Report:
    if not _writer(actor):
        raise Forbidden("your role cannot edit reports")
    if report.status != "draft":
        raise Conflict("an issued edition does not change; prepare a new draft")
    clean = {}
    for name, value in texts.items():
        if name not in SECTIONS[report.kind]:
            raise Invalid(
                f"sections are {', '.join(SECTIONS[report.kind])}", field=f"narrative.{name}"
            )
        if len(value) > MAX_NARRATIVE:
            raise Invalid(f"{name} is longer than 20,000 characters", field=f"narrative.{name}")
        clean[name] = value.strip()
    report.narrative = {**report.narrative, **clean}
    report.updated_at = utcnow()
    audit.record(session, actor, "report.edited", "report", report.id)
    return report


def start_issue(session: Session, actor: Actor, report: Report) -> Report:
    """Mark the draft as building; ``reports.editions.build_edition`` does the work."""
    if not _writer(actor):
        raise Forbidden("your role cannot issue reports")
    if report.kind != "sitrep" and actor.party_kind != "coordinator":
        raise Forbidden("the coordinator issues the network's periodic reports")
    if report.status == "issued":
        raise Conflict(f"edition {report.edition} is issued already")
    if report.status == "building":
        raise Conflict("this report is being built")
    # publishing first takes the log's lock, so no other issue of the same kind
    # can read the same last edition number before this one is saved
    publish(
        session,
        "report.progress",
        audience(report),
        {"id": report.id, "progress": 0, "note": "starting"},
    )
    previous = session.scalar(
        select(func.max(Report.edition)).where(
            Report.kind == report.kind,
            Report.event_id.is_(None)
            if report.event_id is None
            else Report.event_id == report.event_id,
        )
    )
    report.edition = (previous or 0) + 1
    report.status = "building"
    report.progress, report.progress_note, report.error = 0, "starting", ""
    report.issued_by = actor.user_id
    report.issued_at = report.updated_at = utcnow()
    audit.record(
        session, actor, "report.issue_started", "report", report.id,
        details={"edition": report.edition},
    )  # fmt: skip
    return report


def save_progress(session: Session, report_id: int, percent: int, note: str) -> None:
    """How far the build of an edition is, saved and published on the live stream."""
    report = session.get(Report, report_id)
    if report is not None:
        report.progress, report.progress_note = percent, note
        publish(
            session,
            "report.progress",
            audience(report),
            {"id": report_id, "progress": percent, "note": note},
        )


def fail_build(session: Session, report_id: int, error: str) -> None:
    """The build failed: the report is a draft again, showing the error."""
    report = session.get(Report, report_id)
    if report is not None:
        report.status, report.error = "draft", error
        report.edition = report.issued_at = None


def keep_edition(session: Session, report_id: int, html: str, pdf: bytes, base_url: str) -> Report:
    """Keep the built edition unchanged, announce it and e-mail those who asked."""
    report = session.get(Report, report_id)
    assert report is not None
    report.html = html
    report.pdf = pdf
    report.status, report.progress, report.progress_note = "issued", 100, "issued"
    audit.record(
        session,
        None,
        "report.issued",
        "report",
        report.id,
        actor_label="report builder",
        party_code=report.owner_party,
        details={"edition": report.edition, "kind": report.kind},
    )
    publish(
        session,
        "report.issued",
        audience(report),
        {
            "id": report.id,
            "title": report.title,
            "edition": report.edition,
            "kind": report.kind,
        },
    )
    _email_subscribers(session, report, base_url)
    return report


def _email_subscribers(session: Session, report: Report, base_url: str) -> None:
    readers = audience(report)
    rows = session.execute(
        select(User, Party.kind)
        .join(NotificationPreference, NotificationPreference.user_id == User.id)
        .join(Party, Party.code == User.party_code)
        .where(NotificationPreference.email_reports.is_(True), User.is_active.is_(True))
    )
    link = f"{base_url.rstrip('/')}/reports/{report.id}"
    for user, kind in rows:
        if readers.allows(user.party_code, kind, user.id):
            notifications.queue_email(
                session,
                user.email,
                f"[eocnet] {report.title} — edition {report.edition}",
                f"A new situation report was issued: {report.title}, edition {report.edition}.\n\n"
                f"Read it (PDF and HTML): {link}\n",
            )
