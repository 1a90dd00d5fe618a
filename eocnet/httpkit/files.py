"""Stored files as HTTP downloads, for the API and the pages."""

from __future__ import annotations

from typing import Protocol

from starlette.responses import Response


class _Stored(Protocol):
    @property
    def data(self) -> bytes: ...
    @property
    def content_type(self) -> str: ...
    @property
    def filename(self) -> str: ...


def download(row: _Stored) -> Response:
    """The file as a download (never shown inline: its type was checked, not trusted)."""
    return Response(
        row.data,
        media_type=row.content_type,
        headers={
            "Content-Disposition": f'attachment; filename="{row.filename}"',
            "X-Content-Type-Options": "nosniff",
        },
    )
