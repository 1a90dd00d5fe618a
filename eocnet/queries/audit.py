"""The audit trail as a query: what an admin may read (party admins their party's
entries, network admins every entry), filtered and paged, newest first."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Select, select

from eocnet.db.models import AuditEntry
from eocnet.domain.actors import Actor
from eocnet.domain.roles import Permission


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
