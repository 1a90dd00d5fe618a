"""Web Push deliveries: what the event log has for each subscription is queued, then
sent encrypted (RFC 8291, aes128gcm) with a VAPID signature (RFC 8292) by pywebpush.

Claimed first (a lease), sent outside any transaction, recorded after, as webhooks."""

from __future__ import annotations

import logging
import time
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

import requests
from py_vapid import Vapid
from pywebpush import WebPusher

from eocnet.actions import push
from eocnet.actions.errors import Invalid
from eocnet.config import Settings
from eocnet.db.database import Database
from eocnet.db.types import utcnow

log = logging.getLogger(__name__)


class _NoRedirects(requests.Session):
    """A redirect could lead to an address the endpoint check refused."""

    def request(self, method: str, url: str, *args: Any, **kwargs: Any) -> Any:  # type: ignore[override]
        kwargs["allow_redirects"] = False
        return super().request(method, url, *args, **kwargs)


def fan_out(db: Database, settings: Settings, batch: int = 500) -> int:
    """Queue a delivery for every new log entry pushed to a subscription."""
    return db.run_sync(push.queue_deliveries, settings, batch)


def _send(
    session: requests.Session, vapid: Any, settings: Settings, item: push.PushToSend
) -> tuple[int | None, str]:
    push.check_endpoint(item.endpoint, settings)
    parts = urlsplit(item.endpoint)
    claims = {
        "sub": push.contact(settings),
        "aud": f"{parts.scheme}://{parts.netloc}",
        "exp": int(time.time()) + 12 * 3600,
    }
    headers = dict(vapid.sign(claims))
    headers["Urgency"] = "high"
    response = WebPusher(
        {"endpoint": item.endpoint, "keys": {"p256dh": item.p256dh, "auth": item.auth}},
        requests_session=session,
    ).send(
        item.payload,
        headers,
        ttl=settings.push_ttl_seconds,
        content_encoding="aes128gcm",
        timeout=settings.push_timeout_seconds,
    )
    status = int(response.status_code)
    return status, "" if 200 <= status < 300 else f"HTTP {status}"


def deliver(db: Database, settings: Settings, now: datetime, batch: int = 100) -> int:
    """Send the due pushes; returns how many the push services accepted."""
    sealed, work = db.run_sync(push.claim_deliveries, settings, now, batch)
    if not work:
        return 0
    outcomes: dict[int, tuple[int | None, str]] = {}
    try:
        vapid = Vapid.from_raw(push.private_key_of(sealed, settings).encode())
    except Exception as exc:  # the key cannot be opened: every claimed push fails alike
        error = f"VAPID key: {type(exc).__name__}: {exc}"[:500]
        return db.run_sync(
            push.record_deliveries, settings, {item.id: (None, error) for item in work}, now
        )
    with _NoRedirects() as session:
        for item in work:
            # One push's failure is that push's: the batch is always recorded.
            try:
                outcomes[item.id] = _send(session, vapid, settings, item)
            except Invalid as exc:
                outcomes[item.id] = (None, exc.detail)
            except Exception as exc:
                outcomes[item.id] = (None, f"{type(exc).__name__}: {exc}"[:500])
    return db.run_sync(push.record_deliveries, settings, outcomes, now)


def run(db: Database, settings: Settings, now: datetime) -> int:
    """One round: queue what is new, send what is due (nothing written when idle)."""
    with db.read() as session:
        if not push.has_work(session, now):
            return 0
    fan_out(db, settings)
    # the deliveries just queued are due from now, later than the round's start
    return deliver(db, settings, max(now, utcnow()))


def ensure_keys(db: Database, settings: Settings) -> str | None:
    """Make the VAPID key pair if there is none yet; its public key, or None when the
    database cannot hold it yet (not migrated)."""
    try:
        with db.read() as session:
            key = push.public_key(session)
        if key is None:
            key = db.run_sync(lambda s: push.ensure_state(s, settings).vapid_public_key)
    except Exception as exc:
        # another process may have made them at the same moment: read them again
        try:
            with db.read() as session:
                key = push.public_key(session)
        except Exception:
            key = None
        if key is None:
            log.warning("no Web Push keys yet: %s", exc)
    return key
