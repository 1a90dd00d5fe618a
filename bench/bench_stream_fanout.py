"""Fan-out: 1,000 concurrent SSE subscribers on one server process; commit-to-receipt
latency of posted alerts (target p99 < 250 ms). Baseline: the same with 1 subscriber."""

from __future__ import annotations

import asyncio
import json
import time
from datetime import datetime

import httpx2 as httpx

from bench.common import percentile, temporary_database
from bench.common_live import Caller, make_caller, serving
from eocnet.db.database import Database

POSTS = 40
SPACING = 0.1
POST_TIMES: list[float] = []


async def _subscriber(
    host: str,
    port: int,
    caller: Caller,
    wanted: int,
    ready: asyncio.Event,
    latencies: list[float],
    counter: list[int],
) -> None:
    """A lean SSE client on a raw socket (an HTTP library per connection would make the
    client, not the server, the bottleneck on this 2-core machine)."""
    reader, writer = await asyncio.open_connection(host, port, limit=1 << 20)
    writer.write(
        f"GET /api/v1/stream HTTP/1.1\r\nHost: {host}\r\n"
        f"Authorization: Bearer {caller.token}\r\nAccept: text/event-stream\r\n\r\n".encode()
    )
    await writer.drain()
    await reader.readuntil(b"\r\n\r\n")  # response headers
    got, pending = 0, b""
    try:
        while got < wanted:
            size_line = await reader.readuntil(b"\r\n")  # chunked transfer encoding
            size = int(size_line.strip(), 16)
            chunk = await reader.readexactly(size + 2)
            received = time.time()
            pending += chunk[:-2]
            *messages, pending = pending.split(b"\r\n\r\n")
            for message in messages:
                if b"event: ready" in message:
                    counter[0] += 1
                    if counter[0] == counter[1]:
                        ready.set()
                elif b"event: event.created" in message:
                    data = message.split(b"data: ", 1)[1]
                    created = datetime.fromisoformat(json.loads(data)["created_at"]).timestamp()
                    latencies.append(received - created)
                    got += 1
    finally:
        writer.close()


async def _run(url: str, poster: Caller, reader: Caller, subscribers: int) -> list[float]:
    latencies: list[float] = []
    POST_TIMES.clear()
    ready = asyncio.Event()
    counter = [0, subscribers]
    host, port = url.removeprefix("http://").split(":")
    async with httpx.AsyncClient(timeout=30) as posts:
        tasks = [
            asyncio.create_task(
                _subscriber(host, int(port), reader, POSTS, ready, latencies, counter)
            )
            for _ in range(subscribers)
        ]
        await asyncio.wait_for(ready.wait(), 120)
        for i in range(POSTS):
            t0 = time.time()
            r = await posts.post(
                url + "/api/v1/events",
                headers=poster.headers,
                json={
                    "title": f"fan-out {i}",
                    "hazard": "Measles",
                    "country": "IDN",
                    "alert": True,
                    "alert_reasons": ["serious", "may_spread_to_other_countries"],
                },
            )
            assert r.status_code == 201, r.text
            POST_TIMES.append(time.time() - t0)
            await asyncio.sleep(SPACING)
        await asyncio.wait_for(asyncio.gather(*tasks), 120)
    return latencies


def _line(label: str, values: list[float]) -> str:
    ms = [v * 1000 for v in values]
    return (
        f"{label:<22} p50 {percentile(ms, 50):7.1f} ms  p99 {percentile(ms, 99):7.1f} ms  "
        f"max {max(ms):7.1f} ms  (n={len(ms)})"
    )


def run(subscribers: int = 1000) -> None:
    with temporary_database() as url:
        db = Database(url)
        poster = make_caller(db, "poster@idn.example", "IDN", ["officer"])
        reader = make_caller(db, "reader@tha.example", "THA", ["officer"])
        db.dispose()
        with serving(url) as server:
            base = asyncio.run(_run(server.url, poster, reader, 1))
            many = asyncio.run(_run(server.url, poster, reader, subscribers))
    assert len(many) == subscribers * POSTS, "a subscriber missed entries"
    print("   " + _line("baseline 1 subscriber", base))
    print("   " + _line(f"{subscribers} subscribers", many))
    print("   " + _line("POST /events (commit)", POST_TIMES))
    ratio = percentile(many, 99) / max(percentile(base, 99), 1e-9)
    verdict = "meets" if percentile(many, 99) < 0.25 else "MISSES"
    print(
        f"   p99 ratio {ratio:.1f}x the single subscriber; {verdict} the 250 ms target; "
        f"every subscriber received all {POSTS} alerts"
    )
