"""Outgoing webhooks of a party: what it may see on the live stream, POSTed as signed JSON."""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import secrets
import socket
from urllib.parse import urlsplit

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from eocnet.actions import audit
from eocnet.actions.checks import URL_LIMIT, url_problem
from eocnet.actions.errors import Forbidden, Invalid, NotFound
from eocnet.auth.secrets_box import seal, unseal
from eocnet.config import Settings
from eocnet.db.models import StreamEntry, Webhook
from eocnet.domain.actors import Actor
from eocnet.domain.roles import Permission

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
    if len(url) > URL_LIMIT:
        raise Invalid(f"the URL is longer than {URL_LIMIT:,} characters", field="url")
    if problem := url_problem(url):
        raise Invalid(problem, field="url")
    parts = urlsplit(url)
    if settings.is_production and parts.scheme != "https":
        raise Invalid("webhooks must use https:// in production", field="url")
    if settings.webhook_allow_private:
        return
    try:
        infos = socket.getaddrinfo(parts.hostname, parts.port or 443, type=socket.SOCK_STREAM)
    except OSError:
        raise Invalid(f"cannot resolve {parts.hostname}", field="url") from None
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
            raise Invalid(f"{parts.hostname} resolves to a non-public address", field="url")


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
