"""The audit trail, for admins: browse, filter, and check the hash chain."""

from __future__ import annotations

import json
from datetime import datetime

from fastapi import APIRouter, Query
from sqlalchemy import Select, select

from eocnet.actions import audit
from eocnet.actions.errors import Forbidden
from eocnet.api.deps import CurrentActor, DbDep
from eocnet.api.schemas import MAX_ID, AuditOut, AuditPage, ChainOut
from eocnet.db.models import AuditEntry
from eocnet.domain.actors import Actor
from eocnet.domain.roles import Permission

router = APIRouter(tags=["audit"])


def _require_audit(actor: Actor) -> None:
    if not (actor.can(Permission.VIEW_PARTY_AUDIT) or actor.can(Permission.VIEW_ALL_AUDIT)):
        raise Forbidden("only admins read the audit trail")


def audit_out(entry: AuditEntry) -> AuditOut:
    return AuditOut(
        id=entry.id,
        at=entry.at,
        actor=entry.actor,
        party=entry.party_code,
        action=entry.action,
        object_type=entry.object_type,
        object_id=entry.object_id,
        details=json.loads(entry.details),
        hash=entry.hash,
    )


def query_audit(
    actor: Actor,
    *,
    action: str | None = None,
    actor_email: str | None = None,
    party: str | None = None,
    object_type: str | None = None,
    object_id: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    before_id: int | None = None,
    limit: int = 50,
) -> Select[AuditEntry]:
    query = select(AuditEntry).order_by(AuditEntry.id.desc()).limit(limit)
    if not actor.can(Permission.VIEW_ALL_AUDIT):
        query = query.where(AuditEntry.party_code == actor.party_code)
    elif party:
        query = query.where(AuditEntry.party_code == party.upper())
    if action:
        query = query.where(AuditEntry.action.startswith(action))
    if actor_email:
        query = query.where(AuditEntry.actor == actor_email.lower())
    if object_type:
        query = query.where(AuditEntry.object_type == object_type)
    if object_id:
        query = query.where(AuditEntry.object_id == object_id)
    if since:
        query = query.where(AuditEntry.at >= since)
    if until:
        query = query.where(AuditEntry.at < until)
    if before_id:
        query = query.where(AuditEntry.id < before_id)
    return query


@router.get("/audit", response_model=AuditPage, summary="Browse the audit trail")
def list_audit(
    actor: CurrentActor,
    db: DbDep,
    action: str | None = Query(None, description="Action, or its prefix such as 'login.'"),
    actor_email: str | None = Query(None, alias="actor", description="E-mail of who acted"),
    party: str | None = Query(None, description="Party of who acted (network admins only)"),
    object_type: str | None = None,
    object_id: str | None = None,
    since: datetime | None = Query(None, description="From this time (inclusive, ISO 8601)"),
    until: datetime | None = Query(None, description="Until this time (exclusive, ISO 8601)"),
    before_id: int | None = Query(
        None, ge=1, le=MAX_ID, description="Entries older than this id (paging)"
    ),
    limit: int = Query(50, ge=1, le=500),
) -> AuditPage:
    """Newest first. Party admins see their party's entries; network admins see all."""
    _require_audit(actor)
    with db.read() as session:
        rows = (
            session.execute(
                query_audit(
                    actor,
                    action=action,
                    actor_email=actor_email,
                    party=party,
                    object_type=object_type,
                    object_id=object_id,
                    since=since,
                    until=until,
                    before_id=before_id,
                    limit=limit,
                )
            )
            .scalars()
            .all()
        )
        return AuditPage(
            items=[audit_out(r) for r in rows],
            next_before_id=rows[-1].id if len(rows) == limit else None,
        )


@router.get("/audit/verify", response_model=ChainOut, summary="Check the audit hash chain")
def verify(actor: CurrentActor, db: DbDep) -> ChainOut:
    """Recompute every entry's hash and name the first entry that does not fit."""
    if not actor.can(Permission.VIEW_ALL_AUDIT):
        raise Forbidden("only network admins verify the whole trail")
    with db.read() as session:
        report = audit.verify_chain(session)
    return ChainOut(
        intact=report.intact,
        checked=report.checked,
        broken_id=report.broken_id,
        reason=report.reason,
    )
