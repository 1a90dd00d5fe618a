"""Keeping the full-text search documents in step with the records they describe.

Each action that writes a searchable record calls :func:`index` in its own
transaction; the words are segmented here (``domain/search_text``), so the engines'
index (trigger on SQLite, generated column on PostgreSQL) only splits at spaces."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import bindparam
from sqlalchemy.orm import Session

from eocnet.db.models import SearchDocument, table_of
from eocnet.domain import search_text
from eocnet.realtime.log import Audience, parties_key, users_key

_DOCS = table_of(SearchDocument)
_INSERT = _DOCS.insert()
_UPDATE = _DOCS.update().where(
    _DOCS.c.kind == bindparam("doc_kind"), _DOCS.c.object_id == bindparam("doc_object")
)


def index(
    session: Session,
    kind: str,
    object_id: int,
    *,
    title: str,
    body: str,
    audience: Audience,
    created_at: datetime,
    event_id: int | None = None,
    channel_id: int | None = None,
    country: str = "",
    hazard: str = "",
    status: str = "",
) -> None:
    values = {
        "title": title,
        "body": body,
        "terms": search_text.index_terms(title, body),
        "segmenter": search_text.SEGMENTER,
        "event_id": event_id,
        "channel_id": channel_id,
        "country": country,
        "hazard": hazard,
        "status": status,
        "created_at": created_at,
        "visibility": audience.visibility,
        "owner_party": audience.owner_party,
        "parties_key": parties_key(audience.parties),
        "users_key": users_key(audience.users),
    }
    # Core statements on the session's connection (the full-text index follows by
    # trigger or generated column): an update of the document if it exists, else an insert.
    connection = session.connection()
    result = connection.execute(_UPDATE, {"doc_kind": kind, "doc_object": object_id, **values})
    if not result.rowcount:
        connection.execute(_INSERT, {"kind": kind, "object_id": object_id, **values})


def drop(session: Session, kind: str, object_id: int) -> None:
    """The record is gone (or no longer searchable): its document too."""
    session.connection().execute(
        _DOCS.delete().where(_DOCS.c.kind == kind, _DOCS.c.object_id == object_id)
    )
