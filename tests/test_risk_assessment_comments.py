"""WHO and dialogue partners comment on a rapid risk assessment shared with them; sign-off
stays with the coordinator; those who may not comment are refused."""

from __future__ import annotations

from sqlalchemy import select

from eocnet.db.models import AuditEntry
from tests.conftest import PASSWORD
from tests.test_risk_assessments import BODY
from tests.web_helpers import csrf_of, login


def _world(client, make_person, sharing="partners"):
    people = {
        "idn": make_person("IDN", "officer"),
        "tha": make_person("THA", "officer"),
        "coordinator": make_person("ASEC", "coordinator"),
        "jpn": make_person("JPN", "partner"),
        "who": make_person("WHO", "partner"),
        "admin": make_person("IDN", "admin"),
    }
    event = client.post(
        "/api/v1/events",
        headers=people["idn"].headers,
        json={"title": "Measles", "hazard": "Measles", "country": "IDN", "visibility": "partners"},
    ).json()["id"]
    rra = client.post(
        f"/api/v1/events/{event}/risk-assessments",
        headers=people["idn"].headers,
        json={**BODY, "sharing": sharing},
    ).json()["id"]
    return people, rra


def test_partners_and_who_comment_once_shared_and_never_sign_off(client, db, make_person):
    p, rra = _world(client, make_person)
    url = f"/api/v1/risk-assessments/{rra}/comments"
    # a draft: only its drafters comment; the partners do not even see it
    for who in ("jpn", "who", "tha"):
        r = client.post(url, headers=p[who].headers, json={"body": "Early view"})
        assert r.status_code == 404, (who, r.text)
    assert (
        client.post(url, headers=p["coordinator"].headers, json={"body": "Check D8"}).status_code
        == 201
    )
    client.post(f"/api/v1/risk-assessments/{rra}/sign-off", headers=p["coordinator"].headers)
    for who, text in (
        ("who", "WHO concurs; consider the regional risk moderate."),
        ("jpn", "NIID can share genotyping support."),
        ("tha", "No linked cases in Thailand."),
    ):
        r = client.post(url, headers=p[who].headers, json={"body": text})
        assert r.status_code == 201, r.text
        assert r.json()["party"] == p[who].party and r.json()["version"] == 1
    listed = client.get(url, headers=p["idn"].headers).json()
    assert [c["party"] for c in listed] == ["ASEC", "WHO", "JPN", "THA"]
    # commenting is not signing off, and does not change the assessment
    for who in ("who", "jpn", "idn"):
        r = client.post(f"/api/v1/risk-assessments/{rra}/sign-off", headers=p[who].headers)
        assert r.status_code == 403
    got = client.get(f"/api/v1/risk-assessments/{rra}", headers=p["idn"].headers).json()
    assert got["status"] == "signed_off" and got["version"] == 1
    with db.read() as session:
        actions = session.scalars(
            select(AuditEntry.action).where(AuditEntry.action == "risk_assessment.commented")
        ).all()
    assert len(actions) == 4


def test_who_may_not_comment(client, make_person):
    p, rra = _world(client, make_person, sharing="network")
    client.post(f"/api/v1/risk-assessments/{rra}/sign-off", headers=p["coordinator"].headers)
    url = f"/api/v1/risk-assessments/{rra}/comments"
    # shared with the network only: partners do not see it, nor comment
    for who in ("jpn", "who"):
        assert client.post(url, headers=p[who].headers, json={"body": "x"}).status_code == 404
        assert client.get(url, headers=p[who].headers).status_code == 404
    # an administrator's account manages users, it does not comment
    r = client.post(url, headers=p["admin"].headers, json={"body": "x"})
    assert r.status_code == 403
    # a read-only token does not write
    reader = make_person("THA", "officer", scope="read")
    assert client.post(url, headers=reader.headers, json={"body": "x"}).status_code == 403
    # an empty comment names the field
    r = client.post(url, headers=p["tha"].headers, json={"body": "   "})
    assert r.status_code == 422 and r.json()["field"] == "body"
    assert client.get(url, headers=p["tha"].headers).json() == []
    # a restricted event's assessment is out of sight for parties not on it
    event = client.post(
        "/api/v1/events",
        headers=p["idn"].headers,
        json={
            "title": "Cluster",
            "hazard": "unknown",
            "country": "IDN",
            "visibility": "restricted",
            "parties": ["MYS", "ASEC"],
        },
    ).json()["id"]
    hidden = client.post(
        f"/api/v1/events/{event}/risk-assessments", headers=p["idn"].headers, json=BODY
    ).json()["id"]
    client.post(f"/api/v1/risk-assessments/{hidden}/sign-off", headers=p["coordinator"].headers)
    for who in ("tha", "jpn", "who"):
        r = client.post(
            f"/api/v1/risk-assessments/{hidden}/comments",
            headers=p[who].headers,
            json={"body": "x"},
        )
        assert r.status_code == 404


def test_the_page_shows_and_takes_comments(client, make_person):
    p, rra = _world(client, make_person)
    client.post(f"/api/v1/risk-assessments/{rra}/sign-off", headers=p["coordinator"].headers)
    login(client, p["jpn"].email, PASSWORD)
    page = client.get(f"/risk-assessments/{rra}")
    assert 'id="comment-form"' in page.text and 'id="sign-off"' not in page.text
    r = client.post(
        f"/risk-assessments/{rra}/comments",
        data={"csrf_token": csrf_of(page.text), "body": "Genotyping support offered."},
        follow_redirects=True,
    )
    assert r.status_code == 200
    comments = r.text.split('id="comment-list"')[1].split("</ul>")[0]
    assert "JPN" in comments and "Genotyping support offered." in comments
