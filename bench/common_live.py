"""A demo-like network in a temporary database, served by a real server process."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from eocnet.actions import tokens, users
from eocnet.db.database import Database
from tests.live import LiveServer, children


@dataclass
class Caller:
    email: str
    party: str
    token: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


def make_caller(db: Database, email: str, party: str, roles: list[str]) -> Caller:
    with db.transaction() as session:
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
def serving(url: str, workers: int = 1, cwd: str | None = None, **env: str) -> Iterator[LiveServer]:
    server = LiveServer(
        url,
        {
            "EOCNET_LOG_LEVEL": "ERROR",
            "EOCNET_STREAM_HEARTBEAT_SECONDS": "15",
            # as deployed: the test suite's payload validation (set by importing
            # tests.conftest through tests.live) stays off in what is measured
            "EOCNET_VALIDATE_STREAM_EVENTS": "false",
            **env,
        },
        workers=workers,
        cwd=cwd,
    )
    try:
        yield server
    finally:
        server.stop()


def cpu_seconds(pid: int) -> float:
    """User plus system CPU time a process has used so far (Linux /proc)."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def tree_cpu_seconds(pid: int) -> float:
    """CPU time of a process and all its descendants (a server and its workers)."""
    return cpu_seconds(pid) + sum(tree_cpu_seconds(child) for child in children(pid))
