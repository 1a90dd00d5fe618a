"""Pages: dashboard, directory, account, audit; languages; security headers."""

import re

from tests.conftest import PASSWORD
from tests.web_helpers import csrf_of, login


def test_dashboard_and_directory(client, make_person):
    make_person("IDN", "officer", "focal_point", email="fp.idn@test.example")
    p = make_person("IDN", "officer")
    login(client, p.email, PASSWORD)
    home = client.get("/")
    assert "fp.idn@test.example" in home.text
    directory = client.get("/directory").text
    for code in ["BRN", "KHM", "IDN", "LAO", "MYS", "MMR", "PHL", "SGP", "THA", "VNM", "TLS"]:
        assert f'/directory/{code}"' in directory
    assert "fp.idn@test.example" in client.get("/directory/IDN").text
    assert client.get("/directory/ZZZ").status_code == 404


def test_partner_does_not_see_focal_points(client, make_person):
    make_person("IDN", "officer", "focal_point", email="fp.idn@test.example")
    partner = make_person("KOR", "partner")
    login(client, partner.email, PASSWORD)
    assert "fp.idn@test.example" not in client.get("/directory/IDN").text


def test_language_switch_translates_and_is_remembered(client, make_person):
    p = make_person("THA", "officer")
    login(client, p.email, PASSWORD)
    page = client.get("/")
    assert "Dashboard" in page.text and 'lang="en"' in page.text
    client.post("/language", data={"language": "id", "csrf_token": csrf_of(page.text), "next": "/"})
    page = client.get("/")
    assert "Dasbor" in page.text and 'lang="id"' in page.text
    assert client.get("/api/v1/me").json()["language"] == "id"


def test_anonymous_language_from_browser(client):
    page = client.get("/login", headers={"Accept-Language": "id-ID,id;q=0.9,en;q=0.5"})
    assert "Masuk" in page.text and 'lang="id"' in page.text
    assert "Log in" in client.get("/login", headers={"Accept-Language": "fr"}).text


def test_account_tokens_and_password(client, make_person):
    p = make_person("IDN", "officer")
    login(client, p.email, PASSWORD)
    page = client.get("/account")
    r = client.post(
        "/account/tokens",
        data={"name": "my script", "scope": "read", "csrf_token": csrf_of(page.text)},
    )
    token = re.search(r'id="new-token">([^<]+)<', r.text).group(1)
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    r = client.post(
        "/account/password",
        data={
            "current_password": "wrong one here",
            "new_password": "another long password",
            "csrf_token": csrf_of(page.text),
        },
    )
    assert r.status_code == 422 and "not right" in r.text
    r = client.post(
        "/account/password",
        data={
            "current_password": PASSWORD,
            "new_password": "another long password",
            "csrf_token": csrf_of(page.text),
        },
    )
    assert r.status_code == 200 and "changed" in r.text


def test_audit_page_for_admins_only(client, make_person):
    officer = make_person("IDN", "officer")
    login(client, officer.email, PASSWORD)
    assert client.get("/audit").status_code == 403
    client.cookies.clear()
    admin = make_person("ASEC", "admin")
    login(client, admin.email, PASSWORD)
    # admins need a second factor before anything else
    assert client.get("/audit", follow_redirects=False).headers["location"] == "/account/2fa"


def test_security_headers(client):
    r = client.get("/login")
    assert r.headers["x-frame-options"] == "DENY"
    assert "default-src 'self'" in r.headers["content-security-policy"]
    assert r.headers["cache-control"] == "no-store"
    cookie = r.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie


def test_static_assets_are_local(client):
    page = client.get("/login").text
    for src in re.findall(r'(?:src|href)="([^"]+)"', page):
        assert src.startswith(("/", "#")) and not src.startswith("//"), src
    assert client.get("/static/vendor/pico/pico.min.css").status_code == 200
    docs = client.get("/api/v1/docs").text
    assert "/static/vendor/swagger-ui/swagger-ui-bundle.js" in docs and "cdn" not in docs


def test_notification_preferences_form(client, make_person):
    p = make_person("IDN", "officer")
    login(client, p.email, PASSWORD)
    page = client.get("/account")
    assert 'name="email_alerts" value="1" checked' in page.text
    r = client.post(
        "/account/notifications", data={"csrf_token": csrf_of(page.text), "email_mentions": "1"}
    )
    assert r.status_code == 200 and "saved" in r.text
    prefs = client.get("/api/v1/me/notifications").json()
    assert prefs == {
        "email_alerts": False,
        "email_mentions": True,
        "email_direct": False,
        "email_reports": False,
    }
