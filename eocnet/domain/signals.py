"""Event-based surveillance as plain rules: the triage states of a signal, the Admiralty
grading, the IHR Art. 10 verification periods, de-duplication keys and the matching of
hazards and places in an item's text.

References:
- WHO, *Early detection, assessment and response to acute public health events:
  implementation of early warning and response with a focus on event-based
  surveillance* (WHO/HSE/GCR/LYO/2014.4): signals are triaged, then verified, then
  assessed; source reliability and information credibility on the Admiralty scale.
- International Health Regulations (2005), Article 10(2): a State Party asked by WHO to
  verify shall acknowledge the request within 24 hours and, within 24 hours of the
  request, provide the public health information available to it.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit


class SignalStatus(StrEnum):
    NEW = "new"
    UNDER_REVIEW = "under_review"
    DISCARDED = "discarded"
    VERIFIED = "verified"
    LINKED = "linked"


#: The triage steps a person may take (``linked`` is reached only by linking to an event).
TRANSITIONS: dict[SignalStatus, frozenset[SignalStatus]] = {
    SignalStatus.NEW: frozenset({SignalStatus.UNDER_REVIEW, SignalStatus.DISCARDED}),
    SignalStatus.UNDER_REVIEW: frozenset(
        {SignalStatus.DISCARDED, SignalStatus.VERIFIED, SignalStatus.NEW}
    ),
    SignalStatus.DISCARDED: frozenset({SignalStatus.UNDER_REVIEW}),
    SignalStatus.VERIFIED: frozenset({SignalStatus.UNDER_REVIEW}),
    SignalStatus.LINKED: frozenset(),
}

#: Statuses from which a signal may be linked to an event.
LINKABLE = frozenset({SignalStatus.NEW, SignalStatus.UNDER_REVIEW, SignalStatus.VERIFIED})


def transition_problem(current: str, target: str) -> str | None:
    """Why ``current`` -> ``target`` is not a triage step, or None if it is."""
    try:
        to = SignalStatus(target)
    except ValueError:
        known = ", ".join(s.value for s in SignalStatus if s is not SignalStatus.LINKED)
        return f"unknown status {target!r} (one of {known})"
    if to is SignalStatus.LINKED:
        return "a signal becomes linked by linking it to an event"
    if to not in TRANSITIONS[SignalStatus(current)]:
        return f"a signal that is {current} cannot become {target}"
    return None


#: Admiralty (NATO) grading, as used in event-based surveillance: the reliability of
#: the source and the credibility of the information, judged separately.
RELIABILITY = {
    "A": "completely reliable",
    "B": "usually reliable",
    "C": "fairly reliable",
    "D": "not usually reliable",
    "E": "unreliable",
    "F": "reliability cannot be judged",
}
CREDIBILITY = {
    1: "confirmed by other sources",
    2: "probably true",
    3: "possibly true",
    4: "doubtful",
    5: "improbable",
    6: "truth cannot be judged",
}


class ResponseStatus(StrEnum):
    CONFIRMED = "confirmed"
    NOT_CONFIRMED = "not_confirmed"
    UNDER_INVESTIGATION = "under_investigation"


#: IHR (2005) Art. 10(2): both periods run from the receipt of the request.
IHR_ACKNOWLEDGE_HOURS = 24
IHR_RESPOND_HOURS = 24


@dataclass(frozen=True)
class Clock:
    acknowledge_by: datetime
    respond_by: datetime


def verification_clock(
    requested_at: datetime,
    acknowledge_hours: float = IHR_ACKNOWLEDGE_HOURS,
    respond_hours: float = IHR_RESPOND_HOURS,
) -> Clock:
    return Clock(
        requested_at + timedelta(hours=acknowledge_hours),
        requested_at + timedelta(hours=respond_hours),
    )


# ---------------------------------------------------------------- de-duplication

_TRACKING = re.compile(r"^(utm_|fbclid$|gclid$|mc_|ref$|ref_src$)")


def link_key(url: str) -> str:
    """The link as compared for duplicates: scheme and host lowercased, ``www.``, the
    default port, the fragment, tracking parameters and a trailing slash dropped,
    the remaining query parameters sorted; http and https are the same page."""
    url = url.strip()
    if not url:
        return ""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower().removeprefix("www.")
    if parts.port and parts.port not in (80, 443):
        host = f"{host}:{parts.port}"
    query = urlencode(
        sorted((k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
               if not _TRACKING.match(k.lower()))
    )  # fmt: skip
    path = parts.path.rstrip("/") or ""
    return urlunsplit(("", host, path, query, "")).removeprefix("//")[:1000]


_WORD = re.compile(r"\w+", re.UNICODE)


def fold(text: str) -> str:
    """Casefolded NFC text: what keywords and titles are compared in."""
    return unicodedata.normalize("NFC", text).casefold()


def title_words(title: str) -> frozenset[str]:
    return frozenset(_WORD.findall(fold(title)))


def title_key(title: str) -> str:
    return " ".join(sorted(title_words(title)))[:500]


#: Titles whose word sets overlap this much (Jaccard) are the same item.
NEAR_DUPLICATE = 0.85


class TitleIndex:
    """Titles seen, found again by near-duplicate (:func:`near_duplicate`) without
    comparing with each: prefix filtering (Chaudhuri et al., "A primitive operator for
    similarity joins", ICDE 2006). With the words of every title in one order, two
    titles whose Jaccard similarity is at least t share a word among the first
    |x| - ceil(t |x|) + 1 of each, so only titles sharing such a word are compared."""

    def __init__(self) -> None:
        self._by_word: dict[str, list[tuple[str, Any]]] = {}

    @staticmethod
    def _prefix(key: str) -> list[str]:
        words = key.split()  # title_key is sorted: one global order
        keep = len(words) - math.ceil(NEAR_DUPLICATE * len(words) - 1e-9) + 1
        return words[: max(keep, 1)]

    def add(self, key: str, value: Any) -> None:
        for word in self._prefix(key):
            self._by_word.setdefault(word, []).append((key, value))

    def find(self, key: str) -> Any | None:
        if not key:
            return None
        for word in self._prefix(key):
            for other, value in self._by_word.get(word, ()):
                if near_duplicate(other, key):
                    return value
        return None


def near_duplicate(a: str, b: str) -> bool:
    """Two title keys (:func:`title_key`) name the same item: the same words, give or
    take a word in ten (a feed that edits a headline, another source's copy)."""
    if not a or not b:
        return False
    x, y = set(a.split()), set(b.split())
    return len(x & y) / len(x | y) >= NEAR_DUPLICATE


# ---------------------------------------------------------------- hazards and places

#: Scripts written without spaces between words (Thai, Lao, Khmer, Myanmar): keywords in
#: them are matched as substrings (no word segmentation yet), which may over-match a
#: short keyword inside a longer word.
_UNSPACED = re.compile("[\u0e00-\u0eff\u1780-\u17ff\u1000-\u109f]")


def unspaced(word: str) -> bool:
    return _UNSPACED.search(word) is not None


@dataclass(frozen=True)
class Match:
    hazards: list[str]
    countries: list[str]


class Matcher:
    """Finds hazards and countries named in a text.

    ``hazards`` maps a hazard code to its keywords by language
    (``{"dengue": {"en": ["dengue"], "id": ["demam berdarah"]}}``), ``places`` an ISO3
    code to its names by language. Every language's keywords are looked for in every
    item (a Malay headline may name a disease in English); keywords written in Thai,
    Lao, Khmer or Myanmar script as substrings (:func:`unspaced`), others as whole words."""

    def __init__(
        self,
        hazards: Mapping[str, Mapping[str, Iterable[str]]],
        places: Mapping[str, Mapping[str, Iterable[str]]],
    ) -> None:
        self._hazards = self._compile(hazards)
        self._places = self._compile(places)

    @staticmethod
    def _compile(
        table: Mapping[str, Mapping[str, Iterable[str]]],
    ) -> tuple[re.Pattern[str] | None, dict[str, str]]:
        owner: dict[str, str] = {}
        worded: list[str] = []
        unspaced_words: list[str] = []
        for code, by_language in table.items():
            for words in by_language.values():
                for word in words:
                    key = fold(word.strip())
                    if not key or key in owner:
                        continue
                    owner[key] = code
                    (unspaced_words if unspaced(key) else worded).append(key)
        alternatives = []
        if worded:
            words = "|".join(re.escape(w) for w in sorted(worded, key=len, reverse=True))
            alternatives.append(rf"(?<!\w)(?:{words})(?!\w)")
        if unspaced_words:
            alternatives.append(
                "|".join(re.escape(w) for w in sorted(unspaced_words, key=len, reverse=True))
            )
        pattern = re.compile("|".join(alternatives)) if alternatives else None
        return pattern, owner

    @staticmethod
    def _find(compiled: tuple[re.Pattern[str] | None, dict[str, str]], text: str) -> list[str]:
        pattern, owner = compiled
        if pattern is None:
            return []
        found = dict.fromkeys(owner[m.group(0)] for m in pattern.finditer(text))
        return sorted(found)

    def match(self, *texts: str) -> Match:
        text = fold(" \n ".join(texts))
        return Match(self._find(self._hazards, text), self._find(self._places, text))
