"""Health events and alerts: the vocabulary, the status workflow, the alert criteria."""

from __future__ import annotations

from enum import StrEnum


class EventStatus(StrEnum):
    SIGNAL = "signal"
    VERIFIED = "verified"
    ONGOING = "ongoing"
    CLOSED = "closed"
    DISCARDED = "discarded"


class Severity(StrEnum):
    LOW = "low"
    MODERATE = "moderate"
    HIGH = "high"
    VERY_HIGH = "very_high"


class AlertCriterion(StrEnum):
    """Why an event is posted as an alert (the EU EWRS notification criteria, Decision
    1082/2013/EU Art. 9(1), adapted): at least one must be given."""

    UNUSUAL = "unusual_or_unexpected"
    SERIOUS = "serious"
    SPREAD = "may_spread_to_other_countries"
    COORDINATION = "may_need_coordinated_response"


#: Allowed moves of the status workflow: signal → verified → ongoing → closed, or
#: discarded from any open state; a closed event may be reopened as ongoing.
TRANSITIONS: dict[EventStatus, frozenset[EventStatus]] = {
    EventStatus.SIGNAL: frozenset({EventStatus.VERIFIED, EventStatus.DISCARDED}),
    EventStatus.VERIFIED: frozenset(
        {EventStatus.ONGOING, EventStatus.CLOSED, EventStatus.DISCARDED}
    ),
    EventStatus.ONGOING: frozenset({EventStatus.CLOSED, EventStatus.DISCARDED}),
    EventStatus.CLOSED: frozenset({EventStatus.ONGOING}),
    EventStatus.DISCARDED: frozenset(),
}


def can_move(current: str, target: str) -> bool:
    if current == target:
        return True
    return EventStatus(target) in TRANSITIONS[EventStatus(current)]


FIGURES = (
    "cases_suspected",
    "cases_probable",
    "cases_confirmed",
    "deaths_suspected",
    "deaths_probable",
    "deaths_confirmed",
)
