"""The caller, users of a party (for its admins) and personal API tokens."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from eocnet.actions import tokens, users
from eocnet.actions.errors import Forbidden, NotFound
from eocnet.api.deps import CurrentActor, DbDep
from eocnet.api.schemas import (
    Id,
    MeOut,
    TokenCreate,
    TokenCreated,
    TokenOut,
    UserCreate,
    UserOut,
    UserUpdate,
)
from eocnet.db.models import ApiToken, User
from eocnet.domain.roles import Permission

router = APIRouter(tags=["accounts"])


def user_out(user: User) -> UserOut:
    return UserOut(
        id=user.id,
        email=user.email,
        name=user.name,
        party=user.party_code,
        roles=list(user.roles),
        active=user.is_active,
        two_factor=user.totp_enabled_at is not None,
        created_at=user.created_at,
    )


def token_out(row: ApiToken) -> TokenOut:
    return TokenOut(
        id=row.id,
        name=row.name,
        prefix=row.prefix,
        scope=row.scope,
        created_at=row.created_at,
        expires_at=row.expires_at,
        revoked_at=row.revoked_at,
    )


@router.get("/me", response_model=MeOut, summary="Who am I")
def me(actor: CurrentActor, db: DbDep) -> MeOut:
    """The caller: their party and roles, as the server sees them."""
    with db.read() as session:
        user = session.get(User, actor.user_id)
        assert user is not None
        return MeOut(
            id=user.id,
            email=user.email,
            name=user.name,
            party=user.party_code,
            party_name=user.party.name,
            roles=list(user.roles),
            language=user.language,
            two_factor=user.totp_enabled_at is not None,
            token_scope=actor.scope,
        )


def _require_manager(actor: CurrentActor) -> None:
    if not (actor.can(Permission.MANAGE_PARTY_USERS) or actor.can(Permission.MANAGE_ALL_USERS)):
        raise Forbidden("only admins manage users")


@router.get("/users", response_model=list[UserOut], summary="List users")
def list_users(actor: CurrentActor, db: DbDep) -> list[UserOut]:
    """Users the caller administers: their own party's, or all for the network's admins."""
    _require_manager(actor)
    with db.read() as session:
        query = select(User).order_by(User.party_code, User.email)
        if not actor.can(Permission.MANAGE_ALL_USERS):
            query = query.where(User.party_code == actor.party_code)
        return [user_out(u) for u in session.execute(query).scalars()]


@router.post("/users", response_model=UserOut, status_code=201, summary="Create a user")
def create_user(body: UserCreate, actor: CurrentActor, db: DbDep) -> UserOut:
    """Create a user of a party the caller administers. Roles that need a second factor
    are asked to set it up at their first web login."""
    _require_manager(actor)

    def job(session: Session) -> UserOut:
        user = users.create_user(
            session,
            actor,
            email=body.email,
            party_code=body.party,
            roles=body.roles,
            password=body.password,
            name=body.name,
            phone=body.phone,
            language=body.language,
        )
        return user_out(user)

    return db.run_sync(job)


@router.patch("/users/{user_id}", response_model=UserOut, summary="Enable or disable a user")
def update_user(user_id: Id, body: UserUpdate, actor: CurrentActor, db: DbDep) -> UserOut:
    """Disabling a user ends their web sessions and stops their tokens at once."""
    _require_manager(actor)

    def job(session: Session) -> UserOut:
        user = users.access_user(session, actor, user_id)
        users.set_active(session, actor, user, body.active)
        return user_out(user)

    return db.run_sync(job)


@router.post("/users/{user_id}/reset-2fa", status_code=204, summary="Reset a user's second factor")
def reset_2fa(user_id: Id, actor: CurrentActor, db: DbDep) -> Response:
    """For a lost phone: the user sets up a new second factor at their next login."""
    _require_manager(actor)

    def job(session: Session) -> None:
        users.reset_second_factor(session, actor, users.access_user(session, actor, user_id))

    db.run_sync(job)
    return Response(status_code=204)


@router.get("/tokens", response_model=list[TokenOut], summary="My API tokens")
def list_tokens(actor: CurrentActor, db: DbDep) -> list[TokenOut]:
    with db.read() as session:
        rows = session.execute(
            select(ApiToken).where(ApiToken.user_id == actor.user_id).order_by(ApiToken.id)
        ).scalars()
        return [token_out(r) for r in rows]


@router.post("/tokens", response_model=TokenCreated, status_code=201, summary="Create an API token")
def create_token(body: TokenCreate, actor: CurrentActor, db: DbDep) -> TokenCreated:
    """A personal token for scripts. The token is in the answer only this once."""
    if body.scope == "write" and actor.scope != "write":
        raise HTTPException(403, "A read-only token cannot create a write token.")

    def job(session: Session) -> TokenCreated:
        user = session.get(User, actor.user_id)
        assert user is not None
        row, raw = tokens.create_token(
            session, actor, user, scope=body.scope, name=body.name, expires_at=body.expires_at
        )
        return TokenCreated(**token_out(row).model_dump(), token=raw)

    return db.run_sync(job)


@router.delete("/tokens/{token_id}", status_code=204, summary="Revoke an API token")
def revoke_token(token_id: Id, actor: CurrentActor, db: DbDep) -> Response:
    def job(session: Session) -> None:
        row = session.get(ApiToken, token_id)
        if row is None or row.user_id != actor.user_id:
            raise NotFound(f"no active token {token_id}")
        tokens.revoke_token(session, actor, token_id)

    db.run_sync(job)
    return Response(status_code=204)
