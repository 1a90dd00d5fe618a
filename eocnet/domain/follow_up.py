"""Follow-up of contacts by disease: the period from the last exposure and the symptoms
to ask about, from the table shipped as data (eocnet/data/follow_up.yaml, with its WHO
and ECDC sources), and the day a person's follow-up ends.

- ``follow_up_until`` = last exposure + the disease's period (the last day of
  monitoring, as in SORMAS and Go.Data).
- The disease is the person's own, else the notice's, else the event's hazard when the
  table recognises it; a disease the table does not know is followed for
  :data:`DEFAULT_DAYS` (the longest period of the table), so that no contact is
  released early.
- The last exposure is the person's ``last_exposure``, else their ``exposure_date``,
  else their ``travel_date`` (a co-traveller is exposed on the journey), else the day
  the notice is sent.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache
from pathlib import Path
from typing import Any

import yaml

TABLE = Path(__file__).resolve().parent.parent / "data" / "follow_up.yaml"


@dataclass(frozen=True)
class DiseaseRule:
    code: str
    names: tuple[str, ...]
    follow_up_days: int
    symptoms: tuple[str, ...]
    source: str
    range: tuple[int, int] | None = None

    @property
    def name(self) -> str:
        return self.names[0]


def _norm(text: str) -> str:
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "", plain.lower())


def _words(text: str) -> str:
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return " " + re.sub(r"[^a-z0-9]+", " ", plain.lower()).strip() + " "


def _rule(raw: dict[str, Any]) -> DiseaseRule:
    days = int(raw["follow_up_days"])
    span = raw.get("range")
    rule = DiseaseRule(
        code=str(raw["code"]),
        names=tuple(str(n) for n in raw["names"]),
        follow_up_days=days,
        symptoms=tuple(str(s) for s in raw["symptoms"]),
        source=" ".join(str(raw["source"]).split()),
        range=(int(span[0]), int(span[1])) if span else None,
    )
    if not re.fullmatch(r"[a-z0-9_]{2,40}", rule.code):
        raise ValueError(f"follow-up table: bad code {rule.code!r}")
    if not 1 <= days <= 60 or not rule.names or not rule.symptoms or not rule.source:
        raise ValueError(f"follow-up table: incomplete entry {rule.code!r}")
    if rule.range and not rule.range[0] <= days <= rule.range[1]:
        raise ValueError(f"follow-up table: {rule.code!r} period outside its range")
    return rule


@cache
def rules(path: Path = TABLE) -> tuple[DiseaseRule, ...]:
    """The table, checked: unique codes and names, a period, symptoms and a source each."""
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    table = tuple(_rule(entry) for entry in raw["diseases"])
    seen: set[str] = set()
    for rule in table:
        for key in {rule.code, *(_norm(n) for n in rule.names)}:
            if key in seen:
                raise ValueError(f"follow-up table: {key!r} names two diseases")
            seen.add(key)
    return table


#: The period for a disease the table does not know: the table's longest (tested).
DEFAULT_DAYS = 21


def find(text: str | None) -> DiseaseRule | None:
    """The rule for a disease code or name ("measles", "MERS-CoV", "Ebola virus
    disease"), or for an event hazard that names one ("Measles on flight QZ7521")."""
    if not text or not text.strip():
        return None
    key = _norm(text)
    for rule in rules():
        if key == rule.code or key in (_norm(n) for n in rule.names):
            return rule
    words = _words(text)
    for rule in rules():  # the first rule named in the text, longest names first
        for name in sorted(rule.names, key=len, reverse=True):
            if _words(name) in words:
                return rule
    return None


@dataclass(frozen=True)
class FollowUp:
    disease: str  # the table's code, or the text given when the table does not know it
    days: int
    last_exposure: date
    until: date


def follow_up(
    *,
    disease: str | None,
    notice_disease: str | None = None,
    hazard: str | None = None,
    last_exposure: date | None,
    exposure_date: date | None = None,
    travel_date: date | None = None,
    sent_on: date,
) -> FollowUp:
    """A person's follow-up, with the fallbacks of the module's docstring. A disease
    named (by the person or the notice) but unknown to the table is kept as named and
    followed for :data:`DEFAULT_DAYS`; an event hazard counts only when recognised."""
    named = (disease or "").strip() or (notice_disease or "").strip()
    rule = find(named) if named else find(hazard)
    start = last_exposure or exposure_date or travel_date or sent_on
    days = rule.follow_up_days if rule else DEFAULT_DAYS
    return FollowUp(
        disease=rule.code if rule else named[:40],
        days=days,
        last_exposure=start,
        until=start + timedelta(days=days),
    )


# ---------------------------------------------------------------- follow-up figures

#: The daily statuses that mean the person was seen that day.
SEEN = frozenset({"seen", "symptomatic", "completed"})


@dataclass(frozen=True)
class Followed:
    """One listed person's follow-up, without personal data."""

    role: str
    start: date  # the first day of follow-up (the day the notice was sent)
    until: date | None  # follow_up_until
    statuses: tuple[tuple[date, str], ...]  # the recorded days, in order
    outcome: str = "pending"
    case_since: date | None = None


@dataclass
class Figures:
    """Follow-up figures of a group of persons (Go.Data's follow-up dashboard: contacts
    seen, lost to follow-up, completed; contacts who became cases). Only contacts and
    co-travellers are counted ("listed"); the cases a notice lists are not followed.

    - ``due_days``: the days of follow-up due so far, from the first day to the last
      (``until``), not after the day the follow-up ended (completed, lost, became a
      case), and up to yesterday: today counts once it is recorded;
    - ``seen_days``: those on which the person was seen (seen, symptomatic, completed);
    - ``completed`` / ``lost``: whose last status is completed / lost (or whose outcome
      is lost to follow-up); ``new_cases``: who became cases.
    """

    listed: int = 0
    due_days: int = 0
    seen_days: int = 0
    completed: int = 0
    lost: int = 0
    new_cases: int = 0

    def add(self, person: Followed, today: date) -> None:
        if person.role == "case":
            return
        self.listed += 1
        days = dict(person.statuses)
        last = person.statuses[-1][1] if person.statuses else ""
        end = today if today in days else today - timedelta(days=1)
        if person.until is not None:
            end = min(end, person.until)
        ended = [d for d, s in person.statuses if s in ("completed", "lost")]
        if ended:
            end = min(end, ended[-1])
        if person.case_since is not None:
            end = min(end, person.case_since)
        if end >= person.start:
            self.due_days += (end - person.start).days + 1
            self.seen_days += sum(
                1 for d, s in days.items() if person.start <= d <= end and s in SEEN
            )
        if last == "completed":
            self.completed += 1
        elif last == "lost" or person.outcome == "lost_to_follow_up":
            self.lost += 1
        if person.case_since is not None:
            self.new_cases += 1

    @staticmethod
    def _pct(part: int, whole: int) -> float | None:
        return round(100 * part / whole, 1) if whole else None

    def as_dict(self) -> dict[str, int | float | None]:
        return {
            "listed": self.listed,
            "due_days": self.due_days,
            "seen_days": self.seen_days,
            "seen_daily_pct": self._pct(self.seen_days, self.due_days),
            "completed": self.completed,
            "completed_pct": self._pct(self.completed, self.listed),
            "lost": self.lost,
            "lost_pct": self._pct(self.lost, self.listed),
            "new_cases": self.new_cases,
            "new_cases_pct": self._pct(self.new_cases, self.listed),
        }
