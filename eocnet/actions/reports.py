"""Situation reports: drafts with editable narrative sections, rendered from
live data; issuing builds the figures and the PDF (with progress reported as
it goes), numbers the edition, keeps it unchanged, and distributes it in the
app and by e-mail to those who asked for reports.

Readers: the weekly regional report is for the member states and the
coordinator; an event report for the event's own audience. A report contains
only what every one of its readers may see (``reports/common.py``).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from eocnet.actions import audit, events, notifications
from eocnet.actions.errors import Conflict, Forbidden, Invalid, NotFound
from eocnet.db.database import Database
from eocnet.db.models import Event, NotificationPreference, Party, Report, User
from eocnet.db.types import utcnow
from eocnet.domain.actors import Actor
from eocnet.domain.roles import Role
from eocnet.domain.visibility import Visibility
from eocnet.realtime.log import Audience, publish
from eocnet.reports import common, dissemination_report, sitrep, weekly

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


def visible(session: Session, actor: Actor) -> list[Report]:
    rows = session.scalars(select(Report).order_by(Report.id.desc()).limit(500))
    return [r for r in rows if can_see(actor, r)]


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
        week = f.week or weekly.week_of(now.date())
        try:
            weekly.parse_week(week)
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


def context(
    session: Session, report: Report, today: date, progress: common.Progress = common.no_progress
) -> dict[str, Any]:
    """The report's data and figures, read now."""
    readers = common.readers(session, audience(report))
    if report.kind == "sitrep":
        event = session.get(Event, report.event_id)
        if event is None:
            raise NotFound(f"no event {report.event_id}")
        return sitrep.build(session, readers, event, today, progress)
    if report.kind == "dissemination":
        return dissemination_report.build(session, readers, report.period, today, progress)
    return weekly.build(session, readers, report.period, today, progress)


def render(
    session: Session,
    report: Report,
    *,
    today: date | None = None,
    progress: common.Progress = common.no_progress,
) -> str:
    """The draft as HTML from live data (an issued edition: its kept HTML)."""
    from eocnet.render.documents import report_html

    if report.status == "issued" and report.html is not None:
        return report.html
    now = utcnow()
    data = context(session, report, today or now.date(), progress)
    return report_html(
        data,
        report.language,
        texts={k: str(v) for k, v in report.narrative.items()},
        edition=report.edition,
        generated_at=now,
        issued_at=report.issued_at,
        network=network_name(session),
    )


def start_issue(session: Session, actor: Actor, report: Report) -> Report:
    """Mark the draft as building; ``build_edition`` does the work."""
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


def _progress(db: Database, report_id: int) -> common.Progress:
    def save(session: Session, percent: int, note: str) -> None:
        report = session.get(Report, report_id)
        if report is not None:
            report.progress, report.progress_note = percent, note
            publish(
                session,
                "report.progress",
                audience(report),
                {"id": report_id, "progress": percent, "note": note},
            )

    def step(percent: int, note: str) -> None:
        db.run_sync(save, percent, note)

    return step


def build_edition(db: Database, report_id: int, base_url: str = "") -> Report | None:
    """Render the figures and the PDF, then number and keep the edition and
    distribute it. Runs outside a request (a background task, the CLI, the
    jobs); progress is saved as it goes. A failure leaves the draft as it was,
    with the error."""
    from eocnet.render.documents import html_to_pdf

    step = _progress(db, report_id)
    try:
        with db.read() as session:
            report = session.get(Report, report_id)
            if report is None or report.status != "building":
                return None
            html = render(session, report, progress=step)
        step(85, "PDF")
        pdf = html_to_pdf(html)
    except Exception as exc:  # the draft stays; the error is shown on its page
        db.run_sync(_failed, report_id, f"{type(exc).__name__}: {exc}"[:2000])
        raise
    # Computed above from a read; only keeping the edition holds the writer (alone:
    # the PDF is large, and the small writes queued beside it need not wait for it).
    return db.run_sync(_keep_edition, report_id, html, pdf, base_url, alone=True)


def _failed(session: Session, report_id: int, error: str) -> None:
    report = session.get(Report, report_id)
    if report is not None:
        report.status, report.error = "draft", error
        report.edition = report.issued_at = None


def _keep_edition(session: Session, report_id: int, html: str, pdf: bytes, base_url: str) -> Report:
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


def build_in_background(db: Database, report_id: int, base_url: str = "") -> None:
    """``build_edition`` after a request has been answered: a failure is logged
    (the draft shows the error) instead of being raised into the server."""
    try:
        build_edition(db, report_id, base_url)
    except Exception:
        logging.getLogger(__name__).exception("building report %s failed", report_id)


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


def issue_now(db: Database, actor: Actor, report_id: int, base_url: str = "") -> Report:
    """Start and build in one go (the command line and the schedule)."""
    db.run_sync(lambda session: start_issue(session, actor, access(session, actor, report_id)))
    built = build_edition(db, report_id, base_url)
    assert built is not None
    return built


def scheduled_weekly(db: Database, now: datetime, base_url: str) -> Report | None:
    """The weekly regional report of the week that just ended, issued on Monday
    from 08:00 in the coordinator's time zone (once)."""
    from zoneinfo import ZoneInfo

    with db.read() as session:
        coordinator = session.scalar(select(Party).where(Party.kind == "coordinator").limit(1))
        if coordinator is None:
            return None
        local = now.astimezone(ZoneInfo(coordinator.time_zone or "UTC"))
        if local.isoweekday() != 1 or local.hour < 8:
            return None
        week = weekly.week_of(local.date() - timedelta(days=7))
        exists = session.scalar(
            select(Report.id).where(
                Report.kind == "weekly", Report.period == week, Report.status != "draft"
            )
        )
        if exists is not None:
            return None
        actor = Actor(
            user_id=0,
            email="schedule@eocnet",
            party_code=coordinator.code,
            party_kind="coordinator",
            roles=(Role.COORDINATOR,),
        )
    report_id = db.run_sync(
        lambda session: create(session, actor, DraftFields("weekly", week=week)).id
    )
    return issue_now(db, actor, report_id, base_url)
