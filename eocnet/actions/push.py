"""Web Push (RFC 8030, 8291, 8292): the server's VAPID keys, each user's subscriptions
(one per device), and the bookkeeping of the deliveries that jobs/push.py sends.

What is pushed follows the durable event log, like webhooks: an alert to the users of
the parties it is addressed to, and its reminders and escalations to the parties that
have not acknowledged it, always only to a party that may see the event; and a traced
contact who became a case to the users of the party that sent the notice."""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import exists, func, select, update
from sqlalchemy.orm import Session

from eocnet.actions import audit
from eocnet.actions.errors import Invalid, NotFound
from eocnet.actions.webhooks import check_outgoing_url
from eocnet.auth.secrets_box import seal, unseal
from eocnet.config import Settings
from eocnet.db.models import Party, PushDelivery, PushState, PushSubscription, StreamEntry, User
from eocnet.domain.actors import Actor
from eocnet.domain.roles import Permission
from eocnet.realtime.log import audience_of_row

PRIVATE_KEY_PURPOSE = "vapid-private-key"
ACK_SALT = "push-acknowledge"
#: An Acknowledge button in a notification works for this long.
ACK_MAX_AGE = timedelta(days=7)
STATE_ID = 1
#: The log entries that are pushed, and who they are for.
PUSHED_KINDS = frozenset(
    {"event.created", "alert.reminder", "alert.escalated", "tracing.converted"}
)
#: A claimed delivery is not due again for this long (a sender that died mid-way).
DELIVERY_LEASE = timedelta(minutes=2)


def b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


# ---- the server's VAPID key pair


def ensure_state(session: Session, settings: Settings) -> PushState:
    """The push state, made at first start: a new P-256 key pair (the private key sealed
    with the secret key), and the fan-out starting after the newest log entry."""
    state = session.get(PushState, STATE_ID)
    if state is not None:
        return state
    key = ec.generate_private_key(ec.SECP256R1())
    private_raw = key.private_numbers().private_value.to_bytes(32, "big")
    public_raw = key.public_key().public_bytes(Encoding.X962, PublicFormat.UncompressedPoint)
    last = session.execute(select(func.max(StreamEntry.id))).scalar_one() or 0
    state = PushState(
        id=STATE_ID,
        vapid_private_sealed=seal(
            settings.effective_secret(), PRIVATE_KEY_PURPOSE, b64url(private_raw)
        ),
        vapid_public_key=b64url(public_raw),
        last_entry_id=int(last),
    )
    session.add(state)
    session.flush()
    return state


def public_key(session: Session) -> str | None:
    """The VAPID public key (base64url, uncompressed point), None before the first start."""
    return session.execute(
        select(PushState.vapid_public_key).where(PushState.id == STATE_ID)
    ).scalar_one_or_none()


def private_key_of(sealed: str, settings: Settings) -> str:
    """The VAPID private key (the raw 32 bytes, base64url) from its sealed form."""
    return unseal(settings.effective_secret(), PRIVATE_KEY_PURPOSE, sealed)


def contact(settings: Settings) -> str:
    """The VAPID ``sub`` claim."""
    if settings.push_contact:
        return settings.push_contact
    if settings.base_url.startswith("https://"):
        return settings.base_url
    return f"mailto:eocnet@{urlsplit(settings.base_url).hostname or 'localhost'}"


# ---- subscriptions


def check_endpoint(endpoint: str, settings: Settings) -> None:
    """An endpoint must be http(s) (https in production) and, unless
    EOCNET_PUSH_ALLOW_PRIVATE, reach only public addresses."""
    check_outgoing_url(
        endpoint,
        settings,
        allow_private=settings.push_allow_private,
        field="endpoint",
        what="push endpoints",
    )


def _key(text: str, length: int, field: str, first: int | None = None) -> str:
    try:
        raw = b64url_decode(text.strip())
    except (binascii.Error, ValueError):
        raise Invalid("not base64url", field=field) from None
    if len(raw) != length or (first is not None and raw[0] != first):
        raise Invalid(f"must encode {length} bytes", field=field)
    if first is not None:
        try:
            ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), raw)
        except ValueError:
            raise Invalid("not a P-256 public key", field=field) from None
    return b64url(raw)


def subscribe(
    session: Session,
    actor: Actor,
    settings: Settings,
    endpoint: str,
    p256dh: str,
    auth: str,
    user_agent: str = "",
) -> PushSubscription:
    """Add (or renew) the caller's subscription for one device. An endpoint is one
    browser profile's: subscribed again by another user, it becomes theirs."""
    check_endpoint(endpoint, settings)
    ensure_state(session, settings)  # the keys the browser subscribed with exist
    p256dh = _key(p256dh, 65, "keys.p256dh", first=0x04)
    auth = _key(auth, 16, "keys.auth")
    last = int(session.execute(select(func.max(StreamEntry.id))).scalar_one() or 0)
    row = session.execute(
        select(PushSubscription).where(PushSubscription.endpoint == endpoint)
    ).scalar_one_or_none()
    if row is None:
        row = PushSubscription(user_id=actor.user_id, endpoint=endpoint, first_entry_id=last)
        session.add(row)
    elif row.user_id != actor.user_id:
        row.user_id = actor.user_id
        row.first_entry_id = last
    row.p256dh = p256dh
    row.auth = auth
    row.user_agent = user_agent[:300]
    session.flush()
    audit.record(
        session,
        actor,
        "push.subscribe",
        "push_subscription",
        row.id,
        details={"host": urlsplit(endpoint).hostname or ""},
    )
    return row


def access_subscription(session: Session, actor: Actor, subscription_id: int) -> PushSubscription:
    """One of the caller's own subscriptions; anyone else's is not found."""
    row = session.get(PushSubscription, subscription_id)
    if row is None or row.user_id != actor.user_id:
        raise NotFound(f"no push subscription {subscription_id}")
    return row


def unsubscribe(session: Session, actor: Actor, subscription_id: int) -> None:
    row = access_subscription(session, actor, subscription_id)
    audit.record(session, actor, "push.unsubscribe", "push_subscription", row.id)
    session.delete(row)


def delivery_log(session: Session, actor: Actor, limit: int = 100) -> list[PushDelivery]:
    """Newest first: the caller's deliveries, or, for a party's admins, their party's."""
    query = select(PushDelivery).order_by(PushDelivery.id.desc()).limit(limit)
    if actor.can(Permission.MANAGE_PARTY_USERS):
        query = query.where(
            PushDelivery.user_id.in_(select(User.id).where(User.party_code == actor.party_code))
        )
    else:
        query = query.where(PushDelivery.user_id == actor.user_id)
    return list(session.execute(query).scalars())


# ---- the Acknowledge button of a notification


def _serializer(settings: Settings) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(settings.effective_secret(), salt=ACK_SALT)


def acknowledge_token(settings: Settings, subscription_id: int, user_id: int, event_id: int) -> str:
    """The credential a notification's Acknowledge button sends: it acknowledges this
    one event, for this user, while this subscription exists."""
    return str(_serializer(settings).dumps({"s": subscription_id, "u": user_id, "e": event_id}))


def acknowledge_claims(settings: Settings, token: str) -> tuple[int, int, int] | None:
    """The (subscription, user, event) of a valid acknowledgement token, else None."""
    try:
        claims = _serializer(settings).loads(token, max_age=int(ACK_MAX_AGE.total_seconds()))
        return int(claims["s"]), int(claims["u"]), int(claims["e"])
    except (BadSignature, KeyError, TypeError, ValueError):
        return None


def acknowledger(session: Session, claims: tuple[int, int, int]) -> tuple[User, int]:
    """The user and the event of an acknowledgement token's claims, else 404 (its
    subscription is gone, or the user disabled)."""
    subscription_id, user_id, event_id = claims
    sub = session.get(PushSubscription, subscription_id)
    user = session.get(User, user_id)
    if sub is None or sub.user_id != user_id or user is None or not user.is_active:
        raise NotFound("this notification's subscription is gone; open the alert instead")
    return user, event_id


# ---- deliveries: the bookkeeping of jobs/push.py, which only does the HTTP


def has_work(session: Session, now: datetime) -> bool:
    """Whether the fan-out or the sender has anything to do (one cheap read)."""
    state = session.get(PushState, STATE_ID)
    if state is None:
        return False
    newest = session.execute(select(func.max(StreamEntry.id))).scalar_one() or 0
    if newest > state.last_entry_id:
        return True
    return bool(
        session.execute(
            select(
                exists().where(
                    PushDelivery.status == "pending", PushDelivery.next_attempt_at <= now
                )
            )
        ).scalar()
    )


def _targets(kind: str, data: dict[str, Any]) -> set[str]:
    """The parties a pushed log entry is for."""
    if kind == "event.created":
        return set(data.get("addressed") or []) if data.get("alert") else set()
    if kind == "tracing.converted":  # the party that sent the contact learns at once
        return {str(data.get("sender_party") or "")} - {""}
    return set(data.get("pending") or [])


def queue_deliveries(session: Session, settings: Settings, batch: int = 500) -> int:
    """Follow the log from the push state's last id; queue a delivery to every
    subscription of a targeted party's users that may see the entry."""
    state = session.get(PushState, STATE_ID, with_for_update=True)
    if state is None:
        return 0
    entries = (
        session.execute(
            select(StreamEntry)
            .where(StreamEntry.id > state.last_entry_id)
            .order_by(StreamEntry.id)
            .limit(batch)
        )
        .scalars()
        .all()
    )
    if not entries:
        return 0
    state.last_entry_id = entries[-1].id
    pushed = [e for e in entries if e.kind in PUSHED_KINDS]
    if not pushed:
        return 0
    subscribers = session.execute(
        select(
            PushSubscription.id,
            PushSubscription.user_id,
            PushSubscription.first_entry_id,
            User.party_code,
            Party.kind,
        )
        .join(User, User.id == PushSubscription.user_id)
        .join(Party, Party.code == User.party_code)
        .where(User.is_active.is_(True))
    ).all()
    queued = 0
    for entry in pushed:
        targets = _targets(entry.kind, json.loads(entry.data))
        if not targets:
            continue
        audience = audience_of_row(entry)
        for sub_id, user_id, first_entry_id, party, party_kind in subscribers:
            if (
                party in targets
                and entry.id > first_entry_id
                and audience.allows(party, party_kind, user_id)
            ):
                session.add(
                    PushDelivery(
                        subscription_id=sub_id, user_id=user_id, entry_id=entry.id, kind=entry.kind
                    )
                )
                queued += 1
    return queued


@dataclass(frozen=True, slots=True)
class PushToSend:
    id: int
    endpoint: str
    p256dh: str
    auth: str
    #: The JSON the service worker receives (encrypted by the sender).
    payload: str


def message(
    settings: Settings, kind: str, data: dict[str, Any], subscription_id: int, user_id: int
) -> dict[str, Any]:
    """What a notification shows: the event's id and title, a body, the record's
    address, and for alerts the Acknowledge button's address and credential. A contact
    who became a case carries no personal data: the notice, the party, the disease."""
    if kind == "tracing.converted":
        notice_id = int(data.get("notice_id") or 0)
        disease = f" ({data['disease']})" if data.get("disease") else ""
        return {
            "id": notice_id,
            "title": f"A contact of tracing notice {notice_id} became a case",
            "body": f"{str(data.get('case_classification', '')).capitalize()} case{disease}, "
            f"traced by {data.get('receiving_party', '')}",
            "type": kind,
            "url": f"/tracing/{notice_id}",
            "tag": f"tracing-{notice_id}-{data.get('person_id', 0)}",
            "alert": False,
        }
    event_id = int((data.get("id") if kind == "event.created" else data.get("event_id")) or 0)
    title = str(data.get("title") or "")
    if kind == "event.created":
        where = ", ".join(p for p in (data.get("country"), data.get("hazard")) if p)
        body = f"Alert from {data.get('owner_party', '')}" + (f": {where}" if where else "")
    elif kind == "alert.escalated":
        body = f"Escalated: not yet acknowledged by your party ({data.get('owner_party', '')})"
    else:
        body = f"Reminder: not yet acknowledged by your party ({data.get('owner_party', '')})"
    # addresses relative to the service worker, that is to the server's root
    return {
        "id": event_id,
        "title": title,
        "body": body,
        "type": kind,
        "url": f"/events/{event_id}",
        "tag": f"event-{event_id}",
        "alert": True,
        "acknowledge": {
            "url": "/api/v1/push/acknowledge",
            "token": acknowledge_token(settings, subscription_id, user_id, event_id),
        },
    }


def claim_deliveries(
    session: Session, settings: Settings, now: datetime, batch: int = 100
) -> tuple[str, list[PushToSend]]:
    """Claim the due deliveries (a lease), so that two senders never push twice; returns
    the sealed VAPID private key and the messages to send."""
    state = session.get(PushState, STATE_ID)
    if state is None:
        return "", []
    due = session.execute(
        select(PushDelivery, PushSubscription, StreamEntry)
        .outerjoin(PushSubscription, PushSubscription.id == PushDelivery.subscription_id)
        .outerjoin(StreamEntry, StreamEntry.id == PushDelivery.entry_id)
        .where(PushDelivery.status == "pending", PushDelivery.next_attempt_at <= now)
        .order_by(PushDelivery.id)
        .limit(batch)
        .with_for_update(skip_locked=True, of=PushDelivery)
    ).all()
    work = []
    for delivery, sub, entry in due:
        if sub is None or entry is None:  # unsubscribed, or the entry trimmed from the log
            delivery.status = "expired" if sub is None else "failed"
            continue
        delivery.next_attempt_at = now + DELIVERY_LEASE
        payload = message(settings, entry.kind, json.loads(entry.data), sub.id, sub.user_id)
        work.append(
            PushToSend(
                delivery.id,
                sub.endpoint,
                sub.p256dh,
                sub.auth,
                json.dumps(payload, ensure_ascii=False, separators=(",", ":")),
            )
        )
    return state.vapid_private_sealed, work


#: Answers after which a push is not tried again: the subscription is gone (404, 410),
#: or the request itself is at fault.
GONE = frozenset({404, 410})


def record_deliveries(
    session: Session,
    settings: Settings,
    outcomes: dict[int, tuple[int | None, str]],
    now: datetime,
) -> int:
    """Record each attempt (status code, error or ""). 404 or 410 removes the
    subscription; other failures are retried with growing waits until
    EOCNET_PUSH_MAX_ATTEMPTS (a 4xx other than 408 and 429 is not retried).
    Returns how many were delivered."""
    delivered = 0
    for delivery_id, (code, error) in outcomes.items():
        row = session.get(PushDelivery, delivery_id)
        if row is None:
            continue
        row.attempts += 1
        row.last_status_code = code
        row.last_error = error
        if not error:
            row.status = "delivered"
            row.delivered_at = now
            delivered += 1
            if row.subscription_id is not None and (
                sub := session.get(PushSubscription, row.subscription_id)
            ):
                sub.last_success_at = now
        elif code in GONE:
            row.status = "expired"
            if row.subscription_id is not None:
                gone = row.subscription_id
                session.execute(
                    update(PushDelivery)
                    .where(PushDelivery.subscription_id == gone, PushDelivery.status == "pending")
                    .values(status="expired")
                )
                if sub := session.get(PushSubscription, gone):
                    session.delete(sub)
                session.flush()
                row.subscription_id = None
        elif (
            code is not None and 400 <= code < 500 and code not in (408, 429)
        ) or row.attempts >= settings.push_max_attempts:
            row.status = "failed"
        else:
            row.next_attempt_at = now + timedelta(seconds=10 * 2 ** (row.attempts - 1))
    return delivered
