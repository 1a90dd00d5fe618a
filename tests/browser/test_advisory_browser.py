"""A coordinator drafts an advisory in English and Bahasa Indonesia, submits,
approves and publishes it; an anonymous visitor whose browser prefers Indonesian
reads it on the public site, on a phone, with nothing fetched from elsewhere;
the CAP message it links to validates."""

import time

import pyotp
import pytest

from eocnet.actions import users
from eocnet.db.models import User
from eocnet.interop import cap
from tests.browser.conftest import nav
from tests.conftest import PASSWORD, SECRET

pytestmark = pytest.mark.browser


def test_draft_approve_publish_and_read_in_indonesian(live_server, browser, db, make_person):
    coordinator = make_person("ASEC", "coordinator")
    with db.transaction() as session:
        user = session.get(User, coordinator.id)
        secret = users.begin_totp_enrolment(session, user, SECRET)
        users.confirm_totp_enrolment(session, user, pyotp.TOTP(secret).now(), SECRET)

    context = browser.new_context()
    try:
        page = context.new_page()
        page.set_default_timeout(15_000)
        page.goto(live_server.url + "/login")
        page.fill("input[name=email]", coordinator.email)
        page.fill("input[name=password]", PASSWORD)
        page.click("form[action='/login'] button[type=submit]")
        page.wait_for_url("**/login/2fa**")
        page.fill("input[name=code]", pyotp.TOTP(secret).at(time.time() + 30))
        page.click("form[action='/login/2fa'] button[type=submit]")
        page.wait_for_selector("#dashboard-title")

        nav(page, "/advisories")
        page.click("#new-advisory")
        page.fill("input[name=event_type]", "Dengue outbreak")
        page.select_option("select[name=urgency]", "Expected")
        page.select_option("select[name=severity]", "Severe")
        page.select_option("select[name=certainty]", "Likely")
        page.fill("input[name=countries]", "IDN MYS")
        page.fill("input[name=language_0]", "en")
        page.fill("input[name=headline_0]", "Dengue is spreading in Jakarta and Kuala Lumpur")
        page.fill("textarea[name=body_0]", "Cases have **doubled** in three weeks.")
        page.fill("textarea[name=instruction_0]", "Remove standing water around your home.")
        page.fill("input[name=language_1]", "id")
        page.fill("input[name=headline_1]", "Demam berdarah menyebar di Jakarta dan Kuala Lumpur")
        page.fill("textarea[name=body_1]", "Kasus **berlipat dua** dalam tiga minggu.")
        page.fill("textarea[name=instruction_1]", "Kuras genangan air di sekitar rumah.")
        page.click("#advisory-form button[type=submit]")
        page.wait_for_selector("#submit-advisory")
        assert page.inner_text("#advisory-status") == "draft"
        page.click("#submit-advisory")
        page.click("#approve-advisory")
        page.click("#publish-advisory")
        page.wait_for_selector("#cap-messages a")
        assert page.inner_text("#advisory-status") == "published"
    finally:
        context.close()

    visitor = browser.new_context(
        locale="id-ID",
        extra_http_headers={"Accept-Language": "id-ID,id;q=0.9,en;q=0.5"},
        viewport={"width": 360, "height": 740},
    )
    try:
        page = visitor.new_page()
        page.set_default_timeout(15_000)
        foreign = []
        page.on(
            "request",
            lambda r: foreign.append(r.url) if not r.url.startswith(live_server.url) else None,
        )
        page.goto(live_server.url + "/public/")
        assert page.get_attribute("html", "lang") == "id"
        assert page.inner_text("h1") == "Imbauan kesehatan masyarakat"
        page.click("text=Demam berdarah menyebar di Jakarta dan Kuala Lumpur")
        page.wait_for_selector("article.advisory")
        assert page.inner_text("article.advisory strong") == "berlipat dua"
        assert "Kuras genangan air" in page.inner_text(".instruction")
        # the page fits a phone: nothing wider than the screen
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 360
        cap_link = page.get_attribute("a[type='application/cap+xml']", "href")
        response = page.request.get(live_server.url + cap_link)
        assert response.status == 200
        assert cap.validate(response.body()) == []
        assert [i.language for i in cap.read(response.body()).infos] == ["en", "id"]
        # switching to English
        page.click("a[hreflang='en']")
        page.wait_for_selector("text=Dengue is spreading in Jakarta and Kuala Lumpur")
        assert foreign == []
    finally:
        visitor.close()
