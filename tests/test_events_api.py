"""Events and alerts through the API: the contract, visibility, acknowledgements, updates."""

import base64

import pytest

from eocnet.db.models import AuditEntry, Event
from tests.helpers import count

ALERT = {
    "title": "Two travellers test positive for measles",
    "hazard": "Measles",
    "country": "IDN",
    "summary": "Two adults arriving from a neighbouring country tested positive in Jakarta.",
    "visibility": "network",
    "alert": True,
    "alert_reasons": ["serious", "may_spread_to_other_countries"],
}


@pytest.fixture
def idn(make_person):
    return make_person("IDN", "officer")


def test_post_and_get_event_contract(client, idn, make_person):
    r = client.post("/api/v1/events", json=ALERT, headers=idn.headers)
    assert r.status_code == 201, r.text
    event_id = r.json()["id"]
    tha = make_person("THA", "officer")
    got = client.get(f"/api/v1/events/{event_id}", headers=tha.headers).json()
    assert got["title"] == ALERT["title"] and got["acknowledgements"] == []
    assert "THA" in got["addressed"] and "IDN" not in got["addressed"]
    assert "JPN" not in got["addressed"]  # partners are not addressed by network events
    assert got["pending_acknowledgements"] == got["addressed"]


def test_alert_needs_a_reason(client, idn, db):
    before = count(db, Event)
    r = client.post("/api/v1/events", json={**ALERT, "alert_reasons": []}, headers=idn.headers)
    assert r.status_code == 422 and r.json()["field"] == "alert_reasons"
    r = client.post(
        "/api/v1/events", json={**ALERT, "alert_reasons": ["because"]}, headers=idn.headers
    )
    assert r.status_code == 422 and r.json()["field"].startswith("alert_reasons")
    assert count(db, Event) == before


@pytest.mark.parametrize(
    "reasons, missing",
    [
        (["serious"], "cross-border"),
        (["unusual_or_unexpected"], "cross-border"),
        (["serious", "unusual_or_unexpected"], "cross-border"),
        (["may_spread_to_other_countries"], "seriousness"),
        (["may_need_coordinated_response"], "seriousness"),
        (["may_spread_to_other_countries", "may_need_coordinated_response"], "seriousness"),
    ],
)
def test_alert_needs_a_cross_border_and_a_gravity_reason(client, idn, db, reasons, missing):
    """Regulation (EU) 2022/2371 Art. 19(1): an alert is serious or unusual AND may cross
    borders or need a coordinated response; any single kind of reason is refused."""
    before = count(db, Event), count(db, AuditEntry)
    r = client.post("/api/v1/events", json={**ALERT, "alert_reasons": reasons}, headers=idn.headers)
    assert r.status_code == 422, r.text
    problem = r.json()
    assert problem["field"] == "alert_reasons"
    assert missing in problem["detail"] and "information" in problem["detail"]
    assert (count(db, Event), count(db, AuditEntry)) == before


@pytest.mark.parametrize(
    "reasons",
    [
        ["serious", "may_spread_to_other_countries"],
        ["unusual_or_unexpected", "may_need_coordinated_response"],
        ["serious", "unusual_or_unexpected", "may_spread_to_other_countries"],
    ],
)
def test_alert_with_both_kinds_of_reason_is_posted(client, idn, reasons):
    r = client.post("/api/v1/events", json={**ALERT, "alert_reasons": reasons}, headers=idn.headers)
    assert r.status_code == 201, r.text
    assert r.json()["alert"] is True and r.json()["alert_reasons"] == sorted(reasons)


def test_alert_page_explains_the_rule_and_refuses_a_single_reason(client, idn, db):
    from tests.conftest import PASSWORD
    from tests.web_helpers import csrf_of, login

    login(client, idn.email, PASSWORD)
    form = client.get("/events/new")
    assert "2022/2371" in form.text and "cross-border" in form.text
    before = count(db, Event)
    r = client.post(
        "/events/new",
        data={
            "csrf_token": csrf_of(form.text),
            "title": "Cluster",
            "hazard": "Measles",
            "country": "IDN",
            "visibility": "network",
            "severity": "moderate",
            "alert": "1",
            "alert_reasons": ["serious"],
        },
    )
    assert r.status_code == 422 and "cross-border" in r.text
    assert count(db, Event) == before


def test_information_post_needs_no_reason(client, idn):
    r = client.post(
        "/api/v1/events", json={**ALERT, "alert": False, "alert_reasons": []}, headers=idn.headers
    )
    assert r.status_code == 201 and r.json()["alert"] is False


@pytest.mark.parametrize(
    "field, value",
    [
        ("country", "Indonesia"),
        ("country", "XYZ"),  # the shape of a code, but no country
        ("visibility", "everyone"),
        ("title", ""),
        ("latitude", 200.0),
        ("unexpected", 1),
    ],
)
def test_bad_event_input(client, idn, db, field, value):
    before = count(db, Event), count(db, AuditEntry)
    body = {**ALERT, field: value}
    if field == "latitude":
        body["longitude"] = 10.0
    r = client.post("/api/v1/events", json=body, headers=idn.headers)
    assert r.status_code == 422 and r.json()["field"] == field
    assert (count(db, Event), count(db, AuditEntry)) == before


def test_restricted_event_is_invisible_to_others(client, idn, make_person):
    khm = make_person("KHM", "officer")
    tha = make_person("THA", "officer")
    partner = make_person("JPN", "partner")
    coordinator = make_person("ASEC", "coordinator")
    r = client.post(
        "/api/v1/events",
        headers=idn.headers,
        json={
            **ALERT,
            "title": "Cross-border cluster, bilateral",
            "visibility": "restricted",
            "parties": ["KHM"],
        },
    )
    event_id = r.json()["id"]
    pdf = base64.b64encode(b"%PDF-1.4\n").decode()
    update = client.post(
        f"/api/v1/events/{event_id}/updates",
        headers=idn.headers,
        json={
            "body": "line list",
            "attachments": [
                {"filename": "l.pdf", "content_type": "application/pdf", "data_base64": pdf}
            ],
        },
    ).json()
    attachment = (
        f"/api/v1/events/{event_id}/updates/{update['id']}/attachments/"
        f"{update['attachments'][0]['id']}"
    )
    assert client.get(f"/api/v1/events/{event_id}", headers=khm.headers).status_code == 200
    assert client.get(attachment, headers=khm.headers).status_code == 200
    for outsider in (tha, partner, coordinator):
        for path in (
            attachment,
            f"/api/v1/events/{event_id}/revisions",
            f"/api/v1/events/{event_id}/ihr-assessments",
        ):
            assert client.get(path, headers=outsider.headers).status_code == 404, path
        for path in (
            f"/api/v1/events/{event_id}/channel",
            f"/api/v1/events/{event_id}/who-notification",
        ):
            assert client.post(path, headers=outsider.headers).status_code == 404, path
        assert client.get(f"/api/v1/events/{event_id}", headers=outsider.headers).status_code == 404
        listed = client.get("/api/v1/events", headers=outsider.headers).json()["items"]
        assert event_id not in [e["id"] for e in listed]
        hits = client.get("/api/v1/search?q=bilateral", headers=outsider.headers).json()["items"]
        assert hits == []
        r = client.post(f"/api/v1/events/{event_id}/acknowledgements", headers=outsider.headers)
        assert r.status_code == 404
        assert (
            client.get(f"/api/v1/events/{event_id}/updates", headers=outsider.headers).status_code
            == 404
        )
    assert client.get("/api/v1/search?q=bilateral", headers=khm.headers).json()["items"]


def test_partner_visibility(client, idn, make_person):
    partner = make_person("USA", "partner")
    network = client.post(
        "/api/v1/events", json={**ALERT, "title": "Network only"}, headers=idn.headers
    ).json()["id"]
    shared = client.post(
        "/api/v1/events",
        json={**ALERT, "title": "Shared with partners", "visibility": "partners"},
        headers=idn.headers,
    ).json()["id"]
    seen = [e["id"] for e in client.get("/api/v1/events", headers=partner.headers).json()["items"]]
    assert shared in seen and network not in seen
    r = client.post("/api/v1/events", json={**ALERT, "country": "USA"}, headers=partner.headers)
    assert r.status_code == 422 and r.json()["field"] == "visibility"


def test_acknowledgement_is_idempotent_per_party(client, idn, make_person):
    event_id = client.post("/api/v1/events", json=ALERT, headers=idn.headers).json()["id"]
    a = make_person("THA", "officer")
    b = make_person("THA", "officer")
    first = client.post(f"/api/v1/events/{event_id}/acknowledgements", headers=a.headers)
    again = client.post(f"/api/v1/events/{event_id}/acknowledgements", headers=b.headers)
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json() and first.json()["user"] == a.email
    event = client.get(f"/api/v1/events/{event_id}", headers=idn.headers).json()
    assert [x["party"] for x in event["acknowledgements"]] == ["THA"]
    assert "THA" not in event["pending_acknowledgements"]
    own = client.post(f"/api/v1/events/{event_id}/acknowledgements", headers=idn.headers)
    assert own.status_code == 422


def test_change_status_and_history(client, idn, make_person):
    event_id = client.post("/api/v1/events", json=ALERT, headers=idn.headers).json()["id"]
    r = client.patch(f"/api/v1/events/{event_id}", headers=idn.headers, json={"status": "closed"})
    assert r.status_code == 422 and r.json()["field"] == "status"
    r = client.patch(
        f"/api/v1/events/{event_id}",
        headers=idn.headers,
        json={"status": "verified", "version": 1, "figures": {"cases_confirmed": 2}},
    )
    assert r.status_code == 200 and r.json()["version"] == 2
    assert r.json()["cases_confirmed"] == 2
    stale = client.patch(
        f"/api/v1/events/{event_id}", headers=idn.headers, json={"summary": "x", "version": 1}
    )
    assert stale.status_code == 409
    other = make_person("THA", "officer")
    r = client.patch(f"/api/v1/events/{event_id}", headers=other.headers, json={"summary": "x"})
    assert r.status_code == 403
    history = client.get(f"/api/v1/events/{event_id}/revisions", headers=idn.headers).json()
    assert history[0]["snapshot"]["status"] == "signal"


@pytest.mark.parametrize("field", ["title", "hazard", "country", "status", "severity"])
def test_patch_refuses_null_where_the_schema_does(client, app, idn, field):
    """The schema and the endpoint agree: these cannot be null (422 naming the field,
    problem+json); nothing changes."""
    event_id = client.post("/api/v1/events", json=ALERT, headers=idn.headers).json()["id"]
    schema = app.openapi()["components"]["schemas"]["EventPatch"]["properties"][field]
    assert "null" not in str(schema) and "default" not in schema
    for value in (None, ""):
        r = client.patch(f"/api/v1/events/{event_id}", headers=idn.headers, json={field: value})
        assert r.status_code == 422, r.text
        assert r.headers["content-type"] == "application/problem+json"
        assert r.json()["field"] == field
    event = client.get(f"/api/v1/events/{event_id}", headers=idn.headers).json()
    assert event["version"] == 1 and event["title"] == ALERT["title"]


@pytest.mark.parametrize(
    "field", ["icd_code", "subdivision", "place", "summary", "measures", "needs", "onset_date"]
)
def test_patch_null_clears_what_the_schema_says_may_be_null(client, app, idn, make_person, field):
    event_id = client.post(
        "/api/v1/events",
        json={**ALERT, "icd_code": "B05", "subdivision": "ID-JK", "place": "Soekarno-Hatta",
              "measures": "m", "needs": "n", "onset_date": "2026-11-01"},
        headers=idn.headers,
    ).json()["id"]  # fmt: skip
    schema = app.openapi()["components"]["schemas"]["EventPatch"]["properties"][field]
    assert {"type": "null"} in schema["anyOf"]
    other = make_person("THA", "officer")
    r = client.patch(f"/api/v1/events/{event_id}", headers=other.headers, json={field: None})
    assert r.status_code == 403  # another party still cannot change it
    r = client.patch(f"/api/v1/events/{event_id}", headers=idn.headers, json={field: None})
    assert r.status_code == 200, r.text
    assert r.json()[field] in ("", None) and r.json()["version"] == 2


def test_a_server_error_is_a_problem_document(app, settings, db):
    """Even a defect answers problem+json, without internals."""
    from fastapi.testclient import TestClient

    def broken() -> None:
        raise RuntimeError("internal detail")

    app.add_api_route("/api/v1/broken", broken)
    with TestClient(app, raise_server_exceptions=False) as c:
        r = c.get("/api/v1/broken")
    assert r.status_code == 500
    assert r.headers["content-type"] == "application/problem+json"
    assert r.json()["status"] == 500 and "internal detail" not in r.text


def test_threaded_updates_with_attachment_and_edit(client, idn, make_person):
    event_id = client.post("/api/v1/events", json=ALERT, headers=idn.headers).json()["id"]
    pdf = b"%PDF-1.4\n% test\n"
    r = client.post(
        f"/api/v1/events/{event_id}/updates",
        headers=idn.headers,
        json={
            "body": "Contacts traced: 14.",
            "figures": {"cases_confirmed": 3},
            "attachments": [
                {
                    "filename": "../line list.pdf",
                    "content_type": "application/pdf",
                    "data_base64": base64.b64encode(pdf).decode(),
                }
            ],
        },
    )
    assert r.status_code == 201, r.text
    update = r.json()
    assert update["attachments"][0]["filename"] == "line list.pdf"
    event = client.get(f"/api/v1/events/{event_id}", headers=idn.headers).json()
    assert event["cases_confirmed"] == 3
    tha = make_person("THA", "officer")
    att = update["attachments"][0]["id"]
    got = client.get(
        f"/api/v1/events/{event_id}/updates/{update['id']}/attachments/{att}", headers=tha.headers
    )
    assert got.content == pdf and got.headers["content-type"] == "application/pdf"
    # a file pretending to be a PDF is refused
    r = client.post(
        f"/api/v1/events/{event_id}/updates",
        headers=idn.headers,
        json={
            "body": "x",
            "attachments": [
                {
                    "filename": "x.pdf",
                    "content_type": "application/pdf",
                    "data_base64": base64.b64encode(b"MZ\x90\x00").decode(),
                }
            ],
        },
    )
    assert r.status_code == 422 and r.json()["field"] == "attachments"
    # others comment but cannot change the figures
    assert (
        client.post(
            f"/api/v1/events/{event_id}/updates",
            headers=tha.headers,
            json={"body": "We are checking arrivals."},
        ).status_code
        == 201
    )
    r = client.post(
        f"/api/v1/events/{event_id}/updates",
        headers=tha.headers,
        json={"body": "x", "figures": {"cases_confirmed": 99}},
    )
    assert r.status_code == 403
    # edit history
    r = client.patch(
        f"/api/v1/events/{event_id}/updates/{update['id']}",
        headers=idn.headers,
        json={"body": "Contacts traced: 15."},
    )
    assert r.json()["revisions"] == 1 and r.json()["body"] == "Contacts traced: 15."
    r = client.patch(
        f"/api/v1/events/{event_id}/updates/{update['id']}",
        headers=tha.headers,
        json={"body": "hijack"},
    )
    assert r.status_code == 403


def test_idempotency_key_prevents_double_posting(client, idn, db):
    headers = {**idn.headers, "Idempotency-Key": "post-42"}
    first = client.post("/api/v1/events", json=ALERT, headers=headers)
    again = client.post("/api/v1/events", json=ALERT, headers=headers)
    assert first.status_code == again.status_code == 201
    assert first.json()["id"] == again.json()["id"]
    assert again.headers["idempotent-replayed"] == "true"
    assert count(db, Event) == 1
    other = client.post("/api/v1/events", json={**ALERT, "title": "Different"}, headers=headers)
    assert other.status_code == 422 and other.json()["field"] == "Idempotency-Key"


def test_event_list_filters_and_paging(client, idn):
    for i in range(5):
        client.post(
            "/api/v1/events",
            json={**ALERT, "title": f"E{i}", "alert": False, "country": "IDN" if i % 2 else "KHM"},
            headers=idn.headers,
        )
    page = client.get("/api/v1/events?limit=2", headers=idn.headers).json()
    assert [e["title"] for e in page["items"]] == ["E4", "E3"] and page["next_before_id"]
    rest = client.get(
        f"/api/v1/events?limit=10&before_id={page['next_before_id']}", headers=idn.headers
    ).json()
    assert [e["title"] for e in rest["items"]] == ["E2", "E1", "E0"]
    khm = client.get("/api/v1/events?country=KHM", headers=idn.headers).json()["items"]
    assert {e["title"] for e in khm} == {"E0", "E2", "E4"}


@pytest.mark.parametrize("field", ["visibility", "status", "severity"])
def test_vocabulary_errors_name_their_own_field(db, idn, field):
    from eocnet.actions import events as actions
    from eocnet.actions.errors import Invalid
    from eocnet.actions.users import actor_for
    from eocnet.config import Settings
    from eocnet.db.models import User

    with db.transaction() as session:
        actor = actor_for(session.get(User, idn.id))
        fields = actions.EventFields(title="t", hazard="h", country="IDN", **{field: "bogus"})
        with pytest.raises(Invalid) as info:
            actions.create_event(session, actor, fields, Settings())
    assert info.value.field == field
