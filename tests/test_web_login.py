"""Web login: CSRF, lock-out, second factor enrolment and use, sessions, logout."""

import json
import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from eocnet.app import create_app
from eocnet.db.models import AuditEntry, WebSession
from tests.conftest import PASSWORD
from tests.helpers import count, totp_code
from tests.web_helpers import csrf_of, login, totp_secret_of


def test_pages_need_login(client):
    for path in ["/", "/directory", "/account", "/audit", "/directory/IDN"]:
        r = client.get(path, follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"].startswith("/login")


def test_officer_logs_in_without_second_factor(client, make_person):
    p = make_person("IDN", "officer")
    r = login(client, p.email, PASSWORD)
    assert r.status_code == 303 and r.headers["location"] == "/"
    cookie = r.cookies.get("eocnet_session") or client.cookies.get("eocnet_session")
    assert cookie
    page = client.get("/")
    assert page.status_code == 200 and "Indonesia" in page.text
    # the session cookie works for the API too, and unsafe API calls need the CSRF header
    assert client.get("/api/v1/me").json()["email"] == p.email
    r = client.post("/api/v1/tokens", json={"scope": "read"})
    assert r.status_code == 403
    r = client.post(
        "/api/v1/tokens", json={"scope": "read"}, headers={"X-CSRF-Token": csrf_of(page.text)}
    )
    assert r.status_code == 201


def test_login_form_needs_csrf(client, make_person):
    p = make_person("IDN", "officer")
    client.get("/login")
    r = client.post("/login", data={"email": p.email, "password": PASSWORD, "csrf_token": "0" * 64})
    assert r.status_code == 403 and "eocnet_session" not in r.cookies


def test_wrong_password_and_lockout(client, make_person, db):
    p = make_person("IDN", "officer")
    for _ in range(5):
        r = login(client, p.email, "not the password")
        assert r.status_code == 401 and "Wrong e-mail or password" in r.text
    r = login(client, p.email, PASSWORD)  # even the right password is refused while locked
    assert r.status_code == 429 and "Try again in 1 minute" in r.text
    assert count(db, WebSession) == 0


ADDRESS_LIMIT = 8  # the suite's per-address limit (production: 50)


@pytest.fixture
def settings(settings):
    return settings.model_copy(update={"login_address_max_failures": ADDRESS_LIMIT})


def test_one_accounts_failures_do_not_lock_out_its_neighbours(client, make_person):
    """Behind one address (a NAT, a ministry proxy), five wrong passwords lock that
    account, not another account that has not failed."""
    noisy, colleague = make_person("IDN", "officer"), make_person("IDN", "officer")
    for _ in range(5):
        assert login(client, noisy.email, "not the password").status_code == 401
    locked = login(client, noisy.email, PASSWORD)
    assert locked.status_code == 429 and 0 < int(locked.headers["retry-after"]) <= 60
    assert login(client, colleague.email, PASSWORD).status_code == 303


def test_the_address_lock_needs_many_failures_and_spares_accounts_without(client, make_person):
    people = [make_person("IDN", "officer") for _ in range(4)]
    for i in range(ADDRESS_LIMIT - 1):  # spread: no account reaches its own limit
        login(client, people[i % 3].email, "not the password")
    # below the address limit: an account with failures of its own still logs in
    assert login(client, people[0].email, PASSWORD).status_code == 303
    client.cookies.clear()
    login(client, people[1].email, "not the password")  # the address's 8th failure
    refused = login(client, people[2].email, PASSWORD)  # failed before: locked by address
    assert refused.status_code == 429 and int(refused.headers["retry-after"]) > 0
    assert login(client, people[3].email, PASSWORD).status_code == 303  # no failures
    fresh = make_person("THA", "officer")
    client.cookies.clear()
    assert login(client, fresh.email, PASSWORD).status_code == 303


def _post_login(client, email, password, forwarded):
    page = client.get("/login")
    return client.post(
        "/login",
        data={"email": email, "password": password, "csrf_token": csrf_of(page.text)},
        headers={"X-Forwarded-For": forwarded},
        follow_redirects=False,
    )


def _failure_addresses(db):
    with db.read() as s:
        rows = s.scalars(select(AuditEntry).where(AuditEntry.action == "login.failed")).all()
        return [json.loads(r.details)["address"] for r in rows]


def test_forwarded_addresses_only_from_configured_proxies(client, db, settings, make_person):
    p = make_person("IDN", "officer")
    for i in range(5):  # rotating forged addresses neither reset nor spread the count
        _post_login(client, p.email, "not the password", f"203.0.113.{i}")
    assert _failure_addresses(db) == ["testclient"] * 5
    assert _post_login(client, p.email, PASSWORD, "198.51.100.7").status_code == 429

    behind = create_app(settings.model_copy(update={"trusted_proxies": "testclient"}), db)
    with TestClient(behind) as proxied:
        other = make_person("IDN", "officer")
        _post_login(proxied, other.email, "not the password", "203.0.113.9, 192.0.2.1")
    assert _failure_addresses(db)[-1] == "192.0.2.1"  # the address the proxy saw


def test_unknown_account_looks_like_wrong_password(client):
    r = login(client, "nobody@nowhere.example", "whatever it is")
    assert r.status_code == 401 and "Wrong e-mail or password" in r.text


def _enrol(client):
    page = client.get("/account/2fa")
    secret = totp_secret_of(page.text)
    used = totp_code(secret)
    r = client.post("/account/2fa", data={"code": used, "csrf_token": csrf_of(page.text)})
    assert r.status_code == 200, r.text
    codes = re.findall(r"<code>([a-z2-9]{5}-[a-z2-9]{5})</code>", r.text)
    assert len(codes) == 10
    return secret, codes, used


def test_focal_point_must_enrol_then_uses_code_once(client, make_person):
    p = make_person("IDN", "officer", "focal_point")
    r = login(client, p.email, PASSWORD)
    assert r.headers["location"] == "/account/2fa"
    # until enrolled, the application is closed to this session
    assert client.get("/", follow_redirects=False).headers["location"] == "/account/2fa"
    assert client.get("/api/v1/me").status_code == 401
    _, codes, used = _enrol(client)
    assert client.get("/").status_code == 200
    client.post("/logout", data={"csrf_token": csrf_of(client.get("/").text)})
    assert client.get("/", follow_redirects=False).status_code == 303

    r = login(client, p.email, PASSWORD)
    assert r.headers["location"].startswith("/login/2fa")
    assert client.get("/", follow_redirects=False).headers["location"] == "/login/2fa"
    page = client.get("/login/2fa")
    # the code used to enrol cannot be replayed (each code is accepted once)
    r = client.post(
        "/login/2fa",
        data={"code": used, "csrf_token": csrf_of(page.text)},
        follow_redirects=False,
    )
    assert r.status_code == 401
    r = client.post(
        "/login/2fa",
        data={"code": codes[0], "csrf_token": csrf_of(page.text)},
        follow_redirects=False,
    )
    assert r.status_code == 303
    assert client.get("/").status_code == 200


def test_recovery_code_works_once(client, make_person):
    p = make_person("ASEC", "coordinator")
    login(client, p.email, PASSWORD)
    _, codes, _ = _enrol(client)
    for attempt, expected in [(codes[3], 303), (codes[3], 401)]:
        client.cookies.clear()
        login(client, p.email, PASSWORD)
        page = client.get("/login/2fa")
        r = client.post(
            "/login/2fa",
            data={"code": attempt, "csrf_token": csrf_of(page.text)},
            follow_redirects=False,
        )
        assert r.status_code == expected


def test_second_factor_lockout(client, make_person):
    p = make_person("ASEC", "admin")
    login(client, p.email, PASSWORD)
    _enrol(client)
    client.cookies.clear()
    login(client, p.email, PASSWORD)
    page = client.get("/login/2fa")
    for _ in range(5):
        client.post("/login/2fa", data={"code": "000000", "csrf_token": csrf_of(page.text)})
    r = client.post("/login/2fa", data={"code": "000000", "csrf_token": csrf_of(page.text)})
    assert r.status_code == 429 and "Try again in" in r.text
    assert 0 < int(r.headers["retry-after"]) <= 60


def test_disabled_user_cannot_log_in(client, make_person, monkeypatch, capsys, database_url):
    from tests.helpers import run_cli

    p = make_person("IDN", "officer")
    run_cli(monkeypatch, capsys, database_url, "user", "disable", p.email)
    r = login(client, p.email, PASSWORD)
    assert r.status_code == 403 and "disabled" in r.text


def test_logout_ends_the_session_server_side(client, make_person, db):
    p = make_person("IDN", "officer")
    login(client, p.email, PASSWORD)
    cookie = client.cookies.get("eocnet_session")
    client.post("/logout", data={"csrf_token": csrf_of(client.get("/").text)})
    client.cookies.set("eocnet_session", cookie)
    assert client.get("/", follow_redirects=False).status_code == 303


def test_open_redirect_is_refused(client, make_person):
    p = make_person("IDN", "officer")
    page = client.get("/login")
    r = client.post(
        "/login",
        data={
            "email": p.email,
            "password": PASSWORD,
            "csrf_token": csrf_of(page.text),
            "next": "//evil.example/x",
        },
        follow_redirects=False,
    )
    assert r.headers["location"] == "/"


def test_security_headers_on_every_answer_and_hsts_in_production(client, settings, db):
    """Permissions-Policy and COOP on pages, API answers and errors; HSTS only when
    served over https (production, or an https base URL), never on plain http."""
    for path in ("/login", "/api/v1/health", "/api/v1/events", "/no-such-page"):
        r = client.get(path)
        assert r.headers["cross-origin-opener-policy"] == "same-origin", path
        assert "camera=()" in r.headers["permissions-policy"], path
        assert "geolocation=()" in r.headers["permissions-policy"], path
        assert "strict-transport-security" not in r.headers, path  # development, http
    for change in ({"env": "production"}, {"base_url": "https://eoc.example.org"}):
        secure = settings.model_copy(
            update={"base_url": "https://eoc.example.org", "master_key": settings.master_key}
            | change
        )
        with TestClient(create_app(secure, db), base_url="https://eoc.example.org") as c:
            for path in ("/login", "/api/v1/health", "/api/v1/events"):
                r = c.get(path)
                assert r.headers["strict-transport-security"].startswith("max-age=63072000")
                assert r.headers["cross-origin-opener-policy"] == "same-origin"
