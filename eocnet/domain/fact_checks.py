"""Fact checks and the rumour log: verdicts, and grouping rumours that make the
same claim so the coordinator answers the important ones once.

Grouping is by word overlap (Jaccard similarity of the claims' word sets, words
of three letters or more, case and accents folded): simple, explainable, and
good enough for a log of tens to hundreds of rumours a week.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

from eocnet.domain.actors import Actor
from eocnet.domain.roles import Role

#: The verdicts of a fact check, as fact-checking organisations use them; each
#: with its schema.org ClaimReview rating (1 = false ... 5 = true).
VERDICTS = {
    "false": 1,
    "misleading": 2,
    "missing_context": 3,
    "unproven": 3,
    "true": 5,
}
SIMILAR = 0.5
#: The roles that keep the rumour log (and see fact checks before they are published).
LOGGING_ROLES = frozenset({Role.OFFICER, Role.FOCAL_POINT, Role.COORDINATOR})


def keeps_rumour_log(actor: Actor) -> bool:
    """An officer, focal point or coordinator of a member state or the coordinator:
    sees the rumour log and the fact checks being drafted (partners see published ones)."""
    return not actor.is_partner and any(r in LOGGING_ROLES for r in actor.roles)


_WORD = re.compile(r"\w{3,}")


def words(text: str) -> frozenset[str]:
    folded = unicodedata.normalize("NFKD", text.casefold())
    folded = "".join(c for c in folded if not unicodedata.combining(c))
    return frozenset(_WORD.findall(folded))


def similarity(a: frozenset[str], b: frozenset[str]) -> float:
    if not a or not b:
        return 0.0
    return len(a & b) / len(a | b)


def group(claims: Sequence[str], threshold: float = SIMILAR) -> list[list[int]]:
    """Indexes of the claims, grouped: two claims are in one group when a chain
    of claims at least ``threshold`` similar links them. Groups keep the order of
    their first claim."""
    sets = [words(c) for c in claims]
    parent = list(range(len(claims)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i in range(len(sets)):
        for j in range(i + 1, len(sets)):
            if similarity(sets[i], sets[j]) >= threshold:
                parent[root(j)] = root(i)
    groups: dict[int, list[int]] = {}
    for i in range(len(claims)):
        groups.setdefault(root(i), []).append(i)
    return sorted(groups.values(), key=lambda g: g[0])
