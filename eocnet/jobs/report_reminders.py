"""Reminders about surveillance reports not yet received (actions/report_reminders.py):
worked out from a read, then sent in one write job."""

from __future__ import annotations

from datetime import datetime

from eocnet.actions import report_reminders
from eocnet.config import Settings
from eocnet.db.database import Database


def run(db: Database, settings: Settings, now: datetime) -> int:
    """One round; returns how many reminders were sent."""
    with db.read() as session:
        plans = report_reminders.due_reminders(session, settings, now)
    if not plans:
        return 0
    return db.run_sync(report_reminders.send_reminders, settings, now, plans)
