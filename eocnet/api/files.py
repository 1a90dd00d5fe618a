"""Files in the API: uploads as JSON with base64 contents, downloads as attachments."""

from __future__ import annotations

import base64
import binascii
import re
import unicodedata
from datetime import datetime
from typing import Protocol
from urllib.parse import quote

from fastapi.responses import Response
from pydantic import BaseModel, Field

from eocnet.actions import files
from eocnet.actions.errors import Invalid
from eocnet.api.schemas import Input
from eocnet.db.models import Attachment, StoredFile


class FileIn(Input):
    filename: str = Field(min_length=1, max_length=255)
    content_type: str = Field(
        max_length=100, description="Checked against the contents: PDF, images, CSV, text"
    )
    data_base64: str = Field(description="The file, base64-encoded")


class FileOut(BaseModel):
    id: int
    filename: str
    content_type: str
    size: int
    sha256: str
    uploaded_at: datetime


class _Sent(Protocol):
    filename: str
    content_type: str
    data_base64: str


def upload_of(body: _Sent, field: str = "data_base64") -> files.Upload:
    """The file a JSON body carries (a FileIn, or an event update's AttachmentIn)."""
    try:
        data = base64.b64decode(body.data_base64, validate=True)
    except (binascii.Error, ValueError):
        raise Invalid("not valid base64", field=field) from None
    return files.Upload(body.filename, body.content_type, data)


def file_out(row: StoredFile) -> FileOut:
    return FileOut(**files.file_data(row))


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


def download(row: StoredFile | Attachment) -> Response:
    """The file as a download (never shown inline: its type was checked, not trusted)."""
    return Response(
        row.data,
        media_type=row.content_type,
        headers={
            "Content-Disposition": content_disposition(row.filename),
            "X-Content-Type-Options": "nosniff",
        },
    )
