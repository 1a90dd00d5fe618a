"""Regional mechanisms, meetings, decisions and action items."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Query
from fastapi.responses import HTMLResponse, Response
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from eocnet.actions import files
from eocnet.actions import meetings as actions
from eocnet.api.csv_export import CSV_RESPONSES, csv_response
from eocnet.api.deps import CurrentActor, DbDep, SettingsDep
from eocnet.api.files import FileIn, FileOut, file_out, upload_of
from eocnet.api.schemas import MAX_ID, Id, Input, from_row
from eocnet.db.models import ActionItem, Meeting
from eocnet.db.types import utcnow
from eocnet.domain.coordination import overdue
from eocnet.httpkit.files import download
from eocnet.queries import meetings as queries

router = APIRouter(tags=["meetings and actions"])
OptionalId = Annotated[int | None, Field(None, ge=1, le=MAX_ID)]


class MechanismIn(Input):
    name: str = Field(min_length=1, max_length=300)
    lead_party: str = Field(min_length=2, max_length=8)
    purpose: str = Field("", max_length=5000)
    status: Literal["active", "paused", "closed"] = "active"


class MechanismOut(BaseModel):
    id: int
    name: str
    lead_party: str
    purpose: str
    status: str


class LinkIn(Input):
    title: str = Field("", max_length=300)
    url: str = Field(max_length=1000)


class MeetingIn(Input):
    title: str = Field(min_length=1, max_length=300)
    starts_at: datetime = Field(description="With its time zone, e.g. 2026-12-08T09:00:00+07:00")
    duration_minutes: int = Field(60, ge=5, le=1440)
    mechanism_id: OptionalId = None
    video_url: str = Field("", max_length=1000)
    agenda: str = Field("", max_length=20_000)
    parties: list[Annotated[str, Field(max_length=8)]] = Field(
        default_factory=list,
        max_length=60,
        description="Parties taking part (with the organiser and the coordinator); none "
        "named: the organiser and the coordinator only",
    )
    open_to_all: bool = Field(
        False,
        description="Seen by everyone in the network and its partners; name no parties. "
        "Never the default, also when editing: a meeting edited without it is restricted",
    )
    minutes: str = Field("", max_length=100_000)
    decisions: list[Annotated[str, Field(max_length=2000)]] = Field(
        default_factory=list, max_length=200
    )
    attachments: list[LinkIn] = Field(default_factory=list, max_length=50)


class LocalTimeOut(BaseModel):
    party: str
    time_zone: str
    local: datetime


class MeetingOut(BaseModel):
    id: int
    title: str
    starts_at: datetime
    duration_minutes: int
    mechanism_id: int | None
    video_url: str
    agenda: str
    parties: list[str]
    open_to_all: bool
    minutes: str
    decisions: list[str]
    attachments: list[dict[str, str]]
    owner_party: str
    local_times: list[LocalTimeOut]


class ActionIn(Input):
    title: str = Field(min_length=1, max_length=500)
    owner_party: str = Field(min_length=2, max_length=8)
    due_on: date
    meeting_id: OptionalId = None
    mechanism_id: OptionalId = None


class NoteIn(Input):
    note: str = Field(min_length=1, max_length=5000)
    progress: int | None = Field(None, ge=0, le=100)
    status: Literal["", "open", "in_progress", "done", "cancelled"] = ""


class NoteOut(BaseModel):
    text: str
    progress: int | None
    status: str
    party_code: str
    created_at: datetime


class ActionOut(BaseModel):
    id: int
    title: str
    owner_party: str
    due_on: date
    status: str = Field(description="open, in_progress, done or cancelled")
    progress: int
    meeting_id: int | None
    mechanism_id: int | None
    overdue: bool
    notes: list[NoteOut]


def _meetings(session: Session, rows: Sequence[Meeting]) -> list[MeetingOut]:
    """The meetings as answered, reading the parties' time zones once for all."""
    parties = list(session.scalars(queries.time_zones()))
    return [
        from_row(
            MeetingOut,
            meeting,
            local_times=[LocalTimeOut(**t) for t in queries.local_times(meeting, parties)],
            open_to_all=not meeting.parties,
        )
        for meeting in rows
    ]


def _meeting(session: Session, meeting: Meeting) -> MeetingOut:
    return _meetings(session, [meeting])[0]


def _actions(session: Session, items: Sequence[ActionItem]) -> list[ActionOut]:
    """The action items as answered, with the notes of all of them in one statement."""
    notes = queries.notes_of(session, [item.id for item in items])
    today = utcnow().date()
    return [
        from_row(
            ActionOut,
            item,
            overdue=overdue(item.due_on, item.status, today),
            notes=[from_row(NoteOut, n) for n in notes[item.id]],
        )
        for item in items
    ]


def _action(session: Session, item: ActionItem) -> ActionOut:
    return _actions(session, [item])[0]


@router.get("/mechanisms", response_model=list[MechanismOut], summary="The register")
def list_mechanisms(actor: CurrentActor, db: DbDep) -> list[MechanismOut]:
    with db.read() as session:
        return [from_row(MechanismOut, m) for m in session.scalars(queries.mechanisms())]


@router.post("/mechanisms", status_code=201, response_model=MechanismOut, summary="Register one")
def add_mechanism(body: MechanismIn, actor: CurrentActor, db: DbDep) -> MechanismOut:
    """The coordinator keeps the register."""

    def job(session: Session) -> MechanismOut:
        fields = actions.MechanismFields(**body.model_dump())
        return from_row(MechanismOut, actions.save_mechanism(session, actor, fields))

    return db.run_sync(job)


@router.put("/mechanisms/{mechanism_id}", response_model=MechanismOut, summary="Edit one")
def edit_mechanism(
    mechanism_id: Id, body: MechanismIn, actor: CurrentActor, db: DbDep
) -> MechanismOut:
    def job(session: Session) -> MechanismOut:
        existing = actions.mechanism(session, mechanism_id)
        fields = actions.MechanismFields(**body.model_dump())
        return from_row(MechanismOut, actions.save_mechanism(session, actor, fields, existing))

    return db.run_sync(job)


@router.get(
    "/mechanisms/{mechanism_id}/follow-up.{fmt}",
    response_class=Response,
    responses={200: {"content": {"text/html": {}, "application/pdf": {}}}},
    summary="The one-page follow-up report of a mechanism",
)
def follow_up(
    mechanism_id: Id,
    fmt: Literal["html", "pdf"],
    actor: CurrentActor,
    db: DbDep,
    lang: Annotated[Literal["en", "id"], Query()] = "en",
) -> Response:
    from eocnet.render.documents import follow_up_html, html_to_pdf

    with db.read() as session:
        report = queries.follow_up(
            session, actor, actions.mechanism(session, mechanism_id), utcnow().date()
        )
        html = follow_up_html(report, lang)
    if fmt == "html":
        return HTMLResponse(html)
    return Response(
        html_to_pdf(html),
        media_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="follow-up-{mechanism_id}.pdf"'},
    )


@router.post("/meetings", status_code=201, response_model=MeetingOut, summary="Schedule")
def schedule(body: MeetingIn, actor: CurrentActor, db: DbDep) -> MeetingOut:
    """Seen by the parties taking part, the organiser and the coordinator (everyone
    in the network and its partners only with `open_to_all`); the page shows the
    start in each party's time zone."""

    def job(session: Session) -> MeetingOut:
        fields = actions.MeetingFields(**body.model_dump())
        return _meeting(session, actions.schedule(session, actor, fields))

    return db.run_sync(job)


@router.get("/meetings", response_model=list[MeetingOut], summary="Meetings you can see")
def list_meetings(
    actor: CurrentActor,
    db: DbDep,
    mechanism_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
) -> list[MeetingOut]:
    with db.read() as session:
        return _meetings(session, list(session.scalars(queries.meetings(actor, mechanism_id))))


@router.get("/meetings/{meeting_id}", response_model=MeetingOut, summary="A meeting")
def get_meeting(meeting_id: Id, actor: CurrentActor, db: DbDep) -> MeetingOut:
    with db.read() as session:
        return _meeting(session, actions.access_meeting(session, actor, meeting_id))


@router.put("/meetings/{meeting_id}", response_model=MeetingOut, summary="Edit, add minutes")
def edit_meeting(meeting_id: Id, body: MeetingIn, actor: CurrentActor, db: DbDep) -> MeetingOut:
    def job(session: Session) -> MeetingOut:
        meeting = actions.access_meeting(session, actor, meeting_id)
        fields = actions.MeetingFields(**body.model_dump())
        return _meeting(session, actions.edit_meeting(session, actor, meeting, fields))

    return db.run_sync(job)


@router.post(
    "/meetings/{meeting_id}/files",
    status_code=201,
    response_model=FileOut,
    summary="Add a file (minutes, slides)",
)
def add_meeting_file(
    meeting_id: Id, body: FileIn, actor: CurrentActor, db: DbDep, settings: SettingsDep
) -> FileOut:
    """PDF, images, CSV or plain text up to the attachment size limit; the organising
    party or the coordinator. Everyone who sees the meeting can download it."""
    upload = upload_of(body)

    def job(session: Session) -> FileOut:
        meeting = actions.access_meeting(session, actor, meeting_id)
        row = actions.attach_file(session, actor, meeting, upload, settings.attachment_max_bytes)
        return file_out(row)

    return db.run_sync(job)


@router.get("/meetings/{meeting_id}/files", response_model=list[FileOut], summary="Its files")
def meeting_files(meeting_id: Id, actor: CurrentActor, db: DbDep) -> list[FileOut]:
    with db.read() as session:
        actions.access_meeting(session, actor, meeting_id)
        return [file_out(f) for f in files.listing(session, "meeting", meeting_id)]


@router.get(
    "/meetings/{meeting_id}/files/{file_id}", response_class=Response, summary="Download a file"
)
def meeting_file(meeting_id: Id, file_id: Id, actor: CurrentActor, db: DbDep) -> Response:
    with db.read() as session:
        actions.access_meeting(session, actor, meeting_id)
        return download(files.one(session, "meeting", meeting_id, file_id))


@router.post("/action-items", status_code=201, response_model=ActionOut, summary="Add an action")
def add_action(body: ActionIn, actor: CurrentActor, db: DbDep) -> ActionOut:
    def job(session: Session) -> ActionOut:
        item = actions.add_action(session, actor, actions.ActionFields(**body.model_dump()))
        return _action(session, item)

    return db.run_sync(job)


@router.get("/action-items", response_model=list[ActionOut], summary="Action items")
def list_actions(
    actor: CurrentActor,
    db: DbDep,
    party: Annotated[str, Query(max_length=8, description="Owned by this party")] = "",
    meeting_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
    mechanism_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
    open_only: bool = False,
) -> list[ActionOut]:
    with db.read() as session:
        query = queries.action_items(
            actor,
            meeting_id=meeting_id,
            mechanism_id=mechanism_id,
            party=party,
            open_only=open_only,
        )
        return _actions(session, list(session.scalars(query)))


@router.get("/action-items.csv", response_class=Response, responses=CSV_RESPONSES, summary="CSV")
def actions_csv(actor: CurrentActor, db: DbDep) -> Response:
    columns = [
        "id", "title", "owner_party", "due_on", "status", "progress", "overdue", "meeting_id",
        "mechanism_id",
    ]  # fmt: skip
    today = utcnow().date()
    with db.read() as session:
        rows: list[list[object]] = [
            [a.id, a.title, a.owner_party, a.due_on, a.status, a.progress,
             overdue(a.due_on, a.status, today), a.meeting_id, a.mechanism_id]
            for a in session.scalars(queries.action_items(actor))
        ]  # fmt: skip
    return csv_response("action-items", columns, rows)


@router.get("/action-items/{item_id}", response_model=ActionOut, summary="An action item")
def get_action(item_id: Id, actor: CurrentActor, db: DbDep) -> ActionOut:
    with db.read() as session:
        return _action(session, actions.access_action(session, actor, item_id))


@router.post(
    "/action-items/{item_id}/notes", status_code=201, response_model=ActionOut, summary="Progress"
)
def add_note(item_id: Id, body: NoteIn, actor: CurrentActor, db: DbDep) -> ActionOut:
    """The owning party (or the coordinator) reports progress and may change the status."""

    def job(session: Session) -> ActionOut:
        item = actions.access_action(session, actor, item_id)
        actions.add_note(session, actor, item, body.note, body.progress, body.status)
        return _action(session, item)

    return db.run_sync(job)
