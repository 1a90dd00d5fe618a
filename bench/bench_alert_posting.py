"""Sustained alert posting with acknowledgements, on SQLite and PostgreSQL: alerts per
second through the HTTP API with nothing lost (target >= 500/s on SQLite).

Each alert is two requests from 32 keep-alive connections: post it, then acknowledge
it as another party. The server is `eocnet serve` with one process, then with two
(one per core of the 2-core machine the target was set on). Afterwards the events,
acknowledgements and log entries are counted: nothing may be lost.

Baseline: the same number of bare one-row commits on the same database (the floor any
durable write pays), so the ratio shows what eocnet's work per alert costs on top.
"""

from __future__ import annotations

import asyncio
import time

from sqlalchemy import func, select, text

from bench.common import temporary_database
from bench.common_live import Caller, make_caller, serving, tree_cpu_seconds
from bench.load_client import Connection
from eocnet.db.database import Database
from eocnet.db.models import Acknowledgement, Event, StreamEntry

ALERTS = 3000
CLIENTS = 32


async def _post_all(url: str, poster: Caller, ackers: list[Caller]) -> tuple[float, int]:
    queue: asyncio.Queue[int] = asyncio.Queue()
    for i in range(ALERTS):
        queue.put_nowait(i)
    answered = 0

    async def worker() -> None:
        nonlocal answered
        async with Connection(url) as connection:
            while True:
                try:
                    i = queue.get_nowait()
                except asyncio.QueueEmpty:
                    return
                r = await connection.request(
                    "POST",
                    "/api/v1/events",
                    poster.headers,
                    {
                        "title": f"alert {i}",
                        "hazard": "Measles",
                        "country": "IDN",
                        "alert": True,
                        "alert_reasons": ["serious", "may_spread_to_other_countries"],
                    },
                )
                assert r.status == 201, r.body
                event_id = r.json()["id"]
                acker = ackers[i % len(ackers)]
                r = await connection.request(
                    "POST", f"/api/v1/events/{event_id}/acknowledgements", acker.headers
                )
                assert r.status == 201, r.body
                answered += 1

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(CLIENTS)))
    return time.perf_counter() - started, answered


def _bare_commits(url: str, n: int) -> float:
    db = Database(url)
    with db.transaction() as session:
        key = "INTEGER PRIMARY KEY" if db.is_sqlite else "BIGSERIAL PRIMARY KEY"
        session.execute(text(f"CREATE TABLE bench_bare (id {key}, v TEXT)"))
    started = time.perf_counter()
    for i in range(n):
        with db.transaction() as session:
            session.execute(text("INSERT INTO bench_bare (v) VALUES (:v)"), {"v": str(i)})
    elapsed = time.perf_counter() - started
    db.dispose()
    return elapsed


def _one(backend: str, workers: int, bare_rate: list[float]) -> None:
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
        with serving(url, workers=workers) as server:
            assert server.proc is not None
            server_cpu = tree_cpu_seconds(server.proc.pid)
            client_cpu = time.process_time()
            elapsed, answered = asyncio.run(_post_all(server.url, poster, ackers))
            server_cpu = tree_cpu_seconds(server.proc.pid) - server_cpu
            client_cpu = time.process_time() - client_cpu
        db = Database(url)
        with db.read() as s:
            events = s.execute(select(func.count()).select_from(Event)).scalar_one()
            acks = s.execute(select(func.count()).select_from(Acknowledgement)).scalar_one()
            entries = s.execute(select(func.count()).select_from(StreamEntry)).scalar_one()
        db.dispose()
        if not bare_rate:
            bare_rate.append(2 * ALERTS / _bare_commits(url, ALERTS * 2))
    lost = (ALERTS - events) + (ALERTS - acks) + (2 * ALERTS - entries)
    rate = answered / elapsed
    target = ""
    if backend == "sqlite":
        target = " (target >= 500/s: " + ("met" if rate >= 500 else "MISSED") + ")"
    label = f"{backend}, {workers} process{'es' if workers > 1 else ''}"
    print(
        f"   {label:<24} {rate:5.0f} alerts/s with an acknowledgement each "
        f"({2 * rate:5.0f} writes/s){target}"
    )
    print(
        f"   {'':<24} in the database: {events} events, {acks} acknowledgements, "
        f"{entries} log entries; lost: {lost}"
    )
    print(
        f"   {'':<24} CPU per alert: server {1000 * server_cpu / answered:.2f} ms, "
        f"load client {1000 * client_cpu / answered:.2f} ms"
    )
    print(
        f"   {'':<24} baseline bare commits {bare_rate[0]:5.0f}/s; an eocnet write costs "
        f"{bare_rate[0] / (2 * rate):4.1f}x a bare commit"
    )


def run() -> None:
    for backend in ("sqlite", "postgresql"):
        bare_rate: list[float] = []
        for workers in (1, 2):
            _one(backend, workers, bare_rate)
