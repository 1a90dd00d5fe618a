"""The event workflow in the pages: post (refusing unknown countries at the field),
edit, change the figures, record the notification to WHO, open the event's channel,
and "N of M acknowledged" at a glance; with the parties who must not do or see it."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from eocnet.db.models import AuditEntry, Channel, Event, EventRevision
from tests.conftest import PASSWORD
from tests.helpers import count
from tests.web_helpers import csrf_of, login, login_with_totp

ALERT = {
    "title": "Dengue cluster in Jakarta",
    "hazard": "Dengue",
    "country": "IDN",
    "visibility": "network",
    "alert": True,
    "alert_reasons": ["serious", "may_spread_to_other_countries"],
}
FIGURES = {
    "cases_suspected": "71",
    "cases_probable": "12",
    "cases_confirmed": "30",
    "deaths_suspected": "2",
    "deaths_probable": "1",
    "deaths_confirmed": "1",
}


def _form_values(html: str, form_id: str) -> dict[str, str]:
    form = re.search(rf'<form[^>]*id="{form_id}".*?</form>', html, re.S)
    assert form, form_id
    return {
        m.group(1): m.group(2)
        for m in re.finditer(r'<input[^>]*name="(\w+)"[^>]*value="([^"]*)"', form.group(0))
    }


@pytest.fixture
def alert(client, make_person):
    idn = make_person("IDN", "officer")
    r = client.post("/api/v1/events", json=ALERT, headers=idn.headers)
    assert r.status_code == 201, r.text
    return idn, r.json()["id"]


def test_the_event_form_refuses_an_unknown_country_at_the_field(client, db, make_person):
    idn = make_person("IDN", "officer")
    login(client, idn.email, PASSWORD)
    form = client.get("/events/new")
    before = count(db, Event), count(db, AuditEntry)
    typed = {
        "csrf_token": csrf_of(form.text),
        "title": "Measles on flight QZ7521",
        "hazard": "Measles",
        "country": "xyz",
        "summary": "Two travellers.",
        "visibility": "network",
        "severity": "high",
        "cases_confirmed": "2",
    }
    r = client.post("/events/new", data=typed)
    assert r.status_code == 422
    assert (count(db, Event), count(db, AuditEntry)) == before
    # the message is at the field, which is marked; what was typed is kept
    assert re.search(r'<input aria-invalid="true" aria-describedby="country-error"', r.text)
    assert 'id="country-error"' in r.text and "not a country code" in r.text
    assert 'id="form-error"' not in r.text
    kept = _form_values(r.text, "event-form")
    assert (kept["title"], kept["country"], kept["cases_confirmed"]) == (
        "Measles on flight QZ7521",
        "xyz",
        "2",
    )
    assert "Two travellers.</textarea>" in r.text and 'value="high" selected' in r.text
    # a real country code posts
    r = client.post("/events/new", data={**typed, "country": "khm"}, follow_redirects=False)
    assert r.status_code == 303
    with db.read() as session:
        assert session.scalars(select(Event.country)).all() == ["KHM"]


def test_the_api_refuses_an_unknown_country(client, alert):
    idn, event_id = alert
    r = client.post("/api/v1/events", json={**ALERT, "country": "XYZ"}, headers=idn.headers)
    assert r.status_code == 422 and r.json()["field"] == "country"
    r = client.patch(f"/api/v1/events/{event_id}", json={"country": "XYZ"}, headers=idn.headers)
    assert r.status_code == 422 and r.json()["field"] == "country"


def test_edit_the_event_and_its_figures(client, db, alert, make_person):
    idn, event_id = alert
    login(client, idn.email, PASSWORD)
    page = client.get(f"/events/{event_id}")
    assert f'href="/events/{event_id}/edit"' in page.text and 'id="figures-form"' in page.text
    figures = _form_values(page.text, "figures-form")
    assert figures["cases_suspected"] == "0" and figures["version"] == "1"

    # the figures alone, from the event page
    r = client.post(
        f"/events/{event_id}/edit",
        data={**figures, **FIGURES, "csrf_token": csrf_of(page.text)},
        follow_redirects=False,
    )
    assert r.status_code == 303
    event = client.get(f"/api/v1/events/{event_id}", headers=idn.headers).json()
    assert event["cases_suspected"] == 71 and event["deaths_probable"] == 1
    assert event["version"] == 2 and event["title"] == ALERT["title"]

    # the whole event, from its edit page, pre-filled with what is saved
    edit = client.get(f"/events/{event_id}/edit")
    values = _form_values(edit.text, "event-edit-form")
    assert values["cases_suspected"] == "71" and values["country"] == "IDN"
    assert values["version"] == "2"
    r = client.post(
        f"/events/{event_id}/edit",
        data={**values, "title": "Dengue cluster, North Jakarta", "place": "North Jakarta"},
        follow_redirects=False,
    )
    assert r.status_code == 303
    shown = client.get(f"/events/{event_id}").text
    assert "Dengue cluster, North Jakarta" in shown and "suspected 71" in shown

    # a refused value: at its field, with what was typed, nothing written
    before = count(db, EventRevision)
    edit = client.get(f"/events/{event_id}/edit")
    values = _form_values(edit.text, "event-edit-form")
    r = client.post(
        f"/events/{event_id}/edit",
        data={**values, "country": "XYZ", "cases_confirmed": "31", "title": "Typed"},
    )
    assert r.status_code == 422 and 'id="country-error"' in r.text
    kept = _form_values(r.text, "event-edit-form")
    assert (kept["country"], kept["cases_confirmed"], kept["title"]) == ("XYZ", "31", "Typed")
    r = client.post(f"/events/{event_id}/edit", data={**values, "deaths_confirmed": "-1"})
    assert r.status_code == 422 and 'id="deaths_confirmed-error"' in r.text
    assert count(db, EventRevision) == before

    # a stale form (someone saved meanwhile) loses nothing: it shows the current values
    stale = {**values, "version": "1", "cases_confirmed": "99"}
    r = client.post(f"/events/{event_id}/edit", data=stale)
    assert r.status_code == 409 and 'id="form-error"' in r.text
    assert _form_values(r.text, "event-edit-form")["cases_confirmed"] == "30"
    assert count(db, EventRevision) == before


def test_who_may_edit(client, alert, make_person):
    """Another member state sees the event but may not change it; a party that may not
    see it gets 404."""
    idn, event_id = alert
    r = client.post(
        "/api/v1/events",
        json={**ALERT, "visibility": "restricted", "parties": ["KHM"], "alert": False},
        headers=idn.headers,
    )
    restricted = r.json()["id"]
    tha = make_person("THA", "officer")
    login(client, tha.email, PASSWORD)
    page = client.get(f"/events/{event_id}")
    assert page.status_code == 200
    assert "/edit" not in page.text and 'id="figures-form"' not in page.text
    assert client.get(f"/events/{event_id}/edit").status_code == 403
    csrf = csrf_of(page.text)
    r = client.post(f"/events/{event_id}/edit", data={"csrf_token": csrf, "cases_confirmed": "5"})
    assert r.status_code == 403
    assert client.get(f"/events/{restricted}/edit").status_code == 404
    r = client.post(f"/events/{restricted}/edit", data={"csrf_token": csrf, "title": "x"})
    assert r.status_code == 404
    assert client.get(f"/api/v1/events/{event_id}", headers=idn.headers).json()["version"] == 1


def test_record_that_who_was_notified(client, db, make_person):
    idn_fp = make_person("IDN", "officer", "focal_point")
    event_id = client.post("/api/v1/events", json=ALERT, headers=idn_fp.headers).json()["id"]
    r = client.post(
        f"/api/v1/events/{event_id}/ihr-assessments",
        headers=idn_fp.headers,
        json={"disease": "SARS", "sars": True},
    )
    assert r.status_code == 201, r.text
    # an officer of the reporting party sees the deadline but does not record it
    officer = make_person("IDN", "officer")
    login(client, officer.email, PASSWORD)
    page = client.get(f"/events/{event_id}")
    assert 'id="ihr-deadline"' in page.text and 'id="record-who-notification"' not in page.text
    r = client.post(f"/events/{event_id}/who-notification", data={"csrf_token": csrf_of(page.text)})
    assert r.status_code == 403
    client.cookies.clear()

    login_with_totp(client, db, idn_fp)
    page = client.get(f"/events/{event_id}")
    assert 'id="ihr-deadline"' in page.text and 'id="record-who-notification"' in page.text
    r = client.post(
        f"/events/{event_id}/who-notification",
        data={"csrf_token": csrf_of(page.text)},
        follow_redirects=False,
    )
    assert r.status_code == 303
    page = client.get(f"/events/{event_id}")
    assert 'id="ihr-deadline"' not in page.text and 'id="who-notified"' in page.text
    assert 'id="record-who-notification"' not in page.text
    assert client.get("/").text.count(f'href="/events/{event_id}"') >= 1
    with db.read() as session:
        actions = session.scalars(select(AuditEntry.action)).all()
    assert actions.count("event.ihr_notified") == 1


def test_open_the_event_channel_and_see_who_acknowledged(client, db, alert, make_person):
    _idn, event_id = alert
    khm = make_person("KHM", "officer")
    assert client.post(
        f"/api/v1/events/{event_id}/acknowledgements", headers=khm.headers
    ).is_success
    login(client, khm.email, PASSWORD)
    page = client.get(f"/events/{event_id}")
    with db.read() as session:
        addressed = session.get(Event, event_id).addressed
    summary = re.search(r'id="ack-summary"><strong>([^<]+)</strong>', page.text).group(1)
    assert summary == f"1 of {len(addressed)} acknowledged"
    assert "IDN" not in addressed or "waiting for" in page.text
    acks = client.get(f"/events/{event_id}/acks").text  # the live fragment says the same
    assert f"1 of {len(addressed)} acknowledged" in acks

    assert count(db, Channel) == 0  # the button opens it on first use
    r = client.post(
        f"/events/{event_id}/channel",
        data={"csrf_token": csrf_of(page.text)},
        follow_redirects=False,
    )
    assert r.status_code == 303
    with db.read() as session:
        channel = session.scalars(select(Channel)).one()
    assert r.headers["location"] == f"/channels/{channel.id}" and channel.event_id == event_id
    page = client.get(f"/events/{event_id}")
    assert f'href="/channels/{channel.id}"' in page.text
    assert client.get(f"/channels/{channel.id}").status_code == 200


def test_in_indonesian(client, alert, make_person):
    idn, event_id = alert
    login(client, idn.email, PASSWORD)
    page = client.get(f"/events/{event_id}")
    client.post("/language", data={"language": "id", "csrf_token": csrf_of(page.text)})
    page = client.get(f"/events/{event_id}")
    assert "telah mengonfirmasi" in page.text and "Update cases and deaths" not in page.text
    edit = client.get(f"/events/{event_id}/edit")
    assert "Edit the event" not in edit.text and "Suspected cases" not in edit.text


def test_a_refused_figures_form_keeps_the_rest_of_the_event(client, alert):
    idn, event_id = alert
    login(client, idn.email, PASSWORD)
    page = client.get(f"/events/{event_id}")
    figures = _form_values(page.text, "figures-form")
    r = client.post(f"/events/{event_id}/edit", data={**figures, "cases_probable": "many"})
    assert r.status_code == 422 and 'id="cases_probable-error"' in r.text
    values = _form_values(r.text, "event-edit-form")
    assert values["title"] == ALERT["title"] and values["country"] == "IDN"
    assert values["cases_probable"] == "many"
