"""Health, readiness, migrations and the API description."""

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from fastapi.testclient import TestClient

from eocnet.app import create_app
from eocnet.config import Settings
from eocnet.db.database import Database
from eocnet.db.models import Base
from eocnet.db.unmanaged import is_managed


def test_healthz_and_readyz(client):
    assert client.get("/healthz").json() == {"status": "ok"}
    assert client.get("/readyz").json()["migrations"] == "current"


def test_readyz_reports_missing_migrations(tmp_path):
    url = f"sqlite:///{tmp_path}/empty.db"
    db = Database(url)
    with TestClient(create_app(Settings(database_url=url, secret_key="k" * 40), db)) as c:
        r = c.get("/readyz")
    db.dispose()
    assert r.status_code == 503 and "eocnet db upgrade" in r.json()["migrations"]


def test_migrations_match_the_models(db):
    with db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"include_object": is_managed})
        diff = compare_metadata(context, Base.metadata)
    assert diff == []


def test_sqlite_pragmas(db):
    if not db.is_sqlite:
        pytest.skip("SQLite's pragmas: this run is on PostgreSQL")
    with db.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 30000


def test_openapi_document(client):
    doc = client.get("/api/v1/openapi.json").json()
    assert doc["info"]["title"] == "eocnet API"
    assert "/api/v1/parties" in doc["paths"] and "/api/v1/me" in doc["paths"]
    for path, ops in doc["paths"].items():
        for method, op in ops.items():
            assert op.get("summary"), f"{method} {path} has no summary"
