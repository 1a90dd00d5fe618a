"""Countermeasures: stockpiles, requests, pledges, allocation, shipment and receipt."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Query
from fastapi.responses import Response
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from eocnet.actions import countermeasures as actions
from eocnet.actions.errors import NotFound
from eocnet.api.csv_export import CSV_RESPONSES, csv_response
from eocnet.api.deps import CurrentActor, DbDep
from eocnet.api.schemas import MAX_ID, Id, Input, from_row
from eocnet.db.models import Pledge, PledgeAllocation, StockItem
from eocnet.db.types import utcnow
from eocnet.domain.coordination import near_expiry
from eocnet.queries import countermeasures as queries

router = APIRouter(tags=["countermeasures"])
Category = Literal["vaccine", "antiviral", "antibiotic", "antitoxin", "ppe", "test_kit", "other"]
Quantity = Annotated[int, Field(ge=0, le=10**12)]


class StockIn(Input):
    item: str = Field(min_length=1, max_length=200, description="e.g. Measles-rubella vaccine")
    category: Category
    quantity: Quantity
    unit: str = Field(min_length=1, max_length=40, description="e.g. doses, courses, boxes")
    lot: str = Field("", max_length=100)
    expiry: date | None = None
    location: str = Field("", max_length=200)
    note: str = Field("", max_length=500, description="Why the level changed")


class StockOut(BaseModel):
    id: int
    party_code: str
    item: str
    category: str
    quantity: int
    unit: str
    lot: str
    expiry: date | None
    location: str
    updated_at: datetime
    near_expiry: bool = Field(description="Expires within 90 days")


class RevisionOut(BaseModel):
    quantity: int
    lot: str
    expiry: date | None
    location: str
    note: str
    changed_at: datetime


class NeedIn(Input):
    item: str = Field(min_length=1, max_length=200)
    category: Category
    quantity: int = Field(ge=1, le=10**12)
    unit: str = Field(min_length=1, max_length=40)
    reason: str = Field("", max_length=5000)
    event_id: int | None = Field(None, ge=1, le=MAX_ID)


class NeedOut(BaseModel):
    id: int
    party_code: str
    item: str
    category: str
    quantity: int
    unit: str
    reason: str
    event_id: int | None
    status: str = Field(description="open, pledged, fulfilled or cancelled")
    created_at: datetime


class PledgeIn(Input):
    item: str = Field(min_length=1, max_length=200)
    category: Category
    quantity: int = Field(ge=1, le=10**12)
    unit: str = Field(min_length=1, max_length=40)
    kind: Literal["donation", "loan", "dose_sharing", "global_facility"]
    note: str = Field("", max_length=5000)


class AllocationOut(BaseModel):
    id: int
    request_id: int
    party_code: str
    quantity: int
    shipped_quantity: int | None
    shipped_on: date | None
    received_quantity: int | None
    received_on: date | None
    status: str


class PledgeOut(BaseModel):
    id: int
    party_code: str
    item: str
    category: str
    quantity: int
    unit: str
    kind: str
    note: str
    status: str = Field(description="open or allocated")
    basis: str
    minimum: int
    created_at: datetime
    allocations: list[AllocationOut]
    reconciliation: dict[str, int] = Field(description="pledged, allocated, shipped, received")


class PlanIn(Input):
    basis: Literal["need", "population"] = Field(
        "need", description="Share in proportion to the requests or to population"
    )
    minimum: int = Field(0, ge=0, le=10**12, description="Units each party gets first")
    request_ids: list[Annotated[int, Field(ge=1, le=MAX_ID)]] = Field(
        default_factory=list,
        max_length=500,
        description="The requests to serve; empty: every open request for the same item",
    )


class PlanRow(BaseModel):
    request_id: int
    party: str
    requested: int
    allocated: int
    population_thousands: int | None


class PlanOut(BaseModel):
    pledge_id: int
    basis: str
    minimum: int
    minimum_applied: bool
    unallocated: int
    rows: list[PlanRow]
    rule: str = Field(description="The rule, in words")


class ShipIn(Input):
    quantity: int = Field(ge=1, le=10**12)
    on: date


class ReceiveIn(Input):
    quantity: int = Field(ge=0, le=10**12)
    on: date


RULE = (
    "Each requesting party first gets the minimum (if the pledge covers every minimum); "
    "the rest is shared in proportion to the basis, never above a party's request, and "
    "rounded to whole units by the largest-remainder method (ties: larger weight, then "
    "party code)."
)


def _stock(line: StockItem) -> StockOut:
    return from_row(StockOut, line, near_expiry=near_expiry(line.expiry, utcnow().date()))


def _pledges(session: Session, rows: Sequence[Pledge]) -> list[PledgeOut]:
    """The pledges as answered, with the shares of all of them in one statement."""
    shares = queries.allocations_of(session, [p.id for p in rows])
    return [
        from_row(
            PledgeOut,
            made,
            allocations=[from_row(AllocationOut, a) for a in shares[made.id]],
            reconciliation=queries.reconciliation(made, shares[made.id]),
        )
        for made in rows
    ]


def _pledge(session: Session, made: Pledge) -> PledgeOut:
    return _pledges(session, [made])[0]


def _fields(body: StockIn) -> actions.StockFields:
    return actions.StockFields(**body.model_dump())


@router.get("/stockpiles", response_model=list[StockOut], summary="Stock levels")
def list_stock(
    actor: CurrentActor, db: DbDep, party: Annotated[str, Query(max_length=8)] = ""
) -> list[StockOut]:
    """Member states and the coordinator; items expiring within 90 days are flagged."""
    with db.read() as session:
        return [_stock(line) for line in actions.stock(session, actor, party)]


@router.get("/stockpiles.csv", response_class=Response, responses=CSV_RESPONSES, summary="CSV")
def stock_csv(actor: CurrentActor, db: DbDep) -> Response:
    columns = list(StockOut.model_fields)
    with db.read() as session:
        rows = [
            [getattr(_stock(line), c) for c in columns] for line in actions.stock(session, actor)
        ]
    return csv_response("stockpiles", columns, rows)


@router.post("/stockpiles", status_code=201, response_model=StockOut, summary="Add stock")
def add_stock(body: StockIn, actor: CurrentActor, db: DbDep) -> StockOut:
    def job(session: Session) -> StockOut:
        return _stock(actions.add_stock(session, actor, _fields(body)))

    return db.run_sync(job)


@router.put("/stockpiles/{item_id}", response_model=StockOut, summary="Update a stock line")
def update_stock(item_id: Id, body: StockIn, actor: CurrentActor, db: DbDep) -> StockOut:
    """The new level; the earlier ones stay in the history."""

    def job(session: Session) -> StockOut:
        line = actions.stock_item(session, actor, item_id)
        return _stock(actions.update_stock(session, actor, line, _fields(body)))

    return db.run_sync(job)


@router.get(
    "/stockpiles/{item_id}/history", response_model=list[RevisionOut], summary="Its history"
)
def stock_history(item_id: Id, actor: CurrentActor, db: DbDep) -> list[RevisionOut]:
    with db.read() as session:
        line = actions.stock_item(session, actor, item_id)
        return [from_row(RevisionOut, r) for r in actions.history(session, line)]


@router.post(
    "/countermeasure-requests", status_code=201, response_model=NeedOut, summary="Ask for supplies"
)
def ask(body: NeedIn, actor: CurrentActor, db: DbDep) -> NeedOut:
    def job(session: Session) -> NeedOut:
        return from_row(
            NeedOut, actions.ask(session, actor, actions.NeedFields(**body.model_dump()))
        )

    return db.run_sync(job)


@router.get("/countermeasure-requests", response_model=list[NeedOut], summary="Requests")
def list_needs(
    actor: CurrentActor,
    db: DbDep,
    status: Annotated[Literal["open", "pledged", "fulfilled", "cancelled"] | None, Query()] = None,
) -> list[NeedOut]:
    with db.read() as session:
        return [from_row(NeedOut, n) for n in session.scalars(queries.needs(status or ""))]


@router.get(
    "/countermeasure-requests.csv", response_class=Response, responses=CSV_RESPONSES, summary="CSV"
)
def needs_csv(actor: CurrentActor, db: DbDep) -> Response:
    columns = list(NeedOut.model_fields)
    with db.read() as session:
        rows = [[getattr(n, c) for c in columns] for n in session.scalars(queries.needs())]
    return csv_response("countermeasure-requests", columns, rows)


@router.post("/pledges", status_code=201, response_model=PledgeOut, summary="Pledge supplies")
def make_pledge(body: PledgeIn, actor: CurrentActor, db: DbDep) -> PledgeOut:
    """Member states, the coordinator and dialogue partners pledge donations,
    loans or doses to share."""

    def job(session: Session) -> PledgeOut:
        made = actions.pledge(session, actor, actions.PledgeFields(**body.model_dump()))
        return _pledge(session, made)

    return db.run_sync(job)


@router.get("/pledges", response_model=list[PledgeOut], summary="Pledges")
def list_pledges(actor: CurrentActor, db: DbDep) -> list[PledgeOut]:
    with db.read() as session:
        return _pledges(session, list(session.scalars(queries.pledges())))


@router.get("/pledges.csv", response_class=Response, responses=CSV_RESPONSES, summary="CSV")
def pledges_csv(actor: CurrentActor, db: DbDep) -> Response:
    columns = [
        "pledge_id", "pledging_party", "item", "unit", "kind", "to_party", "request_id",
        "allocated", "shipped", "shipped_on", "received", "received_on", "status",
    ]  # fmt: skip
    rows: list[list[object]] = []
    with db.read() as session:
        found = list(session.scalars(queries.pledges()))
        allocated = queries.allocations_of(session, [p.id for p in found])
        for p in found:
            shares: list[PledgeAllocation | None] = [*allocated[p.id]] or [None]
            for a in shares:
                rows.append(
                    [p.id, p.party_code, p.item, p.unit, p.kind]
                    + (
                        [a.party_code, a.request_id, a.quantity, a.shipped_quantity,
                         a.shipped_on, a.received_quantity, a.received_on, a.status]
                        if a else ["", "", "", "", "", "", "", p.status]
                    )
                )  # fmt: skip
    return csv_response("pledges", columns, rows)


@router.get("/pledges/{pledge_id}", response_model=PledgeOut, summary="A pledge")
def get_pledge(pledge_id: Id, actor: CurrentActor, db: DbDep) -> PledgeOut:
    with db.read() as session:
        return _pledge(session, actions.get_pledge(session, pledge_id))


def _plan_out(chosen: actions.AllocationPlan) -> PlanOut:
    return PlanOut(
        pledge_id=chosen.pledge.id,
        basis=chosen.basis,
        minimum=chosen.minimum,
        minimum_applied=chosen.result.minimum_applied,
        unallocated=chosen.result.unallocated,
        rows=[PlanRow(**row) for row in chosen.rows()],
        rule=RULE,
    )


@router.post(
    "/pledges/{pledge_id}/allocation-preview",
    response_model=PlanOut,
    summary="How the rule would share the pledge (nothing saved)",
)
def preview(pledge_id: Id, body: PlanIn, actor: CurrentActor, db: DbDep) -> PlanOut:
    with db.read() as session:
        made = actions.get_pledge(session, pledge_id)
        return _plan_out(
            actions.plan(session, made, body.basis, body.minimum, body.request_ids or None)
        )


@router.post(
    "/pledges/{pledge_id}/allocation", response_model=PledgeOut, summary="Accept the allocation"
)
def accept(pledge_id: Id, body: PlanIn, actor: CurrentActor, db: DbDep) -> PledgeOut:
    """The pledging party or the coordinator accepts the shares the preview showed."""

    def job(session: Session) -> PledgeOut:
        made = actions.get_pledge(session, pledge_id)
        actions.accept_plan(
            session, actor, made, body.basis, body.minimum, body.request_ids or None
        )
        return _pledge(session, made)

    return db.run_sync(job)


def _share(session: Session, allocation_id: int) -> PledgeAllocation:
    found = session.get(PledgeAllocation, allocation_id)
    if found is None:
        raise NotFound(f"no allocation {allocation_id}")
    return found


@router.post(
    "/allocations/{allocation_id}/shipment", response_model=AllocationOut, summary="Ship a share"
)
def ship(allocation_id: Id, body: ShipIn, actor: CurrentActor, db: DbDep) -> AllocationOut:
    def job(session: Session) -> AllocationOut:
        share = actions.ship(session, actor, _share(session, allocation_id), body.quantity, body.on)
        return from_row(AllocationOut, share)

    return db.run_sync(job)


@router.post(
    "/allocations/{allocation_id}/receipt", response_model=AllocationOut, summary="Confirm receipt"
)
def receive(allocation_id: Id, body: ReceiveIn, actor: CurrentActor, db: DbDep) -> AllocationOut:
    """The receiving party confirms the quantity that arrived."""

    def job(session: Session) -> AllocationOut:
        share = actions.confirm_receipt(
            session, actor, _share(session, allocation_id), body.quantity, body.on
        )
        return from_row(AllocationOut, share)

    return db.run_sync(job)
