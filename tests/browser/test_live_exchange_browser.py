"""Two officers of different parties in two browsers: an alert appears live, is
acknowledged, and the acknowledgement appears live for the sender."""

import pytest

from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser


def _login(page, url, email):
    page.goto(url + "/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", PASSWORD)
    page.click("form[action='/login'] button[type=submit]")
    page.wait_for_selector("#dashboard-title")


def test_alert_appears_live_and_acknowledgement_comes_back(live_server, browser, make_person):
    jakarta = make_person("IDN", "officer")
    bangkok = make_person("THA", "officer")
    sender_ctx = browser.new_context(viewport={"width": 1200, "height": 900})
    receiver_ctx = browser.new_context(viewport={"width": 390, "height": 844})
    try:
        sender, receiver = sender_ctx.new_page(), receiver_ctx.new_page()
        for p in (sender, receiver):
            p.set_default_timeout(15_000)
        _login(sender, live_server.url, jakarta.email)
        _login(receiver, live_server.url, bangkok.email)

        receiver.goto(live_server.url + "/events")
        receiver.wait_for_selector("#events-body")
        # wait until the page's live stream is connected before posting
        receiver.wait_for_selector("body[data-live='1']")

        sender.goto(live_server.url + "/events/new")
        sender.fill("input[name=title]", "Two travellers positive for measles")
        sender.fill("input[name=hazard]", "Measles")
        sender.fill("textarea[name=summary]", "Arrived from a neighbouring country yesterday.")
        sender.check("#alert-box")
        sender.check("input[value=unusual_or_unexpected]")
        sender.check("input[value=may_spread_to_other_countries]")
        sender.click("#event-form button[type=submit]")
        sender.wait_for_selector("#event-title")
        event_url = sender.url
        assert sender.locator("#ack-list li[data-party=THA].waiting").count() == 1

        # the receiver sees it without reloading
        row = receiver.locator("#events-body a", has_text="Two travellers positive for measles")
        row.wait_for()
        assert receiver.locator("#events-body tr.pending").count() == 1
        row.click()
        receiver.click("#acknowledge")
        receiver.wait_for_selector("#ack-list li[data-party=THA].acked")

        # and the sender sees the acknowledgement arrive, still without reloading
        assert sender.url == event_url
        sender.wait_for_selector("#ack-list li[data-party=THA].acked")
        assert bangkok.email in sender.inner_text("#ack-list li[data-party=THA]")
    finally:
        sender_ctx.close()
        receiver_ctx.close()


def test_chat_message_appears_live(live_server, browser, make_person):
    a, b = make_person("IDN", "officer"), make_person("KHM", "officer")
    ctx_a = browser.new_context()
    ctx_b = browser.new_context()
    try:
        pa, pb = ctx_a.new_page(), ctx_b.new_page()
        for p in (pa, pb):
            p.set_default_timeout(15_000)
        _login(pa, live_server.url, a.email)
        _login(pb, live_server.url, b.email)
        pa.goto(live_server.url + "/channels")
        pa.click("text=Open a channel")
        pa.fill("input[name=name]", "IDN–KHM border")
        pa.select_option("select[name=parties]", "KHM")
        pa.click("form[action='/channels'] button[type=submit]")
        pa.wait_for_selector("#messages")
        channel_url = pa.url
        pb.goto(channel_url)
        pb.wait_for_selector("body[data-live='1']")
        pa.fill("textarea[name=body]", "Selamat pagi, any cases at the crossing?")
        pa.click("form[data-reset-after-send] button[type=submit]")
        pb.locator("#messages", has_text="any cases at the crossing").wait_for()
        assert pa.input_value("textarea[name=body]") == ""
    finally:
        ctx_a.close()
        ctx_b.close()
