"""``eocnet report``: situation reports from live data."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from sqlalchemy import select
from sqlalchemy.orm import Session

from eocnet.actions import users
from eocnet.cli.common import database, fail, find_user, group
from eocnet.db.models import Party, User
from eocnet.domain.actors import Actor

if TYPE_CHECKING:
    from eocnet.actions.reports import DraftFields

app = group(
    "Situation reports from live data: an event's report or the weekly regional report, "
    "as PDF or HTML."
)


def _report_user(session: Session, email: str | None) -> User:
    if email:
        return find_user(session, email)
    user = session.scalars(
        select(User)
        .join(Party, Party.code == User.party_code)
        .where(Party.kind == "coordinator", User.is_active.is_(True))
        .order_by(User.id)
    ).first()
    if user is None:
        fail("no coordinator account to write the report as; give --user EMAIL")
    return user


def _write_report(draft: DraftFields, output: Path, issue: bool, user: str | None) -> None:
    from eocnet.actions import reports
    from eocnet.reports import editions

    if output.suffix.lower() not in (".pdf", ".html"):
        fail("the output file ends in .pdf or .html")

    def create(session: Session) -> tuple[Actor, int]:
        actor = users.actor_for(_report_user(session, user))
        return actor, reports.create(session, actor, draft).id

    with database() as (settings, db):
        actor, report_id = db.run_sync(create)
        if issue:
            built = editions.issue_now(db, actor, report_id, settings.base_url)
            html, pdf = built.html or "", built.pdf or b""
            typer.echo(f"issued edition {built.edition} of report {report_id}", err=True)
        else:
            from eocnet.render.documents import html_to_pdf

            with db.read() as session:
                html = editions.render(session, reports.access(session, actor, report_id))
            pdf = html_to_pdf(html) if output.suffix.lower() == ".pdf" else b""
            typer.echo(f"draft report {report_id} (not issued)", err=True)
    try:
        if output.suffix.lower() == ".pdf":
            output.write_bytes(pdf)
        else:
            output.write_text(html, encoding="utf-8")
    except OSError as exc:
        fail(f"cannot write {output}: {exc.strerror or exc}")
    typer.echo(str(output))


@app.command("sitrep")
def report_sitrep(
    event: Annotated[int, typer.Option(help="The event's number.")],
    output: Annotated[Path, typer.Option("-o", "--output", help="FILE.pdf or FILE.html")],
    lang: Annotated[str, typer.Option(help="en or id")] = "en",
    issue: Annotated[
        bool, typer.Option(help="Issue a numbered edition (kept and distributed).")
    ] = False,
    user: Annotated[
        str | None, typer.Option(help="Write it as this user (default: the coordinator).")
    ] = None,
) -> None:
    """The situation report of an event, from the data as it is now."""
    from eocnet.actions import reports

    _write_report(reports.DraftFields("sitrep", event_id=event, language=lang), output, issue, user)


def _iso_week(value: str) -> str:
    """--week checked on the command line: a bad week is a usage error."""
    from eocnet.domain.weeks import parse_week

    try:
        parse_week(value)
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from None
    return value


@app.command("weekly")
def report_weekly(
    week: Annotated[str, typer.Option(help="ISO week, e.g. 2026-W47.", callback=_iso_week)],
    output: Annotated[Path, typer.Option("-o", "--output", help="FILE.pdf or FILE.html")],
    lang: Annotated[str, typer.Option(help="en or id")] = "en",
    issue: Annotated[
        bool, typer.Option(help="Issue a numbered edition (kept and distributed).")
    ] = False,
    user: Annotated[
        str | None, typer.Option(help="Write it as this coordinator (default: the first).")
    ] = None,
) -> None:
    """The weekly regional report of an ISO week."""
    from eocnet.actions import reports

    _write_report(reports.DraftFields("weekly", week=week, language=lang), output, issue, user)
