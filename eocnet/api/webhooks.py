"""Webhooks of a party (for its admins) and each user's notification preferences."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Query, Response
from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from eocnet.actions import notifications
from eocnet.actions import webhooks as actions
from eocnet.actions.errors import Invalid
from eocnet.api.deps import CurrentActor, DbDep, SettingsDep
from eocnet.api.schemas import Id, Input
from eocnet.db.models import Webhook, WebhookDelivery

router = APIRouter(tags=["webhooks"])

KINDS = (
    "event.created",
    "event.updated",
    "event.acknowledged",
    "update.created",
    "update.edited",
    "channel.created",
    "message.created",
    "message.edited",
    "alert.reminder",
    "alert.escalated",
    "tracing.created",
    "tracing.outcome",
)


class WebhookCreate(Input):
    url: str = Field(max_length=2000, description="Where to POST (https in production)")
    kinds: list[str] = Field(
        default_factory=list, description="Entry types to send; empty for all: " + ", ".join(KINDS)
    )


class WebhookOut(BaseModel):
    id: int
    party: str
    url: str
    kinds: list[str]
    active: bool
    created_at: datetime


class WebhookCreated(WebhookOut):
    secret: str = Field(
        description="The signing secret; shown only this once. Each POST "
        "carries X-Eocnet-Signature: sha256=HMAC(secret, timestamp + '.' + "
        "body) and X-Eocnet-Timestamp"
    )


class DeliveryOut(BaseModel):
    id: int
    entry_id: int
    kind: str
    status: str = Field(description="pending, delivered or failed")
    attempts: int
    last_status_code: int | None
    last_error: str
    next_attempt_at: datetime
    delivered_at: datetime | None
    created_at: datetime


class Preferences(Input):
    email_alerts: bool = Field(description="E-mail me alerts addressed to my party")
    email_mentions: bool = Field(description="E-mail me when I am mentioned")
    email_direct: bool = Field(description="E-mail me direct messages")
    email_reports: bool = Field(
        False, description="E-mail me when a situation report I may read is issued"
    )


def webhook_out(hook: Webhook) -> WebhookOut:
    return WebhookOut(
        id=hook.id,
        party=hook.party_code,
        url=hook.url,
        kinds=list(hook.kinds),
        active=hook.active,
        created_at=hook.created_at,
    )


@router.get("/webhooks", response_model=list[WebhookOut], summary="My party's webhooks")
def list_webhooks(actor: CurrentActor, db: DbDep) -> list[WebhookOut]:
    """For the party's admins."""
    actions.require_admin(actor)
    with db.read() as session:
        rows = session.execute(
            select(Webhook).where(Webhook.party_code == actor.party_code).order_by(Webhook.id)
        ).scalars()
        return [webhook_out(h) for h in rows]


@router.post("/webhooks", status_code=201, response_model=WebhookCreated, summary="Add a webhook")
def create_webhook(
    body: WebhookCreate, actor: CurrentActor, db: DbDep, settings: SettingsDep
) -> WebhookCreated:
    """Everything your party may see on the live stream (or the chosen kinds) is POSTed
    as JSON `{id, type, at, data}`, signed, and retried with growing waits on failure."""
    unknown = [k for k in body.kinds if k not in KINDS]
    if unknown:
        raise Invalid(f"unknown kind {unknown[0]!r}", field="kinds")

    def job(session: Session) -> WebhookCreated:
        hook, secret = actions.create_webhook(session, actor, settings, body.url, body.kinds)
        return WebhookCreated(**webhook_out(hook).model_dump(), secret=secret)

    return db.run_sync(job)


@router.delete("/webhooks/{webhook_id}", status_code=204, summary="Remove a webhook")
def delete_webhook(webhook_id: Id, actor: CurrentActor, db: DbDep) -> Response:
    db.run_sync(
        lambda session: actions.delete_webhook(
            session, actor, actions.access_webhook(session, actor, webhook_id)
        )
    )
    return Response(status_code=204)


@router.get(
    "/webhooks/{webhook_id}/deliveries",
    response_model=list[DeliveryOut],
    summary="Delivery log of a webhook",
)
def deliveries(
    webhook_id: Id, actor: CurrentActor, db: DbDep, limit: int = Query(100, ge=1, le=1000)
) -> list[DeliveryOut]:
    """Newest first: what was sent, how often it was tried, and the last answer."""
    with db.read() as session:
        actions.access_webhook(session, actor, webhook_id)
        rows = session.execute(
            select(WebhookDelivery)
            .where(WebhookDelivery.webhook_id == webhook_id)
            .order_by(WebhookDelivery.id.desc())
            .limit(limit)
        ).scalars()
        return [
            DeliveryOut(
                id=d.id,
                entry_id=d.entry_id,
                kind=d.kind,
                status=d.status,
                attempts=d.attempts,
                last_status_code=d.last_status_code,
                last_error=d.last_error,
                next_attempt_at=d.next_attempt_at,
                delivered_at=d.delivered_at,
                created_at=d.created_at,
            )
            for d in rows
        ]


@router.get(
    "/me/notifications",
    response_model=Preferences,
    tags=["accounts"],
    summary="My notification preferences",
)
def get_preferences(actor: CurrentActor, db: DbDep) -> Preferences:
    with db.read() as session:
        p = notifications.preferences(session, actor.user_id)
        return Preferences(
            email_alerts=p.email_alerts,
            email_mentions=p.email_mentions,
            email_direct=p.email_direct,
            email_reports=p.email_reports,
        )


@router.put(
    "/me/notifications",
    response_model=Preferences,
    tags=["accounts"],
    summary="Change my notification preferences",
)
def put_preferences(body: Preferences, actor: CurrentActor, db: DbDep) -> Preferences:
    """Escalations of unacknowledged alerts reach focal points whatever they choose."""
    db.run_sync(notifications.set_preferences, actor.user_id, **body.model_dump())
    return body
