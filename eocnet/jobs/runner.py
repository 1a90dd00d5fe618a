"""Running the jobs periodically, inside the server or on their own."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from datetime import datetime
from typing import Any

from eocnet.config import Settings
from eocnet.db.database import Database
from eocnet.db.types import utcnow
from eocnet.jobs import (
    cap_feeds,
    coordination,
    outbox,
    push,
    reminders,
    report_reminders,
    retention,
    signals,
    webhooks,
)

log = logging.getLogger(__name__)


def run_once(db: Database, settings: Settings) -> dict[str, Any]:
    """One round of every job; each job's failure is logged and does not stop the others."""
    now = utcnow()
    done: dict[str, Any] = {}
    jobs: list[tuple[str, Callable[[], int]]] = [
        ("reminders", lambda: reminders.run(db, settings, now)),
        ("report_reminders", lambda: report_reminders.run(db, settings, now)),
        ("webhooks_queued", lambda: webhooks.fan_out(db)),
        ("webhooks_delivered", lambda: webhooks.deliver(db, settings, now)),
        ("pushes_sent", lambda: push.run(db, settings, now)),
        ("emails_sent", lambda: outbox.run(db, settings, now)),
        ("persons_purged", lambda: retention.run(db, settings, now)),
        ("log_entries_trimmed", lambda: retention.trim_stream(db, settings, now)),
        ("cap_drafts_imported", lambda: cap_feeds.run(db, settings, now)),
        ("signals_taken_in", lambda: signals.run(db, settings, now)),
        ("verifications_reminded", lambda: signals.remind(db, settings, now)),
        ("actions_reminded", lambda: coordination.remind_overdue_actions(db, settings, now)),
        ("connectivity_checks", lambda: coordination.connectivity_check(db, settings, now)),
        ("weekly_reports", lambda: _weekly_report(db, settings, now)),
    ]
    for name, job in jobs:
        try:
            done[name] = job()
        except Exception:
            log.exception("job %s failed", name)
            done[name] = "error"
    return done


def _weekly_report(db: Database, settings: Settings, now: datetime) -> int:
    from eocnet.reports import editions

    return 0 if editions.scheduled_weekly(db, now, settings.base_url) is None else 1


async def run_forever(db: Database, settings: Settings) -> None:
    """Every job each EOCNET_JOBS_INTERVAL_SECONDS, and the push sender beside them."""
    await asyncio.to_thread(push.ensure_keys, db, settings)
    await asyncio.gather(_jobs_forever(db, settings), push_forever(db, settings))


async def _jobs_forever(db: Database, settings: Settings) -> None:
    while True:
        await asyncio.to_thread(run_once, db, settings)
        await asyncio.sleep(settings.jobs_interval_seconds)


async def push_forever(db: Database, settings: Settings) -> None:
    """Push messages leave within a second of their commit: the sender looks every
    EOCNET_PUSH_INTERVAL_SECONDS (a read when idle), and a commit of a log entry in
    this process wakes it at once."""
    loop = asyncio.get_running_loop()
    wake = asyncio.Event()

    def listener(entry_id: int) -> None:
        with contextlib.suppress(RuntimeError):  # the loop has closed
            loop.call_soon_threadsafe(wake.set)

    db.stream_listeners.append(listener)
    try:
        while True:
            try:
                await asyncio.to_thread(push.run, db, settings, utcnow())
            except Exception:
                log.exception("job push failed")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(wake.wait(), settings.push_interval_seconds)
            wake.clear()
    finally:
        with contextlib.suppress(ValueError):
            db.stream_listeners.remove(listener)
