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


@pytest.mark.parametrize(
    ("method", "path", "allowed"),
    [
        ("PUT", "/api/v1/action-items", {"GET", "POST"}),
        ("DELETE", "/api/v1/events", {"GET", "POST"}),
        ("DELETE", "/api/v1/events/1", {"GET", "PATCH"}),
    ],
)
def test_a_405_lists_every_method_of_the_path(client, admin, method, path, allowed):
    r = client.request(method, path, headers=admin.headers)
    assert r.status_code == 405
    assert r.headers["content-type"] == "application/problem+json"
    assert {m.strip() for m in r.headers["allow"].split(",")} == allowed


@pytest.mark.parametrize("raw", ["7.0", "+7", "7_0", "%207", "٧", "7e0"])
def test_ids_are_digits_only(client, make_person, raw):
    idn = make_person("IDN", "officer")
    event = client.post(
        "/api/v1/events",
        headers=idn.headers,
        json={"title": "t", "hazard": "x", "country": "IDN"},
    ).json()
    assert client.get(f"/api/v1/events/{event['id']}", headers=idn.headers).status_code == 200
    r = client.get(f"/api/v1/events/{raw.replace('7', str(event['id']))}", headers=idn.headers)
    assert r.status_code == 422, raw
    assert r.headers["content-type"] == "application/problem+json"
    assert r.json()["field"] == "event_id"


@pytest.mark.parametrize("when", ["2020-01-01T00:00:00Z", "2020-01-01T00:00:00"])
def test_a_token_cannot_expire_in_the_past(client, db, make_person, when):
    p = make_person("IDN", "officer")
    before = _snapshot(db)
    r = client.post("/api/v1/tokens", headers=p.headers, json={"expires_at": when})
    assert r.status_code == 422 and r.json()["field"] == "expires_at", r.text
    assert r.headers["content-type"] == "application/problem+json"
    _unchanged(db, before)
    assert len(client.get("/api/v1/tokens", headers=p.headers).json()) == 1
    r = client.post("/api/v1/tokens", headers=p.headers, json={"expires_at": "2999-01-01T00:00:00"})
    assert r.status_code == 201
    assert (
        client.get(
            "/api/v1/me", headers={"Authorization": f"Bearer {r.json()['token']}"}
        ).status_code
        == 200
    )
