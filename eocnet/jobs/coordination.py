"""Scheduled coordination work, as actions through the write door: reminding owners
of overdue action items (actions/meetings.py) and the periodic focal-point
connectivity check (actions/connectivity.py)."""

from __future__ import annotations

from datetime import datetime

from eocnet.actions import connectivity, meetings
from eocnet.config import Settings
from eocnet.db.database import Database


def remind_overdue_actions(db: Database, settings: Settings, now: datetime) -> int:
    """Once a week per overdue item: an in-app announcement and an e-mail to the
    owning party's focal points."""
    return db.run_sync(meetings.remind_overdue_owners, settings, now)


def connectivity_check(db: Database, settings: Settings, now: datetime) -> int:
    """Start a round when the last one is older than EOCNET_CONNECTIVITY_CHECK_DAYS."""
    if settings.connectivity_check_days <= 0:
        return 0
    return db.run_sync(connectivity.start_if_due, settings, now)
