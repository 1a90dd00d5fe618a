"""Web Push: the server's VAPID public key, each user's device subscriptions, their
delivery log, and the Acknowledge button of an alert's notification."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Query, Request, Response
from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from eocnet.actions import events as event_actions
from eocnet.actions import push as actions
from eocnet.actions.users import actor_for
from eocnet.api.deps import CurrentActor, DbDep, SettingsDep, unauthorized
from eocnet.api.events import Ack
from eocnet.api.schemas import Id, Input
from eocnet.db.models import PushSubscription

router = APIRouter(tags=["push"])


class SubscriptionKeys(Input):
    p256dh: str = Field(max_length=200, description="The browser's P-256 public key, base64url")
    auth: str = Field(max_length=100, description="The 16-byte authentication secret, base64url")


class SubscriptionIn(Input):
    """The browser's `PushSubscription.toJSON()`."""

    endpoint: str = Field(max_length=2000, description="The push service's URL for this device")
    keys: SubscriptionKeys
    expirationTime: float | None = Field(None, description="Ignored (the browser's)")


class SubscriptionOut(BaseModel):
    id: int
    endpoint: str
    user_agent: str
    created_at: datetime
    last_success_at: datetime | None


class VapidKey(BaseModel):
    public_key: str = Field(
        description="The VAPID public key (uncompressed P-256 point, base64url): the "
        "`applicationServerKey` of `pushManager.subscribe`"
    )


class PushDeliveryOut(BaseModel):
    id: int
    subscription_id: int | None
    user_id: int
    entry_id: int
    kind: str
    status: str = Field(description="pending, delivered, failed or expired")
    attempts: int
    last_status_code: int | None
    last_error: str
    next_attempt_at: datetime
    delivered_at: datetime | None
    created_at: datetime


class AcknowledgeIn(Input):
    token: str = Field("", max_length=1000, description="The `acknowledge.token` of a push message")


def subscription_out(row: PushSubscription) -> SubscriptionOut:
    return SubscriptionOut(
        id=row.id,
        endpoint=row.endpoint,
        user_agent=row.user_agent,
        created_at=row.created_at,
        last_success_at=row.last_success_at,
    )


@router.get("/push/vapid-public-key", response_model=VapidKey, summary="The VAPID public key")
def vapid_public_key(actor: CurrentActor, db: DbDep, settings: SettingsDep) -> VapidKey:
    """Made at the server's first start (its private key is kept sealed)."""
    with db.read() as session:
        key = actions.public_key(session)
    if key is None:  # the jobs (which make it at start) do not run in this process
        key = db.run_sync(lambda s: actions.ensure_state(s, settings).vapid_public_key)
    return VapidKey(public_key=key)


@router.get(
    "/push/subscriptions", response_model=list[SubscriptionOut], summary="My push subscriptions"
)
def list_subscriptions(actor: CurrentActor, db: DbDep) -> list[SubscriptionOut]:
    with db.read() as session:
        rows = session.execute(
            select(PushSubscription)
            .where(PushSubscription.user_id == actor.user_id)
            .order_by(PushSubscription.id)
        ).scalars()
        return [subscription_out(r) for r in rows]


@router.post(
    "/push/subscriptions",
    status_code=201,
    response_model=SubscriptionOut,
    summary="Subscribe a device to push notifications",
)
def subscribe(
    body: SubscriptionIn, request: Request, actor: CurrentActor, db: DbDep, settings: SettingsDep
) -> SubscriptionOut:
    """Alerts addressed to your party, and their reminders and escalations, are pushed
    to the endpoint, encrypted with the keys (RFC 8291) and signed with VAPID (RFC 8292).
    Subscribing the same endpoint again renews it."""
    user_agent = request.headers.get("user-agent", "")
    return db.run_sync(
        lambda session: subscription_out(
            actions.subscribe(
                session,
                actor,
                settings,
                body.endpoint,
                body.keys.p256dh,
                body.keys.auth,
                user_agent,
            )
        )
    )


@router.delete(
    "/push/subscriptions/{subscription_id}",
    status_code=204,
    summary="Unsubscribe a device",
)
def unsubscribe(subscription_id: Id, actor: CurrentActor, db: DbDep) -> Response:
    """Only your own subscriptions; anyone else's are not found."""
    db.run_sync(actions.unsubscribe, actor, subscription_id)
    return Response(status_code=204)


@router.get("/push/deliveries", response_model=list[PushDeliveryOut], summary="Push delivery log")
def deliveries(
    actor: CurrentActor, db: DbDep, limit: int = Query(100, ge=1, le=1000)
) -> list[PushDeliveryOut]:
    """Newest first: your pushes, or your party's users' for its admins."""
    with db.read() as session:
        return [
            PushDeliveryOut.model_validate(row, from_attributes=True)
            for row in actions.delivery_log(session, actor, limit)
        ]


@router.post(
    "/push/acknowledge",
    status_code=201,
    response_model=Ack,
    summary="Acknowledge an alert from its notification",
)
async def acknowledge(body: AcknowledgeIn, db: DbDep, settings: SettingsDep) -> Ack:
    """The notification's Acknowledge button: the token of the push message is the
    credential (it acknowledges that one event, for its user, while the subscription
    exists), so a service worker needs neither cookie nor CSRF token. A bad or expired
    token is 401; a token whose subscription is gone, 404."""

    claims = actions.acknowledge_claims(settings, body.token)
    if claims is None:
        raise unauthorized("The acknowledgement token is unknown or has expired.")

    def write(session: Session) -> Ack:
        user, event_id = actions.acknowledger(session, claims)
        ack, _ = event_actions.acknowledge_by_id(session, actor_for(user), event_id)
        return Ack(party=ack.party_code, user=ack.user_email, at=ack.at)

    return await db.run(write)
