"""Group commit (db/writer.py), the writers' lock file and several server processes."""

from __future__ import annotations

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
from eocnet.db.writer import GroupWriter
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


def test_concurrent_jobs_share_one_commit(db):
    writer = GroupWriter(db)

    def job(i: int):
        def write(session):
            audit.record(session, None, "test.grouped", "n", i)
            return i * 10

        return write

    async def main():
        return await asyncio.gather(*(writer.run(job(i)) for i in range(10)))

    assert _run(main) == [i * 10 for i in range(10)]
    assert (writer.batches, writer.jobs) == (1, 10)
    assert _audited(db, "test.grouped") == 10
    with db.read() as s:
        assert audit.verify_chain(s).intact


def test_a_failing_job_loses_only_its_own_work(db):
    writer = GroupWriter(db)
    woken: list[int] = []
    db.stream_listeners.append(woken.append)

    def good(name):
        def write(session):
            audit.record(session, None, "test.kept", "n", name)
            return publish(session, "test.kept", EVERYONE, {"name": name})

        return write

    def bad(session):
        audit.record(session, None, "test.lost", "n", "bad")
        publish(session, "test.lost", EVERYONE, {})
        raise Invalid("no", field="name")

    async def main():
        return await asyncio.gather(
            writer.run(good("a")), writer.run(bad), writer.run(good("b")), return_exceptions=True
        )

    try:
        first, failure, second = _run(main)
    finally:
        db.stream_listeners.remove(woken.append)
    assert isinstance(failure, Invalid) and failure.field == "name"
    assert writer.batches == 1
    assert _audited(db, "test.kept") == 2 and _audited(db, "test.lost") == 0
    # only the kept jobs' log entries wake the live streams, after the commit
    assert woken == [first, second]
    with db.read() as s:
        assert audit.verify_chain(s).intact


def test_a_job_alone_runs_without_a_savepoint_and_still_fails_cleanly(db):
    writer = GroupWriter(db)

    def bad(session):
        audit.record(session, None, "test.alone", "n", 1)
        raise Invalid("refused", field="title")

    with pytest.raises(Invalid):
        _run(lambda: writer.run(bad))
    assert _audited(db, "test.alone") == 0


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
        with first.write() as session:
            audit.record(session, None, "test.first", "n", 1)
            assert path.exists()

            def other() -> None:
                with second.write() as s:
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
        with first.write() as session:
            audit.record(session, None, "test.outer", "n", 1)
            with pytest.raises(RuntimeError, match="wait for itself"), second.write():
                pass
        with second.write() as session:  # released properly: the next write goes ahead
            audit.record(session, None, "test.after", "n", 2)
        assert _audited(second, "test.outer") == 1 and _audited(second, "test.after") == 1
    finally:
        first.dispose()
        second.dispose()


def test_a_job_that_opens_its_own_write_fails_instead_of_stopping_the_server(tmp_path):
    """A job runs inside the batch's transaction; a write of its own would wait for
    the batch to end, and the batch for the job."""
    url = f"sqlite:///{tmp_path}/eocnet.db"
    migrate.upgrade(url)
    db = Database(url)
    writer = GroupWriter(db)

    def nested(session):
        with db.write() as inner:
            audit.record(inner, None, "test.nested", "n", 1)

    try:
        with pytest.raises(RuntimeError, match="wait for itself"):
            _run(lambda: writer.run(nested))
        assert _run(lambda: writer.run(lambda s: audit.record(s, None, "test.next", "n", 2)))
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
                        "alert_reasons": ["serious"],
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
