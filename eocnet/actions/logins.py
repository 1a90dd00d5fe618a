"""Logging in: password check with growing lock-outs, the second factor, web sessions.

A failed attempt must be remembered even though the login fails, so these
functions report failure in their return value instead of raising (an exception
would roll the failure counter back with the transaction).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from eocnet.actions import audit
from eocnet.actions.users import TOTP_PURPOSE, actor_for, find_by_email, requires_enrolment
from eocnet.auth import passwords, totp
from eocnet.auth.secrets_box import unseal
from eocnet.auth.tokens import new_session_id, token_hash
from eocnet.config import Settings
from eocnet.db.models import LoginThrottle, RecoveryCode, User, WebSession
from eocnet.db.types import utcnow


@dataclass(frozen=True)
class LoginOutcome:
    user: User | None
    #: "ok", "bad_credentials", "locked" or "disabled"
    status: str
    retry_after: int = 0

    @property
    def ok(self) -> bool:
        return self.status == "ok"


def _throttle(session: Session, key: str) -> LoginThrottle:
    row = session.get(LoginThrottle, key)
    if row is None:
        row = LoginThrottle(key=key, failures=0)
        session.add(row)
    return row


def _locked_for(row: LoginThrottle | None, now: datetime) -> int:
    if row is None or row.locked_until is None or row.locked_until <= now:
        return 0
    return max(1, int((row.locked_until - now).total_seconds() + 0.999))


def _fail(session: Session, key: str, settings: Settings, now: datetime, limit: int) -> None:
    row = _throttle(session, key)
    stale = row.last_failure_at is not None and (
        now - row.last_failure_at > timedelta(seconds=settings.login_lockout_max_seconds)
    )
    row.failures = 1 if stale else row.failures + 1
    row.last_failure_at = now
    over = row.failures - limit
    if over >= 0:
        seconds = min(
            settings.login_lockout_seconds * (2**over), settings.login_lockout_max_seconds
        )
        row.locked_until = now + timedelta(seconds=seconds)


def _keys(email: str, address: str) -> tuple[str, str]:
    return f"account:{email.strip().lower()}", f"address:{address}"


def check_password(
    session: Session, settings: Settings, email: str, password: str, address: str
) -> LoginOutcome:
    now = utcnow()
    account_key, address_key = _keys(email, address)
    account = session.get(LoginThrottle, account_key)
    # Per account first. The address (a NAT, a ministry proxy) is locked only at a much
    # higher count, and never for an account with no failures of its own, so that one
    # person's wrong passwords do not shut out everyone behind the same address.
    wait = _locked_for(account, now)
    if account is not None and account.failures > 0:
        wait = max(wait, _locked_for(session.get(LoginThrottle, address_key), now))
    if wait:
        audit.record(
            session,
            None,
            "login.refused_locked",
            "user",
            "",
            actor_label=email[:254],
            details={"address": address, "retry_after": wait},
        )
        return LoginOutcome(None, "locked", wait)
    user = find_by_email(session, email)
    if not passwords.verify_password(user.password_hash if user else None, password):
        _fail(session, account_key, settings, now, settings.login_max_failures)
        _fail(session, address_key, settings, now, settings.login_address_max_failures)
        audit.record(
            session,
            None,
            "login.failed",
            "user",
            user.id if user else "",
            actor_label=email[:254],
            details={"address": address},
            party_code=user.party_code if user else None,
        )
        return LoginOutcome(None, "bad_credentials")
    assert user is not None
    if not user.is_active:
        audit.record(
            session,
            actor_for(user),
            "login.refused_disabled",
            "user",
            user.id,
            details={"address": address},
        )
        return LoginOutcome(None, "disabled")
    session.execute(delete(LoginThrottle).where(LoginThrottle.key == account_key))
    if passwords.needs_rehash(user.password_hash):
        user.password_hash = passwords.hash_password(password)
    audit.record(
        session, actor_for(user), "login.password_ok", "user", user.id, details={"address": address}
    )
    return LoginOutcome(user, "ok")


def check_second_factor(
    session: Session, settings: Settings, user: User, code: str, address: str
) -> LoginOutcome:
    """Accept a current TOTP code (each once) or an unused recovery code."""
    now = utcnow()
    account_key = f"2fa:{user.id}"
    wait = _locked_for(session.get(LoginThrottle, account_key), now)
    if wait:
        return LoginOutcome(None, "locked", wait)
    ok = False
    method = "totp"
    if user.totp_enabled_at is not None and user.totp_secret_enc:
        secret = unseal(settings.effective_secret(), TOTP_PURPOSE, user.totp_secret_enc)
        step = totp.matching_step(secret, code, user.totp_last_step)
        if step is not None:
            user.totp_last_step = step
            ok = True
        else:
            recovery = session.execute(
                select(RecoveryCode).where(
                    RecoveryCode.user_id == user.id,
                    RecoveryCode.code_hash == totp.hash_recovery_code(code),
                    RecoveryCode.used_at.is_(None),
                )
            ).scalar_one_or_none()
            if recovery is not None:
                recovery.used_at = now
                ok = True
                method = "recovery_code"
    if not ok:
        _fail(session, account_key, settings, now, settings.login_max_failures)
        audit.record(
            session,
            actor_for(user),
            "login.second_factor_failed",
            "user",
            user.id,
            details={"address": address},
        )
        return LoginOutcome(None, "bad_credentials")
    session.execute(delete(LoginThrottle).where(LoginThrottle.key == account_key))
    audit.record(
        session,
        actor_for(user),
        "login.second_factor_ok",
        "user",
        user.id,
        details={"address": address, "method": method},
    )
    return LoginOutcome(user, "ok")


def start_web_session(
    session: Session, settings: Settings, user: User, *, second_factor_done: bool
) -> str:
    """Create a web session; returns the cookie value (only its hash is stored)."""
    raw = new_session_id()
    session.add(
        WebSession(
            id_hash=token_hash(raw),
            user_id=user.id,
            expires_at=utcnow() + timedelta(hours=settings.session_hours),
            second_factor_done=second_factor_done,
        )
    )
    session.execute(delete(WebSession).where(WebSession.expires_at < utcnow()))
    return raw


def web_session_complete(user: User, web_session: WebSession) -> bool:
    """Whether the session may use the application (second factor done or not needed)."""
    if user.totp_enabled_at is not None:
        return web_session.second_factor_done
    return not requires_enrolment(user)


def mark_second_factor_done(session: Session, raw: str) -> None:
    row = session.get(WebSession, token_hash(raw))
    if row is not None:
        row.second_factor_done = True


def end_web_session(session: Session, raw: str) -> None:
    row = session.get(WebSession, token_hash(raw))
    if row is not None:
        audit.record(session, actor_for(row.user), "logout", "user", row.user_id)
        session.delete(row)


def find_web_session(session: Session, raw: str) -> WebSession | None:
    row = session.get(WebSession, token_hash(raw))
    if row is None or row.expires_at <= utcnow() or not row.user.is_active:
        return None
    return row
