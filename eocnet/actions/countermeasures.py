"""Medical countermeasures: each party's stockpile (with its history), requests
for doses and supplies, pledges from parties and partners, the allocation of a
pledge among the requests by a documented rule, shipments and their receipt.

Stock levels are for the member states and the coordinator; requests and
pledges are also seen by the dialogue partners, who are the ones that pledge.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from eocnet.actions import audit, events
from eocnet.actions.checks import WRITING_ROLES, require_writer, text
from eocnet.actions.errors import Forbidden, Invalid, NotFound
from eocnet.db.models import (
    CountermeasureRequest,
    Pledge,
    PledgeAllocation,
    StockItem,
    StockRevision,
)
from eocnet.db.types import utcnow
from eocnet.domain import coordination as rules
from eocnet.domain.actors import Actor
from eocnet.domain.allocation import BASES, Allocation, allocate
from eocnet.domain.roles import Role
from eocnet.domain.visibility import Visibility
from eocnet.realtime.log import Audience, publish

#: Population (thousands, 2023) for the "population" allocation basis: UN World
#: Population Prospects 2024, total population as of 1 July 2023.
POPULATION_THOUSANDS = {
    "BRN": 459,
    "KHM": 17_424,
    "IDN": 281_190,
    "LAO": 7_665,
    "MYS": 35_126,
    "MMR": 54_134,
    "PHL": 114_891,
    "SGP": 5_789,
    "THA": 71_702,
    "VNM": 100_353,
    "TLS": 1_384,
}


def _member(actor: Actor) -> bool:
    return not actor.is_partner


# ---------------------------------------------------------------- stockpiles


@dataclass
class StockFields:
    item: str
    category: str
    quantity: int
    unit: str
    lot: str = ""
    expiry: date | None = None
    location: str = ""
    note: str = ""


def _check_stock(f: StockFields) -> None:
    if f.category not in rules.STOCK_CATEGORIES:
        raise Invalid(f"category is one of {', '.join(rules.STOCK_CATEGORIES)}", field="category")
    if f.quantity < 0:
        raise Invalid("quantity cannot be negative", field="quantity")
    text(f.item, "item", 200, required=True)
    text(f.unit, "unit", 40, required=True)


def stock(session: Session, actor: Actor, party: str = "") -> list[StockItem]:
    if not _member(actor):
        raise Forbidden("stock levels are for the member states and the coordinator")
    query = select(StockItem).order_by(StockItem.party_code, StockItem.item, StockItem.expiry)
    if party:
        query = query.where(StockItem.party_code == party.upper())
    return list(session.scalars(query))


def stock_item(session: Session, actor: Actor, item_id: int) -> StockItem:
    found = session.get(StockItem, item_id)
    if found is None or not _member(actor):
        raise NotFound(f"no stock line {item_id}")
    return found


def _revision(session: Session, actor: Actor, line: StockItem, note: str) -> None:
    session.add(
        StockRevision(
            stock_item_id=line.id,
            quantity=line.quantity,
            lot=line.lot,
            expiry=line.expiry,
            location=line.location,
            note=text(note, "note", 500),
            changed_by=actor.user_id,
            changed_at=line.updated_at,
        )
    )


def add_stock(session: Session, actor: Actor, f: StockFields) -> StockItem:
    require_writer(actor, "record stock")
    if actor.is_partner:
        raise Forbidden("member states record their stockpiles")
    _check_stock(f)
    line = StockItem(
        party_code=actor.party_code,
        item=f.item.strip(),
        category=f.category,
        quantity=f.quantity,
        unit=f.unit.strip(),
        lot=text(f.lot, "lot", 100),
        expiry=f.expiry,
        location=text(f.location, "location", 200),
        updated_by=actor.user_id,
        updated_at=utcnow(),
    )
    session.add(line)
    session.flush()
    _revision(session, actor, line, f.note or "added")
    audit.record(session, actor, "stock.added", "stock_item", line.id, details={"item": line.item})
    return line


def update_stock(session: Session, actor: Actor, line: StockItem, f: StockFields) -> StockItem:
    """A new level (the earlier ones stay in the history)."""
    if actor.party_code != line.party_code or not any(r in WRITING_ROLES for r in actor.roles):
        raise Forbidden("a party updates its own stockpile")
    _check_stock(f)
    line.item, line.category, line.quantity, line.unit = (
        f.item.strip(),
        f.category,
        f.quantity,
        f.unit.strip(),
    )
    line.lot = text(f.lot, "lot", 100)
    line.expiry = f.expiry
    line.location = text(f.location, "location", 200)
    line.updated_by = actor.user_id
    line.updated_at = utcnow()
    session.flush()
    _revision(session, actor, line, f.note)
    audit.record(
        session, actor, "stock.updated", "stock_item", line.id, details={"quantity": line.quantity}
    )
    return line


def history(session: Session, line: StockItem) -> list[StockRevision]:
    return list(
        session.scalars(
            select(StockRevision)
            .where(StockRevision.stock_item_id == line.id)
            .order_by(StockRevision.id.desc())
        )
    )


# ---------------------------------------------------------------- requests and pledges


@dataclass
class NeedFields:
    item: str
    category: str
    quantity: int
    unit: str
    reason: str = ""
    event_id: int | None = None


def _announce(
    session: Session, actor: Actor, kind: str, obj: str, obj_id: int, data: dict[str, Any]
) -> None:
    audit.record(session, actor, kind, obj, obj_id, details=data)
    publish(session, kind, Audience(Visibility.PARTNERS, actor.party_code), {"id": obj_id, **data})


def ask(session: Session, actor: Actor, f: NeedFields) -> CountermeasureRequest:
    require_writer(actor, "request countermeasures")
    if actor.is_partner:
        raise Forbidden("member states request countermeasures")
    if f.category not in rules.STOCK_CATEGORIES:
        raise Invalid(f"category is one of {', '.join(rules.STOCK_CATEGORIES)}", field="category")
    if f.quantity <= 0:
        raise Invalid("ask for at least one unit", field="quantity")
    if f.event_id is not None:
        try:
            events.access_event(session, actor, f.event_id)
        except NotFound:
            raise Invalid(f"no event {f.event_id}", field="event_id") from None
    need = CountermeasureRequest(
        party_code=actor.party_code,
        item=text(f.item, "item", 200, required=True),
        category=f.category,
        quantity=f.quantity,
        unit=text(f.unit, "unit", 40, required=True),
        reason=text(f.reason, "reason", 5000),
        event_id=f.event_id,
        created_by=actor.user_id,
        created_at=utcnow(),
    )
    session.add(need)
    session.flush()
    _announce(
        session, actor, "countermeasure.requested", "countermeasure_request", need.id,
        {"party": need.party_code, "item": need.item, "quantity": need.quantity},
    )  # fmt: skip
    return need


def needs(session: Session, status: str = "") -> list[CountermeasureRequest]:
    query = select(CountermeasureRequest).order_by(CountermeasureRequest.id.desc())
    if status:
        query = query.where(CountermeasureRequest.status == status)
    return list(session.scalars(query))


def need(session: Session, need_id: int) -> CountermeasureRequest:
    found = session.get(CountermeasureRequest, need_id)
    if found is None:
        raise NotFound(f"no countermeasure request {need_id}")
    return found


@dataclass
class PledgeFields:
    item: str
    category: str
    quantity: int
    unit: str
    kind: str
    note: str = ""


def pledge(session: Session, actor: Actor, f: PledgeFields) -> Pledge:
    """A party or a partner pledges doses or supplies."""
    if actor.scope != "write" or not any(r in (*WRITING_ROLES, Role.PARTNER) for r in actor.roles):
        raise Forbidden("your role cannot pledge")
    if f.kind not in rules.PLEDGE_KINDS:
        raise Invalid(f"kind is one of {', '.join(rules.PLEDGE_KINDS)}", field="kind")
    if f.category not in rules.STOCK_CATEGORIES:
        raise Invalid(f"category is one of {', '.join(rules.STOCK_CATEGORIES)}", field="category")
    if f.quantity <= 0:
        raise Invalid("pledge at least one unit", field="quantity")
    made = Pledge(
        party_code=actor.party_code,
        item=text(f.item, "item", 200, required=True),
        category=f.category,
        quantity=f.quantity,
        unit=text(f.unit, "unit", 40, required=True),
        kind=f.kind,
        note=text(f.note, "note", 5000),
        created_by=actor.user_id,
        created_at=utcnow(),
    )
    session.add(made)
    session.flush()
    _announce(
        session, actor, "countermeasure.pledged", "pledge", made.id,
        {"party": made.party_code, "item": made.item, "quantity": made.quantity},
    )  # fmt: skip
    return made


def get_pledge(session: Session, pledge_id: int) -> Pledge:
    found = session.get(Pledge, pledge_id)
    if found is None:
        raise NotFound(f"no pledge {pledge_id}")
    return found


def _matching(
    session: Session, made: Pledge, request_ids: list[int] | None
) -> list[CountermeasureRequest]:
    """Open requests for the pledged item (same category, same item name ignoring
    case), or the requests named."""
    if request_ids:
        found = [session.get(CountermeasureRequest, i) for i in request_ids]
        missing = [
            i for i, r in zip(request_ids, found, strict=True) if r is None or r.status != "open"
        ]
        if missing:
            raise Invalid(f"no open request {missing[0]}", field="request_ids")
        return [r for r in found if r is not None]
    return [
        r
        for r in needs(session, "open")
        if r.category == made.category and r.item.casefold() == made.item.casefold()
    ]


@dataclass
class AllocationPlan:
    pledge: Pledge
    basis: str
    minimum: int
    requests: list[CountermeasureRequest]
    result: Allocation

    def rows(self) -> list[dict[str, Any]]:
        return [
            {
                "request_id": r.id,
                "party": r.party_code,
                "requested": r.quantity,
                "allocated": self.result.shares.get(str(r.id), 0),
                "population_thousands": POPULATION_THOUSANDS.get(r.party_code),
            }
            for r in self.requests
        ]


def plan(
    session: Session,
    made: Pledge,
    basis: str = "need",
    minimum: int = 0,
    request_ids: list[int] | None = None,
) -> AllocationPlan:
    """The allocation the rule gives, without saving anything (shown before it
    is accepted)."""
    if basis not in BASES:
        raise Invalid("basis is need or population", field="basis")
    if minimum < 0:
        raise Invalid("the minimum cannot be negative", field="minimum")
    if made.status != "open":
        raise Invalid(f"the pledge is {made.status}", field="status")
    found = _matching(session, made, request_ids)
    if not found:
        raise Invalid("no open request matches this pledge", field="request_ids")
    requested = {str(r.id): r.quantity for r in found}
    weights = None
    if basis == "population":
        missing = [r.party_code for r in found if r.party_code not in POPULATION_THOUSANDS]
        if missing:
            raise Invalid(f"no population figure for {missing[0]}", field="basis")
        weights = {str(r.id): float(POPULATION_THOUSANDS[r.party_code]) for r in found}
    result = allocate(made.quantity, requested, weights=weights, minimum=minimum)
    return AllocationPlan(made, basis, minimum, found, result)


def accept_plan(
    session: Session,
    actor: Actor,
    made: Pledge,
    basis: str = "need",
    minimum: int = 0,
    request_ids: list[int] | None = None,
) -> list[PledgeAllocation]:
    """The pledging party or the coordinator accepts the allocation."""
    coordinator = actor.is_coordinator
    if actor.party_code != made.party_code and not coordinator:
        raise Forbidden("the pledging party or the coordinator allocates a pledge")
    chosen = plan(session, made, basis, minimum, request_ids)
    rows = []
    for request in chosen.requests:
        share = chosen.result.shares.get(str(request.id), 0)
        if share <= 0:
            continue
        rows.append(
            PledgeAllocation(
                pledge_id=made.id,
                request_id=request.id,
                party_code=request.party_code,
                quantity=share,
            )
        )
        if share >= request.quantity:
            request.status = "pledged"
    session.add_all(rows)
    made.status = "allocated"
    made.basis, made.minimum = basis, minimum
    session.flush()
    _announce(
        session, actor, "countermeasure.allocated", "pledge", made.id,
        {"basis": basis, "minimum": minimum, "shares": {a.party_code: a.quantity for a in rows}},
    )  # fmt: skip
    return rows


def ship(
    session: Session, actor: Actor, share: PledgeAllocation, quantity: int, on: date
) -> PledgeAllocation:
    made = get_pledge(session, share.pledge_id)
    if actor.party_code != made.party_code:
        raise Forbidden("the pledging party records the shipment")
    if not 0 < quantity <= share.quantity:
        raise Invalid(f"ship between 1 and {share.quantity}", field="quantity")
    share.shipped_quantity, share.shipped_on, share.status = quantity, on, "shipped"
    session.flush()
    _announce(
        session, actor, "countermeasure.shipped", "pledge_allocation", share.id,
        {"to": share.party_code, "quantity": quantity},
    )  # fmt: skip
    return share


def confirm_receipt(
    session: Session, actor: Actor, share: PledgeAllocation, quantity: int, on: date
) -> PledgeAllocation:
    """The receiving party confirms what arrived; the difference shows in the
    reconciliation."""
    if actor.party_code != share.party_code or actor.is_partner:
        raise Forbidden("the receiving party confirms receipt")
    if share.status != "shipped":
        raise Invalid("nothing was shipped yet", field="status")
    if quantity < 0:
        raise Invalid("quantity cannot be negative", field="quantity")
    if share.shipped_on and on < share.shipped_on:
        raise Invalid("received before it was shipped", field="received_on")
    share.received_quantity, share.received_on, share.status = quantity, on, "received"
    request = session.get(CountermeasureRequest, share.request_id)
    if request is not None and quantity >= request.quantity:
        request.status = "fulfilled"
    session.flush()
    _announce(
        session, actor, "countermeasure.received", "pledge_allocation", share.id,
        {"party": share.party_code, "quantity": quantity},
    )  # fmt: skip
    return share
