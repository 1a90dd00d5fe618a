"""Sustained alert posting with acknowledgements, on SQLite and PostgreSQL: alerts per
second through the HTTP API with nothing lost (target >= 500/s on SQLite).

Baseline: the same number of bare one-row commits on the same database (the floor any
durable write pays), so the ratio shows what eocnet's work per alert costs on top.
"""

from __future__ import annotations

import asyncio
import time

import httpx2 as httpx
from sqlalchemy import func, select, text

from bench.common import temporary_database
from bench.common_live import Caller, make_caller, serving
from eocnet.db.database import Database
from eocnet.db.models import Acknowledgement, Event, StreamEntry

ALERTS = 1000
CLIENTS = 8


async def _post_all(url: str, poster: Caller, ackers: list[Caller]) -> tuple[float, int]:
    queue: asyncio.Queue[int] = asyncio.Queue()
    for i in range(ALERTS):
        queue.put_nowait(i)
    answered = 0

    async def worker(client: httpx.AsyncClient) -> None:
        nonlocal answered
        while True:
            try:
                i = queue.get_nowait()
            except asyncio.QueueEmpty:
                return
            r = await client.post(
                url + "/api/v1/events",
                headers=poster.headers,
                json={
                    "title": f"alert {i}",
                    "hazard": "Measles",
                    "country": "IDN",
                    "alert": True,
                    "alert_reasons": ["serious"],
                },
            )
            assert r.status_code == 201, r.text
            event_id = r.json()["id"]
            acker = ackers[i % len(ackers)]
            r = await client.post(
                f"{url}/api/v1/events/{event_id}/acknowledgements", headers=acker.headers
            )
            assert r.status_code == 201, r.text
            answered += 1

    limits = httpx.Limits(max_connections=CLIENTS)
    async with httpx.AsyncClient(timeout=60, limits=limits) as client:
        started = time.perf_counter()
        await asyncio.gather(*(worker(client) for _ in range(CLIENTS)))
        return time.perf_counter() - started, answered


def _bare_commits(url: str, n: int) -> float:
    db = Database(url)
    with db.write() as session:
        key = "INTEGER PRIMARY KEY" if db.is_sqlite else "BIGSERIAL PRIMARY KEY"
        session.execute(text(f"CREATE TABLE bench_bare (id {key}, v TEXT)"))
    started = time.perf_counter()
    for i in range(n):
        with db.write() as session:
            session.execute(text("INSERT INTO bench_bare (v) VALUES (:v)"), {"v": str(i)})
    elapsed = time.perf_counter() - started
    db.dispose()
    return elapsed


def _one(backend: str) -> None:
    with temporary_database(backend) as url:
        db = Database(url)
        poster = make_caller(db, "poster@idn.example", "IDN", ["officer"])
        ackers = [
            make_caller(db, f"ack@{c.lower()}.example", c, ["officer"])
            for c in ("THA", "KHM", "VNM", "MYS")
        ]
        db.dispose()
        with serving(url):
            pass  # warm the import caches of the server start-up
        with serving(url) as server:
            elapsed, answered = asyncio.run(_post_all(server.url, poster, ackers))
        db = Database(url)
        with db.read() as s:
            events = s.execute(select(func.count()).select_from(Event)).scalar_one()
            acks = s.execute(select(func.count()).select_from(Acknowledgement)).scalar_one()
            entries = s.execute(select(func.count()).select_from(StreamEntry)).scalar_one()
        db.dispose()
        bare = _bare_commits(url, ALERTS * 2)
    lost = (ALERTS - events) + (ALERTS - acks) + (2 * ALERTS - entries)
    rate = answered / elapsed
    bare_rate = 2 * ALERTS / bare
    target = (
        " (target >= 500/s: " + ("met" if rate >= 500 else "MISSED") + ")"
        if backend == "sqlite"
        else ""
    )
    print(
        f"   {backend:<10} {rate:7.0f} alerts/s with an acknowledgement each "
        f"({2 * rate:6.0f} writes/s){target}"
    )
    print(
        f"   {'':<10} in the database: {events} events, {acks} acknowledgements, "
        f"{entries} log entries; lost: {lost}"
    )
    print(
        f"   {'':<10} baseline bare commits {bare_rate:7.0f}/s; eocnet write costs "
        f"{bare_rate / (2 * rate):4.1f}x a bare commit"
    )


def run() -> None:
    for backend in ("sqlite", "postgresql"):
        _one(backend)
