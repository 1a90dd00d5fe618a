"""Contacts who become cases, the follow-up figures, chains of transmission across
notices, and Passenger Locator Form imports (issue 21)."""

import json

import pytest
from sqlalchemy import select

from eocnet.db.models import AuditEntry, StreamEntry
from eocnet.db.types import utcnow
from eocnet.jobs import push
from tests.test_push import Device, PushService

NAMES = ["Zubaidah Kartikasari-Quon", "Phalla Xyvrenth", "Oudom Vrellanikai"]


@pytest.fixture
def settings(settings):
    return settings.model_copy(update={"push_allow_private": True})


@pytest.fixture
def service():
    s = PushService()
    yield s
    s.close()


@pytest.fixture
def people(client, make_person):
    found = {
        "idn_fp": make_person("IDN", "officer", "focal_point"),
        "idn_officer": make_person("IDN", "officer"),
        "khm_fp": make_person("KHM", "officer", "focal_point"),
        "khm_officer": make_person("KHM", "officer"),
        "tha_fp": make_person("THA", "officer", "focal_point"),
        "coordinator": make_person("ASEC", "coordinator"),
        "partner": make_person("JPN", "partner"),
    }
    event = client.post(
        "/api/v1/events",
        headers=found["idn_fp"].headers,
        json={
            "title": "Measles on flight QZ7521",
            "hazard": "Measles",
            "country": "IDN",
            "visibility": "network",
        },
    ).json()
    found["event_id"] = event["id"]
    return found


def _person(i, **extra):
    return {
        "role": "contact",
        "full_name": NAMES[i],
        "document_number": f"XQ99817{i}",
        "travel_number": "QZ7521",
        "exposure_place": "flight QZ7521",
        "last_exposure": "2026-11-20",
        **extra,
    }


def _send(client, who, event_id, parties, persons, **extra):
    r = client.post(
        "/api/v1/tracing-notices",
        headers=who.headers,
        json={"event_id": event_id, "parties": parties, "persons": persons, **extra},
    )
    assert r.status_code == 201, r.text
    return r.json()


def _convert(client, who, nid, pid, **body):
    return client.post(
        f"/api/v1/tracing-notices/{nid}/persons/{pid}/case", headers=who.headers, json=body
    )


def test_a_contact_who_becomes_a_case(client, db, people, settings, service, make_person):
    idn_device, khm_device = Device(service, "idn"), Device(service, "khm")
    for who, device in ((people["idn_officer"], idn_device), (people["khm_officer"], khm_device)):
        r = client.post(
            "/api/v1/push/subscriptions", headers=who.headers, json=device.subscription()
        )
        assert r.status_code == 201, r.text
    notice = _send(client, people["idn_fp"], people["event_id"], ["KHM"], [_person(0), _person(1)])
    nid, pid = notice["id"], notice["statuses"][0]["id"]
    # neither the sender, nor other parties, nor bad input
    assert _convert(client, people["idn_fp"], nid, pid).status_code == 403
    for who in ("tha_fp", "partner"):
        assert _convert(client, people[who], nid, pid).status_code == 404
    bad = _convert(client, people["khm_officer"], nid, pid, classification="certain")
    assert bad.status_code == 422 and "classification" in bad.text
    future = _convert(client, people["khm_officer"], nid, pid, since="2099-01-01")
    assert future.status_code == 422 and future.json()["errors"][0]["field"] == "since"
    r = _convert(client, people["khm_officer"], nid, pid, since="2026-11-28")
    assert r.status_code == 200, r.text
    assert r.json()["case_since"] == "2026-11-28"
    assert r.json()["case_classification"] == "confirmed"
    seen = client.get(f"/api/v1/tracing-notices/{nid}", headers=people["coordinator"].headers)
    assert seen.json()["new_cases"] == 1 and seen.json()["persons"] is None
    [status] = [s for s in seen.json()["statuses"] if s["id"] == pid]
    assert status["case_since"] == "2026-11-28"

    with db.read() as session:
        [entry] = session.scalars(
            select(StreamEntry).where(StreamEntry.kind == "tracing.converted")
        ).all()
        audited = session.scalars(
            select(AuditEntry).where(AuditEntry.action == "tracing.convert")
        ).all()
    data = json.loads(entry.data)
    assert data["person_id"] == pid and data["sender_party"] == "IDN"
    assert data["receiving_party"] == "KHM" and data["disease"] == "measles"
    assert not any(n in entry.data for n in NAMES) and "XQ9981" not in entry.data
    assert len(audited) == 1 and audited[0].object_id == str(pid)

    # the sending party is told at once, by push too; the receiver is not pushed
    assert push.run(db, settings, utcnow()) == 1
    assert service.to(khm_device.path) == []
    [(_, body)] = service.to(idn_device.path)
    message = idn_device.decrypt(body)
    assert message["url"] == f"/tracing/{nid}" and message["type"] == "tracing.converted"
    assert "acknowledge" not in message and not any(n in json.dumps(message) for n in NAMES)

    # the case's own contacts: a notice linked to the person, by the party that traces it
    other = notice["statuses"][1]["id"]
    for who, source, status in (
        ("tha_fp", pid, 422),  # THA does not trace this person
        ("khm_fp", other, 422),  # not a case
        ("khm_fp", 10**9, 422),
    ):
        r = client.post(
            "/api/v1/tracing-notices",
            headers=people[who].headers,
            json={
                "event_id": people["event_id"],
                "parties": ["THA" if who == "khm_fp" else "KHM"],
                "persons": [_person(2)],
                "source_person_id": source,
            },
        )
        assert r.status_code == status, r.text
        assert r.json()["errors"][0]["field"] == "source_person_id"
    second = _send(
        client,
        people["khm_fp"],
        people["event_id"],
        ["THA"],
        [_person(2, last_exposure="2026-11-27")],
        source_person_id=pid,
    )
    assert second["source_person_id"] == pid


def test_becoming_a_case_from_the_page(client, db, people):
    from tests.web_helpers import csrf_of, login_with_totp

    notice = _send(client, people["idn_fp"], people["event_id"], ["KHM"], [_person(0)])
    nid, pid = notice["id"], notice["statuses"][0]["id"]
    client.cookies.clear()
    login_with_totp(client, db, people["khm_fp"])
    page = client.get(f"/tracing/{nid}")
    assert f'action="/tracing/{nid}/persons/{pid}/case"' in page.text
    r = client.post(
        f"/tracing/{nid}/persons/{pid}/case",
        data={"csrf_token": csrf_of(page.text), "classification": "probable", "since": ""},
        follow_redirects=False,
    )
    assert r.status_code == 303
    page = client.get(f"/tracing/{nid}")
    link = f"/tracing/new?source_person={pid}&amp;event_id={people['event_id']}"
    assert "became-case" in page.text and link in page.text
    form = client.get(link.replace("&amp;", "&"))
    assert f'name="source_person_id" value="{pid}"' in form.text
    assert f'<option value="{people["event_id"]}" selected>' in form.text


def test_figures_kernel_day_by_day():
    from datetime import date, timedelta

    from eocnet.domain.follow_up import Figures, Followed

    start = date(2026, 11, 21)
    d = [start + timedelta(days=i) for i in range(30)]
    persons = [
        # seen on 3 of the 4 days due (21..24 Nov; 25th not recorded yet on the 25th)
        Followed(
            "contact",
            start,
            d[20],
            ((d[0], "seen"), (d[1], "not_reached"), (d[2], "seen"), (d[3], "symptomatic")),
        ),
        # completed on day 2: 2 days due, both seen; then no longer due
        Followed("contact", start, d[20], ((d[0], "seen"), (d[1], "completed"))),
        # lost on day 1, outcome aside
        Followed("co_traveller", start, d[20], ((d[0], "lost"),)),
        # became a case on the 23rd: due 21..23, seen once
        Followed("contact", start, d[20], ((d[0], "seen"),), case_since=d[2]),
        # a case the notice lists is not followed
        Followed("case", start, d[20], ((d[0], "seen"),)),
    ]
    figures = Figures()
    for p in persons:
        figures.add(p, d[4])
    out = figures.as_dict()
    assert out["listed"] == 4
    assert (out["due_days"], out["seen_days"]) == (4 + 2 + 1 + 3, 3 + 2 + 0 + 1)
    assert out["seen_daily_pct"] == 60.0
    assert (out["completed"], out["lost"], out["new_cases"]) == (1, 1, 1)
    assert out["completed_pct"] == out["lost_pct"] == out["new_cases_pct"] == 25.0
    # today counts once recorded
    again = Figures()
    again.add(Followed("contact", start, d[20], ((d[0], "seen"),)), d[0])
    assert (again.due_days, again.seen_days) == (1, 1)
    empty = Figures().as_dict()
    assert empty["seen_daily_pct"] is None and empty["listed"] == 0


def test_figures_per_notice_event_and_party_for_those_who_see_them(client, people):
    from datetime import date

    today = date.today().isoformat()
    first = _send(client, people["idn_fp"], people["event_id"], ["KHM"], [_person(0), _person(1)])
    other = _send(client, people["idn_fp"], people["event_id"], ["THA"], [_person(2)])
    a, b = (s["id"] for s in first["statuses"])
    r = client.post(
        f"/api/v1/tracing-notices/{first['id']}/persons/{a}/follow-up",
        headers=people["khm_officer"].headers,
        json={"status": "completed", "day": today},
    )
    assert r.status_code == 200, r.text
    assert _convert(client, people["khm_officer"], first["id"], b).status_code == 200

    def figures(who, **params):
        r = client.get("/api/v1/tracing/figures", headers=people[who].headers, params=params)
        assert r.status_code == 200, r.text
        return r.json()

    khm = figures("khm_fp")
    assert set(khm["notices"]) == {str(first["id"])}  # THA's notice is not KHM's to see
    assert khm["total"]["listed"] == 2
    assert khm["total"]["completed_pct"] == 50.0 and khm["total"]["new_cases_pct"] == 50.0
    assert khm["total"]["seen_daily_pct"] == 100.0
    assert set(khm["parties"]) == {"KHM"}
    idn = figures("idn_fp", event_id=people["event_id"])
    assert set(idn["notices"]) == {str(first["id"]), str(other["id"])}
    assert set(idn["parties"]) == {"KHM", "THA"}
    assert idn["events"][str(people["event_id"])]["listed"] == 3
    assert set(figures("coordinator")["notices"]) == set(idn["notices"])
    assert figures("partner")["notices"] == {}
    assert figures("tha_fp")["total"]["listed"] == 1


def test_figures_on_the_pages_and_in_the_event_report(client, db, people):
    from tests.web_helpers import login_with_totp

    event = client.post(
        "/api/v1/events",
        headers=people["idn_fp"].headers,
        json={
            "title": "Measles contacts, Siem Reap",
            "hazard": "Measles",
            "country": "IDN",
            "visibility": "restricted",
            "parties": ["KHM"],
        },
    ).json()
    notice = _send(client, people["idn_fp"], event["id"], ["KHM"], [_person(0), _person(1)])
    _convert(client, people["khm_officer"], notice["id"], notice["statuses"][0]["id"])
    # the event's report: read by IDN, KHM and the coordinator, who all see the notice
    draft = client.post(
        "/api/v1/reports",
        headers=people["idn_fp"].headers,
        json={"kind": "sitrep", "event_id": event["id"]},
    ).json()
    html = client.get(
        f"/api/v1/reports/{draft['id']}/document.html", headers=people["idn_fp"].headers
    ).text
    assert 'id="tracing"' in html and "50.0 %" in html
    # the network-wide event's report is read by parties that may not see its notices
    _send(client, people["idn_fp"], people["event_id"], ["KHM"], [_person(2)])
    wide = client.post(
        "/api/v1/reports",
        headers=people["idn_fp"].headers,
        json={"kind": "sitrep", "event_id": people["event_id"]},
    ).json()
    html = client.get(
        f"/api/v1/reports/{wide['id']}/document.html", headers=people["idn_fp"].headers
    ).text
    assert "No tracing notice of this event that every reader may see." in html

    client.cookies.clear()
    login_with_totp(client, db, people["khm_fp"])
    page = client.get("/tracing")
    assert 'id="figures-by-event"' in page.text and 'id="figures-by-party"' in page.text
    assert "Measles contacts, Siem Reap" in page.text
    page = client.get(f"/tracing/{notice['id']}")
    assert 'id="figures"' in page.text and "50.0 %" in page.text
