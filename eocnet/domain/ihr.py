"""Clocks and duties of the International Health Regulations (2005) beyond Annex 2.

Source: IHR (2005), consolidated text with the amendments of 2014, 2022 and 2024
(WHA77.17, in force from 19 September 2025); see docs/ihr-annex2.md.

- **Annex 1, A.6(a) and B.1**: the national level assesses "reports of urgent events
  within 48 hours" (the core capacity to assess). The clock runs from the event's
  detection or report, whichever is known first, and stops at the first Annex 2
  assessment the party records (:func:`assessment_due`).
- **Article 9.2**: States Parties "shall, as far as practicable, inform WHO within 24
  hours of receipt of evidence of a public health risk identified outside their
  territory that may cause international disease spread, as manifested by exported or
  imported human cases, vectors ... or goods". :func:`article9_parties` says which
  parties an event (and the tracing notices sent about it) puts under that duty.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

#: Annex 1, A.6(a) / B.1: assess reports of urgent events within 48 hours.
ASSESSMENT_HOURS = 48
#: Article 9.2: inform WHO within 24 hours of receipt of the evidence.
ARTICLE9_HOURS = 24


def _start_of(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=UTC)


def assessment_clock_start(
    detection_date: date | None, report_date: date | None, posted_at: datetime
) -> datetime:
    """When the 48-hour clock starts: the earliest of the detection date, the report date
    (each from the start of that day, UTC: a date says no more) and the posting time."""
    starts = [posted_at]
    starts += [_start_of(d) for d in (detection_date, report_date) if d is not None]
    return min(starts)


def assessment_due(
    detection_date: date | None,
    report_date: date | None,
    posted_at: datetime,
    assessed_at: datetime | None,
) -> datetime | None:
    """When the Annex 2 assessment is due (48 hours from detection or report), or None
    once an assessment is recorded."""
    if assessed_at is not None:
        return None
    start = assessment_clock_start(detection_date, report_date, posted_at)
    return start + timedelta(hours=ASSESSMENT_HOURS)


@dataclass(frozen=True)
class Concern:
    """A party under the Article 9.2 duty for an event: why, and since when."""

    party: str
    why: str
    since: datetime
    tracing_notice_id: int | None = None

    @property
    def due(self) -> datetime:
        return self.since + timedelta(hours=ARTICLE9_HOURS)


@dataclass(frozen=True)
class NoticeFacts:
    """What Article 9.2 needs of a tracing notice: who sent it, to whom, and when."""

    id: int
    sender: str
    recipients: tuple[str, ...]
    sent_at: datetime


def article9_parties(
    owner: str,
    country: str,
    listed: Iterable[str],
    posted_at: datetime,
    states: frozenset[str],
    notices: Iterable[NoticeFacts] = (),
) -> list[Concern]:
    """The member states an event shows a public health risk outside their territory to.

    - The event's country is not its owner's (an imported or exported case reported by
      the owner, or an event abroad): the owner is concerned.
    - The event names other member states (its listed parties, apart from the owner and
      the country where it happens): each of them learns of a risk outside its
      territory that may reach it.
    - A tracing notice of the event (a contact abroad): its sender, whose case has a
      contact in another country, and every receiving party, whose resident was exposed
      outside its territory.

    ``states`` are the parties that are states (member states): organisations, the
    coordinator and partners have no territory and no duty under Article 9. The first
    reason found for a party is kept, with its time (the duty runs from the receipt of
    the evidence)."""
    found: dict[str, Concern] = {}

    def add(party: str, why: str, since: datetime, notice: int | None = None) -> None:
        if party in states and party not in found:
            found[party] = Concern(party, why, since, notice)

    if country != owner:
        add(owner, f"the event happens in {country}, outside {owner}'s territory", posted_at)
    for party in sorted(set(listed)):
        if party not in (owner, country):
            add(party, f"{owner} reports an event in {country} that names {party}", posted_at)
    for n in sorted(notices, key=lambda n: (n.sent_at, n.id)):
        others = [p for p in n.recipients if p != n.sender]
        if not others:
            continue
        add(
            n.sender,
            f"tracing notice {n.id}: contacts abroad ({', '.join(others)})",
            n.sent_at,
            n.id,
        )
        for p in others:
            add(
                p, f"tracing notice {n.id} from {n.sender}: persons exposed abroad", n.sent_at, n.id
            )
    return sorted(found.values(), key=lambda c: c.party)
