"""Fixtures: a real database (SQLite or PostgreSQL), the app, and small factories.

``EOCNET_TEST_BACKEND=postgresql`` runs the suite against the PostgreSQL server named
by ``EOCNET_TEST_PG_ADMIN_URL`` (default: postgres on 127.0.0.1:5432). The suite
creates its own database there and drops only that. Under ``CI=true`` a missing
server is a failure, not a skip. Stream payloads are validated against their
catalogued classes throughout (``EOCNET_VALIDATE_STREAM_EVENTS``).
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from eocnet.actions import directory, tokens, users
from eocnet.app import create_app
from eocnet.config import Settings
from eocnet.db import migrate
from eocnet.db.database import Database
from eocnet.db.models import Base, User
from eocnet.realtime import events

# Every stream payload any test triggers is checked against its catalogued class
# (eocnet/realtime/events.py), in this process and in the servers and commands it starts.
os.environ["EOCNET_VALIDATE_STREAM_EVENTS"] = "true"
events.validate_payloads(True)

BACKEND = os.environ.get("EOCNET_TEST_BACKEND", "sqlite")
PG_ADMIN = os.environ.get(
    "EOCNET_TEST_PG_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
)
IN_CI = os.environ.get("CI", "").lower() == "true"
PASSWORD = "correct horse battery staple"
SECRET = "test-secret-key-that-is-long-enough-for-production-use"
MASTER_KEY = "dGVzdC1tYXN0ZXIta2V5LW9mLTMyLWJ5dGVzLWxvbmc="  # 32 bytes, tests only


def _missing(what: str) -> None:
    if IN_CI:
        pytest.fail(f"{what} is required under CI=true", pytrace=False)
    pytest.skip(f"{what} not available")


def pg_url_for(name: str) -> str:
    base = PG_ADMIN.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://", 1)
    return f"{base}/{name}"


def create_pg_database() -> str:
    name = f"eocnet_test_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    try:
        with psycopg.connect(PG_ADMIN, autocommit=True, connect_timeout=5) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
    except psycopg.OperationalError as exc:
        _missing(f"PostgreSQL at {PG_ADMIN} ({exc})")
    return name


def drop_pg_database(name: str) -> None:
    assert name.startswith("eocnet_test_")
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if BACKEND == "postgresql":
        name = create_pg_database()
        url = pg_url_for(name)
        migrate.upgrade(url)
        yield url
        drop_pg_database(name)
    else:
        path = tmp_path_factory.mktemp("db") / "eocnet.db"
        url = f"sqlite:///{path}"
        migrate.upgrade(url)
        yield url


@pytest.fixture(scope="session")
def shared_db(database_url: str) -> Iterator[Database]:
    db = Database(database_url)
    yield db
    db.dispose()


def reset(db: Database) -> None:
    """Empty every table and load the ASEAN directory again."""
    tables = [t.name for t in reversed(Base.metadata.sorted_tables)]
    with db.transaction() as session:
        if db.is_sqlite:
            for name in tables:
                session.execute(text(f'DELETE FROM "{name}"'))
        else:
            joined = ", ".join(f'"{n}"' for n in tables)
            session.execute(text(f"TRUNCATE {joined} RESTART IDENTITY CASCADE"))
        directory.load_network(
            session, None, directory.read_network_file(directory.DEFAULT_NETWORK)
        )


@pytest.fixture
def db(shared_db: Database) -> Database:
    reset(shared_db)
    return shared_db


@pytest.fixture
def settings(database_url: str) -> Settings:
    return Settings(
        database_url=database_url,
        secret_key=SECRET,
        env="development",
        login_max_failures=5,
        jobs_in_server=False,
        master_key=MASTER_KEY,
    )


@pytest.fixture
def app(settings: Settings, db: Database):  # type: ignore[no-untyped-def]
    return create_app(settings, db)


@pytest.fixture
def client(app) -> Iterator[TestClient]:  # type: ignore[no-untyped-def]
    with TestClient(app) as c:
        yield c


@dataclass
class Person:
    id: int
    email: str
    party: str
    roles: list[str]
    password: str
    token: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


@pytest.fixture
def make_person(db: Database):  # type: ignore[no-untyped-def]
    """Create a user with a write token: ``make_person("IDN", "officer")``."""
    counter = iter(range(1, 10_000))

    def _make(party: str, *roles: str, scope: str = "write", email: str | None = None) -> Person:
        email = email or f"{roles[0]}{next(counter)}.{party.lower()}@test.example"
        with db.transaction() as session:
            user = users.create_user(
                session,
                None,
                email=email,
                party_code=party,
                roles=list(roles),
                password=PASSWORD,
                name=email.split("@")[0],
            )
            _, raw = tokens.create_token(session, None, user, scope=scope, name="test")
            return Person(user.id, user.email, party, list(roles), PASSWORD, raw)

    return _make


def user_row(db: Database, user_id: int) -> User:
    with db.read() as session:
        user = session.get(User, user_id)
        assert user is not None
        _ = user.party
        return user


@pytest.fixture
def live_server(db, database_url):  # type: ignore[no-untyped-def]
    """The application in its own server process, on the test database."""
    from tests.live import LiveServer

    server = LiveServer(database_url)
    yield server
    server.stop()


@pytest.fixture(scope="session")
def cap_corpus() -> Path:
    """Real CAP 1.2 messages, valid and invalid (tests/data/cap/SOURCES.md)."""
    return Path(__file__).parent / "data" / "cap"
