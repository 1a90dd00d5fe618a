"""Laboratories: the directory, support requests and offers, specimen shipments."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Query
from fastapi.responses import Response
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from eocnet.actions import laboratories as actions
from eocnet.api.csv_export import CSV_RESPONSES, csv_response
from eocnet.api.deps import CurrentActor, DbDep
from eocnet.api.schemas import MAX_ID, Id, Input, from_row
from eocnet.db.models import SupportRequest
from eocnet.queries import laboratories as queries

router = APIRouter(tags=["laboratories"])
OptionalId = Annotated[int | None, Field(None, ge=1, le=MAX_ID)]


class TestIn(Input):
    agent: str = Field(min_length=1, max_length=200, description="e.g. Measles virus")
    method: str = Field(min_length=1, max_length=100, description="e.g. RT-PCR, sequencing")


class LabIn(Input):
    name: str = Field(min_length=1, max_length=300)
    city: str = Field("", max_length=200)
    biosafety_level: int = Field(2, ge=1, le=4)
    tests: list[TestIn] = Field(default_factory=list, max_length=200)
    capacity_per_week: int | None = Field(None, ge=0, le=10_000_000)
    turnaround_days: float | None = Field(None, ge=0, le=365)
    contact: str = Field("", max_length=300)
    accreditation: str = Field("", max_length=300, description="e.g. ISO 15189, WHO reference")


class LabOut(BaseModel):
    id: int
    party_code: str
    name: str
    city: str
    biosafety_level: int
    tests: list[dict[str, str]]
    capacity_per_week: int | None
    turnaround_days: float | None
    contact: str
    accreditation: str
    updated_at: datetime


class SupportIn(Input):
    kind: Literal["testing", "confirmation", "sequencing", "reagents", "training"]
    title: str = Field(min_length=1, max_length=300)
    details: str = Field("", max_length=20_000)
    event_id: OptionalId = None
    needed_by: date | None = None
    visibility: Literal["network", "partners", "restricted"] = "network"
    parties: list[Annotated[str, Field(max_length=8)]] = Field(default_factory=list, max_length=50)


class OfferOut(BaseModel):
    id: int
    party_code: str
    laboratory_id: int | None
    note: str
    status: str
    created_at: datetime


class SupportOut(BaseModel):
    id: int
    requesting_party: str
    kind: str
    title: str
    details: str
    event_id: int | None
    needed_by: date | None
    visibility: str
    parties: list[str]
    status: str = Field(description="open, offered, accepted, shipped, done or cancelled")
    accepted_offer_id: int | None
    created_at: datetime
    updated_at: datetime
    offers: list[OfferOut]


class OfferIn(Input):
    note: str = Field("", max_length=5000)
    laboratory_id: OptionalId = None


class AcceptIn(Input):
    offer_id: int = Field(ge=1, le=MAX_ID)


class StatusIn(Input):
    status: Literal["shipped", "done", "cancelled"]


class ShipmentIn(Input):
    sender_lab_id: int = Field(ge=1, le=MAX_ID)
    receiver_lab_id: int = Field(ge=1, le=MAX_ID)
    specimen_type: str = Field(min_length=1, max_length=200)
    count: int = Field(ge=1, le=100_000)
    packaging: Literal["UN3373", "UN2814"] = Field(
        description="UN3373 Biological Substance Category B; UN2814 Category A"
    )
    shipped_on: date | None = None
    tracking_ref: str = Field("", max_length=200)
    request_id: OptionalId = None


class ReceiptIn(Input):
    received_on: date | None = None
    result_returned_on: date | None = None
    result_summary: str = Field("", max_length=5000)


class ShipmentOut(BaseModel):
    id: int
    request_id: int | None
    sender_lab_id: int
    receiver_lab_id: int
    sender_party: str
    receiver_party: str
    specimen_type: str
    count: int
    packaging: str
    shipped_on: date | None
    received_on: date | None
    tracking_ref: str
    result_returned_on: date | None
    result_summary: str


def _supports(session: Session, rows: Sequence[SupportRequest]) -> list[SupportOut]:
    """The requests as answered, with the offers of all of them in one statement."""
    offers = queries.offers_of(session, [r.id for r in rows])
    return [
        from_row(SupportOut, r, offers=[from_row(OfferOut, o) for o in offers[r.id]]) for r in rows
    ]


def _support(session: Session, request: SupportRequest) -> SupportOut:
    return _supports(session, [request])[0]


def _request_row(request: SupportRequest) -> list[object]:
    return [
        request.id, request.requesting_party, request.kind, request.title, request.status,
        request.needed_by, request.event_id, request.created_at,
    ]  # fmt: skip


@router.get("/laboratories", response_model=list[LabOut], summary="The laboratory directory")
def list_labs(
    actor: CurrentActor,
    db: DbDep,
    party: Annotated[str, Query(max_length=8, description="Only this party's")] = "",
    agent: Annotated[str, Query(max_length=200, description="Only those testing for it")] = "",
) -> list[LabOut]:
    with db.read() as session:
        labs = queries.testing_for(list(session.scalars(queries.laboratories(party))), agent)
        return [from_row(LabOut, lab) for lab in labs]


@router.get("/laboratories.csv", response_class=Response, responses=CSV_RESPONSES, summary="As CSV")
def labs_csv(actor: CurrentActor, db: DbDep) -> Response:
    with db.read() as session:
        rows: list[list[object]] = [
            [
                lab.id, lab.party_code, lab.name, lab.city, lab.biosafety_level,
                "; ".join(f"{t['agent']} ({t['method']})" for t in lab.tests),
                lab.capacity_per_week, lab.turnaround_days, lab.contact, lab.accreditation,
            ]
            for lab in session.scalars(queries.laboratories())
        ]  # fmt: skip
    columns = [
        "id", "party", "name", "city", "biosafety_level", "tests", "capacity_per_week",
        "turnaround_days", "contact", "accreditation",
    ]  # fmt: skip
    return csv_response("laboratories", columns, rows)


@router.post("/laboratories", status_code=201, response_model=LabOut, summary="Add a laboratory")
def add_lab(body: LabIn, actor: CurrentActor, db: DbDep) -> LabOut:
    """A party adds one of its own laboratories to the directory."""

    def job(session: Session) -> LabOut:
        data = body.model_dump()
        return from_row(LabOut, actions.add_lab(session, actor, actions.LabFields(**data)))

    return db.run_sync(job)


@router.put("/laboratories/{lab_id}", response_model=LabOut, summary="Edit a laboratory")
def edit_lab(lab_id: Id, body: LabIn, actor: CurrentActor, db: DbDep) -> LabOut:
    def job(session: Session) -> LabOut:
        lab = actions.lab(session, lab_id)
        data = body.model_dump()
        return from_row(LabOut, actions.edit_lab(session, actor, lab, actions.LabFields(**data)))

    return db.run_sync(job)


@router.post(
    "/support-requests", status_code=201, response_model=SupportOut, summary="Ask for support"
)
def ask(body: SupportIn, actor: CurrentActor, db: DbDep) -> SupportOut:
    """A member state asks for testing, confirmation, sequencing, reagents or
    training; announced on the live stream to those who may see it."""

    def job(session: Session) -> SupportOut:
        return _support(
            session, actions.ask(session, actor, actions.SupportFields(**body.model_dump()))
        )

    return db.run_sync(job)


@router.get("/support-requests", response_model=list[SupportOut], summary="Support requests")
def list_requests(
    actor: CurrentActor,
    db: DbDep,
    status: Annotated[
        Literal["open", "offered", "accepted", "shipped", "done", "cancelled"] | None, Query()
    ] = None,
) -> list[SupportOut]:
    with db.read() as session:
        return _supports(
            session, list(session.scalars(queries.support_requests(actor, status or "")))
        )


@router.get(
    "/support-requests.csv", response_class=Response, responses=CSV_RESPONSES, summary="As CSV"
)
def requests_csv(actor: CurrentActor, db: DbDep) -> Response:
    with db.read() as session:
        rows = [_request_row(r) for r in session.scalars(queries.support_requests(actor))]
    columns = [
        "id", "requesting_party", "kind", "title", "status", "needed_by", "event_id", "created_at"
    ]  # fmt: skip
    return csv_response("support-requests", columns, rows)


@router.get("/support-requests/{request_id}", response_model=SupportOut, summary="A request")
def get_request(request_id: Id, actor: CurrentActor, db: DbDep) -> SupportOut:
    with db.read() as session:
        return _support(session, actions.access(session, actor, request_id))


@router.post(
    "/support-requests/{request_id}/offers",
    status_code=201,
    response_model=SupportOut,
    summary="Offer support",
)
def make_offer(request_id: Id, body: OfferIn, actor: CurrentActor, db: DbDep) -> SupportOut:
    def job(session: Session) -> SupportOut:
        request = actions.access(session, actor, request_id)
        actions.offer(session, actor, request, body.note, body.laboratory_id)
        return _support(session, request)

    return db.run_sync(job)


@router.post(
    "/support-requests/{request_id}/accept", response_model=SupportOut, summary="Accept an offer"
)
def accept(request_id: Id, body: AcceptIn, actor: CurrentActor, db: DbDep) -> SupportOut:
    def job(session: Session) -> SupportOut:
        request = actions.access(session, actor, request_id)
        return _support(session, actions.accept(session, actor, request, body.offer_id))

    return db.run_sync(job)


@router.post(
    "/support-requests/{request_id}/status", response_model=SupportOut, summary="Move it on"
)
def advance(request_id: Id, body: StatusIn, actor: CurrentActor, db: DbDep) -> SupportOut:
    """shipped (the party whose offer was accepted), done or cancelled (the requester)."""

    def job(session: Session) -> SupportOut:
        request = actions.access(session, actor, request_id)
        return _support(session, actions.advance(session, actor, request, body.status))

    return db.run_sync(job)


@router.post(
    "/specimen-shipments", status_code=201, response_model=ShipmentOut, summary="Send specimens"
)
def send(body: ShipmentIn, actor: CurrentActor, db: DbDep) -> ShipmentOut:
    """Seen by the sending and receiving parties and the coordinator."""

    def job(session: Session) -> ShipmentOut:
        shipment = actions.send_specimens(
            session, actor, actions.ShipmentFields(**body.model_dump())
        )
        return from_row(ShipmentOut, shipment)

    return db.run_sync(job)


@router.get("/specimen-shipments", response_model=list[ShipmentOut], summary="Shipments")
def list_shipments(actor: CurrentActor, db: DbDep) -> list[ShipmentOut]:
    with db.read() as session:
        return [from_row(ShipmentOut, s) for s in session.scalars(queries.shipments(actor))]


@router.get(
    "/specimen-shipments.csv", response_class=Response, responses=CSV_RESPONSES, summary="CSV"
)
def shipments_csv(actor: CurrentActor, db: DbDep) -> Response:
    columns = list(ShipmentOut.model_fields)
    with db.read() as session:
        rows = [[getattr(s, c) for c in columns] for s in session.scalars(queries.shipments(actor))]
    return csv_response("specimen-shipments", columns, rows)


@router.post(
    "/specimen-shipments/{shipment_id}/receipt",
    response_model=ShipmentOut,
    summary="Record receipt and the result returned",
)
def receipt(shipment_id: Id, body: ReceiptIn, actor: CurrentActor, db: DbDep) -> ShipmentOut:
    def job(session: Session) -> ShipmentOut:
        shipment = actions.access_shipment(session, actor, shipment_id)
        done = actions.receive(
            session, actor, shipment, body.received_on, body.result_returned_on, body.result_summary
        )
        return from_row(ShipmentOut, done)

    return db.run_sync(job)
