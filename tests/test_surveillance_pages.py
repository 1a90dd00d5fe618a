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


def _entry_values(html: str) -> dict[str, str]:
    import re

    form = re.search(
        r'<form method="post" action="/surveillance/report" id="entry-form">.*?</form>', html, re.S
    )
    assert form
    return dict(re.findall(r'<input[^>]*name="(\w+)"[^>]*value="([^"]*)"', form.group(0)))


def _current(db, party: str, period: date) -> list[tuple[int, int, int]]:
    from sqlalchemy import select

    with db.read() as session:
        return [
            (r.cases_suspected, r.cases_confirmed, r.deaths_confirmed)
            for r in session.scalars(
                select(AggregateReport).where(
                    AggregateReport.party == party,
                    AggregateReport.period_start == period,
                    AggregateReport.current.is_(True),
                )
            )
        ]


def test_saved_figures_are_never_overwritten_without_showing_them_and_asking(
    client, db, make_person
):
    """The trap of the review: the one-period form, pre-filled with zeros, replaced
    a real week of dengue figures on one click."""
    import re

    _diseases(client, make_person)
    officer = make_person("IDN", "officer")
    real = {"cases_suspected": 71, "cases_confirmed": 30, "deaths_confirmed": 1}
    r = client.post(
        f"{API}/reports",
        headers=officer.headers,
        json={"rows": [{"disease": "MEA", "period": "2026-W05", **real}]},
    )
    assert r.status_code == 201, r.text
    week5 = date(2026, 1, 26)
    assert _current(db, "IDN", week5) == [(71, 30, 1)]
    login(client, officer.email, PASSWORD)

    # opening the period shows its saved figures in the form
    page = client.get("/surveillance/report?disease=MEA&period=2026-W05")
    values = _entry_values(page.text)
    assert (values["cases_suspected"], values["cases_confirmed"], values["deaths_confirmed"]) == (
        "71",
        "30",
        "1",
    )
    assert 'id="loaded-figures"' in page.text
    assert (
        'id="no-saved-figures"'
        in client.get("/surveillance/report?disease=MEA&period=2026-W06").text
    )

    # zeros for a period with figures: nothing is written; both are shown, and asked
    rows = count(db, AggregateReport)
    zeros = {"csrf_token": csrf_of(page.text), "disease": "MEA", "period": "2026-W05"}
    asked = client.post("/surveillance/report", data=zeros, follow_redirects=False)
    assert asked.status_code == 409
    assert count(db, AggregateReport) == rows and _current(db, "IDN", week5) == [(71, 30, 1)]
    saved_row = re.search(r'<tr id="saved-row">(.*?)</tr>', asked.text, re.S).group(1)
    assert re.findall(r"<td>(\d+)</td>", saved_row) == ["71", "0", "30", "0", "0", "1"]
    assert 'id="replace-saved"' in asked.text and 'id="keep-saved"' in asked.text
    # what was typed stays in the form
    assert _entry_values(asked.text)["cases_suspected"] == "0"

    # keeping them: the form opens with the saved figures
    keep = re.search(r'id="keep-saved"', asked.text) and re.search(
        r'href="(/surveillance/report\?[^"]+)"[^>]*id="keep-saved"', asked.text
    )
    kept = client.get(keep.group(1).replace("&amp;", "&"))
    assert _entry_values(kept.text)["cases_suspected"] == "71"

    # replacing them, once asked: the earlier figures stay in the history
    form = re.search(r'<form[^>]*id="replace-form">.*?</form>', asked.text, re.S).group(0)
    confirm = dict(re.findall(r'name="(\w+)" value="([^"]*)"', form))
    confirm["cases_suspected"] = "72"
    done = client.post("/surveillance/report", data=confirm, follow_redirects=False)
    assert done.status_code == 303
    assert _current(db, "IDN", week5) == [(72, 0, 0)] and count(db, AggregateReport) == rows + 1

    # a confirmation given for figures that have changed since is asked again
    again = client.post("/surveillance/report", data=confirm | {"cases_suspected": "9"})
    assert again.status_code == 409 and _current(db, "IDN", week5) == [(72, 0, 0)]
    # the same figures again need no question
    same = client.post("/surveillance/report", data={**zeros, "cases_suspected": "72"})
    assert same.status_code == 200 and "Saved 1 rows" in same.text


def test_the_form_refuses_periods_before_the_disease_history(client, db, make_person):
    _diseases(client, make_person)  # Measles history starts in 2026-W02
    officer = make_person("IDN", "officer")
    login(client, officer.email, PASSWORD)
    page = client.get("/surveillance/report")
    rows = count(db, AggregateReport)
    for period in ("1900-W01", "2025-W52"):
        r = client.post(
            "/surveillance/report",
            data={"csrf_token": csrf_of(page.text), "disease": "MEA", "period": period},
        )
        assert r.status_code == 422 and 'id="period-error"' in r.text, period
        assert "2026-W02" in r.text and _entry_values(r.text)["period"] == period
    assert count(db, AggregateReport) == rows
    r = client.post(
        "/surveillance/report",
        data={"csrf_token": csrf_of(page.text), "disease": "MEA", "period": "2026-W02"},
        follow_redirects=False,
    )
    assert r.status_code == 303  # the first period of the history (VNM's) is open to IDN


def test_a_file_preview_shows_the_saved_figures_it_would_replace(client, db, make_person):
    import re

    _diseases(client, make_person)
    officer = make_person("IDN", "officer")
    client.post(
        f"{API}/reports",
        headers=officer.headers,
        json={"rows": [{"disease": "MEA", "period": "2026-W05", "cases_confirmed": 30}]},
    )
    login(client, officer.email, PASSWORD)
    page = client.get("/surveillance/report")
    text = "disease,period,cases_confirmed\nMEA,2026-W05,0\nMEA,2026-W06,4\n"
    checked = client.post(
        "/surveillance/upload",
        data={"csrf_token": csrf_of(page.text), "step": "check"},
        files={"file": ("r.csv", text.encode(), "text/csv")},
    )
    assert checked.status_code == 200 and 'id="upload-replaces"' in checked.text
    warning = re.search(r'id="upload-replaces">(.*?)</div>\s*</div>', checked.text, re.S).group(1)
    assert "1 rows of this file replace" in warning and "<td>30</td>" in warning
    assert "2026-W06" not in warning  # a new period replaces nothing
