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
    """Why an event is posted as an alert, after the EWRS alert notification criteria of
    Regulation (EU) 2022/2371 Art. 19(1) (adapted): see :func:`alert_rule_problem`."""

    UNUSUAL = "unusual_or_unexpected"
    SERIOUS = "serious"
    SPREAD = "may_spread_to_other_countries"
    COORDINATION = "may_need_coordinated_response"


#: Reasons that make an event more than national: it may spread, or may need a
#: coordinated response.
CROSS_BORDER_REASONS = frozenset({AlertCriterion.SPREAD, AlertCriterion.COORDINATION})
#: Reasons that make it more than routine: serious, or unusual or unexpected.
GRAVITY_REASONS = frozenset({AlertCriterion.SERIOUS, AlertCriterion.UNUSUAL})

ALERT_RULE = (
    "an alert needs at least one cross-border reason (may spread to other countries, "
    "or may need a coordinated response) together with seriousness or unusualness "
    "(serious, or unusual or unexpected); otherwise post it as information"
)


def alert_rule_problem(reasons: set[AlertCriterion] | frozenset[AlertCriterion]) -> str | None:
    """Why these reasons do not make an alert, or None when they do.

    Regulation (EU) 2022/2371 Art. 19(1) asks for an alert notification when a threat is
    unusual or unexpected (or serious), may cross borders and may need a coordinated
    response. eocnet requires one reason of each kind: a cross-border reason (spread or
    coordination) and a gravity reason (serious or unusual); an event that is only one
    of these is shared as information.
    """
    missing = []
    if not reasons & CROSS_BORDER_REASONS:
        missing.append("a cross-border reason")
    if not reasons & GRAVITY_REASONS:
        missing.append("seriousness or unusualness")
    if not missing:
        return None
    return f"{ALERT_RULE} (missing: {' and '.join(missing)})"


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
