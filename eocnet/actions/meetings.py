"""Regional mechanisms, their meetings (agenda, participants, minutes,
decisions) and the action items agreed, with owners, due dates, progress notes
and reminders when overdue.

A meeting is seen by the parties taking part, the organiser and the coordinator,
or by everyone when the organiser opens it to all (an explicit choice: a meeting
that names no parties is not open, it is the organiser's and the coordinator's); a
mechanism
and the action items not tied to a meeting are seen by everyone signed in.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from eocnet.actions import audit, files, notifications, search_index
from eocnet.actions.checks import WRITING_ROLES, check_parties, coordinators, http_url, text
from eocnet.actions.errors import Conflict, Forbidden, Invalid, NotFound
from eocnet.config import Settings
from eocnet.db.models import ActionItem, ActionNote, Mechanism, Meeting, StoredFile, User
from eocnet.db.types import utcnow
from eocnet.domain import coordination as rules
from eocnet.domain.actors import Actor
from eocnet.domain.roles import Role
from eocnet.domain.visibility import Visibility
from eocnet.realtime.log import Audience, publish


def _writer(actor: Actor) -> bool:
    return actor.scope == "write" and any(r in WRITING_ROLES for r in actor.roles)


# ---------------------------------------------------------------- mechanisms


@dataclass
class MechanismFields:
    name: str
    lead_party: str
    purpose: str = ""
    status: str = "active"


def mechanism(session: Session, mechanism_id: int) -> Mechanism:
    found = session.get(Mechanism, mechanism_id)
    if found is None:
        raise NotFound(f"no mechanism {mechanism_id}")
    return found


def save_mechanism(
    session: Session, actor: Actor, f: MechanismFields, existing: Mechanism | None = None
) -> Mechanism:
    """The coordinator keeps the register of mechanisms."""
    if not actor.is_coordinator:
        raise Forbidden("the coordinator keeps the register of mechanisms")
    if f.status not in rules.MECHANISM_STATUSES:
        raise Invalid(f"status is one of {', '.join(rules.MECHANISM_STATUSES)}", field="status")
    [lead] = check_parties(session, [f.lead_party], "lead_party") or [""]
    if not lead:
        raise Invalid("name the lead party", field="lead_party")
    name = text(f.name, "name", 300, required=True)
    clash = session.scalar(select(Mechanism.id).where(Mechanism.name == name))
    if clash is not None and (existing is None or clash != existing.id):
        raise Conflict(f"a mechanism named {name!r} exists already")
    row = existing or Mechanism(created_at=utcnow())
    row.name, row.lead_party, row.status = name, lead, f.status
    row.purpose = text(f.purpose, "purpose", 5000)
    if existing is None:
        session.add(row)
    session.flush()
    audit.record(session, actor, "mechanism.saved", "mechanism", row.id, details={"name": name})
    return row


# ---------------------------------------------------------------- meetings


@dataclass
class MeetingFields:
    title: str
    starts_at: datetime
    duration_minutes: int = 60
    mechanism_id: int | None = None
    video_url: str = ""
    agenda: str = ""
    parties: list[str] = field(default_factory=list)
    minutes: str = ""
    decisions: list[str] = field(default_factory=list)
    attachments: list[dict[str, str]] = field(default_factory=list)
    # everyone in the network and its partners; never the default (fail closed)
    open_to_all: bool = False


def meeting_audience(session: Session, meeting: Meeting) -> Audience:
    """Open to all: stored as no parties, which only ``open_to_all`` writes."""
    if not meeting.parties:
        return Audience(Visibility.PARTNERS, meeting.owner_party)
    return Audience(
        Visibility.RESTRICTED,
        meeting.owner_party,
        tuple(sorted({*meeting.parties, meeting.owner_party, *coordinators(session)})),
    )


def can_see_meeting(session: Session, actor: Actor, meeting: Meeting) -> bool:
    return meeting_audience(session, meeting).allows(
        actor.party_code, actor.party_kind, actor.user_id
    )


def access_meeting(session: Session, actor: Actor, meeting_id: int) -> Meeting:
    found = session.get(Meeting, meeting_id)
    if found is None or not can_see_meeting(session, actor, found):
        raise NotFound(f"no meeting {meeting_id}")
    return found


def _apply_meeting(session: Session, meeting: Meeting, f: MeetingFields) -> None:
    if f.starts_at.tzinfo is None:
        raise Invalid("give the start time with its time zone", field="starts_at")
    if not 5 <= f.duration_minutes <= 24 * 60:
        raise Invalid("a meeting lasts between 5 minutes and a day", field="duration_minutes")
    if f.mechanism_id is not None and session.get(Mechanism, f.mechanism_id) is None:
        raise Invalid(f"no mechanism {f.mechanism_id}", field="mechanism_id")
    attachments = [
        {
            "title": text(str(a.get("title", "")), f"attachments[{i}].title", 300)
            or str(a.get("url", "")),
            "url": http_url(str(a.get("url", "")), f"attachments[{i}].url"),
        }
        for i, a in enumerate(f.attachments)
    ]
    meeting.title = text(f.title, "title", 300, required=True)
    meeting.starts_at = f.starts_at
    meeting.duration_minutes = f.duration_minutes
    meeting.mechanism_id = f.mechanism_id
    meeting.video_url = http_url(f.video_url, "video_url")
    meeting.agenda = text(f.agenda, "agenda", 20_000)
    meeting.minutes = text(f.minutes, "minutes", 100_000)
    parties = check_parties(session, f.parties)
    if f.open_to_all and parties:
        raise Invalid(
            "a meeting open to everyone names no parties; name them, or open it to all",
            field="parties",
        )
    # no parties named and not opened to all: the organiser (and the coordinator)
    meeting.parties = [] if f.open_to_all else (parties or [meeting.owner_party])
    meeting.decisions = [text(d, "decisions", 2000) for d in f.decisions if d.strip()]
    meeting.attachments = [a for a in attachments if a["url"]]
    meeting.updated_at = utcnow()


def index_meeting(session: Session, meeting: Meeting) -> None:
    """The meeting's search document, and its action items' (whose audience is the
    meeting's)."""
    search_index.index(
        session,
        "meeting",
        meeting.id,
        title=meeting.title,
        body="\n".join([meeting.agenda, meeting.minutes, *meeting.decisions]),
        audience=meeting_audience(session, meeting),
        created_at=meeting.created_at,
    )
    for item in session.scalars(select(ActionItem).where(ActionItem.meeting_id == meeting.id)):
        index_action(session, item)


def index_action(session: Session, item: ActionItem) -> None:
    """The action item's search document: its title and progress notes."""
    search_index.index(
        session,
        "action",
        item.id,
        title=item.title,
        body="\n".join(
            session.scalars(
                select(ActionNote.text)
                .where(ActionNote.action_item_id == item.id)
                .order_by(ActionNote.id)
            )
        ),
        audience=action_audience(session, item),
        created_at=item.created_at,
        country=item.owner_party[:3],
        status=item.status,
    )


def _meeting_event(session: Session, actor: Actor, meeting: Meeting, what: str) -> None:
    index_meeting(session, meeting)
    audit.record(session, actor, f"meeting.{what}", "meeting", meeting.id)
    publish(
        session,
        f"meeting.{what}",
        meeting_audience(session, meeting),
        {"id": meeting.id, "title": meeting.title, "starts_at": meeting.starts_at.isoformat()},
    )


def schedule(session: Session, actor: Actor, f: MeetingFields) -> Meeting:
    if not _writer(actor) or actor.is_partner:
        raise Forbidden("member states and the coordinator schedule meetings")
    meeting = Meeting(owner_party=actor.party_code, created_by=actor.user_id, created_at=utcnow())
    _apply_meeting(session, meeting, f)
    session.add(meeting)
    session.flush()
    _meeting_event(session, actor, meeting, "scheduled")
    return meeting


def may_edit_meeting(actor: Actor, meeting: Meeting) -> bool:
    return _writer(actor) and (actor.party_code == meeting.owner_party or actor.is_coordinator)


def edit_meeting(session: Session, actor: Actor, meeting: Meeting, f: MeetingFields) -> Meeting:
    """Agenda before, minutes and decisions after."""
    if not may_edit_meeting(actor, meeting):
        raise Forbidden("the organising party or the coordinator edits a meeting")
    _apply_meeting(session, meeting, f)
    session.flush()
    _meeting_event(session, actor, meeting, "updated")
    return meeting


def attach_file(
    session: Session, actor: Actor, meeting: Meeting, upload: files.Upload, max_bytes: int
) -> StoredFile:
    """Keep a file with the meeting (minutes, slides): the organiser or the coordinator."""
    if not may_edit_meeting(actor, meeting):
        raise Forbidden("the organising party or the coordinator adds files to a meeting")
    row = files.store(session, actor, "meeting", meeting.id, upload, max_bytes)
    meeting.updated_at = utcnow()
    audit.record(
        session,
        actor,
        "meeting.file_added",
        "meeting",
        meeting.id,
        details={"file": row.id, "filename": row.filename, "sha256": row.sha256},
    )
    publish(
        session,
        "meeting.file_added",
        meeting_audience(session, meeting),
        {"id": meeting.id, "title": meeting.title, "file": files.file_data(row)},
    )
    return row


# ---------------------------------------------------------------- action items


@dataclass
class ActionFields:
    title: str
    owner_party: str
    due_on: date
    meeting_id: int | None = None
    mechanism_id: int | None = None


def action_audience(session: Session, item: ActionItem) -> Audience:
    if item.meeting_id is not None:
        meeting = session.get(Meeting, item.meeting_id)
        if meeting is not None:
            return meeting_audience(session, meeting)
    return Audience(Visibility.PARTNERS, item.owner_party)


def can_see_action(session: Session, actor: Actor, item: ActionItem) -> bool:
    return action_audience(session, item).allows(actor.party_code, actor.party_kind, actor.user_id)


def access_action(session: Session, actor: Actor, item_id: int) -> ActionItem:
    found = session.get(ActionItem, item_id)
    if found is None or not can_see_action(session, actor, found):
        raise NotFound(f"no action item {item_id}")
    return found


def _action_event(session: Session, actor: Actor, item: ActionItem, what: str) -> None:
    index_action(session, item)
    audit.record(
        session,
        actor,
        f"action_item.{what}",
        "action_item",
        item.id,
        details={"status": item.status},
    )
    publish(
        session,
        f"action_item.{what}",
        action_audience(session, item),
        {
            "id": item.id,
            "title": item.title,
            "owner_party": item.owner_party,
            "due_on": item.due_on.isoformat(),
            "status": item.status,
        },
    )


def add_action(session: Session, actor: Actor, f: ActionFields) -> ActionItem:
    if not _writer(actor) or actor.is_partner:
        raise Forbidden("member states and the coordinator record action items")
    [owner] = check_parties(session, [f.owner_party], "owner_party") or [""]
    if not owner:
        raise Invalid("name the party that owns the action", field="owner_party")
    mechanism_id = f.mechanism_id
    if f.meeting_id is not None:
        meeting = access_meeting(session, actor, f.meeting_id)
        mechanism_id = mechanism_id or meeting.mechanism_id
    if mechanism_id is not None and session.get(Mechanism, mechanism_id) is None:
        raise Invalid(f"no mechanism {mechanism_id}", field="mechanism_id")
    now = utcnow()
    item = ActionItem(
        title=text(f.title, "title", 500, required=True),
        owner_party=owner,
        due_on=f.due_on,
        meeting_id=f.meeting_id,
        mechanism_id=mechanism_id,
        created_by=actor.user_id,
        created_at=now,
        updated_at=now,
    )
    session.add(item)
    session.flush()
    _action_event(session, actor, item, "added")
    return item


def add_note(
    session: Session,
    actor: Actor,
    item: ActionItem,
    note: str,
    progress: int | None = None,
    status: str = "",
) -> ActionNote:
    """A progress note by the owning party (or the coordinator), optionally with
    the percentage done and a new status."""
    if not _writer(actor) or (actor.party_code != item.owner_party and not actor.is_coordinator):
        raise Forbidden("the owning party or the coordinator reports progress")
    if status and status not in rules.ACTION_STATUSES:
        raise Invalid(f"status is one of {', '.join(rules.ACTION_STATUSES)}", field="status")
    if progress is not None and not 0 <= progress <= 100:
        raise Invalid("progress is a percentage, 0 to 100", field="progress")
    row = ActionNote(
        action_item_id=item.id,
        text=text(note, "note", 5000, required=True),
        progress=progress,
        status=status,
        party_code=actor.party_code,
        author_id=actor.user_id,
        created_at=utcnow(),
    )
    session.add(row)
    if progress is not None:
        item.progress = progress
    if status:
        item.status = status
    elif progress == 100:
        item.status = "done"
    elif progress and item.status == "open":
        item.status = "in_progress"
    item.updated_at = utcnow()
    session.flush()
    _action_event(session, actor, item, "progressed")
    return row


def overdue_items(session: Session, today: date) -> list[ActionItem]:
    return list(
        session.scalars(
            select(ActionItem)
            .where(ActionItem.status.in_(("open", "in_progress")), ActionItem.due_on < today)
            .order_by(ActionItem.due_on)
        )
    )


def remind_overdue(session: Session, today: date, every_days: int = 7) -> list[ActionItem]:
    """Mark the overdue items to remind (once a week each) and announce them to
    the owning party; the jobs send the e-mails."""
    due = [
        item
        for item in overdue_items(session, today)
        if item.last_reminded_on is None
        or item.last_reminded_on <= today - timedelta(days=every_days)
    ]
    for item in due:
        item.last_reminded_on = today
        audit.record(
            session,
            None,
            "action_item.reminded",
            "action_item",
            item.id,
            party_code=item.owner_party,
            details={"due_on": item.due_on.isoformat()},
        )
        publish(
            session,
            "action_item.overdue",
            action_audience(session, item),
            {
                "id": item.id,
                "title": item.title,
                "owner_party": item.owner_party,
                "due_on": item.due_on.isoformat(),
                "days_late": (today - item.due_on).days,
            },
        )
    return due


def remind_overdue_owners(session: Session, settings: Settings, now: datetime) -> int:
    """The scheduler's weekly round: each overdue item is announced to its owning party
    (remind_overdue) and e-mailed to that party's focal points. Returns how many."""
    due = remind_overdue(session, now.date())
    for item in due:
        for user in session.scalars(
            select(User).where(User.party_code == item.owner_party, User.is_active.is_(True))
        ):
            if Role.FOCAL_POINT.value not in (user.roles or []):
                continue
            notifications.queue_email(
                session,
                user.email,
                f"[eocnet] Overdue action: {item.title[:120]}",
                f'The action item "{item.title}" owned by {item.owner_party} was due on '
                f"{item.due_on.isoformat()}.\n\nReport progress: "
                f"{settings.base_url.rstrip('/')}/actions/{item.id}\n",
            )
    return len(due)
