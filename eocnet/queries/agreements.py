"""Cooperation agreements as queries built for an ``Actor``, the audience rule of
``actions/agreements.audience`` written in SQL: the signatory parties and the
coordinator, and every member state when the agreement is shared with the network.
Plans, indicators and reported values are read for all the agreements of a list at
once (one statement each), not agreement by agreement."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from sqlalchemy import Select, and_, or_, select
from sqlalchemy.orm import Session

from eocnet.db.audience import is_coordinator_party, list_has, network_kind
from eocnet.db.models import Agreement, Indicator, IndicatorReport, PlanActivity
from eocnet.domain import coordination as rules
from eocnet.domain.actors import Actor


def agreement_visible(actor: Actor) -> Any:
    """SQL: the agreements ``actor`` may see (``actions.agreements.can_see``)."""
    return or_(
        list_has(Agreement.parties, actor.party_code),
        is_coordinator_party(actor.party_code),
        and_(Agreement.shared_with_network.is_(True), network_kind(actor)),
    )


def agreements(actor: Actor) -> Select[Agreement]:
    return (
        select(Agreement)
        .where(agreement_visible(actor))
        .order_by(Agreement.signed_on.desc(), Agreement.id)
    )


def activities_of(
    session: Session, agreement_ids: Collection[int]
) -> dict[int, list[PlanActivity]]:
    """Each agreement's plan: short, medium, then long term, by start."""
    out: dict[int, list[PlanActivity]] = {i: [] for i in agreement_ids}
    if agreement_ids:
        query = select(PlanActivity).where(PlanActivity.agreement_id.in_(list(agreement_ids)))
        for row in session.scalars(query):
            out[row.agreement_id].append(row)
    order = {t: i for i, t in enumerate(rules.PLAN_TERMS)}
    for rows in out.values():
        rows.sort(key=lambda a: (order[a.term], a.starts_on, a.id))
    return out


def indicators_of(session: Session, agreement_ids: Collection[int]) -> dict[int, list[Indicator]]:
    out: dict[int, list[Indicator]] = {i: [] for i in agreement_ids}
    if agreement_ids:
        query = (
            select(Indicator)
            .where(Indicator.agreement_id.in_(list(agreement_ids)))
            .order_by(Indicator.id)
        )
        for row in session.scalars(query):
            out[row.agreement_id].append(row)
    return out


def reports_of(
    session: Session, indicator_ids: Collection[int]
) -> dict[int, list[IndicatorReport]]:
    """The values reported for each indicator, by period and party."""
    out: dict[int, list[IndicatorReport]] = {i: [] for i in indicator_ids}
    if indicator_ids:
        query = (
            select(IndicatorReport)
            .where(IndicatorReport.indicator_id.in_(list(indicator_ids)))
            .order_by(IndicatorReport.period, IndicatorReport.party_code)
        )
        for row in session.scalars(query):
            out[row.indicator_id].append(row)
    return out


def progress(indicator: Indicator, rows: list[IndicatorReport]) -> float | None:
    """How far the latest value is from the baseline towards the target, in %."""
    if not rows:
        return None
    latest = max(r.period for r in rows)
    value = sum(r.value for r in rows if r.period == latest)
    return round(100 * (value - indicator.baseline) / (indicator.target - indicator.baseline), 1)
