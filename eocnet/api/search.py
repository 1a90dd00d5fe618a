"""Full-text search over the events, updates and messages the caller may see."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from fastapi import APIRouter, Query
from pydantic import BaseModel
from sqlalchemy import Select, false, literal_column, select, text

from eocnet.api.deps import CurrentActor, DbDep
from eocnet.api.schemas import MAX_ID, Id
from eocnet.db.audience import visible_to
from eocnet.db.models import SearchDocument
from eocnet.domain import search_text
from eocnet.domain.actors import Actor

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


def search_query(
    dialect: str,
    actor: Actor,
    q: str,
    *,
    kind: str | None = None,
    country: str | None = None,
    hazard: str | None = None,
    status: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    before_id: int | None = None,
    limit: int = 20,
) -> Select[SearchDocument]:
    """The documents matching every word of ``q`` that ``actor`` may see. Any text is
    accepted: it is reduced to words and quoted for the engine (a query without a
    word matches nothing)."""
    query = select(SearchDocument).where(visible_to(SearchDocument, actor))
    if not search_text.words(q):
        return query.where(false()).limit(limit)
    if dialect == "sqlite":
        match = search_text.fts5_query(q)
        query = query.where(
            SearchDocument.id.in_(
                select(literal_column("rowid"))
                .select_from(text("search_fts"))
                .where(text("search_fts MATCH :match"))
            )
        ).params(match=match)
    else:
        query = query.where(text("search_document.tsv @@ to_tsquery('simple', :tsq)")).params(
            tsq=search_text.tsquery(q)
        )
    if kind:
        query = query.where(SearchDocument.kind == kind)
    if country:
        query = query.where(SearchDocument.country == country)
    if hazard:
        query = query.where(SearchDocument.hazard.ilike(f"%{hazard}%"))
    if status:
        query = query.where(SearchDocument.status == status)
    if since:
        query = query.where(SearchDocument.created_at >= since)
    if until:
        query = query.where(SearchDocument.created_at < until)
    if before_id:
        query = query.where(SearchDocument.id < before_id)
    return query.order_by(SearchDocument.id.desc()).limit(limit)


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
