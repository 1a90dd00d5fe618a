"""Turning any text a person types into a query the full-text engines accept.

A query is reduced to its words (runs of letters, combining marks and digits, in any
script); everything else (quotes, operators such as ``-`` ``*`` ``^`` ``(`` ``)``,
``%``, backslashes, emoji, control characters) separates words and never reaches the
engine as syntax. Each word is then quoted for the engine: an FTS5 string for SQLite,
a quoted lexeme for PostgreSQL ``to_tsquery``. Every word is required; the last one
matches as a prefix (search as you type).
"""

from __future__ import annotations

import unicodedata

#: Longest word kept (longer runs are cut: no real word is longer).
MAX_WORD = 100
#: Most words used from one query.
MAX_WORDS = 32


def _is_word_char(ch: str) -> bool:
    category = unicodedata.category(ch)
    # L*: letters; M*: combining marks (Thai, Lao, Khmer, Burmese vowel signs, accents);
    # N*: digits and numbers.
    return category[0] in "LMN"


def words(text: str) -> list[str]:
    """The words of ``text``, in order."""
    found: list[str] = []
    current: list[str] = []
    for ch in unicodedata.normalize("NFC", text):
        if _is_word_char(ch):
            current.append(ch)
            continue
        if current:
            found.append("".join(current)[:MAX_WORD])
            current = []
    if current:
        found.append("".join(current)[:MAX_WORD])
    return found[:MAX_WORDS]


def fts5_query(q: str) -> str:
    """SQLite FTS5: every word as a quoted string (``"`` doubled), all required, the
    last one as a prefix. Empty when ``q`` has no word."""
    terms = ['"' + w.replace('"', '""') + '"' for w in words(q)]
    if terms:
        terms[-1] += "*"
    return " ".join(terms)


def tsquery(q: str) -> str:
    """PostgreSQL ``to_tsquery``: every word as a quoted lexeme (``'`` doubled,
    ``\\`` escaped), joined by ``&``, the last one as a prefix (``:*``). Empty when
    ``q`` has no word."""
    terms = ["'" + w.replace("\\", "\\\\").replace("'", "''") + "'" for w in words(q)]
    if terms:
        terms[-1] += ":*"
    return " & ".join(terms)
