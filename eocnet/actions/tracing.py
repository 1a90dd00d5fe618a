"""Cross-border contact-tracing notices: personal data to the parties concerned only,
encrypted per notice, decrypted here only (behind the access check, audited), and
deleted on time by destroying the notice's data key with the ciphertext."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, selectinload

from eocnet.actions import audit
from eocnet.actions.directory import coordinator_code
from eocnet.actions.errors import Conflict, Forbidden, Invalid, NotFound
from eocnet.config import Settings, master_key_text
from eocnet.db.models import Event, Party, TracedPerson, TracingNotice, User
from eocnet.db.types import utcnow
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
REQUIRED = ("full_name", "nationality", "document_number", "phone")
ISO3 = re.compile(r"^[A-Z]{3}$")
MAX_PERSONS = 2000


@dataclass
class PersonIn:
    role: str
    fields: dict[str, Any]
    receiving_party: str = ""


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


def visible_notices(session: Session, actor: Actor, limit: int = 200) -> list[TracingNotice]:
    """Notices the actor's party sent or received (all of them for the coordinator),
    newest first, with their persons' follow-up rows loaded."""
    query = (
        select(TracingNotice)
        .options(selectinload(TracingNotice.persons))
        .order_by(TracingNotice.id.desc())
        .limit(limit)
    )
    if not sees_every_summary(actor):
        code = actor.party_code
        query = query.where(
            or_(TracingNotice.sender_party == code, TracingNotice.parties_key.contains(f",{code},"))
        )
    return list(session.execute(query).scalars())


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
    nationality = str(person.fields["nationality"]).strip().upper()
    if not ISO3.match(nationality):
        raise Invalid(
            "nationality must be an ISO 3166-1 alpha-3 code", field=f"{where}.nationality"
        )
    person.fields["nationality"] = nationality
    for name in ("date_of_birth", "exposure_date", "travel_date"):
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
) -> TracingNotice:
    if not actor.has_role(Role.FOCAL_POINT):
        raise Forbidden("tracing notices are sent by focal points")
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
    for i, person in enumerate(persons):
        _validate_person(i, person, addressed)
    now = utcnow()
    counts = Counter(p.role for p in persons)
    notice = TracingNotice(
        event_id=event.id,
        kind=kind,
        sender_party=actor.party_code,
        created_by=actor.user_id,
        parties=addressed,
        parties_key=parties_key(addressed),
        summary=summary.strip(),
        created_at=now,
        purge_after=now + timedelta(days=settings.tracing_retention_days),
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
        )
        for p in persons
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
        },
    )
    publish(
        session,
        "tracing.created",
        notice_audience(notice, coordinator_code(session)),
        notice_summary(notice),
    )
    return notice


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
    }


def read_persons(
    session: Session, actor: Actor, settings: Settings, notice: TracingNotice
) -> list[dict[str, Any]] | None:
    """The one place where personal data is decrypted. None when the actor may not read
    it; every read is audited with the persons it showed. Focal points of the parties
    concerned read every person; a tracer reads the persons assigned to them."""
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
        if person.sealed is None:
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
    if actor.party_code not in notice.parties:
        raise Forbidden("outcomes are recorded by the receiving parties")
    person = session.get(TracedPerson, person_id)
    if person is None or person.notice_id != notice.id:
        raise NotFound(f"no person {person_id} in this notice")
    if person.receiving_party and person.receiving_party != actor.party_code:
        raise Forbidden("this person is traced by another party")
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


def purge(
    session: Session, now: datetime, *, dry_run: bool = False, notice_id: int | None = None
) -> list[int]:
    """Delete the personal data of notices whose retention has passed at ``now`` (or of
    one notice, on request): the wrapped data key and every ciphertext go."""
    query = select(TracingNotice).where(TracingNotice.purged_at.is_(None))
    if notice_id is None:
        query = query.where(TracingNotice.purge_after <= now)
    else:
        query = query.where(TracingNotice.id == notice_id)
    notices = list(session.execute(query.order_by(TracingNotice.id)).scalars())
    if dry_run:
        return [n.id for n in notices]
    for notice in notices:
        notice.wrapped_key = None
        notice.purged_at = now
        for person in notice.persons:
            person.sealed = None
        audit.record(
            session,
            None,
            "tracing.purge",
            "tracing_notice",
            notice.id,
            actor_label="retention",
            party_code=notice.sender_party,
            details={
                "persons": len(notice.persons),
                "reason": "on request" if notice_id else "retention period",
            },
        )
    return [n.id for n in notices]


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
}


def _key(header: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", header.strip().lower()).strip("_")


def default_mapping(headers: list[str]) -> dict[str, str]:
    """Columns whose header names a person field (or a common synonym of one)."""
    mapping = {}
    for header in headers:
        key = _key(header)
        field = (
            key if key in PERSON_FIELDS or key in ("role", "receiving_party") else SYNONYMS.get(key)
        )
        if field:
            mapping[header] = field
    return mapping


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
        if field not in PERSON_FIELDS and field not in ("role", "receiving_party"):
            raise Invalid(f"{quoted(field)} is not a person field", field="mapping")
    missing = [f for f in REQUIRED if f not in mapping.values()]
    if missing:
        raise Invalid(f"map a column to {', '.join(missing)}", field="mapping")
    index = {h: i for i, h in enumerate(headers)}
    addressed = sorted({p.strip().upper() for p in parties})
    persons, numbers, errors = [], [], []
    for n, row in enumerate(rows, start=2):
        values = {
            field: row[index[header]] for header, field in mapping.items() if row[index[header]]
        }
        person = PersonIn(
            role=values.pop("role", default_role).strip().lower(),
            receiving_party=values.pop("receiving_party", "").strip().upper(),
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
