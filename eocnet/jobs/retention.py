"""Retention: personal data of tracing notices is deleted when its period ends."""

from __future__ import annotations

from datetime import datetime

from eocnet.actions import tracing
from eocnet.db.database import Database


def run(db: Database, now: datetime) -> int:
    with db.write() as session:
        return len(tracing.purge(session, now))
