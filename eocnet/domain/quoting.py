"""Values quoted back in error messages, shortened: an uploaded file's cell can be
megabytes long, and an answer that repeats it for every row it appears in turns a
small upload into a huge answer (the spreadsheet amplification of issue 24)."""

from __future__ import annotations

QUOTE_LIMIT = 60


def quoted(value: object, limit: int = QUOTE_LIMIT) -> str:
    """``repr`` of ``value`` as text, cut to ``limit`` characters with an ellipsis
    and its full length when longer."""
    text = "" if value is None else str(value)
    if len(text) <= limit:
        return repr(text)
    return f"{text[:limit]!r}… ({len(text):,} characters)"
