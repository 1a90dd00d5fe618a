"""Public advisories: their workflow and the checks on what they say, where and
in which languages. CAP's own vocabularies are in ``domain.cap``.

Workflow (each step audited)::

    draft --submit--> in_review --approve--> approved --publish--> published
      ^                   |                                          |  \\
      +------return-------+         edit of a published advisory ----+   cancel
                                    (a draft of an update)               -> cancelled

Publishing issues a CAP message: ``Alert`` the first time, ``Update`` after that
(referencing the earlier messages), ``Cancel`` when cancelled.
"""

from __future__ import annotations

from eocnet.domain import cap

STATUSES = ("draft", "in_review", "approved", "published", "cancelled")
EDITABLE = frozenset({"draft", "in_review", "approved", "published"})

#: (from, action) -> to
TRANSITIONS = {
    ("draft", "submit"): "in_review",
    ("in_review", "approve"): "approved",
    ("in_review", "return"): "draft",
    ("approved", "return"): "draft",
    ("approved", "publish"): "published",
    ("published", "cancel"): "cancelled",
}


def next_status(status: str, action: str) -> str:
    try:
        return TRANSITIONS[(status, action)]
    except KeyError:
        raise ValueError(
            f"an advisory that is {status.replace('_', ' ')} cannot {action}"
        ) from None


def closed_polygon(text: str) -> str:
    """The polygon with its ring closed (the first pair repeated at the end if
    it was left out), whitespace normalised."""
    pairs = text.split()
    if pairs and pairs[0] != pairs[-1]:
        pairs.append(pairs[0])
    return " ".join(pairs)


#: The CAP vocabularies the author must choose: a new advisory starts with them unset
#: (``""``), never with a pre-chosen Immediate / Extreme / Observed, and cannot be
#: submitted or published until each is chosen.
CHOSEN_BY_AUTHOR = ("urgency", "severity", "certainty")


def vocabulary_problem(field: str, value: str) -> str | None:
    if field in CHOSEN_BY_AUTHOR and value == "":
        return None  # unset in a draft; see unchosen_problem
    allowed = {
        "category": cap.CATEGORY,
        "urgency": cap.URGENCY,
        "severity": cap.SEVERITY,
        "certainty": cap.CERTAINTY,
        "response_type": ("", *cap.RESPONSE_TYPE),
    }[field]
    if value not in allowed:
        return f"{field.replace('_', ' ')} must be one of {', '.join(a for a in allowed if a)}"
    return None


def unchosen_problem(values: dict[str, str]) -> tuple[str, str] | None:
    """The first of urgency, severity and certainty left unset, with the reason, or
    None when the author chose all three."""
    for name in CHOSEN_BY_AUTHOR:
        if not values.get(name):
            choices = {"urgency": cap.URGENCY, "severity": cap.SEVERITY}.get(name, cap.CERTAINTY)
            return name, (
                f"choose the {name} before the advisory goes further "
                f"(one of {', '.join(choices)}): it is never pre-chosen"
            )
    return None
