"""IHR (2005) Annex 2: every branch of the decision instrument, and the API that evaluates it."""

import itertools
from datetime import UTC, datetime, timedelta

import pytest

from eocnet.domain.ihr_annex2 import (
    SUB_ANSWER_KEYS,
    AnswerError,
    Criterion,
    DiseaseGroup,
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
