"""Pages for event-based surveillance: the triage queue, a signal with its verification
requests and their clocks, the requests asked of the viewer's party (acknowledge,
answer), and the signal sources with their health."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlalchemy import select

from eocnet.actions import signals as actions
from eocnet.actions.errors import NotFound
from eocnet.db.models import Party, User
from eocnet.db.types import utcnow
from eocnet.domain import signals as rules
from eocnet.web import forms
from eocnet.web.auth import Viewer, current_viewer, db_of
from eocnet.web.rendering import render, settings_of

router = APIRouter(include_in_schema=False)
STATUSES = [s.value for s in rules.SignalStatus]


def clock(deadline: datetime, done: datetime | None, now: datetime) -> dict[str, Any]:
    """A deadline as the pages show it: met, missed, or the hours and minutes left."""
    if done is not None:
        return {"state": "late" if done > deadline else "met", "at": done}
    seconds = int((deadline - now).total_seconds())
    if seconds < 0:
        return {"state": "overdue", "hours": -seconds // 3600, "minutes": -seconds % 3600 // 60}
    return {"state": "running", "hours": seconds // 3600, "minutes": seconds % 3600 // 60}


def _request_rows(requests: list[Any], titles: dict[int, str]) -> list[dict[str, Any]]:
    now = utcnow()
    return [
        {
            "request": r,
            "title": titles.get(r.signal_id, ""),
            "acknowledge": clock(r.acknowledge_by, r.acknowledged_at, now),
            "respond": clock(r.respond_by, r.responded_at, now),
        }
        for r in requests
    ]


def open_asked(session: Any, viewer: Viewer) -> list[dict[str, Any]]:
    """The verification requests the viewer's party has not answered yet, with clocks
    (for the queue and the dashboard)."""
    asked = [
        r
        for r in actions.requests(session, viewer.actor, asked_of_me=True)
        if r.responded_at is None
    ]
    return _request_rows(
        asked, actions.signal_titles(session, [r.signal_id for r in asked], viewer.actor)
    )


def _queue(request: Request, viewer: Viewer, **extra: Any) -> Response:
    status = request.query_params.get("status", "new")
    with db_of(request).read() as session:
        found = actions.signals(
            session, viewer.actor, status=status if status in STATUSES else None, limit=200
        )
        names = actions.source_names(session, [s.source_id for s in found])
        asked = open_asked(session, viewer)
    context: dict[str, Any] = {
        "signals": found,
        "names": names,
        "status": status if status in STATUSES else "all",
        "statuses": STATUSES,
        "asked": asked,
        "values": {"language": viewer.user.language},
        "error": None,
    }
    context.update(extra)
    code = int(context.pop("status_code", 200))
    return render(request, "signals.html", context, user=viewer.user, status_code=code)


@router.get("/signals")
def queue_page(request: Request) -> Response:
    return _queue(request, current_viewer(request))


@router.post("/signals")
async def report(request: Request) -> Response:
    def write(session: Any, viewer: Viewer, form: Any) -> str:
        signal = actions.report_signal(
            session,
            viewer.actor,
            actions.ReportFields(
                title=forms.text(form, "title"),
                url=forms.text(form, "url"),
                summary=forms.text(form, "summary"),
                language=forms.text(form, "language"),
                countries=forms.codes(form, "countries"),
            ),
        )
        return f"/signals/{signal.id}"

    return await forms.submit(request, write, _queue)


def _detail(request: Request, viewer: Viewer, **extra: Any) -> Response:
    signal_id = int(request.path_params["signal_id"])
    with db_of(request).read() as session:
        signal = actions.access_signal(session, viewer.actor, signal_id)
        names = actions.source_names(session, [signal.source_id])
        found = actions.requests(session, viewer.actor, signal_id=signal.id)
        parties = list(
            session.scalars(
                select(Party.code)
                .where(Party.active.is_(True), Party.code != viewer.actor.party_code)
                .order_by(Party.code)
            )
        )
        assignee = session.get(User, signal.assignee_id) if signal.assignee_id else None
        context: dict[str, Any] = {
            "signal": signal,
            "source_name": names.get(signal.source_id or 0, ""),
            "requests": _request_rows(found, {signal.id: signal.title}),
            "parties": parties,
            "assignee": assignee.name or assignee.email if assignee else "",
            "can_triage": actions.can_triage(viewer.actor, signal),
            "next_statuses": sorted(rules.TRANSITIONS[rules.SignalStatus(signal.status)]),
            "linkable": signal.status in rules.LINKABLE,
            "requestable": signal.status in ("new", "under_review") and not viewer.actor.is_partner,
            "reliabilities": rules.RELIABILITY,
            "credibilities": rules.CREDIBILITY,
            "values": {"country": (signal.countries or [""])[0]},
            "error": None,
        }
    context.update(extra)
    code = int(context.pop("status_code", 200))
    return render(request, "signal.html", context, user=viewer.user, status_code=code)


@router.get("/signals/{signal_id:int}")
def signal_page(request: Request) -> Response:
    return _detail(request, current_viewer(request))


@router.post("/signals/{signal_id:int}/{step}")
async def signal_step(request: Request) -> Response:
    signal_id = int(request.path_params["signal_id"])
    step = request.path_params["step"]
    settings = settings_of(request)

    def write(session: Any, viewer: Viewer, form: Any) -> str:
        signal = actions.access_signal(session, viewer.actor, signal_id)
        if step == "triage":
            actions.triage(
                session,
                viewer.actor,
                signal,
                status=forms.text(form, "status") or None,
                reliability=forms.text(form, "reliability") or None,
                credibility=forms.integer(form, "credibility"),
                notes=forms.text(form, "notes"),
                assignee_id=viewer.actor.user_id
                if forms.text(form, "assign_me") == "on"
                else signal.assignee_id,
            )
        elif step == "verification-requests":
            made = actions.request_verification(
                session, viewer.actor, settings, signal, forms.text(form, "party"),
                forms.text(form, "question"),
            )  # fmt: skip
            return f"/signals/{signal_id}#request-{made.id}"
        elif step == "event":
            event_id = forms.integer(form, "event_id")
            new = None
            if event_id is None:
                new = actions.NewEvent(
                    forms.text(form, "title"),
                    forms.text(form, "hazard"),
                    forms.text(form, "country"),
                    forms.text(form, "summary"),
                )
            event = actions.link_to_event(
                session, viewer.actor, settings, signal, event_id=event_id, new=new
            )
            return f"/events/{event.id}"
        else:
            raise NotFound("no such step")
        return f"/signals/{signal_id}"

    return await forms.submit(request, write, _detail)


@router.post("/rumours/{rumour_id:int}/signal")
async def promote_rumour(request: Request) -> Response:
    rumour_id = int(request.path_params["rumour_id"])

    def write(session: Any, viewer: Viewer, form: Any) -> str:
        return f"/signals/{actions.promote_rumour(session, viewer.actor, rumour_id).id}"

    return await forms.submit(request, write, _queue)


# ---------------------------------------------------------------- verification requests


def _requests(request: Request, viewer: Viewer, **extra: Any) -> Response:
    with db_of(request).read() as session:
        found = actions.requests(session, viewer.actor)
        titles = actions.signal_titles(session, [r.signal_id for r in found], viewer.actor)
    context: dict[str, Any] = {
        "rows": _request_rows(found, titles),
        "statuses": [s.value for s in rules.ResponseStatus],
        "error": None,
    }
    context.update(extra)
    code = int(context.pop("status_code", 200))
    return render(request, "verification_requests.html", context, user=viewer.user,
                  status_code=code)  # fmt: skip


@router.get("/verification-requests")
def requests_page(request: Request) -> Response:
    return _requests(request, current_viewer(request))


@router.post("/verification-requests/{request_id:int}/{step}")
async def request_step(request: Request) -> Response:
    request_id = int(request.path_params["request_id"])
    step = request.path_params["step"]

    def write(session: Any, viewer: Viewer, form: Any) -> str:
        found = actions.access_request(session, viewer.actor, request_id)
        if step == "acknowledge":
            actions.acknowledge(session, viewer.actor, found)
        elif step == "answer":
            actions.respond(
                session, viewer.actor, found, forms.text(form, "status"), forms.text(form, "text")
            )
        else:
            raise NotFound("no such step")
        return f"/verification-requests#request-{request_id}"

    return await forms.submit(request, write, _requests)


# ---------------------------------------------------------------- sources


def _sources(request: Request, viewer: Viewer, **extra: Any) -> Response:
    with db_of(request).read() as session:
        found = actions.sources(session, viewer.actor)
    context: dict[str, Any] = {
        "sources": found,
        "can_add": actions.can_configure(viewer.actor),
        "reliabilities": rules.RELIABILITY,
        "values": {},
        "error": None,
    }
    context.update(extra)
    code = int(context.pop("status_code", 200))
    return render(request, "signal_sources.html", context, user=viewer.user, status_code=code)


@router.get("/signal-sources")
def sources_page(request: Request) -> Response:
    return _sources(request, current_viewer(request))


@router.post("/signal-sources")
async def add_source(request: Request) -> Response:
    settings = settings_of(request)

    def write(session: Any, viewer: Viewer, form: Any) -> str:
        actions.add_source(
            session,
            viewer.actor,
            settings,
            url=forms.text(form, "url"),
            name=forms.text(form, "name"),
            language=forms.text(form, "language"),
            reliability=forms.text(form, "reliability") or "F",
        )
        return "/signal-sources"

    return await forms.submit(request, write, _sources)
