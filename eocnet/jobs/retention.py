"""Retention: personal data of tracing notices is deleted when its period ends, and the
live stream's event log drops entries older than its retention period."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from eocnet.actions import tracing
from eocnet.config import Settings
from eocnet.db.database import Database
from eocnet.realtime import log


def run(db: Database, settings: Settings, now: datetime) -> int:
    """The traced persons whose follow-up ended more than the margin ago lose their
    personal data; returns how many."""

    def job(session: Session) -> int:
        return tracing.purge(
            session, now, margin_days=settings.tracing_follow_up_margin_days
        ).persons

    purged = db.run_sync(job)
    if purged:
        db.checkpoint_wal()  # the deleted keys and ciphertexts leave the files now
    return purged


def trim_stream(db: Database, settings: Settings, now: datetime) -> int:
    def job(session: Session) -> int:
        return log.trim(session, now - timedelta(days=settings.stream_retention_days))

    return db.run_sync(job)
