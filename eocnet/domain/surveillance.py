"""Reporting periods, due times and the fields of an aggregate report.

Pure rules, no database: what a period is under each schedule (ISO weeks by
default, CDC/MMWR weeks on request, days in an emergency), when a report for
it is due in the reporting party's time zone, and which values a report row
may hold.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from eocnet.domain.quoting import quoted


class Schedule(StrEnum):
    ISO_WEEK = "iso_week"
    MMWR_WEEK = "mmwr_week"
    DAILY = "daily"


class Sharing(StrEnum):
    """Who sees other parties' weekly totals of a disease."""

    PARTY = "party"  # only the reporting party and the coordinator
    NETWORK = "network"  # member states and the coordinator
    PARTNERS = "partners"  # and the dialogue partners


FIGURES = (
    "cases_suspected",
    "cases_probable",
    "cases_confirmed",
    "deaths_suspected",
    "deaths_probable",
    "deaths_confirmed",
)
SEXES = ("", "M", "F", "U")
AREA = re.compile(r"^[A-Z]{2}-[A-Z0-9]{1,3}$")
AGE_GROUP = re.compile(r"^(\d{1,3}(-\d{1,3})?|\d{1,3}\+|unknown)$")
WEEK = re.compile(r"^(\d{4})-?W(\d{2})$")


def mmwr_week_one(year: int) -> date:
    """MMWR week 1 starts on the Sunday on or before 4 January (the first
    Sunday-to-Saturday week with at least four days in the year)."""
    jan4 = date(year, 1, 4)
    return jan4 - timedelta(days=jan4.isoweekday() % 7)


def period_length(schedule: Schedule) -> timedelta:
    return timedelta(days=1 if schedule == Schedule.DAILY else 7)


def period_start(schedule: Schedule, day: date) -> date:
    """The first day of the period that contains ``day``."""
    if schedule == Schedule.ISO_WEEK:
        return day - timedelta(days=day.weekday())
    if schedule == Schedule.MMWR_WEEK:
        return day - timedelta(days=day.isoweekday() % 7)
    return day


def parse_period(schedule: Schedule, text: str) -> date:
    """A period given as its first day (YYYY-MM-DD) or, for weekly schedules,
    as a week (2026-W47: ISO week, or MMWR week for the MMWR schedule)."""
    text = text.strip()
    match = WEEK.match(text)
    if match:
        if schedule == Schedule.DAILY:
            raise ValueError("this disease is reported daily: give the date")
        year, week = int(match.group(1)), int(match.group(2))
        if schedule == Schedule.ISO_WEEK:
            try:
                return date.fromisocalendar(year, week, 1)
            except ValueError:
                raise ValueError(f"{text} is not an ISO week") from None
        start = mmwr_week_one(year) + timedelta(weeks=week - 1)
        if week < 1 or start >= mmwr_week_one(year + 1):
            raise ValueError(f"{text} is not an MMWR week")
        return start
    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise ValueError(
            f"{quoted(text)} is not a date (YYYY-MM-DD) or a week (YYYY-Www)"
        ) from None
    start = period_start(schedule, day)
    if start != day:
        raise ValueError(f"{day} is not the first day of a period; the period starts {start}")
    return day


def period_label(schedule: Schedule, start: date) -> str:
    if schedule == Schedule.ISO_WEEK:
        year, week, _ = start.isocalendar()
        return f"{year}-W{week:02d}"
    if schedule == Schedule.MMWR_WEEK:
        year = start.year + 1 if start >= mmwr_week_one(start.year + 1) else start.year
        if start < mmwr_week_one(year):
            year -= 1
        week = (start - mmwr_week_one(year)).days // 7 + 1
        return f"{year}-W{week:02d} (MMWR)"
    return start.isoformat()


def due_at(schedule: Schedule, start: date, due_days: int, due_hour: int, zone: str) -> datetime:
    """When the report for the period is due: ``due_days`` after the period
    ends, at ``due_hour`` o'clock in the reporting party's time zone (UTC)."""
    end = start + period_length(schedule)
    local = datetime.combine(end + timedelta(days=due_days), time(due_hour), ZoneInfo(zone))
    return local.astimezone(UTC)


def periods_between(schedule: Schedule, first: date, last: date) -> list[date]:
    """Every period start from the period of ``first`` to that of ``last``."""
    step = period_length(schedule)
    out, current = [], period_start(schedule, first)
    end = period_start(schedule, last)
    while current <= end:
        out.append(current)
        current += step
    return out
