"""Rapid risk assessment (RRA), as in WHO's "Rapid risk assessment of acute
public health events" (WHO/HSE/GAR/ARO/2012.1): the likelihood and the
consequences of an event combined in a risk matrix into an overall risk.
"""

from __future__ import annotations

from typing import Any

LIKELIHOOD = ("very_unlikely", "unlikely", "likely", "highly_likely", "almost_certain")
CONSEQUENCES = ("minimal", "minor", "moderate", "major", "severe")
CONFIDENCE = ("low", "moderate", "high")
RISK_LEVELS = ("low", "moderate", "high", "very_high")
SHARING = ("network", "partners")
#: The levels at which one assessment states the risk (WHO's standardised approach asks
#: the risk questions at each). The assessment's main fields are the regional risk,
#: the network's own product; the national and global levels are optional.
SCALES = ("national", "regional", "global")
OTHER_SCALES = ("national", "global")

#: The WHO (2012) risk matrix: rows by likelihood (most likely first),
#: columns by consequences (minimal to severe).
_MATRIX = {
    "almost_certain": ("moderate", "high", "high", "very_high", "very_high"),
    "highly_likely": ("moderate", "moderate", "high", "very_high", "very_high"),
    "likely": ("low", "moderate", "high", "high", "very_high"),
    "unlikely": ("low", "low", "moderate", "high", "high"),
    "very_unlikely": ("low", "low", "low", "moderate", "high"),
}

#: texts saved without their surrounding blanks
STRIPPED = frozenset({"title", "override_justification", "risk_question"})

#: the parts of an assessment, in the order documents show them
TEXT_FIELDS = (
    "title",
    "hazard_assessment",
    "exposure_assessment",
    "context_assessment",
    "uncertainties",
    "recommendations",
)


def risk_level(likelihood: str, consequences: str) -> str:
    """The overall risk for a likelihood and consequences; ValueError otherwise."""
    if likelihood not in _MATRIX:
        raise ValueError(f"likelihood must be one of {', '.join(LIKELIHOOD)}")
    if consequences not in CONSEQUENCES:
        raise ValueError(f"consequences must be one of {', '.join(CONSEQUENCES)}")
    return _MATRIX[likelihood][CONSEQUENCES.index(consequences)]


def override_problem(
    matrix_level: str, override: str, justification: str
) -> tuple[str, str] | None:
    """(field, reason) when the assessors' override of the matrix cell is not acceptable.

    WHO's approach lets the assessment team judge the overall risk beyond the matrix
    (the matrix is an aid, not the decision) as long as the reasoning is stated; eocnet
    keeps the computed cell beside the override and asks for the justification."""
    if not override:
        return None
    if override not in RISK_LEVELS:
        return "risk_level_override", f"the override must be one of {', '.join(RISK_LEVELS)}"
    if override == matrix_level:
        return "risk_level_override", (
            f"the matrix gives {matrix_level.replace('_', ' ')} already: leave the override unset"
        )
    if not justification.strip():
        return "override_justification", (
            "say why the overall risk differs from the matrix cell "
            f"({matrix_level.replace('_', ' ')}): a justification is required with an override"
        )
    return None


def matrix() -> list[tuple[str, list[str]]]:
    """The whole matrix, most likely row first, for pages and documents."""
    return [(row, list(_MATRIX[row])) for row in reversed(LIKELIHOOD)]


def by_scale(rra: Any) -> list[dict[str, str]]:
    """The risk at each level assessed, in order: national (if assessed), regional (the
    assessment's main fields), global (if assessed). ``rra`` is a RiskAssessment."""
    regional = {
        "question": rra.risk_question,
        "likelihood": rra.likelihood,
        "consequences": rra.consequences,
        "confidence": rra.confidence,
        "matrix_risk_level": rra.matrix_risk_level,
        "risk_level_override": rra.risk_level_override,
        "override_justification": rra.override_justification,
        "risk_level": rra.risk_level,
    }
    levels = {**(rra.levels or {}), "regional": regional}
    return [{"scale": s, **levels[s]} for s in SCALES if s in levels]
