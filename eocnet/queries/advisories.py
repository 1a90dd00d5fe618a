"""Public-health advisories as queries built for an ``Actor``: the audience of
``actions/advisories.audience`` in SQL (until published: the owning party and the
coordinator; published or cancelled: everyone in the network and its partners).
Translations come with the list, and the CAP messages issued for the advisories of a
list are read for all of them at once."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session, selectinload

from eocnet.db.audience import is_coordinator_party
from eocnet.db.models import Advisory, AdvisoryMessage
from eocnet.domain.actors import Actor

#: Advisories in these states are public (seen by everyone signed in, and the public).
ISSUED = ("published", "cancelled")


def advisory_visible(actor: Actor) -> Any:
    """SQL: the advisories ``actor`` may see (``actions.advisories.can_see``)."""
    return or_(
        Advisory.status.in_(ISSUED),
        Advisory.owner_party == actor.party_code,
        is_coordinator_party(actor.party_code),
    )


def advisories(actor: Actor, status: str | None = None) -> Select[Advisory]:
    """The advisories ``actor`` may see, most recently changed first, with their
    translations (two statements in all)."""
    query = (
        select(Advisory)
        .where(advisory_visible(actor))
        .options(selectinload(Advisory.translations))
        .order_by(Advisory.updated_at.desc(), Advisory.id.desc())
    )
    if status:
        query = query.where(Advisory.status == status)
    return query


def messages_of(
    session: Session, advisory_ids: Collection[int]
) -> dict[int, list[AdvisoryMessage]]:
    """The CAP messages issued for each of these advisories, oldest first."""
    out: dict[int, list[AdvisoryMessage]] = {i: [] for i in advisory_ids}
    if advisory_ids:
        query = (
            select(AdvisoryMessage)
            .where(AdvisoryMessage.advisory_id.in_(list(advisory_ids)))
            .order_by(AdvisoryMessage.id)
        )
        for row in session.scalars(query):
            out[row.advisory_id].append(row)
    return out


def last_messages(session: Session, advisory_ids: Collection[int]) -> dict[int, AdvisoryMessage]:
    """The latest message of each of these advisories (those with one), in one query."""
    if not advisory_ids:
        return {}
    latest = (
        select(func.max(AdvisoryMessage.id))
        .where(AdvisoryMessage.advisory_id.in_(list(advisory_ids)))
        .group_by(AdvisoryMessage.advisory_id)
    )
    found = session.scalars(select(AdvisoryMessage).where(AdvisoryMessage.id.in_(latest)))
    return {m.advisory_id: m for m in found}
