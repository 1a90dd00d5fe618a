"""Languages of content (advisories, fact checks) as BCP 47 tags."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from babel import Locale, UnknownLocaleError

_TAG = re.compile(r"^[A-Za-z]{2,3}(?:-[A-Za-z0-9]{2,8})*$")


def language_problem(tag: str) -> str | None:
    """A BCP 47 tag whose language Unicode CLDR knows (en, id, ms, th, vi, km, lo,
    my, fil, zh-Hans, ta, ar ...)."""
    if not _TAG.match(tag):
        return f"{tag!r} is not a BCP 47 language tag such as en, id or zh-Hans"
    try:
        Locale.parse(tag.split("-")[0])
    except (UnknownLocaleError, ValueError):
        return f"unknown language {tag!r}"
    return None


def normal_tag(tag: str) -> str:
    """Case as BCP 47 recommends: language lower, script title, region upper."""
    parts = tag.strip().split("-")
    out = [parts[0].lower()]
    for part in parts[1:]:
        if len(part) == 4 and part.isalpha():
            out.append(part.title())
        elif (len(part) == 2 and part.isalpha()) or (len(part) == 3 and part.isdigit()):
            out.append(part.upper())
        else:
            out.append(part.lower())
    return "-".join(out)


def pick(translations: Sequence[dict[str, Any]], lang: str) -> dict[str, Any]:
    """The translation in ``lang`` (or its base language), else English, else the first."""
    for wanted in (lang, lang.split("-")[0], "en"):
        for t in translations:
            if t["language"] == wanted or t["language"].split("-")[0] == wanted:
                return dict(t)
    return dict(translations[0])
