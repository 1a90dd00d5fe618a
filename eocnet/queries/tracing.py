"""Contact-tracing notices as queries built for an ``Actor``: the notices its party
sent or received, or all of them for the regional coordinator (who learns that each
exists, never its persons), the rule of ``actions/tracing.access_notice`` in SQL.
Lists never carry personal data; the persons' follow-up rows come with the list
(one statement for all)."""

from __future__ import annotations

from sqlalchemy import Select, select
from sqlalchemy.orm import selectinload

from eocnet.db.audience import tracing_notice_visible
from eocnet.db.models import TracingNotice
from eocnet.domain.actors import Actor

#: SQL: the notices whose summary ``actor`` may see.
notice_visible = tracing_notice_visible


def notices(actor: Actor, limit: int = 200, event_id: int | None = None) -> Select[TracingNotice]:
    """The newest notices ``actor`` may see, with their persons' follow-up rows; of one
    event if given."""
    query = (
        select(TracingNotice)
        .where(notice_visible(actor))
        .options(selectinload(TracingNotice.persons))
        .order_by(TracingNotice.id.desc())
        .limit(limit)
    )
    if event_id is not None:
        query = query.where(TracingNotice.event_id == event_id)
    return query
