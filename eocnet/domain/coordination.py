"""The vocabulary of coordination: laboratory support, countermeasures, meetings
and action items, cooperation agreements, and the rules on their dates."""

from __future__ import annotations

from datetime import date, timedelta

SUPPORT_KINDS = ("testing", "confirmation", "sequencing", "reagents", "training")
#: open -> offered (someone offered) -> accepted -> shipped -> done; or cancelled
SUPPORT_STATUSES = ("open", "offered", "accepted", "shipped", "done", "cancelled")
#: UN3373: Biological Substance, Category B; UN2814: Infectious substance affecting
#: humans, Category A (WHO Guidance on regulations for the transport of infectious
#: substances).
PACKAGING = ("UN3373", "UN2814")
BIOSAFETY_LEVELS = (1, 2, 3, 4)

STOCK_CATEGORIES = ("vaccine", "antiviral", "antibiotic", "antitoxin", "ppe", "test_kit", "other")
PLEDGE_KINDS = ("donation", "loan", "dose_sharing", "global_facility")
NEAR_EXPIRY_DAYS = 90

ACTION_STATUSES = ("open", "in_progress", "done", "cancelled")
MECHANISM_STATUSES = ("active", "paused", "closed")
PLAN_TERMS = ("short", "medium", "long")
ACTIVITY_STATUSES = ("planned", "in_progress", "done", "delayed", "cancelled")
COOPERATION_AREAS = (
    "workforce_exchange",
    "scholarships_and_internships",
    "training",
    "joint_research",
    "disease_reporting_system",
    "communication_network",
    "emergency_coordination",
    "health_product_trade",
    "health_education_of_citizens_abroad",
    "monitoring_and_evaluation",
)
INDICATOR_PERIODS = ("month", "quarter", "year")


def near_expiry(expiry: date | None, today: date, days: int = NEAR_EXPIRY_DAYS) -> bool:
    return expiry is not None and expiry <= today + timedelta(days=days)


def overdue(due_on: date, status: str, today: date) -> bool:
    return status in ("open", "in_progress") and due_on < today


def period_of(day: date, period: str) -> str:
    """The reporting period a day falls in: 2026-11, 2026-Q4 or 2026."""
    if period == "month":
        return f"{day.year}-{day.month:02d}"
    if period == "quarter":
        return f"{day.year}-Q{(day.month - 1) // 3 + 1}"
    return str(day.year)


def period_problem(text: str, period: str) -> str | None:
    import re

    patterns = {
        "month": r"^\d{4}-(0[1-9]|1[0-2])$",
        "quarter": r"^\d{4}-Q[1-4]$",
        "year": r"^\d{4}$",
    }
    if not re.match(patterns[period], text):
        example = {"month": "2026-11", "quarter": "2026-Q4", "year": "2026"}[period]
        return f"{text!r} is not a {period} such as {example}"
    return None
