"""Full-text search over the events, updates and messages the caller may see."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from fastapi import APIRouter, Query
from pydantic import BaseModel

from eocnet.api.deps import CurrentActor, DbDep
from eocnet.api.schemas import MAX_ID, Id
from eocnet.domain import search_text
from eocnet.queries.search import search_query

router = APIRouter(tags=["search"])


class Hit(BaseModel):
    kind: str
    id: int
    event_id: Id | None
    channel_id: Id | None
    title: str
    excerpt: str
    country: str
    hazard: str
    status: str
    created_at: datetime


class SearchPage(BaseModel):
    items: list[Hit]
    next_before_id: int | None


def _excerpt(body: str, q: str, width: int = 200) -> str:
    words = [w.lower() for w in search_text.words(q)]
    lower = body.lower()
    at = min((lower.find(w) for w in words if lower.find(w) >= 0), default=0)
    start = max(0, at - width // 3)
    piece = body[start : start + width].replace("\n", " ")
    return ("…" if start else "") + piece + ("…" if start + width < len(body) else "")


@router.get("/search", response_model=SearchPage, summary="Search")
def search(
    actor: CurrentActor,
    db: DbDep,
    q: str = Query(
        min_length=1,
        max_length=200,
        description="Words to find (all of them; the last also as a prefix). Any text is "
        "accepted: punctuation and symbols only separate words",
    ),
    kind: Literal["event", "update", "message"] | None = None,
    country: str | None = Query(None, pattern=r"^[A-Z]{3}$"),
    hazard: str | None = Query(None, max_length=200),
    status: Literal["signal", "verified", "ongoing", "closed", "discarded"] | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    before_id: int | None = Query(
        None, ge=1, le=MAX_ID, description="Paging: results older than this"
    ),
    limit: int = Query(20, ge=1, le=100),
) -> SearchPage:
    """Events, updates and messages that contain every word, newest first; only what
    the caller's party may see."""
    if not search_text.words(q):
        return SearchPage(items=[], next_before_id=None)
    with db.read() as session:
        query = search_query(
            db.engine.dialect.name,
            actor,
            q,
            kind=kind,
            country=country,
            hazard=hazard,
            status=status,
            since=since,
            until=until,
            before_id=before_id,
            limit=limit,
        )
        rows = session.execute(query).scalars().all()
        items = [
            Hit(
                kind=r.kind,
                id=r.object_id,
                event_id=r.event_id,
                channel_id=r.channel_id,
                title=r.title,
                excerpt=_excerpt(r.body, q),
                country=r.country,
                hazard=r.hazard,
                status=r.status,
                created_at=r.created_at,
            )
            for r in rows
        ]
        return SearchPage(items=items, next_before_id=rows[-1].id if len(rows) == limit else None)
