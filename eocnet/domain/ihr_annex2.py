"""The decision instrument of Annex 2 of the International Health Regulations (2005).

Source: IHR (2005), 3rd edition, WHO 2016, Annex 2 and Article 6; WHO guidance for the
use of Annex 2 (WHO/HSE/IHR/2010.4). See docs/ihr-annex2.md for the text followed.

- Four diseases are always notifiable (smallpox, poliomyelitis due to wild-type
  poliovirus, human influenza caused by a new subtype, SARS). Each is asked as an
  explicit question (:class:`Question`); the disease text is a hint, recognised from
  the names officers and WHO use (A(H5N1), H7N9, A(H3N2)v, "flu burung" ...), that
  an explicit "no" overrides.
- Any other event, including those of the diseases that always lead to the use of
  the algorithm (cholera, pneumonic plague, yellow fever, viral haemorrhagic fevers,
  West Nile fever, and others of special national or regional concern such as
  dengue, Rift Valley fever and meningococcal disease), is notifiable when it meets
  any two of the four criteria.
- Notification is due within 24 hours of the assessment (Article 6.1).
"""

from __future__ import annotations

import re
import unicodedata
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
    """The canonical name and group of a disease name, recognising new influenza
    subtypes from their subtype names (see :func:`recognise`)."""
    if not disease or not disease.strip():
        return None, DiseaseGroup.OTHER
    found = _DISEASES.get(_normalise(disease))
    if found is not None:
        return found
    recognised = recognise(disease)
    if recognised is not None and recognised.question in _ALWAYS_BY_QUESTION:
        return _ALWAYS_BY_QUESTION[recognised.question], DiseaseGroup.ALWAYS_NOTIFIABLE
    return disease.strip(), DiseaseGroup.OTHER


# ---------------------------------------------------------------- the four diseases
#
# Annex 2 names four diseases of which one case "is unusual or unexpected and may have
# serious public health impact, and thus shall be notified". The assessment asks each as
# an explicit question; the disease text is only a hint towards the answer.


class Question(StrEnum):
    NOVEL_INFLUENZA = "novel_influenza_subtype"
    WILD_POLIOVIRUS = "wild_poliovirus"
    SMALLPOX = "smallpox"
    SARS = "sars"


QUESTIONS: dict[Question, str] = {
    Question.NOVEL_INFLUENZA: "Is it a human case of influenza caused by a new subtype "
    "(e.g. A(H5N1), A(H7N9), A(H9N2), A(H5N6), A(H10N3), or a variant virus such as "
    "A(H3N2)v or A(H1N1)v)?",
    Question.WILD_POLIOVIRUS: "Is it poliomyelitis due to wild-type poliovirus (WPV1, "
    "WPV2, WPV3), as opposed to a vaccine-derived poliovirus?",
    Question.SMALLPOX: "Is it a case of smallpox (variola virus)?",
    Question.SARS: "Is it a case of severe acute respiratory syndrome (SARS)?",
}

_ALWAYS_BY_QUESTION: dict[Question, str] = {
    Question.NOVEL_INFLUENZA: "human influenza caused by a new subtype",
    Question.WILD_POLIOVIRUS: "poliomyelitis due to wild-type poliovirus",
    Question.SMALLPOX: "smallpox",
    Question.SARS: "severe acute respiratory syndrome (SARS)",
}
_QUESTION_OF_CANONICAL = {name: q for q, name in _ALWAYS_BY_QUESTION.items()}

POLIO_TYPE_WHY = (
    "poliomyelitis due to wild-type poliovirus is always notifiable (one case is "
    "enough); a vaccine-derived poliovirus (cVDPV, iVDPV, aVDPV) is assessed with the "
    "four criteria of Annex 2, and the standing temporary recommendations of the polio "
    "public health emergency of international concern (in force since May 2014) also "
    "apply to States with WPV1 or cVDPV circulation"
)


@dataclass(frozen=True)
class Recognised:
    """What the disease text suggests: one of the four questions, or that the
    poliovirus type is still to be given."""

    question: Question
    term: str
    #: False when the text names polio without saying wild-type or vaccine-derived.
    certain: bool = True


#: Seasonal human influenza A viruses: not "new subtypes".
_SEASONAL = {(1, 1), (3, 2)}
_SUBTYPE = re.compile(
    r"(?<![a-z0-9])h(\d{1,2})(?:\s*n(\d{1,2}))?(?:\s*(v|pdm\s*0?9|pdm))?(?![a-z0-9])"
)
_BIRD_FLU = (
    "flu burung",
    "influenza burung",
    "flu unggas",
    "selesema burung",
    "cum gia cam",
    "hpai",
    "bird flu",
)
_NOVEL_WORDS = re.compile(
    r"\b(?:"
    + "|".join(n.replace(" ", r"\s+") for n in _BIRD_FLU)
    + r"|avian|bird|zoonotic|swine|babi|variant|varian|novel|new\s+subtype"
    r"|(?:subtype|subtipe|subjenis)\s+baru|(?:influenza|flu)\s+(?:a\s+)?baru)\b"
)
_INFLUENZA = re.compile(r"\b(?:influenz\w*|flu|cum|selesema|grippe|gripe)\b")
#: "Bird flu" in Thai, Lao, Khmer (two spellings), Burmese and Chinese.
_NOVEL_SCRIPTS = (
    "ไข้หวัดนก",
    "ໄຂ້ຫວັດນົກ",
    "ផ្តាសាយបក្សី",
    "ផ្ដាសាយបក្សី",
    "ငှက်တုပ်ကွေး",
    "禽流感",
)
_POLIO = re.compile(r"\b(?:polio\w*|poliomyel\w*|wpv\d?|[ac]?i?vdpv\d?|lumpuh\s+layu)\b")
_WILD = re.compile(r"\b(?:wpv\d?|wild|liar|wild\s*type|tipe\s+liar)\b")
_VACCINE_DERIVED = re.compile(
    r"\b(?:[aic]?vdpv\d?|vaccine\s+derived|derived\s+from\s+(?:the\s+)?vaccine"
    r"|turunan\s+vaksin|sabin\s*like)\b"
)
_SMALLPOX = re.compile(r"\b(?:smallpox|variola|cacar\s+(?:variola|besar))\b")
_SARS = re.compile(r"\b(?:sars|severe\s+acute\s+respiratory\s+syndrome)\b(?!\s*cov\s*2)")


def _plain(text: str) -> str:
    """Lower case, Latin accents stripped (cúm gia cầm -> cum gia cam), punctuation to
    spaces, other scripts kept."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    kept = "".join(
        ch
        for ch in decomposed
        if not (unicodedata.combining(ch) and ord(ch) < 0x0370)  # Latin, Greek marks only
    )
    kept = kept.replace("đ", "d")
    return re.sub(r"[^\w]+", " ", kept).strip()


def _subtype(text: str) -> str | None:
    """The first new-subtype name in the text (H5N1, H7N9, H3N2v ...), if any."""
    compact = text.casefold()
    for m in _SUBTYPE.finditer(re.sub(r"[()\[\]]", " ", compact)):
        h, n, suffix = int(m.group(1)), m.group(2), (m.group(3) or "").replace(" ", "")
        if not 1 <= h <= 18:
            continue
        if suffix == "v":
            return m.group(0).upper().replace(" ", "").replace("V", "v")
        if suffix.startswith("pdm"):
            continue  # A(H1N1)pdm09: seasonal since 2010
        if n is None:
            if h in (1, 3):
                continue  # "H1" or "H3" alone: seasonal lineage, subtype not stated
            return m.group(0).upper().replace(" ", "")
        if not 1 <= int(n) <= 11:
            continue
        if (h, int(n)) not in _SEASONAL:
            return m.group(0).upper().replace(" ", "")
    return None


def recognise(disease: str | None) -> Recognised | None:
    """Which of the four always-notifiable diseases the free text names, if any."""
    if not disease or not disease.strip():
        return None
    known = _DISEASES.get(_normalise(disease))
    if known is not None and known[0] in _QUESTION_OF_CANONICAL:
        return Recognised(_QUESTION_OF_CANONICAL[known[0]], disease.strip())
    plain = _plain(disease)
    subtype = _subtype(disease)
    if subtype:
        return Recognised(Question.NOVEL_INFLUENZA, subtype)
    seasonal = re.search(r"pdm\s*0?9|\bh1n1\b|\bh3n2\b|seasonal|musiman", plain)
    word = _NOVEL_WORDS.search(plain)
    if (
        word
        and not (seasonal and word.group(0) in ("novel", "new subtype"))
        and (word.group(0) in _BIRD_FLU or _INFLUENZA.search(plain))
    ):
        return Recognised(Question.NOVEL_INFLUENZA, word.group(0))
    for name in _NOVEL_SCRIPTS:
        if unicodedata.normalize("NFC", name) in unicodedata.normalize("NFC", disease):
            return Recognised(Question.NOVEL_INFLUENZA, name)
    if (m := _SMALLPOX.search(plain)) is not None:
        return Recognised(Question.SMALLPOX, m.group(0))
    if (m := _SARS.search(plain)) is not None:
        return Recognised(Question.SARS, m.group(0))
    if (m := _POLIO.search(plain)) is not None:
        if _VACCINE_DERIVED.search(plain):
            return None  # cVDPV and the like: the four criteria decide
        wild = _WILD.search(plain)
        return Recognised(Question.WILD_POLIOVIRUS, m.group(0), certain=wild is not None)
    return None


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
class FollowUp:
    """A question the assessment still needs answered, and why it matters."""

    key: str
    text: str
    why: str


#: The one combination where the Annex 2 flowchart and its text disagree.
FLOWCHART_DIFFERS = (
    "notifiable under the text of Annex 2, which asks whether the event meets any two of "
    "the four criteria (here III and IV); the Annex 2 flowchart, followed box by box, would "
    "stop at 'not notified at this stage' because I and II are both no. The text governs: "
    "notify WHO within 24 hours"
)


@dataclass(frozen=True)
class Assessment:
    disease: str | None
    group: DiseaseGroup
    criteria: dict[Criterion, bool]
    notifiable: bool
    rule: str
    reason: str
    met: tuple[Criterion, ...] = field(default=())
    #: The four explicit questions as answered (unanswered ones left out).
    questions: dict[Question, bool] = field(default_factory=dict)
    #: How an always-notifiable disease was recognised: "answer" (an explicit question
    #: answered yes) or "disease_text" (the disease named); None otherwise.
    recognised_by: str | None = None
    #: The words of the disease text that were recognised, if any.
    recognised_term: str | None = None
    #: Questions still to answer, each with why it matters.
    follow_up: tuple[FollowUp, ...] = field(default=())
    #: True for criteria III and IV alone: the text notifies, the flowchart would not.
    flowchart_differs: bool = False

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
    questions: dict[Question, bool | None] | None = None,
) -> Assessment:
    """Annex 2: the four diseases first (an explicit answer decides; the disease text is
    a hint used when the question is not answered "no"), then any two of the four
    criteria."""
    answered = {q: v for q, v in (questions or {}).items() if v is not None}
    criteria = resolve_criteria(explicit, sub_answers or {})
    known = {c: bool(v) for c, v in criteria.items() if v is not None}
    met = tuple(c for c in Criterion if criteria.get(c) is True)
    hint = recognise(disease)
    text = disease.strip() if disease and disease.strip() else None

    def always(question: Question, by: str, term: str | None) -> Assessment:
        canonical = _ALWAYS_BY_QUESTION[question]
        name = canonical
        if text and _normalise(text) != _normalise(canonical):
            name = f"{canonical} ({text})"
        if by == "answer":
            how = f"answered yes to {question.value}"
        else:
            how = (
                f"recognised from the disease named ({term!r}); answer {question.value} to confirm"
            )
        return Assessment(
            name,
            DiseaseGroup.ALWAYS_NOTIFIABLE,
            known,
            True,
            "always_notifiable",
            f"{canonical} is always notifiable under Annex 2, whatever the criteria: "
            f"one case is enough ({how})",
            met,
            answered,
            by,
            term,
        )

    for question in Question:
        if answered.get(question) is True:
            return always(question, "answer", hint.term if hint else None)
    notes: list[str] = []
    follow_up: list[FollowUp] = []
    if hint is not None:
        if answered.get(hint.question) is False:
            notes.append(
                f"the disease named ({hint.term!r}) suggested {hint.question.value}, "
                "answered no: the four criteria decide"
            )
            if hint.question is Question.WILD_POLIOVIRUS:
                notes.append(
                    "a vaccine-derived poliovirus: the standing temporary recommendations "
                    "of the polio public health emergency of international concern also apply"
                )
        elif hint.certain:
            return always(hint.question, "disease_text", hint.term)
        else:
            follow_up.append(
                FollowUp(
                    Question.WILD_POLIOVIRUS.value,
                    QUESTIONS[Question.WILD_POLIOVIRUS],
                    f"the poliovirus type is not given: {POLIO_TYPE_WHY}",
                )
            )
    canonical, group = classify(disease)
    if hint is not None:
        canonical, group = text, DiseaseGroup.OTHER
    missing = [c for c in Criterion if criteria.get(c) is None]
    if missing and len(met) < 2:
        if follow_up:
            raise AnswerError(
                follow_up[0].key,
                f"answer {follow_up[0].key} (is it wild-type poliovirus?), or every "
                f"criterion: {POLIO_TYPE_WHY}",
            )
        raise AnswerError(
            missing[0].value,
            f"answer {missing[0].value} (or its sub-questions): with fewer than two criteria "
            "met, every criterion is needed to decide",
        )
    prefix = f"{canonical}: " if canonical else ""
    suffix = "".join(f"; {n}" for n in notes)
    if follow_up:
        suffix += (
            "; the poliovirus type is not given: if it is wild-type, notify whatever the "
            f"criteria ({POLIO_TYPE_WHY})"
        )
    if len(met) >= 2:
        names = " and ".join(c.value for c in met)
        differs = set(met) == {Criterion.SPREAD, Criterion.RESTRICTIONS}
        reason = f"{prefix}meets {len(met)} of the four criteria ({names})"
        if differs:
            reason += f": {FLOWCHART_DIFFERS}"
        return Assessment(
            canonical,
            group,
            known,
            True,
            "two_of_four_criteria",
            reason + suffix,
            met,
            answered,
            follow_up=tuple(follow_up),
            flowchart_differs=differs,
        )
    why = "one criterion" if met else "none of the criteria"
    return Assessment(
        canonical,
        group,
        known,
        False,
        "fewer_than_two_criteria",
        f"{prefix}meets {why}; not notifiable at this stage: reassess when more information "
        "becomes available" + suffix,
        met,
        answered,
        follow_up=tuple(follow_up),
    )
