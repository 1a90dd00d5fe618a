"""Fact checks and the rumour log: verdicts, and grouping rumours that make the
same claim so the coordinator answers the important ones once.

Grouping is by word overlap (Jaccard similarity of the claims' word sets):
simple, explainable, and good enough for a log of tens to hundreds of rumours a
week. The words are those search finds (``domain/search_text``: ICU word
segmentation, so Thai, Lao, Khmer and Burmese claims, written without spaces, are
compared word by word, not as arbitrary fragments), case and Latin accents
folded; in scripts written with spaces, words of one or two letters ("is", "di",
"of") are left out, as they say nothing about the claim.
"""

from __future__ import annotations

from collections.abc import Sequence

from eocnet.domain import search_text
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
#: Scripts whose short words carry meaning (no spaces between words; a word of
#: two letters such as Thai "นก", bird, is common): Thai, Lao, Burmese, Khmer.
_UNSPACED = (("\u0e00", "\u0eff"), ("\u1000", "\u109f"), ("\u1780", "\u17ff"))


def _kept(word: str) -> bool:
    if len(word) >= 3:
        return True
    return len(word) == 2 and any(lo <= word[0] <= hi for lo, hi in _UNSPACED)


#: The roles that keep the rumour log (and see fact checks before they are published).
LOGGING_ROLES = frozenset({Role.OFFICER, Role.FOCAL_POINT, Role.COORDINATOR})


def keeps_rumour_log(actor: Actor) -> bool:
    """An officer, focal point or coordinator of a member state or the coordinator:
    sees the rumour log and the fact checks being drafted (partners see published ones)."""
    return not actor.is_partner and any(r in LOGGING_ROLES for r in actor.roles)


def words(text: str) -> frozenset[str]:
    return frozenset(
        w for w in (search_text.fold(w) for w in search_text.segment(text)) if _kept(w)
    )


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
