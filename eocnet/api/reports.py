"""Situation reports: drafts with narrative sections, issuing numbered editions
(built in the background, progress readable), HTML and PDF."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, BackgroundTasks
from fastapi.responses import HTMLResponse, Response
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from eocnet.actions import reports as actions
from eocnet.api.deps import CurrentActor, DbDep, SettingsDep
from eocnet.api.schemas import MAX_ID, Id, Input, from_row
from eocnet.db.models import Report
from eocnet.queries import reports as queries
from eocnet.reports import editions

router = APIRouter(tags=["situation reports"])


class ReportIn(Input):
    kind: Literal["sitrep", "weekly", "dissemination"] = Field(
        description="sitrep: an event's report; weekly: the weekly regional report; "
        "dissemination: the periodic risk assessment for international dissemination"
    )
    event_id: int | None = Field(None, ge=1, le=MAX_ID, description="For a sitrep")
    week: str = Field("", max_length=8, description="For the periodic reports: ISO week, 2026-W47")
    language: Literal["en", "id"] = "en"


class NarrativeIn(Input):
    narrative: dict[str, Annotated[str, Field(max_length=20_000)]] = Field(
        description="Sections: summary, assessment, actions (sitrep); highlights, outlook "
        "(weekly); assessment (dissemination)"
    )


class ReportOut(BaseModel):
    id: int
    kind: str
    event_id: int | None
    period: str
    language: str
    title: str
    narrative: dict[str, str]
    status: str = Field(description="draft, building or issued")
    progress: int = Field(description="Percent done while building")
    progress_note: str
    error: str
    edition: int | None
    created_at: datetime
    issued_at: datetime | None


def _out(report: Report) -> ReportOut:
    return from_row(ReportOut, report)


@router.post("/reports", status_code=201, response_model=ReportOut, summary="Prepare a draft")
def create(body: ReportIn, actor: CurrentActor, db: DbDep) -> ReportOut:
    """An event's report (by whoever sees the event) or the weekly regional
    report (by the coordinator). Readers: the event's audience, or the member
    states and the coordinator; the report holds only what all of them may see."""
    fields = actions.DraftFields(body.kind, body.event_id, body.week, body.language)

    def job(session: Session) -> ReportOut:
        return _out(actions.create(session, actor, fields))

    return db.run_sync(job)


@router.get("/reports", response_model=list[ReportOut], summary="Reports you may read")
def list_reports(actor: CurrentActor, db: DbDep) -> list[ReportOut]:
    with db.read() as session:
        return [_out(r) for r in session.scalars(queries.reports(actor))]


@router.get("/reports/{report_id}", response_model=ReportOut, summary="A report")
def get_report(report_id: Id, actor: CurrentActor, db: DbDep) -> ReportOut:
    with db.read() as session:
        return _out(actions.access(session, actor, report_id))


@router.put("/reports/{report_id}/narrative", response_model=ReportOut, summary="Edit the text")
def narrative(report_id: Id, body: NarrativeIn, actor: CurrentActor, db: DbDep) -> ReportOut:
    def job(session: Session) -> ReportOut:
        report = actions.access(session, actor, report_id)
        return _out(actions.edit_narrative(session, actor, report, body.narrative))

    return db.run_sync(job)


@router.post(
    "/reports/{report_id}/issue",
    status_code=202,
    response_model=ReportOut,
    summary="Issue a numbered edition",
)
def issue(
    report_id: Id,
    actor: CurrentActor,
    db: DbDep,
    settings: SettingsDep,
    background: BackgroundTasks,
) -> ReportOut:
    """Builds the figures and the PDF after answering (read `progress`); the
    edition is then kept unchanged, announced on the live stream and e-mailed
    to those who asked for reports."""

    def job(session: Session) -> ReportOut:
        return _out(actions.start_issue(session, actor, actions.access(session, actor, report_id)))

    out = db.run_sync(job)
    background.add_task(editions.build_in_background, db, report_id, settings.base_url)
    return out


@router.get(
    "/reports/{report_id}/document.{fmt}",
    response_class=Response,
    responses={200: {"content": {"text/html": {}, "application/pdf": {}}}},
    summary="The report as HTML or PDF",
)
def document(
    report_id: Id, fmt: Literal["html", "pdf"], actor: CurrentActor, db: DbDep
) -> Response:
    """An issued edition as kept; a draft rendered from the data as it is now."""
    from eocnet.render.documents import html_to_pdf

    with db.read() as session:
        report = actions.access(session, actor, report_id)
        kept = report.status == "issued"
        html = editions.render(session, report)
        pdf = report.pdf if kept else None
        name = f"report-{report_id}" + (f"-edition-{report.edition}" if kept else "-draft")
    if fmt == "html":
        return HTMLResponse(html)
    return Response(
        pdf if pdf is not None else html_to_pdf(html),
        media_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{name}.pdf"'},
    )
