"""Pages for meetings (with the time in every party's zone), the register of
regional mechanisms, and action items with their progress."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from eocnet.actions import files
from eocnet.actions import meetings as actions
from eocnet.db.types import utcnow
from eocnet.domain import coordination as rules
from eocnet.httpkit.files import download
from eocnet.queries import meetings as queries
from eocnet.web import forms
from eocnet.web.auth import Viewer, current_viewer, db_of
from eocnet.web.rendering import render, settings_of, zone_of

router = APIRouter(include_in_schema=False)


def _overview(request: Request, viewer: Viewer, **extra: Any) -> Response:
    today = utcnow().date()
    with db_of(request).read() as session:
        mine = request.query_params.get("mine") == "1"
        items = list(
            session.scalars(
                queries.action_items(
                    viewer.actor, party=viewer.actor.party_code if mine else "", open_only=True
                )
            )
        )
        context: dict[str, Any] = {
            "meetings": list(session.scalars(queries.meetings(viewer.actor))),
            "mechanisms": list(session.scalars(queries.mechanisms())),
            "items": items,
            "overdue": {a.id for a in items if rules.overdue(a.due_on, a.status, today)},
            "mine": mine,
            "can_register": viewer.actor.is_coordinator,
            "can_schedule": not viewer.actor.is_partner,
            "statuses": rules.MECHANISM_STATUSES,
            "error": None,
            "values": {},
        }
    context.update(extra)
    code = int(context.pop("status_code", 200))
    return render(request, "meetings.html", context, user=viewer.user, status_code=code)


@router.get("/meetings")
def overview(request: Request) -> Response:
    return _overview(request, current_viewer(request))


@router.post("/mechanisms")
async def add_mechanism(request: Request) -> Response:
    def write(session: Any, viewer: Viewer, form: Any) -> str:
        made = actions.save_mechanism(
            session,
            viewer.actor,
            actions.MechanismFields(
                name=forms.text(form, "name"),
                lead_party=forms.text(form, "lead_party"),
                purpose=forms.text(form, "purpose"),
                status=forms.text(form, "status") or "active",
            ),
        )
        return f"/mechanisms/{made.id}"

    return await forms.submit(request, write, _overview)


def _meeting_fields(form: Any, viewer: Viewer) -> actions.MeetingFields:
    return actions.MeetingFields(
        title=forms.text(form, "title"),
        starts_at=forms.moment(form, "starts_at", zone_of(viewer.user)),
        duration_minutes=forms.integer(form, "duration_minutes") or 60,
        mechanism_id=forms.integer(form, "mechanism_id"),
        video_url=forms.text(form, "video_url"),
        agenda=forms.text(form, "agenda"),
        parties=forms.codes(form, "parties"),
        open_to_all=forms.text(form, "open_to_all") == "on",
        minutes=forms.text(form, "minutes"),
        decisions=forms.lines(form, "decisions"),
        attachments=forms.links(form, "attachments"),
    )


@router.post("/meetings")
async def schedule(request: Request) -> Response:
    def write(session: Any, viewer: Viewer, form: Any) -> str:
        made = actions.schedule(session, viewer.actor, _meeting_fields(form, viewer))
        return f"/meetings/{made.id}"

    return await forms.submit(request, write, _overview)


def _meeting_page(request: Request, viewer: Viewer, **extra: Any) -> Response:
    meeting_id = int(request.path_params["meeting_id"])
    today = utcnow().date()
    with db_of(request).read() as session:
        meeting = actions.access_meeting(session, viewer.actor, meeting_id)
        items = list(session.scalars(queries.action_items(viewer.actor, meeting_id=meeting.id)))
        zone = zone_of(viewer.user)
        context: dict[str, Any] = {
            "meeting": meeting,
            "mechanism": actions.mechanism(session, meeting.mechanism_id)
            if meeting.mechanism_id
            else None,
            "local_times": queries.local_times(
                meeting, list(session.scalars(queries.time_zones()))
            ),
            "files": files.listing(session, "meeting", meeting.id),
            "files_url": f"/meetings/{meeting.id}/files",
            "files_kind": "files",
            "max_bytes": settings_of(request).attachment_max_bytes,
            "items": items,
            "overdue": {a.id for a in items if rules.overdue(a.due_on, a.status, today)},
            "can_edit": actions.may_edit_meeting(viewer.actor, meeting),
            "mechanisms": list(session.scalars(queries.mechanisms())),
            "starts_local": meeting.starts_at.astimezone(zone).strftime("%Y-%m-%dT%H:%M"),
            "error": None,
            "values": {},
        }
    context.update(extra)
    code = int(context.pop("status_code", 200))
    return render(request, "meeting.html", context, user=viewer.user, status_code=code)


@router.get("/meetings/{meeting_id}")
def meeting_page(request: Request, meeting_id: int) -> Response:
    return _meeting_page(request, current_viewer(request))


@router.post("/meetings/{meeting_id}")
async def edit_meeting(request: Request, meeting_id: int) -> Response:
    def write(session: Any, viewer: Viewer, form: Any) -> str:
        meeting = actions.access_meeting(session, viewer.actor, meeting_id)
        actions.edit_meeting(session, viewer.actor, meeting, _meeting_fields(form, viewer))
        return f"/meetings/{meeting_id}"

    return await forms.submit(request, write, _meeting_page)


@router.post("/meetings/{meeting_id}/files")
async def add_file(request: Request, meeting_id: int) -> Response:
    max_bytes = settings_of(request).attachment_max_bytes

    def write(session: Any, viewer: Viewer, form: Any) -> str:
        meeting = actions.access_meeting(session, viewer.actor, meeting_id)
        actions.attach_file(session, viewer.actor, meeting, forms.upload(form), max_bytes)
        return f"/meetings/{meeting_id}#files"

    return await forms.submit(request, write, _meeting_page)


@router.get("/meetings/{meeting_id}/files/{file_id}")
def meeting_file(request: Request, meeting_id: int, file_id: int) -> Response:
    viewer = current_viewer(request)
    with db_of(request).read() as session:
        actions.access_meeting(session, viewer.actor, meeting_id)
        return download(files.one(session, "meeting", meeting_id, file_id))


@router.post("/meetings/{meeting_id}/actions")
async def add_action(request: Request, meeting_id: int) -> Response:
    def write(session: Any, viewer: Viewer, form: Any) -> str:
        actions.add_action(
            session,
            viewer.actor,
            actions.ActionFields(
                title=forms.text(form, "title"),
                owner_party=forms.text(form, "owner_party"),
                due_on=forms.day(form, "due_on", required=True) or utcnow().date(),
                meeting_id=meeting_id,
            ),
        )
        return f"/meetings/{meeting_id}#actions"

    return await forms.submit(request, write, _meeting_page)


def _action_page(request: Request, viewer: Viewer, **extra: Any) -> Response:
    item_id = int(request.path_params["item_id"])
    with db_of(request).read() as session:
        item = actions.access_action(session, viewer.actor, item_id)
        context: dict[str, Any] = {
            "item": item,
            "notes": queries.notes_of(session, [item.id])[item.id],
            "overdue": rules.overdue(item.due_on, item.status, utcnow().date()),
            "can_report": item.owner_party == viewer.actor.party_code
            or viewer.actor.is_coordinator,
            "statuses": rules.ACTION_STATUSES,
            "error": None,
            "values": {},
        }
    context.update(extra)
    code = int(context.pop("status_code", 200))
    return render(request, "action_item.html", context, user=viewer.user, status_code=code)


@router.get("/actions/{item_id}")
def action_page(request: Request, item_id: int) -> Response:
    return _action_page(request, current_viewer(request))


@router.post("/actions/{item_id}/notes")
async def add_note(request: Request, item_id: int) -> Response:
    def write(session: Any, viewer: Viewer, form: Any) -> str:
        item = actions.access_action(session, viewer.actor, item_id)
        actions.add_note(
            session,
            viewer.actor,
            item,
            forms.text(form, "note"),
            forms.integer(form, "progress"),
            forms.text(form, "status"),
        )
        return f"/actions/{item_id}"

    return await forms.submit(request, write, _action_page)


@router.get("/mechanisms/{mechanism_id}")
def mechanism_page(request: Request, mechanism_id: int) -> Response:
    viewer = current_viewer(request)
    with db_of(request).read() as session:
        report = queries.follow_up(
            session, viewer.actor, actions.mechanism(session, mechanism_id), utcnow().date()
        )
    return render(request, "mechanism.html", report, user=viewer.user)


@router.get("/coordination")
def coordination_page(request: Request) -> Response:
    """The way in to coordination, with what needs attention."""
    from eocnet.actions import connectivity, countermeasures
    from eocnet.queries import countermeasures as countermeasure_queries
    from eocnet.queries import laboratories

    viewer = current_viewer(request)
    today = utcnow().date()
    with db_of(request).read() as session:
        open_items = list(session.scalars(queries.action_items(viewer.actor, open_only=True)))
        stock = [] if viewer.actor.is_partner else countermeasures.stock(session, viewer.actor)
        context = {
            "support_open": sum(
                1
                for r in session.scalars(laboratories.support_requests(viewer.actor))
                if r.status in ("open", "offered")
            ),
            "needs_open": len(list(session.scalars(countermeasure_queries.needs("open")))),
            "near_expiry": sum(1 for s in stock if rules.near_expiry(s.expiry, today)),
            "overdue": sum(1 for a in open_items if rules.overdue(a.due_on, a.status, today)),
            "open_actions": len(open_items),
            "pending_checks": len(connectivity.pending_for(session, viewer.actor.party_code)),
            "is_partner": viewer.actor.is_partner,
        }
    return render(request, "coordination.html", context, user=viewer.user)
