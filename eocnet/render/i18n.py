"""Translations: one gettext catalogue (``translations/LANG/LC_MESSAGES/messages.po``)
per language. Adding a language is adding a catalogue; nothing in the code changes.

Catalogues are compiled in memory at start-up, so a checkout needs no build step.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from babel import Locale, UnknownLocaleError
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations

TRANSLATIONS = Path(__file__).parent / "translations"
SOURCE_LANGUAGE = "en"


@dataclass(frozen=True)
class Language:
    tag: str
    name: str  # in the language itself
    rtl: bool


@lru_cache(maxsize=1)
def catalogues() -> dict[str, NullTranslations]:
    found: dict[str, NullTranslations] = {SOURCE_LANGUAGE: NullTranslations()}
    for po in sorted(TRANSLATIONS.glob("*/LC_MESSAGES/messages.po")):
        tag = po.parent.parent.name
        with po.open("rb") as fh:
            catalog = read_po(fh, locale=tag)
        buffer = io.BytesIO()
        write_mo(buffer, catalog)
        buffer.seek(0)
        found[tag] = Translations(fp=buffer)
    return found


def available() -> list[str]:
    return sorted(catalogues())


#: Where CLDR's name of a language in itself is not what its speakers pick from a
#: menu: CLDR names Indonesian "Indonesia", which reads as the country; its speakers
#: call the language "Bahasa Indonesia".
ENDONYMS = {"id": "Bahasa Indonesia"}


def language_info(tag: str) -> Language:
    try:
        locale = Locale.parse(tag.replace("-", "_"))
        name = ENDONYMS.get(tag) or (locale.get_display_name(locale) or tag).capitalize()
        return Language(tag, name, locale.text_direction == "rtl")
    except (UnknownLocaleError, ValueError):
        return Language(tag, tag, False)


def languages() -> list[Language]:
    return [language_info(t) for t in available()]


def negotiate(accept_language: str | None, default: str, tags: list[str] | None = None) -> str:
    """The best of ``tags`` (default: the languages of the interface) for an
    Accept-Language header; ``default`` (or English) when none fits."""
    tags = tags if tags is not None else available()
    if accept_language:
        wanted = []
        for part in accept_language.split(","):
            piece = part.split(";")[0].strip()
            if piece and piece != "*":
                wanted.append(piece.replace("-", "_"))
        match = Locale.negotiate(wanted, [t.replace("-", "_") for t in tags], sep="_")
        if match is not None:
            return str(match).replace("_", "-")
    return default if default in tags else SOURCE_LANGUAGE


def translator(tag: str) -> NullTranslations:
    return catalogues().get(tag) or catalogues()[SOURCE_LANGUAGE]


def language_context(lang: str) -> dict[str, Any]:
    """What templates translate with: ``_``, ``ngettext``, ``term`` (a stored
    value such as ``signed_off`` as words) and ``lang``."""
    translations = translator(lang)
    return {
        "_": translations.gettext,
        "term": lambda value: translations.gettext(str(value).replace("_", " ")),
        "ngettext": translations.ngettext,
        "lang": lang,
    }
