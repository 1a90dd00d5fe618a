"""Users: creation, roles, activation, passwords, language, and second-factor enrolment."""

from __future__ import annotations

import re

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from eocnet.actions import audit
from eocnet.actions.errors import Conflict, Forbidden, Invalid, NotFound
from eocnet.auth import passwords, totp
from eocnet.auth.secrets_box import seal, unseal
from eocnet.db.models import DemoCredential, Party, RecoveryCode, User, WebSession
from eocnet.db.types import utcnow
from eocnet.domain.actors import Actor
from eocnet.domain.roles import Permission, Role, needs_second_factor, parse_roles

EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
TOTP_PURPOSE = "totp-secret"


def actor_for(user: User, scope: str = "write") -> Actor:
    return Actor(
        user_id=user.id,
        email=user.email,
        party_code=user.party_code,
        party_kind=user.party.kind,
        roles=tuple(Role(r) for r in user.roles),
        scope=scope,
    )


def user_roles(user: User) -> list[Role]:
    return [Role(r) for r in user.roles]


def find_by_email(session: Session, email: str) -> User | None:
    return session.execute(
        select(User).where(func.lower(User.email) == email.strip().lower())
    ).scalar_one_or_none()


def can_manage(actor: Actor | None, party_code: str) -> bool:
    if actor is None:  # the command line, run by the operator
        return True
    if actor.can(Permission.MANAGE_ALL_USERS):
        return True
    return actor.can(Permission.MANAGE_PARTY_USERS) and actor.party_code == party_code


def access_user(session: Session, actor: Actor | None, user_id: int) -> User:
    """A user the actor may manage; 404 when it does not exist or is out of reach."""
    user = session.get(User, user_id)
    if user is None or not can_manage(actor, user.party_code):
        if actor is not None and user is not None and user.id == actor.user_id:
            return user
        raise NotFound(f"no user {user_id}")
    return user


def create_user(
    session: Session,
    actor: Actor | None,
    *,
    email: str,
    party_code: str,
    roles: list[str],
    password: str,
    name: str = "",
    phone: str = "",
    language: str = "en",
) -> User:
    email = email.strip().lower()
    if not EMAIL.match(email):
        raise Invalid(f"{email!r} is not an e-mail address", field="email")
    party = session.get(Party, party_code.strip().upper())
    if party is None or not party.active:
        raise Invalid(f"unknown party {party_code!r}", field="party")
    if not can_manage(actor, party.code):
        raise Forbidden("you may not create users for this party")
    try:
        parsed = parse_roles(roles)
    except ValueError as exc:
        raise Invalid(str(exc), field="roles") from None
    if Role.PARTNER in parsed and party.kind not in ("partner", "organisation"):
        raise Invalid("the partner role is for users of partner parties", field="roles")
    if party.kind in ("partner", "organisation") and set(parsed) - {Role.PARTNER, Role.ADMIN}:
        raise Invalid("users of partner parties hold the partner role", field="roles")
    if Role.COORDINATOR in parsed and party.kind != "coordinator":
        raise Invalid("the coordinator role is for users of the coordinating party", field="roles")
    if actor is not None and Role.ADMIN in parsed and not actor.has_role(Role.ADMIN):
        raise Forbidden("only an admin may create an admin")
    try:
        passwords.check_strength(password)
    except passwords.WeakPassword as exc:
        raise Invalid(str(exc), field="password") from None
    if find_by_email(session, email) is not None:
        raise Conflict(f"a user with e-mail {email} already exists", field="email")
    user = User(
        email=email,
        name=name.strip(),
        party_code=party.code,
        roles=[r.value for r in parsed],
        phone=phone.strip(),
        password_hash=passwords.hash_password(password),
        language=language,
    )
    session.add(user)
    session.flush()
    audit.record(
        session,
        actor,
        "user.create",
        "user",
        user.id,
        details={"email": email, "party": party.code, "roles": user.roles},
    )
    return user


def set_active(session: Session, actor: Actor | None, user: User, active: bool) -> User:
    if not can_manage(actor, user.party_code):
        raise Forbidden("you may not manage users of this party")
    if actor is not None and user.id == actor.user_id and not active:
        raise Invalid("you cannot disable your own account", field="active")
    user.is_active = active
    if not active:
        session.execute(delete(WebSession).where(WebSession.user_id == user.id))
    audit.record(session, actor, "user.enable" if active else "user.disable", "user", user.id)
    return user


def reset_second_factor(session: Session, actor: Actor | None, user: User) -> None:
    """Remove a lost second factor; the user enrols again at the next login."""
    if not can_manage(actor, user.party_code):
        raise Forbidden("you may not manage users of this party")
    user.totp_secret_enc = None
    user.totp_enabled_at = None
    user.totp_last_step = 0
    session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    session.execute(delete(WebSession).where(WebSession.user_id == user.id))
    audit.record(session, actor, "user.reset_2fa", "user", user.id)


def change_password(session: Session, user: User, current: str, new: str) -> None:
    if not passwords.verify_password(user.password_hash, current):
        raise Invalid("the current password is not right", field="current_password")
    try:
        passwords.check_strength(new)
    except passwords.WeakPassword as exc:
        raise Invalid(str(exc), field="new_password") from None
    user.password_hash = passwords.hash_password(new)
    user.password_changed_at = utcnow()
    session.execute(delete(DemoCredential).where(DemoCredential.email == user.email))
    audit.record(session, actor_for(user), "user.change_password", "user", user.id)


def set_language(session: Session, user: User, language: str, available: list[str]) -> None:
    if language not in available:
        raise Invalid(f"unsupported language {language!r}", field="language")
    if user.language != language:
        user.language = language
        audit.record(
            session,
            actor_for(user),
            "user.set_language",
            "user",
            user.id,
            details={"language": language},
        )


def begin_totp_enrolment(session: Session, user: User, secret_key: str) -> str:
    """Give the user a fresh (not yet active) TOTP secret to put in their app."""
    secret = totp.new_secret()
    if user.totp_enabled_at is not None:
        raise Conflict("two-factor authentication is already set up", field="totp")
    user.totp_secret_enc = seal(secret_key, TOTP_PURPOSE, secret)
    session.flush()
    return secret


def pending_totp_secret(user: User, secret_key: str) -> str | None:
    if user.totp_secret_enc is None:
        return None
    return unseal(secret_key, TOTP_PURPOSE, user.totp_secret_enc)


def confirm_totp_enrolment(session: Session, user: User, code: str, secret_key: str) -> list[str]:
    """Activate the second factor when ``code`` proves the app has the secret.

    Returns the new recovery codes, to be shown once.
    """
    secret = pending_totp_secret(user, secret_key)
    if secret is None or user.totp_enabled_at is not None:
        raise Conflict("start the two-factor set-up first", field="code")
    step = totp.matching_step(secret, code, user.totp_last_step)
    if step is None:
        raise Invalid(
            "that code is not right; check the time on your phone and try again", field="code"
        )
    user.totp_last_step = step
    user.totp_enabled_at = utcnow()
    codes = totp.new_recovery_codes()
    session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    session.add_all(
        RecoveryCode(user_id=user.id, code_hash=totp.hash_recovery_code(c)) for c in codes
    )
    audit.record(session, actor_for(user), "user.enrol_2fa", "user", user.id)
    return codes


def requires_enrolment(user: User) -> bool:
    return needs_second_factor(user_roles(user)) and user.totp_enabled_at is None
