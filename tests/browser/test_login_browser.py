"""In a real browser: log in, set up TOTP, log out, log in with a code, switch language."""

import time

import pyotp
import pytest

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
    assert page.locator("img[alt]").first.get_attribute("src").startswith("data:image/svg+xml")
    page.fill("input[name=code]", pyotp.TOTP(secret).now())
    page.click("form[action='/account/2fa'] button[type=submit]")
    assert page.locator("#recovery-codes li").count() == 10
    page.click("text=Continue")
    page.wait_for_selector("#dashboard-title")

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

    page.select_option("#language-select", "id")
    page.wait_for_selector("html[lang=id]")
    assert page.inner_text("#dashboard-title") == "Dasbor"
    assert page.locator("nav >> text=Direktori").count() == 1
