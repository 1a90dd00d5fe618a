"""Uploaded files: the checks every upload passes, and the files kept with meetings
(minutes, slides) and agreements (the signed text).

Event update attachments use the same checks (:func:`checked`); their rows are their
own (``Attachment``), the files here are ``StoredFile`` rows named by what they are
kept with. Who may see or add a file is decided by the caller (meetings, agreements):
a file is seen by whoever may see what it is kept with.
"""

from __future__ import annotations

import hashlib
import unicodedata
from dataclasses import dataclass
from itertools import groupby
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, undefer

from eocnet.actions.errors import Invalid, NotFound
from eocnet.db.models import StoredFile
from eocnet.db.types import utcnow
from eocnet.domain.actors import Actor

#: Types recognised from their first bytes (the type a browser claims is not trusted).
BINARY_TYPES = {
    "application/pdf": (b"%PDF-",),
    "image/png": (b"\x89PNG\r\n\x1a\n",),
    "image/jpeg": (b"\xff\xd8\xff",),
    "image/gif": (b"GIF87a", b"GIF89a"),
    "image/webp": (b"RIFF",),
}
TEXT_TYPES = ("text/plain", "text/csv")
SUBJECTS = ("meeting", "agreement")


@dataclass
class Upload:
    filename: str
    content_type: str
    data: bytes


def sniff_type(data: bytes, claimed: str, field: str = "attachments") -> str:
    """The file's type, checked from its first bytes; refuses anything else."""
    for content_type, magics in BINARY_TYPES.items():
        if any(data.startswith(m) for m in magics):
            if content_type == "image/webp" and data[8:12] != b"WEBP":
                continue
            return content_type
    if claimed in TEXT_TYPES:
        try:
            data.decode("utf-8")
        except UnicodeDecodeError:
            raise Invalid("text files must be UTF-8", field=field) from None
        if b"\x00" in data:
            raise Invalid("text files cannot contain NUL bytes", field=field)
        return claimed
    raise Invalid("files must be PDF, PNG, JPEG, GIF, WebP, CSV or plain text", field=field)


def _kept(ch: str) -> bool:
    # letters, combining marks (Khmer, Thai and Devanagari vowel signs) and digits of
    # every script, and a few separators; not controls, quotes or path characters
    return unicodedata.category(ch)[0] in "LMN" or ch in "_.- "


def safe_filename(name: str) -> str:
    """The name as people wrote it (NFC), without folders or characters a download
    header or a disk would mind; each run of those becomes one ``_``."""
    base = unicodedata.normalize("NFC", name).replace("\\", "/").rsplit("/", 1)[-1]
    runs = groupby(base, _kept)
    cleaned = "".join("".join(run) if kept else "_" for kept, run in runs).strip(" .")
    return (cleaned or "attachment")[:200]


def checked(upload: Upload, max_bytes: int, field: str = "attachments") -> tuple[str, str]:
    """(safe file name, type) of an upload within ``max_bytes``; Invalid otherwise."""
    if not upload.data:
        raise Invalid(f"{upload.filename or 'the file'} is empty", field=field)
    if len(upload.data) > max_bytes:
        raise Invalid(f"{upload.filename} is larger than {max_bytes} bytes", field=field)
    return safe_filename(upload.filename), sniff_type(upload.data, upload.content_type, field)


def store(
    session: Session, actor: Actor, subject: str, subject_id: int, upload: Upload, max_bytes: int
) -> StoredFile:
    """Keep an upload with a meeting or an agreement (the caller checks the right to)."""
    assert subject in SUBJECTS
    filename, content_type = checked(upload, max_bytes, field="file")
    row = StoredFile(
        subject=subject,
        subject_id=subject_id,
        filename=filename,
        content_type=content_type,
        size=len(upload.data),
        sha256=hashlib.sha256(upload.data).hexdigest(),
        data=upload.data,
        uploaded_by=actor.user_id,
        uploaded_at=utcnow(),
    )
    session.add(row)
    session.flush()
    return row


def listing(session: Session, subject: str, subject_id: int) -> list[StoredFile]:
    """The files kept with it, oldest first (without their contents)."""
    return list(
        session.scalars(
            select(StoredFile)
            .where(StoredFile.subject == subject, StoredFile.subject_id == subject_id)
            .order_by(StoredFile.id)
        )
    )


def one(session: Session, subject: str, subject_id: int, file_id: int) -> StoredFile:
    """One file with its contents; 404 unless it is kept with this subject."""
    row = session.scalar(
        select(StoredFile).options(undefer(StoredFile.data)).where(StoredFile.id == file_id)
    )
    if row is None or row.subject != subject or row.subject_id != subject_id:
        raise NotFound(f"no file {file_id}")
    return row


def file_data(row: StoredFile) -> dict[str, Any]:
    return {
        "id": row.id,
        "filename": row.filename,
        "content_type": row.content_type,
        "size": row.size,
        "sha256": row.sha256,
        "uploaded_at": row.uploaded_at.isoformat(),
    }
