"""Rapid risk assessments: the WHO matrix, drafting, revisions, sign-off, who
sees what, and the HTML and PDF documents."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from eocnet.db.models import AuditEntry, StreamEntry
from eocnet.domain.risk_assessment import CONSEQUENCES, LIKELIHOOD, risk_level

BODY = {
    "title": "Measles importations into Jakarta",
    "hazard_assessment": "Measles virus, genotype D8; highly transmissible.",
    "exposure_assessment": "Two travellers; 180 co-passengers traced.",
    "context_assessment": "MCV2 coverage 78% in the exposed districts.",
    "likelihood": "likely",
    "consequences": "moderate",
    "confidence": "moderate",
    "uncertainties": "Vaccination status of contacts.",
    "recommendations": "Offer post-exposure vaccination.",
}


def test_the_who_matrix():
    assert risk_level("almost_certain", "severe") == "very_high"
    assert risk_level("very_unlikely", "minimal") == "low"
    assert risk_level("likely", "moderate") == "high"
    assert risk_level("unlikely", "moderate") == "moderate"
    assert risk_level("very_unlikely", "severe") == "high"
    # more likely or more severe never lowers the risk
    order = ["low", "moderate", "high", "very_high"]
    for i, row in enumerate(LIKELIHOOD):
        for j, column in enumerate(CONSEQUENCES):
            level = order.index(risk_level(row, column))
            if i:
                assert level >= order.index(risk_level(LIKELIHOOD[i - 1], column))
            if j:
                assert level >= order.index(risk_level(row, CONSEQUENCES[j - 1]))
    with pytest.raises(ValueError):
        risk_level("possible", "minor")


@pytest.fixture
def world(client, make_person):
    people = {
        "idn": make_person("IDN", "officer"),
        "tha": make_person("THA", "officer"),
        "coordinator": make_person("ASEC", "coordinator"),
        "partner": make_person("JPN", "partner"),
    }
    r = client.post(
        "/api/v1/events",
        headers=people["idn"].headers,
        json={
            "title": "Measles on flight QZ7521",
            "hazard": "Measles",
            "country": "IDN",
            "visibility": "partners",
        },
    )
    assert r.status_code == 201
    people["event"] = r.json()["id"]
    return people


def test_draft_revise_sign_off_and_share(client, db, world):
    idn, tha, coordinator, partner = (world[k] for k in ("idn", "tha", "coordinator", "partner"))
    event = world["event"]
    r = client.post(
        f"/api/v1/events/{event}/risk-assessments",
        headers=idn.headers,
        json={**BODY, "sharing": "partners"},
    )
    assert r.status_code == 201, r.text
    rra = r.json()
    assert (rra["risk_level"], rra["status"], rra["version"]) == ("high", "draft", 1)
    url = f"/api/v1/risk-assessments/{rra['id']}"
    # a draft: the drafting party and the coordinator only
    assert client.get(url, headers=coordinator.headers).status_code == 200
    assert client.get(url, headers=tha.headers).status_code == 404
    assert client.get(f"/api/v1/events/{event}/risk-assessments", headers=tha.headers).json() == []
    # only the coordinator signs off
    assert client.post(f"{url}/sign-off", headers=idn.headers).status_code == 403
    revised = client.put(
        url, headers=idn.headers, json={**BODY, "sharing": "partners", "consequences": "major"}
    )
    assert revised.json()["version"] == 2 and revised.json()["risk_level"] == "high"
    signed = client.post(f"{url}/sign-off", headers=coordinator.headers)
    assert signed.status_code == 200 and signed.json()["status"] == "signed_off"
    assert client.post(f"{url}/sign-off", headers=coordinator.headers).status_code == 422
    # signed off and shared with partners: THA and the partner now see it
    assert client.get(url, headers=tha.headers).status_code == 200
    assert client.get(url, headers=partner.headers).status_code == 200
    # partners cannot revise; a revision makes it a draft again, hidden again
    assert client.put(url, headers=partner.headers, json=BODY).status_code == 403
    again = client.put(
        url,
        headers=idn.headers,
        json={
            **BODY,
            "sharing": "partners",
            "consequences": "major",
            "likelihood": "almost_certain",
        },
    )
    assert again.json()["status"] == "draft" and again.json()["version"] == 3
    assert client.get(url, headers=partner.headers).status_code == 404
    revisions = client.get(f"{url}/revisions", headers=idn.headers).json()
    assert [(x["version"], x["status"]) for x in revisions] == [
        (1, "draft"),
        (2, "draft"),
        (2, "signed_off"),
        (3, "draft"),
    ]
    assert revisions[1]["changes"] == [
        {"field": "consequences", "before": "moderate", "after": "major"}
    ]
    assert {c["field"] for c in revisions[3]["changes"]} == {
        "likelihood",
        "risk_level",
        "matrix_risk_level",
    }
    with db.read() as session:
        actions = session.scalars(
            select(AuditEntry.action)
            .where(AuditEntry.action.like("risk_assessment.%"))
            .order_by(AuditEntry.id)
        ).all()
        assert actions == [
            "risk_assessment.drafted",
            "risk_assessment.revised",
            "risk_assessment.signed_off",
            "risk_assessment.revised",
        ]
        assert session.scalar(
            select(StreamEntry.id).where(StreamEntry.kind == "risk_assessment.signed_off")
        )


def test_never_wider_than_the_event(client, world, make_person):
    idn, coordinator, partner = world["idn"], world["coordinator"], world["partner"]
    r = client.post(
        "/api/v1/events",
        headers=idn.headers,
        json={
            "title": "Restricted",
            "hazard": "Diphtheria",
            "country": "IDN",
            "visibility": "restricted",
            "parties": ["KHM", "ASEC"],
        },
    )
    event = r.json()["id"]
    rra = client.post(
        f"/api/v1/events/{event}/risk-assessments",
        headers=idn.headers,
        json={**BODY, "sharing": "partners"},
    ).json()
    url = f"/api/v1/risk-assessments/{rra['id']}"
    assert client.post(f"{url}/sign-off", headers=coordinator.headers).status_code == 200
    khm = make_person("KHM", "officer")
    tha = make_person("THA", "officer")
    assert client.get(url, headers=khm.headers).status_code == 200
    assert client.get(url, headers=tha.headers).status_code == 404
    assert client.get(url, headers=partner.headers).status_code == 404
    # nobody drafts on an event they cannot see
    assert (
        client.post(
            f"/api/v1/events/{event}/risk-assessments", headers=tha.headers, json=BODY
        ).status_code
        == 404
    )


def test_a_restricted_event_without_the_coordinator_hides_its_assessments(
    client, db, world, make_person
):
    """A party that may not see an event never sees it anywhere: not through an
    assessment's API answer, list, revisions, document, sign-off, page, stream
    entries or reports (the document shows the event's title and hazard)."""
    from eocnet.db.models import RiskAssessment
    from eocnet.realtime.log import audience_of_row
    from eocnet.reports import sections
    from eocnet.reports.common import Reader

    idn, coordinator, partner = world["idn"], world["coordinator"], world["partner"]
    khm, tha = make_person("KHM", "officer"), make_person("THA", "officer")
    event = client.post(
        "/api/v1/events",
        headers=idn.headers,
        json={
            "title": "ZQXevtitleSECRET",
            "hazard": "ZQXevhazardSECRET",
            "country": "IDN",
            "visibility": "restricted",
            "parties": ["KHM"],
        },
    ).json()["id"]
    assert client.get(f"/api/v1/events/{event}", headers=coordinator.headers).status_code == 404
    r = client.post(f"/api/v1/events/{event}/risk-assessments", headers=idn.headers, json=BODY)
    assert r.status_code == 201, r.text
    rra = r.json()["id"]
    url = f"/api/v1/risk-assessments/{rra}"
    # the drafting party sees its draft (positive control)
    assert client.get(url, headers=idn.headers).status_code == 200
    document = client.get(f"{url}/document.html", headers=idn.headers)
    assert "ZQXevtitleSECRET" in document.text
    for person in (coordinator, partner, tha, khm):  # drafts: not even the event's parties
        for path in (url, f"{url}/revisions", f"{url}/document.html", f"{url}/document.pdf"):
            answer = client.get(path, headers=person.headers)
            assert answer.status_code == 404, (person.party, path)
            assert "ZQXev" not in answer.text
    assert (
        client.get(
            f"/api/v1/events/{event}/risk-assessments", headers=coordinator.headers
        ).status_code
        == 404
    )
    # the coordinator cannot sign off or revise what it cannot see
    assert client.post(f"{url}/sign-off", headers=coordinator.headers).status_code == 404
    assert client.put(url, headers=coordinator.headers, json=BODY).status_code == 404
    with db.read() as session:
        entries = session.scalars(
            select(StreamEntry).where(StreamEntry.kind.like("risk_assessment.%"))
        ).all()
        mine = [e for e in entries if json.loads(e.data).get("id") == rra]
        assert mine
        for entry in mine:
            assert not audience_of_row(entry).allows("ASEC", "coordinator", coordinator.id)
            assert audience_of_row(entry).allows("IDN", "member", idn.id)
    # the drafting party keeps it; with no coordinator to sign off it stays a draft
    assert client.get(f"/api/v1/events/{event}/risk-assessments", headers=idn.headers).json()
    # one signed off under the earlier rule (the coordinator was always a reader)
    with db.transaction() as session:
        row = session.get(RiskAssessment, rra)
        assert row is not None
        row.status = "signed_off"
    assert client.get(url, headers=khm.headers).status_code == 200
    for person in (coordinator, partner, tha):
        for path in (url, f"{url}/document.html"):
            assert client.get(path, headers=person.headers).status_code == 404, person.party
    with db.read() as session:
        assert not sections.assessments(session, [Reader("ASEC", "coordinator")])
        assert not sections.assessments(session, [Reader("THA", "member")])
        assert [r.id for r in sections.assessments(session, [Reader("KHM", "member")])] == [rra]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"likelihood": "possible"}, "likelihood"),
        ({"consequences": "catastrophic"}, "consequences"),
        ({"title": ""}, "title"),
        ({"sharing": "world"}, "sharing"),
    ],
)
def test_bad_input_names_the_field(client, world, change, field):
    r = client.post(
        f"/api/v1/events/{world['event']}/risk-assessments",
        headers=world["idn"].headers,
        json={**BODY, **change},
    )
    assert r.status_code == 422 and r.json()["field"] == field


def test_the_assessor_chooses_likelihood_consequences_and_confidence(client, world):
    url = f"/api/v1/events/{world['event']}/risk-assessments"
    for name in ("likelihood", "consequences", "confidence"):
        body = {k: v for k, v in BODY.items() if k != name}
        r = client.post(url, headers=world["idn"].headers, json=body)
        assert r.status_code == 422 and r.json()["field"] == name


def test_an_override_needs_a_justification_and_keeps_the_matrix_cell(client, db, world):
    url = f"/api/v1/events/{world['event']}/risk-assessments"
    headers = world["idn"].headers
    assert risk_level(BODY["likelihood"], BODY["consequences"]) == "high"
    r = client.post(url, headers=headers, json={**BODY, "risk_level_override": "very_high"})
    assert r.status_code == 422 and r.json()["field"] == "override_justification"
    r = client.post(
        url,
        headers=headers,
        json={**BODY, "risk_level_override": "very_high", "override_justification": "   "},
    )
    assert r.status_code == 422 and r.json()["field"] == "override_justification"
    r = client.post(
        url,
        headers=headers,
        json={**BODY, "risk_level_override": "high", "override_justification": "Same."},
    )
    assert r.status_code == 422 and r.json()["field"] == "risk_level_override"
    why = "Nosocomial transmission in two hospitals; the matrix understates it."
    r = client.post(
        url,
        headers=headers,
        json={**BODY, "risk_level_override": "very_high", "override_justification": why},
    )
    assert r.status_code == 201, r.text
    rra = r.json()
    assert (rra["risk_level"], rra["matrix_risk_level"], rra["risk_level_override"]) == (
        "very_high",
        "high",
        "very_high",
    )
    assert rra["override_justification"] == why
    # both the computed cell and the override, with the reason, are in the document
    html = client.get(f"/api/v1/risk-assessments/{rra['id']}/document.html", headers=headers).text
    assert why in html and "the risk matrix gives" in html and 'aria-current="true"' in html
    # the stream and the audit carry the overall risk
    with db.read() as session:
        entry = session.scalars(
            select(StreamEntry).where(StreamEntry.kind == "risk_assessment.drafted")
        ).one()
        assert json.loads(entry.data)["risk_level"] == "very_high"
    # without the override the matrix cell is the overall risk again, and no reason stays
    r = client.put(f"/api/v1/risk-assessments/{rra['id']}", headers=headers, json=BODY)
    assert r.status_code == 200
    again = r.json()
    assert (again["risk_level"], again["risk_level_override"], again["override_justification"]) == (
        "high",
        None,
        "",
    )
    assert again["matrix_risk_level"] == "high"


def test_national_regional_and_global_levels(client, world):
    """One assessment states the risk at each level, each with its own likelihood,
    consequences, level and confidence; the main fields are the regional risk."""
    url = f"/api/v1/events/{world['event']}/risk-assessments"
    headers = world["idn"].headers
    body = {
        **BODY,
        "risk_question": "Risk of further spread in the region in the next four weeks?",
        "levels": {
            "national": {
                "question": "Risk to the population of Jakarta?",
                "likelihood": "almost_certain",
                "consequences": "major",
                "confidence": "high",
            },
            "global": {
                "question": "Risk of spread beyond the region?",
                "likelihood": "very_unlikely",
                "consequences": "minor",
                "confidence": "low",
                "risk_level_override": "moderate",
                "override_justification": "A mass gathering with worldwide attendance.",
            },
        },
    }
    r = client.post(url, headers=headers, json=body)
    assert r.status_code == 201, r.text
    levels = {x["scale"]: x for x in r.json()["levels"]}
    assert [x["scale"] for x in r.json()["levels"]] == ["national", "regional", "global"]
    assert (levels["national"]["risk_level"], levels["national"]["confidence"]) == (
        "very_high",
        "high",
    )
    assert levels["regional"]["risk_level"] == r.json()["risk_level"] == "high"
    assert levels["regional"]["question"] == body["risk_question"]
    assert (levels["global"]["matrix_risk_level"], levels["global"]["risk_level"]) == (
        "low",
        "moderate",
    )
    document = client.get(
        f"/api/v1/risk-assessments/{r.json()['id']}/document.html", headers=headers
    ).text
    for text in ("Risk to the population of Jakarta?", "A mass gathering", 'data-scale="global"'):
        assert text in document
    # each level is checked like the main one, and the problem names it
    for change, field in (
        ({"likelihood": "possible"}, "levels.national.likelihood"),
        ({"confidence": ""}, "levels.national"),
        ({"risk_level_override": "low"}, "levels.national.override_justification"),
    ):
        levels_in = {"national": {**body["levels"]["national"], **change}}
        r = client.post(url, headers=headers, json={**BODY, "levels": levels_in})
        assert r.status_code == 422 and r.json()["field"].startswith(field), (change, r.text)
    r = client.post(url, headers=headers, json={**BODY, "levels": {"regional": {}}})
    assert r.status_code == 422 and r.json()["field"].startswith("levels")
    # a national or global level is optional
    r = client.post(url, headers=headers, json=BODY)
    assert [x["scale"] for x in r.json()["levels"]] == ["regional"]


def test_documents_in_two_languages(client, world):
    rra = client.post(
        f"/api/v1/events/{world['event']}/risk-assessments", headers=world["idn"].headers, json=BODY
    ).json()
    url = f"/api/v1/risk-assessments/{rra['id']}/document"
    html = client.get(f"{url}.html", headers=world["idn"].headers)
    assert html.status_code == 200 and "Overall risk" in html.text
    assert 'aria-current="true"' in html.text and "Draft, not signed off" in html.text
    indonesian = client.get(f"{url}.html", headers=world["idn"].headers, params={"lang": "id"})
    assert "Risiko keseluruhan" in indonesian.text
    pdf = client.get(f"{url}.pdf", headers=world["idn"].headers)
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert pdf.headers["content-type"] == "application/pdf"
    assert client.get(f"{url}.pdf", headers=world["partner"].headers).status_code == 404


def test_pages_draft_view_revise_and_sign_off(client, db, world):
    from eocnet.actions import users
    from eocnet.db.models import User
    from tests.conftest import PASSWORD, SECRET
    from tests.helpers import totp_code
    from tests.web_helpers import csrf_of, login

    login(client, world["idn"].email, PASSWORD)
    event_page = client.get(f"/events/{world['event']}")
    assert 'id="new-assessment"' in event_page.text
    form = client.get(f"/events/{world['event']}/risk-assessments/new")
    assert form.status_code == 200 and "Measles" in form.text
    # nothing is pre-chosen: the assessor chooses likelihood, consequences and confidence
    for name in ("likelihood", "consequences", "confidence", "risk_level_override"):
        select_ = form.text.split(f'name="{name}"', 1)[1].split("</select>", 1)[0]
        assert '<option value="" selected>' in select_ and select_.count("selected") == 1
    data = {**BODY, "csrf_token": csrf_of(form.text)}
    bad = client.post(
        f"/events/{world['event']}/risk-assessments", data={**data, "likelihood": "possible"}
    )
    assert bad.status_code == 422 and "likelihood must be one of" in bad.text
    created = client.post(
        f"/events/{world['event']}/risk-assessments", data=data, follow_redirects=False
    )
    assert created.status_code == 303
    view = client.get(created.headers["location"])
    assert 'id="overall-risk"' in view.text and 'aria-current="true"' in view.text
    assert 'id="sign-off"' not in view.text  # not the coordinator
    revised = client.post(
        created.headers["location"],
        data={**data, "csrf_token": csrf_of(view.text), "consequences": "severe"},
        follow_redirects=True,
    )
    assert "very high" in revised.text and "<del>moderate</del>" in revised.text
    overridden = client.post(
        created.headers["location"],
        data={
            **data,
            "csrf_token": csrf_of(view.text),
            "risk_level_override": "very_high",
            "override_justification": "",
        },
    )
    assert overridden.status_code == 422 and "justification" in overridden.text
    overridden = client.post(
        created.headers["location"],
        data={
            **data,
            "csrf_token": csrf_of(view.text),
            "risk_level_override": "very_high",
            "override_justification": "Two hospitals affected.",
        },
        follow_redirects=True,
    )
    assert 'id="matrix-cell"' in overridden.text and "Two hospitals affected." in overridden.text
    # a national level on the page; a level left blank is not assessed
    view = client.get(created.headers["location"])
    national = client.post(
        created.headers["location"],
        data={
            **data,
            "csrf_token": csrf_of(view.text),
            "national_question": "Risk in Jakarta?",
            "national_likelihood": "almost_certain",
            "national_consequences": "major",
            "national_confidence": "high",
        },
        follow_redirects=True,
    )
    assert 'data-scale="national"' in national.text and 'data-scale="global"' not in national.text
    assert 'name="national_question" maxlength="2000" value="Risk in Jakarta?"' in national.text
    half = client.post(
        created.headers["location"],
        data={**data, "csrf_token": csrf_of(view.text), "global_likelihood": "likely"},
    )
    assert half.status_code == 422 and "the global level: confidence must be" in half.text
    client.cookies.clear()

    coordinator = world["coordinator"]
    with db.transaction() as session:
        user = session.get(User, coordinator.id)
        secret = users.begin_totp_enrolment(session, user, SECRET)
        users.confirm_totp_enrolment(session, user, totp_code(secret), SECRET)
    login(client, coordinator.email, PASSWORD)
    second = client.get("/login/2fa")
    client.post(
        "/login/2fa", data={"code": totp_code(secret, 1), "csrf_token": csrf_of(second.text)}
    )
    view = client.get(created.headers["location"])
    assert 'id="sign-off"' in view.text
    signed = client.post(
        f"{created.headers['location']}/sign-off",
        data={"csrf_token": csrf_of(view.text)},
        follow_redirects=True,
    )
    assert 'id="assessment-status">signed off<' in signed.text
