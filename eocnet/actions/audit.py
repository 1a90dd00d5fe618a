"""The audit trail: append an entry chained to the previous one; verify the chain."""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from eocnet.db.database import lock_logs
from eocnet.db.models import AuditEntry, table_of
from eocnet.db.types import utcnow
from eocnet.domain.actors import Actor
from eocnet.domain.audit_chain import GENESIS, entry_hash, first_break

_TABLE = table_of(AuditEntry)
_COLUMNS = tuple(c.key for c in _TABLE.columns)
_LAST = select(_TABLE.c.id, _TABLE.c.hash).order_by(_TABLE.c.id.desc()).limit(1)
_INSERT = _TABLE.insert()


def _fields(entry: AuditEntry) -> dict[str, Any]:
    return {
        "id": entry.id,
        "at": entry.at.isoformat(timespec="microseconds"),
        "actor_user_id": entry.actor_user_id,
        "actor": entry.actor,
        "party": entry.party_code,
        "action": entry.action,
        "object_type": entry.object_type,
        "object_id": entry.object_id,
        "details": entry.details,
    }


def record(
    session: Session,
    actor: Actor | None,
    action: str,
    object_type: str = "",
    object_id: object = "",
    *,
    details: dict[str, Any] | None = None,
    actor_label: str | None = None,
    party_code: str | None = None,
) -> AuditEntry:
    """Append an audit entry inside the caller's transaction.

    ``actor`` None means the system or the command line; ``actor_label`` then names it
    (for example the e-mail typed at a failed login).
    """
    lock_logs(session)
    # Appends are serialised (the SQLite writer lock, or the PostgreSQL advisory lock
    # taken above), so the next id is known before the insert and the hash, which
    # covers the id, is computed once: one statement per entry. Core statements on the
    # session's connection: every write is audited, and the ORM's per-statement work
    # would cost four times as much.
    connection = session.connection()
    last = connection.execute(_LAST).first()
    entry = AuditEntry(
        id=(last.id + 1) if last else 1,
        at=utcnow(),
        actor_user_id=actor.user_id if actor else None,
        actor=actor.email if actor else (actor_label or "system"),
        party_code=actor.party_code if actor else party_code,
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        details=json.dumps(details or {}, sort_keys=True, ensure_ascii=False),
        prev_hash=last.hash if last else GENESIS,
    )
    entry.hash = entry_hash(entry.prev_hash, _fields(entry))
    connection.execute(_INSERT, {name: getattr(entry, name) for name in _COLUMNS})
    return entry


@dataclass(frozen=True)
class ChainReport:
    checked: int
    broken_id: int | None
    reason: str = ""

    @property
    def intact(self) -> bool:
        return self.broken_id is None


def verify_chain(session: Session, batch: int = 5000) -> ChainReport:
    """Walk the whole trail in id order and name the first entry that breaks the chain."""
    checked = 0
    expected_prev = GENESIS
    last_id = 0
    while True:
        rows = (
            session.execute(
                select(AuditEntry)
                .where(AuditEntry.id > last_id)
                .order_by(AuditEntry.id)
                .limit(batch)
            )
            .scalars()
            .all()
        )
        if not rows:
            return ChainReport(checked, None)
        items = [(r.id, _fields(r), r.prev_hash, r.hash) for r in rows]
        broken = first_break(items, start=expected_prev)
        if broken:
            return ChainReport(checked, broken[0], broken[1])
        checked += len(rows)
        expected_prev = rows[-1].hash
        last_id = rows[-1].id
        session.expunge_all()


# ---------------------------------------------------------------- checkpoints

CHECKPOINT_KIND = "eocnet-audit-checkpoint/1"


def _checkpoint_mac(key: str, body: dict[str, Any]) -> str:
    message = json.dumps(body, sort_keys=True, separators=(",", ":")).encode()
    derived = hmac.new(key.encode(), b"eocnet audit checkpoint", hashlib.sha256).digest()
    return hmac.new(derived, message, hashlib.sha256).hexdigest()


def checkpoint(session: Session, key: str) -> dict[str, Any]:
    """The chain's head now (entries, the newest id and its hash), signed with
    ``key`` (HMAC-SHA256 under a key derived from the node's secret). Kept where this
    host cannot rewrite it, it lets :func:`check_checkpoint` detect a trail cut
    short or rewritten and rehashed, which the chain alone cannot."""
    last = session.scalar(select(AuditEntry).order_by(AuditEntry.id.desc()).limit(1))
    entries = session.scalar(select(func.count()).select_from(AuditEntry)) or 0
    body: dict[str, Any] = {
        "kind": CHECKPOINT_KIND,
        "entries": int(entries),
        "last_id": last.id if last else 0,
        "head": last.hash if last else GENESIS,
        "at": utcnow().isoformat(),
    }
    return {**body, "signature": _checkpoint_mac(key, body)}


def check_checkpoint(session: Session, key: str, saved: dict[str, Any]) -> str | None:
    """Why the trail does not extend the checkpoint ``saved``, or None."""
    body = {k: v for k, v in saved.items() if k != "signature"}
    if body.get("kind") != CHECKPOINT_KIND:
        return "not an audit checkpoint"
    if not hmac.compare_digest(str(saved.get("signature", "")), _checkpoint_mac(key, body)):
        return "the checkpoint's signature does not match (another node's, or altered)"
    last_id, entries = int(body["last_id"]), int(body["entries"])
    if last_id == 0:
        return None
    entry = session.get(AuditEntry, last_id)
    if entry is None:
        return f"entry {last_id}, the newest at the checkpoint, is gone (the trail was cut)"
    if entry.hash != body["head"]:
        return f"entry {last_id} has another hash than at the checkpoint (rewritten and rehashed)"
    kept = session.scalar(
        select(func.count()).select_from(AuditEntry).where(AuditEntry.id <= last_id)
    )
    if kept != entries:
        return f"{entries} entries up to {last_id} at the checkpoint, {kept} now"
    return None
