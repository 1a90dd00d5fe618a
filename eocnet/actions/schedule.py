"""The schedule of the scheduled jobs, kept in the database (``JobSchedule``).

Every process that runs jobs (each server worker, or a separate ``eocnet jobs run``)
asks here before a job: :func:`claim` says yes to one of them per interval, through
the write door, so a job with an interval of its own (reading the CAP feeds every
so many minutes) runs once per interval for the whole deployment, not once per
process, and the schedule survives restarts.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from eocnet.db.models import JobSchedule


def claim(session: Session, name: str, now: datetime, every: timedelta) -> bool:
    """Whether job ``name`` is due at ``now``; if so it is claimed (not due again for
    ``every``), so that no other process runs it meanwhile."""
    row = session.get(JobSchedule, name, with_for_update=True)
    if row is None:
        try:
            with session.begin_nested():
                session.add(JobSchedule(name=name, next_run_at=now + every, last_run_at=now))
        except IntegrityError:  # another process claimed it first
            return False
        return True
    if row.next_run_at > now:
        return False
    row.next_run_at, row.last_run_at = now + every, now
    return True
