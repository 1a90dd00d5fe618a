"""The main path of each part of coordination, in a real Chromium: laboratory
support asked and answered, a pledge shared by the allocation rule, a meeting
with its action item and progress, an agreement's plan and indicator, and a
connectivity check acknowledged."""

import pytest

from tests.browser.conftest import nav
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser


def _open(browser, url, person):
    context = browser.new_context(viewport={"width": 1100, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto(url + "/login")
    page.fill("input[name=email]", person.email)
    page.fill("input[name=password]", PASSWORD)
    page.click("form[action='/login'] button[type=submit]")
    page.wait_for_selector("#dashboard-title")
    return context, page


def test_laboratory_support_asked_offered_accepted(live_server, browser, client, make_person):
    khm, tha = make_person("KHM", "officer"), make_person("THA", "officer")
    client.post(
        "/api/v1/laboratories",
        headers=tha.headers,
        json={"name": "NIH Nonthaburi", "tests": [{"agent": "Diphtheria", "method": "Culture"}]},
    )
    asker, page = _open(browser, live_server.url, khm)
    helper, other = _open(browser, live_server.url, tha)
    try:
        nav(page, "/coordination")
        page.click("a[href='/laboratories']")
        page.click("#ask summary")
        page.select_option("select[name=kind]", "confirmation")
        page.fill("input[name=title]", "Confirm diphtheria isolates")
        page.click("#support-form button[type=submit]")
        page.wait_for_selector("#support-status")
        request_url = page.url

        other.goto(request_url)
        other.fill("#offer-form textarea[name=note]", "Culture and Elek test within 3 days")
        other.select_option("#offer-form select[name=laboratory_id]", label="NIH Nonthaburi")
        other.click("#offer-form button[type=submit]")
        other.wait_for_selector("text=Culture and Elek test within 3 days")

        page.reload()
        page.click("#offers button")
        page.wait_for_selector("#status-done")
        assert page.inner_text("#support-status") == "accepted"
    finally:
        asker.close()
        helper.close()


def test_a_pledge_is_previewed_and_allocated(live_server, browser, client, make_person):
    for party, quantity in (("KHM", 30_000), ("PHL", 80_000)):
        person = make_person(party, "officer")
        client.post(
            "/api/v1/countermeasure-requests",
            headers=person.headers,
            json={"item": "MR vaccine", "category": "vaccine", "quantity": quantity,
                  "unit": "doses"},
        )  # fmt: skip
    partner = make_person("JPN", "partner")
    context, page = _open(browser, live_server.url, partner)
    try:
        page.goto(live_server.url + "/countermeasures")
        page.click("text=Pledge supplies or doses")
        form = page.locator("#pledge-form")
        form.locator("input[name=item]").fill("MR vaccine")
        form.locator("select[name=kind]").select_option("dose_sharing")
        form.locator("input[name=quantity]").fill("50000")
        form.locator("input[name=unit]").fill("doses")
        form.locator("button[type=submit]").click()
        page.wait_for_selector("#allocation-preview")
        page.fill("#preview-form input[name=minimum]", "10000")
        page.click("#preview-form button[type=submit]")
        page.wait_for_selector("#allocation-preview")
        # 10,000 each, then 30,000 shared 30:80
        text = page.inner_text("#allocation-preview")
        assert "18,182" in text and "31,818" in text
        page.click("#accept-allocation-button")
        page.wait_for_selector("#reconciliation")
        assert "allocated 50,000" in page.inner_text("#reconciliation")
    finally:
        context.close()


def test_meeting_action_and_progress(live_server, browser, make_person):
    idn = make_person("IDN", "officer")
    context, page = _open(browser, live_server.url, idn)
    try:
        page.goto(live_server.url + "/meetings")
        page.click("#schedule summary")
        page.fill("#meeting-form input[name=title]", "Dengue season preparedness call")
        page.fill("#meeting-form input[name=starts_at]", "2026-12-10T14:00")
        page.fill("#meeting-form input[name=parties]", "IDN MYS")
        page.click("#meeting-form button[type=submit]")
        page.wait_for_selector("#local-times")
        times = page.inner_text("#local-times")
        assert "14:00" in times and "15:00" in times  # Jakarta and Kuala Lumpur
        page.set_input_files(
            "#file-form input[name=file]",
            files=[
                {
                    "name": "agenda.pdf",
                    "mimeType": "application/pdf",
                    "buffer": b"%PDF-1.4\n%%EOF\n",
                }
            ],
        )
        page.click("#file-form button[type=submit]")
        page.wait_for_selector("#file-list a:has-text('agenda.pdf')")
        page.fill("#action-form input[name=title]", "Share vector surveillance data")
        page.fill("#action-form input[name=owner_party]", "IDN")
        page.fill("#action-form input[name=due_on]", "2026-12-20")
        page.click("#action-form button[type=submit]")
        page.click("#meeting-actions a")
        page.fill("#note-form textarea[name=note]", "Data for 12 districts shared")
        page.fill("#note-form input[name=progress]", "100")
        page.click("#note-form button[type=submit]")
        page.wait_for_selector("#notes li:has-text('12 districts')")
        assert page.inner_text("#action-status") == "done"
    finally:
        context.close()


def test_agreement_plan_indicator_and_connectivity(live_server, browser, client, make_person):
    idn = make_person("IDN", "officer")
    coordinator = make_person("ASEC", "coordinator")
    context, page = _open(browser, live_server.url, idn)
    try:
        page.goto(live_server.url + "/agreements")
        page.click("text=Record an agreement")
        page.fill("#agreement-form input[name=title]", "IDN–KHM health security cooperation")
        page.fill("#agreement-form input[name=parties]", "IDN KHM")
        page.check("#agreement-form input[value=training]")
        page.click("#agreement-form button[type=submit]")
        page.wait_for_selector("#activities")
        page.click("text=Add an activity")
        page.fill("#activity-form input[name=title]", "Joint training")
        page.fill("#activity-form input[name=starts_on]", "2026-04-01")
        page.fill("#activity-form input[name=ends_on]", "2026-06-30")
        page.click("#activity-form button[type=submit]")
        page.wait_for_selector("img[src$='timeline.svg']")
        page.click("text=Define an indicator")
        page.fill("#indicator-form input[name=name]", "Officers trained")
        page.fill("#indicator-form input[name=target]", "40")
        page.click("#indicator-form button[type=submit]")
        page.fill(".report-form input[name=period]", "2026-Q2")
        page.fill(".report-form input[name=value]", "10")
        page.click(".report-form button[type=submit]")
        page.wait_for_selector("[id^=progress-]")
        assert page.inner_text("[id^=progress-]") == "25.0%"
        chart = page.get_attribute("img[src*='/indicators/']", "src")
        response = page.request.get(live_server.url + chart)
        assert response.status == 200 and b"<svg" in response.body()

        assert (
            client.post("/api/v1/connectivity-checks", headers=coordinator.headers).status_code
            == 201
        )
        page.goto(live_server.url + "/connectivity")
        # The server runs its jobs, as deployed: the scheduled round may have started
        # too, so each round waiting for IDN has its button; answer them all.
        for _ in range(3):
            if page.locator("[id^=acknowledge-]").count() == 0:
                break
            page.locator("[id^=acknowledge-]").first.click()
            page.wait_for_load_state()
            page.wait_for_selector("#connectivity-results")
        assert "min" in page.inner_text("#connectivity-results tr:has-text('IDN')")
        assert page.locator("[id^=acknowledge-]").count() == 0
    finally:
        context.close()
