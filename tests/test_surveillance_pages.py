"""Surveillance pages without JavaScript: entry, upload preview, sharing."""

from __future__ import annotations

from datetime import date, timedelta

from eocnet.actions import users
from eocnet.db.models import AggregateReport, User
from tests.conftest import PASSWORD, SECRET
from tests.helpers import count, totp_code
from tests.web_helpers import csrf_of, login

API = "/api/v1/surveillance"


def _diseases(client, make_person):
    coordinator = make_person("ASEC", "coordinator")
    for code, share in (("DEN", "partners"), ("MEA", "network")):
        client.put(
            f"{API}/diseases/{code}",
            headers=coordinator.headers,
            json={"name": {"DEN": "Dengue", "MEA": "Measles"}[code], "share_with": share},
        )
    rows = [
        {
            "disease": "MEA",
            "period": str(date(2026, 1, 5) + timedelta(weeks=i)),
            "cases_confirmed": i,
        }
        for i in range(10)
    ]
    vnm = make_person("VNM", "officer")
    assert (
        client.post(f"{API}/reports", headers=vnm.headers, json={"rows": rows}).status_code == 201
    )


def test_entry_form_saves_one_period_and_refuses_bad_values(client, db, make_person):
    _diseases(client, make_person)
    officer = make_person("IDN", "officer")
    login(client, officer.email, PASSWORD)
    page = client.get("/surveillance/report")
    assert page.status_code == 200 and 'name="period"' in page.text
    form = {
        "csrf_token": csrf_of(page.text),
        "disease": "MEA",
        "period": "2026-W10",
        "cases_confirmed": "-1",
    }
    bad = client.post("/surveillance/report", data=form, follow_redirects=False)
    assert bad.status_code == 422 and "counts cannot be negative" in bad.text
    assert count(db, AggregateReport) == 10
    form["cases_confirmed"] = "4"
    good = client.post("/surveillance/report", data=form, follow_redirects=False)
    assert good.status_code == 303
    assert good.headers["location"].startswith("/surveillance/curve?disease=MEA&party=IDN")
    curve = client.get(good.headers["location"])
    assert "2026-W10" in curve.text and "Saved 1 rows" in curve.text
    svg = client.get("/surveillance/curve.svg?disease=MEA&party=IDN")
    assert svg.headers["content-type"].startswith("image/svg+xml") and b"<svg" in svg.content
    # without the CSRF token nothing is saved
    form.pop("csrf_token")
    assert client.post("/surveillance/report", data=form).status_code == 403


def test_upload_preview_then_save(client, db, make_person):
    _diseases(client, make_person)
    officer = make_person("THA", "officer")
    login(client, officer.email, PASSWORD)
    page = client.get("/surveillance/report")
    text = "disease,period,cases_confirmed\nMEA,2026-W10,3\nMEA,2026-W11,x\n"
    checked = client.post(
        "/surveillance/upload",
        data={"csrf_token": csrf_of(page.text), "step": "check"},
        files={"file": ("r.csv", text.encode(), "text/csv")},
    )
    assert checked.status_code == 422 and "Row 2" in checked.text
    assert "1 of 2 rows are valid" in checked.text and count(db, AggregateReport) == 10
    import re

    file_data = re.search(r'name="file_data" value="([^"]+)"', checked.text).group(1)
    saved = client.post(
        "/surveillance/upload",
        follow_redirects=False,
        data={
            "csrf_token": csrf_of(checked.text),
            "step": "save",
            "file_data": file_data,
            "filename": "r.csv",
            "drop_invalid": "1",
        },
    )
    assert saved.status_code == 303 and count(db, AggregateReport) == 11


def test_partners_and_officers_see_what_is_shared(client, make_person):
    _diseases(client, make_person)
    partner = make_person("KOR", "partner")
    login(client, partner.email, PASSWORD)
    page = client.get("/surveillance?disease=MEA")
    assert "not shared with your party" in page.text and 'id="completeness-VNM"' not in page.text
    assert 'href="/surveillance/report"' not in page.text
    assert client.get("/surveillance/curve?disease=MEA&party=VNM").status_code == 404
    assert client.get("/surveillance/curve.png?disease=MEA&party=VNM").status_code == 404
    assert client.get("/surveillance/report").status_code == 200  # the form, but no saving
    client.cookies.clear()
    officer = make_person("LAO", "officer")
    login(client, officer.email, PASSWORD)
    page = client.get("/surveillance?disease=MEA")
    assert 'id="completeness-VNM"' in page.text
    assert client.get("/surveillance/curve?disease=MEA&party=VNM").status_code == 200


def test_daily_emergency_shows_the_reproduction_number(client, make_person):
    coordinator = make_person("ASEC", "coordinator")
    client.put(
        f"{API}/diseases/ARI",
        headers=coordinator.headers,
        json={
            "name": "ARI",
            "schedule": "daily",
            "method": {"name": "ears-c1"},
            "si_mean": 4.7,
            "si_sd": 2.9,
        },
    )
    officer = make_person("MYS", "officer")
    rows = [
        {
            "disease": "ARI",
            "period": str(date(2020, 3, 1) + timedelta(days=i)),
            "cases_confirmed": 2 + i,
        }
        for i in range(20)
    ]
    assert (
        client.post(f"{API}/reports", headers=officer.headers, json={"rows": rows}).status_code
        == 201
    )
    login(client, officer.email, PASSWORD)
    page = client.get("/surveillance/curve?disease=ARI&party=MYS")
    assert 'id="rt-table"' in page.text and "2020-03-14 – 2020-03-20" in page.text
    svg = client.get("/surveillance/rt.svg?disease=ARI&party=MYS")
    assert svg.status_code == 200 and b"<svg" in svg.content
    # no data, no Rt
    assert client.get("/surveillance/rt.svg?disease=ARI&party=THA").status_code == 404
    region = client.get("/surveillance/curve?disease=ARI")
    assert region.status_code == 200
    # the region shows national estimates side by side, never Rt of the sum
    assert 'id="rt-panel"' in region.text and 'id="rt-MYS"' in region.text
    assert 'id="rt-image"' not in region.text
    assert client.get("/surveillance/rt.svg?disease=ARI").status_code == 404
    client.post(
        "/language", data={"language": "id", "csrf_token": csrf_of(region.text), "next": "/"}
    )
    region_id = client.get("/surveillance/curve?disease=ARI")
    assert "tidak pernah dihitung dari total regional" in region_id.text


def test_coordinator_sets_up_a_disease_on_the_page(client, db, make_person):
    officer = make_person("IDN", "officer")
    login(client, officer.email, PASSWORD)
    page = client.get("/surveillance/diseases")
    assert page.status_code == 200 and 'id="disease-form"' not in page.text
    refused = client.post(
        "/surveillance/diseases",
        data={"csrf_token": csrf_of(page.text), "code": "CHO", "name": "Cholera"},
    )
    assert refused.status_code == 403
    client.cookies.clear()

    coordinator = make_person("ASEC", "coordinator")
    with db.transaction() as session:  # coordinators log in with a second factor
        user = session.get(User, coordinator.id)
        secret = users.begin_totp_enrolment(session, user, SECRET)
        users.confirm_totp_enrolment(session, user, totp_code(secret), SECRET)
    login(client, coordinator.email, PASSWORD)
    second = client.get("/login/2fa")
    client.post(
        "/login/2fa", data={"code": totp_code(secret, 1), "csrf_token": csrf_of(second.text)}
    )
    page = client.get("/surveillance/diseases")
    assert 'id="disease-form"' in page.text
    form = {
        "csrf_token": csrf_of(page.text),
        "code": "cho",
        "name": "Cholera",
        "schedule": "iso_week",
        "due_days": "2",
        "due_hour": "9",
        "share_with": "partners",
        "method": "farrington-flexible",
        "alpha": "0.01",
        "no_periods": "10",
        "past_weeks_not_included": "26",
        "threshold_method": "nbPlugin",
        "active": "1",
    }
    saved = client.post("/surveillance/diseases", data=form, follow_redirects=False)
    assert saved.status_code == 303
    listed = client.get("/api/v1/surveillance/diseases", headers=coordinator.headers).json()
    cholera = next(d for d in listed if d["code"] == "CHO")
    assert cholera["method"] == {
        "name": "farrington-flexible",
        "alpha": 0.01,
        "no_periods": 10,
        "past_weeks_not_included": 26,
        "threshold_method": "nbPlugin",
    }
    assert (cholera["due_days"], cholera["due_hour"], cholera["share_with"]) == (2, 9, "partners")
    bad = client.post("/surveillance/diseases", data={**form, "method": "ears-c1"})
    assert bad.status_code == 422 and "does not apply to ears-c1" in bad.text
    bad = client.post("/surveillance/diseases", data={**form, "alpha": "many"})
    assert bad.status_code == 422 and "is not a number" in bad.text
