"""Channels and messages: live chat among officers, with catch-up and read state."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from eocnet.actions import audit, notifications, search_index
from eocnet.actions.errors import Forbidden, Invalid, NotFound
from eocnet.config import Settings
from eocnet.db.audience import visible_to
from eocnet.db.models import Channel, Event, Message, MessageRevision, Party, ReadState, User
from eocnet.db.types import utcnow
from eocnet.domain.actors import Actor
from eocnet.domain.roles import Role
from eocnet.domain.visibility import Visibility
from eocnet.realtime.log import Audience, audience_of_row, parties_key, publish, users_key

MENTION = re.compile(r"@([A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}|[A-Z]{3,8})\b")
MAX_BODY = 20_000


def channel_audience(channel: Channel) -> Audience:
    return audience_of_row(channel)


def visible_channels_clause(actor: Actor) -> Any:
    """SQL condition: channels the actor may see (same rule as ``Audience.allows``)."""
    return visible_to(Channel, actor)


def access_channel(session: Session, actor: Actor, channel_id: int) -> Channel:
    channel = session.get(Channel, channel_id)
    if channel is None or not channel_audience(channel).allows(
        actor.party_code, actor.party_kind, actor.user_id
    ):
        raise NotFound(f"no channel {channel_id}")
    return channel


def channel_data(channel: Channel) -> dict[str, Any]:
    return {
        "id": channel.id,
        "name": channel.name,
        "kind": channel.kind,
        "event_id": channel.event_id,
        "visibility": channel.visibility,
        "parties": list(channel.parties),
        "owner_party": channel.owner_party,
        "created_at": channel.created_at.isoformat(),
        "last_message_id": channel.last_message_id,
    }


def _known_parties(session: Session, codes: list[str]) -> list[str]:
    parties = sorted({c.strip().upper() for c in codes if c.strip()})
    known = set(session.execute(select(Party.code).where(Party.code.in_(parties))).scalars())
    unknown = [p for p in parties if p not in known]
    if unknown:
        raise Invalid(f"unknown parties: {', '.join(unknown)}", field="parties")
    return parties


def create_channel(
    session: Session,
    actor: Actor,
    name: str,
    parties: list[str],
    *,
    partners: bool = False,
    event: Event | None = None,
) -> Channel:
    """A network-wide channel (no parties), a channel among listed parties (bilateral or
    multilateral: the actor's party always belongs), or an event's channel."""
    if actor.has_role(Role.ADMIN) and len(actor.roles) == 1:
        raise Forbidden("administrators do not open channels")
    name = name.strip()
    if not name or len(name) > 120:
        raise Invalid("a channel needs a name of at most 120 characters", field="name")
    listed = _known_parties(session, parties)
    if event is not None:
        visibility, listed, kind = event.visibility, list(event.parties), "event"
    elif listed:
        visibility, kind = Visibility.RESTRICTED.value, "group"
        listed = sorted(set(listed) | {actor.party_code})
        if len(listed) < 2:
            raise Invalid("name at least one other party", field="parties")
    else:
        if actor.is_partner and not partners:
            raise Invalid(
                "partners open channels with 'partners' or listed parties", field="parties"
            )
        visibility = Visibility.PARTNERS.value if partners else Visibility.NETWORK.value
        kind = "network"
    channel = Channel(
        name=name,
        kind=kind,
        event_id=event.id if event else None,
        visibility=visibility,
        parties=listed,
        parties_key=parties_key(listed),
        owner_party=event.owner_party if event else actor.party_code,
        created_by=actor.user_id,
        created_at=utcnow(),
    )
    session.add(channel)
    session.flush()
    audit.record(
        session,
        actor,
        "channel.create",
        "channel",
        channel.id,
        details={"name": name, "parties": listed, "kind": kind},
    )
    publish(session, "channel.created", channel_audience(channel), channel_data(channel))
    return channel


def event_channel(session: Session, actor: Actor, event: Event) -> Channel:
    """The event's discussion channel, opened on first use with the event's audience."""
    channel = (
        session.execute(
            select(Channel).where(Channel.event_id == event.id, Channel.kind == "event")
        )
        .scalars()
        .first()
    )
    if channel is None:
        channel = create_channel(session, actor, event.title[:120], [], event=event)
    return channel


def open_direct(session: Session, actor: Actor, other: User) -> Channel:
    """The direct-message channel between two users (created on first use)."""
    if other.id == actor.user_id or not other.is_active:
        raise Invalid("choose another active user", field="user_id")
    key = users_key([actor.user_id, other.id])
    existing = session.execute(
        select(Channel).where(Channel.kind == "direct", Channel.users_key == key)
    ).scalar_one_or_none()
    if existing is not None:
        return existing
    parties = sorted({actor.party_code, other.party_code})
    channel = Channel(
        name=f"{actor.email} · {other.email}",
        kind="direct",
        visibility=Visibility.RESTRICTED,
        parties=parties,
        parties_key=parties_key(parties),
        users_key=key,
        owner_party=actor.party_code,
        created_by=actor.user_id,
        created_at=utcnow(),
    )
    session.add(channel)
    session.flush()
    audit.record(session, actor, "channel.create_direct", "channel", channel.id)
    publish(session, "channel.created", channel_audience(channel), channel_data(channel))
    return channel


def message_data(message: Message) -> dict[str, Any]:
    return {
        "id": message.id,
        "channel_id": message.channel_id,
        "author": message.author.email,
        "author_name": message.author.name,
        "party": message.party_code,
        "body": message.body,
        "reply_to": message.reply_to_id,
        "mentions": list(message.mentions),
        "created_at": message.created_at.isoformat(),
        "edited_at": message.edited_at.isoformat() if message.edited_at else None,
    }


def post_message(
    session: Session,
    actor: Actor,
    channel: Channel,
    body: str,
    reply_to: int | None = None,
    settings: Settings | None = None,
) -> Message:
    body = body.strip()
    if not body:
        raise Invalid("the message is empty", field="body")
    if len(body) > MAX_BODY:
        raise Invalid(f"messages are at most {MAX_BODY} characters", field="body")
    if reply_to is not None:
        parent = session.get(Message, reply_to)
        if parent is None or parent.channel_id != channel.id:
            raise Invalid("reply_to must be a message of this channel", field="reply_to")
    mentions = sorted({m for m in MENTION.findall(body)})
    message = Message(
        channel_id=channel.id,
        author_id=actor.user_id,
        party_code=actor.party_code,
        body=body,
        reply_to_id=reply_to,
        mentions=mentions,
        created_at=utcnow(),
    )
    session.add(message)
    session.flush()
    channel.last_message_id = message.id
    _mark_read(session, actor.user_id, channel.id, message.id)
    _index_message(session, channel, message)
    audit.record(
        session, actor, "message.create", "message", message.id, details={"channel": channel.id}
    )
    session.refresh(message, ["author"])
    publish(session, "message.created", channel_audience(channel), message_data(message))
    if settings is not None:
        people = [m for m in mentions if "@" in m]
        if channel.users_key:  # direct conversations: tell the other person
            others = (
                session.execute(
                    select(User.email).where(
                        User.id.in_([int(u) for u in channel.users_key.split(",") if u]),
                        User.id != actor.user_id,
                    )
                )
                .scalars()
                .all()
            )
            people = sorted(set(people) | set(others))
        notifications.notify_mention(
            session, settings, actor.email, channel.name, channel.id, body, people
        )
    return message


def edit_message(
    session: Session, actor: Actor, channel: Channel, message: Message, body: str
) -> Message:
    if message.author_id != actor.user_id:
        raise Forbidden("only the author edits a message")
    body = body.strip()
    if not body or len(body) > MAX_BODY:
        raise Invalid("the message is empty or too long", field="body")
    session.add(MessageRevision(message_id=message.id, body=message.body))
    message.body = body
    message.mentions = sorted({m for m in MENTION.findall(body)})
    message.edited_at = utcnow()
    session.flush()
    _index_message(session, channel, message)
    audit.record(session, actor, "message.edit", "message", message.id)
    publish(session, "message.edited", channel_audience(channel), message_data(message))
    return message


def _index_message(session: Session, channel: Channel, message: Message) -> None:
    search_index.index(
        session,
        "message",
        message.id,
        title=channel.name,
        body=message.body,
        audience=channel_audience(channel),
        created_at=message.created_at,
        channel_id=channel.id,
        event_id=channel.event_id,
    )


def _mark_read(session: Session, user_id: int, channel_id: int, last_id: int) -> None:
    state = session.get(ReadState, (user_id, channel_id))
    if state is None:
        session.add(ReadState(user_id=user_id, channel_id=channel_id, last_read_id=last_id))
    elif last_id > state.last_read_id:
        state.last_read_id = last_id


def mark_read(session: Session, actor: Actor, channel: Channel, last_id: int) -> int:
    """Record that the user has read up to ``last_id``; read state only moves forward."""
    _mark_read(session, actor.user_id, channel.id, min(last_id, channel.last_message_id))
    session.flush()
    state = session.get(ReadState, (actor.user_id, channel.id))
    return state.last_read_id if state else 0


def unread_counts(session: Session, actor: Actor) -> dict[int, int]:
    """Unread messages per visible channel (others' messages after the read mark)."""
    read = (
        select(ReadState.channel_id, ReadState.last_read_id)
        .where(ReadState.user_id == actor.user_id)
        .subquery()
    )
    rows = session.execute(
        select(Channel.id, func.count(Message.id))
        .join(Message, Message.channel_id == Channel.id)
        .outerjoin(read, read.c.channel_id == Channel.id)
        .where(visible_channels_clause(actor))
        .where(Message.id > func.coalesce(read.c.last_read_id, 0))
        .where(Message.author_id != actor.user_id)
        .group_by(Channel.id)
    ).all()
    return {int(cid): int(n) for cid, n in rows}
