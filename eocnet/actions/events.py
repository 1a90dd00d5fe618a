"""Events and alerts: post, change, acknowledge, discuss in threaded updates, assess (IHR)."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from eocnet.actions import audit, files, notifications, search_index
from eocnet.actions.errors import Conflict, Forbidden, Invalid, NotFound
from eocnet.config import Settings
from eocnet.db.models import (
    Acknowledgement,
    Attachment,
    Event,
    EventRevision,
    EventUpdate,
    IhrArticle9Report,
    IhrAssessment,
    Party,
    TracingNotice,
    UpdateRevision,
    User,
    table_of,
)
from eocnet.db.types import utcnow
from eocnet.domain import ihr, ihr_annex2
from eocnet.domain.actors import Actor
from eocnet.domain.events import (
    FIGURES,
    AlertCriterion,
    EventStatus,
    Severity,
    alert_rule_problem,
    can_move,
)
from eocnet.domain.parties import PartyKind
from eocnet.domain.places import is_country
from eocnet.domain.roles import Role
from eocnet.domain.visibility import NETWORK_KINDS, Visibility, audience_of
from eocnet.realtime.log import Audience, parties_key, publish

ISO3 = re.compile(r"^[A-Z]{3}$")
ISO3166_2 = re.compile(r"^[A-Z]{2}-[A-Z0-9]{1,3}$")
POSTING_ROLES = frozenset({Role.OFFICER, Role.FOCAL_POINT, Role.COORDINATOR, Role.PARTNER})


@dataclass
class EventFields:
    title: str
    hazard: str
    country: str
    summary: str = ""
    visibility: str = Visibility.NETWORK
    parties: list[str] = field(default_factory=list)
    alert: bool = False
    alert_reasons: list[str] = field(default_factory=list)
    icd_code: str = ""
    subdivision: str = ""
    place: str = ""
    latitude: float | None = None
    longitude: float | None = None
    onset_date: date | None = None
    detection_date: date | None = None
    report_date: date | None = None
    measures: str = ""
    needs: str = ""
    status: str = EventStatus.SIGNAL
    severity: str = Severity.MODERATE
    figures: dict[str, int] = field(default_factory=dict)


def event_audience(event: Any) -> Audience:
    """Who may see an event (an Event, or a row with its visibility, owner and parties)."""
    return Audience(event.visibility, event.owner_party, tuple(event.parties))


_ACTIVE_PARTY_KINDS = select(Party.code, Party.kind).where(Party.active.is_(True))


def _party_kinds(session: Session) -> dict[str, str]:
    return dict(session.connection().execute(_ACTIVE_PARTY_KINDS).all())


def can_see_event(actor: Actor, event: Event) -> bool:
    return event_audience(event).allows(actor.party_code, actor.party_kind, actor.user_id)


def access_event(session: Session, actor: Actor, event_id: int) -> Event:
    """The event, if the actor's party may see it; otherwise 404 (never 403: no hint)."""
    event = session.get(Event, event_id)
    if event is None or not can_see_event(actor, event):
        raise NotFound(f"no event {event_id}")
    return event


def _require_poster(actor: Actor) -> None:
    if not any(role in POSTING_ROLES for role in actor.roles):
        raise Forbidden("your role may not post events")


def _check_country(code: str) -> None:
    """A country of ISO 3166-1 by its alpha-3 code: the shape alone let "XYZ" through
    to the whole network."""
    if not ISO3.match(code):
        raise Invalid("country must be an ISO 3166-1 alpha-3 code such as IDN", field="country")
    if not is_country(code):
        raise Invalid(
            f"{code} is not a country code of ISO 3166-1 (alpha-3, such as IDN)", field="country"
        )


def _validate(
    session: Session, actor: Actor, f: EventFields
) -> tuple[list[str], list[str], dict[str, str]]:
    """Check the fields; returns the listed parties, the alert reasons and the kind of
    every active party (code -> kind)."""
    if not f.title.strip():
        raise Invalid("the title is empty", field="title")
    if not f.hazard.strip():
        raise Invalid("name the hazard (disease or agent)", field="hazard")
    _check_country(f.country)
    if f.subdivision and not ISO3166_2.match(f.subdivision):
        raise Invalid("subdivision must be an ISO 3166-2 code such as ID-JK", field="subdivision")
    if (f.latitude is None) != (f.longitude is None):
        raise Invalid("give both latitude and longitude, or neither", field="latitude")
    if f.latitude is not None and not -90 <= f.latitude <= 90:
        raise Invalid("latitude must be between -90 and 90", field="latitude")
    if f.longitude is not None and not -180 <= f.longitude <= 180:
        raise Invalid("longitude must be between -180 and 180", field="longitude")
    for name, vocabulary in (
        ("visibility", Visibility),
        ("status", EventStatus),
        ("severity", Severity),
    ):
        try:
            vocabulary(getattr(f, name))
        except ValueError as exc:
            raise Invalid(str(exc), field=name) from None
    kinds = _party_kinds(session)
    parties = sorted({p.strip().upper() for p in f.parties})
    unknown = [p for p in parties if p not in kinds]
    if unknown:
        raise Invalid(f"unknown parties: {', '.join(unknown)}", field="parties")
    if f.visibility == Visibility.RESTRICTED and not [p for p in parties if p != actor.party_code]:
        raise Invalid("a restricted event needs at least one other party", field="parties")
    if actor.is_partner and f.visibility == Visibility.NETWORK:
        raise Invalid("partners share with 'partners' or with listed parties", field="visibility")
    reasons: list[str] = []
    if f.alert:
        try:
            reasons = sorted({AlertCriterion(r).value for r in f.alert_reasons})
        except ValueError:
            allowed = ", ".join(c.value for c in AlertCriterion)
            raise Invalid(
                f"alert reasons must be among: {allowed}", field="alert_reasons"
            ) from None
        problem = alert_rule_problem({AlertCriterion(r) for r in reasons})
        if problem:
            raise Invalid(problem, field="alert_reasons")
    for name, value in f.figures.items():
        if name not in FIGURES:
            raise Invalid(f"unknown figure {name!r}", field=f"figures.{name}")
        if value < 0:
            raise Invalid("figures cannot be negative", field=f"figures.{name}")
    return parties, reasons, kinds


def _addressed(event: Event, kinds: dict[str, str]) -> list[str]:
    """The parties expected to acknowledge: those who can see it, other than the sender;
    partners only when named."""
    seen = audience_of(event.visibility, event.parties, event.owner_party, kinds)
    return [
        code
        for code in seen
        if code != event.owner_party and (kinds[code] in NETWORK_KINDS or code in event.parties)
    ]


def event_data(event: Event) -> dict[str, Any]:
    """The event as the API and the live stream show it."""
    return {
        "id": event.id,
        "title": event.title,
        "hazard": event.hazard,
        "icd_code": event.icd_code,
        "country": event.country,
        "subdivision": event.subdivision,
        "place": event.place,
        "latitude": event.latitude,
        "longitude": event.longitude,
        "onset_date": event.onset_date.isoformat() if event.onset_date else None,
        "detection_date": event.detection_date.isoformat() if event.detection_date else None,
        "report_date": event.report_date.isoformat() if event.report_date else None,
        **{name: getattr(event, name) for name in FIGURES},
        "summary": event.summary,
        "measures": event.measures,
        "needs": event.needs,
        "status": event.status,
        "severity": event.severity,
        "alert": event.is_alert,
        "alert_reasons": list(event.alert_reasons),
        "visibility": event.visibility,
        "parties": list(event.parties),
        "addressed": list(event.addressed),
        "owner_party": event.owner_party,
        "created_by": event.created_by,
        "created_at": event.created_at.isoformat(),
        "updated_at": event.updated_at.isoformat(),
        "version": event.version,
        "ihr_deadline": event.ihr_deadline.isoformat() if event.ihr_deadline else None,
        "ihr_notified_at": event.ihr_notified_at.isoformat() if event.ihr_notified_at else None,
        "ihr_assessed_at": event.ihr_assessed_at.isoformat() if event.ihr_assessed_at else None,
        "assessment_due": _iso(assessment_due(event)),
        "acknowledgements": [
            {"party": a.party_code, "user": a.user.email, "at": a.at.isoformat()}
            for a in event.acknowledgements
        ],
    }


def _iso(when: datetime | None) -> str | None:
    return when.isoformat() if when else None


def assessment_due(event: Event) -> datetime | None:
    """When the event's Annex 2 assessment is due (IHR Annex 1 A.6(a)/B.1: 48 hours from
    detection or report), until the party records one; None for closed or discarded
    events (nothing left to assess)."""
    if event.status in (EventStatus.CLOSED, EventStatus.DISCARDED):
        return None
    return ihr.assessment_due(
        event.detection_date, event.report_date, event.created_at, event.ihr_assessed_at
    )


def _index(session: Session, event: Event) -> None:
    search_index.index(
        session,
        "event",
        event.id,
        title=event.title,
        body="\n".join([event.hazard, event.summary, event.measures, event.needs, event.place]),
        audience=event_audience(event),
        created_at=event.created_at,
        event_id=event.id,
        country=event.country,
        hazard=event.hazard,
        status=event.status,
    )


_EVENTS = table_of(Event)
_INSERT_EVENT = _EVENTS.insert().returning(_EVENTS.c.id)


def create_event(session: Session, actor: Actor, f: EventFields, settings: Settings) -> Event:
    """Post an event; returns it as a persistent object of ``session``."""
    record = insert_event(session, actor, f, settings)
    event = session.get(Event, record.id)
    assert event is not None
    return event


def insert_event(session: Session, actor: Actor, f: EventFields, settings: Settings) -> Event:
    """Post an event: store it, index it, audit it and announce it on the stream.

    Returns the event as a detached record (not in the session): posting alerts is the
    busiest write path, so the row goes in by one Core statement rather than the ORM's
    unit of work (see docs/performance.md). :func:`create_event` gives a session-bound
    object for callers that go on changing it."""
    _require_poster(actor)
    parties, reasons, kinds = _validate(session, actor, f)
    now = utcnow()
    values: dict[str, Any] = {
        "title": f.title.strip(),
        "hazard": f.hazard.strip(),
        "icd_code": f.icd_code.strip(),
        "country": f.country,
        "subdivision": f.subdivision,
        "place": f.place.strip(),
        "latitude": f.latitude,
        "longitude": f.longitude,
        "onset_date": f.onset_date,
        "detection_date": f.detection_date,
        "report_date": f.report_date or now.date(),
        "summary": f.summary,
        "measures": f.measures,
        "needs": f.needs,
        "status": f.status,
        "severity": f.severity,
        "is_alert": f.alert,
        "alert_reasons": reasons,
        "visibility": f.visibility,
        "parties": parties,
        "parties_key": parties_key(parties),
        "owner_party": actor.party_code,
        "created_by": actor.user_id,
        "created_at": now,
        "updated_at": now,
        "version": 1,
        "ihr_deadline": None,
        "ihr_notified_at": None,
        "ihr_assessed_at": None,
        "next_reminder_at": (
            now + timedelta(minutes=settings.alert_reannounce_minutes) if f.alert else None
        ),
        "reminder_stage": 0,
        **{name: int(f.figures.get(name, 0)) for name in FIGURES},
    }
    event = Event(**values)
    event.addressed = values["addressed"] = _addressed(event, kinds)
    event.id = session.connection().execute(_INSERT_EVENT, values).scalar_one()
    if event.is_alert:
        notifications.notify_alert(session, settings, event, event.addressed, "new")
    _index(session, event)
    audit.record(
        session,
        actor,
        "event.create",
        "event",
        event.id,
        details={
            "title": event.title,
            "alert": event.is_alert,
            "visibility": event.visibility,
            "parties": parties,
        },
    )
    publish(session, "event.created", event_audience(event), event_data(event))
    return event


EDITABLE = (
    "title",
    "hazard",
    "icd_code",
    "country",
    "subdivision",
    "place",
    "latitude",
    "longitude",
    "onset_date",
    "detection_date",
    "report_date",
    "summary",
    "measures",
    "needs",
    "status",
    "severity",
    *FIGURES,
)


#: Text every event has, and text an event may lack (None clears it to "").
REQUIRED_TEXT = ("title", "hazard")
OPTIONAL_TEXT = ("icd_code", "subdivision", "place", "summary", "measures", "needs")


def can_edit(actor: Actor, event: Event) -> bool:
    return actor.party_code == event.owner_party or actor.has_role(Role.COORDINATOR)


def update_event(
    session: Session,
    actor: Actor,
    event: Event,
    changes: dict[str, Any],
    expected_version: int | None = None,
) -> Event:
    """Change an event's fields; the previous state is kept as a revision."""
    if not can_edit(actor, event):
        raise Forbidden("only the reporting party or the coordinator change an event")
    if expected_version is not None and expected_version != event.version:
        raise Conflict(
            f"the event changed meanwhile (now version {event.version}); reload and retry",
            field="version",
        )
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise Invalid(f"cannot change {sorted(unknown)[0]}", field=sorted(unknown)[0])
    changes = dict(changes)
    for name in REQUIRED_TEXT:
        if name in changes:
            if not isinstance(changes[name], str) or not changes[name].strip():
                raise Invalid(f"{name} cannot be empty", field=name)
            changes[name] = changes[name].strip()
    for name in OPTIONAL_TEXT:
        if name in changes and changes[name] is None:
            changes[name] = ""  # cleared
    if "status" in changes:
        try:
            EventStatus(changes["status"])
        except ValueError:
            raise Invalid(f"unknown status {changes['status']!r}", field="status") from None
        if not can_move(event.status, changes["status"]):
            raise Invalid(
                f"an event cannot go from {event.status} to {changes['status']}", field="status"
            )
    if "severity" in changes:
        try:
            Severity(changes["severity"])
        except ValueError:
            raise Invalid(f"unknown severity {changes['severity']!r}", field="severity") from None
    if "country" in changes:
        _check_country(str(changes["country"]))
    for name in FIGURES:
        if name in changes and (changes[name] is None or int(changes[name]) < 0):
            raise Invalid("figures cannot be negative", field=name)
    changed = {k: v for k, v in changes.items() if getattr(event, k) != v}
    if not changed:
        return event
    snapshot = {
        k: (v.isoformat() if isinstance(v, date) else v)
        for k, v in ((k, getattr(event, k)) for k in EDITABLE)
    }
    session.add(
        EventRevision(
            event_id=event.id, version=event.version, snapshot=snapshot, changed_by=actor.user_id
        )
    )
    for key, value in changed.items():
        setattr(event, key, value)
    event.version += 1
    event.updated_at = utcnow()
    session.flush()
    _index(session, event)
    audit.record(
        session,
        actor,
        "event.update",
        "event",
        event.id,
        details={"fields": sorted(changed), "version": event.version},
    )
    publish(session, "event.updated", event_audience(event), event_data(event))
    return event


@dataclass(frozen=True)
class AckRecord:
    """One party's acknowledgement of an event, as the API shows it."""

    party_code: str
    user_email: str
    at: datetime


_ACKS = table_of(Acknowledgement)
_USERS = table_of(User)
_EVENT_ACKS = (
    select(_ACKS.c.party_code, _USERS.c.email, _ACKS.c.at)
    .join(_USERS, _USERS.c.id == _ACKS.c.user_id)
    .where(_ACKS.c.event_id == bindparam("event_id"))
)
_INSERT_ACK = _ACKS.insert()


_ACK_FACTS = select(
    _EVENTS.c.id,
    _EVENTS.c.owner_party,
    _EVENTS.c.visibility,
    _EVENTS.c.parties,
    _EVENTS.c.addressed,
    _EVENTS.c.is_alert,
).where(_EVENTS.c.id == bindparam("event_id"))
_NO_MORE_REMINDERS = (
    _EVENTS.update().where(_EVENTS.c.id == bindparam("event_id")).values(next_reminder_at=None)
)


def acknowledge(session: Session, actor: Actor, event: Event) -> tuple[AckRecord, bool]:
    """Acknowledge for the actor's party. Returns the acknowledgement and whether it is new."""
    ack, new = _acknowledge(session, actor, event)
    if new:
        # The row changed underneath the ORM: read it again when next asked.
        session.expire(event, ["acknowledgements", "next_reminder_at"])
    return ack, new


def acknowledge_by_id(session: Session, actor: Actor, event_id: int) -> tuple[AckRecord, bool]:
    """:func:`acknowledge` for an event known by its id (404 if out of the actor's
    sight), without loading it into the session: the API's path, the busiest one."""
    facts = session.connection().execute(_ACK_FACTS, {"event_id": event_id}).first()
    if facts is None or not event_audience(facts).allows(
        actor.party_code, actor.party_kind, actor.user_id
    ):
        raise NotFound(f"no event {event_id}")
    return _acknowledge(session, actor, facts)


def _acknowledge(session: Session, actor: Actor, event: Any) -> tuple[AckRecord, bool]:
    """``event`` is an Event or a row with its id, owner, audience, addressed, is_alert.
    Core statements on the session's connection (see docs/performance.md)."""
    if actor.party_code == event.owner_party:
        raise Invalid("the reporting party does not acknowledge its own event", field="party")
    connection = session.connection()
    earlier = {
        row.party_code: AckRecord(row.party_code, row.email, row.at)
        for row in connection.execute(_EVENT_ACKS, {"event_id": event.id})
    }
    if actor.party_code in earlier:
        return earlier[actor.party_code], False
    ack = AckRecord(actor.party_code, actor.email, utcnow())
    connection.execute(
        _INSERT_ACK,
        {
            "event_id": event.id,
            "party_code": ack.party_code,
            "user_id": actor.user_id,
            "at": ack.at,
        },
    )
    if event.is_alert and set(event.addressed) <= {*earlier, ack.party_code}:
        connection.execute(_NO_MORE_REMINDERS, {"event_id": event.id})
    audit.record(session, actor, "event.acknowledge", "event", event.id)
    publish(
        session,
        "event.acknowledged",
        event_audience(event),
        {
            "event_id": event.id,
            "party": ack.party_code,
            "user": actor.email,
            "at": ack.at.isoformat(),
        },
    )
    return ack, True


# ---------------------------------------------------------------- threaded updates


def update_data(update: EventUpdate) -> dict[str, Any]:
    return {
        "id": update.id,
        "event_id": update.event_id,
        "author": update.author.email,
        "party": update.party_code,
        "body": update.body,
        "figures": dict(update.figures),
        "created_at": update.created_at.isoformat(),
        "edited_at": update.edited_at.isoformat() if update.edited_at else None,
        "attachments": [
            {
                "id": a.id,
                "filename": a.filename,
                "content_type": a.content_type,
                "size": a.size,
                "sha256": a.sha256,
            }
            for a in update.attachments
        ],
        "revisions": len(update.revisions),
    }


def post_update(
    session: Session,
    actor: Actor,
    event: Event,
    body: str,
    figures: dict[str, int],
    attachments: list[files.Upload],
    settings: Settings,
) -> EventUpdate:
    _require_poster(actor)
    if not body.strip() and not figures and not attachments:
        raise Invalid("an update needs text, figures or an attachment", field="body")
    for name, value in figures.items():
        if name not in FIGURES:
            raise Invalid(f"unknown figure {name!r}", field=f"figures.{name}")
        if value < 0:
            raise Invalid("figures cannot be negative", field=f"figures.{name}")
    if figures and not can_edit(actor, event):
        raise Forbidden("only the reporting party or the coordinator change the figures")
    update = EventUpdate(
        event_id=event.id,
        author_id=actor.user_id,
        party_code=actor.party_code,
        body=body.strip(),
        figures=dict(figures),
        created_at=utcnow(),
    )
    for item in attachments:
        filename, content_type = files.checked(item, settings.attachment_max_bytes)
        update.attachments.append(
            Attachment(
                filename=filename,
                content_type=content_type,
                size=len(item.data),
                sha256=hashlib.sha256(item.data).hexdigest(),
                data=item.data,
            )
        )
    session.add(update)
    session.flush()
    if figures:
        update_event(session, actor, event, dict(figures))
    event.updated_at = utcnow()
    _index_update(session, event, update)
    audit.record(
        session,
        actor,
        "event.post_update",
        "event_update",
        update.id,
        details={"event": event.id, "attachments": len(attachments)},
    )
    session.refresh(update)
    publish(session, "update.created", event_audience(event), update_data(update))
    return update


def edit_update(
    session: Session, actor: Actor, event: Event, update: EventUpdate, body: str
) -> EventUpdate:
    if update.author_id != actor.user_id:
        raise Forbidden("only the author edits an update")
    if not body.strip():
        raise Invalid("the text is empty", field="body")
    session.add(
        UpdateRevision(
            update_id=update.id, body=update.body, figures=update.figures, replaced_by=actor.user_id
        )
    )
    update.body = body.strip()
    update.edited_at = utcnow()
    session.flush()
    session.refresh(update)
    _index_update(session, event, update)
    audit.record(session, actor, "event.edit_update", "event_update", update.id)
    publish(session, "update.edited", event_audience(event), update_data(update))
    return update


def _index_update(session: Session, event: Event, update: EventUpdate) -> None:
    search_index.index(
        session,
        "update",
        update.id,
        title=event.title,
        body=update.body,
        audience=event_audience(event),
        created_at=update.created_at,
        event_id=event.id,
        country=event.country,
        hazard=event.hazard,
        status=event.status,
    )


# ---------------------------------------------------------------- IHR Annex 2


def can_assess_ihr(actor: Actor, event: Event) -> bool:
    """Annex 2 is the State Party's own assessment of events in its territory: its focal
    point or officers record it; the coordinator and other parties do not."""
    return actor.party_code == event.owner_party and (
        actor.has_role(Role.FOCAL_POINT) or actor.has_role(Role.OFFICER)
    )


def can_suggest_ihr(actor: Actor, event: Event) -> bool:
    """The coordinator and the other parties who see an event may add a suggestion; the
    event's own party records assessments instead."""
    return actor.party_code != event.owner_party and any(
        role in POSTING_ROLES for role in actor.roles
    )


def record_assessment(
    session: Session,
    actor: Actor,
    event: Event,
    disease: str | None,
    explicit: dict[ihr_annex2.Criterion, bool | None],
    sub_answers: dict[str, bool],
    questions: dict[ihr_annex2.Question, bool | None] | None = None,
    *,
    suggestion: bool = False,
) -> IhrAssessment:
    """Store an Annex 2 assessment of the event's own party, or (``suggestion``) the
    suggestion of another party or the coordinator.

    An assessment stops the 48-hour assessment clock (Annex 1) at the first one, and a
    notifiable one starts the 24-hour clock of Article 6.1 unless an earlier notifiable
    assessment already started it: the deadline runs from the first and never moves
    later. A suggestion is kept apart, labelled as such, and starts or stops no clock:
    the State Party assesses its own events (Article 6)."""
    if suggestion:
        if not can_suggest_ihr(actor, event):
            raise Forbidden(
                "the reporting party records its own assessment; suggestions come from "
                "the coordinator and the other parties"
            )
    elif not can_assess_ihr(actor, event):
        raise Forbidden(
            f"only the reporting party ({event.owner_party}), its focal point or officers, "
            "record an IHR Annex 2 assessment of its event: the State Party assesses events "
            "in its own territory (IHR Article 6); others may add a suggestion"
        )
    try:
        result = ihr_annex2.assess(disease, explicit, sub_answers, questions)
    except ihr_annex2.AnswerError as exc:
        raise Invalid(str(exc), field=exc.field) from None
    now = utcnow()
    row = IhrAssessment(
        event_id=event.id,
        disease=result.disease or "",
        answers={
            "criteria": {c.value: v for c, v in result.criteria.items()},
            "sub_answers": sub_answers,
            "questions": {q.value: v for q, v in result.questions.items()},
            "group": result.group.value,
            "recognised_by": result.recognised_by,
            "recognised_term": result.recognised_term,
            "follow_up": [{"key": f.key, "text": f.text, "why": f.why} for f in result.follow_up],
            "flowchart_differs": result.flowchart_differs,
        },
        notifiable=result.notifiable,
        rule=result.rule,
        reason=result.reason,
        assessed_at=now,
        deadline=None if suggestion else result.deadline(now),
        assessed_by=actor.user_id,
        kind="suggestion" if suggestion else "assessment",
        party_code=actor.party_code,
    )
    session.add(row)
    if not suggestion:
        if event.ihr_assessed_at is None:
            event.ihr_assessed_at = now
        if result.notifiable and event.ihr_notified_at is None and event.ihr_deadline is None:
            event.ihr_deadline = row.deadline
    session.flush()
    audit.record(
        session,
        actor,
        "event.ihr_suggest" if suggestion else "event.ihr_assess",
        "event",
        event.id,
        details={"notifiable": result.notifiable, "rule": result.rule},
    )
    publish(session, "event.updated", event_audience(event), event_data(event))
    return row


def can_record_who_notification(actor: Actor, event: Event) -> bool:
    """The reporting party's focal point (or its coordinator) notifies WHO: IHR (2005)
    Article 6.1 makes the notification the National IHR Focal Point's."""
    return actor.party_code == event.owner_party and (
        actor.has_role(Role.FOCAL_POINT) or actor.has_role(Role.COORDINATOR)
    )


def record_who_notification(session: Session, actor: Actor, event: Event) -> Event:
    if not can_record_who_notification(actor, event):
        raise Forbidden("the reporting party's focal point records the notification to WHO")
    if event.ihr_notified_at is not None:
        raise Conflict("the notification to WHO is already recorded")
    event.ihr_notified_at = utcnow()
    audit.record(session, actor, "event.ihr_notified", "event", event.id)
    publish(session, "event.updated", event_audience(event), event_data(event))
    return event


# ---------------------------------------------------------------- IHR Article 9.2


@dataclass(frozen=True)
class Article9Entry:
    """One party's Article 9.2 duty for an event, and its record if it informed WHO."""

    concern: ihr.Concern
    report: IhrArticle9Report | None


def _member_states(session: Session) -> frozenset[str]:
    kinds = _party_kinds(session)
    return frozenset(code for code, kind in kinds.items() if kind == PartyKind.MEMBER)


def article9(session: Session, actor: Actor, event: Event) -> list[Article9Entry]:
    """The parties the event (and its tracing notices) put under IHR Article 9.2, as the
    actor may see them: a concern that comes from a tracing notice is shown only to the
    notice's own parties and the coordinator (the notice's existence is restricted)."""
    notices = session.scalars(select(TracingNotice).where(TracingNotice.event_id == event.id)).all()
    facts = [ihr.NoticeFacts(n.id, n.sender_party, tuple(n.parties), n.created_at) for n in notices]
    concerns = ihr.article9_parties(
        event.owner_party,
        event.country,
        event.parties,
        event.created_at,
        _member_states(session),
        facts,
    )
    by_id = {n.id: n for n in notices}
    reports = {
        r.party_code: r
        for r in session.scalars(
            select(IhrArticle9Report).where(IhrArticle9Report.event_id == event.id)
        )
    }
    shown = []
    for c in concerns:
        notice = by_id.get(c.tracing_notice_id) if c.tracing_notice_id else None
        if notice is not None and not (
            actor.party_code == notice.sender_party
            or actor.party_code in notice.parties
            or actor.party_kind == PartyKind.COORDINATOR
        ):
            continue
        shown.append(Article9Entry(c, reports.get(c.party)))
    return shown


def article9_data(session: Session, actor: Actor, event: Event) -> list[dict[str, Any]]:
    """The Article 9.2 duties of the event as the API shows them to ``actor``."""
    entries = article9(session, actor, event)
    ids = [e.report.informed_by for e in entries if e.report]
    users: dict[int, str] = {
        uid: email
        for uid, email in session.execute(select(User.id, User.email).where(User.id.in_(ids)))
    }
    out = []
    for e in entries:
        r = e.report
        out.append(
            {
                "party": e.concern.party,
                "why": e.concern.why,
                "since": e.concern.since,
                "due": e.concern.due,
                "tracing_notice_id": e.concern.tracing_notice_id,
                "informed_at": r.informed_at if r else None,
                "informed_by": users.get(r.informed_by) if r else None,
                "note": r.note if r else "",
            }
        )
    return out


def record_who_informed(
    session: Session, actor: Actor, event: Event, note: str = ""
) -> IhrArticle9Report:
    """Record that the actor's party informed WHO under IHR Article 9.2 of the risk
    outside its territory the event shows: its focal point records it, once, audited,
    as the Article 6 notification."""
    concern = next(
        (e.concern for e in article9(session, actor, event) if e.concern.party == actor.party_code),
        None,
    )
    if concern is None:
        raise Forbidden(
            f"this event shows no risk outside {actor.party_code}'s territory under "
            "IHR Article 9.2 for your party to report"
        )
    if not actor.has_role(Role.FOCAL_POINT):
        raise Forbidden("the party's focal point records that WHO was informed (IHR Article 9.2)")
    note = note.strip()
    if len(note) > 2000:
        raise Invalid("the note is longer than 2000 characters", field="note")
    existing = session.scalar(
        select(IhrArticle9Report).where(
            IhrArticle9Report.event_id == event.id,
            IhrArticle9Report.party_code == actor.party_code,
        )
    )
    if existing is not None:
        raise Conflict(f"{actor.party_code} has already recorded that WHO was informed")
    row = IhrArticle9Report(
        event_id=event.id,
        party_code=actor.party_code,
        tracing_notice_id=concern.tracing_notice_id,
        note=note,
        informed_at=utcnow(),
        informed_by=actor.user_id,
    )
    session.add(row)
    session.flush()
    audit.record(
        session,
        actor,
        "event.ihr_article9_informed",
        "event",
        event.id,
        details={"party": actor.party_code, "why": concern.why},
    )
    publish(session, "event.updated", event_audience(event), event_data(event))
    return row


def reminder_due(now: datetime, event: Event) -> bool:
    return event.next_reminder_at is not None and event.next_reminder_at <= now
