"""Rapid risk assessments as queries built for an ``Actor``: the audience of
``actions/risk_assessments.audience`` (never wider than the event's) written in SQL.

- A draft: the drafting party, and the coordinator when it may see the event.
- Signed off, on a restricted event: whoever may see the event.
- Signed off, on an event seen by the network, or shared with the network only: the
  drafting party and the member states and coordinator (who may see the event).
- Otherwise (signed off, shared with partners, on a partners' event): whoever may
  see the event.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, and_, or_, select

from eocnet.db.audience import is_coordinator_party, network_kind, visible_to
from eocnet.db.models import Event, RiskAssessment
from eocnet.domain.actors import Actor
from eocnet.domain.visibility import Visibility


def assessment_visible(actor: Actor) -> Any:
    """SQL, over ``RiskAssessment`` joined to its ``Event``: the assessments
    ``actor`` may see (``actions.risk_assessments.can_see``)."""
    me = actor.party_code
    own = RiskAssessment.owner_party == me
    return and_(
        visible_to(Event, actor),
        or_(
            and_(RiskAssessment.status != "signed_off", or_(own, is_coordinator_party(me))),
            and_(
                RiskAssessment.status == "signed_off",
                or_(
                    Event.visibility == Visibility.RESTRICTED.value,
                    own,
                    network_kind(actor),
                    and_(
                        Event.visibility != Visibility.NETWORK.value,
                        RiskAssessment.sharing != "network",
                    ),
                ),
            ),
        ),
    )


def risk_assessments(actor: Actor, event_id: int | None = None) -> Select[RiskAssessment]:
    """The assessments ``actor`` may see, newest first; of one event when given (the
    caller checks first that the actor may see that event: 404 otherwise)."""
    query = (
        select(RiskAssessment)
        .join(Event, Event.id == RiskAssessment.event_id)
        .where(assessment_visible(actor))
        .order_by(RiskAssessment.id.desc())
    )
    if event_id is not None:
        query = query.where(RiskAssessment.event_id == event_id)
    return query
