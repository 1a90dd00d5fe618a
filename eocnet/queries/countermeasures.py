"""Medical countermeasures as queries: requests and pledges (seen by everyone signed
in), and the allocations of a list of pledges read for all of them at once. Stock
levels stay behind ``actions/countermeasures.stock``, which refuses partners (403)."""

from __future__ import annotations

from collections.abc import Collection, Sequence

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from eocnet.db.models import CountermeasureRequest, Pledge, PledgeAllocation


def needs(status: str = "") -> Select[CountermeasureRequest]:
    """The requests for countermeasures, newest first, optionally in one status."""
    query = select(CountermeasureRequest).order_by(CountermeasureRequest.id.desc())
    if status:
        query = query.where(CountermeasureRequest.status == status)
    return query


def pledges() -> Select[Pledge]:
    return select(Pledge).order_by(Pledge.id.desc())


def allocations_of(
    session: Session, pledge_ids: Collection[int]
) -> dict[int, list[PledgeAllocation]]:
    """The shares of each of these pledges, in the order allocated, in one statement."""
    out: dict[int, list[PledgeAllocation]] = {i: [] for i in pledge_ids}
    if pledge_ids:
        query = (
            select(PledgeAllocation)
            .where(PledgeAllocation.pledge_id.in_(list(pledge_ids)))
            .order_by(PledgeAllocation.id)
        )
        for row in session.scalars(query):
            out[row.pledge_id].append(row)
    return out


def reconciliation(made: Pledge, shares: Sequence[PledgeAllocation]) -> dict[str, int]:
    """Pledged, allocated, shipped and received, from the pledge's shares."""
    return {
        "pledged": made.quantity,
        "allocated": sum(s.quantity for s in shares),
        "shipped": sum(s.shipped_quantity or 0 for s in shares),
        "received": sum(s.received_quantity or 0 for s in shares),
    }
