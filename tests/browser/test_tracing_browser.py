"""IDN sends a notice about two co-travellers to KHM; KHM sees the names, THA does not;
KHM records an outcome and IDN sees it arrive."""

import time
from pathlib import Path

import pyotp
import pytest

from eocnet.actions import users
from eocnet.db.models import User
from tests.conftest import PASSWORD, SECRET

pytestmark = pytest.mark.browser

MANIFEST = (
    "Name,Passport,Mobile,Nationality,Seat,Flight\n"
    "Sokha Mengvireak,KH1234567,+855 12 000 111,KHM,12A,QZ7521\n"
    "Dara Phirunvath,KH7654321,+855 12 000 333,KHM,12C,QZ7521\n"
)


def _with_second_factor(db, person) -> str:
    with db.transaction() as session:
        user = session.get(User, person.id)
        secret = users.begin_totp_enrolment(session, user, SECRET)
        users.confirm_totp_enrolment(session, user, pyotp.TOTP(secret).now(), SECRET)
    return secret


def _login(page, url, person, secret):
    page.goto(url + "/login")
    page.fill("input[name=email]", person.email)
    page.fill("input[name=password]", PASSWORD)
    page.click("form[action='/login'] button[type=submit]")
    page.wait_for_url("**/login/2fa**")
    page.fill("input[name=code]", pyotp.TOTP(secret).at(time.time() + 30))
    page.click("form[action='/login/2fa'] button[type=submit]")
    page.wait_for_selector("#dashboard-title")


def test_notice_reaches_only_the_parties_concerned(
    live_server, browser, db, client, make_person, tmp_path: Path
):
    idn, khm, tha = (make_person(c, "officer", "focal_point") for c in ("IDN", "KHM", "THA"))
    secrets = {p.email: _with_second_factor(db, p) for p in (idn, khm, tha)}
    client.post(
        "/api/v1/events",
        headers=idn.headers,
        json={"title": "Measles on flight QZ7521", "hazard": "Measles", "country": "IDN"},
    )
    manifest = tmp_path / "manifest.csv"
    manifest.write_text(MANIFEST)
    contexts = [browser.new_context() for _ in range(3)]
    try:
        sender, receiver, outsider = (c.new_page() for c in contexts)
        for page, person in ((sender, idn), (receiver, khm), (outsider, tha)):
            page.set_default_timeout(15_000)
            _login(page, live_server.url, person, secrets[person.email])

        sender.goto(live_server.url + "/tracing/new")
        sender.select_option("select[name=parties]", "KHM")
        sender.set_input_files("input[name=file]", str(manifest))
        sender.click("#notice-form button[type=submit]")
        # the columns are matched to person fields, for the sender to check
        sender.wait_for_selector("#map-form")
        assert sender.locator("select[aria-label=Passport]").input_value() == "document_number"
        sender.click("#confirm")
        sender.wait_for_selector("#persons")
        notice_url = sender.url
        assert "Sokha Mengvireak" in sender.inner_text("#persons")

        receiver.goto(notice_url)
        receiver.wait_for_selector("#persons")
        assert "Dara Phirunvath" in receiver.inner_text("#persons")

        response = outsider.goto(notice_url)
        assert response.status == 404
        assert "Sokha" not in outsider.content()
        outsider.goto(live_server.url + "/tracing")
        assert "No notices" in outsider.inner_text("#notices")

        # the sender watches; the receiver records an outcome
        sender.wait_for_selector("body[data-live='1']")
        row = receiver.locator("#persons tr", has_text="Sokha Mengvireak")
        row.locator("select[name=outcome]").select_option("tested")
        row.locator("select[name=test_result]").select_option("negative")
        row.locator("form[action$='/outcome'] button").click()
        receiver.wait_for_selector("#persons")
        sender.locator("#persons tr", has_text="Sokha Mengvireak").locator(
            "td.outcome", has_text="negative"
        ).wait_for()
    finally:
        for context in contexts:
            context.close()
