"""Keeping the full-text search documents in step with events, updates and messages."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from eocnet.db.models import SearchDocument
from eocnet.realtime.log import Audience, parties_key, users_key


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
    doc = session.execute(
        select(SearchDocument).where(
            SearchDocument.kind == kind, SearchDocument.object_id == object_id
        )
    ).scalar_one_or_none()
    if doc is None:
        doc = SearchDocument(kind=kind, object_id=object_id)
        session.add(doc)
    doc.title = title
    doc.body = body
    doc.event_id = event_id
    doc.channel_id = channel_id
    doc.country = country
    doc.hazard = hazard
    doc.status = status
    doc.created_at = created_at
    doc.visibility = audience.visibility
    doc.owner_party = audience.owner_party
    doc.parties_key = parties_key(audience.parties)
    doc.users_key = users_key(audience.users)
