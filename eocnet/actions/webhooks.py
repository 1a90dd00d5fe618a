"""Outgoing webhooks of a party: what it may see on the live stream, POSTed as signed JSON."""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import secrets
import socket
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from eocnet.actions import audit
from eocnet.actions.checks import URL_LIMIT, url_problem
from eocnet.actions.errors import Forbidden, Invalid, NotFound
from eocnet.auth.secrets_box import seal, unseal
from eocnet.config import Settings
from eocnet.db.models import Party, StreamEntry, Webhook, WebhookDelivery
from eocnet.domain.actors import Actor
from eocnet.domain.roles import Permission
from eocnet.realtime.log import audience_of_row

SECRET_PURPOSE = "webhook-secret"  # noqa: S105 (a key-derivation label)
SIGNATURE_HEADER = "X-Eocnet-Signature"
TIMESTAMP_HEADER = "X-Eocnet-Timestamp"


def signature(secret: str, timestamp: str, body: bytes) -> str:
    """HMAC-SHA256 over "timestamp.body", hex; sent as ``sha256=<hex>``."""
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def check_url(url: str, settings: Settings) -> None:
    """Refuse URLs that are not http(s), and (unless allowed) ones reaching private or
    loopback addresses, so a webhook cannot be used to probe internal services.
    Spaces, quotes and control characters are refused (checks.url_problem): urllib
    would refuse to send such an address at every delivery."""
    check_outgoing_url(
        url, settings, allow_private=settings.webhook_allow_private, field="url", what="webhooks"
    )


def check_outgoing_url(
    url: str, settings: Settings, *, allow_private: bool, field: str, what: str
) -> None:
    """:func:`check_url` for any address the server POSTs to (webhooks, push endpoints)."""
    if len(url) > URL_LIMIT:
        raise Invalid(f"the URL is longer than {URL_LIMIT:,} characters", field=field)
    if problem := url_problem(url):
        raise Invalid(problem, field=field)
    parts = urlsplit(url)
    if settings.is_production and parts.scheme != "https":
        raise Invalid(f"{what} must use https:// in production", field=field)
    if allow_private:
        return
    try:
        infos = socket.getaddrinfo(parts.hostname, parts.port or 443, type=socket.SOCK_STREAM)
    except OSError:
        raise Invalid(f"cannot resolve {parts.hostname}", field=field) from None
    for info in infos:
        address = ipaddress.ip_address(info[4][0])
        if (
            address.is_private
            or address.is_loopback
            or address.is_link_local
            or address.is_reserved
            or address.is_multicast
            or address.is_unspecified
        ):
            raise Invalid(f"{parts.hostname} resolves to a non-public address", field=field)


def require_admin(actor: Actor) -> None:
    if not actor.can(Permission.MANAGE_PARTY_USERS):
        raise Forbidden("only your party's admins manage webhooks")


def create_webhook(
    session: Session, actor: Actor, settings: Settings, url: str, kinds: list[str]
) -> tuple[Webhook, str]:
    """Returns the webhook and its signing secret (shown once)."""
    require_admin(actor)
    check_url(url, settings)
    secret = secrets.token_urlsafe(32)
    last = session.execute(select(func.max(StreamEntry.id))).scalar_one() or 0
    hook = Webhook(
        party_code=actor.party_code,
        url=url,
        secret_sealed=seal(settings.effective_secret(), SECRET_PURPOSE, secret),
        kinds=sorted(set(kinds)),
        active=True,
        last_entry_id=int(last),
        created_by=actor.user_id,
    )
    session.add(hook)
    session.flush()
    audit.record(
        session,
        actor,
        "webhook.create",
        "webhook",
        hook.id,
        details={"url": url, "kinds": hook.kinds},
    )
    return hook, secret


def access_webhook(session: Session, actor: Actor, webhook_id: int) -> Webhook:
    require_admin(actor)
    hook = session.get(Webhook, webhook_id)
    if hook is None or hook.party_code != actor.party_code:
        raise NotFound(f"no webhook {webhook_id}")
    return hook


def delete_webhook(session: Session, actor: Actor, hook: Webhook) -> None:
    audit.record(session, actor, "webhook.delete", "webhook", hook.id, details={"url": hook.url})
    session.delete(hook)


def secret_of(sealed: str, settings: Settings) -> str:
    """A webhook's signing secret from its sealed form (``Webhook.secret_sealed``)."""
    return unseal(settings.effective_secret(), SECRET_PURPOSE, sealed)


# ---- deliveries: the bookkeeping of jobs/webhooks.py, which only does the HTTP

#: A claimed delivery is not due again for this long (a sender that died mid-way).
DELIVERY_LEASE = timedelta(minutes=5)


@dataclass(frozen=True, slots=True)
class DeliveryToSend:
    id: int
    url: str
    #: The webhook's signing secret, sealed (unsealed per delivery, so that one bad
    #: secret fails only its own delivery).
    sealed: str
    entry_id: int
    kind: str
    at: datetime
    data: str


def queue_deliveries(session: Session, batch: int = 500) -> int:
    """Queue a delivery for every new log entry each active webhook's party may see;
    each webhook follows the log from its own last id. Returns how many were queued."""
    queued = 0
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
                session.add(WebhookDelivery(webhook_id=hook.id, entry_id=entry.id, kind=entry.kind))
                queued += 1
        if entries:
            hook.last_entry_id = entries[-1].id
    return queued


def claim_deliveries(
    session: Session, settings: Settings, now: datetime, batch: int = 50
) -> list[DeliveryToSend]:
    """Claim the due deliveries (a lease), so that two job runners never deliver twice."""
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
        delivery.next_attempt_at = now + DELIVERY_LEASE
    return [
        DeliveryToSend(d.id, h.url, h.secret_sealed, e.id, e.kind, e.at, e.data) for d, h, e in due
    ]


def record_deliveries(
    session: Session,
    settings: Settings,
    outcomes: dict[int, tuple[int | None, str]],
    now: datetime,
) -> int:
    """Record each attempt (status code, error or ""); failures are retried with growing
    waits until EOCNET_WEBHOOK_MAX_ATTEMPTS. Returns how many were delivered."""
    delivered = 0
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
