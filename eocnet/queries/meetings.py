"""Meetings, action items and the register of mechanisms as queries built for an
``Actor``, the audience rule of ``actions/meetings.meeting_audience`` written in SQL.

A meeting is seen by everyone when it names no parties (opened to all), else by the
organiser, the parties taking part and the coordinator; an action item as its
meeting, or by everyone when it is tied to no meeting. Whatever a list shows beside
each row (notes, local times) is read for all rows at once: a list costs the same
number of statements whatever its length.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Select, or_, select
from sqlalchemy.orm import Session

from eocnet.db.audience import is_coordinator_party, list_empty, list_has
from eocnet.db.models import ActionItem, ActionNote, Mechanism, Meeting, Party
from eocnet.domain import coordination as rules
from eocnet.domain.actors import Actor

OPEN_STATUSES = ("open", "in_progress")


def meeting_visible(actor: Actor) -> Any:
    """SQL: the meetings ``actor`` may see (``actions.meetings.can_see_meeting``)."""
    return or_(
        list_empty(Meeting.parties),
        Meeting.owner_party == actor.party_code,
        list_has(Meeting.parties, actor.party_code),
        is_coordinator_party(actor.party_code),
    )


def action_visible(actor: Actor) -> Any:
    """SQL: the action items ``actor`` may see (``actions.meetings.can_see_action``)."""
    return or_(
        ActionItem.meeting_id.is_(None),
        ActionItem.meeting_id.in_(select(Meeting.id).where(meeting_visible(actor))),
    )


def mechanisms() -> Select[Mechanism]:
    """The register (every signed-in user sees it), by name."""
    return select(Mechanism).order_by(Mechanism.name)


def meetings(actor: Actor, mechanism_id: int | None = None) -> Select[Meeting]:
    query = select(Meeting).where(meeting_visible(actor)).order_by(Meeting.starts_at.desc())
    if mechanism_id is not None:
        query = query.where(Meeting.mechanism_id == mechanism_id)
    return query


def action_items(
    actor: Actor,
    *,
    meeting_id: int | None = None,
    mechanism_id: int | None = None,
    party: str = "",
    open_only: bool = False,
) -> Select[ActionItem]:
    query = (
        select(ActionItem).where(action_visible(actor)).order_by(ActionItem.due_on, ActionItem.id)
    )
    if meeting_id is not None:
        query = query.where(ActionItem.meeting_id == meeting_id)
    if mechanism_id is not None:
        query = query.where(ActionItem.mechanism_id == mechanism_id)
    if party:
        query = query.where(ActionItem.owner_party == party.upper())
    if open_only:
        query = query.where(ActionItem.status.in_(OPEN_STATUSES))
    return query


def notes_of(session: Session, item_ids: Collection[int]) -> dict[int, list[ActionNote]]:
    """The progress notes of these action items, oldest first, in one statement."""
    out: dict[int, list[ActionNote]] = {i: [] for i in item_ids}
    if item_ids:
        query = (
            select(ActionNote)
            .where(ActionNote.action_item_id.in_(list(item_ids)))
            .order_by(ActionNote.id)
        )
        for note in session.scalars(query):
            out[note.action_item_id].append(note)
    return out


def time_zones() -> Select[Party]:
    """The parties, for ``local_times`` (read once for a whole list)."""
    return select(Party).order_by(Party.code)


def local_times(meeting: Meeting, parties: Sequence[Party]) -> list[dict[str, Any]]:
    """The start in the time zone of every party taking part (all members and the
    coordinator when the meeting is open to all); ``parties`` from ``time_zones``."""
    codes = set(meeting.parties) | {meeting.owner_party}
    out = []
    for party in parties:
        everyone = not meeting.parties and party.kind in ("member", "coordinator")
        if party.code not in codes and not everyone:
            continue
        try:
            local = meeting.starts_at.astimezone(ZoneInfo(party.time_zone))
        except (ValueError, KeyError):
            continue
        out.append({"party": party.code, "time_zone": party.time_zone, "local": local})
    return out


def follow_up(session: Session, actor: Actor, mech: Mechanism, today: date) -> dict[str, Any]:
    """What the one-page follow-up report of a mechanism shows (two statements)."""
    items = list(session.scalars(action_items(actor, mechanism_id=mech.id)))
    counts = {s: sum(1 for a in items if a.status == s) for s in rules.ACTION_STATUSES}
    return {
        "mechanism": mech,
        "meetings": list(session.scalars(meetings(actor, mech.id))),
        "items": items,
        "counts": counts,
        "overdue": [a for a in items if rules.overdue(a.due_on, a.status, today)],
        "today": today,
    }
