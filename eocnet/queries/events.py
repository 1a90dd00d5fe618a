"""Events as queries built for an ``Actor``: the events its party may see
(``db/audience.visible_to``, the SQL form of ``domain/visibility.can_see``), newest
first and paged by id, with their acknowledgements and who made them (two more
statements for the whole page)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Select, select
from sqlalchemy.orm import selectinload

from eocnet.db.audience import visible_to
from eocnet.db.models import Acknowledgement, Event
from eocnet.domain.actors import Actor


def events(
    actor: Actor,
    *,
    status: str | None = None,
    country: str | None = None,
    hazard: str | None = None,
    alert: bool | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    before_id: int | None = None,
    limit: int = 50,
) -> Select[Event]:
    query = (
        select(Event)
        .options(selectinload(Event.acknowledgements).selectinload(Acknowledgement.user))
        .where(visible_to(Event, actor))
        .order_by(Event.id.desc())
        .limit(limit)
    )
    if status:
        query = query.where(Event.status == status)
    if country:
        query = query.where(Event.country == country)
    if hazard:
        query = query.where(Event.hazard.ilike(f"%{hazard}%"))
    if alert is not None:
        query = query.where(Event.is_alert.is_(alert))
    if since:
        query = query.where(Event.created_at >= since)
    if until:
        query = query.where(Event.created_at < until)
    if before_id:
        query = query.where(Event.id < before_id)
    return query
