"""Scheduled coordination work: reminding owners of overdue action items, and
the periodic focal-point connectivity check."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select

from eocnet.actions import connectivity, meetings, notifications
from eocnet.config import Settings
from eocnet.db.database import Database
from eocnet.db.models import User


def remind_overdue_actions(db: Database, settings: Settings, now: datetime) -> int:
    """Once a week per overdue item: an in-app announcement and an e-mail to the
    owning party's focal points."""
    with db.write() as session:
        due = meetings.remind_overdue(session, now.date())
        for item in due:
            focal_points = session.scalars(
                select(User).where(User.party_code == item.owner_party, User.is_active.is_(True))
            )
            for user in focal_points:
                if "focal_point" not in (user.roles or []):
                    continue
                notifications.queue_email(
                    session,
                    user.email,
                    f"[eocnet] Overdue action: {item.title[:120]}",
                    f'The action item "{item.title}" owned by {item.owner_party} was due on '
                    f"{item.due_on.isoformat()}.\n\nReport progress: "
                    f"{settings.base_url.rstrip('/')}/actions/{item.id}\n",
                )
        return len(due)


def connectivity_check(db: Database, settings: Settings, now: datetime) -> int:
    """Start a round when the last one is older than EOCNET_CONNECTIVITY_CHECK_DAYS."""
    if settings.connectivity_check_days <= 0:
        return 0
    with db.write() as session:
        last = connectivity.last_started(session)
        if last is not None and now - last < timedelta(days=settings.connectivity_check_days):
            return 0
        connectivity.start(session, None, settings.base_url)
        return 1
