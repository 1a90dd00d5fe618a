"""Authenticated API reads against the bare framework: what auth + database add per request.

Baseline: GET /healthz (no authentication, no database) in the same process.
Subject: GET /api/v1/me and GET /api/v1/parties with a bearer token.
"""

from __future__ import annotations

from fastapi.testclient import TestClient

from bench.common import summary_ms, temporary_database, time_get
from eocnet.actions import tokens, users
from eocnet.app import create_app
from eocnet.config import Settings
from eocnet.db.database import Database

ROUNDS = 400


def _time(client: TestClient, path: str, headers: dict[str, str]) -> list[float]:
    return time_get(client, path, headers, ROUNDS)


def run() -> None:
    with temporary_database() as url:
        db = Database(url)
        with db.transaction() as session:
            user = users.create_user(
                session,
                None,
                email="bench@idn.example",
                party_code="IDN",
                roles=["officer"],
                password="benchmark password",
            )
            _, raw = tokens.create_token(session, None, user, scope="read")
        app = create_app(Settings(database_url=url, secret_key="b" * 40, log_level="WARNING"), db)
        headers = {"Authorization": f"Bearer {raw}"}
        with TestClient(app) as client:
            base = _time(client, "/healthz", {})
            me = _time(client, "/api/v1/me", headers)
            parties = _time(client, "/api/v1/parties", headers)
        db.dispose()
    b = sorted(base)[len(base) // 2]
    for label, values in [("/api/v1/me", me), ("/api/v1/parties", parties)]:
        ratio = sorted(values)[len(values) // 2] / b
        print(f"   {label:<22} {summary_ms(values)}   ratio p50 {ratio:5.1f}x")
    print(f"   baseline /healthz      {summary_ms(base)}")
