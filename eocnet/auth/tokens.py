"""Personal API tokens and web session ids: random, shown once, stored as SHA-256.

Tokens carry 256 bits of randomness, so a fast hash is enough (unlike passwords).
"""

from __future__ import annotations

import hashlib
import secrets

TOKEN_PREFIX = "eoc_"  # noqa: S105 (a label, not a secret)


def new_token() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_session_id() -> str:
    return secrets.token_urlsafe(32)
