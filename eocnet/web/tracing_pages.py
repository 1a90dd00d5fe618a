"""Pages for contact-tracing notices: the list, sending one from a manifest, reading it
(audited) and recording follow-up outcomes. Updated live from the stream."""

from __future__ import annotations

import base64
from datetime import date
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from eocnet.actions import tracing
from eocnet.actions.errors import ActionError
from eocnet.config import Settings
from eocnet.db.audience import visible_to
from eocnet.db.models import Event, Party, User
from eocnet.domain.roles import Role
from eocnet.interop.tables import TableError, read_table
from eocnet.queries import tracing as tracing_queries
from eocnet.web.auth import check_csrf, current_viewer, db_of
from eocnet.web.rendering import render

router = APIRouter(include_in_schema=False)


def _settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def _list(request: Request, template: str) -> Response:
    viewer = current_viewer(request)
    with db_of(request).read() as session:
        notices = session.scalars(tracing_queries.notices(viewer.actor))
        summaries = [tracing.notice_summary(n) for n in notices]
    return render(request, template, {"notices": summaries}, user=viewer.user)


@router.get("/tracing")
def tracing_page(request: Request) -> Response:
    return _list(request, "tracing.html")


@router.get("/tracing/fragment")
def tracing_fragment(request: Request) -> Response:
    """The list alone, re-fetched when the stream announces a notice or an outcome."""
    return _list(request, "_tracing_list.html")


def _form(request: Request, viewer: Any, **extra: Any) -> Response:
    with db_of(request).read() as session:
        events = list(
            session.execute(
                select(Event)
                .where(visible_to(Event, viewer.actor))
                .order_by(Event.id.desc())
                .limit(100)
            ).scalars()
        )
        parties = list(
            session.execute(
                select(Party).where(Party.active.is_(True)).order_by(Party.name)
            ).scalars()
        )
    status = int(extra.pop("status_code", 200))
    context = {"events": events, "parties": parties, "errors": [], "error": None}
    context.update(extra)
    return render(request, "tracing_new.html", context, user=viewer.user, status_code=status)


@router.get("/tracing/new")
def new_notice_page(request: Request) -> Response:
    return _form(request, current_viewer(request))


@router.post("/tracing/new")
async def new_notice_submit(request: Request) -> Response:
    """Two steps: the uploaded file is read and its columns matched to person fields
    (shown for checking, with every invalid row); then the confirmed mapping is sent."""
    viewer = current_viewer(request)
    async with request.form() as form:  # closes the uploaded file's temporary copy
        return await _new_notice(request, viewer, form)


async def _new_notice(request: Request, viewer: Any, form: Any) -> Response:
    check_csrf(request, str(form.get("csrf_token", "")))
    parties = [str(p) for p in form.getlist("parties")]
    role = str(form.get("role") or "co_traveller")
    upload = form.get("file")
    try:
        if upload is not None and not isinstance(upload, str):
            data, filename = await upload.read(), upload.filename or ""
        elif form.get("file_data"):
            try:
                data = base64.b64decode(str(form.get("file_data")), validate=True)
            except ValueError:
                raise ActionError("the file was lost; upload it again", field="file") from None
            filename = str(form.get("filename") or "")
        else:
            raise ActionError("choose a manifest file (CSV or XLSX)", field="file")
        try:
            headers, rows = read_table(data, filename, max_rows=tracing.MAX_PERSONS)
        except TableError as exc:
            raise ActionError(str(exc), field="file") from None
        if form.get("step") == "send":
            mapping = {
                h: str(form.get(f"map_{i}")) for i, h in enumerate(headers) if form.get(f"map_{i}")
            }
        else:
            mapping = tracing.default_mapping(headers)
        try:
            check = tracing.check_manifest(headers, rows, mapping, parties, role)
            problem = None
        except ActionError as exc:  # e.g. a required field has no column yet
            check, problem = None, exc.detail
        if (
            form.get("step") != "send"
            or problem
            or (check and check.errors and form.get("drop_invalid") != "1")
        ):
            return render(
                request,
                "tracing_map.html",
                {
                    "headers": headers,
                    "samples": rows[:3],
                    "mapping": mapping,
                    "fields": (*tracing.PERSON_FIELDS, "disease"),
                    "required": tracing.REQUIRED,
                    "errors": check.errors if check else [],
                    "problem": problem,
                    "rows": len(rows),
                    "valid": len(check.persons) if check else 0,
                    "file_data": base64.b64encode(data).decode(),
                    "filename": filename,
                    "parties": parties,
                    "role": role,
                    "event_id": form.get("event_id"),
                    "summary": form.get("summary") or "",
                },
                user=viewer.user,
                status_code=422 if form.get("step") == "send" else 200,
            )
        assert check is not None
        persons = check.persons
        event_id = int(str(form.get("event_id") or 0))
        summary = str(form.get("summary") or "")
        settings = _settings(request)
        notice_id = await db_of(request).run(
            lambda session: (
                tracing.send_notice(
                    session,
                    viewer.actor,
                    settings,
                    event_id=event_id,
                    parties=parties,
                    persons=persons,
                    summary=summary,
                ).id
            )
        )
    except ActionError as exc:
        return _form(request, viewer, error=exc.detail, status_code=exc.status)
    return RedirectResponse(f"/tracing/{notice_id}", status_code=303)


def _notice_context(request: Request, viewer: Any, notice_id: int) -> dict[str, Any]:
    def job(session: Session) -> dict[str, Any]:  # reading persons writes its audit entry
        notice = tracing.access_notice(session, viewer.actor, notice_id)
        persons = tracing.read_persons(session, viewer.actor, _settings(request), notice)
        can_assign = viewer.actor.party_code in notice.parties and viewer.actor.has_role(
            Role.FOCAL_POINT
        )
        tracers = (
            list(
                session.execute(
                    select(User)
                    .where(User.party_code == viewer.actor.party_code, User.is_active.is_(True))
                    .order_by(User.name)
                ).scalars()
            )
            if can_assign
            else []
        )
        return {
            "notice": tracing.notice_summary(notice),
            "persons": persons,
            "can_assign": can_assign,
            "tracers": tracers,
            "statuses": [tracing.person_status(p) for p in notice.persons],
            "can_record": viewer.actor.party_code in notice.parties,
            "outcomes": tracing.OUTCOMES,
            "results": tracing.TEST_RESULTS[1:],
        }

    return db_of(request).run_sync(job)


def _notice(request: Request, notice_id: int, template: str) -> Response:
    viewer = current_viewer(request)
    return render(request, template, _notice_context(request, viewer, notice_id), user=viewer.user)


@router.get("/tracing/{notice_id}")
def notice_page(request: Request, notice_id: int) -> Response:
    return _notice(request, notice_id, "tracing_notice.html")


@router.get("/tracing/{notice_id}/people")
def notice_people_fragment(request: Request, notice_id: int) -> Response:
    """The persons alone, re-fetched when the stream announces an outcome."""
    return _notice(request, notice_id, "_tracing_people.html")


@router.post("/tracing/{notice_id}/persons/{person_id}/outcome")
async def outcome_submit(request: Request, notice_id: int, person_id: int) -> Response:
    viewer = current_viewer(request)
    form = await request.form()
    check_csrf(request, str(form.get("csrf_token", "")))
    raw_date = str(form.get("outcome_date") or "")
    outcome, test_result = str(form.get("outcome")), str(form.get("test_result") or "")
    outcome_date = date.fromisoformat(raw_date) if raw_date else None

    def write(session: Session) -> None:
        notice = tracing.access_notice(session, viewer.actor, notice_id)
        tracing.record_outcome(
            session,
            viewer.actor,
            notice,
            person_id,
            outcome=outcome,
            outcome_date=outcome_date,
            test_result=test_result,
        )

    await db_of(request).run(write)
    return RedirectResponse(f"/tracing/{notice_id}", status_code=303)


@router.post("/tracing/{notice_id}/persons/{person_id}/assign")
async def assign_submit(request: Request, notice_id: int, person_id: int) -> Response:
    viewer = current_viewer(request)
    form = await request.form()
    check_csrf(request, str(form.get("csrf_token", "")))
    tracer_id = int(str(form.get("tracer_id") or 0))

    def write(session: Session) -> None:
        notice = tracing.access_notice(session, viewer.actor, notice_id)
        tracing.assign_tracer(session, viewer.actor, notice, person_id, tracer_id)

    await db_of(request).run(write)
    return RedirectResponse(f"/tracing/{notice_id}", status_code=303)
