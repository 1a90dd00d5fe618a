"""IHR (2005) Annex 2: every branch of the decision instrument, and the API that evaluates it."""

import itertools
from datetime import UTC, datetime, timedelta

import pytest

from eocnet.domain.ihr_annex2 import (
    SUB_ANSWER_KEYS,
    AnswerError,
    Criterion,
    DiseaseGroup,
    Question,
    assess,
    classify,
)

C = Criterion


def answers(serious, unusual, spread, restrictions):
    return {C.SERIOUS: serious, C.UNUSUAL: unusual, C.SPREAD: spread, C.RESTRICTIONS: restrictions}


@pytest.mark.parametrize(
    "disease",
    [
        "Smallpox",
        "poliomyelitis due to wild-type poliovirus",
        "WPV1",
        "human influenza caused by a new subtype",
        "SARS",
    ],
)
def test_always_notifiable_diseases_whatever_the_answers(disease):
    result = assess(disease, answers(False, False, False, False))
    assert result.notifiable and result.rule == "always_notifiable"
    assert result.group is DiseaseGroup.ALWAYS_NOTIFIABLE
    # answers are not even needed
    assert assess(disease, {}).notifiable


@pytest.mark.parametrize("values", list(itertools.product([True, False], repeat=4)))
def test_every_combination_follows_the_two_of_four_rule(values):
    result = assess(None, answers(*values))
    assert result.notifiable is (sum(values) >= 2)
    assert result.rule == (
        "two_of_four_criteria" if sum(values) >= 2 else "fewer_than_two_criteria"
    )


@pytest.mark.parametrize(
    "disease",
    [
        "cholera",
        "Pneumonic plague",
        "yellow fever",
        "Ebola",
        "Marburg virus disease",
        "West Nile fever",
        "dengue",
    ],
)
def test_always_assessed_diseases_use_the_algorithm(disease):
    _, group = classify(disease)
    assert group is DiseaseGroup.ALWAYS_ASSESSED
    assert not assess(disease, answers(True, False, False, False)).notifiable
    assert assess(disease, answers(True, True, False, False)).notifiable


def test_sub_questions_meet_their_criterion():
    result = assess(
        "measles",
        {},
        {
            "cases_or_deaths_large": True,
            "potential_high_impact": False,
            "external_assistance_needed": False,
            "unusual": False,
            "unexpected": False,
            "epidemiological_link": True,
            "cross_border_factor": False,
            "past_restrictions": False,
            "traded_goods_source": False,
            "international_gathering": False,
            "foreign_requests": False,
        },
    )
    assert result.notifiable and set(result.met) == {C.SERIOUS, C.SPREAD}


def test_contradiction_and_missing_answers_name_the_field():
    with pytest.raises(AnswerError) as info:
        assess(None, {C.SERIOUS: False}, {"potential_high_impact": True})
    assert info.value.field == "serious"
    with pytest.raises(AnswerError) as info:
        assess(None, {C.SERIOUS: True})
    assert info.value.field == "unusual"
    with pytest.raises(AnswerError) as info:
        assess(None, {}, {"no_such_question": True})
    assert info.value.field == "answers.no_such_question"
    # two criteria met decide even with the others unanswered
    assert assess(None, {C.SERIOUS: True, C.UNUSUAL: True}).notifiable


def test_every_sub_question_belongs_to_a_criterion():
    assert set(SUB_ANSWER_KEYS.values()) == set(Criterion)
    assert len(SUB_ANSWER_KEYS) == 11


def test_deadline_is_24_hours_after_assessment():
    at = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
    assert assess("SARS", {}).deadline(at) == at + timedelta(hours=24)
    assert assess(None, answers(False, False, False, False)).deadline(at) is None


# Scenarios in the manner of the WHO guidance for the use of Annex 2 (WHO/HSE/IHR/2010.4).
SCENARIOS = [
    (
        "a single confirmed case of SARS in a traveller",
        "SARS",
        answers(False, False, False, False),
        True,
    ),
    (
        "cholera in a refugee camp near a border with many deaths and cases in the neighbour "
        "country",
        "cholera",
        answers(True, False, True, False),
        True,
    ),
    (
        "seasonal dengue within the expected range, no links abroad",
        "dengue",
        answers(False, False, False, False),
        False,
    ),
    (
        "a food-borne outbreak traced to an exported product, unusual serotype",
        "salmonellosis",
        answers(False, True, False, True),
        True,
    ),
    (
        "a large outbreak that is expected for the season and stays local",
        "influenza",
        answers(True, False, False, False),
        False,
    ),
]


@pytest.mark.parametrize(
    "label, disease, given, expected", SCENARIOS, ids=[s[0][:40] for s in SCENARIOS]
)
def test_guidance_style_scenarios(label, disease, given, expected):
    assert assess(disease, given).notifiable is expected


def test_api_evaluates_without_storing(client, make_person, db):
    from eocnet.db.models import IhrAssessment
    from tests.helpers import count

    p = make_person("IDN", "focal_point")
    r = client.post(
        "/api/v1/ihr/annex2",
        headers=p.headers,
        json={
            "disease": "Yellow fever",
            "serious": True,
            "unusual": True,
            "international_spread": False,
            "trade_restrictions": False,
        },
    )
    body = r.json()
    assert r.status_code == 200 and body["notifiable"] is True
    assert body["rule"] == "two_of_four_criteria" and body["deadline_hours"] == 24
    assert "serious" in body["reason"] and body["disease_group"] == "always_assessed"
    assert count(db, IhrAssessment) == 0
    r = client.post("/api/v1/ihr/annex2", headers=p.headers, json={"serious": True})
    assert r.status_code == 422 and r.json()["field"] == "unusual"
    r = client.post("/api/v1/ihr/annex2", headers=p.headers, json={"disease": "SARS"})
    assert r.json()["notifiable"] is True and r.json()["rule"] == "always_notifiable"


def test_assessment_sets_the_deadline_until_notified(client, make_person):
    fp = make_person("IDN", "officer", "focal_point")
    event_id = client.post(
        "/api/v1/events",
        headers=fp.headers,
        json={"title": "Novel influenza", "hazard": "influenza A(H5N1)", "country": "IDN"},
    ).json()["id"]
    r = client.post(
        f"/api/v1/events/{event_id}/ihr-assessments",
        headers=fp.headers,
        json={"disease": "human influenza caused by a new subtype"},
    )
    assert r.status_code == 201 and r.json()["notifiable"]
    event = client.get(f"/api/v1/events/{event_id}", headers=fp.headers).json()
    assert event["ihr_deadline"] is not None
    other = make_person("THA", "focal_point")
    assert (
        client.post(
            f"/api/v1/events/{event_id}/who-notification", headers=other.headers
        ).status_code
        == 403
    )
    r = client.post(f"/api/v1/events/{event_id}/who-notification", headers=fp.headers)
    assert r.status_code == 200 and r.json()["ihr_notified_at"]
    assert (
        len(client.get(f"/api/v1/events/{event_id}/ihr-assessments", headers=fp.headers).json())
        == 1
    )


# ---------------------------------------------------------------- the four diseases

NEW_SUBTYPES = [
    "H5N1",
    "A(H5N1)",
    "influenza A(H5N1)",
    "avian influenza A(H7N9)",
    "A(H9N2)",
    "H5N6",
    "A(H10N3)",
    "influenza A(H5)",
    "A(H3N2)v",
    "H1N1v",
    "A(H1N2)v",
    "A(H2N2)",
    "bird flu",
    "flu burung",
    "Flu burung (H5N1)",
    "influenza A subtipe baru",
    "influenza baru",
    "selesema burung",
    "cúm gia cầm A/H5N1",
    "ไข้หวัดนก",
    "ໄຂ້ຫວັດນົກ",
    "ផ្តាសាយបក្សី",
    "ငှက်တုပ်ကွေး",
    "novel influenza A",
    "swine variant influenza",
]


@pytest.mark.parametrize("disease", NEW_SUBTYPES)
def test_a_new_influenza_subtype_is_always_notifiable_however_typed(disease):
    result = assess(disease, answers(False, False, False, False))
    assert result.notifiable and result.rule == "always_notifiable", result.reason
    assert result.group is DiseaseGroup.ALWAYS_NOTIFIABLE
    assert result.recognised_by == "disease_text" and result.recognised_term
    assert "novel_influenza_subtype" in result.reason
    assert classify(disease)[1] is DiseaseGroup.ALWAYS_NOTIFIABLE


@pytest.mark.parametrize(
    "disease",
    [
        "A(H1N1)pdm09",
        "influenza A(H1N1)pdm09",
        "A(H3N2)",
        "seasonal influenza A(H3N2)",
        "influenza",
        "influenza B",
        "ILI",
        "H3N2 vaccine strain",
        "kasus baru influenza musiman",
        "SARS-CoV-2",
        "COVID-19",
        "novel coronavirus",
        "cVDPV2",
        "circulating vaccine-derived poliovirus type 2",
        "monkeypox",
        "cacar air",
    ],
)
def test_seasonal_and_other_diseases_are_not_taken_for_the_four(disease):
    result = assess(disease, answers(False, False, False, False))
    assert not result.notifiable and result.rule == "fewer_than_two_criteria"
    assert result.recognised_by is None and not result.follow_up


def test_an_explicit_answer_decides_and_the_text_is_only_a_hint():
    q = Question
    for question in Question:
        result = assess("unknown respiratory illness", {}, questions={question: True})
        assert result.notifiable and result.rule == "always_notifiable"
        assert result.recognised_by == "answer" and question.value in result.reason
    # the text says H5N1 but the NFP answers no (e.g. laboratory excluded it): criteria decide
    result = assess(
        "H5N1", answers(False, False, False, False), questions={q.NOVEL_INFLUENZA: False}
    )
    assert not result.notifiable and result.group is DiseaseGroup.OTHER
    assert "answered no" in result.reason
    result = assess("SARS", answers(True, True, False, False), questions={q.SARS: False})
    assert result.rule == "two_of_four_criteria"
    # a "no" to another question does not silence the one the text names
    assert assess("A(H7N9)", {}, questions={q.SARS: False}).notifiable


def test_polio_alone_asks_wild_or_vaccine_derived_and_says_why():
    with pytest.raises(AnswerError) as info:
        assess("polio", {})
    assert info.value.field == "wild_poliovirus"
    assert "cVDPV" in str(info.value) and "temporary recommendations" in str(info.value)
    result = assess("Polio", answers(False, False, False, False))
    assert not result.notifiable
    assert [f.key for f in result.follow_up] == ["wild_poliovirus"]
    assert "wild-type" in result.reason and "temporary recommendations" in result.follow_up[0].why
    # cVDPV meeting two criteria: notifiable by the criteria, the question still shown
    result = assess("poliomyelitis", answers(True, False, True, False))
    assert result.rule == "two_of_four_criteria" and result.follow_up
    # answered: wild-type is always notifiable; vaccine-derived goes to the criteria
    assert assess("polio", {}, questions={Question.WILD_POLIOVIRUS: True}).notifiable
    result = assess(
        "polio", answers(True, False, False, False), questions={Question.WILD_POLIOVIRUS: False}
    )
    assert not result.notifiable and not result.follow_up
    assert "temporary recommendations" in result.reason
    # typed in the text: no question
    assert assess("wild poliovirus type 1", {}).recognised_by == "disease_text"
    assert assess("virus polio liar tipe 1", {}).notifiable


def test_criteria_three_and_four_alone_say_the_flowchart_differs():
    result = assess("unknown", answers(False, False, True, True))
    assert result.notifiable and result.flowchart_differs
    assert "flowchart" in result.reason and "text" in result.reason
    for values in itertools.product([True, False], repeat=4):
        if sum(values) >= 2 and values != (False, False, True, True):
            assert not assess(None, answers(*values)).flowchart_differs


# Scenarios modelled on the examples of Annex 2 and the WHO guidance for its use
# (WHO/HSE/IHR/2010.4): the facts are paraphrased, the answers those the guidance reasons to.
GUIDANCE = [
    (
        "a human case of avian influenza A(H5N1) after backyard poultry contact",
        "A(H5N1)",
        answers(False, False, False, False),
        True,
    ),
    ("an AFP case with wild poliovirus type 1 isolated", "WPV1", {}, True),
    ("a cVDPV2 outbreak in a border district", "cVDPV2", answers(True, False, True, False), True),
    ("a suspected smallpox case", "variola", {}, True),
    (
        "melamine in infant formula that is also exported",
        "melamine contamination",
        answers(True, True, False, True),
        True,
    ),
    (
        "a cluster of deaths of unknown cause near an airport",
        "unknown",
        answers(True, True, True, False),
        True,
    ),
    (
        "Ebola in a capital with an international airport",
        "Ebola",
        answers(True, True, True, False),
        True,
    ),
    (
        "a handful of expected cholera cases in an endemic area, contained",
        "cholera",
        answers(False, False, False, False),
        False,
    ),
]


@pytest.mark.parametrize(
    "label, disease, given, expected", GUIDANCE, ids=[g[0][:40] for g in GUIDANCE]
)
def test_annex2_guidance_scenarios(label, disease, given, expected):
    assert assess(disease, given).notifiable is expected


def test_contract_new_subtype_with_the_four_criteria_false(client, make_person):
    p = make_person("KHM", "focal_point")
    for disease in ("H5N1", "A(H5N1)", "avian influenza A(H7N9)", "A(H3N2)v", "flu burung"):
        r = client.post(
            "/api/v1/ihr/annex2",
            headers=p.headers,
            json={
                "disease": disease,
                "serious": False,
                "unusual": False,
                "international_spread": False,
                "trade_restrictions": False,
            },
        )
        body = r.json()
        assert r.status_code == 200 and body["notifiable"] is True, body
        assert body["rule"] == "always_notifiable" and body["recognised_by"] == "disease_text"
    r = client.post(
        "/api/v1/ihr/annex2",
        headers=p.headers,
        json={"disease": "severe pneumonia", "novel_influenza_subtype": True},
    )
    assert r.json()["notifiable"] is True and r.json()["recognised_by"] == "answer"
    r = client.post("/api/v1/ihr/annex2", headers=p.headers, json={"disease": "polio"})
    assert r.status_code == 422 and r.json()["field"] == "wild_poliovirus"
    r = client.post(
        "/api/v1/ihr/annex2",
        headers=p.headers,
        json={
            "disease": "polio",
            "serious": True,
            "unusual": False,
            "international_spread": False,
            "trade_restrictions": False,
        },
    )
    assert r.status_code == 200 and r.json()["follow_up"][0]["key"] == "wild_poliovirus"
    r = client.post(
        "/api/v1/ihr/annex2",
        headers=p.headers,
        json={
            "serious": False,
            "unusual": False,
            "international_spread": True,
            "trade_restrictions": True,
        },
    )
    assert r.json()["notifiable"] is True and r.json()["flowchart_differs"] is True


def _event(client, person, **extra):
    body = {"title": "Avian influenza case", "hazard": "A(H5N1)", "country": "KHM", **extra}
    r = client.post("/api/v1/events", headers=person.headers, json=body)
    assert r.status_code == 201, r.text
    return r.json()["id"]


def test_the_24_hour_clock_runs_from_the_first_notifiable_assessment(client, make_person):
    fp = make_person("KHM", "focal_point")
    officer = make_person("KHM", "officer")
    event_id = _event(client, fp)
    path = f"/api/v1/events/{event_id}/ihr-assessments"
    first = client.post(path, headers=fp.headers, json={"disease": "A(H5N1)"})
    assert first.status_code == 201 and first.json()["notifiable"]
    deadline = client.get(f"/api/v1/events/{event_id}", headers=fp.headers).json()["ihr_deadline"]
    assert deadline is not None
    assert first.json()["recognised_by"] == "disease_text"
    for person in (fp, officer):
        r = client.post(path, headers=person.headers, json={"disease": "A(H5N1)"})
        assert r.status_code == 201 and r.json()["notifiable"]
        assert r.json()["deadline"] > deadline  # the assessment's own 24 hours...
        event = client.get(f"/api/v1/events/{event_id}", headers=fp.headers).json()
        assert event["ihr_deadline"] == deadline  # ...but the event keeps the first
    listed = client.get(path, headers=fp.headers).json()
    assert len(listed) == 3 and listed[0]["disease_group"] == "always_notifiable"


def test_the_clock_starts_at_the_first_notifiable_not_the_first_assessment(client, make_person):
    fp = make_person("KHM", "focal_point")
    event_id = _event(client, fp, hazard="unknown")
    path = f"/api/v1/events/{event_id}/ihr-assessments"
    none = {
        "serious": False,
        "unusual": False,
        "international_spread": False,
        "trade_restrictions": False,
    }
    assert not client.post(path, headers=fp.headers, json=none).json()["notifiable"]
    assert (
        client.get(f"/api/v1/events/{event_id}", headers=fp.headers).json()["ihr_deadline"] is None
    )
    r = client.post(path, headers=fp.headers, json={**none, "serious": True, "unusual": True})
    event = client.get(f"/api/v1/events/{event_id}", headers=fp.headers).json()
    assert event["ihr_deadline"] == r.json()["deadline"]


def test_only_the_events_own_party_records_an_assessment(client, make_person):
    fp = make_person("KHM", "focal_point")
    event_id = _event(client, fp)
    path = f"/api/v1/events/{event_id}/ihr-assessments"
    refused = [
        make_person("ASEC", "coordinator"),
        make_person("THA", "focal_point"),
        make_person("THA", "officer"),
        make_person("JPN", "partner"),
        make_person("KHM", "admin"),
    ]
    for person in refused:
        if client.get(f"/api/v1/events/{event_id}", headers=person.headers).status_code == 404:
            assert (
                client.post(path, headers=person.headers, json={"disease": "H5N1"}).status_code
                == 404
            )
            continue
        r = client.post(path, headers=person.headers, json={"disease": "H5N1"})
        assert r.status_code == 403, (person.roles, r.text)
        assert "reporting party" in r.json()["detail"]
    assert (
        client.get(f"/api/v1/events/{event_id}", headers=fp.headers).json()["ihr_deadline"] is None
    )
    assert client.get(path, headers=fp.headers).json() == []


def test_a_party_that_cannot_see_the_event_gets_404(client, make_person):
    fp = make_person("KHM", "focal_point")
    event_id = _event(client, fp, visibility="restricted", parties=["VNM"])
    for person in (
        make_person("THA", "focal_point"),
        make_person("ASEC", "coordinator"),
        make_person("USA", "partner"),
    ):
        r = client.post(
            f"/api/v1/events/{event_id}/ihr-assessments",
            headers=person.headers,
            json={"disease": "H5N1"},
        )
        assert r.status_code == 404
    assert (
        client.post(
            "/api/v1/events/999999/ihr-assessments", headers=fp.headers, json={"disease": "H5N1"}
        ).status_code
        == 404
    )


def test_event_page_asks_the_four_questions_of_the_own_party_only(client, make_person):
    from tests.conftest import PASSWORD
    from tests.web_helpers import csrf_of, login

    officer = make_person("KHM", "officer")
    event_id = _event(client, officer, hazard="severe pneumonia")
    other = make_person("THA", "officer")
    login(client, other.email, PASSWORD)
    page = client.get(f"/events/{event_id}")
    # another party may only suggest (kept apart, see tests/test_ihr_duties.py)
    assert page.status_code == 200 and 'name="kind" value="suggestion"' in page.text
    assert "<summary>IHR Annex 2 assessment</summary>" not in page.text
    client.cookies.clear()
    login(client, officer.email, PASSWORD)
    page = client.get(f"/events/{event_id}")
    for question in Question:
        assert f'name="{question.value}"' in page.text
    r = client.post(
        f"/events/{event_id}/ihr",
        data={"csrf_token": csrf_of(page.text), "disease": "", "novel_influenza_subtype": "yes"},
        follow_redirects=False,
    )
    assert r.status_code == 303
    listed = client.get(
        f"/api/v1/events/{event_id}/ihr-assessments", headers=officer.headers
    ).json()
    assert listed[0]["notifiable"] and listed[0]["recognised_by"] == "answer"
    assert listed[0]["questions"] == {"novel_influenza_subtype": True}
