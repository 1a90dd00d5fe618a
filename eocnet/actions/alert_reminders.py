"""Unacknowledged alerts: announced again to the parties that have not acknowledged
them, then escalated to their focal points (the scheduler calls this on each round)."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from eocnet.actions import audit, notifications
from eocnet.config import Settings
from eocnet.db.models import Event
from eocnet.realtime.log import Audience, publish


def remind_unacknowledged(session: Session, settings: Settings, now: datetime) -> int:
    """Every alert whose reminder is due: announce it again, or escalate it; audited
    as the scheduler's. Returns how many were handled."""
    handled = 0
    query = (
        select(Event)
        .where(Event.is_alert.is_(True), Event.next_reminder_at <= now)
        .order_by(Event.next_reminder_at)
        .limit(200)
    )
    if session.get_bind().dialect.name != "sqlite":
        query = query.with_for_update(skip_locked=True)
    for event in session.execute(query).scalars():
        acked = {a.party_code for a in event.acknowledgements}
        pending = [p for p in event.addressed if p not in acked]
        if not pending or event.status in ("closed", "discarded"):
            event.next_reminder_at = None
            continue
        stage = "reminder" if event.reminder_stage == 0 else "escalation"
        audience = Audience("restricted", event.owner_party, tuple(pending))
        publish(
            session,
            "alert.reminder" if stage == "reminder" else "alert.escalated",
            audience,
            {
                "event_id": event.id,
                "title": event.title,
                "owner_party": event.owner_party,
                "pending": pending,
                "stage": stage,
            },
        )
        queued = notifications.notify_alert(session, settings, event, pending, stage)
        audit.record(
            session,
            None,
            f"alert.{stage}",
            "event",
            event.id,
            actor_label="scheduler",
            details={"pending": pending, "emails": queued},
        )
        if stage == "reminder":
            event.reminder_stage = 1
            event.next_reminder_at = event.created_at + timedelta(
                minutes=settings.alert_escalate_minutes
            )
        else:
            event.reminder_stage = 2
            event.next_reminder_at = None
        handled += 1
    return handled
