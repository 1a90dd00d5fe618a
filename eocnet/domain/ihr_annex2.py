"""The decision instrument of Annex 2 of the International Health Regulations (2005).

Source: IHR (2005), 3rd edition, WHO 2016, Annex 2 and Article 6; WHO guidance for the
use of Annex 2 (WHO/HSE/IHR/2010.4). See docs/ihr-annex2.md for the text followed.

- Four diseases are always notifiable (smallpox, poliomyelitis due to wild-type
  poliovirus, human influenza caused by a new subtype, SARS).
- Any other event, including those of the diseases that always lead to the use of
  the algorithm (cholera, pneumonic plague, yellow fever, viral haemorrhagic fevers,
  West Nile fever, and others of special national or regional concern such as
  dengue, Rift Valley fever and meningococcal disease), is notifiable when it meets
  any two of the four criteria.
- Notification is due within 24 hours of the assessment (Article 6.1).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum

NOTIFICATION_HOURS = 24


class DiseaseGroup(StrEnum):
    ALWAYS_NOTIFIABLE = "always_notifiable"
    ALWAYS_ASSESSED = "always_assessed"
    OTHER = "other"


#: Normalised names and common synonyms -> (canonical name, group).
_DISEASES: dict[str, tuple[str, DiseaseGroup]] = {}


def _add(canonical: str, group: DiseaseGroup, *names: str) -> None:
    for name in (canonical, *names):
        _DISEASES[_normalise(name)] = (canonical, group)


def _normalise(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", " ", text.lower()).strip()


_G1, _G2 = DiseaseGroup.ALWAYS_NOTIFIABLE, DiseaseGroup.ALWAYS_ASSESSED
_add("smallpox", _G1, "variola", "variola major")
_add(
    "poliomyelitis due to wild-type poliovirus",
    _G1,
    "wild poliovirus",
    "wild polio",
    "wpv",
    "wpv1",
    "polio wild type",
    "poliomyelitis wild type",
    "wild type poliovirus",
)
_add(
    "human influenza caused by a new subtype",
    _G1,
    "influenza new subtype",
    "novel influenza",
    "novel influenza a",
    "new subtype influenza",
    "human influenza new subtype",
)
_add("severe acute respiratory syndrome (SARS)", _G1, "sars")
_add("cholera", _G2)
_add("pneumonic plague", _G2, "plague pneumonic")
_add("yellow fever", _G2)
_add(
    "viral haemorrhagic fever",
    _G2,
    "viral hemorrhagic fever",
    "vhf",
    "ebola",
    "ebola virus disease",
    "evd",
    "marburg",
    "marburg virus disease",
    "lassa fever",
    "lassa",
    "crimean congo haemorrhagic fever",
    "crimean congo hemorrhagic fever",
    "cchf",
)
_add("West Nile fever", _G2, "west nile", "west nile virus")
_add("dengue", _G2, "dengue fever")
_add("Rift Valley fever", _G2, "rvf")
_add("meningococcal disease", _G2, "meningitis meningococcal")


def classify(disease: str | None) -> tuple[str | None, DiseaseGroup]:
    if not disease or not disease.strip():
        return None, DiseaseGroup.OTHER
    found = _DISEASES.get(_normalise(disease))
    if found is None:
        return disease.strip(), DiseaseGroup.OTHER
    return found


class Criterion(StrEnum):
    SERIOUS = "serious"
    UNUSUAL = "unusual"
    SPREAD = "international_spread"
    RESTRICTIONS = "trade_restrictions"


#: The published sub-questions of each criterion; "yes" to any one meets it.
SUB_QUESTIONS: dict[Criterion, dict[str, str]] = {
    Criterion.SERIOUS: {
        "cases_or_deaths_large": "Is the number of cases and/or deaths for this type of "
        "event large for the given place, time or population?",
        "potential_high_impact": "Has the event the potential to have a high public health impact?",
        "external_assistance_needed": "Is external assistance needed to detect, investigate, "
        "respond and control the current event, or prevent new cases?",
    },
    Criterion.UNUSUAL: {
        "unusual": "Is the event unusual?",
        "unexpected": "Is the event unexpected from a public health perspective?",
    },
    Criterion.SPREAD: {
        "epidemiological_link": "Is there evidence of an epidemiological link to similar "
        "events in other States?",
        "cross_border_factor": "Is there any factor that should alert us to the potential "
        "for cross border movement of the agent, vehicle or host?",
    },
    Criterion.RESTRICTIONS: {
        "past_restrictions": "Have similar events in the past resulted in international "
        "restriction on trade and/or travel?",
        "traded_goods_source": "Is the source suspected or known to be a food product, water "
        "or any other goods that might be contaminated that has been exported/imported "
        "to/from other States?",
        "international_gathering": "Has the event occurred in association with an "
        "international gathering or in an area of intense international tourism?",
        "foreign_requests": "Has the event caused requests for more information by foreign "
        "officials or international media?",
    },
}

SUB_ANSWER_KEYS = {key: c for c, qs in SUB_QUESTIONS.items() for key in qs}


class AnswerError(ValueError):
    def __init__(self, field_name: str, message: str):
        super().__init__(message)
        self.field = field_name


@dataclass(frozen=True)
class Assessment:
    disease: str | None
    group: DiseaseGroup
    criteria: dict[Criterion, bool]
    notifiable: bool
    rule: str
    reason: str
    met: tuple[Criterion, ...] = field(default=())

    def deadline(self, assessed_at: datetime) -> datetime | None:
        return assessed_at + timedelta(hours=NOTIFICATION_HOURS) if self.notifiable else None


def resolve_criteria(
    explicit: dict[Criterion, bool | None], sub_answers: dict[str, bool]
) -> dict[Criterion, bool | None]:
    """Combine the yes/no for each criterion with its sub-answers.

    A criterion given explicitly must agree with its sub-answers (a "yes" to any
    sub-question means the criterion is met); one not given is met when any
    sub-answer is yes, unmet when all given sub-answers are no, unknown otherwise.
    """
    for key in sub_answers:
        if key not in SUB_ANSWER_KEYS:
            raise AnswerError(f"answers.{key}", f"unknown sub-question {key!r}")
    resolved: dict[Criterion, bool | None] = {}
    for criterion in Criterion:
        subs = [v for k, v in sub_answers.items() if SUB_ANSWER_KEYS[k] is criterion]
        value = explicit.get(criterion)
        if value is None:
            resolved[criterion] = True if any(subs) else (False if subs else None)
        else:
            if value is False and any(subs):
                raise AnswerError(
                    criterion.value,
                    f"{criterion.value} is false but a sub-question of it is answered yes",
                )
            resolved[criterion] = value
    return resolved


def assess(
    disease: str | None,
    explicit: dict[Criterion, bool | None],
    sub_answers: dict[str, bool] | None = None,
) -> Assessment:
    canonical, group = classify(disease)
    criteria = resolve_criteria(explicit, sub_answers or {})
    known = {c: bool(v) for c, v in criteria.items() if v is not None}
    met = tuple(c for c in Criterion if criteria.get(c) is True)
    if group is DiseaseGroup.ALWAYS_NOTIFIABLE:
        return Assessment(
            canonical,
            group,
            known,
            True,
            "always_notifiable",
            f"{canonical} is always notifiable under Annex 2, whatever the criteria",
            met,
        )
    missing = [c for c in Criterion if criteria.get(c) is None]
    if missing and len(met) < 2:
        raise AnswerError(
            missing[0].value,
            f"answer {missing[0].value} (or its sub-questions): with fewer than two criteria "
            "met, every criterion is needed to decide",
        )
    if len(met) >= 2:
        names = " and ".join(c.value for c in met)
        prefix = f"{canonical}: " if canonical else ""
        return Assessment(
            canonical,
            group,
            known,
            True,
            "two_of_four_criteria",
            f"{prefix}meets {len(met)} of the four criteria ({names})",
            met,
        )
    why = "one criterion" if met else "none of the criteria"
    return Assessment(
        canonical,
        group,
        known,
        False,
        "fewer_than_two_criteria",
        f"meets {why}; not notifiable at this stage: reassess when more information "
        "becomes available",
        met,
    )
