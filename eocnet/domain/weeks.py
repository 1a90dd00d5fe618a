"""ISO weeks such as 2026-W47: the periods of the network's regular reports."""

from __future__ import annotations

import re
from datetime import date, timedelta

_WEEK = re.compile(r"^(\d{4})-W(\d{2})$")


def parse_week(text: str) -> tuple[date, date]:
    """Monday and Sunday of an ISO week such as 2026-W47."""
    match = _WEEK.match(text.strip())
    if not match:
        raise ValueError(f"{text!r} is not an ISO week such as 2026-W47")
    try:
        monday = date.fromisocalendar(int(match.group(1)), int(match.group(2)), 1)
    except ValueError:
        raise ValueError(f"{text!r} is not a week of that year") from None
    return monday, monday + timedelta(days=6)


def week_of(day: date) -> str:
    """The ISO week of a day, as 2026-W47."""
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"
