"""The regional dashboard updates by itself: a Thai officer watches it, an
Indonesian officer posts an alert addressed to Thailand, and it appears in the
alerts waiting for acknowledgement and on the map without a reload; when
Thailand acknowledges, it leaves the list. Then a report is issued from its
page with the progress shown."""

import pytest

from tests.browser.conftest import nav
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser


def test_dashboard_updates_live(live_server, browser, client, make_person):
    tha, idn = make_person("THA", "officer"), make_person("IDN", "officer")
    context = browser.new_context(viewport={"width": 1100, "height": 900})
    try:
        page = context.new_page()
        page.set_default_timeout(15_000)
        page.goto(live_server.url + "/login")
        page.fill("input[name=email]", tha.email)
        page.fill("input[name=password]", PASSWORD)
        page.click("form[action='/login'] button[type=submit]")
        page.wait_for_selector("#dashboard-title")
        nav(page, "/region")
        page.wait_for_selector("body[data-live='1']")
        page.wait_for_selector("#region-map[data-ready='0']")
        assert page.locator("#region-unacknowledged-none").count() == 1

        r = client.post(
            "/api/v1/events",
            headers=idn.headers,
            json={"title": "Cholera in a border market", "hazard": "Cholera", "country": "IDN",
                  "summary": "Three cases", "visibility": "network", "alert": True,
                  "alert_reasons": ["serious", "may_spread_to_other_countries"]},
        )  # fmt: skip
        assert r.status_code == 201, r.text
        page.wait_for_selector("#region-unacknowledged li:has-text('Cholera in a border market')")
        page.wait_for_selector("#region-map[data-ready='1']")
        idn_row = page.inner_text("#region-countries tr[data-country='IDN']")
        assert idn_row.split("\t")[1].strip() == "1"

        event_id = r.json()["id"]
        client.post(f"/api/v1/events/{event_id}/acknowledgements", headers=tha.headers)
        page.wait_for_selector(
            "#region-unacknowledged li:has-text('Cholera'):not(:has-text('THA'))"
        )
        assert "VNM" in page.inner_text("#region-unacknowledged")
    finally:
        context.close()


def test_issuing_a_report_shows_progress_then_the_edition(
    live_server, browser, client, make_person
):
    idn = make_person("IDN", "officer")
    event = client.post(
        "/api/v1/events",
        headers=idn.headers,
        json={"title": "Measles cluster", "hazard": "Measles", "country": "IDN",
              "summary": "x", "visibility": "network"},
    ).json()  # fmt: skip
    context = browser.new_context()
    try:
        page = context.new_page()
        page.set_default_timeout(30_000)
        page.goto(live_server.url + "/login")
        page.fill("input[name=email]", idn.email)
        page.fill("input[name=password]", PASSWORD)
        page.click("form[action='/login'] button[type=submit]")
        page.wait_for_selector("#dashboard-title")
        page.goto(live_server.url + "/reports")
        page.fill("#sitrep-form input[name=event_id]", str(event["id"]))
        page.click("#sitrep-form button[type=submit]")
        page.wait_for_selector("#narrative-form")
        page.fill("#narrative-form textarea[name=summary]", "First report.")
        page.click("#narrative-form button[type=submit]")
        page.wait_for_selector("body[data-live='1']")
        page.click("#issue-report")
        page.wait_for_selector("#report-edition")
        assert page.inner_text("#report-edition") == "1"
        link = page.get_attribute("#report-pdf", "href")
        response = page.request.get(live_server.url + link)
        assert response.status == 200 and response.body().startswith(b"%PDF")
    finally:
        context.close()
