"""A feed item appears in the coordinator's queue; the coordinator asks KHM to verify;
KHM's officer sees the request arrive live with its clock, acknowledges and answers;
the coordinator links the signal to a new event; THA sees nothing of it."""

import time

import pyotp
import pytest

from eocnet.actions import users
from eocnet.db.models import User
from eocnet.db.types import utcnow
from eocnet.jobs import signals as job
from tests.conftest import PASSWORD, SECRET
from tests.test_signals import EN, FeedServer, rss

pytestmark = pytest.mark.browser
TITLE = EN[0][0]


def _login(page, url, person, secret=None):
    page.goto(url + "/login")
    page.fill("input[name=email]", person.email)
    page.fill("input[name=password]", PASSWORD)
    page.click("form[action='/login'] button[type=submit]")
    if secret:
        page.wait_for_url("**/login/2fa**")
        page.fill("input[name=code]", pyotp.TOTP(secret).at(time.time() + 30))
        page.click("form[action='/login/2fa'] button[type=submit]")
    page.wait_for_selector("#dashboard-title")


def test_feed_item_verified_by_khm_and_linked(live_server, browser, db, client, settings,
                                              make_person):  # fmt: skip
    asec = make_person("ASEC", "coordinator")
    khm = make_person("KHM", "officer")
    tha = make_person("THA", "officer")
    with db.transaction() as session:
        user = session.get(User, asec.id)
        secret = users.begin_totp_enrolment(session, user, SECRET)
        users.confirm_totp_enrolment(session, user, pyotp.TOTP(secret).now(), SECRET)
    feeds = FeedServer()
    settings = settings.model_copy(update={"signal_allow_private": True})
    client.app.state.settings = settings
    contexts = [browser.new_context() for _ in range(3)]
    try:
        url = feeds.serve("/en.rss", rss("en", EN), "application/rss+xml")
        r = client.post("/api/v1/signal-sources", headers=asec.headers,
                        json={"url": url, "name": "News EN", "language": "en"})  # fmt: skip
        assert r.status_code == 201, r.text
        assert job.run(db, settings, utcnow()) == 2

        coordinator, officer, outsider = (c.new_page() for c in contexts)
        for page, person, key in ((coordinator, asec, secret), (officer, khm, None),
                                  (outsider, tha, None)):  # fmt: skip
            page.set_default_timeout(15_000)
            _login(page, live_server.url, person, key)

        coordinator.goto(live_server.url + "/signals")
        coordinator.click(f"#signal-queue a:has-text('{TITLE}')")
        coordinator.wait_for_selector("#verification-form")
        signal_url = coordinator.url

        officer.goto(live_server.url + "/signals")
        assert officer.locator("#asked-of-us").count() == 0
        coordinator.select_option("#verification-party", "KHM")
        coordinator.click("#ask-verification")
        coordinator.wait_for_selector("#verification article")
        assert "h 59 min left" in coordinator.inner_text("#verification")

        # KHM's queue page shows the request arriving, live, with its clock
        officer.wait_for_selector("#asked-of-us")
        assert TITLE in officer.inner_text("#asked-of-us")
        assert "min left" in officer.inner_text("#asked-of-us")
        officer.click("#asked-of-us a")
        officer.click("button[id^=acknowledge-]")
        officer.wait_for_selector("form[id^=answer-form-]")
        assert officer.locator("button[id^=acknowledge-]").count() == 0
        officer.check("input[name=status][value=confirmed]")
        officer.fill("textarea[name=text]", "42 laboratory-confirmed cases in Phnom Penh.")
        officer.click("button[id^=answer-]")
        officer.wait_for_selector("p[id^=response-]")

        coordinator.wait_for_selector("p[id^=response-]")  # live on the signal's page
        assert "42 laboratory-confirmed" in coordinator.inner_text("#verification")
        coordinator.fill("#link-form input[name=country]", "KHM")
        coordinator.fill("#link-form input[name=hazard]", "Dengue")
        coordinator.click("#link-event")
        coordinator.wait_for_url("**/events/**")
        event_url = coordinator.url

        officer.goto(event_url)
        assert officer.locator("h1").count() > 0
        for target in (signal_url, event_url):
            assert outsider.goto(target).status == 404
        for path in ("/signals?status=all", "/verification-requests", "/signal-sources"):
            outsider.goto(live_server.url + path)
            assert TITLE not in outsider.content() and "News EN" not in outsider.content()
    finally:
        for c in contexts:
            c.close()
        feeds.stop()
