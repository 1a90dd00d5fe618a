"""Group commit: the busiest writes run several to a transaction, on the event loop.

Posting and acknowledging alerts are small writes that arrive in bursts. Run one
per request in the thread pool, each pays a thread hop, a transaction and a durable
commit of its own, the threads fight over the interpreter lock while one of them
holds the database's write lock, and with SQLite's single writer the requests queue
on that lock anyway. The :class:`GroupWriter` instead collects the write jobs of
concurrent requests and runs whatever has queued up (up to ``max_batch``) in one
transaction, each job inside its own savepoint, with one commit:

* the wait for the turn to write happens in a worker thread, so the event loop goes
  on reading requests (and queueing more jobs) meanwhile; once the turn has come the
  batch runs on the event loop itself, so no other thread of this process competes
  with it for the interpreter while it holds the database;
* a job that fails rolls back to its savepoint only; its caller gets the error and
  the others are unaffected;
* a caller's answer is released only after the commit is durable, so an answer
  never announces a write that could still be lost;
* after-commit callbacks (stream wake-ups) run only for jobs that kept their work;
* if the commit itself fails, every caller in the batch gets the error.

A job is a plain function of the write session, written like any other code in
``actions/`` (the rules of :meth:`Database.write` hold: one transaction, the log
locks, the audit trail). Jobs must be short: they block the event loop while they
run, as the rest of a request's work on the loop does.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any, TypeVar

from sqlalchemy.orm import Session

from eocnet.db.database import Database, lock_logs

log = logging.getLogger(__name__)

T = TypeVar("T")
Job = Callable[[Session], Any]


class GroupWriter:
    def __init__(self, db: Database, max_batch: int = 64):
        self.db = db
        self.max_batch = max_batch
        self._pending: list[tuple[Job, asyncio.Future[Any]]] = []
        self._drainer: asyncio.Task[None] | None = None
        #: Transactions committed and jobs run, for the benchmark and the tests.
        self.batches = 0
        self.jobs = 0

    async def run(self, job: Callable[[Session], T]) -> T:
        """Run ``job`` in the next transaction; its result once that has committed."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[T] = loop.create_future()
        self._pending.append((job, future))
        if self._drainer is None or self._drainer.done():
            self._drainer = loop.create_task(self._drain(), name="eocnet-group-writer")
        return await future

    async def stop(self) -> None:
        """Wait for the queued jobs to finish (called at shutdown)."""
        if self._drainer is not None:
            await asyncio.shield(self._drainer)

    async def _drain(self) -> None:
        while self._pending:
            # Never cancelled half-way: the lock is taken in a thread and must be
            # released here, whatever happens to the requests that are waiting.
            await asyncio.shield(asyncio.to_thread(self.db.lock_writers))
            self.db.hand_over_writers()
            try:
                batch = self._pending[: self.max_batch]
                del self._pending[: self.max_batch]
                batch = [(job, f) for job, f in batch if not f.done()]  # caller gone
                if batch:
                    self._run(batch)
            finally:
                self.db.unlock_writers()

    def _run(self, batch: list[tuple[Job, asyncio.Future[Any]]]) -> None:
        if len(batch) == 1:
            job, future = batch[0]
            try:
                with self.db.write(locked=True) as session:
                    result = job(session)
            except Exception as exc:
                future.set_exception(exc)
            else:
                self._count(1)
                future.set_result(result)
            return
        outcomes: list[tuple[asyncio.Future[Any], Any, BaseException | None]] = []
        try:
            with self.db.write(locked=True) as session:
                # Before any savepoint: on PostgreSQL a lock taken inside a savepoint
                # that rolls back would be released with it.
                lock_logs(session)
                kept: list[Callable[[], None]] = session.info["after_commit"]
                for job, future in batch:
                    callbacks: list[Callable[[], None]] = []
                    session.info["after_commit"] = callbacks
                    try:
                        with session.begin_nested():
                            result = job(session)
                    except Exception as exc:  # the job's own work is rolled back
                        outcomes.append((future, None, exc))
                    else:
                        outcomes.append((future, result, None))
                        kept.extend(callbacks)
                session.info["after_commit"] = kept
        except Exception as exc:  # the commit failed: nothing of the batch is kept
            log.warning("a group commit of %d writes failed", len(batch), exc_info=True)
            for _, future in batch:
                if not future.done():
                    future.set_exception(exc)
            return
        self._count(len(outcomes))
        for future, result, error in outcomes:
            if future.done():
                continue
            if error is None:
                future.set_result(result)
            else:
                future.set_exception(error)

    def _count(self, jobs: int) -> None:
        self.batches += 1
        self.jobs += jobs
