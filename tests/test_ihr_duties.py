"""IHR (2005) beyond the Annex 2 decision: the 48-hour assessment clock (Annex 1 A.6(a),
B.1), the Annex 2 suggestions of the coordinator and other parties (kept apart from the
State Party's own assessment, Article 6), and informing WHO of a risk outside a
party's territory (Article 9.2)."""

from datetime import UTC, date, datetime, timedelta

from eocnet.domain import ihr
from tests.conftest import PASSWORD
from tests.web_helpers import csrf_of, login, login_with_totp

POSTED = datetime(2026, 11, 20, 15, 30, tzinfo=UTC)


# ---------------------------------------------------------------- 48 hours


def test_the_48_hour_clock_runs_from_detection_or_report():
    # detection known: from the start of that day (a date says no more)
    assert ihr.assessment_due(date(2026, 11, 18), date(2026, 11, 20), POSTED, None) == datetime(
        2026, 11, 20, 0, 0, tzinfo=UTC
    )
    # only the report date: from that day
    assert ihr.assessment_due(None, date(2026, 11, 19), POSTED, None) == datetime(
        2026, 11, 21, 0, 0, tzinfo=UTC
    )
    # neither (or later dates): from the posting
    assert ihr.assessment_due(None, None, POSTED, None) == POSTED + timedelta(hours=48)
    assert ihr.assessment_due(None, date(2026, 11, 25), POSTED, None) == POSTED + timedelta(
        hours=48
    )
    # an assessment stops it
    assert ihr.assessment_due(date(2026, 11, 18), None, POSTED, POSTED) is None


def _event(client, person, **extra):
    body = {"title": "Cluster of severe pneumonia", "hazard": "unknown", "country": "KHM"}
    r = client.post("/api/v1/events", headers=person.headers, json={**body, **extra})
    assert r.status_code == 201, r.text
    return r.json()


NONE = {
    "serious": False,
    "unusual": False,
    "international_spread": False,
    "trade_restrictions": False,
}


def test_assessment_due_shows_until_the_party_assesses(client, make_person):
    officer = make_person("KHM", "officer")
    event = _event(client, officer, detection_date="2026-11-30")
    assert event["assessment_due"].startswith("2026-12-02T00:00:00")
    event_id = event["id"]
    login(client, officer.email, PASSWORD)
    assert 'id="assessment-due"' in client.get(f"/events/{event_id}").text
    dashboard = client.get("/").text
    assert 'id="assessments-due"' in dashboard and f"/events/{event_id}" in dashboard
    # a suggestion from the coordinator does not stop it
    coordinator = make_person("ASEC", "coordinator")
    r = client.post(
        f"/api/v1/events/{event_id}/ihr-suggestions", headers=coordinator.headers, json=NONE
    )
    assert r.status_code == 201
    assert client.get(f"/api/v1/events/{event_id}", headers=officer.headers).json()[
        "assessment_due"
    ]
    # the party's own assessment does, even when not notifiable
    r = client.post(
        f"/api/v1/events/{event_id}/ihr-assessments", headers=officer.headers, json=NONE
    )
    assert r.status_code == 201 and not r.json()["notifiable"]
    after = client.get(f"/api/v1/events/{event_id}", headers=officer.headers).json()
    assert after["assessment_due"] is None and after["ihr_assessed_at"] is not None
    assert after["ihr_deadline"] is None
    assert 'id="assessment-due"' not in client.get(f"/events/{event_id}").text
    assert 'id="assessments-due"' not in client.get("/").text


def test_a_closed_event_has_no_assessment_due(client, make_person):
    officer = make_person("KHM", "officer")
    event = _event(client, officer)
    r = client.patch(
        f"/api/v1/events/{event['id']}",
        headers=officer.headers,
        json={"status": "discarded", "version": event["version"]},
    )
    assert r.status_code == 200, r.text
    assert r.json()["assessment_due"] is None


# ---------------------------------------------------------------- suggestions


def test_suggestions_are_kept_apart_and_labelled(client, make_person):
    officer = make_person("KHM", "officer")
    event_id = _event(client, officer)["id"]
    path = f"/api/v1/events/{event_id}/ihr-suggestions"
    notifiable = {**NONE, "serious": True, "unusual": True}
    for person in (
        make_person("ASEC", "coordinator"),
        make_person("THA", "focal_point"),
        make_person("JPN", "partner"),
    ):
        visible = client.get(f"/api/v1/events/{event_id}", headers=person.headers)
        r = client.post(path, headers=person.headers, json=notifiable)
        if visible.status_code == 404:
            assert r.status_code == 404
            continue
        assert r.status_code == 201, r.text
        assert r.json()["kind"] == "suggestion" and r.json()["party"] == person.party
        assert r.json()["deadline"] is None
    # a suggestion starts no clock and is not among the party's assessments
    event = client.get(f"/api/v1/events/{event_id}", headers=officer.headers).json()
    assert event["ihr_deadline"] is None
    assert (
        client.get(f"/api/v1/events/{event_id}/ihr-assessments", headers=officer.headers).json()
        == []
    )
    listed = client.get(path, headers=officer.headers).json()
    assert {s["party"] for s in listed} >= {"ASEC", "THA"}
    assert all(s["kind"] == "suggestion" for s in listed)
    # the reporting party assesses, it does not suggest
    r = client.post(path, headers=officer.headers, json=notifiable)
    assert r.status_code == 403
    # a party that may not see the event gets 404
    hidden = _event(client, officer, visibility="restricted", parties=["VNM"])["id"]
    for person in (make_person("THA", "officer"), make_person("USA", "partner")):
        r = client.post(
            f"/api/v1/events/{hidden}/ihr-suggestions", headers=person.headers, json=notifiable
        )
        assert r.status_code == 404
        r = client.get(f"/api/v1/events/{hidden}/ihr-suggestions", headers=person.headers)
        assert r.status_code == 404


def test_the_event_page_labels_suggestions(client, make_person):
    officer = make_person("KHM", "officer")
    event_id = _event(client, officer)["id"]
    other = make_person("THA", "officer")
    login(client, other.email, PASSWORD)
    page = client.get(f"/events/{event_id}")
    assert 'name="kind" value="suggestion"' in page.text
    r = client.post(
        f"/events/{event_id}/ihr",
        data={"csrf_token": csrf_of(page.text), "kind": "suggestion", "serious": "", "x": ""},
        follow_redirects=False,
    )
    # the page's form answers by sub-questions: none ticked is fewer than two
    assert r.status_code in (303, 422), r.text
    client.post(
        f"/events/{event_id}/ihr",
        data={
            "csrf_token": csrf_of(page.text),
            "kind": "suggestion",
            "novel_influenza_subtype": "yes",
        },
        follow_redirects=False,
    )
    client.cookies.clear()
    login(client, officer.email, PASSWORD)
    page = client.get(f"/events/{event_id}").text
    suggestions = page.split('id="ihr-suggestions"')[1].split("</ul>")[0]
    assert "Suggestion" in suggestions and "THA" in suggestions
    assert "None yet." in page.split('id="ihr-title"')[1].split("ihr-suggestions")[0]
    r = client.get(f"/api/v1/events/{event_id}", headers=officer.headers).json()
    assert r["ihr_deadline"] is None and r["assessment_due"] is not None


# ---------------------------------------------------------------- Article 9.2


def test_article9_parties_from_the_event_and_its_notices():
    states = frozenset({"IDN", "KHM", "MYS", "THA", "VNM"})
    # an event in the owner's own country, naming nobody: Article 6, not 9.2
    assert ihr.article9_parties("IDN", "IDN", [], POSTED, states) == []
    # an imported case reported by MYS of an event in IDN
    found = ihr.article9_parties("MYS", "IDN", ["ASEC", "JPN"], POSTED, states)
    assert [(c.party, c.since) for c in found] == [("MYS", POSTED)]
    assert found[0].due == POSTED + timedelta(hours=24)
    # other member states named on the event
    assert [c.party for c in ihr.article9_parties("IDN", "IDN", ["THA"], POSTED, states)] == ["THA"]
    # a tracing notice: contacts abroad, for the sender and the receivers
    later = POSTED + timedelta(days=2)
    notice = ihr.NoticeFacts(7, "IDN", ("KHM", "ASEC"), later)
    found = ihr.article9_parties("IDN", "IDN", [], POSTED, states, [notice])
    assert [(c.party, c.tracing_notice_id, c.since) for c in found] == [
        ("IDN", 7, later),
        ("KHM", 7, later),
    ]


def _notice(client, sender, event_id, to):
    r = client.post(
        "/api/v1/tracing-notices",
        headers=sender.headers,
        json={
            "event_id": event_id,
            "parties": to,
            "persons": [
                {
                    "role": "co_traveller",
                    "full_name": "Sok Dara",
                    "nationality": "KHM",
                    "document_number": "N1234567",
                    "phone": "+85512345678",
                    "travel_mode": "flight",
                    "travel_number": "QZ7521",
                    "travel_date": "2026-11-20",
                }
            ],
        },
    )
    assert r.status_code == 201, r.text
    return r.json()["id"]


def test_an_event_abroad_prompts_its_owner_and_the_record_is_kept(client, make_person, db):
    mys_fp = make_person("MYS", "officer", "focal_point")
    mys_officer = make_person("MYS", "officer")
    event = _event(client, mys_fp, title="Imported measles case from IDN", country="IDN")
    event_id = event["id"]
    got = client.get(f"/api/v1/events/{event_id}", headers=mys_fp.headers).json()["article9"]
    assert [(a["party"], a["informed_at"]) for a in got] == [("MYS", None)]
    assert "IDN" in got[0]["why"]
    login(client, mys_officer.email, PASSWORD)
    page = client.get(f"/events/{event_id}").text
    assert 'id="article9-prompt"' in page and "Record that WHO was informed" not in page
    # who may not record: another party, the officer, the coordinator
    path = f"/api/v1/events/{event_id}/ihr-article9"
    for person in (
        mys_officer,
        make_person("IDN", "focal_point"),
        make_person("ASEC", "coordinator"),
        make_person("JPN", "partner"),
    ):
        r = client.post(path, headers=person.headers, json={"note": "x"})
        assert r.status_code in (403, 404), (person.party, r.text)
    r = client.post(
        path, headers=mys_fp.headers, json={"note": "e-mail to the WHO IHR Contact Point"}
    )
    assert r.status_code == 201, r.text
    [entry] = r.json()
    assert entry["informed_by"] == mys_fp.email and entry["informed_at"]
    assert client.post(path, headers=mys_fp.headers, json={}).status_code == 409
    # kept: on the event for every party that sees it, and audited
    other = client.get(f"/api/v1/events/{event_id}", headers=make_person("THA", "officer").headers)
    assert other.json()["article9"][0]["informed_by"] == mys_fp.email
    audit = client.get("/api/v1/audit", headers=make_person("ASEC", "admin").headers)
    if audit.status_code == 200:
        assert "event.ihr_article9_informed" in audit.text
    page = client.get(f"/events/{event_id}").text
    assert 'id="article9-prompt"' not in page and "WHO informed on" in page


def test_a_tracing_notice_prompts_its_parties_only(client, make_person, db):
    idn_fp = make_person("IDN", "officer", "focal_point")
    khm_fp = make_person("KHM", "officer", "focal_point")
    tha = make_person("THA", "officer")
    event = _event(
        client, idn_fp, title="Measles on flight QZ7521", hazard="Measles", country="IDN"
    )
    event_id = event["id"]
    assert client.get(f"/api/v1/events/{event_id}", headers=idn_fp.headers).json()["article9"] == []
    nid = _notice(client, idn_fp, event_id, ["KHM"])
    seen = client.get(f"/api/v1/events/{event_id}/ihr-article9", headers=khm_fp.headers).json()
    assert {(a["party"], a["tracing_notice_id"]) for a in seen} == {("IDN", nid), ("KHM", nid)}
    # a party outside the notice does not learn of it through the event
    assert client.get(f"/api/v1/events/{event_id}/ihr-article9", headers=tha.headers).json() == []
    r = client.post(f"/api/v1/events/{event_id}/ihr-article9", headers=tha.headers, json={})
    assert r.status_code == 403
    # the receiving party's focal point is prompted on the notice and records it on the event
    login_with_totp(client, db, khm_fp)
    notice_page = client.get(f"/tracing/{nid}").text
    assert (
        'id="article9-prompt"' in notice_page and f"/events/{event_id}#ihr-article9" in notice_page
    )
    page = client.get(f"/events/{event_id}")
    assert 'id="article9-prompt"' in page.text
    r = client.post(
        f"/events/{event_id}/ihr-article9",
        data={"csrf_token": csrf_of(page.text), "note": "phoned the WHO IHR Contact Point"},
        follow_redirects=False,
    )
    assert r.status_code == 303
    seen = client.get(f"/api/v1/events/{event_id}/ihr-article9", headers=idn_fp.headers).json()
    informed = {a["party"]: a["informed_by"] for a in seen}
    assert informed == {"IDN": None, "KHM": khm_fp.email}


def test_the_event_page_says_when_the_text_and_the_flowchart_differ(client, make_person):
    officer = make_person("KHM", "officer")
    event_id = _event(client, officer)["id"]
    r = client.post(
        f"/api/v1/events/{event_id}/ihr-assessments",
        headers=officer.headers,
        json={**NONE, "international_spread": True, "trade_restrictions": True},
    )
    assert r.status_code == 201 and r.json()["notifiable"] and r.json()["flowchart_differs"]
    login(client, officer.email, PASSWORD)
    listed = client.get(f"/events/{event_id}").text.split('id="ihr-assessments"')[1]
    listed = listed.split("</ul>")[0]
    assert "Notifiable" in listed and "flowchart" in listed and "III and IV" in listed
