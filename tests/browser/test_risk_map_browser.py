"""The importation-risk map draws the countries from the locally served atlas and
colours the destinations; nothing comes from a third-party host."""

import pytest

from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser


def test_map_colours_destinations(live_server, browser, make_person):
    officer = make_person("SGP", "officer")
    context = browser.new_context()
    try:
        page = context.new_page()
        page.set_default_timeout(15_000)
        foreign = []
        page.on(
            "request",
            lambda r: foreign.append(r.url) if not r.url.startswith(live_server.url) else None,
        )
        page.goto(live_server.url + "/login")
        page.fill("input[name=email]", officer.email)
        page.fill("input[name=password]", PASSWORD)
        page.click("form[action='/login'] button[type=submit]")
        page.wait_for_selector("#dashboard-title")
        page.goto(live_server.url + "/risk/importation?origin=SIN&by=country")
        page.wait_for_selector("#importation-map[data-ready]")
        assert int(page.get_attribute("#importation-map", "data-ready")) > 150
        shapes = page.locator("#importation-map path")
        assert shapes.count() > 150
        coloured = page.locator("#importation-map path[fill='#b00020']")
        assert coloured.count() >= 10  # Singapore's destinations
        assert page.locator("#importation-map path[fill='#222']").count() == 1  # Singapore
        assert "MYS" in page.inner_text("#importation-table")
        assert foreign == []
    finally:
        context.close()
