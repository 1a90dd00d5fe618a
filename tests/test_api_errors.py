"""Bad input gets a clear RFC 9457 problem naming the field, and changes nothing."""

import pytest

from eocnet.db.models import AuditEntry, User
from tests.helpers import count


@pytest.fixture
def admin(make_person):
    return make_person("IDN", "admin")


def _unchanged(db, before):
    assert (count(db, User), count(db, AuditEntry)) == before


def _snapshot(db):
    return count(db, User), count(db, AuditEntry)


GOOD = {
    "email": "ok@idn.example",
    "party": "IDN",
    "roles": ["officer"],
    "password": "a fine long password",
}


def test_malformed_json(client, admin, db):
    before = _snapshot(db)
    r = client.post(
        "/api/v1/users",
        content=b'{"email": ',
        headers={**admin.headers, "Content-Type": "application/json"},
    )
    assert r.status_code == 400
    body = r.json()
    assert r.headers["content-type"] == "application/problem+json"
    assert body["status"] == 400 and body["title"] == "Malformed JSON"
    _unchanged(db, before)


def test_oversized_body(client, admin, db):
    before = _snapshot(db)
    big = {**GOOD, "name": "x" * 2_000_000}
    r = client.post("/api/v1/users", json=big, headers=admin.headers)
    assert r.status_code == 413 and r.json()["status"] == 413
    _unchanged(db, before)


def test_oversized_chunked_body(client, admin, db):
    before = _snapshot(db)

    def chunks():
        yield b'{"name": "'
        for _ in range(300):
            yield b"x" * 8192
        yield b'"}'

    r = client.post(
        "/api/v1/users",
        content=chunks(),
        headers={**admin.headers, "Content-Type": "application/json"},
    )
    assert r.status_code == 413
    _unchanged(db, before)


def test_unknown_field(client, admin, db):
    before = _snapshot(db)
    r = client.post("/api/v1/users", json={**GOOD, "is_superuser": True}, headers=admin.headers)
    assert r.status_code == 422
    assert r.json()["field"] == "is_superuser"
    _unchanged(db, before)


@pytest.mark.parametrize("field, value", [("roles", "officer"), ("email", 42), ("party", None)])
def test_wrong_types(client, admin, db, field, value):
    before = _snapshot(db)
    r = client.post("/api/v1/users", json={**GOOD, field: value}, headers=admin.headers)
    assert r.status_code == 422
    body = r.json()
    assert body["field"] == field and body["errors"][0]["field"] == field
    _unchanged(db, before)


@pytest.mark.parametrize(
    "field, value, status",
    [
        ("email", "not-an-email", 422),
        ("party", "XXX", 422),
        ("roles", ["king"], 422),
        ("password", "short", 422),
    ],
)
def test_rule_violations_name_the_field(client, admin, db, field, value, status):
    before = _snapshot(db)
    r = client.post("/api/v1/users", json={**GOOD, field: value}, headers=admin.headers)
    assert r.status_code == status
    assert r.json()["field"] == field
    _unchanged(db, before)


def test_duplicate_is_conflict(client, admin, db):
    assert client.post("/api/v1/users", json=GOOD, headers=admin.headers).status_code == 201
    before = _snapshot(db)
    r = client.post(
        "/api/v1/users", json={**GOOD, "email": "OK@idn.example"}, headers=admin.headers
    )
    assert r.status_code == 409 and r.json()["field"] == "email"
    _unchanged(db, before)


def test_bad_query_parameter(client, make_person):
    admin = make_person("ASEC", "admin")
    r = client.get("/api/v1/audit?limit=100000", headers=admin.headers)
    assert r.status_code == 422 and r.json()["field"] == "limit"
    r = client.get("/api/v1/audit?since=yesterday", headers=admin.headers)
    assert r.status_code == 422 and r.json()["field"] == "since"


def test_unknown_path_is_problem_json(client):
    r = client.get("/api/v1/nothing-here")
    assert r.status_code == 404 and r.headers["content-type"] == "application/problem+json"
