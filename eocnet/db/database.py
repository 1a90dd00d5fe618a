"""The database handle: one engine, read sessions, and the one write door.

Every write goes through :meth:`Database.run` (async callers) or
:meth:`Database.run_sync` (the CLI, jobs, tests, thread-pool handlers): the job is
handed to the handle's writer thread (:mod:`eocnet.db.writer`), which group-commits
whatever has queued. The writer's transaction (:meth:`Database.transaction`) takes a
process-wide lock and on SQLite a lock file beside the database (so that writers in
other processes queue for their turn), and opens with ``BEGIN IMMEDIATE``: one
writer at a time. No transaction is ever opened on a thread that runs an event loop:
the loop would stop for every other request while it waits. On PostgreSQL, writes that
append to the ordered logs (audit trail, event stream) take a transaction-scoped
advisory lock, so log ids become visible in the order they were assigned.
Callbacks registered with :func:`after_commit` run only once the commit is
durable and never after a rollback.
"""

from __future__ import annotations

import asyncio
import fcntl
import os
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.orm import Session, sessionmaker

from eocnet.db.writer import LoopBatches, WriteDoor, _Queued

T = TypeVar("T")

#: Key of the PostgreSQL advisory lock that orders appends to the logs.
LOG_LOCK_KEY = 0x0E0C_4E70

AfterCommit = Callable[[], None]

#: The SQLite lock files held in this process, and by which thread (see lock_writers).
_HOLDERS: set[tuple[str, int]] = set()


def _configure_sqlite(engine: Engine, synchronous: str) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy's "begin" event (below) emit BEGIN itself.
        dbapi_connection.isolation_level = None
        cur = dbapi_connection.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute(f"PRAGMA synchronous={synchronous}")
        cur.execute("PRAGMA foreign_keys=ON")
        # deleted content is overwritten, not left in free pages (purged personal data)
        cur.execute("PRAGMA secure_delete=ON")
        cur.execute("PRAGMA busy_timeout=30000")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        if conn.get_execution_options().get("eocnet_write"):
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        else:
            conn.exec_driver_sql("BEGIN")


def _sqlite_lock_path(url: str) -> str | None:
    """The writers' lock file of a SQLite database file (None in memory)."""
    path = url.split("///", 1)[1] if "///" in url else ""
    if not path or path == ":memory:" or path.startswith("file:"):
        return None
    return path + "-writer.lock"


def make_engine(url: str, *, sqlite_synchronous: str = "FULL", pool_size: int = 10) -> Engine:
    if url.startswith("sqlite"):
        path = url.split("///", 1)[1] if "///" in url else ""
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(
            url,
            connect_args={"check_same_thread": False, "timeout": 30},
            pool_size=pool_size,
            max_overflow=20,
        )
        _configure_sqlite(engine, sqlite_synchronous)
        return engine
    return create_engine(url, pool_size=pool_size, max_overflow=20, pool_pre_ping=True)


class Database:
    def __init__(self, url: str, *, sqlite_synchronous: str = "FULL", pool_size: int = 10):
        self.url = url
        self.engine = make_engine(url, sqlite_synchronous=sqlite_synchronous, pool_size=pool_size)
        self.is_sqlite = self.engine.dialect.name == "sqlite"
        self._write_lock = threading.Lock()
        #: On a SQLite file, a lock file beside it that orders writers across processes
        #: (several server workers, the command line, a jobs process): a blocking
        #: flock() hands the database over the moment it is released, where SQLite's
        #: own busy handler would sleep and retry.
        self._lock_path = _sqlite_lock_path(url) if self.is_sqlite else None
        self._lock_fd: int | None = None
        #: (lock file, thread) while this handle holds the lock file.
        self._lock_holder: tuple[str, int] | None = None
        self._reads = sessionmaker(self.engine, expire_on_commit=False, autoflush=False)
        self._writes = sessionmaker(
            self.engine.execution_options(eocnet_write=True), expire_on_commit=False
        )
        #: Called with the id of each new stream entry, after its transaction commits.
        self.stream_listeners: list[Callable[[int], None]] = []
        #: The writer thread and its queue: the one way in for every write.
        self.door = WriteDoor(self)
        #: Async callers' small jobs, batched on their own event loop (see LoopBatches).
        self._loop_batches: dict[int, LoopBatches] = {}

    async def run(
        self, fn: Callable[..., T], /, *args: Any, alone: bool = False, **kwargs: Any
    ) -> T:
        """Run ``fn(session, *args, **kwargs)`` in the next write transaction and
        return its result once that transaction has committed durably.

        The event loop goes on serving while the writer thread works. ``alone`` runs
        the job in a transaction of its own (large uploads, report builds, purges)."""
        if alone:
            future = self.door.submit(fn, args, kwargs, alone=True)
            result: T = await asyncio.wrap_future(future)
            return result
        loop = asyncio.get_running_loop()
        batches = self._loop_batches.get(id(loop))
        if batches is None:
            batches = self._loop_batches[id(loop)] = LoopBatches(self)
        done: T = await batches.run(_Queued(fn, args, kwargs, False))
        return done

    def write_counts(self) -> tuple[int, int]:
        """Transactions committed and jobs run through the door so far, by the writer
        thread and the loops' batches together (for the benchmarks and the tests)."""
        batches = self.door.batches + sum(b.batches for b in self._loop_batches.values())
        jobs = self.door.jobs + sum(b.jobs for b in self._loop_batches.values())
        return batches, jobs

    def run_sync(
        self, fn: Callable[..., T], /, *args: Any, alone: bool = False, **kwargs: Any
    ) -> T:
        """:meth:`run` for code without an event loop (CLI, jobs, tests, thread-pool
        handlers): waits for the commit in this thread. Refused on a thread that runs
        an event loop, which must ``await db.run(...)`` instead."""
        _refuse_event_loop("db.run_sync", fn)
        result: T = self.door.submit(fn, args, kwargs, alone=alone).result()
        return result

    def checkpoint_wal(self) -> bool:
        """SQLite: copy the write-ahead log into the database file and empty it, so
        that what was just deleted (purged keys and ciphertexts) leaves the files now,
        not at the next automatic checkpoint. True if the log was emptied (a reader
        still on an older snapshot can prevent it); nothing to do on PostgreSQL."""
        if not self.is_sqlite:
            return True
        raw = self.engine.raw_connection()
        try:
            cursor = raw.cursor()
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            result = cursor.fetchone()
            busy = bool(result and result[0])
            cursor.close()
        finally:
            raw.close()
        return not busy

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A read-only session over one consistent snapshot."""
        session = self._reads()
        try:
            yield session
        finally:
            # close() ends the transaction and detaches objects with their loaded state
            # (a rollback() first would expire them and make them unusable afterwards).
            session.close()

    @contextmanager
    def transaction(self, *, locked: bool = False, door: bool = False) -> Iterator[Session]:
        """One write transaction: committed on success, rolled back on any error.

        The writer thread's own primitive: the application hands a job to :meth:`run`
        or :meth:`run_sync` (a test checks that nothing in ``eocnet`` outside ``db/``
        opens one); tests and benchmarks use it to set up data. ``locked`` says the
        caller already holds the writers' lock (:meth:`lock_writers`) and will release
        it. ``door`` is the door's own batch on the event loop, with the lock taken in
        a worker thread beforehand."""
        if not door:
            _refuse_event_loop("a write transaction")
        callbacks: list[AfterCommit] = []
        if not locked:
            self.lock_writers()
        try:
            session = self._writes()
            session.info["after_commit"] = callbacks
            session.info["database"] = self
            try:
                yield session
                session.commit()
            except BaseException:
                session.rollback()
                raise
            finally:
                session.close()
        finally:
            if not locked:
                self.unlock_writers()
        for callback in callbacks:
            callback()

    def lock_writers(self) -> None:
        """Wait for the turn to write (SQLite: this process's writers, then the other
        processes' through the lock file). PostgreSQL needs no lock of its own."""
        if not self.is_sqlite:
            return
        if self._lock_path is not None and (self._lock_path, threading.get_ident()) in _HOLDERS:
            # This thread already writes to this file (through this handle or another):
            # waiting would never end.
            raise RuntimeError(
                f"this thread is already writing to {self._lock_path}; a write inside "
                "a write would wait for itself forever"
            )
        self._write_lock.acquire()
        try:
            self._lock_other_processes()
        except BaseException:
            self._write_lock.release()
            raise

    def hand_over_writers(self) -> None:
        """The writers' lock, taken by a worker thread, is used by this thread from now
        on (the loop's batches wait for it in a thread and write on the loop)."""
        if self._lock_holder is not None:
            _HOLDERS.discard(self._lock_holder)
            self._lock_holder = (self._lock_holder[0], threading.get_ident())
            _HOLDERS.add(self._lock_holder)

    def unlock_writers(self) -> None:
        if not self.is_sqlite:
            return
        if self._lock_fd is not None and self._lock_holder is not None:
            fcntl.flock(self._lock_fd, fcntl.LOCK_UN)
            _HOLDERS.discard(self._lock_holder)
            self._lock_holder = None
        self._write_lock.release()

    def _lock_other_processes(self) -> None:
        if self._lock_path is None:
            return
        holder = (self._lock_path, threading.get_ident())
        if self._lock_fd is None:
            self._lock_fd = os.open(self._lock_path, os.O_RDWR | os.O_CREAT, 0o600)
        fcntl.flock(self._lock_fd, fcntl.LOCK_EX)
        _HOLDERS.add(holder)
        self._lock_holder = holder

    def dispose(self) -> None:
        self.door.stop()
        self.engine.dispose()
        if self._lock_fd is not None:
            os.close(self._lock_fd)
            self._lock_fd = None


def after_commit(session: Session, callback: AfterCommit) -> None:
    """Run ``callback`` after this write session commits (never if it rolls back)."""
    session.info.setdefault("after_commit", []).append(callback)


def lock_logs(session: Session) -> None:
    """Serialise appends to the ordered logs until this transaction ends."""
    if session.info.get("logs_locked"):
        return
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": LOG_LOCK_KEY})
    session.info["logs_locked"] = True


def _refuse_event_loop(what: str, fn: Callable[..., Any] | None = None) -> None:
    """Raise if this thread runs an event loop: a write there would stop the loop
    (and with it every request, stream and health check) until the lock is free."""
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:
        return
    if asyncio.current_task(loop) is None:
        # A loop parked in another greenlet of this thread (Playwright's sync API
        # runs one so): the code here is not running on it.
        return
    raise RuntimeError(
        f"{what} was started on the event loop's thread by {_caller(fn)}: "
        "the loop would stop while it waits for the lock; use 'await db.run(job)'"
    )


def _caller(fn: Callable[..., Any] | None) -> str:
    """The code that asked for the write: the job, or the first frame outside this
    module and contextlib."""
    if fn is not None:
        return f"{getattr(fn, '__module__', '')}.{getattr(fn, '__qualname__', repr(fn))}"
    frame = sys._getframe(1)
    while frame is not None and (
        frame.f_code.co_filename == __file__ or "contextlib" in frame.f_code.co_filename
    ):
        frame = frame.f_back  # type: ignore[assignment]
    if frame is None:
        return "unknown code"
    return f"{frame.f_code.co_filename}:{frame.f_lineno} ({frame.f_code.co_name})"
