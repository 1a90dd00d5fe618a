"""Sending the e-mail outbox over SMTP, with retries; secrets are never logged.

The bookkeeping (claiming what is due, recording each attempt) is in
actions/notifications.py, through the write door; only the SMTP talk is here,
outside any transaction."""

from __future__ import annotations

import logging
import smtplib
from datetime import datetime
from email.message import EmailMessage

from eocnet.actions import notifications
from eocnet.actions.notifications import EmailToSend
from eocnet.config import Settings
from eocnet.db.database import Database

log = logging.getLogger(__name__)


def _send(settings: Settings, row: EmailToSend) -> None:
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
    due = db.run_sync(notifications.claim_emails, now, batch)
    if not due:
        return 0
    results: dict[int, str | None] = {}
    for row in due:
        try:
            _send(settings, row)
            results[row.id] = None
        except (OSError, smtplib.SMTPException) as exc:
            results[row.id] = f"{type(exc).__name__}: {exc}"[:500]
            log.warning("e-mail %s to %s not sent: %s", row.id, row.to_address, type(exc).__name__)
    return db.run_sync(notifications.record_email_attempts, results, now)
