"""Laboratories: each party's directory of laboratories, requests for
laboratory support and the offers that answer them, and specimen shipments
between laboratories."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from eocnet.actions import audit, events, search_index
from eocnet.actions.checks import (
    WRITING_ROLES,
    check_parties,
    coordinators,
    require_writer,
    text,
)
from eocnet.actions.errors import Forbidden, Invalid, NotFound
from eocnet.db.models import Laboratory, SpecimenShipment, SupportOffer, SupportRequest
from eocnet.db.types import utcnow
from eocnet.domain import coordination as rules
from eocnet.domain.actors import Actor
from eocnet.domain.visibility import Visibility
from eocnet.realtime.log import Audience, publish

# ---------------------------------------------------------------- directory


@dataclass
class LabFields:
    name: str
    city: str = ""
    biosafety_level: int = 2
    tests: list[dict[str, str]] = field(default_factory=list)
    capacity_per_week: int | None = None
    turnaround_days: float | None = None
    contact: str = ""
    accreditation: str = ""


def _apply_lab(lab: Laboratory, f: LabFields) -> None:
    if f.biosafety_level not in rules.BIOSAFETY_LEVELS:
        raise Invalid("biosafety level is 1, 2, 3 or 4", field="biosafety_level")
    if f.capacity_per_week is not None and f.capacity_per_week < 0:
        raise Invalid("capacity cannot be negative", field="capacity_per_week")
    if f.turnaround_days is not None and not 0 <= f.turnaround_days <= 365:
        raise Invalid("turnaround is between 0 and 365 days", field="turnaround_days")
    tests = []
    for i, t in enumerate(f.tests):
        agent = text(str(t.get("agent", "")), f"tests[{i}].agent", 200, required=True)
        method = text(str(t.get("method", "")), f"tests[{i}].method", 100, required=True)
        tests.append({"agent": agent, "method": method})
    lab.name = text(f.name, "name", 300, required=True)
    lab.city = text(f.city, "city", 200)
    lab.biosafety_level = f.biosafety_level
    lab.tests = tests
    lab.capacity_per_week = f.capacity_per_week
    lab.turnaround_days = f.turnaround_days
    lab.contact = text(f.contact, "contact", 300)
    lab.accreditation = text(f.accreditation, "accreditation", 300)
    lab.updated_at = utcnow()


def may_edit_lab(actor: Actor, lab: Laboratory) -> bool:
    if actor.scope != "write":
        return False
    own = actor.party_code == lab.party_code and any(r in WRITING_ROLES for r in actor.roles)
    return own or (actor.is_coordinator)


def index_lab(session: Session, lab: Laboratory) -> None:
    """The laboratory's search document (the directory is open to every signed-in
    party; the contact is not indexed)."""
    tests = [" ".join(str(v) for v in t.values()) for t in lab.tests]
    search_index.index(
        session,
        "laboratory",
        lab.id,
        title=lab.name,
        body="\n".join([lab.city, lab.accreditation, *tests]),
        audience=Audience(Visibility.PARTNERS, lab.party_code),
        created_at=lab.updated_at,
        country=lab.party_code[:3],
    )


def add_lab(session: Session, actor: Actor, f: LabFields) -> Laboratory:
    require_writer(actor, "add laboratories")
    lab = Laboratory(party_code=actor.party_code)
    _apply_lab(lab, f)
    session.add(lab)
    session.flush()
    index_lab(session, lab)
    audit.record(
        session, actor, "laboratory.added", "laboratory", lab.id, details={"name": lab.name}
    )
    return lab


def edit_lab(session: Session, actor: Actor, lab: Laboratory, f: LabFields) -> Laboratory:
    if not may_edit_lab(actor, lab):
        raise Forbidden("a party edits its own laboratories")
    _apply_lab(lab, f)
    index_lab(session, lab)
    audit.record(session, actor, "laboratory.edited", "laboratory", lab.id)
    return lab


def lab(session: Session, lab_id: int) -> Laboratory:
    found = session.get(Laboratory, lab_id)
    if found is None:
        raise NotFound(f"no laboratory {lab_id}")
    return found


# ---------------------------------------------------------------- support requests


@dataclass
class SupportFields:
    kind: str
    title: str
    details: str = ""
    event_id: int | None = None
    needed_by: date | None = None
    visibility: str = "network"
    parties: list[str] = field(default_factory=list)


def audience(session: Session, request: SupportRequest) -> Audience:
    if request.visibility == Visibility.RESTRICTED:
        return Audience(
            Visibility.RESTRICTED,
            request.requesting_party,
            tuple(sorted({*request.parties, *coordinators(session)})),
        )
    return Audience(request.visibility, request.requesting_party)


def can_see(session: Session, actor: Actor, request: SupportRequest) -> bool:
    return audience(session, request).allows(actor.party_code, actor.party_kind, actor.user_id)


def access(session: Session, actor: Actor, request_id: int) -> SupportRequest:
    found = session.get(SupportRequest, request_id)
    if found is None or not can_see(session, actor, found):
        raise NotFound(f"no support request {request_id}")
    return found


def index_request(session: Session, request: SupportRequest) -> None:
    """The support request's search document, for its audience."""
    search_index.index(
        session,
        "support",
        request.id,
        title=request.title,
        body=request.details,
        audience=audience(session, request),
        created_at=request.created_at,
        country=request.requesting_party[:3],
        status=request.status,
    )


def _announce(session: Session, actor: Actor, request: SupportRequest, what: str) -> None:
    index_request(session, request)
    audit.record(
        session,
        actor,
        f"support_request.{what}",
        "support_request",
        request.id,
        details={"status": request.status},
    )
    publish(
        session,
        f"support_request.{what}",
        audience(session, request),
        {
            "id": request.id,
            "title": request.title,
            "kind": request.kind,
            "status": request.status,
            "requesting_party": request.requesting_party,
        },
    )


def ask(session: Session, actor: Actor, f: SupportFields) -> SupportRequest:
    """A party asks for testing, confirmation, sequencing, reagents or training."""
    require_writer(actor, "ask for support")
    if actor.is_partner:
        raise Forbidden("member states and the coordinator ask for laboratory support")
    if f.kind not in rules.SUPPORT_KINDS:
        raise Invalid(f"kind is one of {', '.join(rules.SUPPORT_KINDS)}", field="kind")
    if f.visibility not in (Visibility.NETWORK, Visibility.PARTNERS, Visibility.RESTRICTED):
        raise Invalid("visibility is network, partners or restricted", field="visibility")
    parties = check_parties(session, f.parties)
    if f.visibility == Visibility.RESTRICTED and not parties:
        raise Invalid("a restricted request names the parties asked", field="parties")
    if f.event_id is not None:
        try:
            events.access_event(session, actor, f.event_id)
        except NotFound:
            raise Invalid(f"no event {f.event_id}", field="event_id") from None
    now = utcnow()
    request = SupportRequest(
        requesting_party=actor.party_code,
        kind=f.kind,
        title=text(f.title, "title", 300, required=True),
        details=text(f.details, "details", 20_000),
        event_id=f.event_id,
        needed_by=f.needed_by,
        visibility=f.visibility,
        parties=parties,
        status="open",
        created_by=actor.user_id,
        created_at=now,
        updated_at=now,
    )
    session.add(request)
    session.flush()
    _announce(session, actor, request, "opened")
    return request


def offer(
    session: Session, actor: Actor, request: SupportRequest, note: str, laboratory_id: int | None
) -> SupportOffer:
    """Another party or a partner offers to help."""
    require_writer(actor, "offer support")
    if actor.party_code == request.requesting_party:
        raise Invalid("a party does not answer its own request", field="party")
    if request.status not in ("open", "offered"):
        raise Invalid(f"the request is {request.status}", field="status")
    if laboratory_id is not None:
        found = session.get(Laboratory, laboratory_id)
        if found is None or found.party_code != actor.party_code:
            raise Invalid("offer one of your own party's laboratories", field="laboratory_id")
    made = SupportOffer(
        request_id=request.id,
        party_code=actor.party_code,
        laboratory_id=laboratory_id,
        note=text(note, "note", 5000),
        created_by=actor.user_id,
        created_at=utcnow(),
    )
    session.add(made)
    request.status = "offered"
    request.updated_at = utcnow()
    session.flush()
    _announce(session, actor, request, "offered")
    return made


def _own(actor: Actor, request: SupportRequest) -> bool:
    return actor.party_code == request.requesting_party and any(
        r in WRITING_ROLES for r in actor.roles
    )


def accept(
    session: Session, actor: Actor, request: SupportRequest, offer_id: int
) -> SupportRequest:
    if not _own(actor, request):
        raise Forbidden("the requesting party accepts an offer")
    chosen = session.get(SupportOffer, offer_id)
    if chosen is None or chosen.request_id != request.id:
        raise Invalid(f"no offer {offer_id} on this request", field="offer_id")
    if request.status != "offered":
        raise Invalid(f"the request is {request.status}", field="status")
    for other in session.scalars(select(SupportOffer).where(SupportOffer.request_id == request.id)):
        other.status = "accepted" if other.id == chosen.id else "declined"
    request.accepted_offer_id = chosen.id
    request.status = "accepted"
    request.updated_at = utcnow()
    session.flush()
    _announce(session, actor, request, "accepted")
    return request


def advance(session: Session, actor: Actor, request: SupportRequest, status: str) -> SupportRequest:
    """shipped (by the party whose offer was accepted), done or cancelled (by the
    requesting party)."""
    accepted = session.get(SupportOffer, request.accepted_offer_id or 0)
    if status == "shipped":
        if accepted is None or accepted.party_code != actor.party_code:
            raise Forbidden("the party whose offer was accepted ships")
        allowed_from: tuple[str, ...] = ("accepted",)
    elif status == "done":
        if not _own(actor, request):
            raise Forbidden("the requesting party closes its request")
        allowed_from = ("accepted", "shipped")
    elif status == "cancelled":
        if not _own(actor, request):
            raise Forbidden("the requesting party cancels its request")
        allowed_from = ("open", "offered", "accepted")
    else:
        raise Invalid("the next status is shipped, done or cancelled", field="status")
    if request.status not in allowed_from:
        raise Invalid(f"a request that is {request.status} cannot become {status}", field="status")
    request.status = status
    request.updated_at = utcnow()
    session.flush()
    _announce(session, actor, request, status)
    return request


# ---------------------------------------------------------------- specimen shipments


@dataclass
class ShipmentFields:
    sender_lab_id: int
    receiver_lab_id: int
    specimen_type: str
    count: int
    packaging: str
    shipped_on: date | None = None
    tracking_ref: str = ""
    request_id: int | None = None


def shipment_parties(session: Session, shipment: SpecimenShipment) -> tuple[str, ...]:
    return (shipment.sender_party, shipment.receiver_party, *coordinators(session))


def access_shipment(session: Session, actor: Actor, shipment_id: int) -> SpecimenShipment:
    found = session.get(SpecimenShipment, shipment_id)
    if found is None or actor.party_code not in shipment_parties(session, found):
        raise NotFound(f"no shipment {shipment_id}")
    return found


def send_specimens(session: Session, actor: Actor, f: ShipmentFields) -> SpecimenShipment:
    require_writer(actor, "record shipments")
    sender = session.get(Laboratory, f.sender_lab_id)
    receiver = session.get(Laboratory, f.receiver_lab_id)
    if sender is None or sender.party_code != actor.party_code:
        raise Invalid("the sending laboratory is one of your party's", field="sender_lab_id")
    if receiver is None:
        raise Invalid(f"no laboratory {f.receiver_lab_id}", field="receiver_lab_id")
    if receiver.id == sender.id:
        raise Invalid("a laboratory does not ship to itself", field="receiver_lab_id")
    if f.packaging not in rules.PACKAGING:
        raise Invalid("packaging is UN3373 (category B) or UN2814 (category A)", field="packaging")
    if not 1 <= f.count <= 100_000:
        raise Invalid("count is between 1 and 100,000", field="count")
    if f.request_id is not None:
        access(session, actor, f.request_id)
    shipment = SpecimenShipment(
        request_id=f.request_id,
        sender_lab_id=sender.id,
        receiver_lab_id=receiver.id,
        sender_party=sender.party_code,
        receiver_party=receiver.party_code,
        specimen_type=text(f.specimen_type, "specimen_type", 200, required=True),
        count=f.count,
        packaging=f.packaging,
        shipped_on=f.shipped_on,
        tracking_ref=text(f.tracking_ref, "tracking_ref", 200),
        created_by=actor.user_id,
        created_at=utcnow(),
    )
    session.add(shipment)
    session.flush()
    _shipment_event(session, actor, shipment, "sent")
    return shipment


def _shipment_event(session: Session, actor: Actor, shipment: SpecimenShipment, what: str) -> None:
    audit.record(session, actor, f"shipment.{what}", "specimen_shipment", shipment.id)
    publish(
        session,
        f"shipment.{what}",
        Audience(Visibility.RESTRICTED, shipment.sender_party, shipment_parties(session, shipment)),
        {
            "id": shipment.id,
            "from": shipment.sender_party,
            "to": shipment.receiver_party,
            "specimen_type": shipment.specimen_type,
            "count": shipment.count,
        },
    )


def receive(
    session: Session,
    actor: Actor,
    shipment: SpecimenShipment,
    received_on: date | None,
    result_returned_on: date | None,
    result_summary: str,
) -> SpecimenShipment:
    """The receiving laboratory's party records receipt and the result returned."""
    require_writer(actor, "record receipt")
    if actor.party_code != shipment.receiver_party:
        raise Forbidden("the receiving party records receipt and results")
    for name, value in (("received_on", received_on), ("result_returned_on", result_returned_on)):
        if value is not None and shipment.shipped_on is not None and value < shipment.shipped_on:
            raise Invalid(f"{name.replace('_', ' ')} is before it was shipped", field=name)
    shipment.received_on = received_on or shipment.received_on
    shipment.result_returned_on = result_returned_on or shipment.result_returned_on
    shipment.result_summary = (
        text(result_summary, "result_summary", 5000) or shipment.result_summary
    )
    session.flush()
    _shipment_event(session, actor, shipment, "received")
    return shipment
