"""Words of any text, in every script of the region, for search and rumour grouping.

Thai, Lao, Khmer and Burmese are written without spaces between words, so words
cannot be found by splitting at spaces or at non-letters. Words are found with the
Unicode word-break rules (UAX #29) and, for those scripts (and Chinese and
Japanese), the dictionaries of ICU's word break iterator, through PyICU
(``icu.BreakIterator.createWordInstance``). The same segmentation is used when a
search document is indexed (:func:`index_terms`), when a query is read
(:func:`fts5_query`, :func:`tsquery`) and when rumours are compared
(``domain/fact_checks.py``), on SQLite and PostgreSQL alike: the engines only see
words already separated by single spaces. :data:`SEGMENTER` names the segmentation;
documents indexed with another are segmented again by ``eocnet db upgrade``.

Words are folded the same way everywhere (:func:`fold`): case folded, accents
taken off Latin letters (``sốt`` and ``sot``, ``đau`` and ``dau`` are one word,
as SQLite's ``remove_diacritics`` did), and the vowel signs and tone marks of other
scripts kept, since in Thai or Khmer they are part of the word.

Any text is a valid query: what is not a word (quotes, operators such as ``-``
``*`` ``^`` ``(`` ``)``, ``%``, backslashes, emoji, control characters) never
reaches the engine. Each word is quoted for the engine: an FTS5 string for SQLite,
a quoted lexeme of a ``tsquery`` for PostgreSQL. Every word is required; the last
one matches as a prefix (search as you type).
"""

from __future__ import annotations

import threading
import unicodedata

import icu

#: Longest word kept (longer runs are cut: no real word is longer).
MAX_WORD = 100
#: Most words used from one query.
MAX_WORDS = 32
#: The segmentation in use; stored with each search document so that a change of
#: ICU (its dictionaries and rules) is followed by segmenting the documents again.
SEGMENTER = f"icu-{icu.ICU_VERSION}-1"

#: ICU rule status below this: spaces, punctuation, symbols, emoji (UBRK_WORD_NONE).
_WORD_NONE_LIMIT = 100
#: Letters without a decomposition that readers type without their stroke.
_LATIN_FOLD = str.maketrans({"đ": "d", "ø": "o", "ł": "l", "ħ": "h", "ı": "i"})
_local = threading.local()


def _breaker() -> icu.BreakIterator:
    # A break iterator keeps the text it works on: one per thread.
    breaker = getattr(_local, "breaker", None)
    if breaker is None:
        breaker = _local.breaker = icu.BreakIterator.createWordInstance(icu.Locale.getRoot())
    return breaker


def _is_word_char(ch: str) -> bool:
    # L*: letters; M*: combining marks (Thai, Lao, Khmer, Burmese vowel signs, accents);
    # N*: digits and numbers.
    return unicodedata.category(ch)[0] in "LMN"


def _is_latin(ch: str) -> bool:
    return ch < "\u0250" or "\u1e00" <= ch <= "\u1eff"


def fold(word: str) -> str:
    """Case folded; accents off Latin letters; marks of other scripts kept."""
    decomposed = unicodedata.normalize("NFD", word.casefold())
    kept: list[str] = []
    latin = False
    for ch in decomposed:
        if unicodedata.combining(ch):
            if latin:
                continue
        else:
            latin = _is_latin(ch)
        kept.append(ch)
    return unicodedata.normalize("NFC", "".join(kept)).translate(_LATIN_FOLD)


def segment(text: str) -> list[str]:
    """The words of ``text`` in order, as written (not folded), in any script."""
    if not text:
        return []
    source = icu.UnicodeString(unicodedata.normalize("NFC", text))
    breaker = _breaker()
    breaker.setText(source)
    found: list[str] = []
    start = breaker.first()
    for end in breaker:
        if breaker.getRuleStatus() >= _WORD_NONE_LIMIT:
            # ICU offsets count UTF-16 units: slice the ICU string, not the Python one.
            piece = str(source[start:end])
            # keep letters, marks and digits (an apostrophe or a full stop inside a
            # word, as in "don't" or "3.5", separates like any other punctuation)
            current: list[str] = []
            for ch in piece + " ":
                if _is_word_char(ch) or (ch == "\u0e2f" and current):  # Thai ฯ ends a word
                    current.append(ch)
                elif current:
                    found.append("".join(current)[:MAX_WORD])
                    current = []
        start = end
    return found


def words(text: str) -> list[str]:
    """The words of a query, folded, at most :data:`MAX_WORDS`."""
    return [fold(w) for w in segment(text)][:MAX_WORDS]


def index_terms(*texts: str) -> str:
    """What the full-text engines index for a document: its words, folded, each
    separated by one space (SQLite's ``ascii`` tokenizer and PostgreSQL's
    ``string_to_array`` split there and nowhere else)."""
    return " ".join(fold(w) for text in texts for w in segment(text))


def fts5_query(q: str) -> str:
    """SQLite FTS5: every word as a quoted string (``"`` doubled), all required, the
    last one as a prefix. Empty when ``q`` has no word."""
    terms = ['"' + w.replace('"', '""') + '"' for w in words(q)]
    if terms:
        terms[-1] += "*"
    return " ".join(terms)


def tsquery(q: str) -> str:
    """PostgreSQL ``tsquery`` input (cast, not parsed again by a text search
    configuration): every word as a quoted lexeme (``'`` doubled, ``\\`` escaped),
    joined by ``&``, the last one as a prefix (``:*``). Empty when ``q`` has no word."""
    terms = ["'" + w.replace("\\", "\\\\").replace("'", "''") + "'" for w in words(q)]
    if terms:
        terms[-1] += ":*"
    return " & ".join(terms)
