"""Resume: 100 clients disconnect, 10,000 entries are written, all reconnect with their
Last-Event-ID; every client must receive exactly what it missed and may see, in order.
Baseline: one client catching up alone."""

from __future__ import annotations

import asyncio
import random
import time

from sqlalchemy import select

from bench.common import temporary_database
from bench.common_live import Caller, make_caller, serving
from eocnet.db.database import Database
from eocnet.db.models import Party, StreamEntry
from eocnet.domain.visibility import can_see
from eocnet.realtime.log import Audience, publish

CLIENTS = 100
ENTRIES = 10_000
PARTIES = ["IDN", "THA", "KHM", "VNM", "MYS", "PHL"]


async def _read_ids(
    host: str, port: int, caller: Caller, last_id: int | None, expected: int
) -> list[int]:
    reader, writer = await asyncio.open_connection(host, port, limit=1 << 22)
    resume = f"Last-Event-ID: {last_id}\r\n" if last_id is not None else ""
    writer.write(
        f"GET /api/v1/stream HTTP/1.1\r\nHost: {host}\r\nAuthorization: Bearer "
        f"{caller.token}\r\n{resume}\r\n".encode()
    )
    await writer.drain()
    await reader.readuntil(b"\r\n\r\n")
    ids: list[int] = []
    pending = b""
    try:
        while len(ids) < expected + 1:  # + the `ready` entry
            size = int((await reader.readuntil(b"\r\n")).strip(), 16)
            pending += (await reader.readexactly(size + 2))[:-2]
            *messages, pending = pending.split(b"\r\n\r\n")
            for message in messages:
                if message.startswith(b"id: "):
                    ids.append(int(message[4 : message.index(b"\r\n")]))
    finally:
        writer.close()
    return ids


def _write_entries(url: str) -> list[tuple[int, Audience]]:
    db = Database(url)
    rng = random.Random(7)
    written: list[tuple[int, Audience]] = []
    for start in range(0, ENTRIES, 500):
        with db.transaction() as session:
            for i in range(start, start + 500):
                owner = rng.choice(PARTIES)
                roll = rng.random()
                if roll < 0.6:
                    audience = Audience("network", owner)
                elif roll < 0.9:
                    audience = Audience("restricted", owner, (rng.choice(PARTIES),))
                else:
                    audience = Audience("partners", owner)
                entry_id = publish(session, "message.created", audience, {"n": i})
                written.append((entry_id, audience))
    db.dispose()
    return written


def run() -> None:
    with temporary_database() as url:
        db = Database(url)
        callers = [
            make_caller(
                db,
                f"c{i}@{PARTIES[i % len(PARTIES)].lower()}.example",
                PARTIES[i % len(PARTIES)],
                ["officer"],
            )
            for i in range(CLIENTS)
        ]
        with db.read() as s:
            kinds = dict(s.execute(select(Party.code, Party.kind)).all())
        db.dispose()
        with serving(url) as server:
            host, port = server.url.removeprefix("http://").split(":")
            # everyone connects, notes the id it has reached, and goes away
            marks = asyncio.run(_gather_ready(host, int(port), callers))
            written = _write_entries(url)

            def expected(caller: Caller) -> list[int]:
                return [
                    i
                    for i, a in written
                    if can_see(
                        caller.party, kinds[caller.party], a.visibility, a.parties, a.owner_party
                    )
                ]

            time.sleep(1.5)  # the server notices writes of other processes within a second
            started = time.perf_counter()
            alone = asyncio.run(
                _read_ids(host, int(port), callers[0], marks[0], len(expected(callers[0])))
            )
            base = time.perf_counter() - started
            started = time.perf_counter()
            results = asyncio.run(
                _resume_all(host, int(port), callers, marks, [len(expected(c)) for c in callers])
            )
            elapsed = time.perf_counter() - started
        wrong = sum(1 for c, got in zip(callers, results, strict=True) if got[1:] != expected(c))
        assert alone[1:] == expected(callers[0])
        db = Database(url)
        with db.read() as s:
            total = len(s.execute(select(StreamEntry.id)).all())
        db.dispose()
    delivered = sum(len(r) - 1 for r in results)
    print(f"   {ENTRIES} entries written while {CLIENTS} clients were away ({total} in the log)")
    print(f"   baseline: 1 client caught up in {base * 1000:.0f} ms")
    print(
        f"   {CLIENTS} clients caught up in {elapsed * 1000:.0f} ms "
        f"({delivered} entries delivered, {delivered / elapsed:,.0f}/s); "
        f"ratio {elapsed / base:.1f}x the single client"
    )
    print(f"   clients with a gap, duplicate or foreign entry: {wrong}")


async def _gather_ready(host: str, port: int, callers: list[Caller]) -> list[int]:
    results = await asyncio.gather(*(_read_ids(host, port, c, None, 0) for c in callers))
    return [ids[0] for ids in results]


async def _resume_all(
    host: str, port: int, callers: list[Caller], marks: list[int], counts: list[int]
) -> list[list[int]]:
    return await asyncio.gather(
        *(_read_ids(host, port, c, m, n) for c, m, n in zip(callers, marks, counts, strict=True))
    )
