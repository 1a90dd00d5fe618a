"""Files in the API: uploads as JSON with base64 contents, downloads as attachments."""

from __future__ import annotations

import base64
import binascii
from datetime import datetime
from typing import Protocol

from pydantic import BaseModel, Field

from eocnet.actions import files
from eocnet.actions.errors import Invalid
from eocnet.api.schemas import Input
from eocnet.db.models import StoredFile


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
