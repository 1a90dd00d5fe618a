"""PHL uploads its weekly report with one bad row, sees the error, fixes the
file, checks the preview and saves; the curve shows the alarm and a signal
opens, which the coordinator sees appear live on the surveillance page."""

import time
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pyotp
import pytest

from eocnet.actions import users
from eocnet.db.models import User
from tests.conftest import PASSWORD, SECRET

pytestmark = pytest.mark.browser
START = date(2020, 1, 6)
WEEKS = 299


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


def test_upload_fix_save_and_see_the_signal(
    live_server, browser, db, client, make_person, tmp_path: Path
):
    coordinator = make_person("ASEC", "coordinator")
    with db.transaction() as session:
        user = session.get(User, coordinator.id)
        secret = users.begin_totp_enrolment(session, user, SECRET)
        users.confirm_totp_enrolment(session, user, pyotp.TOTP(secret).now(), SECRET)
    phl = make_person("PHL", "officer")
    assert (
        client.put(
            "/api/v1/surveillance/diseases/DEN",
            headers=coordinator.headers,
            json={"name": "Dengue"},
        ).status_code
        == 200
    )
    rng = np.random.default_rng(7)
    history = rng.poisson(20 * (1 + 0.4 * np.sin(2 * np.pi * np.arange(WEEKS) / 52.18)))
    rows = [
        {"disease": "DEN", "period": str(START + timedelta(weeks=i)), "cases_confirmed": int(c)}
        for i, c in enumerate(history)
    ]
    assert (
        client.post(
            "/api/v1/surveillance/reports", headers=phl.headers, json={"rows": rows}
        ).status_code
        == 201
    )
    latest = START + timedelta(weeks=WEEKS)
    bad = tmp_path / "bad.csv"
    bad.write_text(
        f"disease,period,area,cases_confirmed\nDEN,{latest},PH-00,250\nDEN,{latest},Manila,-3\n"
    )
    good = tmp_path / "good.csv"
    good.write_text(
        f"disease,period,area,cases_confirmed\nDEN,{latest},PH-00,250\nDEN,{latest},PH-NCR,3\n"
    )

    watcher_context, reporter_context = browser.new_context(), browser.new_context()
    try:
        watcher, reporter = watcher_context.new_page(), reporter_context.new_page()
        for page in (watcher, reporter):
            page.set_default_timeout(15_000)
        _login(watcher, live_server.url, coordinator, secret)
        watcher.goto(live_server.url + "/surveillance?disease=DEN")
        watcher.wait_for_selector("body[data-live='1']")
        assert watcher.locator("#no-signals").count() == 1

        _login(reporter, live_server.url, phl)
        reporter.goto(live_server.url + "/surveillance/report")
        reporter.set_input_files("#report-file", str(bad))
        reporter.click("#check-upload")
        errors = reporter.wait_for_selector("#row-errors")
        assert "Row 2" in errors.inner_text() and "area" in errors.inner_text()

        reporter.set_input_files("#report-file", str(good))
        reporter.click("#check-upload")
        reporter.wait_for_selector("#preview")
        assert reporter.locator("#row-errors").count() == 0
        assert "2 of 2 rows are valid" in reporter.inner_text("#preview")
        reporter.click("#save-upload")
        reporter.wait_for_selector("#new-signal")
        assert "/surveillance/curve" in reporter.url and "party=PHL" in reporter.url
        reporter.wait_for_load_state("load")
        assert reporter.locator("#curve-image").evaluate("img => img.naturalWidth") > 0
        first_row = reporter.inner_text("#curve-table tbody tr:first-child")
        assert "253" in first_row and "alarm" in first_row

        # the coordinator's page shows the new signal without reloading
        watcher.wait_for_selector("#signals")
        assert "Philippines" in watcher.inner_text("#signals")
        assert "253 cases" in watcher.inner_text("#signals")
    finally:
        watcher_context.close()
        reporter_context.close()
