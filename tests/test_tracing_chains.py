"""Contacts who become cases, the follow-up figures, chains of transmission across
notices, and Passenger Locator Form imports (issue 21)."""

import json
from pathlib import Path

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


def _chain_world(client, people):
    """IDN sends notice A (two co-travellers of an unnamed index case) to KHM; one
    becomes a case in KHM, whose contact goes to THA in notice B, under KHM's event."""
    first = _send(
        client,
        people["idn_fp"],
        people["event_id"],
        ["KHM"],
        [_person(0, role="co_traveller"), _person(1, role="co_traveller")],
    )
    a0 = first["statuses"][0]["id"]
    assert (
        _convert(client, people["khm_officer"], first["id"], a0, since="2026-11-27").status_code
        == 200
    )
    local = client.post(
        "/api/v1/events",
        headers=people["khm_fp"].headers,
        json={
            "title": "Measles, Siem Reap",
            "hazard": "Measles",
            "country": "KHM",
            "visibility": "network",
        },
    ).json()
    second = _send(
        client,
        people["khm_fp"],
        local["id"],
        ["THA"],
        [_person(2, last_exposure="2026-11-26", exposure_place='=HYPERLINK("x")')],
        source_person_id=a0,
    )
    return first, second, local["id"], a0


def _chains(client, who, event_id, suffix=""):
    return client.get(
        f"/api/v1/tracing/chains{suffix}", headers=who.headers, params={"event_id": event_id}
    )


def test_chains_across_notices_and_events_each_party_its_own_view(client, db, people):
    first, second, local, a0 = _chain_world(client, people)
    a1, b0 = first["statuses"][1]["id"], second["statuses"][0]["id"]

    def view(who, event_id):
        r = _chains(client, people[who], event_id)
        assert r.status_code == 200, r.text
        assert r.headers["cache-control"] == "no-store"
        out = r.json()
        return (
            out,
            {n["id"]: n for n in out["nodes"]},
            {(e["source"], e["target"]) for e in out["edges"]},
        )

    # KHM received A and sent B: the whole chain, named, from either event
    for event_id in (people["event_id"], local):
        out, nodes, edges = view("khm_fp", event_id)
        assert out["notices"] == sorted([first["id"], second["id"]])
        assert (
            nodes[f"p{a0}"]["label"] == NAMES[0] and nodes[f"p{a0}"]["case_since"] == "2026-11-27"
        )
        assert nodes[f"p{b0}"]["label"] == NAMES[2]
        index = f"n{first['id']}"
        assert nodes[index]["kind"] == "index" and nodes[index]["party"] == "IDN"
        assert edges == {(index, f"p{a0}"), (index, f"p{a1}"), (f"p{a0}", f"p{b0}")}
    [link] = [e for e in out["edges"] if e["target"] == f"p{b0}"]
    assert link["when"] == "2026-11-26" and link["where"].startswith("=HYPERLINK")
    assert [t["what"] for t in out["timeline"]] == ["exposed", "exposed", "exposed", "became_case"]

    # IDN does not see KHM's notice to THA: its chain stops at the case it sent
    out, nodes, edges = view("idn_fp", people["event_id"])
    assert out["notices"] == [first["id"]] and f"p{b0}" not in nodes
    assert nodes[f"p{a0}"]["label"] == NAMES[0]
    # THA sees its own contact, and the case it came from only as "case · KHM"
    out, nodes, edges = view("tha_fp", local)
    assert out["notices"] == [second["id"]]
    assert nodes[f"p{a0}"]["label"] == "case · KHM" and not nodes[f"p{a0}"]["named"]
    assert nodes[f"p{b0}"]["label"] == NAMES[2]
    assert edges == {(f"p{a0}", f"p{b0}")}
    # the coordinator and KHM's other officers see the chain without any name or place
    for who in ("coordinator", "khm_officer"):
        out, nodes, edges = view(who, people["event_id"])
        assert len(out["notices"]) == 2 and len(edges) == 3
        text = json.dumps(out)
        assert not any(n in text for n in NAMES) and "HYPERLINK" not in text
        assert nodes[f"p{b0}"]["label"] == "contact · THA"
    # a party that sees the event but none of its notices: nothing
    out, nodes, edges = view("tha_fp", people["event_id"])
    assert out["notices"] == [] and nodes == {}
    # partners do not see the network's events at all
    assert _chains(client, people["partner"], people["event_id"]).status_code == 404
    assert _chains(client, people["khm_fp"], 10**9).status_code == 404

    # reading the names is audited, per notice
    with db.read() as session:
        reads = session.scalars(
            select(AuditEntry).where(AuditEntry.action == "tracing.read_persons")
        ).all()
    assert any(json.loads(r.details)["persons"] == [b0] for r in reads)


def test_chain_exports_csv_and_graphml(client, db, people):
    from eocnet.interop.safe_xml import parse

    local = _chain_world(client, people)[2]
    r = _chains(client, people["khm_fp"], local, ".csv")
    assert r.status_code == 200 and r.headers["cache-control"] == "no-store"
    assert r.headers["content-type"].startswith("text/csv")
    assert NAMES[2] in r.text and "'=HYPERLINK" in r.text  # formulas neutralised
    header = r.text.splitlines()[0].split(",")
    assert header[:4] == ["source", "source_label", "source_party", "target"]
    anonymous = _chains(client, people["coordinator"], local, ".csv").text
    assert not any(n in anonymous for n in NAMES)

    r = _chains(client, people["tha_fp"], local, ".graphml")
    assert r.status_code == 200 and r.headers["cache-control"] == "no-store"
    root = parse(r.content)
    ns = {"g": "http://graphml.graphdrawing.org/xmlns"}
    nodes = root.findall(".//g:node", ns)
    edges = root.findall(".//g:edge", ns)
    assert len(nodes) == 2 and len(edges) == 1
    labels = {d.text for d in root.findall(".//g:node/g:data", ns)}
    assert NAMES[2] in labels and "case · KHM" in labels and NAMES[0] not in labels
    with db.read() as session:
        exports = session.scalars(
            select(AuditEntry).where(AuditEntry.action == "tracing.export_chains")
        ).all()
    assert [json.loads(e.details)["format"] for e in exports] == ["csv", "csv", "graphml"]
    assert _chains(client, people["tha_fp"], 10**9, ".graphml").status_code == 404


def test_chain_diagram_and_timeline_on_the_event_page(client, db, people):
    from tests.web_helpers import login_with_totp

    local = _chain_world(client, people)[2]
    client.cookies.clear()
    login_with_totp(client, db, people["tha_fp"])
    page = client.get(f"/events/{local}")
    assert f'hx-get="/tracing/chains/{local}"' in page.text
    fragment = client.get(f"/tracing/chains/{local}")
    assert fragment.status_code == 200 and fragment.headers["cache-control"] == "no-store"
    assert "<svg" in fragment.text and 'id="chain-timeline"' in fragment.text
    assert NAMES[2] in fragment.text and NAMES[0] not in fragment.text
    assert "case · KHM" in fragment.text and "2026-11-26" in fragment.text
    # an event without notices THA may see has no such section
    assert "/tracing/chains/" not in client.get(f"/events/{people['event_id']}").text


SAMPLE_PLF = Path(__file__).resolve().parent.parent / "eocnet/data/samples/eu-dplf-passengers.csv"


def test_passenger_locator_form_import(client, people):
    """The sample file has the EU dPLF's sections: names in two columns, phones and the
    temporary address in several, and an emergency contact that is not the person."""
    content = SAMPLE_PLF.read_bytes()

    def upload(**form):
        return client.post(
            "/api/v1/tracing-notices/manifest",
            headers=people["idn_fp"].headers,
            files={"file": ("eu-dplf-passengers.csv", content, "text/csv")},
            data={"event_id": str(people["event_id"]), "parties": "KHM", **form},
        )

    report = upload(dry_run="true").json()
    mapping = report["mapping"]
    assert mapping["Last Name"] == "family_name" and mapping["First Name"] == "given_name"
    assert mapping["Passport / ID Number"] == "document_number"
    assert mapping["Mobile Phone"] == mapping["Business Phone"] == "phone"
    assert mapping["Temporary Address: Street Address"] == "address"
    assert mapping["Arrival Date"] == "travel_date" and mapping["Seat Number"] == "seat"
    for unmapped in (
        "PLF Code",
        "Permanent Address: Country",
        "Emergency Contact: Last Name",
        "Emergency Contact: Mobile Phone",
        "Issuing Country",
    ):
        assert unmapped not in mapping
    assert report["rows"] == 4 and report["valid"] == 3
    assert [e["row"] for e in report["errors"]] == [5]  # a name, but no way to reach them
    r = upload(drop_invalid="true")
    assert r.status_code == 201, r.text
    nid = r.json()["notice"]["id"]
    persons = client.get(f"/api/v1/tracing-notices/{nid}", headers=people["khm_fp"].headers).json()[
        "persons"
    ]
    first, second, third = persons
    assert first["full_name"] == "Phalla Xyvrenth" and first["phone"] == "+855 12 345 991"
    assert first["address"] == "Hotel Sokha Demo, 12 Preah Sisowath Quay, Phnom Penh, 12207"
    assert first["seat"] == "14C" and first["travel_date"] == "2026-11-20"
    assert first["origin"] == "CGK" and first["destination"] == "PNH"
    assert "+855 12 000 111" not in json.dumps(persons)  # the emergency contact's phone
    assert second["full_name"] == "Zubaidah Kartikasari-Quon" and "phone" not in second
    assert second["address"] == "Jl. Demo Raya 5, Siem Reap, 17252"
    assert third["phone"] == "+856 21 555 010" and third["nationality"] == "LAO"
    # measles, exposed on the flight of 20 November: followed until 11 December
    assert {p["follow_up_until"] for p in persons} == {"2026-12-11"}


def test_a_case_leaves_the_due_list_the_next_day(client, people):
    from datetime import date, timedelta

    today = date.today()
    notice = _send(
        client,
        people["idn_fp"],
        people["event_id"],
        ["KHM"],
        [_person(0, last_exposure=today.isoformat()), _person(1, last_exposure=today.isoformat())],
    )
    pid = notice["statuses"][0]["id"]
    assert _convert(client, people["khm_fp"], notice["id"], pid).status_code == 200

    def due(day):
        r = client.get("/api/v1/tracing/due", headers=people["khm_fp"].headers, params={"day": day})
        assert r.status_code == 200 and r.headers["cache-control"] == "no-store"
        return [p["full_name"] for p in r.json()]

    assert due(today.isoformat()) == NAMES[:2]
    assert due((today + timedelta(days=1)).isoformat()) == [NAMES[1]]
