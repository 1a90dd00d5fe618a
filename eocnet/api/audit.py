"""The audit trail, for admins: browse, filter, and check the hash chain."""

from __future__ import annotations

import json
from datetime import datetime

from fastapi import APIRouter, Query

from eocnet.actions import audit
from eocnet.actions.errors import Forbidden
from eocnet.api.deps import CurrentActor, DbDep
from eocnet.api.schemas import MAX_ID, AuditOut, AuditPage, ChainOut
from eocnet.db.models import AuditEntry
from eocnet.domain.actors import Actor
from eocnet.domain.roles import Permission
from eocnet.queries.audit import query_audit

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
