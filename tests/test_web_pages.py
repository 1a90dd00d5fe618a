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


def test_reading_a_channel_page_writes_nothing_and_marking_read_is_a_post(client, make_person):
    """GET never writes: the page and its fragment leave the read state alone; the
    page's explicit POST moves it (forward only); a party outside the channel gets 404."""
    from fastapi.testclient import TestClient

    idn, khm = make_person("IDN", "officer"), make_person("KHM", "officer")
    tha = make_person("THA", "officer")
    created = client.post(
        "/api/v1/channels", json={"name": "IDN-KHM border", "parties": ["KHM"]}, headers=idn.headers
    )
    assert created.status_code == 201, created.text
    cid = created.json()["id"]
    for text in ("first", "second", "third"):
        r = client.post(
            f"/api/v1/channels/{cid}/messages", json={"body": text}, headers=idn.headers
        )
        assert r.status_code == 201, r.text
    last = r.json()["id"]

    def unread() -> int:
        listed = client.get("/api/v1/channels", headers=khm.headers).json()
        return next(c["unread"] for c in listed if c["id"] == cid)

    login(client, khm.email, PASSWORD)
    page = client.get(f"/channels/{cid}")
    assert page.status_code == 200 and "third" in page.text
    assert f'data-newest-message="{last}"' in page.text
    assert client.get(f"/channels/{cid}/messages").status_code == 200
    assert unread() == 3  # looking wrote nothing
    token = csrf_of(page.text)
    r = client.post(
        f"/channels/{cid}/read",
        data={"csrf_token": token, "up_to": str(last)},
        follow_redirects=False,
    )
    assert r.status_code == 303
    assert unread() == 0
    r = client.post(f"/channels/{cid}/read", data={"csrf_token": token, "up_to": "0"})
    assert unread() == 0  # never backwards
    # with a wrong CSRF token nothing is marked; outsiders get 404
    forged = client.post(f"/channels/{cid}/read", data={"csrf_token": "0" * 64, "up_to": "1"})
    assert forged.status_code == 403
    with TestClient(client.app) as other:
        login(other, tha.email, PASSWORD)
        page = other.get("/")
        r = other.post(
            f"/channels/{cid}/read", data={"csrf_token": csrf_of(page.text), "up_to": str(last)}
        )
        assert r.status_code == 404
