"""Sustained alert posting with acknowledgements, on SQLite and PostgreSQL: alerts per
second through the HTTP API with nothing lost (target >= 500/s on SQLite).

Each alert is two requests from 32 keep-alive connections: post it, then acknowledge
it as another party. The server is `eocnet serve` with one process, then with two
(one per core of the 2-core machine the target was set on). Afterwards the events,
acknowledgements and log entries are counted: nothing may be lost.

Baselines measured in the same run:
- bare one-row durable commits on the same database (the floor any durable write pays):
  the target is >= 0.5 x that rate for alerts with their acknowledgement, two SQLite
  processes;
- a minimal endpoint on the same stack (uvicorn, FastAPI, the write door) inserting one
  row per request (bench/minimal_app.py): the server CPU per alert against it shows
  what eocnet's work per alert (token lookup, checks, audit, log, search) costs;
- the code before the one write door (git ref EOCNET_BENCH_BASELINE, default 4f367ce,
  checked out in a temporary worktree and served from it with its own migrations),
  when git has it: one process must not fall behind it.
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from sqlalchemy import func, select, text

from bench.common import temporary_database
from bench.common_live import Caller, make_caller, serving, tree_cpu_seconds
from bench.load_client import Connection
from eocnet.db.database import Database
from eocnet.db.models import Acknowledgement, Event, StreamEntry
from tests.live import free_port

ALERTS = int(os.environ.get("EOCNET_BENCH_ALERTS", "3000"))
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


def _callers_with(tree: Path | None, url: str) -> tuple[Caller, list[Caller]]:
    """The poster and the acknowledging parties' tokens, made by the code that serves."""
    parties = ("THA", "KHM", "VNM", "MYS")
    if tree is None:
        db = Database(url)
        poster = make_caller(db, "poster@idn.example", "IDN", ["officer"])
        ackers = [make_caller(db, f"ack@{c.lower()}.example", c, ["officer"]) for c in parties]
        db.dispose()
        return poster, ackers
    made = subprocess.run(
        [sys.executable, "-c", _OLD_SETUP, url, "IDN", *parties],
        env={**os.environ, "PYTHONPATH": str(tree)},
        cwd=tree,  # `python -c` puts its folder first on the path
        capture_output=True,
        text=True,
        check=True,
    )
    tokens = json.loads(made.stdout.strip().splitlines()[-1])
    callers = [Caller(email, party, token) for email, party, token in tokens]
    return callers[0], callers[1:]


#: Run with the baseline tree first on the path: migrate with its own migrations, load
#: the directory and make the callers with its own actions.
_OLD_SETUP = """
import json, sys
from eocnet.actions import directory, tokens, users
from eocnet.db import migrate
from eocnet.db.database import Database
url, parties = sys.argv[1], sys.argv[2:]
migrate.upgrade(url)
db = Database(url)
out = []
with db.write() as session:
    directory.load_network(session, None, directory.read_network_file(directory.DEFAULT_NETWORK))
    for i, party in enumerate(parties):
        email = ("poster@" if i == 0 else "ack@") + party.lower() + ".example"
        user = users.create_user(session, None, email=email, party_code=party,
                                 roles=["officer"], password="benchmark password 1")
        _, raw = tokens.create_token(session, None, user, scope="write")
        out.append([email, party, raw])
db.dispose()
print(json.dumps(out))
"""


def _baseline_tree() -> Path | None:
    """A worktree of the code before the write door, or None (no git, no such ref)."""
    ref = os.environ.get("EOCNET_BENCH_BASELINE", "4f367ce")
    root = Path(__file__).resolve().parent.parent
    try:
        commit = subprocess.run(
            ["git", "-C", str(root), "rev-parse", "--verify", f"{ref}^{{commit}}"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return None
    tree = Path(tempfile.gettempdir()) / f"eocnet-baseline-{commit[:12]}"
    if not (tree / "eocnet").is_dir():
        subprocess.run(
            ["git", "-C", str(root), "worktree", "add", "--force", "--detach", str(tree), commit],
            capture_output=True,
            check=True,
        )
    return tree


def _empty_database(backend: str) -> Any:
    """A database the baseline's own code migrates (temporary_database would migrate it
    with today's migrations)."""
    from contextlib import contextmanager

    import psycopg

    from bench.common import PG_ADMIN

    @contextmanager
    def make() -> Any:
        if backend == "postgresql":
            name = f"eocnet_bench_old_{os.getpid()}"
            with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
                conn.execute(f'CREATE DATABASE "{name}"')
            try:
                yield (
                    PG_ADMIN.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://")
                    + "/"
                    + name
                )
            finally:
                with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
                    conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        else:
            with tempfile.TemporaryDirectory() as tmp:
                yield f"sqlite:///{tmp}/bench.db"

    return make()


def _measure(backend: str, workers: int, tree: Path | None = None) -> tuple[float, float, int]:
    """Alerts per second, server CPU seconds per alert, and what was lost."""
    database = temporary_database(backend) if tree is None else _empty_database(backend)
    env = {} if tree is None else {"PYTHONPATH": str(tree)}
    cwd = None if tree is None else str(tree)
    with database as url:
        poster, ackers = _callers_with(tree, url)
        with serving(url, cwd=cwd, **env):
            pass  # warm the import caches of the server start-up
        with serving(url, workers=workers, cwd=cwd, **env) as server:
            assert server.proc is not None
            server_cpu = tree_cpu_seconds(server.proc.pid)
            elapsed, answered = asyncio.run(_post_all(server.url, poster, ackers))
            server_cpu = tree_cpu_seconds(server.proc.pid) - server_cpu
        db = Database(url)
        with db.read() as s:
            events = s.execute(select(func.count()).select_from(Event)).scalar_one()
            acks = s.execute(select(func.count()).select_from(Acknowledgement)).scalar_one()
            entries = s.execute(
                select(func.count())
                .select_from(StreamEntry)
                .where(StreamEntry.kind.in_(("event.created", "event.acknowledged")))
            ).scalar_one()
        db.dispose()
    lost = (ALERTS - events) + (ALERTS - acks) + (2 * ALERTS - entries)
    return answered / elapsed, server_cpu / answered, lost


async def _insert_all(url: str, n: int) -> float:
    queue: asyncio.Queue[int] = asyncio.Queue()
    for i in range(n):
        queue.put_nowait(i)

    async def worker() -> None:
        async with Connection(url) as connection:
            while True:
                try:
                    i = queue.get_nowait()
                except asyncio.QueueEmpty:
                    return
                r = await connection.request("POST", "/insert", {}, {"title": f"row {i}"})
                assert r.status == 201, r.body

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(CLIENTS)))
    return time.perf_counter() - started


def _minimal_endpoint(backend: str) -> tuple[float, float]:
    """Requests per second and server CPU seconds per request of bench/minimal_app.py."""
    with temporary_database(backend) as url:
        db = Database(url)
        key = "INTEGER PRIMARY KEY" if db.is_sqlite else "BIGSERIAL PRIMARY KEY"
        with db.transaction() as session:
            session.execute(text(f"CREATE TABLE bench_minimal (id {key}, v TEXT)"))
        db.dispose()
        port = free_port()
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "uvicorn",
                "bench.minimal_app:app",
                "--port",
                str(port),
                "--log-level",
                "warning",
                "--no-access-log",
            ],
            env={**os.environ, "EOCNET_DATABASE_URL": url},
            cwd=Path(__file__).resolve().parent.parent,
        )
        try:
            base = f"http://127.0.0.1:{port}"
            deadline = time.monotonic() + 60
            while True:
                try:
                    import httpx2 as httpx

                    if httpx.get(base + "/healthz", timeout=1).status_code == 200:
                        break
                except Exception:
                    if time.monotonic() > deadline:
                        raise
                    time.sleep(0.1)
            cpu = tree_cpu_seconds(proc.pid)
            n = 2 * ALERTS
            elapsed = asyncio.run(_insert_all(base, n))
            cpu = tree_cpu_seconds(proc.pid) - cpu
        finally:
            proc.terminate()
            proc.wait(10)
    return n / elapsed, cpu / n


def _one(backend: str, workers: int, bare_rate: list[float], minimal: list[float]) -> float:
    rate, cpu_per_alert, lost = _measure(backend, workers)
    if not bare_rate:
        with temporary_database(backend) as url:
            bare_rate.append(2 * ALERTS / _bare_commits(url, ALERTS * 2))
    if not minimal:
        minimal.extend(_minimal_endpoint(backend))
    label = f"{backend}, {workers} process{'es' if workers > 1 else ''}"
    print(
        f"   {label:<24} {rate:5.0f} alerts/s with an acknowledgement each "
        f"({2 * rate:5.0f} writes/s); lost: {lost}"
    )
    ratio = 2 * rate / bare_rate[0]
    goal = ""
    if backend == "sqlite" and workers == 2:
        goal = " (goal >= 0.5: " + ("met" if ratio >= 0.5 else "MISSED") + ")"
    print(
        f"   {'':<24} writes/s {ratio:4.2f}x the bare durable commits ({bare_rate[0]:5.0f}/s){goal}"
    )
    print(
        f"   {'':<24} server CPU per alert {1000 * cpu_per_alert:.2f} ms = "
        f"{cpu_per_alert / (2 * minimal[1]):4.1f}x two requests to a minimal endpoint with one "
        f"durable insert ({1000 * minimal[1]:.2f} ms each, {minimal[0]:5.0f} requests/s)"
    )
    return rate


def run() -> None:
    tree = _baseline_tree()
    two_sqlite = 0.0
    for backend in ("sqlite", "postgresql"):
        bare_rate: list[float] = []
        minimal: list[float] = []
        rates = {workers: _one(backend, workers, bare_rate, minimal) for workers in (1, 2)}
        if tree is None:
            print("   (no baseline: git or EOCNET_BENCH_BASELINE's commit is missing)")
        else:
            old, old_cpu, old_lost = _measure(backend, 1, tree)
            verdict = "no fall" if rates[1] >= 0.95 * old else "FELL"
            print(
                f"   {'':<24} the code before the write door, 1 process: {old:5.0f} alerts/s "
                f"(CPU {1000 * old_cpu:.2f} ms/alert, lost {old_lost}); today "
                f"{rates[1] / old:4.2f}x ({verdict}, 5% noise allowed)"
            )
        if backend == "sqlite":
            two_sqlite = rates[2]
        else:
            verdict = "met" if rates[2] >= two_sqlite else "MISSED"
            print(
                f"   {'':<24} two PostgreSQL processes {rates[2] / two_sqlite:4.2f}x two SQLite "
                f"processes (goal >= 1: {verdict})"
            )
