"""Situation reports from the demo network: each kind generated, its text and
figures checked against the database, editions numbered and kept, the PDF
rendered to an image that is not blank; who may read which report; the
schedule; the command line; and the regional dashboard."""

from __future__ import annotations

import shutil
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from eocnet import demo
from eocnet.db.models import (
    Event,
    NotificationPreference,
    OutboxEmail,
    Report,
    StreamEntry,
    SupportRequest,
    User,
)
from eocnet.db.types import utcnow
from eocnet.domain.weeks import week_of
from eocnet.reports import editions
from tests.conftest import IN_CI
from tests.helpers import run_cli
from tests.web_helpers import login

WEEK = week_of(utcnow().date())


@pytest.fixture
def network(db, make_person, settings):
    with db.transaction() as session:
        demo.load_demo(session, settings)
    with db.read() as session:
        measles = session.scalar(select(Event).where(Event.hazard == "Measles"))
        diphtheria = session.scalar(select(Event).where(Event.hazard == "Diphtheria"))
        assert measles is not None and diphtheria is not None
        ids = {"measles": measles.id, "diphtheria": diphtheria.id}
    return {
        **ids,
        "coordinator": make_person("ASEC", "coordinator"),
        "idn": make_person("IDN", "officer"),
        "tha": make_person("THA", "officer"),
        "sgp": make_person("SGP", "officer"),
        "partner": make_person("JPN", "partner"),
    }


def _draft(client, person, **body) -> dict:
    r = client.post("/api/v1/reports", headers=person.headers, json=body)
    assert r.status_code == 201, r.text
    return r.json()


def _png_is_not_blank(pdf: bytes, tmp_path: Path) -> None:
    if shutil.which("pdftoppm") is None:
        if IN_CI:
            pytest.fail("pdftoppm is required under CI=true (make system-deps)", pytrace=False)
        pytest.skip("pdftoppm not installed (make system-deps)")
    from PIL import Image, ImageStat

    source = tmp_path / "report.pdf"
    source.write_bytes(pdf)
    subprocess.run(
        ["pdftoppm", "-r", "40", "-png", "-f", "1", "-l", "2", str(source), str(tmp_path / "page")],
        check=True,
        timeout=60,
    )
    pages = sorted(tmp_path.glob("page*.png"))
    assert len(pages) == 2
    for page in pages:
        image = Image.open(page).convert("L")
        stats = ImageStat.Stat(image)
        dark = sum(image.histogram()[:128])
        assert stats.stddev[0] > 10 and dark > 500, page  # text and figures, not a white page


def test_event_report_from_the_data(client, db, network, tmp_path):
    draft = _draft(client, network["idn"], kind="sitrep", event_id=network["measles"])
    assert draft["status"] == "draft" and draft["edition"] is None
    url = f"/api/v1/reports/{draft['id']}"
    r = client.put(
        f"{url}/narrative",
        headers=network["idn"].headers,
        json={"narrative": {"summary": "Two **imported** cases; no local spread so far."}},
    )
    assert r.status_code == 200
    html = client.get(f"{url}/document.html", headers=network["idn"].headers).text
    with db.read() as session:
        event = session.get(Event, network["measles"])
        total = event.cases_suspected + event.cases_probable + event.cases_confirmed
        support = session.scalar(
            select(SupportRequest.title).where(SupportRequest.event_id == event.id)
        )
    assert event.title in html
    assert f'id="total-cases">{total}<' in html
    assert "<strong>imported</strong>" in html
    assert "Manifest received: 212 passengers" in html  # the update
    assert support in html  # laboratory support linked to the event
    assert "Measles: passengers of a flight arriving in Jakarta" in html  # the advisory
    assert "Singapore" in html and "data:image/svg+xml;base64," in html  # map and figures
    assert "Open Database License" in html  # sources and licences
    assert 'href="#importation"' in html  # table of contents
    assert "Draft, not issued" in html

    r = client.post(f"{url}/issue", headers=network["idn"].headers)
    assert r.status_code == 202
    issued = client.get(url, headers=network["idn"].headers).json()
    assert issued["status"] == "issued" and issued["edition"] == 1 and issued["progress"] == 100
    pdf = client.get(f"{url}/document.pdf", headers=network["idn"].headers).content
    assert pdf.startswith(b"%PDF")
    _png_is_not_blank(pdf, tmp_path)
    kept = client.get(f"{url}/document.html", headers=network["idn"].headers).text
    assert "Edition 1" in kept and "Draft, not issued" not in kept

    # an issued edition does not change when the data does
    with db.transaction() as session:
        session.get(Event, network["measles"]).title = "Renamed afterwards"
    assert client.get(f"{url}/document.html", headers=network["idn"].headers).text == kept
    r = client.put(f"{url}/narrative", headers=network["idn"].headers, json={"narrative": {}})
    assert r.status_code == 409
    assert client.post(f"{url}/issue", headers=network["idn"].headers).status_code == 409
    # the next edition of the same event's report is number 2
    second = _draft(client, network["tha"], kind="sitrep", event_id=network["measles"])
    client.post(f"/api/v1/reports/{second['id']}/issue", headers=network["tha"].headers)
    assert (
        client.get(f"/api/v1/reports/{second['id']}", headers=network["tha"].headers).json()[
            "edition"
        ]
        == 2
    )
    with db.read() as session:
        kinds = session.scalars(select(StreamEntry.kind)).all()
    assert "report.progress" in kinds and "report.issued" in kinds


def test_weekly_report_holds_only_what_every_reader_may_see(client, db, network, tmp_path):
    assert (
        client.post(
            "/api/v1/reports", headers=network["idn"].headers, json={"kind": "weekly"}
        ).status_code
        == 403
    )
    draft = _draft(client, network["coordinator"], kind="weekly", week=WEEK, language="id")
    html = client.get(
        f"/api/v1/reports/{draft['id']}/document.html", headers=network["coordinator"].headers
    ).text
    with db.read() as session:
        open_events = [
            e
            for e in session.scalars(
                select(Event).where(Event.status.in_(("signal", "verified", "ongoing")))
            )
            if e.visibility in ("network", "partners")
        ]
    assert f'id="open-events">{len(open_events)}<' in html
    assert "Laporan regional mingguan" in html  # in Bahasa Indonesia
    # the restricted diphtheria event and restricted support request stay out
    assert "Suspected diphtheria cluster" not in html
    assert "Confirm suspected diphtheria isolates" not in html
    assert "Measles-rubella vaccine" in html  # countermeasures
    assert "Share measles genotype results with the network" in html  # open action items
    assert "Influenza-like illness" in html  # surveillance curves
    # SARI's Rt: a panel of national estimates, never Rt of the regional sum
    assert 'class="rt-panel"' in html and "tidak pernah dihitung dari total regional" in html
    panel = html.split('class="rt-panel"', 1)[1].split("</table>", 1)[0]
    assert panel.count("<tr>") == 3  # the header, the Philippines and Viet Nam
    assert '<td class="n">0.78</td>' in panel  # Viet Nam's, not the pooled 1.20
    # how many signals wait for verification, by country, without their details
    assert 'id="signals-under-verification">Sinyal dalam verifikasi' in html
    # partners do not read the network's weekly report
    url = f"/api/v1/reports/{draft['id']}"
    assert client.get(url, headers=network["partner"].headers).status_code == 404
    assert client.get(url, headers=network["sgp"].headers).status_code == 200
    pdf = client.get(f"{url}/document.pdf", headers=network["coordinator"].headers).content
    _png_is_not_blank(pdf, tmp_path)


def test_a_restricted_event_report_is_for_its_audience_only(client, network):
    draft = _draft(client, network["tha"], kind="sitrep", event_id=network["diphtheria"])
    url = f"/api/v1/reports/{draft['id']}"
    for who in ("idn", "sgp", "partner"):
        assert client.get(url, headers=network[who].headers).status_code == 404
    r = client.post(
        "/api/v1/reports",
        headers=network["idn"].headers,
        json={"kind": "sitrep", "event_id": network["diphtheria"]},
    )
    assert r.status_code == 422 and r.json()["field"] == "event_id"
    r = client.post(
        "/api/v1/reports",
        headers=network["coordinator"].headers,
        json={"kind": "weekly", "week": "2026-W60"},
    )
    assert r.status_code == 422 and r.json()["field"] == "week"


def test_the_weekly_report_is_issued_on_monday_morning_and_mailed(db, network):
    with db.transaction() as session:
        user = session.get(User, network["sgp"].id)
        session.add(NotificationPreference(user_id=user.id, email_reports=True))
    sunday_night = datetime(2026, 11, 29, 23, 0, tzinfo=UTC)  # Monday 07:00 in Jakarta
    assert editions.scheduled_weekly(db, sunday_night, "https://eocnet.example") is None
    monday = datetime(2026, 11, 30, 1, 30, tzinfo=UTC)  # Monday 08:30 in Jakarta
    built = editions.scheduled_weekly(db, monday, "https://eocnet.example")
    assert built is not None
    with db.read() as session:
        report = session.get(Report, built.id)
        assert report.period == "2026-W48" and report.status == "issued" and report.edition == 1
        mails = session.scalars(
            select(OutboxEmail).where(OutboxEmail.to_address == network["sgp"].email)
        ).all()
        assert len(mails) == 1 and "2026-W48" in mails[0].subject
    assert (
        editions.scheduled_weekly(db, monday + timedelta(hours=2), "https://eocnet.example") is None
    )


def test_report_commands(monkeypatch, capsys, database_url, network, tmp_path):
    out = tmp_path / "sitrep.pdf"
    result = run_cli(
        monkeypatch, capsys, database_url,
        "report", "sitrep", "--event", str(network["measles"]), "-o", str(out),
    )  # fmt: skip
    assert result.code == 0, result.err
    assert out.read_bytes().startswith(b"%PDF")
    weekly = tmp_path / "weekly.pdf"
    result = run_cli(
        monkeypatch,
        capsys,
        database_url,
        "report",
        "weekly",
        "--week",
        WEEK,
        "-o",
        str(weekly),
        "--issue",
    )
    assert result.code == 0, result.err
    assert weekly.read_bytes().startswith(b"%PDF") and "issued edition 1" in result.err
    bad = run_cli(
        monkeypatch, capsys, database_url, "report", "weekly", "--week", "W47", "-o", str(weekly)
    )
    assert bad.code == 2 and "Invalid value for '--week'" in bad.err  # a usage error


def test_regional_dashboard_figures_and_filters(client, db, network):
    login(client, network["tha"].email, "correct horse battery staple")
    page = client.get("/region?days=365")
    assert page.status_code == 200
    with db.read() as session:
        mys_open = [
            e for e in session.scalars(select(Event).where(Event.country == "MYS"))
            if e.status in ("signal", "verified", "ongoing")
        ]  # fmt: skip
    row = page.text.split('data-country="MYS"')[1].split("</tr>")[0]
    assert f'<td class="n">{len(mys_open)}</td>' in row
    assert "Measles in two travellers arriving in Jakarta" in page.text
    # THA sees the restricted diphtheria alert addressed to it
    assert "Suspected diphtheria cluster" in page.text
    filtered = client.get("/region?days=365&hazard=Dengue")
    assert "Measles in two travellers" not in filtered.text.split('id="region-events"')[1]
    data = client.get("/region/map.json?days=365").json()
    assert data["MYS"] == len(mys_open)
    # SGP is not addressed by the restricted diphtheria event: it does not see it
    client.cookies.clear()
    login(client, network["sgp"].email, "correct horse battery staple")
    assert "Suspected diphtheria cluster" not in client.get("/region?days=365").text


def test_dissemination_report_edition(client, network, tmp_path):
    draft = _draft(client, network["coordinator"], kind="dissemination", week=WEEK)
    url = f"/api/v1/reports/{draft['id']}"
    html = client.get(f"{url}/document.html", headers=network["coordinator"].headers).text
    assert "Risk assessment for international dissemination" in html
    assert "Measles in two travellers arriving in Jakarta" in html
    assert "Suspected diphtheria cluster" not in html  # restricted: not every reader sees it
    assert "Singapore" in html and "data:image/svg+xml;base64," in html
    client.post(f"{url}/issue", headers=network["coordinator"].headers)
    issued = client.get(url, headers=network["tha"].headers).json()
    assert issued["status"] == "issued" and issued["edition"] == 1
    pdf = client.get(f"{url}/document.pdf", headers=network["tha"].headers).content
    _png_is_not_blank(pdf, tmp_path)
