"""Details of the pages that users trip over: the second-factor pages, the enrolment
QR code, mistyped addresses, the language menu."""

from __future__ import annotations

import base64
import re
from urllib.parse import unquote

from lxml import etree

from tests.conftest import PASSWORD
from tests.web_helpers import csrf_of, login, login_with_totp

NAV_LINKS = ('href="/events"', 'href="/channels"', 'href="/directory"', 'role="search"')


def _half_logged_in(html: str) -> None:
    """No navigation, no search, no stream: nothing of it answers before the second factor."""
    for link in NAV_LINKS:
        assert link not in html, link
    assert "sse-connect" not in html and "/api/v1/stream" not in html
    assert 'id="nav-toggle"' not in html
    assert 'id="logout"' in html  # leaving is still possible


def test_second_factor_pages_show_no_navigation_and_open_no_stream(client, db, make_person):
    person = make_person("IDN", "officer", "focal_point")
    # enrolment, required before anything else
    assert login(client, person.email, PASSWORD).headers["location"] == "/account/2fa"
    page = client.get("/account/2fa")
    assert page.status_code == 200
    _half_logged_in(page.text)
    wrong = client.post("/account/2fa", data={"code": "000000", "csrf_token": csrf_of(page.text)})
    assert wrong.status_code == 422
    _half_logged_in(wrong.text)

    # the code page of a later login
    client.cookies.clear()
    enrolled = make_person("THA", "officer", "focal_point")
    login_with_totp(client, db, enrolled)
    full = client.get("/")
    assert all(link in full.text for link in NAV_LINKS) and "sse-connect" in full.text
    client.post("/logout", data={"csrf_token": csrf_of(full.text)})
    r = login(client, enrolled.email, PASSWORD)
    assert r.headers["location"].startswith("/login/2fa")
    page = client.get("/login/2fa")
    _half_logged_in(page.text)
    wrong = client.post("/login/2fa", data={"code": "000000", "csrf_token": csrf_of(page.text)})
    assert wrong.status_code == 401
    _half_logged_in(wrong.text)


def test_the_enrolment_qr_code_is_a_standalone_svg(client, make_person):
    person = make_person("ASEC", "coordinator")
    login(client, person.email, PASSWORD)
    page = client.get("/account/2fa")
    src = re.search(r'<img src="(data:image/svg\+xml[^"]+)"', page.text).group(1)
    header, _, data = src.partition(",")
    svg = base64.b64decode(data) if header.endswith(";base64") else unquote(data).encode()
    root = etree.fromstring(svg)
    # an <img> draws an SVG only when it is in the SVG namespace
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert int(root.get("width")) > 100 and int(root.get("height")) > 100


def test_a_mistyped_page_address_shows_a_page(client, make_person):
    html = {"accept": "text/html,application/xhtml+xml,*/*;q=0.8"}
    for address in ("/nonexistent-page", "/event/5", "/events/5/nothing"):
        r = client.get(address, headers=html)
        assert r.status_code == 404
        assert r.headers["content-type"].startswith("text/html"), address
        assert "<h1>Not found</h1>" in r.text and 'href="/"' in r.text
    # logged in, the page has the navigation; in Indonesian, it is translated
    person = make_person("IDN", "officer")
    login(client, person.email, PASSWORD)
    r = client.get("/nonexistent-page", headers=html)
    assert r.status_code == 404 and 'href="/events"' in r.text
    client.post("/language", data={"language": "id", "csrf_token": csrf_of(r.text)})
    r = client.get("/nonexistent-page", headers=html)
    assert r.status_code == 404 and "Not found" not in r.text and 'lang="id"' in r.text
    # the API, and clients that do not ask for HTML, keep the problem document
    for address, headers in (("/api/v1/nothing", html), ("/nonexistent-page", {})):
        r = client.get(address, headers=headers)
        assert r.status_code == 404
        assert r.headers["content-type"] == "application/problem+json", address


def test_the_language_menu_names_bahasa_indonesia(client):
    page = client.get("/login")
    assert re.search(r'<option value="id"[^>]*>Bahasa Indonesia</option>', page.text)
