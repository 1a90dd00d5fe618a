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

from eocnet.actions import chains, tracing
from eocnet.actions import events as event_actions
from eocnet.actions.errors import ActionError
from eocnet.config import Settings
from eocnet.db.audience import visible_to
from eocnet.db.models import Event, Party, User
from eocnet.db.types import utcnow
from eocnet.domain.roles import Role
from eocnet.interop.tables import TableError, read_table
from eocnet.queries import tracing as tracing_queries
from eocnet.render.chains import chain_svg, legend
from eocnet.web.auth import check_csrf, current_viewer, db_of
from eocnet.web.rendering import render

router = APIRouter(include_in_schema=False)


def _settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def _list(request: Request, template: str) -> Response:
    viewer = current_viewer(request)
    with db_of(request).read() as session:
        notices = list(session.scalars(tracing_queries.notices(viewer.actor)))
        summaries = [tracing.notice_summary(n) for n in notices]
        figures = tracing.follow_up_figures(session, notices, utcnow().date())
        titles = dict(
            session.execute(
                select(Event.id, Event.title).where(
                    Event.id.in_({n.event_id for n in notices}), visible_to(Event, viewer.actor)
                )
            ).all()
        )
    # an event the viewer may not see is named by its number only (the coordinator
    # lists every notice, not every event)
    context = {
        "notices": summaries,
        "figures": figures,
        "event_rows": [
            (f"#{eid} {titles.get(int(eid), '')}", f) for eid, f in figures["events"].items()
        ],
        "party_rows": [(code or "–", f) for code, f in figures["parties"].items()],
    }
    return render(request, template, context, user=viewer.user)


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
    context = {
        "events": events,
        "parties": parties,
        "errors": [],
        "error": None,
        "source_person": None,
        "chosen_event": None,
    }
    context.update(extra)
    return render(request, "tracing_new.html", context, user=viewer.user, status_code=status)


def _number(text: Any) -> int | None:
    value = str(text or "").strip()
    return int(value) if value.isdigit() and 0 < len(value) < 19 else None


@router.get("/tracing/new")
def new_notice_page(request: Request) -> Response:
    """``?source_person=ID&event_id=ID``: the contacts of a person who became a case
    (prefilled from the link on the notice page)."""
    return _form(
        request,
        current_viewer(request),
        source_person=_number(request.query_params.get("source_person")),
        chosen_event=_number(request.query_params.get("event_id")),
    )


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
    source_person = _number(form.get("source_person_id"))
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
                    "fields": (*tracing.PERSON_FIELDS, *tracing.NAME_PARTS, "disease"),
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
                    "source_person": source_person,
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
                    source_person_id=source_person,
                ).id
            )
        )
    except ActionError as exc:
        return _form(
            request, viewer, error=exc.detail, status_code=exc.status, source_person=source_person
        )
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
        figures = tracing.follow_up_figures(session, [notice], utcnow().date())
        event = session.get(Event, notice.event_id)
        duty = (
            [
                a
                for a in event_actions.article9_data(session, viewer.actor, event)
                if a["party"] == viewer.actor.party_code and not a["informed_at"]
            ]
            if event is not None
            else []
        )
        return {
            "figures": figures["notices"].get(str(notice.id)),
            "notice": tracing.notice_summary(notice),
            "article9": duty[0] if duty else None,
            "sees_event": event is not None and event_actions.can_see_event(viewer.actor, event),
            "persons": persons,
            "can_assign": can_assign,
            "tracers": tracers,
            "statuses": [tracing.person_status(p) for p in notice.persons],
            "can_record": viewer.actor.party_code in notice.parties,
            "can_start_notice": can_assign,
            "classifications": tracing.CASE_CLASSIFICATIONS,
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


@router.post("/tracing/{notice_id}/persons/{person_id}/case")
async def convert_submit(request: Request, notice_id: int, person_id: int) -> Response:
    """The person became a case; the notice page then offers a notice for their contacts."""
    viewer = current_viewer(request)
    form = await request.form()
    check_csrf(request, str(form.get("csrf_token", "")))
    classification = str(form.get("classification") or "confirmed")
    raw = str(form.get("since") or "")
    try:
        since = date.fromisoformat(raw) if raw else None
    except ValueError:
        raise ActionError("give the day as YYYY-MM-DD", field="since") from None

    def write(session: Session) -> None:
        notice = tracing.access_notice(session, viewer.actor, notice_id)
        tracing.convert_to_case(
            session, viewer.actor, notice, person_id, classification=classification, since=since
        )

    await db_of(request).run(write)
    return RedirectResponse(f"/tracing/{notice_id}", status_code=303)


@router.get("/tracing/chains/{event_id}")
def chains_fragment(request: Request, event_id: int) -> Response:
    """The event's chains of transmission (diagram and timeline), loaded into the event
    page; the names shown are an audited read of personal data."""
    viewer = current_viewer(request)
    settings = _settings(request)

    def job(session: Session) -> chains.Chains:
        return chains.event_chains(session, viewer.actor, settings, event_id)

    found = db_of(request).run_sync(job)
    context = {
        "chains": found,
        "event_id": event_id,
        "svg": chain_svg(found.nodes, found.edges, title=f"event {event_id}"),
        "timeline": found.timeline(),
        "legend": legend(),
    }
    return render(request, "_tracing_chains.html", context, user=viewer.user)
