"""Webhook deliveries: each webhook follows the event log from its own last id, queues
what its party may see, and POSTs it signed; failures are retried with growing waits."""

from __future__ import annotations

import json
import logging
import time
import urllib.error
import urllib.request
from datetime import datetime

from eocnet.actions import webhooks
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

log = logging.getLogger(__name__)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        return None  # a redirect could lead to an address the URL check refused


_OPENER = urllib.request.build_opener(_NoRedirect)


def fan_out(db: Database, batch: int = 500) -> int:
    """Queue a delivery for every new log entry each active webhook's party may see."""
    return db.run_sync(webhooks.queue_deliveries, batch)


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
    # Claimed first (a lease), so that two job runners never deliver twice; the HTTP
    # requests are made outside any transaction, and their outcomes recorded after.
    work = db.run_sync(webhooks.claim_deliveries, settings, now, batch)
    if not work:
        return 0
    outcomes: dict[int, tuple[int | None, str]] = {}
    for item in work:
        delivery_id = item.id
        # One delivery's failure, whatever it is, is that delivery's: the batch is
        # always recorded, so no other party's delivery is left pending and sent twice.
        try:
            outcomes[delivery_id] = _attempt(
                settings,
                item.url,
                item.sealed,
                delivery_id,
                item.entry_id,
                item.kind,
                item.at,
                item.data,
            )
        except Invalid as exc:
            outcomes[delivery_id] = (None, exc.detail)
        except Exception as exc:
            outcomes[delivery_id] = (None, f"{type(exc).__name__}: {exc}"[:500])
    return db.run_sync(webhooks.record_deliveries, settings, outcomes, now)
