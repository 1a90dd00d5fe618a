"""Fan-out of the event log to the live streams of one server process.

A single poller reads new log entries once (woken after a local commit, by
PostgreSQL NOTIFY from other processes, or every second as a safety net) and keeps
the most recent ones in memory; each subscriber reads from that buffer (or from
the database when it is further behind) starting at its own last id, so nothing is
missed and nothing is sent twice.
"""

from __future__ import annotations

import asyncio
import bisect
import contextlib
import logging
from dataclasses import dataclass
from typing import Any

from sqlalchemy import bindparam, select

from eocnet.db.database import Database
from eocnet.db.models import StreamEntry, table_of
from eocnet.realtime.log import NOTIFY_CHANNEL, Audience, audience_of_row, bounds

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class LogItem:
    id: int
    kind: str
    data: str
    audience: Audience
    #: The entry as Server-Sent Events bytes, encoded once for every subscriber.
    sse: bytes


def encode_sse(entry_id: int, kind: str, data: str) -> bytes:
    return f"id: {entry_id}\r\nevent: {kind}\r\ndata: {data}\r\n\r\n".encode()


_ENTRIES = table_of(StreamEntry)
_AFTER = (
    select(_ENTRIES)
    .where(_ENTRIES.c.id > bindparam("after"))
    .order_by(_ENTRIES.c.id)
    .limit(bindparam("limit"))
)


def _item(row: Any) -> LogItem:
    return LogItem(
        row.id, row.kind, row.data, audience_of_row(row), encode_sse(row.id, row.kind, row.data)
    )


class Hub:
    def __init__(self, db: Database, buffer_size: int = 50_000, poll_seconds: float = 1.0):
        self.db = db
        #: The newest entries, oldest first, and their ids (for bisecting); trimmed to
        #: ``buffer_size`` entries whenever it grows to twice that.
        self.buffer: list[LogItem] = []
        self._ids: list[int] = []
        self.buffer_size = buffer_size
        self.last_id = 0
        self.oldest_id = 0
        self.poll_seconds = poll_seconds
        self._loop: asyncio.AbstractEventLoop | None = None
        self._wake: asyncio.Event | None = None
        #: Replaced by a fresh event each time new entries arrive; waiters wait on the
        #: current one (no lock, so a timed-out waiter cannot upset the others).
        self._arrived: asyncio.Event | None = None
        self._tasks: list[asyncio.Task[None]] = []
        self._stopping = False

    # ------------------------------------------------------------ lifecycle

    async def start(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._wake = asyncio.Event()
        self._arrived = asyncio.Event()
        try:
            self.oldest_id, self.last_id = await asyncio.to_thread(self._bounds)
        except Exception:  # e.g. not migrated yet: /readyz says so; the poller retries
            log.warning("cannot read the event log yet", exc_info=True)
        self.db.stream_listeners.append(self.notify)
        self._tasks.append(asyncio.create_task(self._poll_forever(), name="eocnet-hub-poll"))
        if not self.db.is_sqlite:
            self._tasks.append(asyncio.create_task(self._listen_forever(), name="eocnet-hub-pg"))

    async def stop(self) -> None:
        """Stop the background tasks. On Python 3.11, ``asyncio.wait_for`` can
        swallow a cancellation that arrives as its inner wait completes, so the
        loops also check a flag, and cancellation is repeated until they end."""
        self._stopping = True
        with contextlib.suppress(ValueError):
            self.db.stream_listeners.remove(self.notify)
        pending = set(self._tasks)
        while pending:
            for task in pending:
                task.cancel()
            if self._wake is not None:
                self._wake.set()
            _, pending = await asyncio.wait(pending, timeout=1.0)
        for task in self._tasks:
            if not task.cancelled():
                with contextlib.suppress(asyncio.CancelledError):
                    task.exception()
        self._tasks.clear()

    def _bounds(self) -> tuple[int, int]:
        with self.db.read() as session:
            return bounds(session)

    # ------------------------------------------------------------ waking up

    def notify(self, entry_id: int = 0) -> None:
        """Thread-safe: a new entry was committed (called after commit)."""
        loop, wake = self._loop, self._wake
        if loop is None or wake is None or loop.is_closed():
            return
        if entry_id and entry_id <= self.last_id:
            return
        loop.call_soon_threadsafe(wake.set)

    async def _poll_forever(self) -> None:
        assert self._wake is not None
        rounds = 0
        while not self._stopping:
            rounds += 1
            if rounds % 60 == 0:  # the log may have been trimmed: learn its oldest id
                with contextlib.suppress(Exception):
                    self.oldest_id, _ = await asyncio.to_thread(self._bounds)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=self.poll_seconds)
            self._wake.clear()
            try:
                await self._read_new()
            except Exception:  # keep serving; the next wake-up retries
                log.exception("reading the event log failed")
                await asyncio.sleep(0.5)

    async def _read_new(self) -> None:
        rows = await asyncio.to_thread(self._fetch, self.last_id, 5000)
        while rows:
            self.buffer.extend(rows)
            self._ids.extend(item.id for item in rows)
            if len(self.buffer) > 2 * self.buffer_size:
                cut = len(self.buffer) - self.buffer_size
                del self.buffer[:cut]
                del self._ids[:cut]
            self.last_id = rows[-1].id
            arrived, self._arrived = self._arrived, asyncio.Event()
            assert arrived is not None
            arrived.set()
            if len(rows) < 5000:
                break
            rows = await asyncio.to_thread(self._fetch, self.last_id, 5000)

    async def _listen_forever(self) -> None:
        """PostgreSQL LISTEN: other server processes' commits wake this one."""
        import psycopg

        url = self.db.engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
        while not self._stopping:
            try:
                async with await psycopg.AsyncConnection.connect(url, autocommit=True) as conn:
                    await conn.execute(f"LISTEN {NOTIFY_CHANNEL}")
                    self.notify()  # catch up on anything committed while not listening
                    async for _ in conn.notifies():
                        self.notify()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.warning("LISTEN connection lost; reconnecting", exc_info=True)
                await asyncio.sleep(1.0)

    # ------------------------------------------------------------ reading

    def _fetch(self, after: int, limit: int) -> list[LogItem]:
        # Core rows, not ORM objects: this runs after every commit.
        with self.db.read() as session:
            rows = session.connection().execute(_AFTER, {"after": after, "limit": limit}).all()
            return [_item(r) for r in rows]

    def is_stale(self, last_seen: int) -> bool:
        """Whether a client's last id is no longer in the log (or not from this log)."""
        if last_seen > self.last_id:
            return True
        return self.oldest_id > 0 and last_seen < self.oldest_id - 1

    async def entries_after(self, cursor: int, limit: int = 1000) -> list[LogItem]:
        buffer, ids = self.buffer, self._ids
        if buffer and cursor >= ids[0] - 1:
            start = bisect.bisect_right(ids, cursor)
            return buffer[start : start + limit]
        if cursor >= self.last_id:
            return []
        return await asyncio.to_thread(self._fetch, cursor, limit)

    async def wait_beyond(self, cursor: int, timeout: float) -> bool:
        """Wait until the log has an entry after ``cursor``; False on timeout."""
        deadline = asyncio.get_running_loop().time() + timeout
        while self.last_id <= cursor:
            arrived = self._arrived
            assert arrived is not None
            remaining = deadline - asyncio.get_running_loop().time()
            if remaining <= 0:
                return False
            try:
                await asyncio.wait_for(arrived.wait(), remaining)
            except TimeoutError:
                return False
        return True
