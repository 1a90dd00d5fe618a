"""Personal API tokens: created for a user, shown once, stored hashed, revocable."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from eocnet.actions import audit
from eocnet.actions.errors import Invalid, NotFound
from eocnet.actions.users import can_manage
from eocnet.auth.tokens import new_token, token_hash
from eocnet.db.models import ApiToken, Party, User
from eocnet.db.types import utcnow
from eocnet.domain.actors import Actor
from eocnet.domain.roles import Role

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
    if expires_at is not None:
        if expires_at.tzinfo is None:
            expires_at = expires_at.replace(tzinfo=UTC)  # a time without zone is UTC
        if expires_at <= utcnow():
            raise Invalid("the expiry must be in the future", field="expires_at")
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


_TOKEN_ACTOR = (
    select(
        ApiToken.scope,
        ApiToken.expires_at,
        ApiToken.revoked_at,
        User.id,
        User.email,
        User.party_code,
        User.roles,
        User.is_active,
        Party.kind,
    )
    .join(User, User.id == ApiToken.user_id)
    .join(Party, Party.code == User.party_code)
    .where(ApiToken.token_hash == bindparam("token_hash"))
)


def actor_for_token(session: Session, raw: str) -> Actor | None:
    """Who a bearer token acts for, or None if it is unknown, revoked, expired or its
    user is deactivated. Asked on every API call: one Core query on the session's
    connection, no ORM objects."""
    row = session.connection().execute(_TOKEN_ACTOR, {"token_hash": token_hash(raw)}).first()
    if row is None or row.revoked_at is not None or not row.is_active:
        return None
    if row.expires_at is not None and row.expires_at <= utcnow():
        return None
    return Actor(
        user_id=row.id,
        email=row.email,
        party_code=row.party_code,
        party_kind=row.kind,
        roles=tuple(Role(r) for r in row.roles),
        scope=row.scope,
    )
