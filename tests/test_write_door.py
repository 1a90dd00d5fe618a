"""The write door (db/writer.py): group commit on the writer thread, the event loop
never writing, the writers' lock file and several server processes."""

from __future__ import annotations

import ast
import asyncio
import os
import threading
import time
from collections.abc import Callable, Coroutine
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx2 as httpx
import pytest
from sqlalchemy import func, select

from eocnet.actions import audit
from eocnet.actions.errors import Invalid
from eocnet.db import migrate
from eocnet.db.database import Database
from eocnet.db.models import AuditEntry, Event
from eocnet.realtime.log import Audience, publish
from tests.live import LiveServer, children, collect

EVERYONE = Audience("network", "IDN")


def _run(make: Callable[[], Coroutine[Any, Any, Any]]) -> Any:
    """Run a coroutine on an event loop of its own thread (the browser tests' sync
    Playwright keeps a loop running in the main thread)."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(lambda: asyncio.run(make())).result()


def _audited(db: Database, action: str) -> int:
    with db.read() as s:
        return s.execute(
            select(func.count()).select_from(AuditEntry).where(AuditEntry.action == action)
        ).scalar_one()


class _Gate:
    """A job that holds the writer thread (and on SQLite the writers' lock) until
    released, so that the jobs queued meanwhile are known to be waiting together."""

    def __init__(self, db: Database):
        self.started, self.release = threading.Event(), threading.Event()
        self.future = db.door.submit(self._hold, (), {})
        assert self.started.wait(10)

    def _hold(self, session) -> None:
        self.started.set()
        assert self.release.wait(10)

    def open(self) -> None:
        self.release.set()
        self.future.result(10)


def test_concurrent_jobs_share_one_commit(db):
    def job(session, i: int):
        audit.record(session, None, "test.grouped", "n", i)
        return i * 10

    async def main():
        gate = _Gate(db)
        before = db.write_counts()
        tasks = [asyncio.ensure_future(db.run(job, i)) for i in range(10)]
        await asyncio.sleep(0.05)  # every job queued behind the gate
        await asyncio.to_thread(gate.open)
        results = await asyncio.gather(*tasks)
        after = db.write_counts()
        return results, (after[0] - before[0], after[1] - before[1])

    results, (batches, jobs) = _run(main)
    assert results == [i * 10 for i in range(10)]
    assert (batches, jobs) == (2, 11)  # the gate's own transaction, then one for all ten
    assert _audited(db, "test.grouped") == 10
    with db.read() as s:
        assert audit.verify_chain(s).intact


def test_a_failing_job_loses_only_its_own_work(db):
    woken: list[int] = []
    db.stream_listeners.append(woken.append)

    def good(session, name):
        audit.record(session, None, "test.kept", "n", name)
        return publish(session, "rumour.logged", EVERYONE, {"id": 1, "country": "", "claim": name})

    def bad(session):
        audit.record(session, None, "test.lost", "n", "bad")
        publish(session, "rumour.logged", EVERYONE, {"id": 2, "country": "", "claim": "lost"})
        raise Invalid("no", field="name")

    async def main():
        batches = db.write_counts()[0]
        gate = _Gate(db)  # on SQLite it holds the lock; PostgreSQL writes alongside
        tasks = [
            asyncio.ensure_future(db.run(good, "a")),
            asyncio.ensure_future(db.run(bad)),
            asyncio.ensure_future(db.run(good, "b")),
        ]
        await asyncio.sleep(0.05)
        await asyncio.to_thread(gate.open)
        results = await asyncio.gather(*tasks, return_exceptions=True)
        return results, db.write_counts()[0] - batches

    try:
        (first, failure, second), batches = _run(main)
    finally:
        db.stream_listeners.remove(woken.append)
    assert isinstance(failure, Invalid) and failure.field == "name"
    assert batches == 2  # the gate's, then the three jobs together
    assert _audited(db, "test.kept") == 2 and _audited(db, "test.lost") == 0
    # only the kept jobs' log entries wake the live streams, after the commit
    assert woken == [first, second]
    with db.read() as s:
        assert audit.verify_chain(s).intact


def test_a_large_job_runs_in_a_transaction_of_its_own(db):
    """A job flagged ``alone`` neither joins the small jobs queued beside it nor
    takes them down with it when it fails."""
    batch_of: dict[str, int] = {}

    def small(session, name):
        batch_of[name] = db.door.batches  # transactions committed before this one
        audit.record(session, None, "test.small", "n", name)

    def large(session):
        batch_of["large"] = db.door.batches
        audit.record(session, None, "test.large", "n", 1)
        raise Invalid("too big", field="file")

    gate = _Gate(db)
    futures = [
        db.door.submit(small, ("a",), {}),
        db.door.submit(small, ("b",), {}),
        db.door.submit(large, (), {}, alone=True),
        db.door.submit(small, ("c",), {}),
    ]
    gate.open()
    with pytest.raises(Invalid):
        futures[2].result(10)
    for future in (futures[0], futures[1], futures[3]):
        future.result(10)
    assert batch_of["a"] == batch_of["b"]  # queued together: one transaction
    assert batch_of["large"] == batch_of["c"] == batch_of["a"] + 1  # the failed one counts none
    assert _audited(db, "test.small") == 3 and _audited(db, "test.large") == 0


def test_a_job_alone_runs_without_a_savepoint_and_still_fails_cleanly(db):
    def bad(session):
        audit.record(session, None, "test.alone", "n", 1)
        raise Invalid("refused", field="title")

    with pytest.raises(Invalid):
        _run(lambda: db.run(bad))
    with pytest.raises(Invalid):
        db.run_sync(bad)
    assert _audited(db, "test.alone") == 0


def test_the_event_loop_never_opens_a_write_transaction(db):
    """A coroutine that writes by itself instead of through the door is refused at
    once, naming the caller, instead of stopping the loop while it waits for the lock."""

    async def writes_on_the_loop():
        with db.transaction() as session:
            audit.record(session, None, "test.on_loop", "n", 1)

    async def run_sync_on_the_loop():
        db.run_sync(lambda s: audit.record(s, None, "test.on_loop", "n", 2))

    with pytest.raises(RuntimeError, match=r"event loop.*writes_on_the_loop"):
        _run(writes_on_the_loop)
    with pytest.raises(RuntimeError, match=r"event loop.*run_sync_on_the_loop"):
        _run(run_sync_on_the_loop)
    assert _audited(db, "test.on_loop") == 0


def test_the_loop_keeps_serving_while_the_writer_waits_for_the_lock(tmp_path):
    """The hang of two doors: a writer in another process holds the lock file; a job
    queued meanwhile waits in the writer thread while the event loop goes on."""
    url = f"sqlite:///{tmp_path}/eocnet.db"
    migrate.upgrade(url)
    other, db = Database(url), Database(url)
    waited = threading.Event()

    async def main():
        task = asyncio.ensure_future(
            db.run(lambda s: audit.record(s, None, "test.waiting", "n", 2))
        )
        for _ in range(20):  # the loop keeps turning while the job waits for the lock
            await asyncio.sleep(0.01)
        assert not task.done()
        waited.set()
        await task

    try:
        with ThreadPoolExecutor(1) as pool:
            with other.transaction() as session:  # another process's writer, holding the lock
                audit.record(session, None, "test.other", "n", 1)
                done = pool.submit(asyncio.run, main())
                assert waited.wait(10)
            done.result(10)  # the other writer committed: the queued job went through
        assert _audited(db, "test.waiting") == 1 and _audited(db, "test.other") == 1
    finally:
        other.dispose()
        db.dispose()


def test_writers_in_other_processes_wait_on_the_lock_file(tmp_path):
    """Two handles on one SQLite file (as two processes have): the second writer waits
    for the first to commit, and then goes straight on (no busy-retry sleeping).
    On its own SQLite file whatever the suite's backend: the lock file is SQLite's."""
    url = f"sqlite:///{tmp_path}/eocnet.db"
    migrate.upgrade(url)
    first, second = Database(url), Database(url)
    path = tmp_path / "eocnet.db-writer.lock"
    order: list[str] = []
    try:
        with first.transaction() as session:
            audit.record(session, None, "test.first", "n", 1)
            assert path.exists()

            def other() -> None:
                with second.transaction() as s:
                    order.append("second")
                    audit.record(s, None, "test.second", "n", 2)

            thread = threading.Thread(target=other)
            thread.start()
            time.sleep(0.3)
            order.append("first")
        thread.join(10)
        assert order == ["first", "second"]
        with second.read() as s:
            assert audit.verify_chain(s).intact
    finally:
        first.dispose()
        second.dispose()


def test_a_nested_write_through_a_second_handle_is_an_error_not_a_hang(tmp_path):
    url = f"sqlite:///{tmp_path}/eocnet.db"
    migrate.upgrade(url)
    first, second = Database(url), Database(url)
    try:
        with first.transaction() as session:
            audit.record(session, None, "test.outer", "n", 1)
            with pytest.raises(RuntimeError, match="wait for itself"), second.transaction():
                pass
        with second.transaction() as session:  # released properly: the next write goes ahead
            audit.record(session, None, "test.after", "n", 2)
        assert _audited(second, "test.outer") == 1 and _audited(second, "test.after") == 1
    finally:
        first.dispose()
        second.dispose()


def test_a_job_that_opens_its_own_write_fails_instead_of_stopping_the_server(tmp_path):
    """A job runs on the writer thread inside the batch's transaction; a write of its
    own would wait for the batch to end, and the batch for the job."""
    url = f"sqlite:///{tmp_path}/eocnet.db"
    migrate.upgrade(url)
    db = Database(url)

    def nested(session):
        db.run_sync(lambda inner: audit.record(inner, None, "test.nested", "n", 1))

    def nested_transaction(session):
        with db.transaction() as inner:
            audit.record(inner, None, "test.nested", "n", 1)

    try:
        # from a batch on the event loop the nested write is refused as a write on the
        # loop; from the writer thread as a write that would wait for itself
        with pytest.raises(RuntimeError, match=r"wait for itself|event loop"):
            _run(lambda: db.run(nested))
        with pytest.raises(RuntimeError, match="wait for itself"):
            db.run_sync(nested_transaction)
        assert db.run_sync(lambda s: audit.record(s, None, "test.next", "n", 2))
        assert _audited(db, "test.nested") == 0 and _audited(db, "test.next") == 1
    finally:
        db.dispose()


def test_several_server_processes_share_the_port_and_the_stream(db, database_url, make_person):
    """`eocnet serve --workers 2`: alerts posted over fresh connections (spread over the
    processes by the kernel) are all stored, acknowledged and streamed to a subscriber
    on one of them; stopping the server stops its processes."""
    idn, tha = make_person("IDN", "officer"), make_person("THA", "officer")
    server = LiveServer(database_url, workers=2)
    assert server.proc is not None
    workers = [p for p in children(server.proc.pid) if Path(f"/proc/{p}/cmdline").exists()]
    try:
        ready = collect(server.url, tha.headers, until=lambda es: es[-1].event == "ready")
        start = ready[-1].id
        got: list = []
        listener = threading.Thread(
            target=lambda: got.extend(
                collect(
                    server.url,
                    {**tha.headers, "Last-Event-ID": str(start)},
                    until=lambda es: sum(e.event == "event.acknowledged" for e in es) >= 6,
                    timeout=20,
                )
            )
        )
        listener.start()
        ids = []
        for i in range(6):
            with httpx.Client(base_url=server.url) as client:  # a new connection each
                r = client.post(
                    "/api/v1/events",
                    headers=idn.headers,
                    json={
                        "title": f"alert {i}",
                        "hazard": "Measles",
                        "country": "IDN",
                        "alert": True,
                        "alert_reasons": ["serious", "may_spread_to_other_countries"],
                    },
                )
                assert r.status_code == 201, r.text
                ids.append(r.json()["id"])
                r = client.post(f"/api/v1/events/{ids[-1]}/acknowledgements", headers=tha.headers)
                assert r.status_code == 201, r.text
        listener.join(25)
        assert sorted(e.data["id"] for e in got if e.event == "event.created") == ids
        assert sorted(e.data["event_id"] for e in got if e.event == "event.acknowledged") == ids
        with db.read() as s:
            assert s.execute(select(func.count()).select_from(Event)).scalar_one() == 6
    finally:
        server.stop()
    assert len(workers) >= 2
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and any(os.path.exists(f"/proc/{p}") for p in workers):
        time.sleep(0.1)
    assert not any(os.path.exists(f"/proc/{p}") for p in workers)


def test_nothing_in_the_application_opens_a_transaction_but_the_door():
    """Every write of eocnet is a job handed to db.run / db.run_sync: no module outside
    db/ opens a write transaction, takes the writers' lock, commits or rolls back."""
    root = Path(__file__).parent.parent / "eocnet"
    forbidden = {"transaction", "write", "lock_writers", "unlock_writers", "commit", "rollback"}
    found = []
    for path in sorted(root.rglob("*.py")):
        if path.parent.name == "db" or "migrations" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr in forbidden
                and not node.args
                and not node.keywords
            ):
                found.append(f"{path.relative_to(root.parent)}:{node.lineno} .{node.func.attr}()")
    assert found == []
