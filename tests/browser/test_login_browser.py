"""In a real browser: log in, set up TOTP, log out, log in with a code, switch language."""

import time

import pyotp
import pytest

from tests.browser.conftest import open_menu
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser


def test_login_totp_logout_login_and_language(live_server, page, make_person):
    person = make_person("IDN", "officer", "focal_point")
    page.goto(live_server.url + "/")
    assert page.url.endswith("/login?next=/")
    page.fill("input[name=email]", person.email)
    page.fill("input[name=password]", PASSWORD)
    page.click("form[action='/login'] button[type=submit]")

    # a focal point must enrol a second factor first
    page.wait_for_url("**/account/2fa")
    secret = page.inner_text("#totp-secret")
    qr = page.locator("img[alt]").first
    assert qr.get_attribute("src").startswith("data:image/svg+xml")
    # the browser drew it (an SVG without xmlns is refused: naturalWidth 0, alt text shown)
    page.wait_for_function("img => img.complete", arg=qr.element_handle())
    assert qr.evaluate("img => img.naturalWidth") > 100
    # half logged in: no navigation, and no stream that would answer 401 again and again
    assert page.locator("#nav-links a[href='/events'], #menu-button").count() == 0
    assert page.locator("[sse-connect]").count() == 0
    page.fill("input[name=code]", pyotp.TOTP(secret).now())
    page.click("form[action='/account/2fa'] button[type=submit]")
    assert page.locator("#recovery-codes li").count() == 10
    page.click("text=Continue")
    page.wait_for_selector("#dashboard-title")

    open_menu(page)
    page.click("#logout")
    page.wait_for_url("**/login")

    page.fill("input[name=email]", person.email)
    page.fill("input[name=password]", PASSWORD)
    page.click("form[action='/login'] button[type=submit]")
    page.wait_for_url("**/login/2fa**")
    # the enrolment code's time step is used up; the next step's code is within the drift
    page.fill("input[name=code]", pyotp.TOTP(secret).at(time.time() + 30))
    page.click("form[action='/login/2fa'] button[type=submit]")
    page.wait_for_selector("#dashboard-title")
    assert page.inner_text("#dashboard-title") == "Dashboard"

    open_menu(page)
    page.select_option("#language-select", "id")
    page.wait_for_selector("html[lang=id]")
    assert page.inner_text("#dashboard-title") == "Dasbor"
    open_menu(page)
    assert page.locator("nav >> text=Direktori").count() == 1
    assert page.inner_text("#language-select option[value=id]") == "Bahasa Indonesia"
