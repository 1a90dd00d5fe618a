"""Cross-border contact-tracing notices: personal data to the parties concerned only,
encrypted per notice, decrypted here only (behind the access check, audited), and
deleted on time by destroying the notice's data key with the ciphertext."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session, selectinload

from eocnet.actions import audit
from eocnet.actions.directory import coordinator_code
from eocnet.actions.errors import Conflict, Forbidden, Invalid, NotFound
from eocnet.config import Settings, master_key_text
from eocnet.db.audience import tracing_notice_visible
from eocnet.db.models import Event, FollowUpVisit, Party, TracedPerson, TracingNotice, User
from eocnet.db.types import utcnow
from eocnet.domain import follow_up
from eocnet.domain.actors import Actor
from eocnet.domain.quoting import quoted
from eocnet.domain.roles import Role
from eocnet.domain.visibility import can_see
from eocnet.realtime.log import Audience, parties_key, publish
from eocnet.vault import envelope

ROLES = ("case", "contact", "co_traveller")
OUTCOMES = (
    "pending",
    "reached",
    "not_reached",
    "tested",
    "quarantined",
    "isolated",
    "left_country",
    "lost_to_follow_up",
)
TEST_RESULTS = ("", "positive", "negative", "pending", "not_tested")
#: A day's follow-up of a person (SORMAS visits, Go.Data follow-ups)
FOLLOW_UP_STATUSES = ("seen", "not_reached", "symptomatic", "lost", "completed")
#: A contact who becomes a case (Go.Data's classifications of a case)
CASE_CLASSIFICATIONS = ("suspected", "probable", "confirmed")
#: The personal fields of a person; all of them are encrypted.
PERSON_FIELDS = (
    "full_name",
    "sex",
    "date_of_birth",
    "age",
    "nationality",
    "document_number",
    "phone",
    "email",
    "address",
    "exposure_type",
    "exposure_date",
    "last_exposure",
    "exposure_place",
    "travel_mode",
    "travel_number",
    "travel_date",
    "seat",
    "origin",
    "destination",
    # cross-border travel of a patient (medical evacuation, repatriation)
    "expected_arrival",
    "receiving_facility",
    "condition",
)
REQUIRED = ("full_name",)
#: A person is traced through at least one of these (the address in the receiving
#: country); airline manifests rarely carry a phone number.
CONTACT_MEANS = ("document_number", "phone", "email", "address")
#: Parts of a name in separate columns (a Passenger Locator Form's last and first
#: names): joined into ``full_name``, the given names first.
NAME_PARTS = ("given_name", "family_name")
#: What a manifest column may be mapped to, besides the personal fields.
MAPPABLE = (*PERSON_FIELDS, *NAME_PARTS, "role", "receiving_party", "disease")
#: How the values of several columns mapped to one field are joined (a PLF's street,
#: city and postal code make the address; its mobile and business phones, the phone).
JOINERS = {"address": ", ", "phone": " / ", "email": " / "}
ISO3 = re.compile(r"^[A-Z]{3}$")
#: a cruise ship's passengers and crew
MAX_PERSONS = 10_000
DATE_FIELDS = ("date_of_birth", "exposure_date", "last_exposure", "travel_date")


@dataclass
class PersonIn:
    role: str
    fields: dict[str, Any]
    receiving_party: str = ""
    #: the disease the person is followed for (a code or name of the follow-up table);
    #: empty: the notice's, else the event's hazard
    disease: str = ""


def master(settings: Settings) -> envelope.MasterKey:
    return envelope.MasterKey.from_base64(master_key_text(settings))


def notice_audience(notice: TracingNotice, coordinator: str | None) -> Audience:
    """Who learns that the notice exists (never its persons): sender, addressees and
    the coordinator."""
    parties = tuple(sorted(set(notice.parties) | ({coordinator} if coordinator else set())))
    return Audience("restricted", notice.sender_party, parties)


def is_party_to(actor: Actor, notice: TracingNotice) -> bool:
    return actor.party_code == notice.sender_party or actor.party_code in notice.parties


def may_read_persons(actor: Actor, notice: TracingNotice) -> bool:
    """Focal points of the sending and addressed parties read the persons."""
    return is_party_to(actor, notice) and actor.has_role(Role.FOCAL_POINT)


def sees_every_summary(actor: Actor) -> bool:
    """The regional coordinator learns that every notice exists (never its persons)."""
    return actor.is_coordinator


def visible_notices(
    session: Session, actor: Actor, limit: int = 200, event_id: int | None = None
) -> list[TracingNotice]:
    """Notices the actor's party sent or received (all of them for the coordinator),
    newest first, with their persons' follow-up rows loaded; of one event if given."""
    query = (
        select(TracingNotice)
        .options(selectinload(TracingNotice.persons))
        .order_by(TracingNotice.id.desc())
        .limit(limit)
    )
    if event_id is not None:
        query = query.where(TracingNotice.event_id == event_id)
    query = query.where(tracing_notice_visible(actor))
    return list(session.execute(query).scalars())


def has_visible_notices(session: Session, actor: Actor, event_id: int) -> bool:
    """Whether the event has a notice the actor's party sent or received (any for the
    coordinator): one cheap read, for the event page."""
    query = select(TracingNotice.id).where(TracingNotice.event_id == event_id).limit(1)
    query = query.where(tracing_notice_visible(actor))
    return session.scalar(query) is not None


def access_notice(session: Session, actor: Actor, notice_id: int) -> TracingNotice:
    notice = session.get(TracingNotice, notice_id)
    if notice is None:
        raise NotFound(f"no tracing notice {notice_id}")
    if is_party_to(actor, notice):
        return notice
    if sees_every_summary(actor):
        return notice  # sees that it exists and its summary, never the persons
    raise NotFound(f"no tracing notice {notice_id}")


def _validate_person(index: int, person: PersonIn, parties: list[str]) -> None:
    """Check one person; raises Invalid naming ``persons.INDEX.FIELD``."""
    where = f"persons.{index}"
    if person.role not in ROLES:
        raise Invalid(f"role must be one of {', '.join(ROLES)}", field=f"{where}.role")
    unknown = set(person.fields) - set(PERSON_FIELDS)
    if unknown:
        raise Invalid(
            f"unknown field {quoted(sorted(unknown)[0])}",
            field=f"{where}.{sorted(unknown)[0][:60]}",
        )
    for name in REQUIRED:
        if not str(person.fields.get(name) or "").strip():
            raise Invalid(f"{name} is required", field=f"{where}.{name}")
    if not any(str(person.fields.get(name) or "").strip() for name in CONTACT_MEANS):
        raise Invalid(
            "give at least one of document_number, phone, email or address "
            "(in the receiving country)",
            field=f"{where}.document_number",
        )
    if person.fields.get("nationality"):
        nationality = str(person.fields["nationality"]).strip().upper()
        if not ISO3.match(nationality):
            raise Invalid(
                "nationality must be an ISO 3166-1 alpha-3 code", field=f"{where}.nationality"
            )
        person.fields["nationality"] = nationality
    person.disease = person.disease.strip()
    if len(person.disease) > 100:
        raise Invalid("disease is at most 100 characters", field=f"{where}.disease")
    for name in DATE_FIELDS:
        value = person.fields.get(name)
        if value:
            try:
                date.fromisoformat(str(value))
            except ValueError:
                raise Invalid(
                    f"{name} must be a date (YYYY-MM-DD)", field=f"{where}.{name}"
                ) from None
    if person.receiving_party and person.receiving_party not in parties:
        raise Invalid(
            "receiving_party must be one of the notice's parties", field=f"{where}.receiving_party"
        )


def send_notice(
    session: Session,
    actor: Actor,
    settings: Settings,
    *,
    event_id: int,
    parties: list[str],
    persons: list[PersonIn],
    summary: str = "",
    kind: str = "contacts",
    disease: str = "",
    source_person_id: int | None = None,
) -> TracingNotice:
    """Persons without a disease of their own are followed for the notice's ``disease``,
    else for the event's hazard (see :mod:`eocnet.domain.follow_up`).

    ``source_person_id``: the notice lists the contacts of that person, a contact of an
    earlier notice whom the actor's party traced and who became a case (see
    :func:`convert_to_case`); the link makes the chain of transmission."""
    if not actor.has_role(Role.FOCAL_POINT):
        raise Forbidden("tracing notices are sent by focal points")
    source = _source_case(session, actor, source_person_id) if source_person_id else None
    event = session.get(Event, event_id)
    if event is None or not can_see(
        actor.party_code, actor.party_kind, event.visibility, event.parties, event.owner_party
    ):
        raise Invalid(f"no event {event_id} that your party can see", field="event_id")
    known = set(session.execute(select(Party.code).where(Party.active.is_(True))).scalars())
    addressed = sorted({p.strip().upper() for p in parties})
    unknown = [p for p in addressed if p not in known]
    if unknown:
        raise Invalid(f"not parties of the network: {', '.join(unknown)}", field="parties")
    addressed = [p for p in addressed if p != actor.party_code]
    if not addressed:
        raise Invalid("address the notice to at least one other party", field="parties")
    if not persons or len(persons) > MAX_PERSONS:
        raise Invalid(f"a notice carries 1 to {MAX_PERSONS} persons", field="persons")
    if len(disease.strip()) > 100:
        raise Invalid("disease is at most 100 characters", field="disease")
    for i, person in enumerate(persons):
        _validate_person(i, person, addressed)
    now = utcnow()
    counts = Counter(p.role for p in persons)
    follow_ups = [
        person_follow_up(p, notice_disease=disease, hazard=event.hazard, sent_on=now.date())
        for p in persons
    ]
    last_day = max(f.until for f in follow_ups)
    notice = TracingNotice(
        event_id=event.id,
        kind=kind,
        sender_party=actor.party_code,
        created_by=actor.user_id,
        parties=addressed,
        parties_key=parties_key(addressed),
        summary=summary.strip(),
        created_at=now,
        purge_after=deletion_time(last_day, settings.tracing_follow_up_margin_days),
        source_person_id=source.id if source else None,
    )
    session.add(notice)
    session.flush()
    key = master(settings)
    data_key = envelope.new_data_key()
    notice.key_id = key.key_id
    notice.wrapped_key = envelope.wrap(key, data_key, notice.id)
    rows = [
        TracedPerson(
            notice_id=notice.id,
            role=p.role,
            receiving_party=p.receiving_party or "",
            updated_at=now,
            disease=f.disease,
            follow_up_until=f.until,
        )
        for p, f in zip(persons, follow_ups, strict=True)
    ]
    session.add_all(rows)
    session.flush()
    for row, person in zip(rows, persons, strict=True):
        row.sealed = envelope.encrypt_fields(data_key, notice.id, row.id, person.fields)
    session.flush()
    audit.record(
        session,
        actor,
        "tracing.send",
        "tracing_notice",
        notice.id,
        details={
            "event": event.id,
            "parties": addressed,
            "persons": len(rows),
            "roles": dict(counts),
            "diseases": dict(Counter(f.disease for f in follow_ups)),
            **({"source_person": source.id} if source else {}),
        },
    )
    publish(
        session,
        "tracing.created",
        notice_audience(notice, coordinator_code(session)),
        notice_summary(notice),
    )
    return notice


def _source_case(session: Session, actor: Actor, person_id: int) -> TracedPerson:
    """The case whose contacts a new notice lists: a person who became a case, of a
    notice the actor's party received and traces that person for."""
    person = session.get(TracedPerson, person_id)
    notice = session.get(TracingNotice, person.notice_id) if person else None
    if (
        person is None
        or notice is None
        or actor.party_code not in notice.parties
        or person.receiving_party not in ("", actor.party_code)
    ):
        raise Invalid(f"no person {person_id} whom your party traces", field="source_person_id")
    if person.case_since is None and person.role != "case":
        raise Invalid(
            "this person has not become a case; mark them so first", field="source_person_id"
        )
    return person


def person_follow_up(
    person: PersonIn, *, notice_disease: str, hazard: str, sent_on: date
) -> follow_up.FollowUp:
    def day(name: str) -> date | None:
        value = person.fields.get(name)
        return date.fromisoformat(str(value)) if value else None

    return follow_up.follow_up(
        disease=person.disease,
        notice_disease=notice_disease,
        hazard=hazard,
        last_exposure=day("last_exposure"),
        exposure_date=day("exposure_date"),
        travel_date=day("travel_date"),
        sent_on=sent_on,
    )


def deletion_time(follow_up_until: date, margin_days: int) -> datetime:
    """When a person's data goes: the start (UTC) of the day ``follow_up_until`` +
    the margin. The data is kept while the time is before it."""
    return datetime.combine(follow_up_until + timedelta(days=margin_days), time(), UTC)


def notice_summary(notice: TracingNotice) -> dict[str, Any]:
    """Everything about a notice that is not personal data."""
    counts = Counter(p.role for p in notice.persons)
    outcomes = Counter(p.outcome for p in notice.persons)
    return {
        "id": notice.id,
        "event_id": notice.event_id,
        "kind": notice.kind,
        "sender_party": notice.sender_party,
        "parties": list(notice.parties),
        "summary": notice.summary,
        "created_at": notice.created_at.isoformat(),
        "purge_after": notice.purge_after.isoformat(),
        "purged_at": notice.purged_at.isoformat() if notice.purged_at else None,
        "persons_count": len(notice.persons),
        "roles": dict(counts),
        "outcomes": dict(outcomes),
        "source_person_id": notice.source_person_id,
        "new_cases": sum(1 for p in notice.persons if p.case_since is not None),
    }


def person_status(person: TracedPerson) -> dict[str, Any]:
    return {
        "id": person.id,
        "role": person.role,
        "receiving_party": person.receiving_party,
        "outcome": person.outcome,
        "test_result": person.test_result,
        "outcome_date": person.outcome_date.isoformat() if person.outcome_date else None,
        "tracer_id": person.tracer_id,
        "disease": person.disease,
        "follow_up_until": (person.follow_up_until.isoformat() if person.follow_up_until else None),
        "case_since": person.case_since.isoformat() if person.case_since else None,
        "case_classification": person.case_classification,
    }


def read_persons(
    session: Session,
    actor: Actor,
    settings: Settings,
    notice: TracingNotice,
    only: set[int] | None = None,
) -> list[dict[str, Any]] | None:
    """The one place where personal data is decrypted. None when the actor may not read
    it; every read is audited with the persons it showed. Focal points of the parties
    concerned read every person; a tracer reads the persons assigned to them. ``only``
    narrows the read to those persons (a due list)."""
    full = may_read_persons(actor, notice)
    assigned = (
        [p for p in notice.persons if p.tracer_id == actor.user_id]
        if is_party_to(actor, notice)
        else []
    )
    if not full and not assigned:
        return None
    if notice.wrapped_key is None:
        return []
    key = master(settings)
    if notice.key_id and notice.key_id != key.key_id:
        raise Conflict(
            "this notice's data key is wrapped by another master key; "
            "run 'eocnet keys rotate' with the previous key"
        )
    data_key = envelope.unwrap(key, notice.wrapped_key, notice.id)
    shown = []
    for person in notice.persons if full else assigned:
        if person.sealed is None or (only is not None and person.id not in only):
            continue
        fields = envelope.decrypt_fields(data_key, notice.id, person.id, person.sealed)
        shown.append({**person_status(person), **fields})
    audit.record(
        session,
        actor,
        "tracing.read_persons",
        "tracing_notice",
        notice.id,
        details={"persons": [p["id"] for p in shown]},
    )
    return shown


def _traced_by(
    session: Session, actor: Actor, notice: TracingNotice, person_id: int, what: str
) -> TracedPerson:
    """A person of ``notice`` whom the actor's party traces: ``what`` (e.g. "outcomes
    are recorded") is done by the receiving parties, each for its own persons."""
    if actor.party_code not in notice.parties:
        raise Forbidden(f"{what} by the receiving parties")
    person = session.get(TracedPerson, person_id)
    if person is None or person.notice_id != notice.id:
        raise NotFound(f"no person {person_id} in this notice")
    if person.receiving_party and person.receiving_party != actor.party_code:
        raise Forbidden("this person is traced by another party")
    return person


def record_outcome(
    session: Session,
    actor: Actor,
    notice: TracingNotice,
    person_id: int,
    *,
    outcome: str,
    outcome_date: date | None,
    test_result: str = "",
) -> TracedPerson:
    person = _traced_by(session, actor, notice, person_id, "outcomes are recorded")
    if outcome not in OUTCOMES:
        raise Invalid(f"outcome must be one of {', '.join(OUTCOMES)}", field="outcome")
    if test_result not in TEST_RESULTS:
        raise Invalid(
            f"test_result must be one of {', '.join(TEST_RESULTS[1:])}", field="test_result"
        )
    person.outcome = outcome
    person.outcome_date = outcome_date
    person.test_result = test_result
    person.updated_at = utcnow()
    audit.record(
        session,
        actor,
        "tracing.outcome",
        "traced_person",
        person.id,
        details={"notice": notice.id, "outcome": outcome},
    )
    publish(
        session,
        "tracing.outcome",
        notice_audience(notice, coordinator_code(session)),
        {"notice_id": notice.id, **person_status(person)},
    )
    return person


def convert_to_case(
    session: Session,
    actor: Actor,
    notice: TracingNotice,
    person_id: int,
    *,
    classification: str = "confirmed",
    since: date | None = None,
) -> TracedPerson:
    """A followed contact became a case (Go.Data converts a contact to a case; SORMAS
    a contact's "resulting case"). Marked by the party that traces the person, audited,
    and the sending party is told at once: ``tracing.converted`` on the live stream,
    which is also pushed to the sending party's subscribed users. The case's own
    contacts then go in a new notice linked to this person (``source_person_id``)."""
    person = _traced_by(session, actor, notice, person_id, "contacts are marked as cases")
    if classification not in CASE_CLASSIFICATIONS:
        raise Invalid(
            f"classification must be one of {', '.join(CASE_CLASSIFICATIONS)}",
            field="classification",
        )
    if person.role == "case":
        raise Conflict("this person was sent as a case")
    today = utcnow().date()
    since = since or today
    if since > today + timedelta(days=1):
        raise Invalid("the day is in the future", field="since")
    if since < notice.created_at.date() - timedelta(days=60):
        raise Invalid("the day is long before the notice was sent", field="since")
    first = person.case_since is None
    person.case_since = since
    person.case_classification = classification
    person.updated_at = utcnow()
    audit.record(
        session,
        actor,
        "tracing.convert",
        "traced_person",
        person.id,
        details={
            "notice": notice.id,
            "classification": classification,
            "since": since.isoformat(),
            "first": first,
        },
    )
    publish(
        session,
        "tracing.converted",
        notice_audience(notice, coordinator_code(session)),
        {
            "notice_id": notice.id,
            "event_id": notice.event_id,
            "sender_party": notice.sender_party,
            "person_id": person.id,
            "role": person.role,
            "receiving_party": person.receiving_party or actor.party_code,
            "disease": person.disease,
            "case_since": since.isoformat(),
            "case_classification": classification,
        },
    )
    return person


@dataclass
class Purged:
    notices: list[int]  # the notices some of whose persons' data was deleted
    persons: int  # how many persons' data was deleted
    emptied: list[int]  # the notices left without personal data (data key destroyed)


def purge(
    session: Session,
    now: datetime,
    *,
    margin_days: int = 14,
    dry_run: bool = False,
    notice_id: int | None = None,
) -> Purged:
    """Delete the personal data of every person whose follow-up ended ``margin_days``
    before ``now`` (see :func:`deletion_time`), or of one notice on request: the
    person's ciphertext goes; when a notice has no personal data left, its wrapped
    data key goes too (crypto-shredding) and the notice is marked purged. Persons sent
    before follow-up periods existed go with their notice's ``purge_after``."""
    cutoff = (now.astimezone(UTC) - timedelta(days=margin_days)).date()
    query = (
        select(TracedPerson)
        .join(TracingNotice, TracedPerson.notice_id == TracingNotice.id)
        .where(TracingNotice.purged_at.is_(None))
    )
    if notice_id is None:
        query = query.where(
            TracedPerson.sealed.is_not(None),
            or_(
                TracedPerson.follow_up_until <= cutoff,
                and_(TracedPerson.follow_up_until.is_(None), TracingNotice.purge_after <= now),
            ),
        )
    else:
        query = query.where(TracingNotice.id == notice_id)
    due: dict[int, list[TracedPerson]] = {}
    for person in session.execute(query.order_by(TracedPerson.id)).scalars():
        due.setdefault(person.notice_id, []).append(person)
    if notice_id is not None and not due:  # a notice without persons left: still purged
        notice = session.get(TracingNotice, notice_id)
        if notice is not None and notice.purged_at is None:
            due[notice_id] = []
    done = Purged(
        sorted(due), sum(1 for ps in due.values() for p in ps if p.sealed is not None), []
    )
    if dry_run:
        return done
    for nid in done.notices:
        notice = session.get(TracingNotice, nid)
        assert notice is not None
        deleted = [p for p in due[nid] if p.sealed is not None]
        for person in due[nid]:
            person.sealed = None
        session.flush()
        left = session.scalar(
            select(func.count())
            .select_from(TracedPerson)
            .where(TracedPerson.notice_id == nid, TracedPerson.sealed.is_not(None))
        )
        if not left:
            notice.wrapped_key = None
            notice.purged_at = now
            done.emptied.append(nid)
        audit.record(
            session,
            None,
            "tracing.purge",
            "tracing_notice",
            notice.id,
            actor_label="retention",
            party_code=notice.sender_party,
            details={
                "persons": len(deleted),
                "person_ids": [p.id for p in deleted],
                "persons_left": int(left or 0),
                "data_key_destroyed": not left,
                "reason": "on request" if notice_id else "follow-up ended + margin",
            },
        )
    return done


def rotate_master_key(session: Session, old: envelope.MasterKey, new: envelope.MasterKey) -> int:
    """Re-wrap every live notice's data key from the old master key to the new one.
    The persons' ciphertexts do not change. Returns how many notices were re-wrapped."""
    changed = 0
    for notice in session.execute(
        select(TracingNotice).where(TracingNotice.wrapped_key.is_not(None))
    ).scalars():
        if notice.key_id == new.key_id:
            continue
        if notice.key_id != old.key_id:
            raise Invalid(
                f"notice {notice.id} is wrapped by key {notice.key_id}, which is "
                "neither the old nor the new key",
                field="old_key",
            )
        assert notice.wrapped_key is not None
        data_key = envelope.unwrap(old, notice.wrapped_key, notice.id)
        notice.wrapped_key = envelope.wrap(new, data_key, notice.id)
        notice.key_id = new.key_id
        changed += 1
    audit.record(
        session,
        None,
        "tracing.rotate_master_key",
        "master_key",
        new.key_id,
        actor_label="operator",
        details={"notices": changed, "from": old.key_id},
    )
    return changed


# ---------------------------------------------------------------- passenger manifests

SYNONYMS = {
    "name": "full_name",
    "passenger_name": "full_name",
    "full_name": "full_name",
    "passport": "document_number",
    "passport_number": "document_number",
    "document": "document_number",
    "doc_number": "document_number",
    "mobile": "phone",
    "telephone": "phone",
    "phone_number": "phone",
    "e_mail": "email",
    "dob": "date_of_birth",
    "birth_date": "date_of_birth",
    "flight": "travel_number",
    "flight_number": "travel_number",
    "vessel": "travel_number",
    "seat_number": "seat",
    "from": "origin",
    "to": "destination",
    "citizenship": "nationality",
    "gender": "sex",
    "email_address": "email",
    "mail": "email",
    "address_in_country": "address",
    "address_in_receiving_country": "address",
    "local_address": "address",
    "temporary_address": "address",
    "destination_address": "address",
    "last_contact": "last_exposure",
    "last_contact_date": "last_exposure",
    "date_of_last_contact": "last_exposure",
    "last_exposure_date": "last_exposure",
    "date_of_last_exposure": "last_exposure",
    # the EU digital Passenger Locator Form (dPLF): the data the EU's PLF exchange
    # platform passes between health authorities (Commission Implementing Decision
    # (EU) 2021/858, exchange through EWRS), with the headers of its passenger form's
    # sections (personal information, temporary address in the country visited,
    # transport). The permanent address, the travel companions and the emergency
    # contact are not the person traced: they are left unmapped.
    "last_name": "family_name",
    "surname": "family_name",
    "first_name": "given_name",
    "given_names": "given_name",
    "middle_initial": "given_name",
    "passport_id_number": "document_number",
    "passport_or_id_number": "document_number",
    "passport_id_card_number": "document_number",
    "travel_document_number": "document_number",
    "mobile_phone": "phone",
    "business_phone": "phone",
    "home_phone": "phone",
    "other_phone": "phone",
    "temporary_address_hotel_name": "address",
    "temporary_address_street_address": "address",
    "temporary_address_street": "address",
    "temporary_address_number": "address",
    "temporary_address_apartment_number": "address",
    "temporary_address_city": "address",
    "temporary_address_state_province": "address",
    "temporary_address_postal_code": "address",
    "temporary_address_zip_postal_code": "address",
    "arrival_date": "travel_date",
    "date_of_arrival": "travel_date",
    "port_of_departure": "origin",
    "departure_airport": "origin",
    "final_destination": "destination",
    "arrival_airport": "destination",
    "country_of_citizenship": "nationality",
}


def _key(header: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", header.strip().lower()).strip("_")


def default_mapping(headers: list[str]) -> dict[str, str]:
    """Columns whose header names a person field (or a common synonym of one)."""
    mapping = {}
    for header in headers:
        key = _key(header)
        field = key if key in MAPPABLE else SYNONYMS.get(key)
        if field:
            mapping[header] = field
    return mapping


def _row_values(row: list[str], index: dict[str, int], mapping: dict[str, str]) -> dict[str, Any]:
    """A row's values by field; several columns mapped to one field are joined in the
    order of the columns (:data:`JOINERS`, else a space), and the name parts make the
    full name (given names first) when no column is the full name."""
    parts: dict[str, list[str]] = {}
    for header, field in mapping.items():
        value = row[index[header]].strip()
        if value:
            parts.setdefault(field, []).append(value)
    names = parts.pop("given_name", []) + parts.pop("family_name", [])
    values: dict[str, Any] = {f: JOINERS.get(f, " ").join(v) for f, v in parts.items()}
    if names and not values.get("full_name"):
        values["full_name"] = " ".join(names)
    return values


@dataclass
class ManifestCheck:
    persons: list[PersonIn]
    rows: list[int]  # the spreadsheet row of each person (header = row 1)
    errors: list[dict[str, Any]]


def check_manifest(
    headers: list[str],
    rows: list[list[str]],
    mapping: dict[str, str],
    parties: list[str],
    default_role: str = "co_traveller",
) -> ManifestCheck:
    """Turn table rows into persons; every invalid row is reported with its row number
    and the field at fault, none is kept."""
    for header, field in mapping.items():
        if header not in headers:
            raise Invalid(f"no column {quoted(header)} in the file", field="mapping")
        if field not in MAPPABLE:
            raise Invalid(f"{quoted(field)} is not a person field", field="mapping")
    chosen = set(mapping.values()) | (
        {"full_name"} if set(NAME_PARTS) & set(mapping.values()) else set()
    )
    missing = [f for f in REQUIRED if f not in chosen]
    if missing:
        raise Invalid(f"map a column to {', '.join(missing)}", field="mapping")
    if not set(CONTACT_MEANS) & set(mapping.values()):
        raise Invalid(
            f"map a column to at least one of {', '.join(CONTACT_MEANS)}", field="mapping"
        )
    index = {h: i for i, h in enumerate(headers)}
    addressed = sorted({p.strip().upper() for p in parties})
    persons, numbers, errors = [], [], []
    for n, row in enumerate(rows, start=2):
        values = _row_values(row, index, mapping)
        person = PersonIn(
            role=values.pop("role", default_role).strip().lower(),
            receiving_party=values.pop("receiving_party", "").strip().upper(),
            disease=values.pop("disease", ""),
            fields=values,
        )
        try:
            _validate_person(n, person, addressed)
        except Invalid as exc:
            field = (exc.field or "").split(".", 2)[-1]
            errors.append({"row": n, "field": f"rows.{n}.{field}", "detail": exc.detail})
            continue
        persons.append(person)
        numbers.append(n)
    return ManifestCheck(persons, numbers, errors)


def export_csv(session: Session, actor: Actor, settings: Settings, notice: TracingNotice) -> str:
    """The persons as CSV for the tracers; audited like any read of personal data.
    Names and numbers come from other countries and airline manifests: the cells go
    through the project's one CSV writer, which neutralises spreadsheet formulas."""
    from eocnet.interop.tables import write_csv

    persons = read_persons(session, actor, settings, notice)
    if persons is None:
        raise Forbidden("only focal points of the parties concerned export the persons")
    columns = [
        "id",
        "role",
        "receiving_party",
        *PERSON_FIELDS,
        "disease",
        "follow_up_until",
        "outcome",
        "test_result",
        "outcome_date",
    ]
    body = write_csv(columns, [[person.get(k) for k in columns] for person in persons])
    audit.record(
        session,
        actor,
        "tracing.export",
        "tracing_notice",
        notice.id,
        details={"persons": [p["id"] for p in persons], "format": "csv"},
    )
    return body


def assign_tracer(
    session: Session, actor: Actor, notice: TracingNotice, person_id: int, tracer_id: int
) -> TracedPerson:
    """A receiving party's focal point gives a person to one of its officers to trace."""
    if actor.party_code not in notice.parties or not actor.has_role(Role.FOCAL_POINT):
        raise Forbidden("the receiving party's focal point assigns tracers")
    person = session.get(TracedPerson, person_id)
    if person is None or person.notice_id != notice.id:
        raise NotFound(f"no person {person_id} in this notice")
    if person.receiving_party and person.receiving_party != actor.party_code:
        raise Forbidden("this person is traced by another party")
    tracer = session.get(User, tracer_id)
    if tracer is None or not tracer.is_active or tracer.party_code != actor.party_code:
        raise Invalid("the tracer must be an active user of your party", field="tracer_id")
    person.tracer_id = tracer.id
    person.receiving_party = actor.party_code
    person.updated_at = utcnow()
    audit.record(
        session,
        actor,
        "tracing.assign",
        "traced_person",
        person.id,
        details={"notice": notice.id, "tracer": tracer.email},
    )
    publish(
        session,
        "tracing.outcome",
        notice_audience(notice, coordinator_code(session)),
        {"notice_id": notice.id, **person_status(person)},
    )
    return person


# ---------------------------------------------------------------- daily follow-up


def follow_up_visits(session: Session, notice: TracingNotice) -> list[FollowUpVisit]:
    """Every recorded day of the notice's persons, by person and day."""
    return list(
        session.execute(
            select(FollowUpVisit)
            .where(FollowUpVisit.notice_id == notice.id)
            .order_by(FollowUpVisit.person_id, FollowUpVisit.day)
        ).scalars()
    )


def visit_status(visit: FollowUpVisit) -> dict[str, Any]:
    return {
        "notice_id": visit.notice_id,
        "person_id": visit.person_id,
        "day": visit.day.isoformat(),
        "status": visit.status,
        "recorded_at": visit.recorded_at.isoformat(),
    }


def record_follow_up(
    session: Session,
    actor: Actor,
    notice: TracingNotice,
    person_id: int,
    *,
    status: str,
    day: date | None = None,
) -> FollowUpVisit:
    """A receiving party's tracer records one day of a person's follow-up; recording
    the same day again replaces it. Days run from sending to ``follow_up_until`` and
    not beyond tomorrow (UTC: the receiving country may already be there)."""
    person = _traced_by(session, actor, notice, person_id, "follow-up is recorded")
    if status not in FOLLOW_UP_STATUSES:
        raise Invalid(f"status must be one of {', '.join(FOLLOW_UP_STATUSES)}", field="status")
    now = utcnow()
    day = day or now.date()
    if day > now.date() + timedelta(days=1):
        raise Invalid("the day is in the future", field="day")
    if person.follow_up_until and day > person.follow_up_until:
        raise Invalid(
            f"this person's follow-up ended on {person.follow_up_until.isoformat()}", field="day"
        )
    if day < notice.created_at.date() - timedelta(days=1):
        raise Invalid("the day is before the notice was sent", field="day")
    visit = session.scalar(
        select(FollowUpVisit).where(FollowUpVisit.person_id == person.id, FollowUpVisit.day == day)
    )
    if visit is None:
        visit = FollowUpVisit(
            person_id=person.id, notice_id=notice.id, day=day, status=status, recorded_by=0
        )
        session.add(visit)
    visit.status = status
    visit.recorded_by = actor.user_id
    visit.recorded_at = now
    session.flush()
    audit.record(
        session,
        actor,
        "tracing.follow_up",
        "traced_person",
        person.id,
        details={"notice": notice.id, "day": day.isoformat(), "status": status},
    )
    publish(
        session,
        "tracing.follow_up",
        notice_audience(notice, coordinator_code(session)),
        visit_status(visit),
    )
    return visit


def due_list(session: Session, actor: Actor, settings: Settings, day: date) -> list[dict[str, Any]]:
    """Who is due for follow-up on ``day``, for the actor's party: the persons of the
    notices it received whose follow-up runs that day, whose data is still kept, and
    whose follow-up has not ended as lost or completed or by becoming a case; a tracer
    gets the persons assigned to them, a focal point every person of the party. With the
    personal data (read through :func:`read_persons`, so audited) and the day's status
    if recorded."""
    code = actor.party_code
    query = (
        select(TracedPerson, TracingNotice)
        .join(TracingNotice, TracedPerson.notice_id == TracingNotice.id)
        .where(
            TracingNotice.parties_key.contains(f",{code},"),
            TracingNotice.purged_at.is_(None),
            TracedPerson.sealed.is_not(None),
            TracedPerson.follow_up_until >= day,
            TracedPerson.receiving_party.in_(("", code)),
            # a contact who became a case is no longer followed as a contact (Go.Data):
            # shown on the day of conversion, off the list from the next
            or_(TracedPerson.case_since.is_(None), TracedPerson.case_since >= day),
        )
        .order_by(TracedPerson.follow_up_until, TracedPerson.id)
    )
    if not actor.has_role(Role.FOCAL_POINT):
        query = query.where(TracedPerson.tracer_id == actor.user_id)
    rows = [(p, n) for p, n in session.execute(query).all() if n.created_at.date() <= day]
    ids = [p.id for p, _ in rows]
    if not ids:
        return []
    visits: dict[int, list[FollowUpVisit]] = {}
    for visit in session.execute(
        select(FollowUpVisit)
        .where(FollowUpVisit.person_id.in_(ids), FollowUpVisit.day <= day)
        .order_by(FollowUpVisit.day)
    ).scalars():
        visits.setdefault(visit.person_id, []).append(visit)
    ended = {pid for pid, vs in visits.items() if vs[-1].status in ("lost", "completed")}
    ended -= {pid for pid, vs in visits.items() if vs[-1].day == day}  # ended today: shown
    wanted: dict[int, TracingNotice] = {}
    for person, notice in rows:
        if person.id not in ended:
            wanted[notice.id] = notice
    keep = set(ids) - ended
    due = []
    for notice in wanted.values():
        for shown in read_persons(session, actor, settings, notice, only=keep) or []:
            days = visits.get(shown["id"], [])
            today = days[-1].status if days and days[-1].day == day else None
            due.append(
                {
                    "notice_id": notice.id,
                    **shown,
                    "day": day.isoformat(),
                    "today": today,
                    "last_status": days[-1].status if days else None,
                    "days_left": (date.fromisoformat(shown["follow_up_until"]) - day).days,
                }
            )
    due.sort(key=lambda d: (d["follow_up_until"], d["id"]))
    return due


# ---------------------------------------------------------------- follow-up figures


def follow_up_figures(
    session: Session, notices: list[TracingNotice], today: date
) -> dict[str, Any]:
    """Seen daily, completed, lost and new cases among the listed contacts (see
    :class:`eocnet.domain.follow_up.Figures`) per notice, per event and per receiving
    party, and in all, for notices the caller has already chosen by who may see them
    (:func:`visible_notices`, or a report's readers). No personal data."""
    visits: dict[int, list[tuple[date, str]]] = {}
    ids = [n.id for n in notices]
    for chunk in range(0, len(ids), 500):
        for person_id, day, status in session.execute(
            select(FollowUpVisit.person_id, FollowUpVisit.day, FollowUpVisit.status)
            .where(FollowUpVisit.notice_id.in_(ids[chunk : chunk + 500]))
            .order_by(FollowUpVisit.person_id, FollowUpVisit.day)
        ):
            visits.setdefault(person_id, []).append((day, status))
    per_notice: dict[int, follow_up.Figures] = {}
    per_event: dict[int, follow_up.Figures] = {}
    per_party: dict[str, follow_up.Figures] = {}
    total = follow_up.Figures()
    for notice in notices:
        start = notice.created_at.date()
        for person in notice.persons:
            followed = follow_up.Followed(
                role=person.role,
                start=start,
                until=person.follow_up_until,
                statuses=tuple(visits.get(person.id, ())),
                outcome=person.outcome,
                case_since=person.case_since,
            )
            party = person.receiving_party or (
                notice.parties[0] if len(notice.parties) == 1 else ""
            )
            for figures in (
                per_notice.setdefault(notice.id, follow_up.Figures()),
                per_event.setdefault(notice.event_id, follow_up.Figures()),
                per_party.setdefault(party, follow_up.Figures()),
                total,
            ):
                figures.add(followed, today)
    return {
        "day": today.isoformat(),
        "total": total.as_dict(),
        "notices": {str(k): v.as_dict() for k, v in per_notice.items()},
        "events": {str(k): v.as_dict() for k, v in per_event.items()},
        "parties": {k: v.as_dict() for k, v in sorted(per_party.items())},
    }
