"""Building a report's edition: read the live data (sitrep.py, weekly.py,
dissemination_report.py), draw the figures, render the HTML and the PDF, then
keep the edition through the write door (``actions/reports``: numbering, progress,
keeping, distribution). Runs outside a request: a background task after the page or
the API answered, the command line, the weekly schedule."""

from __future__ import annotations

import logging
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from eocnet.actions import reports as actions
from eocnet.actions.errors import NotFound
from eocnet.db.database import Database
from eocnet.db.models import Event, Party, Report
from eocnet.db.types import utcnow
from eocnet.domain.actors import Actor
from eocnet.domain.roles import Role
from eocnet.domain.weeks import week_of
from eocnet.reports import common, dissemination_report, sitrep, weekly


def context(
    session: Session, report: Report, today: date, progress: common.Progress = common.no_progress
) -> dict[str, Any]:
    """The report's data and figures, read now."""
    readers = common.readers(session, actions.audience(report))
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
        network=actions.network_name(session),
    )


def _progress(db: Database, report_id: int) -> common.Progress:
    def step(percent: int, note: str) -> None:
        db.run_sync(actions.save_progress, report_id, percent, note)

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
        db.run_sync(actions.fail_build, report_id, f"{type(exc).__name__}: {exc}"[:2000])
        raise
    # Computed above from a read; only keeping the edition holds the writer (alone:
    # the PDF is large, and the small writes queued beside it need not wait for it).
    return db.run_sync(actions.keep_edition, report_id, html, pdf, base_url, alone=True)


def build_in_background(db: Database, report_id: int, base_url: str = "") -> None:
    """``build_edition`` after a request has been answered: a failure is logged
    (the draft shows the error) instead of being raised into the server."""
    try:
        build_edition(db, report_id, base_url)
    except Exception:
        logging.getLogger(__name__).exception("building report %s failed", report_id)


def issue_now(db: Database, actor: Actor, report_id: int, base_url: str = "") -> Report:
    """Start and build in one go (the command line and the schedule)."""
    db.run_sync(
        lambda session: actions.start_issue(
            session, actor, actions.access(session, actor, report_id)
        )
    )
    built = build_edition(db, report_id, base_url)
    assert built is not None
    return built


def scheduled_weekly(db: Database, now: datetime, base_url: str) -> Report | None:
    """The weekly regional report of the week that just ended, issued on Monday
    from 08:00 in the coordinator's time zone (once)."""
    with db.read() as session:
        coordinator = session.scalar(select(Party).where(Party.kind == "coordinator").limit(1))
        if coordinator is None:
            return None
        local = now.astimezone(ZoneInfo(coordinator.time_zone or "UTC"))
        if local.isoweekday() != 1 or local.hour < 8:
            return None
        week = week_of(local.date() - timedelta(days=7))
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
        lambda session: actions.create(session, actor, actions.DraftFields("weekly", week=week)).id
    )
    return issue_now(db, actor, report_id, base_url)
