"""Webhook deliveries: each webhook follows the event log from its own last id, queues
what its party may see, and POSTs it signed; failures are retried with growing waits."""

from __future__ import annotations

import json
import logging
import time
import urllib.error
import urllib.request
from datetime import datetime, timedelta

from sqlalchemy import select

from eocnet.actions.errors import Invalid
from eocnet.actions.webhooks import (
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    check_url,
    secret_of,
    signature,
)
from eocnet.config import Settings
from eocnet.db.database import Database
from eocnet.db.models import Party, StreamEntry, Webhook, WebhookDelivery
from eocnet.realtime.log import audience_of_row

log = logging.getLogger(__name__)
LEASE = timedelta(minutes=5)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        return None  # a redirect could lead to an address the URL check refused


_OPENER = urllib.request.build_opener(_NoRedirect)


def fan_out(db: Database, batch: int = 500) -> int:
    """Queue a delivery for every new log entry each active webhook's party may see."""
    queued = 0
    with db.write() as session:
        kinds = dict(session.execute(select(Party.code, Party.kind)).all())
        for hook in session.execute(select(Webhook).where(Webhook.active.is_(True))).scalars():
            entries = (
                session.execute(
                    select(StreamEntry)
                    .where(StreamEntry.id > hook.last_entry_id)
                    .order_by(StreamEntry.id)
                    .limit(batch)
                )
                .scalars()
                .all()
            )
            for entry in entries:
                visible = audience_of_row(entry).allows(
                    hook.party_code, kinds.get(hook.party_code, ""), 0
                )
                if visible and (not hook.kinds or entry.kind in hook.kinds):
                    session.add(
                        WebhookDelivery(webhook_id=hook.id, entry_id=entry.id, kind=entry.kind)
                    )
                    queued += 1
            if entries:
                hook.last_entry_id = entries[-1].id
    return queued


def _post(url: str, body: bytes, headers: dict[str, str], timeout: float) -> int:
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")  # noqa: S310 (scheme checked by check_url)
    try:
        # the scheme is checked to be http(s) by check_url before every delivery
        with _OPENER.open(request, timeout=timeout) as response:
            return int(response.status)
    except urllib.error.HTTPError as exc:
        return int(exc.code)


def _attempt(
    settings: Settings,
    url: str,
    sealed: str,
    delivery_id: int,
    entry_id: int,
    kind: str,
    at: datetime,
    data: str,
) -> tuple[int | None, str]:
    body = json.dumps(
        {"id": entry_id, "type": kind, "at": at.isoformat(), "data": json.loads(data)},
        separators=(",", ":"),
    ).encode()
    stamp = str(int(time.time()))
    secret = secret_of(sealed, settings)
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "eocnet-webhooks",
        "X-Eocnet-Event": kind,
        "X-Eocnet-Delivery": str(delivery_id),
        TIMESTAMP_HEADER: stamp,
        SIGNATURE_HEADER: signature(secret, stamp, body),
    }
    check_url(url, settings)
    status = _post(url, body, headers, settings.webhook_timeout_seconds)
    return status, "" if 200 <= status < 300 else f"HTTP {status}"


def deliver(db: Database, settings: Settings, now: datetime, batch: int = 50) -> int:
    """Attempt the due deliveries; returns how many succeeded."""
    # Claim the batch first (a lease), so that two job runners never deliver twice.
    with db.write() as session:
        due = session.execute(
            select(WebhookDelivery, Webhook, StreamEntry)
            .join(Webhook, Webhook.id == WebhookDelivery.webhook_id)
            .join(StreamEntry, StreamEntry.id == WebhookDelivery.entry_id)
            .where(WebhookDelivery.status == "pending", WebhookDelivery.next_attempt_at <= now)
            .order_by(WebhookDelivery.id)
            .limit(batch)
            .with_for_update(skip_locked=True, of=WebhookDelivery)
        ).all()
        for delivery, _, _ in due:
            delivery.next_attempt_at = now + LEASE
        work = [(d.id, h.url, h.secret_sealed, e.id, e.kind, e.at, e.data) for d, h, e in due]
    outcomes: dict[int, tuple[int | None, str]] = {}
    for delivery_id, url, sealed, entry_id, kind, at, data in work:
        # One delivery's failure, whatever it is, is that delivery's: the batch is
        # always recorded, so no other party's delivery is left pending and sent twice.
        try:
            outcomes[delivery_id] = _attempt(
                settings, url, sealed, delivery_id, entry_id, kind, at, data
            )
        except Invalid as exc:
            outcomes[delivery_id] = (None, exc.detail)
        except Exception as exc:
            outcomes[delivery_id] = (None, f"{type(exc).__name__}: {exc}"[:500])
    delivered = 0
    with db.write() as session:
        for delivery_id, (code, error) in outcomes.items():
            row = session.get(WebhookDelivery, delivery_id)
            if row is None:
                continue
            row.attempts += 1
            row.last_status_code = code
            row.last_error = error
            if not error:
                row.status = "delivered"
                row.delivered_at = now
                delivered += 1
            elif row.attempts >= settings.webhook_max_attempts:
                row.status = "failed"
            else:
                row.next_attempt_at = now + timedelta(seconds=30 * 2 ** (row.attempts - 1))
    return delivered
