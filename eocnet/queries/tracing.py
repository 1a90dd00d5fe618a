"""Contact-tracing notices as queries built for an ``Actor``: the notices its party
sent or received, or all of them for the regional coordinator (who learns that each
exists, never its persons), the rule of ``actions/tracing.access_notice`` in SQL.
Lists never carry personal data; the persons' follow-up rows come with the list
(one statement for all)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, or_, select, true
from sqlalchemy.orm import selectinload

from eocnet.db.models import TracingNotice
from eocnet.domain.actors import Actor


def notice_visible(actor: Actor) -> Any:
    """SQL: the notices whose summary ``actor`` may see."""
    if actor.is_coordinator:
        return true()
    code = actor.party_code
    return or_(TracingNotice.sender_party == code, TracingNotice.parties_key.contains(f",{code},"))


def notices(actor: Actor, limit: int = 200) -> Select[TracingNotice]:
    """The newest notices ``actor`` may see, with their persons' follow-up rows."""
    return (
        select(TracingNotice)
        .where(notice_visible(actor))
        .options(selectinload(TracingNotice.persons))
        .order_by(TracingNotice.id.desc())
        .limit(limit)
    )
