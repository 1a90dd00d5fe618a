"""Personal API tokens: created for a user, shown once, stored hashed, revocable."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from eocnet.actions import audit
from eocnet.actions.errors import Invalid, NotFound
from eocnet.actions.users import can_manage
from eocnet.auth.tokens import new_token, token_hash
from eocnet.db.models import ApiToken, User
from eocnet.db.types import utcnow
from eocnet.domain.actors import Actor

SCOPES = ("read", "write")


def create_token(
    session: Session,
    actor: Actor | None,
    user: User,
    *,
    scope: str,
    name: str = "",
    expires_at: datetime | None = None,
) -> tuple[ApiToken, str]:
    """Returns the stored token row and the token itself (shown once, never stored)."""
    if scope not in SCOPES:
        raise Invalid(f"scope must be one of {', '.join(SCOPES)}", field="scope")
    if actor is not None and actor.user_id != user.id:
        raise NotFound("no such user")
    if not user.is_active:
        raise Invalid("the user is disabled", field="email")
    raw = new_token()
    row = ApiToken(
        user_id=user.id,
        name=name.strip()[:100],
        prefix=raw[:10],
        token_hash=token_hash(raw),
        scope=scope,
        expires_at=expires_at,
    )
    session.add(row)
    session.flush()
    audit.record(
        session,
        actor,
        "token.create",
        "api_token",
        row.id,
        details={"user": user.email, "scope": scope, "name": row.name},
        party_code=user.party_code,
    )
    return row, raw


def revoke_token(session: Session, actor: Actor | None, token_id: int) -> ApiToken:
    row = session.get(ApiToken, token_id)
    if row is None or row.revoked_at is not None:
        raise NotFound(f"no active token {token_id}")
    if (
        actor is not None
        and row.user_id != actor.user_id
        and not can_manage(actor, row.user.party_code)
    ):
        raise NotFound(f"no active token {token_id}")
    row.revoked_at = utcnow()
    audit.record(
        session,
        actor,
        "token.revoke",
        "api_token",
        row.id,
        details={"user": row.user.email},
        party_code=row.user.party_code,
    )
    return row


def find_token(session: Session, raw: str) -> ApiToken | None:
    # One query: the token, its user and the user's party (asked on every API call).
    row = session.execute(
        select(ApiToken)
        .options(joinedload(ApiToken.user).joinedload(User.party))
        .where(ApiToken.token_hash == token_hash(raw))
    ).scalar_one_or_none()
    if row is None or row.revoked_at is not None or not row.user.is_active:
        return None
    if row.expires_at is not None and row.expires_at <= utcnow():
        return None
    return row
