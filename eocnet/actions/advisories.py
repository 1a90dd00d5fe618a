"""Public advisories: drafted by a party, reviewed, approved and issued by the party's
focal point (the alerting authority named in CAP ``senderName``) or, for a regional
advisory of the coordinator, by the coordinator; published as CAP 1.2 messages,
updated and cancelled.

What the public sees is never the advisory row itself but the messages issued
from it (``AdvisoryMessage``): each keeps the text as published, so a later
unpublished edit cannot leak.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from eocnet.actions import audit, events, search_index
from eocnet.actions import risk_assessments as rra_actions
from eocnet.actions.checks import coordinators, links, text
from eocnet.actions.errors import Conflict, Forbidden, Invalid, NotFound
from eocnet.config import Settings
from eocnet.db.models import (
    Advisory,
    AdvisoryMessage,
    AdvisoryTranslation,
    Party,
)
from eocnet.db.types import utcnow
from eocnet.domain import advisories as rules
from eocnet.domain import cap, languages
from eocnet.domain.actors import Actor
from eocnet.domain.places import country_name, is_country, is_subdivision
from eocnet.domain.roles import Role
from eocnet.domain.visibility import Visibility
from eocnet.interop import cap as cap_xml
from eocnet.realtime.log import Audience, publish
from eocnet.render.markdown import to_plain_text

DRAFTING_ROLES = frozenset({Role.OFFICER, Role.FOCAL_POINT, Role.COORDINATOR})
ISSUER = (
    "only a focal point of the party that wrote it "
    "(the coordinator for its own, regional, advisories)"
)
MAX_TEXT = 20_000


@dataclass
class TranslationFields:
    language: str
    headline: str
    body: str = ""
    instruction: str = ""
    #: CAP <audience> in this language ("": the advisory's own)
    audience: str = ""
    #: CAP <areaDesc> of each area in this language, in the areas' order ("": as given)
    area_descriptions: list[str] = field(default_factory=list)


@dataclass
class AreaFields:
    description: str = ""
    countries: list[str] = field(default_factory=list)
    subdivisions: list[str] = field(default_factory=list)
    polygons: list[str] = field(default_factory=list)
    circles: list[str] = field(default_factory=list)


@dataclass
class AdvisoryFields:
    event_type: str
    urgency: str
    severity: str
    certainty: str
    translations: list[TranslationFields]
    areas: list[AreaFields]
    category: str = "Health"
    response_type: str = ""
    audience: str = ""
    effective_at: datetime | None = None
    expires_at: datetime | None = None
    links: list[dict[str, str]] = field(default_factory=list)
    event_id: int | None = None
    risk_assessment_id: int | None = None
    #: CAP <status>: Actual, or Exercise / Test for drills; <scope>: Public, or
    #: Restricted with its <restriction> (who may receive it).
    cap_status: str = "Actual"
    scope: str = "Public"
    restriction: str = ""


#: CAP statuses an advisory may be issued with (OASIS CAP 1.2 §3.2.1): real ones, and
#: the two for drills. System and Draft are not messages for people.
CAP_STATUSES = ("Actual", "Exercise", "Test")
#: CAP scopes: Public, or Restricted to those named in <restriction>; Private needs
#: <addresses>, which eocnet does not keep.
CAP_SCOPES = ("Public", "Restricted")


def is_public(cap_status: str, scope: str) -> bool:
    """Whether a message may reach the public site and the public feeds: only a real
    (Actual) message for the public (scope Public); exercises, tests and restricted
    messages never do."""
    return cap_status == "Actual" and scope == "Public"


# ---------------------------------------------------------------- who sees what


def audience(
    session: Session, advisory: Advisory, coordinating: tuple[str, ...] | None = None
) -> Audience:
    """Until published: the owning party and the coordinator. Published or
    cancelled: everyone in the network and its partners (and the public).
    ``coordinating``: the coordinator parties, when the caller already has them."""
    if advisory.status in ("published", "cancelled"):
        return Audience(Visibility.PARTNERS, advisory.owner_party)
    if coordinating is None:
        coordinating = coordinators(session)
    return Audience(Visibility.RESTRICTED, advisory.owner_party, coordinating)


def can_see(session: Session, actor: Actor, advisory: Advisory) -> bool:
    return audience(session, advisory).allows(actor.party_code, actor.party_kind, actor.user_id)


def access(session: Session, actor: Actor, advisory_id: int) -> Advisory:
    advisory = session.get(Advisory, advisory_id)
    if advisory is None or not can_see(session, actor, advisory):
        raise NotFound(f"no advisory {advisory_id}")
    return advisory


def may_edit(actor: Actor, advisory: Advisory) -> bool:
    if advisory.status not in rules.EDITABLE or actor.scope != "write":
        return False
    return (actor.party_code == advisory.owner_party and not actor.is_partner) or (
        actor.is_coordinator
    )


def may_approve(actor: Actor, advisory: Advisory) -> bool:
    """Who approves, publishes and cancels (issues) an advisory: its own party's
    authority, the one its CAP messages name as ``senderName``. A member state's
    advisory is issued by that party's focal point (never by the coordinator, nor by
    another party); a regional advisory of the coordinator by the coordinator."""
    if actor.party_code != advisory.owner_party or actor.scope != "write":
        return False
    if actor.party_kind == "coordinator":
        return actor.is_coordinator
    return not actor.is_partner and actor.has_role(Role.FOCAL_POINT)


# ---------------------------------------------------------------- checks


def _check_areas(areas: list[AreaFields]) -> list[dict[str, Any]]:
    if not areas:
        raise Invalid("say where the advisory applies: at least one area", field="areas")
    out = []
    for i, area in enumerate(areas):
        where = f"areas[{i}]"
        countries = [c.strip().upper() for c in area.countries if c.strip()]
        for code in countries:
            if not is_country(code):
                raise Invalid(f"{code!r} is not an ISO 3166-1 alpha-3 code", field=where)
        subdivisions = [s.strip().upper() for s in area.subdivisions if s.strip()]
        for code in subdivisions:
            if not is_subdivision(code):
                raise Invalid(f"{code!r} is not an ISO 3166-2 subdivision code", field=where)
        polygons = [rules.closed_polygon(p) for p in area.polygons if p.strip()]
        for polygon in polygons:
            problem = cap.polygon_problem(polygon)
            if problem:
                raise Invalid(problem, field=f"{where}.polygons")
        circles = [" ".join(c.split()) for c in area.circles if c.strip()]
        for circle in circles:
            problem = cap.circle_problem(circle)
            if problem:
                raise Invalid(problem, field=f"{where}.circles")
        description = text(area.description, f"{where}.description", 300)
        if not (countries or subdivisions or polygons or circles or description):
            raise Invalid(
                "an area needs a description, a country, a subdivision, a polygon or a circle",
                field=where,
            )
        if not description:
            names = [country_name(c) for c in countries] + subdivisions
            description = ", ".join(names) or "Area"
        out.append(
            {
                "description": description,
                "countries": countries,
                "subdivisions": subdivisions,
                "polygons": polygons,
                "circles": circles,
            }
        )
    return out


def _check_translations(items: list[TranslationFields]) -> list[TranslationFields]:
    if not items:
        raise Invalid("write the advisory in at least one language", field="translations")
    seen: set[str] = set()
    out = []
    for i, item in enumerate(items):
        where = f"translations[{i}]"
        tag = languages.normal_tag(item.language)
        problem = languages.language_problem(tag)
        if problem:
            raise Invalid(problem, field=f"{where}.language")
        if tag in seen:
            raise Invalid(f"two translations in {tag}", field=f"{where}.language")
        seen.add(tag)
        out.append(
            TranslationFields(
                language=tag,
                headline=text(item.headline, f"{where}.headline", 300, required=True),
                body=text(item.body, f"{where}.body", MAX_TEXT),
                instruction=text(item.instruction, f"{where}.instruction", MAX_TEXT),
                audience=text(item.audience, f"{where}.audience", 300),
                area_descriptions=[
                    text(d, f"{where}.area_descriptions[{j}]", 300)
                    for j, d in enumerate(item.area_descriptions)
                ],
            )
        )
    return out


def _apply(session: Session, actor: Actor, advisory: Advisory, f: AdvisoryFields) -> None:
    for name in ("category", "urgency", "severity", "certainty", "response_type"):
        problem = rules.vocabulary_problem(name, getattr(f, name))
        if problem:
            raise Invalid(problem, field=name)
    if f.effective_at and f.expires_at and f.expires_at <= f.effective_at:
        raise Invalid("the advisory must expire after it takes effect", field="expires_at")
    if f.event_id is not None:
        try:
            events.access_event(session, actor, f.event_id)
        except NotFound:
            raise Invalid(f"no event {f.event_id}", field="event_id") from None
    if f.risk_assessment_id is not None:
        try:
            rra_actions.access(session, actor, f.risk_assessment_id)
        except NotFound:
            raise Invalid(
                f"no risk assessment {f.risk_assessment_id}", field="risk_assessment_id"
            ) from None
    areas = _check_areas(f.areas)
    translations = _check_translations(f.translations)
    for i, t in enumerate(translations):
        if len(t.area_descriptions) > len(areas):
            raise Invalid(
                f"{len(t.area_descriptions)} area descriptions for {len(areas)} areas",
                field=f"translations[{i}].area_descriptions",
            )
    if f.cap_status not in CAP_STATUSES:
        raise Invalid(f"cap_status must be one of: {', '.join(CAP_STATUSES)}", field="cap_status")
    if f.scope not in CAP_SCOPES:
        raise Invalid(f"scope must be one of: {', '.join(CAP_SCOPES)}", field="scope")
    restriction = text(f.restriction, "restriction", 300)
    if f.scope == "Restricted" and not restriction:
        raise Invalid(
            "a Restricted advisory names who may receive it (CAP <restriction>)",
            field="restriction",
        )
    if f.scope == "Public" and restriction:
        raise Invalid("a restriction is only for scope Restricted", field="restriction")
    advisory.cap_status, advisory.scope, advisory.restriction = f.cap_status, f.scope, restriction
    advisory.event_type = text(f.event_type, "event_type", 200, required=True)
    advisory.category = f.category
    advisory.response_type = f.response_type
    advisory.urgency, advisory.severity, advisory.certainty = f.urgency, f.severity, f.certainty
    advisory.audience = text(f.audience, "audience", 300)
    advisory.effective_at, advisory.expires_at = f.effective_at, f.expires_at
    advisory.areas = areas
    advisory.countries_key = ",".join(["", *sorted({c for a in areas for c in a["countries"]}), ""])
    advisory.links = links(f.links, "links")
    advisory.event_id, advisory.risk_assessment_id = f.event_id, f.risk_assessment_id
    existing = {t.language: t for t in advisory.translations}
    keep = []
    for t in translations:
        row = existing.get(t.language) or AdvisoryTranslation(language=t.language)
        row.headline, row.body, row.instruction = t.headline, t.body, t.instruction
        row.audience, row.area_descriptions = t.audience, list(t.area_descriptions)
        keep.append(row)
    advisory.translations = keep


def content(advisory: Advisory) -> dict[str, Any]:
    """What a message keeps of the advisory, and what the public pages show."""
    return {
        "advisory_id": advisory.id,
        "event_type": advisory.event_type,
        "category": advisory.category,
        "response_type": advisory.response_type,
        "urgency": advisory.urgency,
        "severity": advisory.severity,
        "certainty": advisory.certainty,
        "audience": advisory.audience,
        "cap_status": advisory.cap_status,
        "scope": advisory.scope,
        "restriction": advisory.restriction,
        "effective_at": advisory.effective_at.isoformat() if advisory.effective_at else None,
        "expires_at": advisory.expires_at.isoformat() if advisory.expires_at else None,
        "areas": advisory.areas,
        "links": advisory.links,
        "owner_party": advisory.owner_party,
        "event_id": advisory.event_id,
        "translations": [
            {
                "language": t.language,
                "headline": t.headline,
                "body": t.body,
                "instruction": t.instruction,
                "audience": t.audience,
                "area_descriptions": list(t.area_descriptions),
            }
            for t in advisory.translations
        ],
    }


def index(
    session: Session, advisory: Advisory, coordinating: tuple[str, ...] | None = None
) -> None:
    """The advisory's search document: every translation, for its audience now."""
    texts = advisory.translations
    search_index.index(
        session,
        "advisory",
        advisory.id,
        title=texts[0].headline if texts else advisory.event_type,
        body="\n".join(
            [advisory.event_type, advisory.audience]
            + [f"{t.headline}\n{t.body}\n{t.instruction}" for t in texts]
        ),
        audience=audience(session, advisory, coordinating),
        created_at=advisory.created_at,
        event_id=None,
        hazard=advisory.event_type[:200],
        status=advisory.status,
    )


def _announce(session: Session, actor: Actor, advisory: Advisory, what: str, **extra: Any) -> None:
    index(session, advisory)
    details = {"status": advisory.status, "version": advisory.version, **extra}
    audit.record(session, actor, f"advisory.{what}", "advisory", advisory.id, details=details)
    first = advisory.translations[0] if advisory.translations else None
    publish(
        session,
        f"advisory.{what}",
        audience(session, advisory),
        {
            "id": advisory.id,
            "status": advisory.status,
            "headline": first.headline if first else "",
            "owner_party": advisory.owner_party,
            "version": advisory.version,
            **extra,
        },
    )


# ---------------------------------------------------------------- writes


def create(
    session: Session, actor: Actor, f: AdvisoryFields, *, source_reference: str = ""
) -> Advisory:
    if actor.is_partner or not any(r in DRAFTING_ROLES for r in actor.roles):
        raise Forbidden("officers, focal points and the coordinator draft advisories")
    now = utcnow()
    advisory = Advisory(
        status="draft",
        owner_party=actor.party_code,
        created_by=actor.user_id,
        created_at=now,
        updated_at=now,
        source_reference=source_reference,
    )
    _apply(session, actor, advisory, f)
    session.add(advisory)
    session.flush()
    _announce(session, actor, advisory, "drafted")
    return advisory


def edit(session: Session, actor: Actor, advisory: Advisory, f: AdvisoryFields) -> Advisory:
    """Change the text. An advisory under review or approved goes back to draft;
    a published one stays published (the public keeps the last message) until
    its update is approved and published."""
    if not may_edit(actor, advisory):
        raise Forbidden("the party that wrote the advisory or the coordinator edits it")
    before = content(advisory)
    _apply(session, actor, advisory, f)
    session.flush()
    if content(advisory) == before:
        return advisory
    advisory.version += 1
    advisory.updated_at = utcnow()
    if advisory.status in ("in_review", "approved"):
        advisory.status = "draft"
    advisory.approved_by = advisory.approved_at = None
    _announce(session, actor, advisory, "edited")
    return advisory


def pending_update(session: Session, advisory: Advisory) -> bool:
    """A published advisory whose text differs from its last message."""
    return differs_from(advisory, last_message(session, advisory.id))


def differs_from(advisory: Advisory, last: AdvisoryMessage | None) -> bool:
    """:func:`pending_update`, given the advisory's last message (from
    :func:`last_messages`, for lists)."""
    return last is not None and advisory.status != "cancelled" and last.content != content(advisory)


def _require_chosen(advisory: Advisory) -> None:
    """Urgency, severity and certainty are the author's choice: none is pre-chosen."""
    problem = rules.unchosen_problem(
        {name: getattr(advisory, name) for name in rules.CHOSEN_BY_AUTHOR}
    )
    if problem:
        raise Invalid(problem[1], field=problem[0])


def submit(session: Session, actor: Actor, advisory: Advisory) -> Advisory:
    if not may_edit(actor, advisory):
        raise Forbidden("the party that wrote the advisory or the coordinator submits it")
    _require_chosen(advisory)
    if advisory.status == "published":
        if not pending_update(session, advisory):
            raise Invalid("nothing changed since it was published", field="status")
        advisory.status = "draft"
    return _step(session, actor, advisory, "submit", "submitted")


def approve(session: Session, actor: Actor, advisory: Advisory) -> Advisory:
    if not may_approve(actor, advisory):
        raise Forbidden(f"{ISSUER} approves it")
    _require_chosen(advisory)
    advisory.approved_by = actor.user_id
    advisory.approved_at = utcnow()
    return _step(session, actor, advisory, "approve", "approved")


def return_to_draft(session: Session, actor: Actor, advisory: Advisory, note: str) -> Advisory:
    if not may_approve(actor, advisory):
        raise Forbidden(f"{ISSUER} reviews it")
    advisory.review_note = text(note, "note", 2000)
    advisory.approved_by = advisory.approved_at = None
    return _step(session, actor, advisory, "return", "returned", note=advisory.review_note)


def _step(
    session: Session, actor: Actor, advisory: Advisory, action: str, what: str, **extra: Any
) -> Advisory:
    try:
        advisory.status = rules.next_status(advisory.status, action)
    except ValueError as exc:
        raise Invalid(str(exc), field="status") from None
    advisory.updated_at = utcnow()
    session.flush()
    _announce(session, actor, advisory, what, **extra)
    return advisory


def messages(session: Session, advisory_id: int) -> list[AdvisoryMessage]:
    """The CAP messages issued for an advisory, oldest first."""
    return list(
        session.scalars(
            select(AdvisoryMessage)
            .where(AdvisoryMessage.advisory_id == advisory_id)
            .order_by(AdvisoryMessage.id)
        )
    )


def last_message(session: Session, advisory_id: int) -> AdvisoryMessage | None:
    """The latest message issued for an advisory: what the public sees of it."""
    return session.scalars(
        select(AdvisoryMessage)
        .where(AdvisoryMessage.advisory_id == advisory_id)
        .order_by(AdvisoryMessage.id.desc())
        .limit(1)
    ).first()


def _latest_message_ids(advisory_ids: Collection[int] | None = None) -> Select[int]:
    """The id of each advisory's latest message (of these advisories only, if given)."""
    query = select(func.max(AdvisoryMessage.id)).group_by(AdvisoryMessage.advisory_id)
    if advisory_ids is not None:
        query = query.where(AdvisoryMessage.advisory_id.in_(advisory_ids))
    return query


def public_url(settings: Settings, advisory_id: int) -> str:
    return f"{settings.base_url.rstrip('/')}/public/advisories/{advisory_id}"


def to_alert(
    snapshot: dict[str, Any],
    *,
    identifier: str,
    sender: str,
    sent: datetime,
    msg_type: str,
    references: list[str],
    sender_name: str,
    web: str,
    note: str = "",
) -> cap.Alert:
    """The CAP message for a snapshot of an advisory: one <info> per language, each with
    its own audience and area descriptions, and the description and instruction as
    plain text made from the Markdown (CAP has no markup)."""

    def areas(t: dict[str, Any]) -> list[cap.Area]:
        names = t.get("area_descriptions") or []
        return [
            cap.Area(
                description=(names[i] if i < len(names) and names[i] else a["description"]),
                polygons=list(a["polygons"]),
                circles=list(a["circles"]),
                geocodes=[("ISO 3166-1 alpha-3", c) for c in a["countries"]]
                + [("ISO 3166-2", s) for s in a["subdivisions"]],
            )
            for i, a in enumerate(snapshot["areas"])
        ]

    def when(key: str) -> datetime | None:
        value = snapshot.get(key)
        return datetime.fromisoformat(value).astimezone(sent.tzinfo) if value else None

    infos = [
        cap.Info(
            language=t["language"],
            categories=[snapshot["category"]],
            event=snapshot["event_type"],
            response_types=[snapshot["response_type"]] if snapshot["response_type"] else [],
            urgency=snapshot["urgency"],
            severity=snapshot["severity"],
            certainty=snapshot["certainty"],
            audience=t.get("audience") or snapshot["audience"],
            effective=when("effective_at"),
            expires=when("expires_at"),
            sender_name=sender_name,
            headline=t["headline"],
            description=to_plain_text(t["body"]),
            instruction=to_plain_text(t["instruction"]),
            web=f"{web}?lang={t['language']}",
            areas=areas(t),
        )
        for t in snapshot["translations"]
    ]
    return cap.Alert(
        identifier=identifier,
        sender=sender,
        sent=sent,
        status=snapshot.get("cap_status", "Actual"),
        msg_type=msg_type,
        scope=snapshot.get("scope", "Public"),
        restriction=snapshot.get("restriction", ""),
        note=note,
        references=references,
        infos=infos,
    )


def _message_xml(
    session: Session,
    settings: Settings,
    advisory: Advisory,
    msg_type: str,
    note: str,
    snapshot: dict[str, Any],
    earlier: list[AdvisoryMessage],
) -> tuple[str, datetime, bytes]:
    """The identifier, sent time and XML of the next message of an advisory."""
    party = session.get(Party, advisory.owner_party)
    assert party is not None
    try:
        zone = ZoneInfo(party.time_zone or "UTC")
    except (ValueError, KeyError):
        zone = ZoneInfo("UTC")
    sent = utcnow().astimezone(zone).replace(microsecond=0)
    sender = settings.cap_sender_id()
    identifier = f"{sender.replace('@', '.')}.advisory.{advisory.id}.{len(earlier) + 1}"
    alert = to_alert(
        snapshot,
        identifier=identifier,
        sender=sender,
        sent=sent,
        msg_type=msg_type,
        references=[m.reference for m in earlier],
        sender_name=f"{party.name} — {party.eoc_name}"[:300],
        web=public_url(settings, advisory.id),
        note=note,
    )
    return identifier, sent, cap_xml.write(alert)


def preview(session: Session, settings: Settings, advisory: Advisory) -> bytes:
    """The message publishing would issue now (Alert or Update)."""
    earlier = messages(session, advisory.id)
    msg_type = "Update" if earlier else "Alert"
    return _message_xml(session, settings, advisory, msg_type, "", content(advisory), earlier)[2]


def _issue(
    session: Session,
    actor: Actor,
    settings: Settings,
    advisory: Advisory,
    msg_type: str,
    note: str,
    snapshot: dict[str, Any],
) -> AdvisoryMessage:
    earlier = messages(session, advisory.id)
    identifier, sent, xml = _message_xml(
        session, settings, advisory, msg_type, note, snapshot, earlier
    )
    if session.scalar(select(AdvisoryMessage.id).where(AdvisoryMessage.identifier == identifier)):
        raise Conflict(f"a CAP message {identifier} exists already")
    problems = cap_xml.validate(xml)
    if problems:  # never publish a message alert hubs would reject
        raise Invalid(
            "the advisory would not make a valid CAP 1.2 message",
            field="cap",
            errors=[{"field": p.rule, "detail": str(p)} for p in problems],
        )
    message = AdvisoryMessage(
        advisory_id=advisory.id,
        identifier=identifier,
        msg_type=msg_type,
        sent_at=sent,
        reference=f"{settings.cap_sender_id()},{identifier},{cap.format_time(sent)}",
        content=snapshot,
        xml=xml.decode("utf-8"),
        issued_by=actor.user_id,
        public=is_public(snapshot.get("cap_status", "Actual"), snapshot.get("scope", "Public")),
    )
    session.add(message)
    session.flush()
    return message


def publish_advisory(
    session: Session, actor: Actor, settings: Settings, advisory: Advisory
) -> AdvisoryMessage:
    """Issue the approved text as a CAP Alert (first time) or Update."""
    if not may_approve(actor, advisory):
        raise Forbidden(f"{ISSUER} publishes it")
    if advisory.status != "approved":
        raise Invalid("only an approved advisory can be published", field="status")
    _require_chosen(advisory)
    msg_type = "Update" if last_message(session, advisory.id) is not None else "Alert"
    message = _issue(session, actor, settings, advisory, msg_type, "", content(advisory))
    _step(session, actor, advisory, "publish", "published", identifier=message.identifier)
    return message


def cancel(
    session: Session, actor: Actor, settings: Settings, advisory: Advisory, reason: str
) -> AdvisoryMessage:
    """Withdraw a published advisory: a CAP Cancel referencing its messages and
    carrying the text as last published (not a later, unpublished edit)."""
    if not may_approve(actor, advisory):
        raise Forbidden(f"{ISSUER} cancels it")
    last = last_message(session, advisory.id)
    if last is None or advisory.status == "cancelled":
        raise Invalid("only a published advisory can be cancelled", field="status")
    reason = text(reason, "reason", 2000, required=True)
    snapshot = {**last.content, "cancel_reason": reason}
    message = _issue(session, actor, settings, advisory, "Cancel", reason, snapshot)
    advisory.status = "cancelled"
    advisory.updated_at = utcnow()
    session.flush()
    _announce(session, actor, advisory, "cancelled", identifier=message.identifier)
    return message


# ---------------------------------------------------------------- CAP import


def fields_from_cap(alert: cap.Alert) -> AdvisoryFields:
    """An advisory draft from a CAP message: one translation per <info>
    language; the first <info> gives the event, vocabularies and areas."""
    if not alert.infos:
        raise Invalid("the CAP message has no <info>: nothing to advise", field="cap")
    first = alert.infos[0]
    translations: list[TranslationFields] = []
    seen: set[str] = set()
    for info in alert.infos:
        tag = languages.normal_tag(info.language or "en-US")
        if tag in seen or languages.language_problem(tag):
            continue
        seen.add(tag)
        translations.append(
            TranslationFields(
                language=tag,
                headline=(info.headline or info.event)[:300],
                body=info.description[:MAX_TEXT],
                instruction=info.instruction[:MAX_TEXT],
                audience=info.audience[:300] if info is not first else "",
                area_descriptions=[a.description[:300] for a in info.areas][: len(first.areas)]
                if info is not first
                else [],
            )
        )
    areas = []
    for area in first.areas:
        countries = [v.upper() for name, v in area.geocodes if "3166-1" in name and is_country(v)]
        subdivisions = [
            v.upper() for name, v in area.geocodes if "3166-2" in name and is_subdivision(v)
        ]
        areas.append(
            AreaFields(
                description=area.description[:300],
                countries=countries,
                subdivisions=subdivisions,
                polygons=area.polygons,
                circles=area.circles,
            )
        )
    areas = [a for a in areas if a.description or a.countries or a.polygons or a.circles]
    if not areas:
        areas = [AreaFields(description=f"Not stated by {alert.sender}"[:300])]
    return AdvisoryFields(
        event_type=first.event[:200] or "Health",
        urgency=first.urgency,
        severity=first.severity,
        certainty=first.certainty,
        category="Health" if "Health" in first.categories else first.categories[0],
        response_type=first.response_types[0] if first.response_types else "",
        audience=first.audience[:300],
        effective_at=first.effective,
        expires_at=first.expires,
        translations=translations,
        areas=areas,
        links=[{"title": first.web, "url": first.web}] if first.web.startswith("http") else [],
        # a drill stays a drill; System and Draft messages are not for people: Test
        cap_status=alert.status if alert.status in CAP_STATUSES else "Test",
        scope="Public" if alert.scope == "Public" else "Restricted",
        restriction=""
        if alert.scope == "Public"
        else (alert.restriction or "the addressees of the original message")[:300],
    )


def import_cap(session: Session, actor: Actor, data: bytes) -> Advisory:
    """A draft advisory from a CAP 1.2 message, or Invalid with every problem
    the validator found."""
    try:
        alert = cap_xml.read(data)
    except cap_xml.InvalidCap as exc:
        raise Invalid(
            f"the CAP message is invalid ({len(exc.problems)} problem(s)): {exc.problems[0]}",
            field="cap",
            errors=[{"field": p.rule, "detail": str(p)} for p in exc.problems],
        ) from None
    reference = f"{alert.sender},{alert.identifier},{cap.format_time(alert.sent)}"
    existing = session.scalar(select(Advisory.id).where(Advisory.source_reference == reference))
    if existing is not None:
        raise Conflict(f"this CAP message was imported already as advisory {existing}")
    advisory = create(session, actor, fields_from_cap(alert), source_reference=reference)
    audit.record(
        session, actor, "advisory.imported", "advisory", advisory.id, details={"cap": reference}
    )
    return advisory


# ---------------------------------------------------------------- the public


def public_messages(session: Session) -> list[AdvisoryMessage]:
    """The last public message of every published or cancelled advisory, newest first
    (chosen by the database, not by reading every message ever issued). Drills
    (Exercise, Test) and Restricted messages are never among them."""
    latest = _latest_message_ids().where(AdvisoryMessage.public.is_(True))
    return list(
        session.scalars(
            select(AdvisoryMessage)
            .where(AdvisoryMessage.id.in_(latest))
            .order_by(AdvisoryMessage.id.desc())
        )
    )


def public_history(session: Session, advisory_id: int) -> list[AdvisoryMessage]:
    """The public messages of an advisory, oldest first (what the public site lists)."""
    return [m for m in messages(session, advisory_id) if m.public]


def message_by_identifier(
    session: Session, identifier: str, *, public_only: bool = False
) -> AdvisoryMessage | None:
    query = select(AdvisoryMessage).where(AdvisoryMessage.identifier == identifier)
    if public_only:
        query = query.where(AdvisoryMessage.public.is_(True))
    return session.scalar(query)
