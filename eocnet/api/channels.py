"""Channels: live chat among officers, with exact catch-up and read state."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from eocnet.actions import channels as actions
from eocnet.actions.errors import NotFound
from eocnet.api.deps import CurrentActor, DbDep, SettingsDep
from eocnet.api.idempotency import respond_once
from eocnet.api.schemas import MAX_ID, Id, Input
from eocnet.db.models import Channel, Message, ReadState, User

router = APIRouter(tags=["channels"])


class ChannelCreate(Input):
    name: str = Field(min_length=1, max_length=120)
    parties: list[Annotated[str, Field(pattern=r"^[A-Z]{3,8}$")]] = Field(
        default_factory=list,
        max_length=30,
        description="Other parties of a bilateral or multilateral channel; empty for a "
        "network-wide channel",
    )
    partners: bool = Field(False, description="Network-wide channel that includes partners")


class DirectCreate(Input):
    user_id: Id


class ChannelOut(BaseModel):
    id: int
    name: str
    kind: str = Field(description="network, group, event or direct")
    event_id: Id | None
    visibility: str
    parties: list[str]
    owner_party: str
    created_at: datetime
    last_message_id: int
    unread: int = 0
    last_read_id: int = 0


class MessageCreate(Input):
    body: str = Field(min_length=1, max_length=actions.MAX_BODY)
    reply_to: int | None = None


class MessageEdit(Input):
    body: str = Field(min_length=1, max_length=actions.MAX_BODY)


class MessageOut(BaseModel):
    id: int
    channel_id: Id
    author: str
    author_name: str
    party: str
    body: str
    reply_to: int | None
    mentions: list[str] = Field(description="Mentioned people (e-mail) and parties (code)")
    created_at: datetime
    edited_at: datetime | None


class ReadIn(Input):
    last_read_id: int = Field(ge=0)


class ReadOut(BaseModel):
    channel_id: Id
    last_read_id: int


def channel_out(channel: Channel, unread: int = 0, last_read: int = 0) -> ChannelOut:
    return ChannelOut(**actions.channel_data(channel), unread=unread, last_read_id=last_read)


@router.get("/channels", response_model=list[ChannelOut], summary="My channels")
def list_channels(actor: CurrentActor, db: DbDep) -> list[ChannelOut]:
    """Every channel the caller may read, with unread counts."""
    with db.read() as session:
        rows = (
            session.execute(
                select(Channel)
                .where(actions.visible_channels_clause(actor))
                .order_by(Channel.last_message_id.desc(), Channel.id.desc())
            )
            .scalars()
            .all()
        )
        unread = actions.unread_counts(session, actor)
        reads = dict(
            session.execute(
                select(ReadState.channel_id, ReadState.last_read_id).where(
                    ReadState.user_id == actor.user_id
                )
            ).all()
        )
        return [channel_out(c, unread.get(c.id, 0), reads.get(c.id, 0)) for c in rows]


@router.post("/channels", status_code=201, response_model=ChannelOut, summary="Open a channel")
def create_channel(body: ChannelCreate, actor: CurrentActor, db: DbDep) -> ChannelOut:
    """With `parties`, a channel among those parties and yours (e.g. IDN–KHM); without,
    a network-wide channel."""

    def job(session: Session) -> ChannelOut:
        channel = actions.create_channel(
            session, actor, body.name, list(body.parties), partners=body.partners
        )
        return channel_out(channel)

    return db.run_sync(job)


@router.post(
    "/channels/direct",
    status_code=201,
    response_model=ChannelOut,
    summary="Open a direct conversation",
)
def direct(body: DirectCreate, actor: CurrentActor, db: DbDep) -> ChannelOut:
    def job(session: Session) -> ChannelOut:
        other = session.get(User, body.user_id)
        if other is None:
            raise NotFound(f"no user {body.user_id}")
        return channel_out(actions.open_direct(session, actor, other))

    return db.run_sync(job)


@router.get("/channels/{channel_id}", response_model=ChannelOut, summary="One channel")
def get_channel(channel_id: Id, actor: CurrentActor, db: DbDep) -> ChannelOut:
    with db.read() as session:
        return channel_out(actions.access_channel(session, actor, channel_id))


@router.get(
    "/channels/{channel_id}/messages",
    response_model=list[MessageOut],
    summary="Messages, oldest first",
)
def list_messages(
    channel_id: Id,
    actor: CurrentActor,
    db: DbDep,
    after: int = Query(0, ge=0, le=MAX_ID, description="Only messages with a larger id (catch-up)"),
    before: int | None = Query(
        None,
        ge=1,
        description="Only messages with a smaller id (older history; returns the newest of those)",
    ),
    limit: int = Query(100, ge=1, le=1000),
) -> list[MessageOut]:
    """Catch up exactly with `after` (the last id you have); page back with `before`."""
    with db.read() as session:
        actions.access_channel(session, actor, channel_id)
        query = (
            select(Message)
            .options(selectinload(Message.author))
            .where(Message.channel_id == channel_id, Message.id > after)
        )
        if before is not None:
            rows = list(
                session.execute(
                    query.where(Message.id < before).order_by(Message.id.desc()).limit(limit)
                ).scalars()
            )
            rows.reverse()
        else:
            rows = list(session.execute(query.order_by(Message.id).limit(limit)).scalars())
        return [MessageOut(**actions.message_data(m)) for m in rows]


@router.post(
    "/channels/{channel_id}/messages",
    status_code=201,
    response_model=MessageOut,
    summary="Send a message",
)
async def post_message(
    request: Request,
    channel_id: Id,
    body: MessageCreate,
    actor: CurrentActor,
    db: DbDep,
    settings: SettingsDep,
) -> JSONResponse:
    """Mention people with @email and parties with @CODE. Send an `Idempotency-Key`
    header so that a retry does not post twice."""
    fingerprint = body.model_dump_json()

    def write(session: Session) -> JSONResponse:
        def produce() -> tuple[int, Any]:
            channel = actions.access_channel(session, actor, channel_id)
            message = actions.post_message(
                session, actor, channel, body.body, body.reply_to, settings
            )
            return 201, MessageOut(**actions.message_data(message)).model_dump(mode="json")

        return respond_once(request, session, actor, fingerprint, produce)

    return await db.run(write)


@router.patch(
    "/channels/{channel_id}/messages/{message_id}",
    response_model=MessageOut,
    summary="Edit your message",
)
def edit_message(
    channel_id: Id, message_id: Id, body: MessageEdit, actor: CurrentActor, db: DbDep
) -> MessageOut:
    """The earlier text is kept."""

    def job(session: Session) -> MessageOut:
        channel = actions.access_channel(session, actor, channel_id)
        message = session.get(Message, message_id)
        if message is None or message.channel_id != channel.id:
            raise NotFound(f"no message {message_id}")
        return MessageOut(
            **actions.message_data(
                actions.edit_message(session, actor, channel, message, body.body)
            )
        )

    return db.run_sync(job)


@router.post("/channels/{channel_id}/read", response_model=ReadOut, summary="Mark as read")
def mark_read(channel_id: Id, body: ReadIn, actor: CurrentActor, db: DbDep) -> ReadOut:
    """Read state only moves forward."""

    def job(session: Session) -> ReadOut:
        channel = actions.access_channel(session, actor, channel_id)
        last = actions.mark_read(session, actor, channel, body.last_read_id)
        return ReadOut(channel_id=channel.id, last_read_id=last)

    return db.run_sync(job)
