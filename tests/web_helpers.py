"""Driving the web pages through the test client, as a browser without JavaScript would."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient


def csrf_of(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([0-9a-f]+)"', html)
    assert match, "no CSRF token on the page"
    return match.group(1)


def login(client: TestClient, email: str, password: str, follow: bool = False):  # type: ignore[no-untyped-def]
    page = client.get("/login")
    return client.post(
        "/login",
        data={"email": email, "password": password, "csrf_token": csrf_of(page.text)},
        follow_redirects=follow,
    )


def totp_secret_of(html: str) -> str:
    match = re.search(r'id="totp-secret">([A-Z2-7]+)<', html)
    assert match, "no TOTP secret on the page"
    return match.group(1)


def login_with_totp(client: TestClient, db, person) -> None:  # type: ignore[no-untyped-def]
    """Log in a person whose role needs a second factor (enrolled here)."""
    from eocnet.actions import users
    from eocnet.db.models import User
    from tests.conftest import PASSWORD, SECRET
    from tests.helpers import totp_code

    with db.transaction() as session:
        user = session.get(User, person.id)
        secret = users.begin_totp_enrolment(session, user, SECRET)
        users.confirm_totp_enrolment(session, user, totp_code(secret), SECRET)
    login(client, person.email, PASSWORD)
    second = client.get("/login/2fa")
    client.post(
        "/login/2fa", data={"code": totp_code(secret, 1), "csrf_token": csrf_of(second.text)}
    )
