"""The database handle: one engine, read sessions, and serialised write transactions.

Writes go through :meth:`Database.write`. On SQLite it takes a process-wide lock,
then a lock file beside the database (so that writers in other processes queue for
their turn), and opens the transaction with ``BEGIN IMMEDIATE``: one writer at a
time. A write nested in a write of the same thread is refused rather than left to
wait for itself. On PostgreSQL, writes that
append to the ordered logs (audit trail, event stream) take a transaction-scoped
advisory lock, so log ids become visible in the order they were assigned.
Callbacks registered with :func:`after_commit` run only once the commit is
durable and never after a rollback.
"""

from __future__ import annotations

import fcntl
import os
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.orm import Session, sessionmaker

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
    def write(self, *, locked: bool = False) -> Iterator[Session]:
        """One write transaction: committed on success, rolled back on any error.

        ``locked`` says the caller already holds the writers' lock
        (:meth:`lock_writers`) and will release it."""
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
        """The writers' lock, taken by another thread, is used by this one from now on
        (the group writer waits for it in a worker thread and writes on the event loop)."""
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
