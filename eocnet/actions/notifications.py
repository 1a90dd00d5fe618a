"""Telling people: e-mail (through an outbox written in the same transaction) and
per-user preferences. In-app notices travel on the live stream; webhooks read it too."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from eocnet.config import Settings
from eocnet.db.models import Event, NotificationPreference, OutboxEmail, User
from eocnet.domain.roles import Role

ALERTED_ROLES = {Role.OFFICER.value, Role.FOCAL_POINT.value, Role.COORDINATOR.value}


def preferences(session: Session, user_id: int) -> NotificationPreference:
    row = session.get(NotificationPreference, user_id)
    return (
        row
        if row is not None
        else NotificationPreference(
            user_id=user_id,
            email_alerts=True,
            email_mentions=True,
            email_direct=True,
            email_reports=False,
        )
    )


def set_preferences(session: Session, user_id: int, **values: bool) -> NotificationPreference:
    row = session.get(NotificationPreference, user_id)
    if row is None:
        row = NotificationPreference(
            user_id=user_id,
            email_alerts=True,
            email_mentions=True,
            email_direct=True,
            email_reports=False,
        )
        session.add(row)
    for key, value in values.items():
        setattr(row, key, value)
    return row


def queue_email(session: Session, to: str, subject: str, body: str) -> None:
    session.add(OutboxEmail(to_address=to, subject=subject[:300], body=body))


def _party_users(session: Session, parties: list[str]) -> list[User]:
    if not parties:
        return []
    return list(
        session.execute(
            select(User).where(User.party_code.in_(parties), User.is_active.is_(True))
        ).scalars()
    )


def notify_alert(
    session: Session, settings: Settings, event: Event, parties: list[str], stage: str
) -> int:
    """E-mail the officers of ``parties`` about an alert; ``stage`` is new, reminder or
    escalation (escalations go to the focal points, whatever their preferences).
    Returns how many e-mails were queued (none when e-mail is off)."""
    if not settings.smtp_host:
        return 0
    queued = 0
    link = f"{settings.base_url.rstrip('/')}/events/{event.id}"
    for user in _party_users(session, parties):
        roles = set(user.roles)
        if stage == "escalation":
            if Role.FOCAL_POINT.value not in roles:
                continue
        elif not roles & ALERTED_ROLES or not preferences(session, user.id).email_alerts:
            continue
        prefix = {
            "new": "ALERT",
            "reminder": "REMINDER: unacknowledged alert",
            "escalation": "ESCALATION: alert still unacknowledged",
        }[stage]
        subject = f"[eocnet] {prefix}: {event.title} ({event.owner_party})"
        body = (
            f"{prefix}\n\n{event.title}\nHazard: {event.hazard} · Country: {event.country}\n"
            f"Reported by: {event.owner_party}\n\n{event.summary}\n\n"
            f"Acknowledge for {user.party_code}: {link}\n"
        )
        queue_email(session, user.email, subject, body)
        queued += 1
    return queued


def notify_mention(
    session: Session,
    settings: Settings,
    author: str,
    channel_name: str,
    channel_id: int,
    body: str,
    emails: list[str],
) -> int:
    if not settings.smtp_host or not emails:
        return 0
    queued = 0
    link = f"{settings.base_url.rstrip('/')}/channels/{channel_id}"
    for user in session.execute(
        select(User).where(User.email.in_(emails), User.is_active.is_(True))
    ).scalars():
        if not preferences(session, user.id).email_mentions:
            continue
        queue_email(
            session,
            user.email,
            f"[eocnet] {author} mentioned you in {channel_name}",
            f"{author} wrote in {channel_name}:\n\n{body[:2000]}\n\n{link}\n",
        )
        queued += 1
    return queued


#: E-mails are tried this many times, with growing waits, before they are given up.
MAX_EMAIL_ATTEMPTS = 8
#: A claimed e-mail is not due again for this long (a sender that died mid-way).
EMAIL_LEASE = timedelta(minutes=5)


@dataclass(frozen=True, slots=True)
class EmailToSend:
    id: int
    to_address: str
    subject: str
    body: str


def claim_emails(session: Session, now: datetime, batch: int = 50) -> list[EmailToSend]:
    """Claim the e-mails that are due (a lease: not due again for EMAIL_LEASE), so that
    two senders never send the same one; one that dies mid-way is retried later."""
    due = list(
        session.execute(
            select(OutboxEmail)
            .where(
                OutboxEmail.sent_at.is_(None),
                OutboxEmail.attempts < MAX_EMAIL_ATTEMPTS,
                OutboxEmail.next_attempt_at <= now,
            )
            .order_by(OutboxEmail.id)
            .limit(batch)
            .with_for_update(skip_locked=True)
        ).scalars()
    )
    for row in due:
        row.next_attempt_at = now + EMAIL_LEASE
    return [EmailToSend(r.id, r.to_address, r.subject, r.body) for r in due]


def record_email_attempts(session: Session, results: dict[int, str | None], now: datetime) -> int:
    """Record each attempt (None: sent; else the error); failures wait longer each time.
    Returns how many were sent."""
    for row_id, error in results.items():
        row = session.get(OutboxEmail, row_id)
        if row is None:
            continue
        row.attempts += 1
        if error is None:
            row.sent_at = now
        else:
            row.last_error = error
            row.next_attempt_at = now + timedelta(seconds=30 * 2 ** (row.attempts - 1))
    return sum(1 for e in results.values() if e is None)
