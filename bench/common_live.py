"""A demo-like network in a temporary database, served by a real server process."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from eocnet.actions import tokens, users
from eocnet.db.database import Database
from tests.live import LiveServer


@dataclass
class Caller:
    email: str
    party: str
    token: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


def make_caller(db: Database, email: str, party: str, roles: list[str]) -> Caller:
    with db.write() as session:
        user = users.create_user(
            session,
            None,
            email=email,
            party_code=party,
            roles=roles,
            password="benchmark password 1",
        )
        _, raw = tokens.create_token(session, None, user, scope="write")
    return Caller(email, party, raw)


@contextmanager
def serving(url: str, **env: str) -> Iterator[LiveServer]:
    server = LiveServer(
        url, {"EOCNET_LOG_LEVEL": "ERROR", "EOCNET_STREAM_HEARTBEAT_SECONDS": "15", **env}
    )
    try:
        yield server
    finally:
        server.stop()
