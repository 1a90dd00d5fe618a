"""Pages of the real-time exchange: events and alerts, their threads, channels and search.

Pages update live: the htmx SSE extension listens to /api/v1/stream and re-fetches the
fragments named in ``hx-trigger`` when a matching entry arrives.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from eocnet.actions import channels as channel_actions
from eocnet.actions import events as event_actions
from eocnet.actions import risk_assessments, tracing
from eocnet.actions.errors import ActionError, Forbidden
from eocnet.config import Settings
from eocnet.db.models import Channel, Event, EventUpdate, IhrAssessment, Message, Party
from eocnet.domain import ihr_annex2
from eocnet.domain.events import FIGURES, AlertCriterion, EventStatus, Severity
from eocnet.queries import events as event_queries
from eocnet.queries import risk_assessments as rra_queries
from eocnet.queries.search import page_of, search_query
from eocnet.render import i18n
from eocnet.web.auth import check_csrf, current_viewer, db_of
from eocnet.web.rendering import render

router = APIRouter(include_in_schema=False)
FormStr = Annotated[str, Form()]
Csrf = Annotated[str, Form(alias="csrf_token")]


def _settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def _see_other(location: str) -> RedirectResponse:
    return RedirectResponse(location, status_code=303)


def _parties(session: Any) -> list[Party]:
    return list(
        session.execute(
            select(Party).where(Party.active.is_(True)).order_by(Party.kind, Party.name)
        ).scalars()
    )


def recent_events(
    session: Any, actor: Any, status: str = "", alert_only: bool = False, limit: int = 100
) -> list[Event]:
    """The newest events the actor may see, with acknowledgements loaded."""
    query = event_queries.events(
        actor, status=status or None, alert=True if alert_only else None, limit=limit
    )
    return list(session.scalars(query))


def pending_for_party(event: Event, party: str) -> bool:
    return (
        event.is_alert
        and party in event.addressed
        and party not in {a.party_code for a in event.acknowledgements}
    )


# ---------------------------------------------------------------- events


def _events_view(request: Request, template: str, status: str, alert: str) -> Response:
    viewer = current_viewer(request)
    with db_of(request).read() as session:
        rows = recent_events(session, viewer.actor, status, alert == "1", limit=50)
    context = {
        "events": rows,
        "status": status,
        "alert": alert,
        "statuses": list(EventStatus),
        "pending": pending_for_party,
    }
    return render(request, template, context, user=viewer.user)


@router.get("/events")
def events_page(request: Request, status: str = "", alert: str = "") -> Response:
    return _events_view(request, "events.html", status, alert)


@router.get("/events/fragment")
def events_fragment(request: Request, status: str = "", alert: str = "") -> Response:
    """The rows alone, re-fetched when the stream announces a change."""
    return _events_view(request, "_events_table.html", status, alert)


def _field_error(viewer: Any, exc: ActionError | ValueError) -> tuple[str, str]:
    """The field a refused form names, and the message to show at it, in the
    reader's language where the page knows the rule."""
    t = i18n.translator(viewer.user.language).gettext
    if not isinstance(exc, ActionError):
        return "onset_date", t("Give the date as YYYY-MM-DD.")
    field = (exc.field or "").removeprefix("figures.")
    if field == "country":
        return field, t(
            "This is not a country code. Give the country's ISO 3166-1 alpha-3 code, "
            "such as IDN for Indonesia or KHM for Cambodia."
        )
    if field in FIGURES:
        return field, t("Give a whole number, 0 or more.")
    if field == "version":
        return field, t(
            "Someone changed this event while you were editing it. Its current values "
            "are shown; check them and save again."
        )
    return field, exc.detail


def _new_event_form(
    request: Request,
    viewer: Any,
    error: str | None = None,
    values: dict[str, Any] | None = None,
    status_code: int = 200,
    error_field: str = "",
) -> Response:
    with db_of(request).read() as session:
        parties = _parties(session)
    return render(
        request,
        "event_new.html",
        {
            "parties": parties,
            "criteria": list(AlertCriterion),
            "severities": list(Severity),
            "error": error,
            "error_field": error_field,
            "values": values or {"country": viewer.user.party_code},
        },
        user=viewer.user,
        status_code=status_code,
    )


@router.get("/events/new")
def new_event_page(request: Request) -> Response:
    viewer = current_viewer(request)
    return _new_event_form(request, viewer)


@router.post("/events/new")
async def new_event_submit(request: Request) -> Response:
    viewer = current_viewer(request)
    form = await request.form()
    check_csrf(request, str(form.get("csrf_token", "")))
    values: dict[str, Any] = {
        k: form.get(k, "")
        for k in (
            "title",
            "hazard",
            "country",
            "summary",
            "visibility",
            "severity",
            "place",
            "measures",
            "needs",
            "cases_confirmed",
            "deaths_confirmed",
            "onset_date",
        )
    }
    values["parties"] = [str(p) for p in form.getlist("parties")]
    values["alert"] = form.get("alert") == "1"
    values["alert_reasons"] = [str(r) for r in form.getlist("alert_reasons")]

    try:
        onset = date.fromisoformat(str(values["onset_date"])) if values["onset_date"] else None
        fields = event_actions.EventFields(
            title=str(values["title"]),
            hazard=str(values["hazard"]),
            country=str(values["country"]).upper(),
            summary=str(values["summary"]),
            visibility=str(values["visibility"] or "network"),
            parties=values["parties"],
            alert=values["alert"],
            alert_reasons=values["alert_reasons"],
            severity=str(values["severity"] or "moderate"),
            place=str(values["place"]),
            measures=str(values["measures"]),
            needs=str(values["needs"]),
            onset_date=onset,
            figures={
                "cases_confirmed": _whole(values, "cases_confirmed"),
                "deaths_confirmed": _whole(values, "deaths_confirmed"),
            },
        )
        settings = _settings(request)
        event_id = await db_of(request).run(
            lambda session: event_actions.create_event(session, viewer.actor, fields, settings).id
        )
    except (ActionError, ValueError) as exc:
        field, message = _field_error(viewer, exc)
        return _new_event_form(request, viewer, message, values, status_code=422, error_field=field)
    return _see_other(f"/events/{event_id}")


def _whole(values: dict[str, Any], name: str) -> int:
    raw = str(values.get(name) or "0").strip() or "0"
    if not raw.isdigit():
        raise ActionError("figures must be whole numbers", field=name)
    return int(raw)


def _event_context(session: Any, viewer: Any, event_id: int) -> dict[str, Any]:
    event = event_actions.access_event(session, viewer.actor, event_id)
    _ = [a.user.email for a in event.acknowledgements]
    updates = list(
        session.execute(
            select(EventUpdate)
            .options(
                selectinload(EventUpdate.attachments),
                selectinload(EventUpdate.author),
                selectinload(EventUpdate.revisions),
            )
            .where(EventUpdate.event_id == event.id)
            .order_by(EventUpdate.id)
        ).scalars()
    )
    acked = {a.party_code: a for a in event.acknowledgements}
    channel_id = session.execute(
        select(Channel.id).where(Channel.event_id == event.id, Channel.kind == "event")
    ).scalar()
    return {
        "channel_id": channel_id,
        "acked_count": len([code for code in event.addressed if code in acked]),
        "can_notify_who": event.ihr_notified_at is None
        and event_actions.can_record_who_notification(viewer.actor, event),
        "event": event,
        "updates": updates,
        "acked": acked,
        "can_ack": viewer.user.party_code != event.owner_party
        and viewer.user.party_code not in acked,
        "can_edit": event_actions.can_edit(viewer.actor, event),
        "statuses": list(EventStatus),
        "criteria": ihr_annex2.SUB_QUESTIONS,
        "ihr_questions": ihr_annex2.QUESTIONS,
        "can_assess_ihr": event_actions.can_assess_ihr(viewer.actor, event),
        "can_suggest_ihr": event_actions.can_suggest_ihr(viewer.actor, event),
        "assessment_due": event_actions.assessment_due(event),
        "ihr_records": list(
            session.execute(
                select(IhrAssessment)
                .where(IhrAssessment.event_id == event.id)
                .order_by(IhrAssessment.id)
            ).scalars()
        ),
        "article9": event_actions.article9_data(session, viewer.actor, event),
        "assessments": list(session.scalars(rra_queries.risk_assessments(viewer.actor, event.id))),
        "can_assess": not viewer.actor.is_partner
        and any(r in risk_assessments.DRAFTING_ROLES for r in viewer.actor.roles),
        "tracing_notices": tracing.has_visible_notices(session, viewer.actor, event_id),
    }


def _event_view(request: Request, event_id: int, template: str) -> Response:
    viewer = current_viewer(request)
    with db_of(request).read() as session:
        context = _event_context(session, viewer, event_id)
    return render(request, template, context, user=viewer.user)


@router.get("/events/{event_id}")
def event_page(request: Request, event_id: int) -> Response:
    return _event_view(request, event_id, "event.html")


@router.get("/events/{event_id}/acks")
def event_acks_fragment(request: Request, event_id: int) -> Response:
    """The acknowledgements alone, re-fetched when the stream announces one."""
    return _event_view(request, event_id, "_event_acks.html")


@router.get("/events/{event_id}/thread")
def event_thread_fragment(request: Request, event_id: int) -> Response:
    """The updates alone, re-fetched when the stream announces one."""
    return _event_view(request, event_id, "_event_thread.html")


@router.post("/events/{event_id}/acknowledge")
def acknowledge_submit(request: Request, event_id: int, csrf: Csrf) -> Response:
    check_csrf(request, csrf)
    viewer = current_viewer(request)
    db_of(request).run_sync(
        lambda session: event_actions.acknowledge(
            session, viewer.actor, event_actions.access_event(session, viewer.actor, event_id)
        )
    )
    return _see_other(f"/events/{event_id}")


@router.post("/events/{event_id}/updates")
def update_submit(request: Request, event_id: int, csrf: Csrf, body: FormStr = "") -> Response:
    check_csrf(request, csrf)
    viewer = current_viewer(request)
    settings = _settings(request)

    def job(session: Session) -> None:
        event = event_actions.access_event(session, viewer.actor, event_id)
        event_actions.post_update(session, viewer.actor, event, body, {}, [], settings)

    db_of(request).run_sync(job)
    return _see_other(f"/events/{event_id}#thread")


@router.post("/events/{event_id}/status")
def status_submit(request: Request, event_id: int, csrf: Csrf, status: FormStr) -> Response:
    check_csrf(request, csrf)
    viewer = current_viewer(request)

    def job(session: Session) -> None:
        event = event_actions.access_event(session, viewer.actor, event_id)
        event_actions.update_event(session, viewer.actor, event, {"status": status})

    db_of(request).run_sync(job)
    return _see_other(f"/events/{event_id}")


EDIT_FIELDS = (
    "title",
    "hazard",
    "country",
    "place",
    "summary",
    "measures",
    "needs",
    "severity",
    "onset_date",
    *FIGURES,
)


def _edit_form(
    request: Request,
    viewer: Any,
    event_id: int,
    values: dict[str, Any] | None = None,
    error: str | None = None,
    error_field: str = "",
    status_code: int = 200,
) -> Response:
    with db_of(request).read() as session:
        event = event_actions.access_event(session, viewer.actor, event_id)
        if not event_actions.can_edit(viewer.actor, event):
            raise Forbidden("only the reporting party or the coordinator change an event")
        current = {name: getattr(event, name) for name in EDIT_FIELDS}
        current["onset_date"] = event.onset_date.isoformat() if event.onset_date else ""
        current["version"] = event.version
    return render(
        request,
        "event_edit.html",
        {
            "event": event,
            # what was typed over what is saved: a refused figures-only form must not
            # blank the fields it did not send
            "values": {**current, **(values or {})},
            "severities": list(Severity),
            "figures": FIGURES,
            "error": error,
            "error_field": error_field,
        },
        user=viewer.user,
        status_code=status_code,
    )


@router.get("/events/{event_id}/edit")
def event_edit_page(request: Request, event_id: int) -> Response:
    viewer = current_viewer(request)
    return _edit_form(request, viewer, event_id)


@router.post("/events/{event_id}/edit")
async def event_edit_submit(request: Request, event_id: int) -> Response:
    """Changes the fields the form sent (the whole edit form, or the figures alone from
    the event page); the version it was read at guards against a lost update."""
    viewer = current_viewer(request)
    form = await request.form()
    check_csrf(request, str(form.get("csrf_token", "")))
    values: dict[str, Any] = {k: str(form[k]) for k in EDIT_FIELDS if k in form}
    version = str(form.get("version", ""))
    try:
        changes: dict[str, Any] = {}
        for name, raw in values.items():
            if name in FIGURES:
                changes[name] = _whole(values, name)
            elif name == "onset_date":
                changes[name] = date.fromisoformat(raw) if raw.strip() else None
            elif name == "country":
                changes[name] = raw.strip().upper()
            else:
                changes[name] = raw

        def job(session: Session) -> None:
            event = event_actions.access_event(session, viewer.actor, event_id)
            event_actions.update_event(
                session,
                viewer.actor,
                event,
                changes,
                expected_version=int(version) if version.isdigit() else None,
            )

        await db_of(request).run(job)
    except (ActionError, ValueError) as exc:
        if isinstance(exc, ActionError) and exc.status in (403, 404):
            raise
        field, message = _field_error(viewer, exc)
        if field == "version":  # show what is there now, and keep nothing stale
            return _edit_form(
                request, viewer, event_id, error=message, error_field=field, status_code=409
            )
        return _edit_form(
            request,
            viewer,
            event_id,
            {**values, "version": version},
            message,
            field,
            status_code=422,
        )
    return _see_other(f"/events/{event_id}")


@router.post("/events/{event_id}/who-notification")
def who_notification_submit(request: Request, event_id: int, csrf: Csrf) -> Response:
    """Records that WHO was notified (IHR Article 6.1), which clears the deadline."""
    check_csrf(request, csrf)
    viewer = current_viewer(request)

    def job(session: Session) -> None:
        event = event_actions.access_event(session, viewer.actor, event_id)
        event_actions.record_who_notification(session, viewer.actor, event)

    db_of(request).run_sync(job)
    return _see_other(f"/events/{event_id}")


@router.post("/events/{event_id}/channel")
def event_channel_submit(request: Request, event_id: int, csrf: Csrf) -> Response:
    """Opens the event's discussion channel (created on first use, with the event's
    audience) and goes there."""
    check_csrf(request, csrf)
    viewer = current_viewer(request)

    def job(session: Session) -> int:
        event = event_actions.access_event(session, viewer.actor, event_id)
        return channel_actions.event_channel(session, viewer.actor, event).id

    channel_id = db_of(request).run_sync(job)
    return _see_other(f"/channels/{channel_id}")


@router.post("/events/{event_id}/ihr")
async def ihr_submit(request: Request, event_id: int) -> Response:
    viewer = current_viewer(request)
    form = await request.form()
    check_csrf(request, str(form.get("csrf_token", "")))
    sub_answers = {key: form.get(key) == "yes" for key in ihr_annex2.SUB_ANSWER_KEYS}
    disease = str(form.get("disease", ""))
    # A ticked box answers yes; an unticked one leaves the question open (the disease
    # named may still be recognised).
    questions: dict[ihr_annex2.Question, bool | None] = {
        q: True if form.get(q.value) == "yes" else None for q in ihr_annex2.Question
    }

    suggestion = form.get("kind") == "suggestion"

    def write(session: Session) -> None:
        event = event_actions.access_event(session, viewer.actor, event_id)
        event_actions.record_assessment(
            session,
            viewer.actor,
            event,
            disease or event.hazard,
            {},
            sub_answers,
            questions,
            suggestion=suggestion,
        )

    await db_of(request).run(write)
    return _see_other(f"/events/{event_id}#ihr")


@router.post("/events/{event_id}/ihr-article9")
def article9_submit(request: Request, event_id: int, csrf: Csrf, note: FormStr = "") -> Response:
    """The focal point records that WHO was informed under IHR Article 9.2."""
    check_csrf(request, csrf)
    viewer = current_viewer(request)

    def job(session: Session) -> None:
        event = event_actions.access_event(session, viewer.actor, event_id)
        event_actions.record_who_informed(session, viewer.actor, event, note)

    db_of(request).run_sync(job)
    return _see_other(f"/events/{event_id}#ihr-article9")


# ---------------------------------------------------------------- channels


@router.get("/channels")
def channels_page(request: Request) -> Response:
    viewer = current_viewer(request)
    with db_of(request).read() as session:
        rows = list(
            session.execute(
                select(Channel)
                .where(channel_actions.visible_channels_clause(viewer.actor))
                .order_by(Channel.last_message_id.desc(), Channel.id.desc())
            ).scalars()
        )
        unread = channel_actions.unread_counts(session, viewer.actor)
        parties = _parties(session)
    return render(
        request,
        "channels.html",
        {"channels": rows, "unread": unread, "parties": parties, "error": None},
        user=viewer.user,
    )


@router.post("/channels")
async def channel_create_submit(request: Request) -> Response:
    viewer = current_viewer(request)
    form = await request.form()
    check_csrf(request, str(form.get("csrf_token", "")))
    name, parties = str(form.get("name", "")), [str(p) for p in form.getlist("parties")]
    channel_id = await db_of(request).run(
        lambda session: channel_actions.create_channel(session, viewer.actor, name, parties).id
    )
    return _see_other(f"/channels/{channel_id}")


def _channel_context(session: Any, viewer: Any, channel_id: int) -> dict[str, Any]:
    channel = channel_actions.access_channel(session, viewer.actor, channel_id)
    messages = list(
        session.execute(
            select(Message)
            .options(selectinload(Message.author))
            .where(Message.channel_id == channel.id)
            .order_by(Message.id.desc())
            .limit(200)
        ).scalars()
    )
    messages.reverse()
    return {"channel": channel, "messages": messages}


@router.get("/channels/{channel_id}")
def channel_page(request: Request, channel_id: int) -> Response:
    """Reading writes nothing: the page marks what was shown as read with an
    explicit POST (the script sends it when the messages are on screen)."""
    return _channel_view(request, channel_id, "channel.html")


@router.get("/channels/{channel_id}/messages")
def channel_messages_fragment(request: Request, channel_id: int) -> Response:
    return _channel_view(request, channel_id, "_messages.html")


def _channel_view(request: Request, channel_id: int, template: str) -> Response:
    viewer = current_viewer(request)
    with db_of(request).read() as session:
        context = _channel_context(session, viewer, channel_id)
    return render(request, template, context, user=viewer.user)


@router.post("/channels/{channel_id}/read")
def channel_read_submit(
    request: Request, channel_id: int, csrf: Csrf, up_to: Annotated[int, Form(ge=0)]
) -> Response:
    """Mark the channel read up to the newest message shown (read state only moves
    forward). The script posts it; without JavaScript it is a button."""
    check_csrf(request, csrf)
    viewer = current_viewer(request)

    def job(session: Session) -> int:
        channel = channel_actions.access_channel(session, viewer.actor, channel_id)
        return channel_actions.mark_read(session, viewer.actor, channel, up_to)

    db_of(request).run_sync(job)
    if request.headers.get("hx-request"):
        return Response(status_code=204)
    return _see_other(f"/channels/{channel_id}")


@router.post("/channels/{channel_id}/messages")
def message_submit(request: Request, channel_id: int, csrf: Csrf, body: FormStr) -> Response:
    check_csrf(request, csrf)
    viewer = current_viewer(request)
    settings = _settings(request)

    def job(session: Session) -> None:
        channel = channel_actions.access_channel(session, viewer.actor, channel_id)
        channel_actions.post_message(session, viewer.actor, channel, body, settings=settings)

    db_of(request).run_sync(job)
    if request.headers.get("hx-request"):
        return channel_messages_fragment(request, channel_id)
    return _see_other(f"/channels/{channel_id}")


# ---------------------------------------------------------------- search


#: How a search result's kind reads (each in ``web/vocabulary.py``, translated).
_KIND_NAMES = {
    "fact_check": "fact check",
    "assessment": "risk assessment",
    "support": "support request",
    "action": "action item",
}


@router.get("/search")
def search_page(request: Request, q: str = "") -> Response:
    viewer = current_viewer(request)
    hits: list[Any] = []
    if q.strip():
        with db_of(request).read() as session:
            hits = list(
                session.execute(
                    search_query(
                        db_of(request).engine.dialect.name, viewer.actor, q[:200], limit=50
                    )
                ).scalars()
            )
    pages = [page_of(h) for h in hits]
    return render(
        request,
        "search.html",
        {"q": q, "hits": list(zip(hits, pages, strict=True)), "kind_names": _KIND_NAMES},
        user=viewer.user,
    )
