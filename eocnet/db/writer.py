"""The one write door: a writer thread per database handle and batches on the event
loops, group-committing every write.

Every change to stored data is a *job*: a plain function of a write session (usually
calling ``actions/``). Callers hand jobs to :meth:`Database.run` (``await`` it, from
async code) or :meth:`Database.run_sync` (CLI, jobs, tests, thread-pool handlers);
both return the job's result only once its transaction has committed durably.

One thread of the process writes, as Datasette's ``execute_write_fn`` does. It takes
whatever has queued (up to ``max_batch`` jobs) and runs it in one transaction, each
job in its own savepoint, with one commit:

* the event loop never waits on a lock: it only queues the job and awaits a future
  that the writer thread resolves, so the lock the writer takes (the process's, then
  the lock file that orders writer processes on SQLite) can never be held by a thread
  that needs the loop to let it go — the deadlock of two doors is gone by design;
* a job that fails rolls back to its savepoint only; its caller gets the error and the
  others are unaffected;
* a caller's answer is released only after the commit is durable;
* after-commit callbacks (stream wake-ups) run only for jobs that kept their work;
* if the commit itself fails, every caller in the batch gets the error;
* a job flagged ``alone`` (a large upload, a report build, a purge) runs in a
  transaction of its own, so that one big write does not make the small ones that
  queued beside it wait for its commit or share its fate.

The small jobs of async callers are batched the same way on their own event loop
(:class:`LoopBatches`): the turn to write is awaited in a worker thread, then the batch
runs on the loop, which spends less CPU per write than handing it to the writer thread
(the two would take turns for the interpreter). Nothing on a loop ever takes the lock
itself, so this is as safe from the deadlock as the writer thread.

A write inside a job (``run_sync`` from the writer thread, or any write from a batch
on the loop) is refused, since it would wait for itself.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from sqlalchemy.orm import Session

if TYPE_CHECKING:
    from eocnet.db.database import Database

log = logging.getLogger(__name__)

Job = Callable[..., Any]

#: Ident of every writer thread alive in this process (a write from one is nested).
WRITER_THREADS: set[int] = set()


@dataclass(slots=True)
class _Queued:
    fn: Job
    args: tuple[Any, ...]
    kwargs: dict[str, Any]
    alone: bool
    future: Future[Any] = field(default_factory=Future)

    def __call__(self, session: Session) -> Any:
        return self.fn(session, *self.args, **self.kwargs)


class WriteDoor:
    """The writer thread of one :class:`Database` and the queue in front of it."""

    def __init__(self, db: Database, max_batch: int = 64):
        self.db = db
        self.max_batch = max_batch
        self._queue: deque[_Queued] = deque()
        self._ready = threading.Condition()
        self._thread: threading.Thread | None = None
        self._stopping = False
        #: Transactions committed and jobs run, for the benchmark and the tests.
        self.batches = 0
        self.jobs = 0

    def submit(
        self, fn: Job, args: tuple[Any, ...], kwargs: dict[str, Any], *, alone: bool = False
    ) -> Future[Any]:
        """Queue ``fn(session, *args, **kwargs)``; its future resolves after the commit."""
        if threading.get_ident() in WRITER_THREADS:
            raise RuntimeError(
                f"{_name(fn)} asks to write from inside a write job: it would wait for "
                "itself forever; call it with the job's session instead"
            )
        queued = _Queued(fn, args, kwargs, alone)
        with self._ready:
            if self._stopping:
                raise RuntimeError("the database is closed for writing")
            self._queue.append(queued)
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._serve, name="eocnet-writer", daemon=True
                )
                self._thread.start()
            self._ready.notify()
        return queued.future

    def stop(self, timeout: float | None = 30.0) -> None:
        """Finish what is queued, then end the writer thread."""
        with self._ready:
            self._stopping = True
            thread = self._thread
            self._ready.notify()
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout)
        with self._ready:
            self._thread = None
            self._stopping = False

    def _serve(self) -> None:
        WRITER_THREADS.add(threading.get_ident())
        try:
            while True:
                with self._ready:
                    while not self._queue and not self._stopping:
                        self._ready.wait()
                    if not self._queue:  # stopping, and nothing left to do
                        return
                    batch = self._take()
                batch = [job for job in batch if job.future.set_running_or_notify_cancel()]
                if batch:
                    self._run(batch)
        finally:
            WRITER_THREADS.discard(threading.get_ident())

    def _take(self) -> list[_Queued]:
        """The next batch: one job flagged ``alone``, or the small jobs queued before it."""
        first = self._queue.popleft()
        batch = [first]
        if first.alone:
            return batch
        while self._queue and len(batch) < self.max_batch and not self._queue[0].alone:
            batch.append(self._queue.popleft())
        return batch

    def _run(self, batch: list[_Queued]) -> None:
        ran = run_batch(self.db, [(job, job.future) for job in batch])
        if ran:  # a commit happened
            self._count(ran)

    def _count(self, jobs: int) -> None:
        self.batches += 1
        self.jobs += jobs


class _Settable(Protocol):
    def set_result(self, result: Any, /) -> None: ...
    def set_exception(self, exception: BaseException, /) -> None: ...
    def done(self) -> bool: ...


def run_batch(db: Database, batch: list[tuple[_Queued, _Settable]], *, locked: bool = False) -> int:
    """Run ``batch`` in one transaction, a savepoint per job, one commit; resolve each
    job's future after the commit. Returns how many jobs kept their work (0 when the
    commit failed). ``locked``: the caller holds the writers' lock."""
    if len(batch) == 1:
        job, future = batch[0]
        try:
            with db.transaction(locked=locked, door=True) as session:
                result = job(session)
        except BaseException as exc:
            future.set_exception(exc)
            return 0
        future.set_result(result)
        return 1
    outcomes: list[tuple[_Settable, Any, BaseException | None]] = []
    try:
        with db.transaction(locked=locked, door=True) as session:
            # Before any savepoint: on PostgreSQL a lock taken inside a savepoint that
            # rolls back would be released with it.
            from eocnet.db.database import lock_logs

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
    except BaseException as exc:  # the commit failed: nothing of the batch is kept
        log.warning("a group commit of %d writes failed", len(batch), exc_info=True)
        for _, future in batch:
            if not future.done():
                future.set_exception(exc)
        return 0
    for future, result, error in outcomes:
        if future.done():
            continue
        if error is None:
            future.set_result(result)
        else:
            future.set_exception(error)
    return len(outcomes)


class LoopBatches:
    """The small writes of async callers, group-committed on the event loop awaiting them.

    Measured (docs/performance.md): a batch run on the loop costs a third less CPU
    per alert than the same batch in the writer thread, where it and the loop take
    turns for the interpreter. The turn to write is awaited in a worker thread (the
    loop never waits on the lock: nothing on the loop ever takes it itself, so the
    thread that holds it never needs the loop to let it go); once it has come, the
    batch runs on the loop and the lock is released there. Jobs flagged ``alone`` and
    every synchronous caller use the writer thread; the two take turns on the lock.
    """

    def __init__(self, db: Database, max_batch: int = 64):
        self.db = db
        self.max_batch = max_batch
        self._pending: list[tuple[_Queued, asyncio.Future[Any]]] = []
        self._drainer: asyncio.Task[None] | None = None
        self.batches = 0
        self.jobs = 0

    async def run(self, job: _Queued) -> Any:
        loop = asyncio.get_running_loop()
        future: asyncio.Future[Any] = loop.create_future()
        self._pending.append((job, future))
        if self._drainer is None or self._drainer.done():
            self._drainer = loop.create_task(self._drain(), name="eocnet-loop-batches")
        return await future

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
                ran = run_batch(self.db, list(batch), locked=True) if batch else 0
                if ran:  # a commit happened
                    self.jobs += ran
                    self.batches += 1
            finally:
                self.db.unlock_writers()


def _name(fn: Job) -> str:
    module = getattr(fn, "__module__", "") or ""
    return f"{module}.{getattr(fn, '__qualname__', repr(fn))}".lstrip(".")
