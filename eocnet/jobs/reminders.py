"""Unacknowledged alerts are announced again, then escalated: the round itself is
an action (actions/alert_reminders.py), called through the write door."""

from __future__ import annotations

from datetime import datetime

from eocnet.actions import alert_reminders
from eocnet.config import Settings
from eocnet.db.database import Database


def run(db: Database, settings: Settings, now: datetime) -> int:
    """One round: every alert whose reminder is due. Returns how many were handled."""
    return db.run_sync(alert_reminders.remind_unacknowledged, settings, now)
