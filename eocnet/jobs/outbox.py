"""Sending the e-mail outbox over SMTP, with retries; secrets are never logged."""

from __future__ import annotations

import logging
import smtplib
from datetime import datetime, timedelta
from email.message import EmailMessage

from sqlalchemy import select

from eocnet.config import Settings
from eocnet.db.database import Database
from eocnet.db.models import OutboxEmail

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 8
LEASE = timedelta(minutes=5)


def _send(settings: Settings, row: OutboxEmail) -> None:
    message = EmailMessage()
    message["From"] = settings.smtp_from
    message["To"] = row.to_address
    message["Subject"] = row.subject
    message.set_content(row.body)
    with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=20) as smtp:
        if settings.smtp_starttls:
            smtp.starttls()
        if settings.smtp_username:
            smtp.login(settings.smtp_username, settings.smtp_password)
        smtp.send_message(message)


def run(db: Database, settings: Settings, now: datetime, batch: int = 50) -> int:
    """Send what is due; returns how many were sent."""
    if not settings.smtp_host:
        return 0
    # Claim the batch first (a lease: the rows are not due again for LEASE), so that two
    # job runners never send the same e-mail; one that dies mid-way is retried later.
    with db.write() as session:
        due = list(
            session.execute(
                select(OutboxEmail)
                .where(
                    OutboxEmail.sent_at.is_(None),
                    OutboxEmail.attempts < MAX_ATTEMPTS,
                    OutboxEmail.next_attempt_at <= now,
                )
                .order_by(OutboxEmail.id)
                .limit(batch)
                .with_for_update(skip_locked=True)
            ).scalars()
        )
        for row in due:
            row.next_attempt_at = now + LEASE
    results: dict[int, str | None] = {}
    for row in due:
        try:
            _send(settings, row)
            results[row.id] = None
        except (OSError, smtplib.SMTPException) as exc:
            results[row.id] = f"{type(exc).__name__}: {exc}"[:500]
            log.warning("e-mail %s to %s not sent: %s", row.id, row.to_address, type(exc).__name__)
    with db.write() as session:
        for row_id, error in results.items():
            sent = session.get(OutboxEmail, row_id)
            if sent is None:
                continue
            sent.attempts += 1
            if error is None:
                sent.sent_at = now
            else:
                sent.last_error = error
                sent.next_attempt_at = now + timedelta(seconds=30 * 2 ** (sent.attempts - 1))
    return sum(1 for e in results.values() if e is None)
