"""Passwords hashed with argon2id at OWASP's baseline (19 MiB, t=2, p=1) or above."""

from __future__ import annotations

from contextlib import suppress

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

_HASHER = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)

MIN_LENGTH = 12

#: A hash of a random string, verified against on unknown accounts so that the
#: answer takes as long as for a known one (no account enumeration by timing).
_DUMMY_HASH = _HASHER.hash("eocnet-timing-equaliser")


class WeakPassword(ValueError):
    pass


def check_strength(password: str) -> None:
    if len(password) < MIN_LENGTH:
        raise WeakPassword(f"the password must have at least {MIN_LENGTH} characters")
    if len(password) > 1024:
        raise WeakPassword("the password must have at most 1024 characters")
    if len(set(password)) < 5:
        raise WeakPassword("the password must use at least 5 different characters")


def hash_password(password: str) -> str:
    return _HASHER.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    if password_hash is None:
        with suppress(VerificationError):
            _HASHER.verify(_DUMMY_HASH, password)
        return False
    try:
        return _HASHER.verify(password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _HASHER.check_needs_rehash(password_hash)
