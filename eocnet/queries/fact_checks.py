"""Fact checks as queries built for an ``Actor``, the rule of
``actions/fact_checks.can_see`` written in SQL: published fact checks are seen by
everyone signed in, drafts by those who keep the rumour log
(``domain/fact_checks.keeps_rumour_log``). Translations come with the list (one
statement for all), and the rumours each check answers are read for all at once."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from sqlalchemy import Select, false, or_, select, true
from sqlalchemy.orm import Session, selectinload

from eocnet.db.models import FactCheck, Rumour
from eocnet.domain.actors import Actor
from eocnet.domain.fact_checks import keeps_rumour_log


def fact_check_visible(actor: Actor) -> Any:
    """SQL: the fact checks ``actor`` may see."""
    return or_(FactCheck.status == "published", true() if keeps_rumour_log(actor) else false())


def fact_checks(actor: Actor) -> Select[FactCheck]:
    return (
        select(FactCheck)
        .where(fact_check_visible(actor))
        .options(selectinload(FactCheck.translations))
        .order_by(FactCheck.updated_at.desc(), FactCheck.id.desc())
    )


def rumour_ids_of(session: Session, check_ids: Collection[int]) -> dict[int, list[int]]:
    """The rumours each fact check answers, in one statement (only for those who
    keep the rumour log: the caller decides)."""
    out: dict[int, list[int]] = {i: [] for i in check_ids}
    if check_ids:
        query = (
            select(Rumour.fact_check_id, Rumour.id)
            .where(Rumour.fact_check_id.in_(list(check_ids)))
            .order_by(Rumour.id)
        )
        for check_id, rumour_id in session.execute(query):
            if check_id is not None:  # always, by the WHERE above
                out[check_id].append(rumour_id)
    return out


def rumours_of(session: Session, check_id: int) -> list[Rumour]:
    """The rumours one fact check answers."""
    query = select(Rumour).where(Rumour.fact_check_id == check_id).order_by(Rumour.id)
    return list(session.scalars(query))
