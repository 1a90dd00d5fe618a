"""Stored files as HTTP downloads, for the API and the pages."""

from __future__ import annotations

import re
import unicodedata
from typing import Protocol
from urllib.parse import quote

from starlette.responses import Response


class _Stored(Protocol):
    @property
    def data(self) -> bytes: ...
    @property
    def content_type(self) -> str: ...
    @property
    def filename(self) -> str: ...


def _ascii_fallback(filename: str) -> str:
    """The name for clients without RFC 6266 ``filename*``: accents dropped, other
    characters replaced; ``download.<ext>`` when nothing of the name is left."""
    stem, dot, ext = filename.rpartition(".")
    if not dot:
        stem, ext = filename, ""
    decomposed = unicodedata.normalize("NFKD", stem)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    stem = re.sub(r"[^A-Za-z0-9._ -]+", "_", plain).strip(" ._-")
    if not re.search(r"[A-Za-z0-9]", stem):
        stem = "download"
    ext = re.sub(r"[^A-Za-z0-9]+", "", ext)
    return f"{stem}.{ext}" if ext else stem


def content_disposition(filename: str) -> str:
    """``attachment`` with the name as people wrote it (RFC 6266 ``filename*``, UTF-8)
    and an ASCII ``filename`` for older clients; header values are latin-1 only."""
    fallback = _ascii_fallback(filename)
    header = f'attachment; filename="{fallback}"'
    if fallback != filename:
        header += "; filename*=UTF-8''" + quote(filename, safe="!#$&+-.^_`|~")
    return header


def download(row: _Stored) -> Response:
    """The file as a download (never shown inline: its type was checked, not trusted)."""
    return Response(
        row.data,
        media_type=row.content_type,
        headers={
            "Content-Disposition": content_disposition(row.filename),
            "X-Content-Type-Options": "nosniff",
        },
    )
