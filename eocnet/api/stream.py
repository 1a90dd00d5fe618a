"""The live stream: Server-Sent Events of everything the caller may see, resumable."""

from __future__ import annotations

import random
from collections.abc import AsyncIterator

from fastapi import APIRouter, Query, Request
from sse_starlette.sse import EventSourceResponse

from eocnet.actions.errors import Invalid
from eocnet.api.deps import CurrentActor, SettingsDep
from eocnet.api.schemas import MAX_ID
from eocnet.domain.actors import Actor
from eocnet.realtime.hub import Hub, encode_sse

router = APIRouter(tags=["stream"])


def _last_seen(request: Request, query_value: int | None) -> int | None:
    header = request.headers.get("last-event-id")
    if header:
        try:
            value = int(header)
        except ValueError:
            raise Invalid("Last-Event-ID must be an entry id", field="Last-Event-ID") from None
        if value < 0:
            raise Invalid("Last-Event-ID must be an entry id", field="Last-Event-ID")
        return value
    return query_value


async def stream_entries(
    hub: Hub, actor: Actor, last_seen: int | None, heartbeat: float
) -> AsyncIterator[bytes]:
    if last_seen is not None and hub.is_stale(last_seen):
        # The log no longer holds what follows this id (or it is from another log):
        # the client must fetch state afresh instead of silently skipping ahead.
        yield encode_sse(hub.last_id, "reload", '{"reason":"last-event-id-not-in-log"}')
        return
    cursor = hub.last_id if last_seen is None else last_seen
    yield encode_sse(cursor, "ready", f'{{"last_id":{cursor}}}')
    # Heartbeats at a random phase per connection, so that a thousand idle streams do
    # not all wake at the same instant.
    wait = heartbeat * (0.5 + random.random() / 2)  # noqa: S311 (not for security)
    while True:  # sse-starlette ends this generator when the client disconnects
        items = await hub.entries_after(cursor)
        if items:
            cursor = items[-1].id
            allowed = [
                item.sse
                for item in items
                if item.audience.allows(actor.party_code, actor.party_kind, actor.user_id)
            ]
            if allowed:
                yield b"".join(allowed)  # one write for everything that arrived together
            continue
        if not await hub.wait_beyond(cursor, wait):
            yield b": heartbeat\r\n\r\n"
            wait = heartbeat


@router.get(
    "/stream",
    summary="Live stream (Server-Sent Events)",
    response_description="text/event-stream: `id`, `event` type and JSON `data` per entry",
    responses={200: {"content": {"text/event-stream": {}}}},
)
async def stream(
    request: Request,
    actor: CurrentActor,
    settings: SettingsDep,
    last_event_id: int | None = Query(
        None, ge=0, le=MAX_ID, description="Resume after this id (the Last-Event-ID header wins)"
    ),
) -> EventSourceResponse:
    """Every change the caller may see, as it happens: `event.created`, `event.updated`,
    `event.acknowledged`, `update.created`, `update.edited`, `channel.created`,
    `message.created`, `message.edited`. Ids strictly increase. Reconnect with the last
    id seen (`Last-Event-ID` header, as browsers do, or `last_event_id`) to receive
    everything after it with no gap and no duplicate. The first entry is `ready`; an
    entry `reload` means the id is no longer in the log: fetch state afresh, then stream
    from the `ready` id. Comments are sent as heartbeats while idle."""
    hub: Hub = request.app.state.hub
    last_seen = _last_seen(request, last_event_id)
    heartbeat = float(settings.stream_heartbeat_seconds)
    return EventSourceResponse(
        stream_entries(hub, actor, last_seen, heartbeat),
        ping=0,  # heartbeats come from stream_entries, spread over time
        headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
    )
