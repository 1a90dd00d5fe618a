"""The CSV files of ``eocnet analyze``: weekly series in, detection results
out; daily incidence and serial intervals for the reproduction number.

Reading is strict and every complaint is one line naming the place at
fault, because these files feed numbers people act on.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

import numpy as np

from eocnet.analytics.detection import Detection
from eocnet.analytics.rt import RtEstimate
from eocnet.interop.tables import write_csv


class SeriesFileError(ValueError):
    """A file that cannot be analysed; the message says where and why."""


def _rows(text: str, required: Sequence[str], what: str) -> Iterable[tuple[int, dict[str, str]]]:
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff"), newline=""))
    header = [h.strip().lower() for h in reader.fieldnames or []]
    if not header:
        raise SeriesFileError(f"{what} is empty; expected columns {','.join(required)}")
    missing = [c for c in required if c not in header]
    if missing:
        raise SeriesFileError(
            f"{what} has no column {', '.join(missing)} (expected {','.join(required)})"
        )
    reader.fieldnames = header
    try:
        for number, row in enumerate(reader, start=2):
            if not any((v or "").strip() for k, v in row.items() if k is not None):
                continue
            yield number, {c: (row.get(c) or "").strip() for c in required}
    except csv.Error as exc:
        raise SeriesFileError(f"{what} cannot be read as CSV: {exc}") from None


def _date(value: str, line: int, column: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise SeriesFileError(
            f"line {line}: {column} {value!r} is not a date (YYYY-MM-DD)"
        ) from None


def _count(value: str, line: int) -> int:
    try:
        number = float(value)
    except ValueError:
        number = math.nan
    if not math.isfinite(number) or not number.is_integer():
        raise SeriesFileError(f"line {line}: count {value!r} is not a whole number")
    if number < 0:
        raise SeriesFileError(f"line {line}: count {value} is negative")
    return int(number)


@dataclass
class WeeklySeries:
    """One series on a regular weekly grid (NaN where no count was given)."""

    name: str
    dates: list[date]
    counts: np.ndarray
    position: dict[date, int] = field(default_factory=dict)


@dataclass
class WeeklyInput:
    rows: list[tuple[str, date, int]]  # in the order of the file
    series: dict[str, WeeklySeries]


def read_weekly_series(text: str) -> WeeklyInput:
    """Columns ``series,period,count``; rows in any order, gaps allowed."""
    rows: list[tuple[str, date, int]] = []
    seen: dict[tuple[str, date], int] = {}
    for line, row in _rows(text, ("series", "period", "count"), "the input"):
        name = row["series"]
        if not name:
            raise SeriesFileError(f"line {line}: the series is empty")
        period = _date(row["period"], line, "period")
        count = _count(row["count"], line)
        if (name, period) in seen:
            raise SeriesFileError(
                f"line {line}: series {name!r} has period {period} twice "
                f"(first on line {seen[name, period]})"
            )
        seen[name, period] = line
        rows.append((name, period, count))
    if not rows:
        raise SeriesFileError("the input has no rows")
    by_name: dict[str, list[tuple[date, int]]] = {}
    for name, period, count in rows:
        by_name.setdefault(name, []).append((period, count))
    series: dict[str, WeeklySeries] = {}
    for name, points in by_name.items():
        points.sort()
        first, last = points[0][0], points[-1][0]
        for period, _ in points:
            if (period - first).days % 7:
                raise SeriesFileError(
                    f"series {name!r} is not weekly: {period} is not a whole number of "
                    f"weeks after {first}"
                )
        weeks = (last - first).days // 7 + 1
        dates = [first + timedelta(weeks=i) for i in range(weeks)]
        counts = np.full(weeks, np.nan)
        for period, count in points:
            counts[(period - first).days // 7] = count
        series[name] = WeeklySeries(name, dates, counts, {d: i for i, d in enumerate(dates)})
    return WeeklyInput(rows, series)


def _number(value: float, digits: int = 12) -> str:
    if math.isnan(value):
        return ""
    text = f"{value:.{digits}g}"
    return text


def write_detections(data: WeeklyInput, results: dict[str, Detection]) -> str:
    """``series,period,count,expected,threshold,alarm,note``, one row per input
    row; ``note`` says why a period has no result, or which fallback it used."""
    rows = []
    for name, period, count in data.rows:
        result = results[name]
        i = data.series[name].position[period]
        alarm = result.alarm[i]
        rows.append(
            [
                name,
                period.isoformat(),
                count,
                _number(result.expected[i]),
                _number(result.threshold[i]),
                "" if math.isnan(alarm) else int(alarm),
                result.note_at(i),
            ]
        )
    columns = ["series", "period", "count", "expected", "threshold", "alarm", "note"]
    return write_csv(columns, rows, lineterminator="\n")


@dataclass
class DailyIncidence:
    """Daily cases from ``first``: ``counts`` the local cases (all cases
    when the file has no imported ones), ``imported`` the imported cases or
    None; NaN on days not reported."""

    first: date
    counts: np.ndarray
    imported: np.ndarray | None = None


def _header(text: str) -> list[str]:
    first = text.lstrip("\ufeff").splitlines()[:1]
    return [h.strip().lower() for h in next(csv.reader(first), [])] if first else []


def _daily_count(value: str, line: int, column: str) -> float:
    """A whole number of cases, or NaN for an empty cell (not reported)."""
    if value == "":
        return math.nan
    try:
        return float(_count(value, line))
    except SeriesFileError as exc:
        raise SeriesFileError(str(exc).replace("count", column, 1)) from None


def read_daily_incidence(text: str) -> DailyIncidence:
    """Columns ``date,count``, or ``date,local,imported`` for local and
    imported cases (EpiEstim's ``incid`` with ``local`` and ``imported``);
    any order. A day that is absent, or whose count is empty, is missing (not
    zero): the reproduction number's windows that depend on it stay empty."""
    split = "local" in _header(text)
    columns = ("date", "local", "imported") if split else ("date", "count")
    points: dict[date, tuple[float, float]] = {}
    lines: dict[date, int] = {}
    for line, row in _rows(text, columns, "the input"):
        day = _date(row["date"], line, "date")
        if day in points:
            raise SeriesFileError(
                f"line {line}: date {day} appears twice (first on line {lines[day]})"
            )
        if split:
            points[day] = (
                _daily_count(row["local"], line, "local"),
                _daily_count(row["imported"], line, "imported"),
            )
        else:
            points[day] = (_daily_count(row["count"], line, "count"), 0.0)
        lines[day] = line
    if not points:
        raise SeriesFileError("the input has no rows")
    first, last = min(points), max(points)
    counts = np.full((last - first).days + 1, np.nan)
    imported = np.full(counts.size, np.nan)
    for day, (local, foreign) in points.items():
        counts[(day - first).days] = local
        imported[(day - first).days] = foreign
    return DailyIncidence(first, counts, imported if split else None)


def read_si_distribution(text: str) -> np.ndarray:
    """Columns ``day,p``: the serial interval's probability on each day from 0."""
    values: dict[int, float] = {}
    for line, row in _rows(text, ("day", "p"), "the serial interval file"):
        try:
            day = int(row["day"])
        except ValueError:
            raise SeriesFileError(
                f"serial interval line {line}: day {row['day']!r} is not a whole number"
            ) from None
        try:
            p = float(row["p"])
        except ValueError:
            p = math.nan
        if not math.isfinite(p) or p < 0:
            raise SeriesFileError(
                f"serial interval line {line}: p {row['p']!r} is not a probability"
            )
        if day in values:
            raise SeriesFileError(f"serial interval line {line}: day {day} appears twice")
        values[day] = p
    if not values:
        raise SeriesFileError("the serial interval file has no rows")
    if sorted(values) != list(range(len(values))):
        raise SeriesFileError("the serial interval days must run 0, 1, 2, ... without gaps")
    return np.array([values[d] for d in range(len(values))])


def write_rt(first: date, estimate: RtEstimate) -> str:
    """``window_start,window_end,mean,std,q025,median,q975,cv,note``: EpiEstim's
    columns, then the posterior coefficient of variation and why a window is
    empty or marked."""
    columns = ["window_start", "window_end", "mean", "std", "q025", "median", "q975", "cv", "note"]
    return write_csv(
        columns,
        (
            [
                (first + timedelta(days=int(estimate.start[i]))).isoformat(),
                (first + timedelta(days=int(estimate.end[i]))).isoformat(),
                *(
                    _number(float(getattr(estimate, f)[i]))
                    for f in ("mean", "std", "q025", "median", "q975", "cv")
                ),
                estimate.note[i] if estimate.note else "",
            ]
            for i in range(estimate.start.size)
        ),
        lineterminator="\n",
    )
